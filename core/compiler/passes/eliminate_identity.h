// Pass "eliminate-identity": removes Identity nodes and inference-mode Dropout (its mask unused).
#pragma once

#include "core/compiler/passes/pass.h"

namespace gs::compiler::passes {

Expected<bool> eliminateIdentity(ir::Graph& g, PassContext& ctx);

} // namespace gs::compiler::passes
