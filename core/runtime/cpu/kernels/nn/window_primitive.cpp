// Building and running a oneDNN conv-like primitive over plain ONNX tensors (see window_primitive.h).
#include "core/runtime/cpu/kernels/nn/window_primitive.h"

#include <atomic>
#include <cstring>

#include "core/runtime/cpu/kernels/nn/thread_policy.h"

namespace gs::runtime::cpu::nn {

namespace {
std::atomic<LayoutPolicy> g_policy{LayoutPolicy::Auto};

// oneDNN names its slow paths "gemm:..." (im2col + sgemm) and "ref:...".
bool isSlowImpl(const std::string& impl) { return impl.rfind("ref", 0) == 0 || impl.find("gemm") != std::string::npos; }
} // namespace

void setLayoutPolicy(LayoutPolicy policy) { g_policy = policy; }
LayoutPolicy layoutPolicy() { return g_policy; }

void parallelCopy(float* dst, const float* src, int64_t n) {
  if (dst == src) return;
  constexpr int64_t kChunk = 1 << 16;
  if (n <= kChunk) {
    std::memcpy(dst, src, static_cast<std::size_t>(n) * sizeof(float));
    return;
  }
  const int64_t chunks = (n + kChunk - 1) / kChunk;
#pragma omp parallel for
  for (int64_t c = 0; c < chunks; ++c) {
    const int64_t begin = c * kChunk;
    const int64_t len = std::min(kChunk, n - begin);
    std::memcpy(dst + begin, src + begin, static_cast<std::size_t>(len) * sizeof(float));
  }
}

Expected<dnnl::primitive_desc> WindowPrimitive::choose(const ir::Node& node, const Spec& spec, const PdMaker& maker) {
  using md = dnnl::memory::desc;
  const auto any = dnnl::memory::format_tag::any;
  const auto f32 = dnnl::memory::data_type::f32;
  // Two attribute sets: the activation fused as a post-op, or left to applyActivation() after the
  // primitive. oneDNN 2.6 applies post-ops of its gemm-based and deconvolution kernels element by
  // element in a slow reference loop (measured 8-10x the primitive itself), so those run unfused.
  auto makeAttr = [&](bool withActivation) {
    dnnl::primitive_attr attr;
    attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
    dnnl::post_ops ops;
    if (spec.fusedAdd) ops.append_sum(1.0f);
    if (withActivation) appendActivation(ops, spec.activation);
    attr.set_post_ops(ops);
    return attr;
  };
  const bool hasAct = spec.activation.any();
  const auto fused = makeAttr(true), unfused = makeAttr(false);

  const md weightsAny(spec.userWeightsMd.dims(), f32, any);
  const md bias = spec.hasBias ? md({spec.biasLen}, f32, dnnl::memory::format_tag::a) : md();
  const md plainSrc = userDesc(spec.srcDims, spec.channelsLast), plainDst = userDesc(spec.dstDims, spec.channelsLast);
  const md anySrc(toDnnl(spec.srcDims), f32, any), anyDst(toDnnl(spec.dstDims), f32, any);

  std::string why;
  struct Candidate {
    dnnl::primitive_desc pd;
    bool ownActivation = false;
    bool slow = false;
  };
  auto tryMake = [&](const md& src, const md& dst) -> std::optional<Candidate> {
    try {
      if (!spec.activationOutside) {
        auto pd = maker(src, weightsAny, bias, dst, fused);
        const bool slow = isSlowImpl(pd.impl_info_str());
        if (!slow || !hasAct) return Candidate{pd, false, slow};
      }
      auto pd = maker(src, weightsAny, bias, dst, unfused);
      return Candidate{pd, hasAct, isSlowImpl(pd.impl_info_str())};
    } catch (const dnnl::error& e) {
      why = e.what();
      return std::nullopt;
    }
  };
  const auto policy = layoutPolicy();
  std::optional<Candidate> plain, blocked;
  if (policy != LayoutPolicy::Blocked) plain = tryMake(plainSrc, plainDst);
  const bool plainGood = plain && (!plain->slow || spec.preferPlain);
  if (policy == LayoutPolicy::Blocked || (policy == LayoutPolicy::Auto && !plainGood))
    blocked = tryMake(anySrc, anyDst);
  std::optional<Candidate> pick;
  if (blocked && (policy == LayoutPolicy::Blocked || !plain || !blocked->slow))
    pick = blocked;
  else if (plain)
    pick = plain;
  else
    pick = blocked;
  if (!pick)
    return std::unexpected(
        kernelError(node, "oneDNN has no implementation for this configuration (" + why + ")", codes::kUnsupported));
  m_ownActivation = pick->ownActivation;
  m_activation = spec.activation;
  return pick->pd;
}

Expected<std::size_t> WindowPrimitive::build(const ir::Node& node, const Spec& spec, const PdMaker& maker) {
  // oneDNN sizes a primitive's parallel split when it is created: a small conv (and its reorders) made
  // while one thread is the maximum runs on the calling thread, without a parallel region.
  const int64_t wElems = product(spec.userWeightsMd.dims(), 0, spec.userWeightsMd.dims().size());
  const int64_t macs = product(spec.dstDims, 0, spec.dstDims.size()) * (wElems / std::max<int64_t>(spec.biasLen, 1));
  m_threads = threadsFor(macs, macs);
  const ScopedMaxThreads threads(m_threads);
  GS_ASSIGN_OR_RETURN(auto pd, choose(node, spec, maker));
  std::size_t ws = 0;
  auto reserve = [&](std::size_t bytes) {
    const auto off = ws;
    ws += alignUp(bytes);
    return off;
  };
  const auto& eng = dnnlEngine();
  const auto srcMd = pd.query_md(dnnl::query::src_md);
  const auto weiMd = pd.query_md(dnnl::query::weights_md);
  const auto dstMd = pd.query_md(dnnl::query::dst_md);
  const auto scratchMd = pd.query_md(dnnl::query::scratchpad_md);
  m_impl = pd.impl_info_str();
  m_hasBias = spec.hasBias;
  m_fusedAdd = spec.fusedAdd;
  const dnnl::memory::desc userSrcMd = userDesc(spec.srcDims, spec.channelsLast),
                           userDstMd = userDesc(spec.dstDims, spec.channelsLast);
  m_srcBlocked = srcMd != userSrcMd;
  m_dstBlocked = dstMd != userDstMd;
  m_dstBytes = dstMd.get_size();
  m_dstElems = product(spec.dstDims, 0, spec.dstDims.size());

  Status st = guardDnnl(node, [&]() -> Status {
    m_prim = dnnl::primitive(pd);
    m_src = dnnl::memory(srcMd, eng, DNNL_MEMORY_NONE);
    m_dst = dnnl::memory(dstMd, eng, DNNL_MEMORY_NONE);
    m_weights = dnnl::memory(weiMd, eng, DNNL_MEMORY_NONE);
    if (m_srcBlocked) {
      m_srcOff = reserve(srcMd.get_size());
      m_userSrc = dnnl::memory(userSrcMd, eng, DNNL_MEMORY_NONE);
      m_srcReorder = dnnl::reorder(m_userSrc, m_src);
    }
    if (m_dstBlocked) {
      m_dstOff = reserve(dstMd.get_size());
      m_userDst = dnnl::memory(userDstMd, eng, DNNL_MEMORY_NONE);
      m_dstReorder = dnnl::reorder(m_dst, m_userDst);
      if (spec.fusedAdd) {
        m_userAdd = dnnl::memory(userDstMd, eng, DNNL_MEMORY_NONE);
        m_addReorder = dnnl::reorder(m_userAdd, m_dst);
      }
    }
    if (spec.constWeights) {
      m_runtimeWeights = false;
      auto packed = packWeights(spec.cache, spec.constWeights, spec.cacheTag, spec.userWeightsMd, weiMd);
      if (!packed) return std::unexpected(withContext(packed.error(), node.opType + " node '" + node.name + "'"));
      m_packed = *packed;
      m_packedBytes = weiMd.get_size();
      m_weights.set_data_handle(const_cast<void*>(m_packed.get()));
    } else {
      m_runtimeWeights = true;
      m_weiOff = reserve(weiMd.get_size());
      m_userWeights = dnnl::memory(spec.userWeightsMd, eng, DNNL_MEMORY_NONE);
      m_weightsReorder = dnnl::reorder(m_userWeights, m_weights);
    }
    if (spec.hasBias) m_bias = dnnl::memory(pd.query_md(dnnl::query::weights_md, 1), eng, DNNL_MEMORY_NONE);
    m_scratchOff = reserve(scratchMd.get_size());
    m_scratch = dnnl::memory(scratchMd, eng, DNNL_MEMORY_NONE);
    m_args = {
        {DNNL_ARG_SRC, m_src}, {DNNL_ARG_WEIGHTS, m_weights}, {DNNL_ARG_DST, m_dst}, {DNNL_ARG_SCRATCHPAD, m_scratch}};
    if (spec.hasBias) m_args.emplace(DNNL_ARG_BIAS, m_bias);
    return ok();
  });
  if (!st) return std::unexpected(st.error());
  m_wsBytes = ws;
  return ws;
}

Status WindowPrimitive::run(const ir::Node& node, const float* src, const float* weights, const float* bias,
                            const float* addend, float* dst, void* workspace, std::size_t workspaceBytes) {
  if (workspaceBytes < m_wsBytes || (m_wsBytes && !workspace))
    return std::unexpected(kernelError(node, "workspace too small", codes::kInternal));
  auto* ws = static_cast<std::byte*>(workspace);
  // Many oneDNN kernels size their split again at execution: keep a small primitive serial there too.
  const ScopedMaxThreads threads(m_threads);
  return guardDnnl(node, [&]() -> Status {
    auto& strm = dnnlStream();
    if (m_srcBlocked) {
      m_userSrc.set_data_handle(const_cast<float*>(src));
      m_src.set_data_handle(ws + m_srcOff);
      m_srcReorder->execute(strm, m_userSrc, m_src);
    } else {
      m_src.set_data_handle(const_cast<float*>(src));
    }
    if (m_runtimeWeights) {
      m_userWeights.set_data_handle(const_cast<float*>(weights));
      m_weights.set_data_handle(ws + m_weiOff);
      m_weightsReorder->execute(strm, m_userWeights, m_weights);
    }
    if (m_hasBias) m_bias.set_data_handle(const_cast<float*>(bias));
    if (m_dstBlocked) {
      m_userDst.set_data_handle(dst);
      m_dst.set_data_handle(ws + m_dstOff);
      if (m_fusedAdd) {
        // The sum post-op accumulates into dst: bring the addend into the blocked layout first.
        m_userAdd.set_data_handle(const_cast<float*>(addend));
        m_addReorder->execute(strm, m_userAdd, m_dst);
      }
    } else {
      m_dst.set_data_handle(dst);
      if (m_fusedAdd) parallelCopy(dst, addend, static_cast<int64_t>(m_dstBytes / sizeof(float)));
    }
    m_scratch.set_data_handle(ws + m_scratchOff);
    m_prim.execute(strm, m_args);
    if (m_dstBlocked) {
      m_userDst.set_data_handle(dst);
      m_dstReorder->execute(strm, m_dst, m_userDst);
    }
    if (m_ownActivation) applyActivation(dst, m_dstElems, m_activation);
    return ok();
  });
}

} // namespace gs::runtime::cpu::nn
