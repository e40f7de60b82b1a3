// QuantizeLinear / DequantizeLinear / DynamicQuantizeLinear (see quant_linear.h). The loops follow
// ONNX's reference: y = saturate(rint(x / scale) + zero_point), x = (y - zero_point) * scale.
#include "core/runtime/cpu/kernels/nn/quant_linear.h"

#include <algorithm>

#include "core/runtime/cpu/kernels/nn/quant_common.h"

namespace gs::runtime::cpu::nn {

namespace {

using quant::IntRange;

constexpr int64_t kParallelElems = 1 << 16;

ir::DataType typeAt(std::span<const ir::DataType> t, std::size_t i) {
  return i < t.size() ? t[i] : ir::DataType::Undefined;
}

template <class Y>
void quantizeLoop(const float* x, Y* y, int64_t n, const quant::ParamLayout& p, const float* scale,
                  const TensorRef* zero, IntRange r) {
  const auto lo = static_cast<float>(r.lo), hi = static_cast<float>(r.hi);
  if (p.perTensor) {
    const float s = scale[0];
    const float z = zero ? static_cast<float>(quant::readInt(zero->data, zero->dtype, 0)) : 0.0f;
#pragma omp parallel for if (n > kParallelElems)
    for (int64_t i = 0; i < n; ++i)
      y[i] = static_cast<Y>(quant::quantizeValue(x[i], s, z, lo, hi));
    return;
  }
#pragma omp parallel for if (n > kParallelElems)
  for (int64_t i = 0; i < n; ++i) {
    const int64_t k = p.index(i);
    const float z = zero ? static_cast<float>(quant::readInt(zero->data, zero->dtype, k)) : 0.0f;
    y[i] = static_cast<Y>(quant::quantizeValue(x[i], scale[k], z, lo, hi));
  }
}

class QuantizeKernel final : public Kernel {
public:
  QuantizeKernel(const CreateContext& ctx, ir::DataType out) : m_node(ctx.node), m_out(out) {}

  Expected<std::size_t> reshape(const ReshapeContext& ctx) override {
    GS_ASSIGN_OR_RETURN(m_params, quant::paramLayout(m_node, ctx.inputDims[0], ctx.inputDims[1]));
    if (ctx.inputDims.size() > 2 && ctx.inputTypes[2] != ir::DataType::Undefined) {
      int64_t zn = 1;
      for (auto d : ctx.inputDims[2])
        zn *= d;
      if (zn != m_params.count)
        return std::unexpected(kernelError(m_node, "y_zero_point and y_scale differ in size", codes::kInvalid));
    }
    GS_ASSIGN_OR_RETURN(m_range, quant::rangeOf(m_out));
    return std::size_t{0};
  }

  Status run(std::span<const TensorRef> inputs, std::span<TensorRef> outputs, RunContext&) override {
    const auto& x = inputs[0];
    const float* scale = inputs[1].as<const float>();
    const TensorRef* zero = inputs.size() > 2 && inputs[2].present() ? &inputs[2] : nullptr;
    const int64_t n = x.numel();
    // int32 x (opset 10+) goes through float as ONNX's reference does.
    std::vector<float> converted;
    const float* xf = x.as<const float>();
    if (x.dtype == ir::DataType::Int32) {
      converted.resize(static_cast<std::size_t>(n));
      for (int64_t i = 0; i < n; ++i)
        converted[static_cast<std::size_t>(i)] = static_cast<float>(x.as<const int32_t>()[i]);
      xf = converted.data();
    }
    switch (m_out) {
    case ir::DataType::UInt8:
      quantizeLoop(xf, outputs[0].as<uint8_t>(), n, m_params, scale, zero, m_range);
      break;
    case ir::DataType::Int8:
      quantizeLoop(xf, outputs[0].as<int8_t>(), n, m_params, scale, zero, m_range);
      break;
    case ir::DataType::UInt16:
      quantizeLoop(xf, outputs[0].as<uint16_t>(), n, m_params, scale, zero, m_range);
      break;
    case ir::DataType::Int16:
      quantizeLoop(xf, outputs[0].as<int16_t>(), n, m_params, scale, zero, m_range);
      break;
    default:
      return std::unexpected(kernelError(m_node, "unsupported output type", codes::kUnsupported));
    }
    return ok();
  }

private:
  ir::Node m_node;
  ir::DataType m_out;
  quant::ParamLayout m_params;
  IntRange m_range;
};

template <class X>
void dequantizeLoop(const X* x, float* y, int64_t n, const quant::ParamLayout& p, const float* scale,
                    const TensorRef* zero) {
  if (p.perTensor) {
    const float s = scale[0];
    const int32_t z = zero ? static_cast<int32_t>(quant::readInt(zero->data, zero->dtype, 0)) : 0;
#pragma omp parallel for if (n > kParallelElems)
    for (int64_t i = 0; i < n; ++i)
      y[i] = static_cast<float>(static_cast<int32_t>(x[i]) - z) * s;
    return;
  }
#pragma omp parallel for if (n > kParallelElems)
  for (int64_t i = 0; i < n; ++i) {
    const int64_t k = p.index(i);
    const int32_t z = zero ? static_cast<int32_t>(quant::readInt(zero->data, zero->dtype, k)) : 0;
    y[i] = static_cast<float>(static_cast<int32_t>(x[i]) - z) * scale[k];
  }
}

class DequantizeKernel final : public Kernel {
public:
  explicit DequantizeKernel(const CreateContext& ctx) : m_node(ctx.node) {}

