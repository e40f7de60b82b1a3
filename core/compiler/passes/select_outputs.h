// Pass "select-outputs": makes the --out_nodes tensors the graph's outputs ("node:index" or a tensor name).
#pragma once

#include "core/compiler/passes/pass.h"

namespace gs::compiler::passes {

Expected<bool> selectOutputs(ir::Graph& g, PassContext& ctx);

} // namespace gs::compiler::passes
