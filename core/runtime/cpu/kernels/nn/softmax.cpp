// Softmax / LogSoftmax on oneDNN (jit, vectorised exp) and Hardmax on an own loop (see softmax.h).
#include "core/runtime/cpu/kernels/nn/softmax.h"
#include "core/runtime/cpu/kernels/nn/thread_policy.h"

#include <unordered_map>

#include "core/runtime/cpu/kernels/nn/nn_common.h"

namespace gs::runtime::cpu::nn {

namespace {

enum class Kind { Softmax, LogSoftmax, Hardmax };

class SoftmaxKernel final : public Kernel {
public:
  SoftmaxKernel(const CreateContext& ctx, Kind kind) : m_node(ctx.node), m_kind(kind), m_opset(ctx.opset) {
    m_axis = ctx.node.attrs.getInt("axis", ctx.opset >= 13 ? -1 : 1);
  }

  Expected<std::size_t> reshape(const ReshapeContext& ctx) override {
    const auto& x = ctx.inputDims[0];
    GS_ASSIGN_OR_RETURN(const int64_t axis, normalizeAxis(m_node, m_axis, x.size()));
    const auto a = static_cast<std::size_t>(axis);
    if (x.empty()) {
      m_outer = m_n = m_inner = 1;
    } else if (m_opset < 13) {
      m_outer = product(x, 0, a); // coerced to 2-D [outer, rest]
      m_n = product(x, a, x.size());
      m_inner = 1;
    } else {
      m_outer = product(x, 0, a);
      m_n = x[a];
      m_inner = product(x, a + 1, x.size());
    }
    if (m_kind == Kind::Hardmax || m_outer * m_n * m_inner == 0) return std::size_t{0};
    const std::vector<int64_t> dims{m_outer, m_n, m_inner};
    const auto md = plainDesc(dims);
    // exp per element: about 32 multiply-adds each (thread_policy.h).
    m_threads = threadsFor(32 * m_outer * m_n * m_inner, m_outer * m_inner);
    const ScopedMaxThreads threads(m_threads);
    Status st = guardDnnl(m_node, [&]() -> Status {
      dnnl::primitive_attr attr;
      attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
      if (m_kind == Kind::Softmax) {
        const dnnl::softmax_forward::primitive_desc pd(
            dnnl::softmax_forward::desc(dnnl::prop_kind::forward_inference, md, 1), attr, dnnlEngine());
        m_prim = dnnl::softmax_forward(pd);
        m_scratchBytes = pd.scratchpad_desc().get_size();
        m_scratch = dnnl::memory(pd.scratchpad_desc(), dnnlEngine(), DNNL_MEMORY_NONE);
      } else {
        const dnnl::logsoftmax_forward::primitive_desc pd(
            dnnl::logsoftmax_forward::desc(dnnl::prop_kind::forward_inference, md, 1), attr, dnnlEngine());
        m_prim = dnnl::logsoftmax_forward(pd);
        m_scratchBytes = pd.scratchpad_desc().get_size();
        m_scratch = dnnl::memory(pd.scratchpad_desc(), dnnlEngine(), DNNL_MEMORY_NONE);
      }
      m_src = dnnl::memory(md, dnnlEngine(), DNNL_MEMORY_NONE);
      m_dst = dnnl::memory(md, dnnlEngine(), DNNL_MEMORY_NONE);
      m_args = {{DNNL_ARG_SRC, m_src}, {DNNL_ARG_DST, m_dst}, {DNNL_ARG_SCRATCHPAD, m_scratch}};
      return ok();
    });
    if (!st) return std::unexpected(st.error());
    return alignUp(m_scratchBytes);
  }

  Status run(std::span<const TensorRef> inputs, std::span<TensorRef> outputs, RunContext& ctx) override {
    if (m_outer * m_n * m_inner == 0) return ok();
    if (m_kind == Kind::Hardmax) {
      hardmax(inputs[0].as<const float>(), outputs[0].as<float>());
      return ok();
    }
    const ScopedMaxThreads threads(m_threads);
    return guardDnnl(m_node, [&]() -> Status {
      m_src.set_data_handle(inputs[0].data);
      m_dst.set_data_handle(outputs[0].data);
      m_scratch.set_data_handle(ctx.workspace);
      m_prim.execute(dnnlStream(), m_args);
      return ok();
    });
  }

private:
  // One-hot of the first maximum along the axis.
  void hardmax(const float* x, float* y) const {
    const int64_t n = m_n, inner = m_inner;
#pragma omp parallel for collapse(2) if (m_outer * n * inner > 16384)
    for (int64_t o = 0; o < m_outer; ++o)
      for (int64_t i = 0; i < inner; ++i) {
        const float* xp = x + o * n * inner + i;
        float* yp = y + o * n * inner + i;
        int64_t best = 0;
        for (int64_t j = 1; j < n; ++j)
          if (xp[j * inner] > xp[best * inner]) best = j;
        for (int64_t j = 0; j < n; ++j)
          yp[j * inner] = j == best ? 1.0f : 0.0f;
      }
  }

  ir::Node m_node;
  Kind m_kind;
  int64_t m_opset = 13, m_axis = -1;
  int64_t m_outer = 1, m_n = 1, m_inner = 1;
  std::size_t m_scratchBytes = 0;
  int m_threads = 1;
  dnnl::primitive m_prim;
  dnnl::memory m_src, m_dst, m_scratch;
  std::unordered_map<int, dnnl::memory> m_args;
};

} // namespace

Expected<std::unique_ptr<Kernel>> createSoftmax(const CreateContext& ctx) {
  return std::unique_ptr<Kernel>(std::make_unique<SoftmaxKernel>(ctx, Kind::Softmax));
}
Expected<std::unique_ptr<Kernel>> createLogSoftmax(const CreateContext& ctx) {
  return std::unique_ptr<Kernel>(std::make_unique<SoftmaxKernel>(ctx, Kind::LogSoftmax));
}
Expected<std::unique_ptr<Kernel>> createHardmax(const CreateContext& ctx) {
  return std::unique_ptr<Kernel>(std::make_unique<SoftmaxKernel>(ctx, Kind::Hardmax));
}

bool supportsSoftmax(const ir::Node& node, std::span<const ir::DataType> inputTypes) {
  return allInputsFloat32(node, inputTypes);
}

} // namespace gs::runtime::cpu::nn
