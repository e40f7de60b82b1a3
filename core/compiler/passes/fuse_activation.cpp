// An activation right after a Conv/ConvTranspose/Gemm/MatMul is applied by that kernel as it writes
// its output: the producer becomes FusedConv/FusedConvTranspose/FusedGemm/FusedMatMul with the
// `activation` / `activation_params` attributes (core/ir/gs_ops.h), saving one pass over memory. Only
// when the producer's output has that single reader and is not a graph output.
#include "core/compiler/passes/fuse_activation.h"

#include <limits>

#include "core/compiler/passes/graph_helpers.h"
#include "core/ir/gs_ops.h"

namespace gs::compiler::passes {

namespace {

// A plain ONNX Conv/ConvTranspose/Gemm/MatMul, or a fused op without an activation yet (a FusedConv
// with a residual: the activation applies after the add).
bool fusableProducer(const ir::Node& p) {
  if (p.outputs.size() != 1 || ir::gsop::hasActivation(p)) return false;
  if (ir::gsop::inDomain(p))
    return p.opType == ir::gsop::kFusedConv || p.opType == ir::gsop::kFusedConvTranspose ||
           p.opType == ir::gsop::kFusedGemm || p.opType == ir::gsop::kFusedMatMul;
  return p.domain.empty() && !ir::gsop::fusedOpFor(p.opType).empty();
}

// The parameters of an activation node, or nullopt when it is not fusable (e.g. Clip with computed bounds).
std::optional<std::vector<float>> activationParams(const ir::Graph& g, const ir::Node& n, int64_t opset) {
  const auto& op = n.opType;
  if (op == "Relu" || op == "Sigmoid" || op == "Tanh" || op == "HardSwish") return std::vector<float>{};
  if (op == "LeakyRelu") return std::vector<float>{n.attrs.getFloat("alpha", 0.01f)};
  if (op == "HardSigmoid") return std::vector<float>{n.attrs.getFloat("alpha", 0.2f), n.attrs.getFloat("beta", 0.5f)};
  if (op == "Clip") {
    float lo = std::numeric_limits<float>::lowest();
    float hi = std::numeric_limits<float>::max();
    if (opset < 11) {
      lo = n.attrs.getFloat("min", lo);
      hi = n.attrs.getFloat("max", hi);
    } else {
      for (std::size_t k = 1; k < n.inputs.size() && k < 3; ++k) {
        if (n.inputs[k] == ir::kNone) continue;
        const auto s = helpers::scalarOf(g, n.inputs[k]);
        if (!s) return std::nullopt;
        (k == 1 ? lo : hi) = static_cast<float>(*s);
      }
    }
    return std::vector<float>{lo, hi};
  }
  return std::nullopt;
}

} // namespace

Expected<bool> fuseActivation(ir::Graph& g, PassContext& ctx) {
  std::vector<bool> dead(g.nodes.size(), false);
  bool changed = false;
  auto uses = helpers::useCounts(g);
  for (std::size_t i = 0; i < g.nodes.size(); ++i) {
    const auto& act = g.nodes[i];
    if (!act.domain.empty() || act.inputs.empty() || act.outputs.size() != 1 || act.outputs[0] == ir::kNone) continue;
    const auto x = act.inputs[0];
    const auto p = helpers::producerOf(g, x);
    if (p == ir::kNone || dead[p] || !fusableProducer(g.nodes[p])) continue;
    if (uses[x] != 1 || g.isGraphOutput(x)) continue;
    if (g.values[x].dtype != ir::DataType::Float32 && g.values[x].dtype != ir::DataType::Undefined) continue;
    auto params = activationParams(g, act, ctx.opset);
    if (!params) continue;
    auto& producer = g.nodes[p];
    ir::gsop::makeFused(producer);
    producer.attrs.set(ir::gsop::kActivation, ir::Attribute::ofString(act.opType));
    if (!params->empty()) producer.attrs.set(ir::gsop::kActivationParams, ir::Attribute::ofFloats(*params));
    helpers::absorbNode(g, i, x, dead);
    changed = true;
    ctx.count(std::string("fused-") + g.nodes[i].opType);
  }
  if (changed) helpers::compact(g, dead);
  return changed;
}

} // namespace gs::compiler::passes
