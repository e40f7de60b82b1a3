// oneDNN matmul wrapper (see matmul_primitive.h).
#include "core/runtime/cpu/kernels/nn/matmul_primitive.h"

#include "core/runtime/cpu/kernels/nn/thread_policy.h"

namespace gs::runtime::cpu::nn {

Expected<std::size_t> MatmulPrimitive::build(const ir::Node& node, const Spec& spec) {
  std::size_t ws = 0;
  // A small product runs on the calling thread: oneDNN sizes its parallel split at creation.
  const auto dd = spec.dst.dims(), sd = spec.src.dims();
  const int64_t macs = product(dd, 0, dd.size()) * (sd.empty() ? 1 : sd.back());
  m_threads = threadsFor(macs, macs);
  const ScopedMaxThreads threads(m_threads);
  Status st = guardDnnl(node, [&]() -> Status {
    dnnl::primitive_attr attr;
    attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
    if (spec.alpha != 1.0f) attr.set_output_scales(0, {spec.alpha});
    dnnl::post_ops ops;
    if (spec.sum) ops.append_sum(spec.beta);
    appendActivation(ops, spec.activation);
    attr.set_post_ops(ops);
    const auto weightsMd = spec.constWeights ? dnnl::memory::desc(spec.weights.dims(), dnnl::memory::data_type::f32,
                                                                  dnnl::memory::format_tag::any)
                                             : spec.weights;
    m_hasBias = spec.bias.data.ndims != 0;
    const auto desc = m_hasBias ? dnnl::matmul::desc(spec.src, weightsMd, spec.bias, spec.dst)
                                : dnnl::matmul::desc(spec.src, weightsMd, spec.dst);
    const dnnl::matmul::primitive_desc pd(desc, attr, dnnlEngine());
    const auto& eng = dnnlEngine();
    m_prim = dnnl::matmul(pd);
    m_src = dnnl::memory(pd.src_desc(), eng, DNNL_MEMORY_NONE);
    m_dst = dnnl::memory(pd.dst_desc(), eng, DNNL_MEMORY_NONE);
    m_weights = dnnl::memory(pd.weights_desc(), eng, DNNL_MEMORY_NONE);
    m_scratch = dnnl::memory(pd.scratchpad_desc(), eng, DNNL_MEMORY_NONE);
    ws = alignUp(pd.scratchpad_desc().get_size());
    if (spec.constWeights) {
      GS_ASSIGN_OR_RETURN(m_packed,
                          packWeights(spec.cache, spec.constWeights, spec.cacheTag, spec.weights, pd.weights_desc()));
      m_packedBytes = pd.weights_desc().get_size();
      m_weights.set_data_handle(const_cast<void*>(m_packed.get()));
    }
    m_args = {
        {DNNL_ARG_SRC, m_src}, {DNNL_ARG_WEIGHTS, m_weights}, {DNNL_ARG_DST, m_dst}, {DNNL_ARG_SCRATCHPAD, m_scratch}};
    if (m_hasBias) {
      m_bias = dnnl::memory(spec.bias, eng, DNNL_MEMORY_NONE);
      m_args.emplace(DNNL_ARG_BIAS, m_bias);
    }
    return ok();
  });
  if (!st) return std::unexpected(st.error());
  m_wsBytes = ws;
  return ws;
}

Status MatmulPrimitive::run(const ir::Node& node, const float* src, const float* weights, const float* bias, float* dst,
                            void* workspace, std::size_t workspaceBytes) {
  if (workspaceBytes < m_wsBytes || (m_wsBytes && !workspace))
    return std::unexpected(kernelError(node, "workspace too small", codes::kInternal));
  const ScopedMaxThreads threads(m_threads);
  return guardDnnl(node, [&]() -> Status {
    m_src.set_data_handle(const_cast<float*>(src));
    if (!m_packed) m_weights.set_data_handle(const_cast<float*>(weights));
    if (m_hasBias) m_bias.set_data_handle(const_cast<float*>(bias));
    m_dst.set_data_handle(dst);
    m_scratch.set_data_handle(workspace);
    m_prim.execute(dnnlStream(), m_args);
    return ok();
  });
}

} // namespace gs::runtime::cpu::nn
