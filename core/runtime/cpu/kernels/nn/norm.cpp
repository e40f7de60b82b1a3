// Normalisation kernels (see norm.h): plain loops, OpenMP over the outer dims, inner loops vectorisable.
#include "core/runtime/cpu/kernels/nn/norm.h"

#include <algorithm>
#include <cmath>

#include "core/runtime/cpu/kernels/nn/nn_common.h"

namespace gs::runtime::cpu::nn {

namespace {

// y[p, i] = x[p, i] * a[p % c] + b[p % c] over planes p of `inner` elements.
void affinePlanes(const float* x, float* y, const float* a, const float* b, int64_t planes, int64_t c, int64_t inner) {
#pragma omp parallel for if (planes * inner > 16384)
  for (int64_t p = 0; p < planes; ++p) {
    const float s = a[p % c], t = b[p % c];
    const float* xp = x + p * inner;
    float* yp = y + p * inner;
#pragma omp simd
    for (int64_t i = 0; i < inner; ++i)
      yp[i] = xp[i] * s + t;
  }
}

// Mean and population variance of n values (two passes for accuracy).
void meanVar(const float* x, int64_t n, float& mean, float& var) {
  double s = 0.0;
#pragma omp simd reduction(+ : s)
  for (int64_t i = 0; i < n; ++i)
    s += x[i];
  const float m = static_cast<float>(s / static_cast<double>(n));
  double v = 0.0;
#pragma omp simd reduction(+ : v)
  for (int64_t i = 0; i < n; ++i)
    v += static_cast<double>((x[i] - m) * (x[i] - m));
  mean = m;
  var = static_cast<float>(v / static_cast<double>(n));
}

class BatchNormKernel final : public Kernel {
public:
  explicit BatchNormKernel(const CreateContext& ctx) : m_node(ctx.node) {
    m_eps = ctx.node.attrs.getFloat("epsilon", 1e-5f);
    m_constant = ctx.constInputs.size() >= 5;
    for (std::size_t i = 1; i < 5 && m_constant; ++i)
      m_constant = ctx.constInputs[i] != nullptr;
    if (m_constant)
      fold(ctx.constInputs[1]->toVector<float>(), ctx.constInputs[2]->toVector<float>(),
           ctx.constInputs[3]->toVector<float>(), ctx.constInputs[4]->toVector<float>());
  }
  Status init() {
    if (m_node.attrs.getInt("training_mode", 0) != 0)
      return std::unexpected(kernelError(m_node, "training_mode is not supported", codes::kUnsupported));
    if (m_node.attrs.getInt("spatial", 1) != 1)
      return std::unexpected(kernelError(m_node, "spatial=0 is not supported", codes::kUnsupported));
    for (std::size_t i = 1; i < m_node.outputs.size(); ++i)
      if (m_node.outputs[i] != ir::kNone)
        return std::unexpected(kernelError(m_node, "training outputs are not supported", codes::kUnsupported));
    if (m_node.inputs.size() < 5) return std::unexpected(kernelError(m_node, "needs 5 inputs", codes::kInvalid));
    return ok();
  }

  Expected<std::size_t> reshape(const ReshapeContext& ctx) override {
    const auto& x = ctx.inputDims[0];
    if (x.size() < 2) return std::unexpected(kernelError(m_node, "X must have rank >= 2"));
    m_c = x[1];
    m_planes = x[0] * x[1];
    m_inner = product(x, 2, x.size());
    for (std::size_t i = 1; i < 5; ++i)
      if (product(ctx.inputDims[i], 0, ctx.inputDims[i].size()) != m_c)
        return std::unexpected(kernelError(m_node, "scale/B/mean/var must have C elements"));
    if (!m_constant) {
      m_a.assign(static_cast<std::size_t>(m_c), 0.0f);
      m_b.assign(static_cast<std::size_t>(m_c), 0.0f);
    } else if (static_cast<int64_t>(m_a.size()) != m_c) {
      return std::unexpected(kernelError(m_node, "constant parameters do not have C elements"));
    }
    return std::size_t{0};
  }

