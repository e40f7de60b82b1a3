// Mul/Div/Add/Sub by a per-channel constant right after a convolution (PP-OCRv4's MobileOne blocks
// put a learnable scale and shift after every conv) folds into the conv's weights and bias:
// (W*x + b) * s = (W*s)*x + b*s and (W*x + b) + t = W*x + (b + t).
#include "core/compiler/passes/fold_conv_affine.h"

#include "core/compiler/passes/conv_weights.h"
#include "core/compiler/passes/graph_helpers.h"

namespace gs::compiler::passes {

Expected<bool> foldConvAffine(ir::Graph& g, PassContext& ctx) {
  std::vector<bool> dead(g.nodes.size(), false);
  bool changed = false;
  for (std::size_t i = 0; i < g.nodes.size(); ++i) {
    const auto& n = g.nodes[i];
    const bool mul = n.opType == "Mul";
    const bool div = n.opType == "Div";
    const bool add = n.opType == "Add";
    const bool sub = n.opType == "Sub";
    if (!n.domain.empty() || (!mul && !div && !add && !sub) || n.inputs.size() != 2 || n.outputs.size() != 1) continue;
    // x is the conv output, c the constant; Sub and Div only fold with the conv output on the left.
    for (int side = 0; side < 2; ++side) {
      if ((sub || div) && side == 1) break;
      const auto x = n.inputs[side];
      const auto c = n.inputs[1 - side];
      const auto* ct = helpers::constantOf(g, c);
      const auto p = helpers::producerOf(g, x);
      if (!ct || p == ir::kNone || dead[p]) continue;
      const auto uses = helpers::useCounts(g);
      if (uses[x] != 1 || g.isGraphOutput(x) || !convw::foldable(g, g.nodes[p])) continue;
      const auto channels = convw::outChannels(g, g.nodes[p]);
      auto f = helpers::perChannel(*ct, channels, convw::outRank(g, g.nodes[p]));
      if (!f) continue;
      auto bias = convw::biasOf(g, g.nodes[p]);
      if (mul || div) {
        if (div)
          for (auto& v : *f)
            v = 1.0f / v;
        for (std::size_t k = 0; k < bias.size(); ++k)
          bias[k] *= (*f)[k];
        convw::setWeight(g, p, convw::scaledWeight(g, g.nodes[p], *f));
      } else {
        for (std::size_t k = 0; k < bias.size(); ++k)
          bias[k] += sub ? -(*f)[k] : (*f)[k];
      }
      convw::setBias(g, p, std::move(bias));
      helpers::absorbNode(g, i, x, dead);
      changed = true;
      ctx.count(mul || div ? "scale" : "shift");
      break;
    }
  }
  if (changed) helpers::compact(g, dead);
  return changed;
}

} // namespace gs::compiler::passes
