// Identity and inference-mode Dropout copy their input: readers can read the input directly. Once
// shapes are known (per gear), so do Cast to the same dtype and Reshape/Flatten/Squeeze/Unsqueeze/
// Expand whose output shape equals the input's.
#include "core/compiler/passes/eliminate_identity.h"

#include "core/compiler/passes/graph_helpers.h"

namespace gs::compiler::passes {

namespace {

bool noopReshapeOrCast(const ir::Graph& g, const ir::Node& n) {
  if (n.outputs.size() != 1 || n.inputs.empty() || n.inputs[0] == ir::kNone || n.outputs[0] == ir::kNone) return false;
  const auto& in = g.values[n.inputs[0]];
  const auto& out = g.values[n.outputs[0]];
  if (n.opType == "Cast")
    return in.dtype != ir::DataType::Undefined && static_cast<int64_t>(in.dtype) == n.attrs.getInt("to", -1);
  if (n.opType != "Reshape" && n.opType != "Flatten" && n.opType != "Squeeze" && n.opType != "Unsqueeze" &&
      n.opType != "Expand")
    return false;
  return in.shape.isStatic() && out.shape.isStatic() && in.shape == out.shape && in.dtype == out.dtype;
}

} // namespace

Expected<bool> eliminateIdentity(ir::Graph& g, PassContext& ctx) {
  std::vector<bool> dead(g.nodes.size(), false);
  bool changed = false;
  for (std::size_t i = 0; i < g.nodes.size(); ++i) {
    const auto& n = g.nodes[i];
    if (!n.domain.empty() || n.inputs.empty() || n.outputs.empty()) continue;
    const bool identity = n.opType == "Identity";
    const bool dropout = n.opType == "Dropout";
    const bool noop = noopReshapeOrCast(g, n);
    if (!identity && !dropout && !noop) continue;
    const auto uses = helpers::useCounts(g);
    // Dropout's optional mask output must be unused; opset >= 12 training_mode input must be absent
    // or a constant false.
    if (dropout) {
      if (n.outputs.size() > 1 && n.outputs[1] != ir::kNone && uses[n.outputs[1]] > 0) continue;
      if (n.inputs.size() > 2 && n.inputs[2] != ir::kNone) {
        const auto mode = helpers::scalarOf(g, n.inputs[2]);
        if (!mode || *mode != 0) continue;
      }
    }
    const auto in = n.inputs[0];
    const auto out = n.outputs[0];
    if (in == ir::kNone || out == ir::kNone) continue;
    if (g.isGraphOutput(out) && (g.isGraphInput(in) || g.values[in].isConstant())) continue;
    if (!helpers::forwardValue(g, in, out, uses)) continue;
    dead[i] = true;
    g.nodes[i].inputs.clear(); // a removed node no longer counts as a reader
    changed = true;
    ctx.count(identity ? "identity" : dropout ? "dropout" : "no-op");
  }
  if (changed) helpers::compact(g, dead);
  return changed;
}

} // namespace gs::compiler::passes
