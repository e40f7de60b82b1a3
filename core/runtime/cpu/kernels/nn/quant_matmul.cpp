// Integer matrix products (see quant_matmul.h).
#include "core/runtime/cpu/kernels/nn/quant_matmul.h"

#include <algorithm>

#include "core/runtime/cpu/kernels/nn/quant_common.h"
#include "core/runtime/cpu/kernels/nn/quant_primitive.h"

namespace gs::runtime::cpu::nn {

namespace {

using quant::MatMulGeom;

ir::DataType typeAt(std::span<const ir::DataType> t, std::size_t i) {
  return i < t.size() ? t[i] : ir::DataType::Undefined;
}
bool isInt8(ir::DataType t) { return t == ir::DataType::Int8 || t == ir::DataType::UInt8; }
const ir::Tensor* constAt(const CreateContext& ctx, std::size_t i) {
  return i < ctx.constInputs.size() && i < ctx.node.inputs.size() && ctx.node.inputs[i] != ir::kNone
             ? ctx.constInputs[i]
             : nullptr;
}

// Constant 2-D B [K, N] minus its per-column zero points, when every difference fits int8; else empty.
std::vector<int8_t> int8Columns(const ir::Tensor& b, const std::vector<int32_t>& zero) {
  if (b.dims.size() != 2) return {};
  const auto values = b.toVector<int32_t>();
  const int64_t n = b.dims[1];
  std::vector<int8_t> out(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    const auto col = static_cast<std::size_t>(static_cast<int64_t>(i) % n);
    const int32_t v = values[i] - zero[zero.size() == 1 ? 0 : col];
    if (v < -128 || v > 127) return {};
    out[i] = static_cast<int8_t>(v);
  }
  return out;
}

// The oneDNN matmul spec of A [.., M, K] x B [K, N] (B broadcast over A's batch dims).
Int8Primitive::Spec matmulSpec(std::span<const int64_t> a, int64_t n) {
  Int8Primitive::Spec s;
  s.conv = false;
  s.srcDims.assign(a.begin(), a.end());
  s.dstDims = s.srcDims;
  s.dstDims.back() = n;
  s.weightDims.assign(a.size(), 1);
  s.weightDims[a.size() - 2] = a.back();
  s.weightDims.back() = n;
  return s;
}

class MatMulIntegerKernel final : public Kernel {
public:
  explicit MatMulIntegerKernel(const CreateContext& ctx) : m_node(ctx.node), m_cache(ctx.weights) {
    const auto* b = constAt(ctx, 1);
    const bool zeroKnown = typeAt(ctx.inputTypes, 3) == ir::DataType::Undefined || constAt(ctx, 3);
    if (b && zeroKnown) {
      const auto* z = constAt(ctx, 3);
      m_fastB = int8Columns(*b, z ? z->toVector<int32_t>() : std::vector<int32_t>{0});
    }
  }

  Expected<std::size_t> reshape(const ReshapeContext& ctx) override {
    GS_ASSIGN_OR_RETURN(m_geom, matmulGeomOf(ctx));
    m_fast = false;
    const auto& a = ctx.inputDims[0];
    const bool scalarZero = ctx.inputDims.size() < 3 || ctx.inputTypes[2] == ir::DataType::Undefined ||
                            product(ctx.inputDims[2], 0, ctx.inputDims[2].size()) == 1;
    if (!m_fastB.empty() && a.size() >= 2 && scalarZero) {
      auto spec = matmulSpec(a, m_geom.n);
      spec.srcUser = spec.srcQuant = ctx.inputTypes[0];
      spec.weights = m_fastB.data();
      spec.dstUser = ir::DataType::Int32;
      spec.cache = m_cache;
      spec.cacheTag = "matmulinteger";
      if (auto ws = m_prim.build(m_node, spec)) {
        m_fast = true;
        return *ws;
      }
    }
    return std::size_t{0};
  }

