// BatchNormalization in training mode (opset 14+, training_mode = 1): the batch statistics per channel
// (mean and population variance over N and the spatial dims) normalise X; the optional outputs are the
// updated running statistics, running = input * momentum + batch * (1 - momentum). Float32, in double
// accumulation.
#include <cmath>

#include "core/runtime/cpu/kernels/nn/nn_common.h"
#include "core/runtime/cpu/kernels/nn/norm.h"

namespace gs::runtime::cpu::nn {
namespace {

class BatchNormTrainingKernel final : public Kernel {
public:
  explicit BatchNormTrainingKernel(const CreateContext& ctx)
      : m_node(ctx.node), m_eps(ctx.node.attrs.getFloat("epsilon", 1e-5f)),
        m_momentum(ctx.node.attrs.getFloat("momentum", 0.9f)) {}

  Status run(std::span<const TensorRef> inputs, std::span<TensorRef> outputs, RunContext&) override {
    if (inputs.size() < 5) return std::unexpected(kernelError(m_node, "needs 5 inputs", codes::kInvalid));
    const TensorRef& x = inputs[0];
    if (x.dims.size() < 2) return std::unexpected(kernelError(m_node, "X must have rank >= 2"));
    const int64_t n = x.dims[0], c = x.dims[1];
    int64_t inner = 1;
    for (std::size_t d = 2; d < x.dims.size(); ++d)
      inner *= x.dims[d];
    for (std::size_t i = 1; i < 5; ++i)
      if (inputs[i].numel() != c) return std::unexpected(kernelError(m_node, "scale/B/mean/var must have C elements"));
    const float* in = x.as<const float>();
    const float *scale = inputs[1].as<const float>(), *bias = inputs[2].as<const float>();
    const float *mean0 = inputs[3].as<const float>(), *var0 = inputs[4].as<const float>();
    float* y = outputs[0].as<float>();
    const double count = static_cast<double>(n * inner);
#pragma omp parallel for if (n * c * inner > 65536)
    for (int64_t ch = 0; ch < c; ++ch) {
      double sum = 0, sq = 0;
      for (int64_t b = 0; b < n; ++b) {
        const float* p = in + (b * c + ch) * inner;
        for (int64_t i = 0; i < inner; ++i)
          sum += p[i];
      }
      const double mean = count > 0 ? sum / count : 0.0;
      for (int64_t b = 0; b < n; ++b) {
        const float* p = in + (b * c + ch) * inner;
        for (int64_t i = 0; i < inner; ++i)
          sq += (p[i] - mean) * (p[i] - mean);
      }
      const double var = count > 0 ? sq / count : 0.0;
      const double a = static_cast<double>(scale[ch]) / std::sqrt(var + static_cast<double>(m_eps));
      const double shift = static_cast<double>(bias[ch]) - mean * a;
      for (int64_t b = 0; b < n; ++b) {
        const float* p = in + (b * c + ch) * inner;
        float* q = y + (b * c + ch) * inner;
        for (int64_t i = 0; i < inner; ++i)
          q[i] = static_cast<float>(p[i] * a + shift);
      }
      const double m = static_cast<double>(m_momentum);
      if (outputs.size() > 1 && outputs[1].present())
        outputs[1].as<float>()[ch] = static_cast<float>(mean0[ch] * m + mean * (1 - m));
      if (outputs.size() > 2 && outputs[2].present())
        outputs[2].as<float>()[ch] = static_cast<float>(var0[ch] * m + var * (1 - m));
    }
    return ok();
  }

private:
  ir::Node m_node;
  float m_eps, m_momentum;
};

} // namespace

Expected<std::unique_ptr<Kernel>> createBatchNormTraining(const CreateContext& ctx) {
  if (ctx.opset < 14)
    return std::unexpected(kernelError(ctx.node, "training_mode needs opset 14 or later", codes::kInvalid));
  return std::unique_ptr<Kernel>(std::make_unique<BatchNormTrainingKernel>(ctx));
}

} // namespace gs::runtime::cpu::nn
