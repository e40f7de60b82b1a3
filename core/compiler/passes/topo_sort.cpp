// The node order after passes is the execution order; fusions may have added inputs that are
// produced later in the old order (a residual add), so the order is rebuilt.
#include "core/compiler/passes/topo_sort.h"

namespace gs::compiler::passes {

Expected<bool> topoSort(ir::Graph& g, PassContext& ctx) {
  GS_ASSIGN_OR_RETURN(auto order, g.topoOrder());
  bool sorted = true;
  for (std::size_t i = 0; i < order.size(); ++i)
    if (order[i] != static_cast<ir::NodeId>(i)) sorted = false;
  if (sorted) return false;
  GS_RETURN_IF_ERROR(g.sortTopologically());
  ctx.count("reordered");
  return true;
}

} // namespace gs::compiler::passes
