// Folds scalar affine steps after a Conv's activation into its epilogue (see fuse_post_affine.h).
// A Conv without a fused activation is left to fold-conv-affine, which folds such steps into the
// weights instead. Only a constant one-element operand qualifies, only while the Conv's output has
// that single reader and is not a graph output; Sub and Div only with the Conv output on the left.
#include "core/compiler/passes/fuse_post_affine.h"

#include <cmath>

#include "core/compiler/passes/graph_helpers.h"
#include "core/ir/gs_ops.h"

namespace gs::compiler::passes {

Expected<bool> fusePostAffine(ir::Graph& g, PassContext& ctx) {
  std::vector<bool> dead(g.nodes.size(), false);
  bool changed = false;
  const auto uses = helpers::useCounts(g);
  for (std::size_t i = 0; i < g.nodes.size(); ++i) {
    const auto& step = g.nodes[i];
    const std::string& op = step.opType;
    if (!step.domain.empty() || step.inputs.size() != 2 || step.outputs.size() != 1) continue;
    if (op != "Mul" && op != "Add" && op != "Sub" && op != "Div") continue;
    for (int side = 0; side < 2; ++side) {
      const auto x = step.inputs[side];
      const auto k = helpers::scalarOf(g, step.inputs[1 - side]);
      if (!k || !std::isfinite(*k) || x == ir::kNone) continue;
      if (side == 1 && (op == "Sub" || op == "Div")) continue;
      if (op == "Div" && *k == 0.0) continue;
      const auto p = helpers::producerOf(g, x);
      if (p == ir::kNone || dead[p]) continue;
      auto& conv = g.nodes[p];
      // A QuantConv whose output stays float (no y_scale) takes the step the same way.
      const bool quant = ir::gsop::is(conv, ir::gsop::kQuantConv) && conv.inputs.size() <= 7;
      if (!(ir::gsop::is(conv, ir::gsop::kFusedConv) || quant) || !ir::gsop::hasActivation(conv)) continue;
      if (uses[x] != 1 || g.isGraphOutput(x) || g.values[x].dtype != ir::DataType::Float32) continue;
      // The step must not broadcast the output to a larger shape (a scalar never does unless it has
      // more dims than the output).
      const auto* kt = helpers::constantOf(g, step.inputs[1 - side]);
      const auto& xs = g.values[x].shape;
      if (!xs.rankKnown || kt->dims.size() > xs.rank()) continue;
      double scale = conv.attrs.getFloat(ir::gsop::kPostScale, 1.0f);
      double shift = conv.attrs.getFloat(ir::gsop::kPostShift, 0.0f);
      if (op == "Mul") {
        scale *= *k;
        shift *= *k;
      } else if (op == "Div") {
        scale /= *k;
        shift /= *k;
      } else {
        shift += op == "Add" ? *k : -*k;
      }
      conv.attrs.set(ir::gsop::kPostScale, ir::Attribute::ofFloat(static_cast<float>(scale)));
      conv.attrs.set(ir::gsop::kPostShift, ir::Attribute::ofFloat(static_cast<float>(shift)));
      helpers::absorbNode(g, i, x, dead);
      changed = true;
      ctx.count("fused");
      break;
    }
  }
  if (changed) helpers::compact(g, dead);
  return changed;
}

} // namespace gs::compiler::passes
