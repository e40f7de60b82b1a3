// MatMul and Gemm on oneDNN matmul. 1-D operands become [1,K] / [K,1] (the bytes are the same), ranks
// are aligned with leading ones, and oneDNN broadcasts batch dims of size one.
#include "core/runtime/cpu/kernels/nn/matmul.h"

#include <algorithm>

#include "core/runtime/cpu/kernels/nn/matmul_primitive.h"

namespace gs::runtime::cpu::nn {

namespace {

class MatMulKernel final : public Kernel {
public:
  explicit MatMulKernel(const CreateContext& ctx) : m_node(ctx.node), m_cache(ctx.weights) {
    if (ctx.constInputs.size() > 1 && ctx.constInputs[1]) m_weights = *ctx.constInputs[1];
  }
  Status init() {
    GS_ASSIGN_OR_RETURN(m_activation, readActivation(m_node));
    return ok();
  }

  Expected<std::size_t> reshape(const ReshapeContext& ctx) override {
    auto a = ctx.inputDims[0], b = ctx.inputDims[1];
    if (a.empty() || b.empty()) return std::unexpected(kernelError(m_node, "MatMul operands must have rank >= 1"));
    if (a.size() == 1) a.insert(a.begin(), 1);
    if (b.size() == 1) b.push_back(1);
    const std::size_t rank = std::max(a.size(), b.size());
    if (rank > 12) return std::unexpected(kernelError(m_node, "rank above 12", codes::kUnsupported));
    a.insert(a.begin(), rank - a.size(), 1);
    b.insert(b.begin(), rank - b.size(), 1);
    if (a[rank - 1] != b[rank - 2]) return std::unexpected(kernelError(m_node, "inner dimensions differ"));
    std::vector<int64_t> y(rank);
    for (std::size_t i = 0; i + 2 < rank; ++i) {
      if (a[i] != b[i] && a[i] != 1 && b[i] != 1)
        return std::unexpected(kernelError(m_node, "batch dimensions do not broadcast"));
      y[i] = a[i] == 1 ? b[i] : a[i];
    }
    y[rank - 2] = a[rank - 2];
    y[rank - 1] = b[rank - 1];
    MatmulPrimitive::Spec spec;
    spec.src = plainDesc(a);
    spec.weights = plainDesc(b);
    spec.dst = plainDesc(y);
    spec.constWeights = m_weights.buffer ? m_weights.data() : nullptr;
    spec.activation = m_activation;
    spec.cache = m_cache;
    spec.cacheTag = "matmul";
    if (product(y, 0, y.size()) == 0) {
      m_empty = true;
      return std::size_t{0};
    }
    return m_prim.build(m_node, spec);
  }

  Status run(std::span<const TensorRef> inputs, std::span<TensorRef> outputs, RunContext& ctx) override {
    if (m_empty) return ok();
    return m_prim.run(m_node, inputs[0].as<const float>(), inputs[1].as<const float>(), nullptr, outputs[0].as<float>(),
                      ctx.workspace, ctx.workspaceBytes);
  }

private:
  ir::Node m_node;
  WeightCache* m_cache = nullptr;
  ir::Tensor m_weights;
  Activation m_activation;
  bool m_empty = false;
  MatmulPrimitive m_prim;
};

class GemmKernel final : public Kernel {
public:
  explicit GemmKernel(const CreateContext& ctx) : m_node(ctx.node), m_cache(ctx.weights) {
    if (ctx.constInputs.size() > 1 && ctx.constInputs[1]) m_weights = *ctx.constInputs[1];
    m_hasC = ctx.node.inputs.size() > 2 && ctx.node.inputs[2] != ir::kNone;
    m_alpha = ctx.node.attrs.getFloat("alpha", 1.0f);
    m_beta = ctx.node.attrs.getFloat("beta", 1.0f);
    m_transA = ctx.node.attrs.getInt("transA", 0) != 0;
    m_transB = ctx.node.attrs.getInt("transB", 0) != 0;
  }
  Status init() {
    GS_ASSIGN_OR_RETURN(m_activation, readActivation(m_node));
    return ok();
  }

