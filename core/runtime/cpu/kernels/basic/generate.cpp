// Kernels that make tensors from small inputs: ConstantOfShape (dims from an int64 input, value
// attribute of any fixed-size type), Range (float32/float64/int16/int32/int64), EyeLike, OneHot
// (int32/int64/float32 indices, any fixed-size values) and Trilu (any fixed-size type). Shape-like
// inputs are read in run(); their outputs are checked against, or allocated from, the values.
#include <cmath>
#include <cstring>

#include "core/runtime/cpu/kernels/basic/common.h"
#include "core/runtime/cpu/kernels/basic/dispatch.h"
#include "core/runtime/cpu/kernels/basic/kernels.h"
#include "core/runtime/cpu/kernels/basic/parallel.h"

namespace gs::runtime::cpu::basic {
namespace {

// Fills n elements of size elem at dst with the bytes of one element at value.
void fillPattern(void* dst, int64_t n, const void* value, std::size_t elem) {
  visitBySize(elem, [&](auto tag) {
    using T = decltype(tag);
    T v;
    std::memcpy(&v, value, sizeof(T));
    T* d = static_cast<T*>(dst);
    parallelFor(n, kGrainCopy, [&](int64_t b, int64_t e) { std::fill(d + b, d + e, v); });
  });
}

class ConstantOfShapeKernel final : public BasicKernel {
public:
  ConstantOfShapeKernel(const CreateContext& c, ir::DataType t, uint64_t bits)
      : BasicKernel(c), m_type(t), m_bits(bits) {}

  Status run(std::span<const TensorRef> inputs, std::span<TensorRef> outputs, RunContext& ctx) override {
    if (!hasInput(inputs, 0)) return fail("missing shape input");
    GS_RETURN_IF_ERROR(readInts(inputs[0], m_dims));
    for (auto d : m_dims)
      if (d < 0) return fail("negative dim in shape " + dimsString(m_dims));
    GS_RETURN_IF_ERROR(prepareOutput(outputs, 0, m_dims, ctx));
    fillPattern(outputs[0].data, productOf(m_dims), &m_bits, ir::dtypeSize(m_type));
    return ok();
  }

private:
  ir::DataType m_type;
  uint64_t m_bits;
  std::vector<int64_t> m_dims;
};

class RangeKernel final : public BasicKernel {
public:
  RangeKernel(const CreateContext& c, ir::DataType t) : BasicKernel(c), m_type(t) {}

  Status run(std::span<const TensorRef> inputs, std::span<TensorRef> outputs, RunContext& ctx) override {
    if (!hasInput(inputs, 2)) return fail("expects start, limit and delta");
    for (std::size_t i = 0; i < 3; ++i)
      if (inputs[i].numel() != 1 || inputs[i].dtype != m_type)
        return fail("start, limit, delta must be scalars of one type");
    Status st = ok();
    visitType<float, double, int16_t, int32_t, int64_t>(m_type, [&](auto tag) {
      using T = decltype(tag);
      const T start = inputs[0].as<const T>()[0];
      const T limit = inputs[1].as<const T>()[0];
      const T delta = inputs[2].as<const T>()[0];
      if (delta == 0) {
        st = fail("delta must not be 0");
        return;
      }
      int64_t n = 0;
      if constexpr (std::is_floating_point_v<T>)
        n = static_cast<int64_t>(std::max(std::ceil(static_cast<double>(limit - start) / delta), 0.0));
      else {
        const int64_t span = static_cast<int64_t>(limit) - start;
        n = std::max<int64_t>((span + delta - (delta > 0 ? 1 : -1)) / delta, 0);
      }
      st = prepareOutput(outputs, 0, std::span<const int64_t>(&n, 1), ctx);
      if (!st) return;
      T* out = outputs[0].as<T>();
      for (int64_t i = 0; i < n; ++i)
        out[i] = static_cast<T>(start + static_cast<T>(i) * delta);
    });
    return st;
  }

private:
  ir::DataType m_type;
};

class EyeLikeKernel final : public BasicKernel {
public:
  EyeLikeKernel(const CreateContext& c, ir::DataType t) : BasicKernel(c), m_type(t), m_k(c.node.attrs.getInt("k", 0)) {}

