// Dead code: nodes whose outputs no one reads (after folds and fusions rewired their readers).
#include "core/compiler/passes/dead_code.h"

#include "core/compiler/passes/graph_helpers.h"

namespace gs::compiler::passes {

Expected<bool> deadCode(ir::Graph& g, PassContext& ctx) {
  GS_ASSIGN_OR_RETURN(auto order, g.topoOrder());
  std::vector<int32_t> uses(g.values.size(), 0);
  for (const auto& n : g.nodes)
    for (auto in : n.inputs)
      if (in != ir::kNone) ++uses[in];
  for (auto o : g.outputs)
    ++uses[o];
  // Subgraph bodies read enclosing values by name: a live node keeps those alive too.
  std::vector<bool> dead(g.nodes.size(), false);
  int64_t removed = 0;
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    const auto& n = g.nodes[*it];
    bool live = false;
    for (auto o : n.outputs)
      if (o != ir::kNone && uses[o] > 0) live = true;
    if (live) {
      for (const auto& name : helpers::outerScopeReads(n))
        if (auto v = g.findValue(name); v != ir::kNone) ++uses[v];
      continue;
    }
    dead[*it] = true;
    ++removed;
    for (auto in : n.inputs)
      if (in != ir::kNone) --uses[in];
  }
  const auto valuesBefore = g.values.size();
  if (removed) g.removeNodes(dead);
  g.removeUnusedValues();
  ctx.count("nodes", removed);
  ctx.count("values", static_cast<int64_t>(valuesBefore - g.values.size()));
  return removed > 0 || valuesBefore != g.values.size();
}

} // namespace gs::compiler::passes