  Expected<std::size_t> reshape(const ReshapeContext& ctx) override {
    const auto& a = ctx.inputDims[0];
    const auto& b = ctx.inputDims[1];
    if (a.size() != 2 || b.size() != 2) return std::unexpected(kernelError(m_node, "A and B must be 2-D"));
    const int64_t m = m_transA ? a[1] : a[0], k = m_transA ? a[0] : a[1];
    const int64_t kb = m_transB ? b[1] : b[0], n = m_transB ? b[0] : b[1];
    if (k != kb) return std::unexpected(kernelError(m_node, "inner dimensions differ"));
    m_m = m;
    m_n = n;
    const auto f32 = dnnl::memory::data_type::f32;
    MatmulPrimitive::Spec spec;
    spec.src = dnnl::memory::desc({m, k}, f32, m_transA ? dnnl::memory::dims{1, m} : dnnl::memory::dims{k, 1});
    spec.weights = dnnl::memory::desc({k, n}, f32, m_transB ? dnnl::memory::dims{1, k} : dnnl::memory::dims{n, 1});
    spec.dst = plainDesc(std::vector<int64_t>{m, n});
    spec.constWeights = m_weights.buffer ? m_weights.data() : nullptr;
    spec.alpha = m_alpha;
    spec.activation = m_activation;
    spec.cache = m_cache;
    spec.cacheTag = m_transB ? "gemm_bt" : "gemm";
    m_cMode = CMode::None;
    if (m_hasC && m_beta != 0.0f) {
      auto c = ctx.inputDims[2];
      if (c.size() > 2) return std::unexpected(kernelError(m_node, "C must have rank <= 2"));
      c.insert(c.begin(), 2 - c.size(), 1);
      if ((c[0] != 1 && c[0] != m) || (c[1] != 1 && c[1] != n))
        return std::unexpected(kernelError(m_node, "C does not broadcast to [M, N]"));
      m_cDims = c;
      if (m_alpha == 1.0f && m_beta == 1.0f && c[0] == 1 && c[1] == n) {
        m_cMode = CMode::Bias;
        spec.bias = dnnl::memory::desc({1, n}, f32, dnnl::memory::format_tag::ab);
      } else {
        // dst is pre-filled with broadcast C, then oneDNN computes alpha*A.B + beta*dst.
        m_cMode = CMode::Sum;
        spec.sum = true;
        spec.beta = m_beta;
      }
    }
    if (m == 0 || n == 0) {
      m_empty = true;
      return std::size_t{0};
    }
    if (k == 0) return std::unexpected(kernelError(m_node, "K = 0 is not supported", codes::kUnsupported));
    return m_prim.build(m_node, spec);
  }

  Status run(std::span<const TensorRef> inputs, std::span<TensorRef> outputs, RunContext& ctx) override {
    if (m_empty) return ok();
    float* y = outputs[0].as<float>();
    const float* c = m_cMode != CMode::None ? inputs[2].as<const float>() : nullptr;
    if (m_cMode == CMode::Sum) {
      const int64_t m = m_m, n = m_n, cm = m_cDims[0], cn = m_cDims[1];
#pragma omp parallel for if (m * n > 65536)
      for (int64_t i = 0; i < m; ++i) {
        const float* row = c + (cm == 1 ? 0 : i * cn);
        float* out = y + i * n;
        if (cn == 1)
          std::fill(out, out + n, row[0]);
        else
          std::copy(row, row + n, out);
      }
    }
    return m_prim.run(m_node, inputs[0].as<const float>(), inputs[1].as<const float>(),
                      m_cMode == CMode::Bias ? c : nullptr, y, ctx.workspace, ctx.workspaceBytes);
  }

private:
  enum class CMode { None, Bias, Sum };
  ir::Node m_node;
  WeightCache* m_cache = nullptr;
  ir::Tensor m_weights;
  Activation m_activation;
  bool m_hasC = false, m_transA = false, m_transB = false, m_empty = false;
  float m_alpha = 1.0f, m_beta = 1.0f;
  int64_t m_m = 0, m_n = 0;
  std::vector<int64_t> m_cDims;
  CMode m_cMode = CMode::None;
  MatmulPrimitive m_prim;
};

} // namespace

Expected<std::unique_ptr<Kernel>> createMatMul(const CreateContext& ctx) {
  auto k = std::make_unique<MatMulKernel>(ctx);
  GS_RETURN_IF_ERROR(k->init());
  return std::unique_ptr<Kernel>(std::move(k));
}

Expected<std::unique_ptr<Kernel>> createGemm(const CreateContext& ctx) {
  auto k = std::make_unique<GemmKernel>(ctx);
  GS_RETURN_IF_ERROR(k->init());
  return std::unique_ptr<Kernel>(std::move(k));
}

bool supportsMatMul(const ir::Node& node, std::span<const ir::DataType> inputTypes) {
  return allInputsFloat32(node, inputTypes);
}

} // namespace gs::runtime::cpu::nn