  Status run(std::span<const TensorRef> inputs, std::span<TensorRef> outputs, RunContext& ctx) override {
    if (!hasInput(inputs, 0) || inputs[0].dims.size() != 2) return fail("expects a 2-D input");
    const auto& dims = inputs[0].dims;
    GS_RETURN_IF_ERROR(prepareOutput(outputs, 0, dims, ctx));
    TensorRef& y = outputs[0];
    std::memset(y.data, 0, y.byteSize());
    visitType<float, double, int8_t, int16_t, int32_t, int64_t, uint8_t, uint16_t, uint32_t, uint64_t, bool>(
        m_type, [&](auto tag) {
          using T = decltype(tag);
          T* out = y.as<T>();
          for (int64_t i = 0; i < dims[0]; ++i) {
            const int64_t j = i + m_k;
            if (j >= 0 && j < dims[1]) out[i * dims[1] + j] = T{1};
          }
        });
    return ok();
  }

private:
  ir::DataType m_type;
  int64_t m_k;
};

class OneHotKernel final : public BasicKernel {
public:
  OneHotKernel(const CreateContext& c) : BasicKernel(c), m_axis(c.node.attrs.getInt("axis", -1)) {}

  Status run(std::span<const TensorRef> inputs, std::span<TensorRef> outputs, RunContext& ctx) override {
    if (!hasInput(inputs, 2)) return fail("expects indices, depth and values");
    const TensorRef& idx = inputs[0];
    GS_ASSIGN_OR_RETURN(const double depthValue, readScalar(inputs[1]));
    const auto depth = static_cast<int64_t>(depthValue);
    if (depth < 0) return fail("negative depth");
    const TensorRef& values = inputs[2];
    if (values.numel() != 2) return fail("values must hold [off, on]");
    const auto outRank = static_cast<int64_t>(idx.dims.size()) + 1;
    GS_ASSIGN_OR_RETURN(const int64_t axis, normAxis(m_axis, outRank));
    m_outDims = idx.dims;
    m_outDims.insert(m_outDims.begin() + axis, depth);
    GS_RETURN_IF_ERROR(prepareOutput(outputs, 0, m_outDims, ctx));
    const std::size_t elem = ir::dtypeSize(values.dtype);
    const auto* vb = static_cast<const std::byte*>(values.data);
    const int64_t outer = productOf(idx.dims, 0, static_cast<std::size_t>(axis));
    const int64_t inner = productOf(idx.dims, static_cast<std::size_t>(axis), idx.dims.size());
    fillPattern(outputs[0].data, productOf(m_outDims), vb, elem);
    auto* out = static_cast<std::byte*>(outputs[0].data);
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i = 0; i < inner; ++i) {
        auto v = static_cast<int64_t>(elementAsDouble(idx.dtype, idx.data, o * inner + i));
        if (v < 0) v += depth;
        if (v < 0 || v >= depth) continue; // out of range: all off
        std::memcpy(out + static_cast<std::size_t>((o * depth + v) * inner + i) * elem, vb + elem, elem);
      }
    return ok();
  }

private:
  int64_t m_axis;
  std::vector<int64_t> m_outDims;
};

class TriluKernel final : public BasicKernel {
public:
  TriluKernel(const CreateContext& c) : BasicKernel(c), m_upper(c.node.attrs.getInt("upper", 1) != 0) {}

