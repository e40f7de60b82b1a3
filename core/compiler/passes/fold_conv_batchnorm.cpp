// Inference BatchNormalization after a convolution is a per-channel affine map y = f*x + c with
// f = scale / sqrt(var + eps) and c = B - mean * f, so it folds into the conv:
// W' = W * f (per output channel), b' = (b - mean) * f + B.
#include "core/compiler/passes/fold_conv_batchnorm.h"

#include <cmath>

#include "core/compiler/passes/conv_weights.h"
#include "core/compiler/passes/graph_helpers.h"

namespace gs::compiler::passes {

Expected<bool> foldConvBatchNorm(ir::Graph& g, PassContext& ctx) {
  std::vector<bool> dead(g.nodes.size(), false);
  bool changed = false;
  for (std::size_t i = 0; i < g.nodes.size(); ++i) {
    const auto& bn = g.nodes[i];
    if (bn.opType != "BatchNormalization" || !bn.domain.empty() || bn.inputs.size() != 5 || bn.outputs.empty())
      continue;
    // Training-mode outputs (running mean/var) must be unused.
    const auto uses = helpers::useCounts(g);
    bool extraOutputsUsed = false;
    for (std::size_t k = 1; k < bn.outputs.size(); ++k)
      if (bn.outputs[k] != ir::kNone && uses[bn.outputs[k]] > 0) extraOutputsUsed = true;
    if (extraOutputsUsed || bn.attrs.getInt("training_mode", 0) != 0) continue;
    const auto x = bn.inputs[0];
    const auto p = helpers::producerOf(g, x);
    if (p == ir::kNone || uses[x] != 1 || g.isGraphOutput(x) || !convw::foldable(g, g.nodes[p])) continue;
    const auto channels = convw::outChannels(g, g.nodes[p]);
    std::vector<std::vector<float>> params;
    for (std::size_t k = 1; k < 5; ++k) {
      const auto* t = helpers::constantOf(g, bn.inputs[k]);
      if (!t || t->dtype != ir::DataType::Float32 || t->numel() != channels) break;
      params.push_back(t->toVector<float>());
    }
    if (params.size() != 4) continue;
    const auto eps = bn.attrs.getFloat("epsilon", 1e-5f);
    const auto& scale = params[0];
    const auto& shift = params[1];
    const auto& mean = params[2];
    const auto& var = params[3];
    std::vector<float> f(static_cast<std::size_t>(channels));
    for (std::size_t c = 0; c < f.size(); ++c)
      f[c] = scale[c] / std::sqrt(var[c] + eps);
    auto bias = convw::biasOf(g, g.nodes[p]);
    for (std::size_t c = 0; c < f.size(); ++c)
      bias[c] = (bias[c] - mean[c]) * f[c] + shift[c];
    auto weight = convw::scaledWeight(g, g.nodes[p], f);
    convw::setWeight(g, p, std::move(weight));
    convw::setBias(g, p, std::move(bias));
    helpers::absorbNode(g, i, x, dead);
    changed = true;
    ctx.count("folded");
  }
  if (changed) helpers::compact(g, dead);
  return changed;
}

} // namespace gs::compiler::passes