  Expected<std::size_t> reshape(const ReshapeContext& ctx) override {
    GS_ASSIGN_OR_RETURN(m_params, quant::paramLayout(m_node, ctx.inputDims[0], ctx.inputDims[1]));
    return std::size_t{0};
  }

  Status run(std::span<const TensorRef> inputs, std::span<TensorRef> outputs, RunContext&) override {
    const auto& x = inputs[0];
    const float* scale = inputs[1].as<const float>();
    const TensorRef* zero = inputs.size() > 2 && inputs[2].present() ? &inputs[2] : nullptr;
    float* y = outputs[0].as<float>();
    const int64_t n = x.numel();
    switch (x.dtype) {
    case ir::DataType::UInt8:
      dequantizeLoop(x.as<const uint8_t>(), y, n, m_params, scale, zero);
      break;
    case ir::DataType::Int8:
      dequantizeLoop(x.as<const int8_t>(), y, n, m_params, scale, zero);
      break;
    case ir::DataType::UInt16:
      dequantizeLoop(x.as<const uint16_t>(), y, n, m_params, scale, zero);
      break;
    case ir::DataType::Int16:
      dequantizeLoop(x.as<const int16_t>(), y, n, m_params, scale, zero);
      break;
    case ir::DataType::Int32:
      dequantizeLoop(x.as<const int32_t>(), y, n, m_params, scale, zero);
      break;
    default:
      return std::unexpected(kernelError(m_node, "unsupported input type", codes::kUnsupported));
    }
    return ok();
  }

private:
  ir::Node m_node;
  quant::ParamLayout m_params;
};

// y_scale = (max(0, max x) - min(0, min x)) / 255, y_zero_point = saturate(rint(-min / y_scale)).
class DynamicQuantizeKernel final : public Kernel {
public:
  explicit DynamicQuantizeKernel(const CreateContext& ctx) : m_node(ctx.node) {}

  Status run(std::span<const TensorRef> inputs, std::span<TensorRef> outputs, RunContext&) override {
    const float* x = inputs[0].as<const float>();
    const int64_t n = inputs[0].numel();
    float lo = 0.0f, hi = 0.0f;
#pragma omp parallel for reduction(min : lo) reduction(max : hi) if (n > kParallelElems)
    for (int64_t i = 0; i < n; ++i) {
      lo = std::min(lo, x[i]);
      hi = std::max(hi, x[i]);
    }
    const float scale = (hi - lo) / 255.0f;
    const float zero = scale == 0.0f ? 0.0f : std::clamp(std::nearbyint(-lo / scale), 0.0f, 255.0f);
    uint8_t* y = outputs[0].as<uint8_t>();
    if (scale == 0.0f) {
      std::fill(y, y + n, uint8_t{0});
    } else {
#pragma omp parallel for if (n > kParallelElems)
      for (int64_t i = 0; i < n; ++i)
        y[i] = static_cast<uint8_t>(quant::quantizeValue(x[i], scale, zero, 0.0f, 255.0f));
    }
    if (outputs.size() > 1 && outputs[1].present()) *outputs[1].as<float>() = scale;
    if (outputs.size() > 2 && outputs[2].present()) *outputs[2].as<uint8_t>() = static_cast<uint8_t>(zero);
    return ok();
  }

private:
  ir::Node m_node;
};

} // namespace

Expected<std::unique_ptr<Kernel>> createQuantizeLinear(const CreateContext& ctx) {
  const auto out = ctx.outputTypes.empty() ? ir::DataType::Undefined : ctx.outputTypes[0];
  if (!quant::isQuantType(out))
    return std::unexpected(kernelError(ctx.node,
                                       "QuantizeLinear to " + std::string(ir::dtypeName(out)) +
                                           " is not supported (int8, uint8, int16, uint16 are)",
                                       codes::kUnsupported));
  return std::unique_ptr<Kernel>(std::make_unique<QuantizeKernel>(ctx, out));
}

Expected<std::unique_ptr<Kernel>> createDequantizeLinear(const CreateContext& ctx) {
  return std::unique_ptr<Kernel>(std::make_unique<DequantizeKernel>(ctx));
}

Expected<std::unique_ptr<Kernel>> createDynamicQuantizeLinear(const CreateContext& ctx) {
  return std::unique_ptr<Kernel>(std::make_unique<DynamicQuantizeKernel>(ctx));
}

bool supportsQuantizeLinear(const ir::Node&, std::span<const ir::DataType> t) {
  const auto z = typeAt(t, 2);
  return typeAt(t, 1) == ir::DataType::Float32 && (z == ir::DataType::Undefined || quant::isQuantType(z));
}

bool supportsDequantizeLinear(const ir::Node&, std::span<const ir::DataType> t) {
  const auto z = typeAt(t, 2);
  return typeAt(t, 1) == ir::DataType::Float32 && (z == ir::DataType::Undefined || z == typeAt(t, 0));
}

bool supportsDynamicQuantizeLinear(const ir::Node&, std::span<const ir::DataType> t) {
  return typeAt(t, 0) == ir::DataType::Float32;
}

} // namespace gs::runtime::cpu::nn