  Status run(std::span<const TensorRef> inputs, std::span<TensorRef> outputs, RunContext& ctx) override {
    if (!hasInput(inputs, 0) || inputs[0].dims.size() < 2) return fail("expects a tensor of rank >= 2");
    const TensorRef& x = inputs[0];
    int64_t k = 0;
    if (hasInput(inputs, 1)) {
      GS_ASSIGN_OR_RETURN(const double kv, readScalar(inputs[1]));
      k = static_cast<int64_t>(kv);
    }
    GS_RETURN_IF_ERROR(prepareOutput(outputs, 0, x.dims, ctx));
    const int64_t rows = x.dims[x.dims.size() - 2];
    const int64_t cols = x.dims.back();
    const int64_t mats = productOf(x.dims, 0, x.dims.size() - 2);
    visitBySize(ir::dtypeSize(x.dtype), [&](auto tag) {
      using T = decltype(tag);
      const T* in = x.as<const T>();
      T* out = outputs[0].as<T>();
      parallelFor(mats * rows, std::max<int64_t>(1, kGrainCopy / std::max<int64_t>(cols, 1)),
                  [&](int64_t r0, int64_t r1) {
                    for (int64_t r = r0; r < r1; ++r) {
                      const int64_t i = r % rows;
                      for (int64_t j = 0; j < cols; ++j) {
                        const bool keep = m_upper ? j - i >= k : j - i <= k;
                        out[r * cols + j] = keep ? in[r * cols + j] : T{0};
                      }
                    }
                  });
    });
    return ok();
  }

private:
  bool m_upper;
};

} // namespace

Expected<std::unique_ptr<Kernel>> createGenerate(const CreateContext& c) {
  if (!supportsGenerate(c.node, c.inputTypes)) return unsupported(c, "unsupported input types");
  const auto& op = c.node.opType;
  if (op == "ConstantOfShape") {
    const ir::Tensor* v = c.node.attrs.getTensor("value");
    uint64_t bits = 0;
    ir::DataType t = ir::DataType::Float32;
    if (v) {
      if (v->numel() != 1 || !ir::isFixedSize(v->dtype)) return invalid(c, "value must be one fixed-size element");
      t = v->dtype;
      std::memcpy(&bits, v->data(), ir::dtypeSize(t));
    }
    return std::make_unique<ConstantOfShapeKernel>(c, t, bits);
  }
  if (op == "Range") return std::make_unique<RangeKernel>(c, inputType(c, 0));
  if (op == "EyeLike") {
    auto t = inputType(c, 0);
    if (c.node.attrs.has("dtype")) {
      const auto d = ir::dtypeFromOnnx(static_cast<int32_t>(c.node.attrs.getInt("dtype", 1)));
      if (!d) return invalid(c, "unknown dtype");
      t = *d;
    }
    if (!c.outputTypes.empty() && c.outputTypes[0] != ir::DataType::Undefined) t = c.outputTypes[0];
    if (!ir::isFixedSize(t) || ir::isFloat(t) != (t == ir::DataType::Float32 || t == ir::DataType::Float64))
      return unsupported(c, "no kernel for output type " + std::string(ir::dtypeName(t)));
    return std::make_unique<EyeLikeKernel>(c, t);
  }
  if (op == "OneHot") return std::make_unique<OneHotKernel>(c);
  return unsupported(c, "not a generator op");
}

bool supportsGenerate(const ir::Node& node, std::span<const ir::DataType> types) {
  const auto& op = node.opType;
  auto t = [&](std::size_t i) { return i < types.size() ? types[i] : ir::DataType::Undefined; };
  if (op == "ConstantOfShape") return t(0) == ir::DataType::Int64 || t(0) == ir::DataType::Int32;
  if (op == "Range")
    return t(0) == ir::DataType::Float32 || t(0) == ir::DataType::Float64 || t(0) == ir::DataType::Int16 ||
           t(0) == ir::DataType::Int32 || t(0) == ir::DataType::Int64;
  if (op == "EyeLike") return ir::isFixedSize(t(0));
  if (op == "OneHot")
    return (ir::isInteger(t(0)) || t(0) == ir::DataType::Float32 || t(0) == ir::DataType::Float64) &&
           (ir::isInteger(t(1)) || t(1) == ir::DataType::Float32 || t(1) == ir::DataType::Float64) &&
           ir::isFixedSize(t(2));
  return false;
}

Expected<std::unique_ptr<Kernel>> createTrilu(const CreateContext& c) {
  if (!supportsTrilu(c.node, c.inputTypes))
    return unsupported(c, "no kernel for input type " + std::string(ir::dtypeName(inputType(c, 0))));
  return std::make_unique<TriluKernel>(c);
}

bool supportsTrilu(const ir::Node&, std::span<const ir::DataType> types) {
  return !types.empty() && ir::isFixedSize(types[0]);
}

} // namespace gs::runtime::cpu::basic
