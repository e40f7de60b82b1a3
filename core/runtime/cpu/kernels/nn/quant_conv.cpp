// Integer convolutions (see quant_conv.h).
#include "core/runtime/cpu/kernels/nn/quant_conv.h"

#include <algorithm>

#include "core/ir/layout.h"
#include "core/runtime/cpu/kernels/nn/quant_common.h"
#include "core/runtime/cpu/kernels/nn/quant_primitive.h"

namespace gs::runtime::cpu::nn {

namespace {

using quant::ConvGeom;

ir::DataType typeAt(std::span<const ir::DataType> t, std::size_t i) {
  return i < t.size() ? t[i] : ir::DataType::Undefined;
}
bool isInt8(ir::DataType t) { return t == ir::DataType::Int8 || t == ir::DataType::UInt8; }
const ir::Tensor* constAt(const CreateContext& ctx, std::size_t i) {
  return i < ctx.constInputs.size() && i < ctx.node.inputs.size() && ctx.node.inputs[i] != ir::kNone
             ? ctx.constInputs[i]
             : nullptr;
}

// Constant weights minus their per-output-channel zero points, when every difference fits int8 (what
// oneDNN's int8 conv takes); empty otherwise.
std::vector<int8_t> int8Weights(const ir::Tensor& w, const std::vector<int32_t>& zero) {
  const auto values = w.toVector<int32_t>();
  const int64_t m = w.dims.empty() ? 1 : w.dims[0];
  const int64_t per = m > 0 ? static_cast<int64_t>(values.size()) / m : 0;
  std::vector<int8_t> out(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    const auto oc = static_cast<std::size_t>(static_cast<int64_t>(i) / std::max<int64_t>(per, 1));
    const int32_t v = values[i] - zero[zero.size() == 1 ? 0 : oc];
    if (v < -128 || v > 127) return {};
    out[i] = static_cast<int8_t>(v);
  }
  return out;
}

// The oneDNN spec of a 2-D conv from its geometry (1-D convs stay on the integer loop).
Int8Primitive::Spec convSpec(const ConvGeom& g) {
  Int8Primitive::Spec s;
  s.conv = true;
  s.srcDims = {g.n, g.c, g.h, g.w};
  s.dstDims = {g.n, g.m, g.oh, g.ow};
  if (g.group > 1)
    s.weightDims = {g.group, g.m / g.group, g.c / g.group, g.kh, g.kw};
  else
    s.weightDims = {g.m, g.c, g.kh, g.kw};
  s.strides = {g.sh, g.sw};
  s.dilations = {g.dh, g.dw};
  s.padL = {g.padT, g.padL};
  const int64_t padB = std::max<int64_t>(0, (g.oh - 1) * g.sh + (g.kh - 1) * g.dh + 1 - g.h - g.padT);
  const int64_t padR = std::max<int64_t>(0, (g.ow - 1) * g.sw + (g.kw - 1) * g.dw + 1 - g.w - g.padL);
  s.padR = {padB, padR};
  return s;
}

class ConvIntegerKernel final : public Kernel {
public:
  explicit ConvIntegerKernel(const CreateContext& ctx) : m_node(ctx.node), m_cache(ctx.weights) {
    const auto* w = constAt(ctx, 1);
    const bool zeroKnown = typeAt(ctx.inputTypes, 3) == ir::DataType::Undefined || constAt(ctx, 3);
    if (w && zeroKnown) {
      const auto* z = constAt(ctx, 3);
      m_fastWeights = int8Weights(*w, z ? z->toVector<int32_t>() : std::vector<int32_t>{0});
    }
  }

  Expected<std::size_t> reshape(const ReshapeContext& ctx) override {
    GS_ASSIGN_OR_RETURN(m_geom, quant::convGeom(m_node, ctx.inputDims[0], ctx.inputDims[1]));
    m_fast = false;
    if (!m_fastWeights.empty() && ctx.inputDims[0].size() == 4) {
      auto spec = convSpec(m_geom);
      spec.srcUser = spec.srcQuant = ctx.inputTypes[0];
      spec.weights = m_fastWeights.data();
      spec.dstUser = ir::DataType::Int32;
      spec.cache = m_cache;
      spec.cacheTag = "convinteger";
      auto ws = m_prim.build(m_node, spec);
      if (ws) {
        m_fast = true;
        return *ws;
      }
    }
    return std::size_t{0};
  }