  Status run(std::span<const TensorRef> in, std::span<TensorRef> outputs, RunContext& ctx) override {
    const TensorRef* az = in.size() > 2 && in[2].present() ? &in[2] : nullptr;
    const TensorRef* bz = in.size() > 3 && in[3].present() ? &in[3] : nullptr;
    const auto aZero = quant::zeroPoints(az), bZero = quant::zeroPoints(bz);
    if (m_fast) return m_prim.run(m_node, in[0].data, aZero[0], outputs[0].data, ctx.workspace, ctx.workspaceBytes);
    if ((aZero.size() != 1 && static_cast<int64_t>(aZero.size()) != m_geom.m) ||
        (bZero.size() != 1 && static_cast<int64_t>(bZero.size()) != m_geom.n))
      return std::unexpected(
          kernelError(m_node, "a_zero_point / b_zero_point must be scalars or one value per row of A / column of B",
                      codes::kInvalid));
    quant::matmulInt32(m_geom, in[0].data, in[0].dtype, aZero, in[1].data, in[1].dtype, bZero,
                       outputs[0].as<int32_t>());
    return ok();
  }

private:
  Expected<MatMulGeom> matmulGeomOf(const ReshapeContext& ctx) {
    return quant::matmulGeom(m_node, ctx.inputDims[0], ctx.inputDims[1]);
  }

  ir::Node m_node;
  WeightCache* m_cache = nullptr;
  std::vector<int8_t> m_fastB;
  MatMulGeom m_geom;
  Int8Primitive m_prim;
  bool m_fast = false;
};

// QLinearMatMul(a, a_scale, a_zp, b, b_scale, b_zp, y_scale, y_zp): the exact integer loop, then
// y = saturate(rint(acc * a_scale * b_scale / y_scale) + y_zp).
class QLinearMatMulKernel final : public Kernel {
public:
  explicit QLinearMatMulKernel(const CreateContext& ctx) : m_node(ctx.node) {}

  Expected<std::size_t> reshape(const ReshapeContext& ctx) override {
    if (ctx.inputDims.size() < 8 || ctx.inputTypes[7] == ir::DataType::Undefined)
      return std::unexpected(
          kernelError(m_node, "needs 8 inputs (a, b, their scales and zero points, y's)", codes::kInvalid));
    GS_ASSIGN_OR_RETURN(m_geom, quant::matmulGeom(m_node, ctx.inputDims[0], ctx.inputDims[3]));
    GS_ASSIGN_OR_RETURN(m_range, quant::rangeOf(ctx.inputTypes[7]));
    return static_cast<std::size_t>(m_geom.batches * m_geom.m * m_geom.n) * sizeof(int32_t);
  }

  Status run(std::span<const TensorRef> in, std::span<TensorRef> outputs, RunContext& ctx) override {
    const auto aScale = quant::scales(in[1]), bScale = quant::scales(in[4]);
    const auto aZero = quant::zeroPoints(&in[2]), bZero = quant::zeroPoints(&in[5]);
    if (in[6].numel() != 1 || in[7].numel() != 1)
      return std::unexpected(kernelError(m_node, "y_scale and y_zero_point must be scalars", codes::kInvalid));
    const auto rows = static_cast<std::size_t>(m_geom.m), cols = static_cast<std::size_t>(m_geom.n);
    if ((aScale.size() != 1 && aScale.size() != rows) || (aZero.size() != 1 && aZero.size() != rows) ||
        (bScale.size() != 1 && bScale.size() != cols) || (bZero.size() != 1 && bZero.size() != cols))
      return std::unexpected(kernelError(
          m_node, "scales / zero points must be scalars or one value per row of a / column of b", codes::kInvalid));
    const float yScale = *in[6].as<const float>();
    const auto yZero = quant::readInt(in[7].data, in[7].dtype, 0);
    auto* acc = static_cast<int32_t*>(ctx.workspace);
    quant::matmulInt32(m_geom, in[0].data, in[0].dtype, aZero, in[3].data, in[3].dtype, bZero, acc);
    void* y = outputs[0].data;
    const auto yType = outputs[0].dtype;
    for (int64_t bt = 0; bt < m_geom.batches; ++bt)
      for (int64_t i = 0; i < m_geom.m; ++i) {
        const float as = aScale[aScale.size() == 1 ? 0 : static_cast<std::size_t>(i)];
        for (int64_t j = 0; j < m_geom.n; ++j) {
          const float bs = bScale[bScale.size() == 1 ? 0 : static_cast<std::size_t>(j)];
          const auto e = (bt * m_geom.m + i) * m_geom.n + j;
          const double mult = static_cast<double>(as * bs / yScale);
          quant::writeInt(y, yType, e, quant::requantize(acc[e], mult, yZero, m_range));
        }
      }
    return ok();
  }

private:
  ir::Node m_node;
  MatMulGeom m_geom;
  quant::IntRange m_range;
};

// QuantMatMul (ai.gearstudio): float A quantized at the boundary, constant int8 B [K, N], float Y.
class QuantMatMulKernel final : public Kernel {
public:
  explicit QuantMatMulKernel(const CreateContext& ctx) : m_node(ctx.node), m_cache(ctx.weights) {}