  Status run(std::span<const TensorRef> inputs, std::span<TensorRef> outputs, RunContext&) override {
    if (!m_constant) {
      const float *s = inputs[1].as<const float>(), *b = inputs[2].as<const float>();
      const float *m = inputs[3].as<const float>(), *v = inputs[4].as<const float>();
      for (int64_t c = 0; c < m_c; ++c) {
        m_a[c] = s[c] / std::sqrt(v[c] + m_eps);
        m_b[c] = b[c] - m[c] * m_a[c];
      }
    }
    affinePlanes(inputs[0].as<const float>(), outputs[0].as<float>(), m_a.data(), m_b.data(), m_planes, m_c, m_inner);
    return ok();
  }

private:
  void fold(const std::vector<float>& s, const std::vector<float>& b, const std::vector<float>& m,
            const std::vector<float>& v) {
    const std::size_t c = s.size();
    if (b.size() != c || m.size() != c || v.size() != c) return; // reshape reports the mismatch
    m_a.resize(c);
    m_b.resize(c);
    for (std::size_t i = 0; i < c; ++i) {
      m_a[i] = s[i] / std::sqrt(v[i] + m_eps);
      m_b[i] = b[i] - m[i] * m_a[i];
    }
  }

  ir::Node m_node;
  float m_eps = 1e-5f;
  bool m_constant = false;
  std::vector<float> m_a, m_b;
  int64_t m_c = 0, m_planes = 0, m_inner = 0;
};

class InstanceNormKernel final : public Kernel {
public:
  explicit InstanceNormKernel(const CreateContext& ctx)
      : m_node(ctx.node), m_eps(ctx.node.attrs.getFloat("epsilon", 1e-5f)) {}

  Expected<std::size_t> reshape(const ReshapeContext& ctx) override {
    const auto& x = ctx.inputDims[0];
    if (x.size() < 3) return std::unexpected(kernelError(m_node, "X must have rank >= 3"));
    m_c = x[1];
    m_planes = x[0] * x[1];
    m_inner = product(x, 2, x.size());
    if (product(ctx.inputDims[1], 0, ctx.inputDims[1].size()) != m_c ||
        product(ctx.inputDims[2], 0, ctx.inputDims[2].size()) != m_c)
      return std::unexpected(kernelError(m_node, "scale and B must have C elements"));
    return std::size_t{0};
  }

  Status run(std::span<const TensorRef> inputs, std::span<TensorRef> outputs, RunContext&) override {
    const float* x = inputs[0].as<const float>();
    const float *scale = inputs[1].as<const float>(), *bias = inputs[2].as<const float>();
    float* y = outputs[0].as<float>();
    const int64_t inner = m_inner, c = m_c;
    const float eps = m_eps;
#pragma omp parallel for if (m_planes * inner > 16384)
    for (int64_t p = 0; p < m_planes; ++p) {
      float mean = 0.0f, var = 0.0f;
      meanVar(x + p * inner, inner, mean, var);
      const float a = scale[p % c] / std::sqrt(var + eps), b = bias[p % c] - mean * a;
      const float* xp = x + p * inner;
      float* yp = y + p * inner;
#pragma omp simd
      for (int64_t i = 0; i < inner; ++i)
        yp[i] = xp[i] * a + b;
    }
    return ok();
  }

private:
  ir::Node m_node;
  float m_eps;
  int64_t m_c = 0, m_planes = 0, m_inner = 0;
};

class LayerNormKernel final : public Kernel {
public:
  explicit LayerNormKernel(const CreateContext& ctx)
      : m_node(ctx.node), m_eps(ctx.node.attrs.getFloat("epsilon", 1e-5f)), m_axis(ctx.node.attrs.getInt("axis", -1)) {
    m_hasBias = ctx.node.inputs.size() > 2 && ctx.node.inputs[2] != ir::kNone;
  }

