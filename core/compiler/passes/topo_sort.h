// Pass "topo-sort": orders nodes topologically: the order is the execution order the memory plan follows.
#pragma once

#include "core/compiler/passes/pass.h"

namespace gs::compiler::passes {

Expected<bool> topoSort(ir::Graph& g, PassContext& ctx);

} // namespace gs::compiler::passes
