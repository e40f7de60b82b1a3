// Shape inference with data propagation computed the data of shape arithmetic (Shape -> Gather ->
// Concat -> Reshape): in a gear those values are fixed, so they become constants, the Reshape/Expand/
// Slice operands are constants, and the Shape chains die.
#include "core/compiler/passes/fold_shape_values.h"

namespace gs::compiler::passes {

Expected<bool> foldShapeValues(ir::Graph& g, PassContext& ctx) {
  bool changed = false;
  const auto n = std::min(ctx.knownValues.size(), g.values.size());
  for (std::size_t i = 0; i < n; ++i) {
    auto& known = ctx.knownValues[i];
    auto& v = g.values[i];
    if (!known || v.isConstant() || v.producer == ir::kNone || g.isGraphOutput(static_cast<ir::ValueId>(i))) continue;
    if (known->numel() > ctx.maxFoldElements) continue;
    for (auto& o : g.nodes[v.producer].outputs)
      if (o == static_cast<ir::ValueId>(i)) o = ir::kNone;
    v.producer = ir::kNone;
    v.dtype = known->dtype;
    v.constant = std::move(*known);
    changed = true;
    ctx.count("folded");
  }
  ctx.knownValues.clear(); // ids are renumbered by later passes
  return changed;
}

} // namespace gs::compiler::passes