  Expected<std::size_t> reshape(const ReshapeContext& ctx) override {
    const auto& x = ctx.inputDims[0];
    GS_ASSIGN_OR_RETURN(const int64_t axis, normalizeAxis(m_node, m_axis, x.size()));
    m_outer = product(x, 0, static_cast<std::size_t>(axis));
    m_inner = product(x, static_cast<std::size_t>(axis), x.size());
    const int64_t s = product(ctx.inputDims[1], 0, ctx.inputDims[1].size());
    const int64_t b = m_hasBias ? product(ctx.inputDims[2], 0, ctx.inputDims[2].size()) : m_inner;
    if ((s != m_inner && s != 1) || (b != m_inner && b != 1))
      return std::unexpected(kernelError(m_node, "Scale/B must have the normalised shape", codes::kUnsupported));
    m_scaleStride = s == 1 ? 0 : 1;
    m_biasStride = b == 1 ? 0 : 1;
    if (m_inner == 0) return std::unexpected(kernelError(m_node, "empty normalised extent"));
    return std::size_t{0};
  }

  Status run(std::span<const TensorRef> inputs, std::span<TensorRef> outputs, RunContext&) override {
    const float* x = inputs[0].as<const float>();
    const float* scale = inputs[1].as<const float>();
    const float* bias = m_hasBias ? inputs[2].as<const float>() : nullptr;
    float* y = outputs[0].as<float>();
    float* meanOut = outputs.size() > 1 && outputs[1].present() ? outputs[1].as<float>() : nullptr;
    float* invOut = outputs.size() > 2 && outputs[2].present() ? outputs[2].as<float>() : nullptr;
    const int64_t inner = m_inner, ss = m_scaleStride, bs = m_biasStride;
    const float eps = m_eps;
#pragma omp parallel for if (m_outer * inner > 16384)
    for (int64_t r = 0; r < m_outer; ++r) {
      float mean = 0.0f, var = 0.0f;
      meanVar(x + r * inner, inner, mean, var);
      const float inv = 1.0f / std::sqrt(var + eps);
      const float* xr = x + r * inner;
      float* yr = y + r * inner;
      if (bias) {
#pragma omp simd
        for (int64_t i = 0; i < inner; ++i)
          yr[i] = (xr[i] - mean) * inv * scale[i * ss] + bias[i * bs];
      } else {
#pragma omp simd
        for (int64_t i = 0; i < inner; ++i)
          yr[i] = (xr[i] - mean) * inv * scale[i * ss];
      }
      if (meanOut) meanOut[r] = mean;
      if (invOut) invOut[r] = inv;
    }
    return ok();
  }

private:
  ir::Node m_node;
  float m_eps;
  int64_t m_axis;
  bool m_hasBias = false;
  int64_t m_outer = 0, m_inner = 0, m_scaleStride = 1, m_biasStride = 1;
};

// Shared by LpNormalization and LRN: the data viewed as [outer, n, inner] around an axis.
struct AxisView {
  int64_t outer = 1, n = 1, inner = 1;
};

class LpNormKernel final : public Kernel {
public:
  explicit LpNormKernel(const CreateContext& ctx)
      : m_node(ctx.node), m_axis(ctx.node.attrs.getInt("axis", -1)), m_p(ctx.node.attrs.getInt("p", 2)) {}
  Status init() {
    if (m_p != 1 && m_p != 2) return std::unexpected(kernelError(m_node, "p must be 1 or 2", codes::kInvalid));
    return ok();
  }

  Expected<std::size_t> reshape(const ReshapeContext& ctx) override {
    const auto& x = ctx.inputDims[0];
    GS_ASSIGN_OR_RETURN(const int64_t axis, normalizeAxis(m_node, m_axis, x.size()));
    const auto a = static_cast<std::size_t>(axis);
    m_v = {product(x, 0, a), x.empty() ? 1 : x[a], product(x, a + 1, x.size())};
    return std::size_t{0};
  }