  Status init(const CreateContext& ctx) {
    GS_ASSIGN_OR_RETURN(m_activation, readActivation(m_node));
    const auto* b = constAt(ctx, 1);
    const auto* as = constAt(ctx, 3);
    const auto* bs = constAt(ctx, 5);
    if (!b || !as || !bs || b->dtype != ir::DataType::Int8 || b->dims.size() != 2)
      return std::unexpected(
          kernelError(m_node, "needs constant 2-D int8 B, a_scale and b_scale", codes::kUnsupported));
    for (std::size_t i : {2, 4, 6, 7, 8})
      if (i < m_node.inputs.size() && m_node.inputs[i] != ir::kNone && !constAt(ctx, i))
        return std::unexpected(
            kernelError(m_node, "input " + std::to_string(i) + " must be constant", codes::kUnsupported));
    if (const auto* bz = constAt(ctx, 6))
      for (auto z : bz->toVector<int32_t>())
        if (z != 0) return std::unexpected(kernelError(m_node, "b_zero_point must be 0", codes::kUnsupported));
    const auto bv = b->as<int8_t>();
    m_b.assign(bv.begin(), bv.end());
    m_n = b->dims[1];
    m_aScale = as->toVector<float>().at(0);
    m_bScale = bs->toVector<float>();
    if (const auto* az = constAt(ctx, 4)) {
      m_aType = az->dtype;
      m_aZero = az->toVector<int32_t>().at(0);
    }
    if (const auto* bias = constAt(ctx, 2)) m_bias = bias->toVector<float>();
    if (const auto* ys = constAt(ctx, 7)) {
      m_yQuantized = true;
      m_yScale = ys->toVector<float>().at(0);
      if (const auto* yz = constAt(ctx, 8)) {
        m_yType = yz->dtype;
        m_yZero = yz->toVector<int32_t>().at(0);
      }
    }
    if (!isInt8(m_aType) || !isInt8(m_yType))
      return std::unexpected(kernelError(m_node, "zero points must be int8 or uint8", codes::kUnsupported));
    if ((m_bScale.size() != 1 && static_cast<int64_t>(m_bScale.size()) != m_n) ||
        (!m_bias.empty() && static_cast<int64_t>(m_bias.size()) != m_n))
      return std::unexpected(
          kernelError(m_node, "b_scale and bias must have one value per column of B", codes::kInvalid));
    return ok();
  }

