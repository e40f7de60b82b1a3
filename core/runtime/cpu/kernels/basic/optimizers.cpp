// The optimizer ops of the ai.onnx.preview.training domain, one update step each over float32 or
// float64 tensors: Adagrad (R, T, X..., G..., H... -> X_new..., H_new...), Momentum (standard or
// nesterov; R, T, X..., G..., V... -> X_new..., V_new...) and Adam (R, T, X..., G..., V..., H... ->
// X_new..., V_new..., H_new...), with the formulas of the ONNX operator definitions.
#include <cmath>

#include "core/runtime/cpu/kernels/basic/common.h"
#include "core/runtime/cpu/kernels/basic/dispatch.h"
#include "core/runtime/cpu/kernels/basic/kernels.h"

namespace gs::runtime::cpu::basic {
namespace {

enum class Optimizer { Adagrad, Momentum, Adam };

class OptimizerKernel final : public BasicKernel {
public:
  OptimizerKernel(const CreateContext& c, Optimizer kind)
      : BasicKernel(c), m_kind(kind), m_nesterov(c.node.attrs.getString("mode", "standard") == "nesterov"),
        m_decay(c.node.attrs.getFloat("decay_factor", 0.0f)),
        m_eps(c.node.attrs.getFloat("epsilon", kind == Optimizer::Adam ? 1e-6f : 1e-6f)),
        m_norm(c.node.attrs.getFloat("norm_coefficient", 0.0f)),
        m_normPost(c.node.attrs.getFloat("norm_coefficient_post", 0.0f)), m_alpha(c.node.attrs.getFloat("alpha", 0.9f)),
        m_beta(c.node.attrs.getFloat("beta", 0.999f)) {}

  Status run(std::span<const TensorRef> inputs, std::span<TensorRef> outputs, RunContext& ctx) override {
    const std::size_t states = m_kind == Optimizer::Adam ? 4 : 3; // X, G, then V and/or H
    if (inputs.size() < 2 + states || (inputs.size() - 2) % states != 0)
      return fail("expects R, T and " + std::to_string(states) + " tensors per optimized input");
    const std::size_t k = (inputs.size() - 2) / states;
    if (outputs.size() != k * (states - 1)) return fail("expects " + std::to_string(k * (states - 1)) + " outputs");
    GS_ASSIGN_OR_RETURN(const double r, readScalar(inputs[0]));
    GS_ASSIGN_OR_RETURN(const double t, readScalar(inputs[1]));
    for (std::size_t i = 0; i < k; ++i) {
      const TensorRef& x = inputs[2 + i];
      for (std::size_t s = 1; s < states; ++s)
        if (inputs[2 + s * k + i].dims != x.dims || inputs[2 + s * k + i].dtype != x.dtype)
          return fail("the tensors of optimized input " + std::to_string(i) + " differ in shape or type");
      for (std::size_t o = 0; o + 1 < states; ++o)
        GS_RETURN_IF_ERROR(prepareOutput(outputs, o * k + i, x.dims, ctx));
      const bool done = visitType<float, double>(x.dtype, [&](auto tag) {
        using T = decltype(tag);
        const T* xs = x.as<const T>();
        const T* g = inputs[2 + k + i].as<const T>();
        const T* a = inputs[2 + 2 * k + i].as<const T>(); // H (Adagrad) or V (Momentum, Adam)
        const T* h = m_kind == Optimizer::Adam ? inputs[2 + 3 * k + i].as<const T>() : nullptr;
        T* xOut = outputs[i].as<T>();
        T* aOut = outputs[k + i].as<T>();
        T* hOut = m_kind == Optimizer::Adam ? outputs[2 * k + i].as<T>() : nullptr;
        const double alpha = m_alpha, beta = m_beta, eps = m_eps, norm = m_norm;
        for (int64_t e = 0; e < x.numel(); ++e) {
          const double xv = static_cast<double>(xs[e]);
          const double gr = norm * xv + static_cast<double>(g[e]);
          if (m_kind == Optimizer::Adagrad) {
            const double rate = r / (1 + t * static_cast<double>(m_decay));
            const double hNew = static_cast<double>(a[e]) + gr * gr;
            xOut[e] = static_cast<T>(xv - rate * gr / (std::sqrt(hNew) + eps));
            aOut[e] = static_cast<T>(hNew);
          } else if (m_kind == Optimizer::Momentum) {
            const double vNew = alpha * static_cast<double>(a[e]) + (t > 0 ? beta : 1.0) * gr;
            xOut[e] = static_cast<T>(m_nesterov ? xv - r * (gr + alpha * vNew) : xv - r * vNew);
            aOut[e] = static_cast<T>(vNew);
          } else {
            const double vNew = alpha * static_cast<double>(a[e]) + (1 - alpha) * gr;
            const double hNew = beta * static_cast<double>(h[e]) + (1 - beta) * gr * gr;
            const double rate = t > 0 ? r * std::sqrt(1 - std::pow(beta, t)) / (1 - std::pow(alpha, t)) : r;
            const double xNew = xv - rate * (vNew / (std::sqrt(hNew) + eps));
            xOut[e] = static_cast<T>((1 - static_cast<double>(m_normPost)) * xNew);
            aOut[e] = static_cast<T>(vNew);
            hOut[e] = static_cast<T>(hNew);
          }
        }
      });
      if (!done) return fail("expects float32 or float64 tensors");
    }
    return ok();
  }

private:
  Optimizer m_kind;
  bool m_nesterov;
  float m_decay, m_eps, m_norm, m_normPost, m_alpha, m_beta;
};

} // namespace

Expected<std::unique_ptr<Kernel>> createOptimizer(const CreateContext& c) {
  if (!supportsOptimizer(c.node, c.inputTypes)) return unsupported(c, "expects float32 or float64 tensors");
  const auto& op = c.node.opType;
  return std::make_unique<OptimizerKernel>(c, op == "Adagrad"    ? Optimizer::Adagrad
                                              : op == "Momentum" ? Optimizer::Momentum
                                                                 : Optimizer::Adam);
}

bool supportsOptimizer(const ir::Node&, std::span<const ir::DataType> types) {
  return types.size() >= 3 && (types[2] == ir::DataType::Float32 || types[2] == ir::DataType::Float64);
}

} // namespace gs::runtime::cpu::basic