  Status run(std::span<const TensorRef> inputs, std::span<TensorRef> outputs, RunContext&) override {
    const float* x = inputs[0].as<const float>();
    float* y = outputs[0].as<float>();
    const AxisView v = m_v;
    const bool l1 = m_p == 1;
#pragma omp parallel for collapse(2) if (v.outer * v.n * v.inner > 16384)
    for (int64_t o = 0; o < v.outer; ++o)
      for (int64_t i = 0; i < v.inner; ++i) {
        const float* xp = x + o * v.n * v.inner + i;
        float* yp = y + o * v.n * v.inner + i;
        float norm = 0.0f;
        for (int64_t j = 0; j < v.n; ++j)
          norm += l1 ? std::abs(xp[j * v.inner]) : xp[j * v.inner] * xp[j * v.inner];
        if (!l1) norm = std::sqrt(norm);
        const float inv = norm != 0.0f ? 1.0f / norm : 0.0f;
        for (int64_t j = 0; j < v.n; ++j)
          yp[j * v.inner] = xp[j * v.inner] * inv;
      }
    return ok();
  }

private:
  ir::Node m_node;
  int64_t m_axis, m_p;
  AxisView m_v;
};

class LrnKernel final : public Kernel {
public:
  explicit LrnKernel(const CreateContext& ctx)
      : m_node(ctx.node), m_alpha(ctx.node.attrs.getFloat("alpha", 1e-4f)),
        m_beta(ctx.node.attrs.getFloat("beta", 0.75f)), m_bias(ctx.node.attrs.getFloat("bias", 1.0f)),
        m_size(ctx.node.attrs.getInt("size", 0)) {}
  Status init() {
    if (m_size < 1) return std::unexpected(kernelError(m_node, "size must be >= 1", codes::kInvalid));
    return ok();
  }

  Expected<std::size_t> reshape(const ReshapeContext& ctx) override {
    const auto& x = ctx.inputDims[0];
    if (x.size() < 2) return std::unexpected(kernelError(m_node, "X must have rank >= 2"));
    m_v = {x[0], x[1], product(x, 2, x.size())};
    return std::size_t{0};
  }

  Status run(std::span<const TensorRef> inputs, std::span<TensorRef> outputs, RunContext&) override {
    const float* x = inputs[0].as<const float>();
    float* y = outputs[0].as<float>();
    const AxisView v = m_v;
    const int64_t before = (m_size - 1) / 2, after = m_size - 1 - before;
    const float scale = m_alpha / static_cast<float>(m_size), bias = m_bias, beta = m_beta;
#pragma omp parallel for collapse(2) if (v.outer * v.n * v.inner > 16384)
    for (int64_t o = 0; o < v.outer; ++o)
      for (int64_t c = 0; c < v.n; ++c) {
        const int64_t lo = std::max<int64_t>(0, c - before), hi = std::min(v.n - 1, c + after);
        const float* xo = x + o * v.n * v.inner;
        float* yc = y + (o * v.n + c) * v.inner;
        for (int64_t i = 0; i < v.inner; ++i) {
          float sq = 0.0f;
          for (int64_t k = lo; k <= hi; ++k)
            sq += xo[k * v.inner + i] * xo[k * v.inner + i];
          yc[i] = xo[c * v.inner + i] / std::pow(bias + scale * sq, beta);
        }
      }
    return ok();
  }

private:
  ir::Node m_node;
  float m_alpha, m_beta, m_bias;
  int64_t m_size;
  AxisView m_v;
};

template <class K> Expected<std::unique_ptr<Kernel>> make(const CreateContext& ctx) {
  auto k = std::make_unique<K>(ctx);
  if constexpr (requires { k->init(); }) GS_RETURN_IF_ERROR(k->init());
  return std::unique_ptr<Kernel>(std::move(k));
}

} // namespace

Expected<std::unique_ptr<Kernel>> createBatchNormalization(const CreateContext& ctx) {
  if (ctx.node.attrs.getInt("training_mode", 0) != 0) return createBatchNormTraining(ctx); // batchnorm_training.cpp
  return make<BatchNormKernel>(ctx);
}
Expected<std::unique_ptr<Kernel>> createInstanceNormalization(const CreateContext& ctx) {
  return make<InstanceNormKernel>(ctx);
}
Expected<std::unique_ptr<Kernel>> createLayerNormalization(const CreateContext& ctx) {
  return make<LayerNormKernel>(ctx);
}
Expected<std::unique_ptr<Kernel>> createLpNormalization(const CreateContext& ctx) { return make<LpNormKernel>(ctx); }
Expected<std::unique_ptr<Kernel>> createLrn(const CreateContext& ctx) { return make<LrnKernel>(ctx); }

bool supportsNorm(const ir::Node& node, std::span<const ir::DataType> inputTypes) {
  return allInputsFloat32(node, inputTypes);
}

} // namespace gs::runtime::cpu::nn
