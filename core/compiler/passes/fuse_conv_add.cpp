// Residual fusion: Conv -> Add(other) becomes one Conv that adds `other` (same shape as its output)
// before its activation (gs_fused_add = 1, `other` as an extra last input; the bias slot is kept,
// kNone when absent, so the extra input is always input 3). Only for a Conv without a fused
// activation yet, whose output is read by that Add alone.
#include "core/compiler/passes/fuse_conv_add.h"

#include "core/compiler/passes/graph_helpers.h"

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
      if (conv.opType != "Conv" || !conv.domain.empty() || conv.attrs.has("gs_activation") ||
          conv.attrs.has("gs_fused_add"))
        continue;
      if (uses[x] != 1 || g.isGraphOutput(x)) continue;
      const auto& xs = g.values[x];
      const auto& os = g.values[other];
      if (xs.dtype != ir::DataType::Float32 || os.dtype != xs.dtype || !fullyNamed(xs.shape) || !(xs.shape == os.shape))
        continue;
      if (!ctx.symbolic && !xs.shape.isStatic()) continue;
      conv.inputs.resize(3, ir::kNone);
      conv.inputs.push_back(other);
      conv.attrs.set("gs_fused_add", ir::Attribute::ofInt(1));
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