  Status run(std::span<const TensorRef> inputs, std::span<TensorRef> outputs, RunContext& ctx) override {
    const TensorRef* xz = inputs.size() > 2 && inputs[2].present() ? &inputs[2] : nullptr;
    if (xz && xz->numel() != 1)
      return std::unexpected(kernelError(m_node, "x_zero_point must be a scalar", codes::kInvalid));
    const int32_t xZero = xz ? static_cast<int32_t>(quant::readInt(xz->data, xz->dtype, 0)) : 0;
    if (m_fast) return m_prim.run(m_node, inputs[0].data, xZero, outputs[0].data, ctx.workspace, ctx.workspaceBytes);
    const TensorRef* wz = inputs.size() > 3 && inputs[3].present() ? &inputs[3] : nullptr;
    const auto wZero = quant::zeroPoints(wz);
    if (wZero.size() != 1 && static_cast<int64_t>(wZero.size()) != m_geom.m)
      return std::unexpected(
          kernelError(m_node, "w_zero_point must be a scalar or have one value per output channel", codes::kInvalid));
    quant::convInt32(m_geom, inputs[0].data, inputs[0].dtype, xZero, inputs[1].data, inputs[1].dtype, wZero,
                     outputs[0].as<int32_t>());
    return ok();
  }

private:
  ir::Node m_node;
  WeightCache* m_cache = nullptr;
  std::vector<int8_t> m_fastWeights;
  ConvGeom m_geom;
  Int8Primitive m_prim;
  bool m_fast = false;
};

// QLinearConv(x, x_scale, x_zp, w, w_scale, w_zp, y_scale, y_zp, B?): the exact integer loop, then
// y = saturate(rint(acc * x_scale * w_scale / y_scale) + y_zp) as ONNX's reference computes it.
class QLinearConvKernel final : public Kernel {
public:
  explicit QLinearConvKernel(const CreateContext& ctx) : m_node(ctx.node) {}

  Expected<std::size_t> reshape(const ReshapeContext& ctx) override {
    if (ctx.inputDims.size() < 8 || ctx.inputTypes[7] == ir::DataType::Undefined)
      return std::unexpected(
          kernelError(m_node, "needs 8 inputs (x, scales and zero points, w, y's)", codes::kInvalid));
    GS_ASSIGN_OR_RETURN(m_geom, quant::convGeom(m_node, ctx.inputDims[0], ctx.inputDims[3]));
    GS_ASSIGN_OR_RETURN(m_range, quant::rangeOf(ctx.inputTypes[7]));
    return static_cast<std::size_t>(m_geom.n * m_geom.m * m_geom.oh * m_geom.ow) * sizeof(int32_t);
  }

