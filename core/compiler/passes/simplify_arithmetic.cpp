// Neutral-element removal. The constant must hold exactly the neutral value and one element, and its
// rank must not exceed x's (otherwise the op would broadcast x to a higher rank).
#include "core/compiler/passes/simplify_arithmetic.h"

#include "core/compiler/passes/graph_helpers.h"

namespace gs::compiler::passes {

namespace {

// The input that passes through unchanged, or kNone.
ir::ValueId passThrough(const ir::Graph& g, const ir::Node& n) {
  if (!n.domain.empty() || n.inputs.size() != 2 || n.outputs.size() != 1 || n.outputs[0] == ir::kNone) return ir::kNone;
  const auto& op = n.opType;
  const bool commutative = op == "Mul" || op == "Add";
  if (!commutative && op != "Div" && op != "Sub" && op != "Pow") return ir::kNone;
  const double neutral = (op == "Mul" || op == "Div" || op == "Pow") ? 1.0 : 0.0;
  for (int side = 0; side < (commutative ? 2 : 1); ++side) {
    const auto x = n.inputs[side];
    const auto* c = helpers::constantOf(g, n.inputs[1 - side]);
    if (x == ir::kNone || !c || c->numel() != 1 || helpers::constantOf(g, x)) continue;
    const auto v = helpers::scalarOf(g, n.inputs[1 - side]);
    if (!v || *v != neutral) continue;
    const auto& xv = g.values[x];
    if (xv.dtype == ir::DataType::Undefined || (op != "Pow" && xv.dtype != c->dtype)) continue;
    if (!c->dims.empty() && (!xv.shape.rankKnown || xv.shape.rank() < c->dims.size())) continue;
    return x;
  }
  return ir::kNone;
}

} // namespace

Expected<bool> simplifyArithmetic(ir::Graph& g, PassContext& ctx) {
  std::vector<bool> dead(g.nodes.size(), false);
  bool changed = false;
  for (std::size_t i = 0; i < g.nodes.size(); ++i) {
    const auto x = passThrough(g, g.nodes[i]);
    if (x == ir::kNone) continue;
    const auto out = g.nodes[i].outputs[0];
    if (g.isGraphOutput(out) && (g.isGraphInput(x) || g.values[x].isConstant())) continue;
    if (!helpers::forwardValue(g, x, out, helpers::useCounts(g))) continue;
    dead[i] = true;
    g.nodes[i].inputs.clear();
    changed = true;
    ctx.count("removed-" + g.nodes[i].opType);
  }
  if (changed) helpers::compact(g, dead);
  return changed;
}

} // namespace gs::compiler::passes
