// Residual fusion: Conv -> Add(other) becomes one FusedConv that adds `other` (same shape as its
// output) before its activation: `other` is FusedConv's input Z (input 3; the bias slot is kept,
// kNone when absent). Only for a Conv without a fused activation or residual yet, whose output is
// read by that Add alone.
#include "core/compiler/passes/fuse_conv_add.h"

#include "core/compiler/passes/graph_helpers.h"
#include "core/ir/gs_ops.h"
#include "core/ir/layout.h"

namespace gs::compiler::passes {

namespace {

bool fullyNamed(const ir::Shape& s) {
  if (!s.rankKnown) return false;
  for (const auto& d : s.dims)
    if (!d.isKnown() && !d.isSymbolic()) return false;
  return true;
}

} // namespace

Expected<bool> fuseConvAdd(ir::Graph& g, PassContext& ctx) {
  std::vector<bool> dead(g.nodes.size(), false);
  bool changed = false;
  const auto uses = helpers::useCounts(g);
  for (std::size_t i = 0; i < g.nodes.size(); ++i) {
    const auto& add = g.nodes[i];
    if (add.opType != "Add" || !add.domain.empty() || add.inputs.size() != 2 || add.outputs.size() != 1) continue;
    for (int side = 0; side < 2; ++side) {
      const auto x = add.inputs[side];
      const auto other = add.inputs[1 - side];
      if (x == other || x == ir::kNone || other == ir::kNone) continue;
      const auto p = helpers::producerOf(g, x);
      if (p == ir::kNone || dead[p]) continue;
      auto& conv = g.nodes[p];
      const bool plain = ir::gsop::isOnnx(conv, "Conv");
      const bool fused = ir::gsop::is(conv, ir::gsop::kFusedConv) && !ir::gsop::hasActivation(conv) &&
                         !ir::gsop::hasResidual(conv) && !ir::isChannelsLast(conv) &&
                         !conv.attrs.has(ir::gsop::kPostScale) && !conv.attrs.has(ir::gsop::kPostShift);
      if (!plain && !fused) continue;
      if (uses[x] != 1 || g.isGraphOutput(x)) continue;
      const auto& xs = g.values[x];
      const auto& os = g.values[other];
      if (xs.dtype != ir::DataType::Float32 || os.dtype != xs.dtype || !fullyNamed(xs.shape) || !(xs.shape == os.shape))
        continue;
      if (!ctx.symbolic && !xs.shape.isStatic()) continue;
      ir::gsop::makeFused(conv);
      conv.inputs.resize(3, ir::kNone);
      conv.inputs.push_back(other);
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