  Status run(std::span<const TensorRef> in, std::span<TensorRef> outputs, RunContext& ctx) override {
    if (in[1].numel() != 1 || in[2].numel() != 1 || in[6].numel() != 1 || in[7].numel() != 1)
      return std::unexpected(kernelError(m_node, "x and y scales and zero points must be scalars", codes::kInvalid));
    const auto wScale = quant::scales(in[4]);
    const auto wZero = quant::zeroPoints(&in[5]);
    const auto m = static_cast<std::size_t>(m_geom.m);
    if ((wScale.size() != 1 && wScale.size() != m) || (wZero.size() != 1 && wZero.size() != m))
      return std::unexpected(kernelError(
          m_node, "w_scale and w_zero_point must be scalars or have one value per output channel", codes::kInvalid));
    const float xScale = *in[1].as<const float>(), yScale = *in[6].as<const float>();
    const auto xZero = static_cast<int32_t>(quant::readInt(in[2].data, in[2].dtype, 0));
    const auto yZero = quant::readInt(in[7].data, in[7].dtype, 0);
    auto* acc = static_cast<int32_t*>(ctx.workspace);
    quant::convInt32(m_geom, in[0].data, in[0].dtype, xZero, in[3].data, in[3].dtype, wZero, acc);
    const int32_t* bias = in.size() > 8 && in[8].present() ? in[8].as<const int32_t>() : nullptr;
    const int64_t plane = m_geom.oh * m_geom.ow;
    void* y = outputs[0].data;
    const auto yType = outputs[0].dtype;
    for (int64_t n = 0; n < m_geom.n; ++n)
      for (int64_t oc = 0; oc < m_geom.m; ++oc) {
        const float ws = wScale[wScale.size() == 1 ? 0 : static_cast<std::size_t>(oc)];
        const double mult = static_cast<double>(xScale * ws / yScale);
        const int64_t b = bias ? bias[oc] : 0;
        const int64_t base = (n * m_geom.m + oc) * plane;
        for (int64_t i = 0; i < plane; ++i)
          quant::writeInt(y, yType, base + i, quant::requantize(acc[base + i] + b, mult, yZero, m_range));
      }
    return ok();
  }

private:
  ir::Node m_node;
  ConvGeom m_geom;
  quant::IntRange m_range;
};

// QuantConv (ai.gearstudio): float X quantized at the boundary, int8 weights, float Y. Every parameter
// is a constant (the fuse-qdq pass makes it so).
class QuantConvKernel final : public Kernel {
public:
  explicit QuantConvKernel(const CreateContext& ctx) : m_node(ctx.node), m_cache(ctx.weights) {}

  Status init(const CreateContext& ctx) {
    GS_ASSIGN_OR_RETURN(m_activation, readActivation(m_node));
    const auto* w = constAt(ctx, 1);
    const auto* xs = constAt(ctx, 3);
    const auto* ws = constAt(ctx, 5);
    if (!w || !xs || !ws || w->dtype != ir::DataType::Int8)
      return std::unexpected(kernelError(m_node, "needs constant int8 W, x_scale and w_scale", codes::kUnsupported));
    for (std::size_t i : {2, 4, 6, 7, 8})
      if (i < m_node.inputs.size() && m_node.inputs[i] != ir::kNone && !constAt(ctx, i))
        return std::unexpected(
            kernelError(m_node, "input " + std::to_string(i) + " must be constant", codes::kUnsupported));
    if (const auto* wz = constAt(ctx, 6))
      for (auto z : wz->toVector<int32_t>())
        if (z != 0) return std::unexpected(kernelError(m_node, "w_zero_point must be 0", codes::kUnsupported));
    const auto wv = w->as<int8_t>();
    m_weights.assign(wv.begin(), wv.end());
    m_xScale = xs->toVector<float>().at(0);
    m_wScale = ws->toVector<float>();
    if (const auto* xz = constAt(ctx, 4)) {
      m_xType = xz->dtype;
      m_xZero = xz->toVector<int32_t>().at(0);
    }
    if (const auto* b = constAt(ctx, 2)) m_bias = b->toVector<float>();
    if (const auto* ys = constAt(ctx, 7)) {
      m_yQuantized = true;
      m_yScale = ys->toVector<float>().at(0);
      if (const auto* yz = constAt(ctx, 8)) {
        m_yType = yz->dtype;
        m_yZero = yz->toVector<int32_t>().at(0);
      }
    }
    if (!isInt8(m_xType) || !isInt8(m_yType))
      return std::unexpected(kernelError(m_node, "zero points must be int8 or uint8", codes::kUnsupported));
    return ok();
  }

