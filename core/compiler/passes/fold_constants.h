// Pass "fold-constants": evaluates nodes whose inputs are all constants and replaces their outputs by constants.
#pragma once

#include "core/compiler/passes/pass.h"

namespace gs::compiler::passes {

Expected<bool> foldConstants(ir::Graph& g, PassContext& ctx);

} // namespace gs::compiler::passes
