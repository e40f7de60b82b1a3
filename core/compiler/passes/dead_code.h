// Pass "dead-code": removes nodes whose outputs nothing reads, and values nothing uses.
#pragma once

#include "core/compiler/passes/pass.h"

namespace gs::compiler::passes {

Expected<bool> deadCode(ir::Graph& g, PassContext& ctx);

} // namespace gs::compiler::passes