  Expected<std::size_t> reshape(const ReshapeContext& ctx) override {
    if (ctx.inputDims[0].size() != 4) return std::unexpected(kernelError(m_node, "X must be 4-D", codes::kUnsupported));
    // A channels-last node (layout-nhwc) gets NHWC dims; the geometry is NCHW.
    const bool channelsLast = ir::isChannelsLast(m_node);
    const auto x = channelsLast ? ir::nhwcToNchw(ctx.inputDims[0]) : ctx.inputDims[0];
    GS_ASSIGN_OR_RETURN(const auto g, quant::convGeom(m_node, x, ctx.inputDims[1]));
    const auto m = static_cast<std::size_t>(g.m);
    if (m_wScale.size() != 1 && m_wScale.size() != m)
      return std::unexpected(
          kernelError(m_node, "w_scale must be a scalar or have one value per output channel", codes::kInvalid));
    if (!m_bias.empty() && m_bias.size() != m)
      return std::unexpected(kernelError(m_node, "B must have one value per output channel", codes::kInvalid));
    auto spec = convSpec(g);
    spec.srcUser = ir::DataType::Float32;
    spec.srcQuant = m_xType;
    spec.srcScale = m_xScale;
    spec.srcZero = m_xZero;
    spec.weights = m_weights.data();
    spec.activation = m_activation;
    // Output scales take the accumulators to real values (and on to y's scale when nothing else runs
    // in between); the bias is added in accumulator units before them.
    const bool folded = m_yQuantized && !m_activation.any();
    spec.outScales.resize(m);
    for (std::size_t oc = 0; oc < m; ++oc) {
      const float real = m_xScale * m_wScale[m_wScale.size() == 1 ? 0 : oc];
      spec.outScales[oc] = folded ? real / m_yScale : real;
      if (!m_bias.empty()) spec.bias.push_back(m_bias[oc] / real);
    }
    spec.dstQuantized = m_yQuantized;
    spec.dstQuant = m_yType;
    spec.dstScale = m_yScale;
    spec.dstZero = m_yZero;
    spec.channelsLast = channelsLast;
    spec.cache = m_cache;
    spec.cacheTag = "quantconv";
    return m_prim.build(m_node, spec);
  }

  Status run(std::span<const TensorRef> inputs, std::span<TensorRef> outputs, RunContext& ctx) override {
    return m_prim.run(m_node, inputs[0].data, 0, outputs[0].data, ctx.workspace, ctx.workspaceBytes);
  }

private:
  ir::Node m_node;
  WeightCache* m_cache = nullptr;
  Activation m_activation;
  std::vector<int8_t> m_weights;
  std::vector<float> m_wScale, m_bias;
  float m_xScale = 1.0f, m_yScale = 1.0f;
  int32_t m_xZero = 0, m_yZero = 0;
  ir::DataType m_xType = ir::DataType::UInt8, m_yType = ir::DataType::UInt8;
  bool m_yQuantized = false;
  Int8Primitive m_prim;
};

} // namespace

Expected<std::unique_ptr<Kernel>> createConvInteger(const CreateContext& ctx) {
  return std::unique_ptr<Kernel>(std::make_unique<ConvIntegerKernel>(ctx));
}

Expected<std::unique_ptr<Kernel>> createQLinearConv(const CreateContext& ctx) {
  return std::unique_ptr<Kernel>(std::make_unique<QLinearConvKernel>(ctx));
}

Expected<std::unique_ptr<Kernel>> createQuantConv(const CreateContext& ctx) {
  auto k = std::make_unique<QuantConvKernel>(ctx);
  GS_RETURN_IF_ERROR(k->init(ctx));
  return std::unique_ptr<Kernel>(std::move(k));
}

bool supportsConvInteger(const ir::Node&, std::span<const ir::DataType> t) {
  const auto xz = typeAt(t, 2), wz = typeAt(t, 3);
  return isInt8(typeAt(t, 0)) && isInt8(typeAt(t, 1)) && (xz == ir::DataType::Undefined || xz == typeAt(t, 0)) &&
         (wz == ir::DataType::Undefined || wz == typeAt(t, 1));
}

// The types of the inputs given (a missing required input is the shape function's error).
bool supportsQLinearConv(const ir::Node&, std::span<const ir::DataType> t) {
  auto given = [&](std::size_t i, auto pred) { return i >= t.size() || pred(t[i]); };
  const auto isF32 = [](ir::DataType d) { return d == ir::DataType::Float32; };
  return isInt8(typeAt(t, 0)) && given(3, isInt8) && given(7, isInt8) && given(1, isF32) && given(4, isF32) &&
         given(6, isF32) &&
         given(8, [](ir::DataType d) { return d == ir::DataType::Undefined || d == ir::DataType::Int32; });
}

bool supportsQuantConv(const ir::Node&, std::span<const ir::DataType> t) {
  return typeAt(t, 0) == ir::DataType::Float32 && (t.size() < 2 || t[1] == ir::DataType::Int8);
}

} // namespace gs::runtime::cpu::nn
