// PaddlePaddle exports HardSwish as x * Clip(x + 3, 0, 6) / 6 (four nodes) or x * HardSigmoid(x) with
// alpha 1/6, beta 1/2. Both are HardSwish(x). When x comes from a Conv-like node read only by the
// pattern, the conv applies HardSwish itself (a fused activation); otherwise the pattern becomes one
// HardSwish node where the registry knows that op at the model's opset, else it stays.
#include "core/compiler/passes/fuse_hardswish.h"

#include <cmath>

#include "core/compiler/passes/graph_helpers.h"
#include "core/ir/gs_ops.h"
#include "core/ops/registry.h"

namespace gs::compiler::passes {

namespace {

bool near(std::optional<double> v, double want) { return v && std::fabs(*v - want) <= 1e-5 * std::max(1.0, want); }

// The non-constant input of a binary node whose other input is the scalar `want`; kNone otherwise.
ir::ValueId withScalar(const ir::Graph& g, const ir::Node& n, double want) {
  if (n.inputs.size() != 2) return ir::kNone;
  for (int side = 0; side < 2; ++side)
    if (near(helpers::scalarOf(g, n.inputs[1 - side]), want) && !helpers::constantOf(g, n.inputs[side]))
      return n.inputs[side];
  return ir::kNone;
}

bool clipZeroSix(const ir::Graph& g, const ir::Node& n, int64_t opset) {
  if (n.opType != "Clip" || n.inputs.empty()) return false;
  if (opset < 11) return near(n.attrs.getFloat("min", -1), 0.0) && near(n.attrs.getFloat("max", -1), 6.0);
  return n.inputs.size() == 3 && near(helpers::scalarOf(g, n.inputs[1]), 0.0) &&
         near(helpers::scalarOf(g, n.inputs[2]), 6.0);
}

const ir::Node* producerNode(const ir::Graph& g, ir::ValueId v) {
  const auto p = helpers::producerOf(g, v);
  return p == ir::kNone ? nullptr : &g.nodes[p];
}

struct Match {
  ir::ValueId x = ir::kNone;
  std::vector<ir::NodeId> nodes; // the pattern's nodes, the last one writes the result
};

// Matches the pattern ending at node `last` (a Div by 6, Mul by 1/6, or Mul(x, HardSigmoid(x))).
std::optional<Match> match(const ir::Graph& g, ir::NodeId last, const std::vector<int32_t>& uses, int64_t opset) {
  const auto& end = g.nodes[last];
  if (!end.domain.empty() || end.outputs.size() != 1) return std::nullopt;
  // x * HardSigmoid(x)
  if (end.opType == "Mul" && end.inputs.size() == 2) {
    for (int side = 0; side < 2; ++side) {
      const auto* hs = producerNode(g, end.inputs[side]);
      if (!hs || hs->opType != "HardSigmoid" || hs->inputs[0] != end.inputs[1 - side]) continue;
      if (uses[end.inputs[side]] != 1) continue;
      if (!near(hs->attrs.getFloat("alpha", 0.2f), 1.0 / 6.0) || !near(hs->attrs.getFloat("beta", 0.5f), 0.5)) continue;
      return Match{end.inputs[1 - side], {g.values[end.inputs[side]].producer, last}};
    }
  }
  // (x * Clip(x + 3, 0, 6)) / 6
  ir::ValueId m = ir::kNone;
  if (end.opType == "Div" && end.inputs.size() == 2 && near(helpers::scalarOf(g, end.inputs[1]), 6.0))
    m = end.inputs[0];
  else if (end.opType == "Mul")
    m = withScalar(g, end, 1.0 / 6.0);
  if (m == ir::kNone || uses[m] != 1) return std::nullopt;
  const auto* mul = producerNode(g, m);
  if (!mul || mul->opType != "Mul" || mul->inputs.size() != 2) return std::nullopt;
  for (int side = 0; side < 2; ++side) {
    const auto c = mul->inputs[side];
    const auto x = mul->inputs[1 - side];
    const auto* clip = producerNode(g, c);
    if (!clip || uses[c] != 1 || !clipZeroSix(g, *clip, opset)) continue;
    const auto a = clip->inputs[0];
    const auto* add = producerNode(g, a);
    if (!add || add->opType != "Add" || uses[a] != 1 || withScalar(g, *add, 3.0) != x) continue;
    return Match{x, {g.values[a].producer, g.values[c].producer, g.values[m].producer, last}};
  }
  return std::nullopt;
}

// A float op reading a DequantizeLinear output is left for fuse-qdq (which turns it into an int8
// QuantConv / QuantMatMul that takes the activation later): fusing it into a float Fused* first, as
// an early run of this pass would, kept int8 models on float kernels.
bool readsDequantized(const ir::Graph& g, const ir::Node& p) {
  for (auto in : p.inputs) {
    const auto* producer = in == ir::kNone ? nullptr : producerNode(g, in);
    if (producer && producer->domain.empty() && producer->opType == "DequantizeLinear") return true;
  }
  return false;
}

bool fusableProducer(const ir::Graph& g, const ir::Node& p) {
  if (p.outputs.size() != 1 || ir::gsop::hasActivation(p)) return false;
  if (p.domain.empty() && readsDequantized(g, p)) return false;
  if (ir::gsop::inDomain(p))
    return p.opType == ir::gsop::kFusedConv || p.opType == ir::gsop::kFusedConvTranspose ||
           p.opType == ir::gsop::kFusedGemm || p.opType == ir::gsop::kFusedMatMul ||
           // int8 nodes with float output (no y_scale) apply the activation to that output
           ((p.opType == ir::gsop::kQuantConv || p.opType == ir::gsop::kQuantMatMul) && p.inputs.size() <= 7);
  return p.domain.empty() && !ir::gsop::fusedOpFor(p.opType).empty();
}

} // namespace

Expected<bool> fuseHardSwish(ir::Graph& g, PassContext& ctx) {
  const bool standalone = ops::findOp("", "HardSwish", ctx.opset) != nullptr;
  std::vector<bool> dead(g.nodes.size(), false);
  bool changed = false;
  const auto uses = helpers::useCounts(g);
  for (std::size_t i = 0; i < g.nodes.size(); ++i) {
    if (dead[i]) continue;
    auto m = match(g, static_cast<ir::NodeId>(i), uses, ctx.opset);
    if (!m) continue;
    bool overlaps = false;
    for (auto id : m->nodes)
      if (dead[id]) overlaps = true;
    if (overlaps) continue;
    const auto y = g.nodes[i].outputs[0];
    const auto p = helpers::producerOf(g, m->x);
    // x is read by the pattern twice (the add/hard-sigmoid and the multiply) and by no one else.
    const bool intoProducer =
        p != ir::kNone && !dead[p] && fusableProducer(g, g.nodes[p]) && uses[m->x] == 2 && !g.isGraphOutput(m->x);
    if (intoProducer) {
      ir::gsop::makeFused(g.nodes[p]);
      g.nodes[p].attrs.set(ir::gsop::kActivation, ir::Attribute::ofString("HardSwish"));
      for (auto id : m->nodes) {
        for (auto& o : g.nodes[id].outputs)
          o = ir::kNone;
        dead[id] = true;
      }
      helpers::takeOverOutput(g, m->x, y);
      ctx.count("fused-into-producer");
    } else if (standalone) {
      auto& n = g.nodes[i];
      n.opType = "HardSwish";
      n.inputs = {m->x};
      n.attrs = {};
      for (auto id : m->nodes)
        if (id != static_cast<ir::NodeId>(i)) dead[id] = true;
      ctx.count("replaced");
    } else {
      continue;
    }
    changed = true;
  }
  if (changed) helpers::compact(g, dead);
  return changed;
}

} // namespace gs::compiler::passes
