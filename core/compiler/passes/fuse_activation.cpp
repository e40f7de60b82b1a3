// An activation right after a Conv/ConvTranspose/Gemm/MatMul is applied by that kernel as it writes
// its output: the producer becomes FusedConv/FusedConvTranspose/FusedGemm/FusedMatMul with the
// `activation` / `activation_params` attributes (core/ir/gs_ops.h), saving one pass over memory. Only
// when the producer's output has that single reader and is not a graph output. On float16/bfloat16
// values only Relu and Clip with bounds of the 16-bit type fuse: rounding the producer's result once
// and then clamping gives the same bits as clamping and rounding (rounding is monotone and keeps the
// bounds), while the other activations would skip the rounding of the producer's output that ONNX's
// 16-bit semantics make.
#include "core/compiler/passes/fuse_activation.h"

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#include "core/compiler/passes/graph_helpers.h"
#include "core/ir/gs_ops.h"

namespace gs::compiler::passes {

namespace {

// A plain ONNX Conv/ConvTranspose/Gemm/MatMul, or a fused op without an activation yet (a FusedConv
// with a residual: the activation applies after the add; a QuantConv / QuantMatMul with float output).
bool fusableProducer(const ir::Node& p) {
  if (p.outputs.size() != 1 || ir::gsop::hasActivation(p)) return false;
  if (ir::gsop::inDomain(p))
    return p.opType == ir::gsop::kFusedConv || p.opType == ir::gsop::kFusedConvTranspose ||
           p.opType == ir::gsop::kFusedGemm || p.opType == ir::gsop::kFusedMatMul ||
           // int8 nodes whose output stays float (no y_scale): the activation applies to that float
           // output, as the separate node did.
           ((p.opType == ir::gsop::kQuantConv || p.opType == ir::gsop::kQuantMatMul) && p.inputs.size() <= 7);
  return p.domain.empty() && !ir::gsop::fusedOpFor(p.opType).empty();
}

// A scalar constant's value; float16 / bfloat16 ones (Clip bounds of 16-bit graphs) decoded here.
std::optional<double> scalarBound(const ir::Graph& g, ir::ValueId v) {
  const auto* t = helpers::constantOf(g, v);
  if (!t || t->numel() != 1 || (t->dtype != ir::DataType::Float16 && t->dtype != ir::DataType::BFloat16))
    return helpers::scalarOf(g, v);
  uint16_t h = 0;
  std::memcpy(&h, t->data(), 2);
  if (t->dtype == ir::DataType::BFloat16) return std::bit_cast<float>(static_cast<uint32_t>(h) << 16);
  const int exp = (h >> 10) & 0x1f;
  const int mant = h & 0x3ff;
  const double sign = (h & 0x8000) ? -1.0 : 1.0;
  if (exp == 31)
    return mant ? std::numeric_limits<double>::quiet_NaN() : sign * std::numeric_limits<double>::infinity();
  return sign * (exp == 0 ? std::ldexp(mant, -24) : std::ldexp(1024 + mant, exp - 25));
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
        const auto s = scalarBound(g, n.inputs[k]);
        if (!s) return std::nullopt;
        (k == 1 ? lo : hi) = static_cast<float>(*s);
      }
    }
    return std::vector<float>{lo, hi};
  }
  return std::nullopt;
}

// Whether v is a value of the 16-bit float type t, or beyond its range (the float32 extremes of an
// unbounded Clip side): then narrowing commutes with clamping at v.
bool boundFor16Bit(float v, ir::DataType t) {
  if (std::isnan(v)) return false;
  const float a = std::fabs(v);
  if (std::isinf(v) || a == 0 || a == std::numeric_limits<float>::max()) return true;
  const uint32_t u = std::bit_cast<uint32_t>(v);
  if (t == ir::DataType::BFloat16) return (u & 0xffffu) == 0;
  if (a > 65504.0f) return false;
  if (a < 6.103515625e-05f) return std::ldexp(a, 24) == std::floor(std::ldexp(a, 24)); // subnormal: k * 2^-24
  return (u & 0x1fffu) == 0;
}

bool fusesWithoutRounding(const ir::Node& act, const std::vector<float>& params, ir::DataType t) {
  if (t == ir::DataType::Float32 || t == ir::DataType::Undefined) return true;
  if (t != ir::DataType::Float16 && t != ir::DataType::BFloat16) return false;
  if (act.opType == "Relu") return true;
  return act.opType == "Clip" && params.size() == 2 && boundFor16Bit(params[0], t) && boundFor16Bit(params[1], t);
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
    auto params = activationParams(g, act, ctx.opset);
    if (!params || !fusesWithoutRounding(act, *params, g.values[x].dtype)) continue;
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
