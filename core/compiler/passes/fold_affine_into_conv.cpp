// A scalar Mul/Add whose result feeds only unpadded convolutions folds into them:
// W*(s*x) = (s*W)*x and W*(x + t) + b = W*x + (b + t * sum(W[oc])). With padding the border would
// see t where the conv pads zeros, so padded convs are left alone. PP-OCRv4 puts such a scale/shift
// after every HardSwish; the ones feeding 1x1 convs vanish here.
#include "core/compiler/passes/fold_affine_into_conv.h"

#include "core/compiler/passes/conv_weights.h"
#include "core/compiler/passes/graph_helpers.h"

namespace gs::compiler::passes {

namespace {

bool unpaddedConv(const ir::Graph& g, const ir::Node& n, ir::ValueId input) {
  if (n.opType != "Conv" || !convw::foldable(g, n) || n.inputs[0] != input || n.inputs[1] == input) return false;
  if (n.inputs.size() > 2 && n.inputs[2] == input) return false;
  const auto autoPad = n.attrs.getString("auto_pad", "NOTSET");
  if (autoPad != "NOTSET" && autoPad != "VALID") return false;
  for (auto p : n.attrs.getInts("pads"))
    if (p != 0) return false;
  return true;
}

} // namespace

Expected<bool> foldAffineIntoConv(ir::Graph& g, PassContext& ctx) {
  bool changed = false;
  // Each fold rewires readers, so consumer lists are rebuilt after every change (the graphs are small).
  for (bool again = true; again;) {
    again = false;
    const auto consumers = g.consumers();
    for (std::size_t i = 0; i < g.nodes.size() && !again; ++i) {
      const auto& n = g.nodes[i];
      const bool mul = n.opType == "Mul";
      const bool add = n.opType == "Add";
      if (!n.domain.empty() || (!mul && !add) || n.inputs.size() != 2 || n.outputs.size() != 1) continue;
      const auto y = n.outputs[0];
      if (y == ir::kNone || g.isGraphOutput(y) || consumers[y].empty()) continue;
      for (int side = 0; side < 2 && !again; ++side) {
        const auto x = n.inputs[side];
        const auto s = helpers::scalarOf(g, n.inputs[1 - side]);
        if (!s || helpers::constantOf(g, x) || g.values[n.inputs[1 - side]].constant->dtype != ir::DataType::Float32)
          continue;
        bool all = true;
        for (auto c : consumers[y])
          if (!unpaddedConv(g, g.nodes[c], y)) all = false;
        if (!all) continue;
        std::vector<ir::NodeId> convs(consumers[y].begin(), consumers[y].end());
        for (auto c : convs) {
          const auto channels = static_cast<std::size_t>(convw::outChannels(g, g.nodes[c]));
          if (mul) {
            convw::setWeight(g, c,
                             convw::scaledWeight(g, g.nodes[c], std::vector<float>(channels, static_cast<float>(*s))));
          } else {
            auto bias = convw::biasOf(g, g.nodes[c]);
            const auto w = helpers::constantOf(g, g.nodes[c].inputs[1])->toVector<float>();
            const auto block = w.size() / channels;
            for (std::size_t oc = 0; oc < channels; ++oc) {
              double sum = 0;
              for (std::size_t k = 0; k < block; ++k)
                sum += w[oc * block + k];
              bias[oc] += static_cast<float>(sum * *s);
            }
            convw::setBias(g, c, std::move(bias));
          }
          g.nodes[c].inputs[0] = x;
        }
        ctx.count(mul ? "scale" : "shift");
        changed = again = true;
      }
    }
    if (again) {
      std::vector<bool> dead(g.nodes.size(), false);
      const auto uses = helpers::useCounts(g);
      for (std::size_t i = 0; i < g.nodes.size(); ++i)
        if (g.nodes[i].outputs.size() == 1 && g.nodes[i].outputs[0] != ir::kNone && uses[g.nodes[i].outputs[0]] == 0 &&
            (g.nodes[i].opType == "Mul" || g.nodes[i].opType == "Add"))
          dead[i] = true;
      helpers::compact(g, dead);
    }
  }
  return changed;
}

} // namespace gs::compiler::passes