  Expected<std::size_t> reshape(const ReshapeContext& ctx) override {
    const auto& a = ctx.inputDims[0];
    if (a.size() < 2 || a.back() != static_cast<int64_t>(m_b.size()) / m_n)
      return std::unexpected(
          kernelError(m_node, "A must have rank >= 2 and B's row count as its last dim", codes::kInvalid));
    auto spec = matmulSpec(a, m_n);
    spec.srcUser = ir::DataType::Float32;
    spec.srcQuant = m_aType;
    spec.srcScale = m_aScale;
    spec.srcZero = m_aZero;
    spec.weights = m_b.data();
    spec.activation = m_activation;
    const bool folded = m_yQuantized && !m_activation.any();
    const auto n = static_cast<std::size_t>(m_n);
    spec.outScales.resize(n);
    for (std::size_t j = 0; j < n; ++j) {
      const float real = m_aScale * m_bScale[m_bScale.size() == 1 ? 0 : j];
      spec.outScales[j] = folded ? real / m_yScale : real;
      if (!m_bias.empty()) spec.bias.push_back(m_bias[j] / real);
    }
    spec.dstQuantized = m_yQuantized;
    spec.dstQuant = m_yType;
    spec.dstScale = m_yScale;
    spec.dstZero = m_yZero;
    spec.cache = m_cache;
    spec.cacheTag = "quantmatmul";
    return m_prim.build(m_node, spec);
  }

  Status run(std::span<const TensorRef> inputs, std::span<TensorRef> outputs, RunContext& ctx) override {
    return m_prim.run(m_node, inputs[0].data, 0, outputs[0].data, ctx.workspace, ctx.workspaceBytes);
  }

private:
  ir::Node m_node;
  WeightCache* m_cache = nullptr;
  Activation m_activation;
  std::vector<int8_t> m_b;
  int64_t m_n = 0;
  std::vector<float> m_bScale, m_bias;
  float m_aScale = 1.0f, m_yScale = 1.0f;
  int32_t m_aZero = 0, m_yZero = 0;
  ir::DataType m_aType = ir::DataType::UInt8, m_yType = ir::DataType::UInt8;
  bool m_yQuantized = false;
  Int8Primitive m_prim;
};

} // namespace

Expected<std::unique_ptr<Kernel>> createMatMulInteger(const CreateContext& ctx) {
  return std::unique_ptr<Kernel>(std::make_unique<MatMulIntegerKernel>(ctx));
}

Expected<std::unique_ptr<Kernel>> createQLinearMatMul(const CreateContext& ctx) {
  return std::unique_ptr<Kernel>(std::make_unique<QLinearMatMulKernel>(ctx));
}

Expected<std::unique_ptr<Kernel>> createQuantMatMul(const CreateContext& ctx) {
  auto k = std::make_unique<QuantMatMulKernel>(ctx);
  GS_RETURN_IF_ERROR(k->init(ctx));
  return std::unique_ptr<Kernel>(std::move(k));
}

bool supportsMatMulInteger(const ir::Node&, std::span<const ir::DataType> t) {
  const auto az = typeAt(t, 2), bz = typeAt(t, 3);
  return isInt8(typeAt(t, 0)) && isInt8(typeAt(t, 1)) && (az == ir::DataType::Undefined || az == typeAt(t, 0)) &&
         (bz == ir::DataType::Undefined || bz == typeAt(t, 1));
}

// The types of the inputs given (a missing required input is the shape function's error).
bool supportsQLinearMatMul(const ir::Node&, std::span<const ir::DataType> t) {
  auto given = [&](std::size_t i, auto pred) { return i >= t.size() || pred(t[i]); };
  const auto isF32 = [](ir::DataType d) { return d == ir::DataType::Float32; };
  return isInt8(typeAt(t, 0)) && given(3, isInt8) && given(7, isInt8) && given(1, isF32) && given(4, isF32) &&
         given(6, isF32);
}

bool supportsQuantMatMul(const ir::Node&, std::span<const ir::DataType> t) {
  return typeAt(t, 0) == ir::DataType::Float32 && (t.size() < 2 || t[1] == ir::DataType::Int8);
}

} // namespace gs::runtime::cpu::nn
