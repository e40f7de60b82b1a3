// Building and running an int8 oneDNN conv / matmul (see quant_primitive.h).
#include "core/runtime/cpu/kernels/nn/quant_primitive.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/runtime/cpu/kernels/nn/quant_common.h"
#include "core/runtime/cpu/kernels/nn/thread_policy.h"

namespace gs::runtime::cpu::nn {

namespace {

dnnl::memory::data_type dnnlType(ir::DataType t) {
  switch (t) {
  case ir::DataType::UInt8:
    return dnnl::memory::data_type::u8;
  case ir::DataType::Int8:
    return dnnl::memory::data_type::s8;
  case ir::DataType::Int32:
    return dnnl::memory::data_type::s32;
  default:
    return dnnl::memory::data_type::f32;
  }
}

// A row-major descriptor of any rank and type.
dnnl::memory::desc rowMajor(const std::vector<int64_t>& dims, ir::DataType t) {
  dnnl::memory::dims strides(dims.size(), 1);
  for (std::size_t i = dims.size(); i-- > 1;)
    strides[i - 1] = strides[i] * dims[i];
  return dnnl::memory::desc(toDnnl(dims), dnnlType(t), strides);
}

// Pixels per tile of the channels-last transposes: a tile of every channel stays in L1 (64 x 384
// channels x 4 bytes), so both sides are read and written once from memory.
constexpr int64_t kTile = 64;

// src [outer, c, inner] float -> dst [outer, inner, c] quantized: saturate(rint(x / scale) + zero), as
// QuantizeLinear computes it (quant::quantizeValue).
template <class Q>
void quantizeChannelsLast(const float* src, Q* dst, int64_t outer, int64_t c, int64_t inner, float scale,
                          int32_t zero) {
  const auto lo = static_cast<float>(std::numeric_limits<Q>::min()),
             hi = static_cast<float>(std::numeric_limits<Q>::max());
  const auto z = static_cast<float>(zero);
  if (inner == 1) { // a matmul's rows: already channels-last
    const int64_t n = outer * c;
#pragma omp parallel for if (n > (1 << 16))
    for (int64_t i = 0; i < n; ++i)
      dst[i] = static_cast<Q>(quant::quantizeValue(src[i], scale, z, lo, hi));
    return;
  }
  const int64_t tiles = (inner + kTile - 1) / kTile;
#pragma omp parallel for collapse(2) if (outer * c * inner > (1 << 16))
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t t = 0; t < tiles; ++t) {
      const int64_t i0 = t * kTile, i1 = std::min(inner, i0 + kTile);
      for (int64_t k = 0; k < c; ++k) {
        const float* s = src + (o * c + k) * inner;
        Q* d = dst + o * inner * c + k;
        for (int64_t i = i0; i < i1; ++i)
          d[i * c] = static_cast<Q>(quant::quantizeValue(s[i], scale, z, lo, hi));
      }
    }
}

// src [outer, c, inner] -> dst [outer, inner, c] (integer sources of ConvInteger).
template <class T> void toChannelsLast(const T* src, T* dst, int64_t outer, int64_t c, int64_t inner) {
  const int64_t tiles = (inner + kTile - 1) / kTile;
#pragma omp parallel for collapse(2) if (outer * c * inner > (1 << 16))
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t t = 0; t < tiles; ++t) {
      const int64_t i0 = t * kTile, i1 = std::min(inner, i0 + kTile);
      for (int64_t k = 0; k < c; ++k)
        for (int64_t i = i0; i < i1; ++i)
          dst[(o * inner + i) * c + k] = src[(o * c + k) * inner + i];
    }
}

// src [outer, inner, c] -> dst [outer, c, inner], dequantized ((y - zero) * scale) or copied.
template <class S, class D>
void fromChannelsLast(const S* src, D* dst, int64_t outer, int64_t c, int64_t inner, float scale, int32_t zero,
                      bool dequantize) {
  if (inner == 1) { // channels-last on both sides
    const int64_t n = outer * c;
#pragma omp parallel for if (n > (1 << 16))
    for (int64_t i = 0; i < n; ++i)
      dst[i] = dequantize ? static_cast<D>(static_cast<float>(static_cast<int32_t>(src[i]) - zero) * scale)
                          : static_cast<D>(src[i]);
    return;
  }
  const int64_t tiles = (inner + kTile - 1) / kTile;
#pragma omp parallel for collapse(2) if (outer * c * inner > (1 << 16))
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t t = 0; t < tiles; ++t) {
      const int64_t i0 = t * kTile, i1 = std::min(inner, i0 + kTile);
      for (int64_t k = 0; k < c; ++k) {
        const S* s = src + o * inner * c + k;
        D* d = dst + (o * c + k) * inner;
        if (dequantize)
          for (int64_t i = i0; i < i1; ++i)
            d[i] = static_cast<D>(static_cast<float>(static_cast<int32_t>(s[i * c]) - zero) * scale);
        else
          for (int64_t i = i0; i < i1; ++i)
            d[i] = static_cast<D>(s[i * c]);
      }
    }
}

} // namespace

Expected<std::size_t> Int8Primitive::build(const ir::Node& node, const Spec& spec) {
  using md = dnnl::memory::desc;
  const auto nhwc = dnnl::memory::format_tag::acdb;
  const auto any = dnnl::memory::format_tag::any;
  const int64_t wElems = product(spec.weightDims, 0, spec.weightDims.size());
  const int64_t outC = spec.conv ? spec.dstDims[1] : spec.dstDims.back();
  const int64_t macs = product(spec.dstDims, 0, spec.dstDims.size()) * (wElems / std::max<int64_t>(outC, 1));
  m_threads = threadsFor(macs, macs);
  const ScopedMaxThreads threads(m_threads);
  m_conv = spec.conv;
  m_floatSrc = spec.srcUser == ir::DataType::Float32;
  m_srcUser = spec.srcUser;
  m_srcQuant = spec.srcQuant;
  m_srcScale = spec.srcScale;
  m_srcZero = spec.srcZero;
  const bool intDst = spec.dstUser == ir::DataType::Int32;
  m_dstType = intDst ? ir::DataType::Int32 : spec.dstQuantized ? spec.dstQuant : ir::DataType::Float32;
  m_dstQuantized = spec.dstQuantized;
  m_dstScale = spec.dstScale;
  m_dstZero = spec.dstZero;
  const auto& sd = spec.srcDims;
  const auto& dd = spec.dstDims;
  if (spec.conv && spec.channelsLast) { // NHWC on both sides: the boundary loops do not transpose
    m_srcOuter = sd[0] * product(sd, 2, sd.size()), m_srcC = sd[1], m_srcInner = 1;
    m_dstOuter = dd[0] * product(dd, 2, dd.size()), m_dstC = dd[1], m_dstInner = 1;
  } else if (spec.conv) {
    m_srcOuter = sd[0], m_srcC = sd[1], m_srcInner = product(sd, 2, sd.size());
    m_dstOuter = dd[0], m_dstC = dd[1], m_dstInner = product(dd, 2, dd.size());
  } else {
    m_srcOuter = product(sd, 0, sd.size() - 1), m_srcC = sd.back(), m_srcInner = 1;
    m_dstOuter = product(dd, 0, dd.size() - 1), m_dstC = dd.back(), m_dstInner = 1;
  }

  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  if (!intDst) {
    const int mask = spec.outScales.size() > 1 ? (spec.conv ? 1 << 1 : 1 << (static_cast<int>(dd.size()) - 1)) : 0;
    attr.set_output_scales(mask, spec.outScales);
  }
  m_hasZero = !m_floatSrc || spec.srcZero != 0;
  if (m_hasZero) attr.set_zero_points(DNNL_ARG_SRC, 0, {DNNL_RUNTIME_S32_VAL});
  m_zeroValue = spec.srcZero;
  dnnl::post_ops ops;
  appendActivation(ops, spec.activation);
  if (spec.dstQuantized) {
    if (spec.activation.any()) ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_linear, 1.0f / spec.dstScale, 0.0f);
    if (spec.dstZero != 0) attr.set_zero_points(DNNL_ARG_DST, 0, {spec.dstZero});
  }
  attr.set_post_ops(ops);

  // Convolutions read and write channels-last (every int8 jit kernel has it; the boundary loops
  // transpose); matmuls row-major.
  const md srcMd = spec.conv ? md(toDnnl(sd), dnnlType(spec.srcQuant), nhwc) : rowMajor(sd, spec.srcQuant);
  const md weiAny(toDnnl(spec.weightDims), dnnl::memory::data_type::s8, any);
  const md dstMd = spec.conv ? md(toDnnl(dd), dnnlType(m_dstType), nhwc) : rowMajor(dd, m_dstType);
  const bool hasBias = !spec.bias.empty();
  const md biasMd = hasBias ? md({outC}, dnnl::memory::data_type::f32, dnnl::memory::format_tag::a) : md();
  dnnl::primitive_desc pd;
  try {
    const auto pk = dnnl::prop_kind::forward_inference;
    if (spec.conv) {
      using cf = dnnl::convolution_forward;
      const auto alg = dnnl::algorithm::convolution_direct;
      const auto st = toDnnl(spec.strides), dil = minusOne(spec.dilations), pl = toDnnl(spec.padL),
                 pr = toDnnl(spec.padR);
      pd = hasBias ? cf::primitive_desc(cf::desc(pk, alg, srcMd, weiAny, biasMd, dstMd, st, dil, pl, pr), attr,
                                        dnnlEngine())
                   : cf::primitive_desc(cf::desc(pk, alg, srcMd, weiAny, dstMd, st, dil, pl, pr), attr, dnnlEngine());
    } else {
      // Bias of a matmul is broadcast over the rows: dims [1, ..., 1, N].
      std::vector<int64_t> bd(dd.size(), 1);
      bd.back() = outC;
      const md mmBias = hasBias ? rowMajor(bd, ir::DataType::Float32) : md();
      pd = hasBias ? dnnl::matmul::primitive_desc(dnnl::matmul::desc(srcMd, weiAny, mmBias, dstMd), attr, dnnlEngine())
                   : dnnl::matmul::primitive_desc(dnnl::matmul::desc(srcMd, weiAny, dstMd), attr, dnnlEngine());
    }
  } catch (const dnnl::error& e) {
    return std::unexpected(
        kernelError(node, std::string("oneDNN has no int8 implementation: ") + e.what(), codes::kUnsupported));
  }
  m_impl = pd.impl_info_str();
  std::size_t ws = 0;
  auto reserve = [&](std::size_t bytes) {
    const auto off = ws;
    ws += alignUp(bytes);
    return off;
  };
  const auto& eng = dnnlEngine();
  const auto weiMd = pd.query_md(dnnl::query::weights_md);
  const auto scratchMd = pd.query_md(dnnl::query::scratchpad_md);
  // Staged through the workspace: a float source (quantized), a convolution's source (transposed) and
  // destination, and a quantized destination (dequantized).
  m_srcStaged = m_floatSrc || (spec.conv && !spec.channelsLast);
  m_dstStaged = (spec.conv && !spec.channelsLast) || spec.dstQuantized;
  if (m_srcStaged) m_srcOff = reserve(srcMd.get_size());
  if (m_dstStaged) m_dstOff = reserve(dstMd.get_size());
  Status st = guardDnnl(node, [&]() -> Status {
    m_prim = dnnl::primitive(pd);
    m_src = dnnl::memory(srcMd, eng, DNNL_MEMORY_NONE);
    m_dst = dnnl::memory(dstMd, eng, DNNL_MEMORY_NONE);
    m_weights = dnnl::memory(weiMd, eng, DNNL_MEMORY_NONE);
    const md userWei = rowMajor(spec.weightDims, ir::DataType::Int8);
    auto packed = packWeights(spec.cache, spec.weights, spec.cacheTag, userWei, weiMd);
    if (!packed) return std::unexpected(withContext(packed.error(), node.opType + " node '" + node.name + "'"));
    m_packed = *packed;
    m_weights.set_data_handle(const_cast<void*>(m_packed.get()));
    m_args = {{DNNL_ARG_SRC, m_src}, {DNNL_ARG_WEIGHTS, m_weights}, {DNNL_ARG_DST, m_dst}};
    if (hasBias) {
      m_bias32 = spec.bias;
      m_bias = dnnl::memory(pd.query_md(dnnl::query::weights_md, 1), eng, m_bias32.data());
      m_args.emplace(DNNL_ARG_BIAS, m_bias);
    }
    if (m_hasZero) {
      m_zero = dnnl::memory(md({1}, dnnl::memory::data_type::s32, dnnl::memory::format_tag::a), eng, &m_zeroValue);
      m_args.emplace(DNNL_ARG_ATTR_ZERO_POINTS | DNNL_ARG_SRC, m_zero);
    }
    m_scratchOff = reserve(scratchMd.get_size());
    m_scratch = dnnl::memory(scratchMd, eng, DNNL_MEMORY_NONE);
    m_args.emplace(DNNL_ARG_SCRATCHPAD, m_scratch);
    return ok();
  });
  if (!st) return std::unexpected(st.error());
  m_wsBytes = ws;
  return ws;
}

Status Int8Primitive::run(const ir::Node& node, const void* src, int32_t srcZero, void* dst, void* workspace,
                          std::size_t workspaceBytes) {
  if (workspaceBytes < m_wsBytes || (m_wsBytes && !workspace))
    return std::unexpected(kernelError(node, "workspace too small", codes::kInternal));
  auto* ws = static_cast<std::byte*>(workspace);
  if (!m_floatSrc) m_zeroValue = srcZero;
  void* staged = ws + m_srcOff;
  if (m_floatSrc) {
    if (m_srcQuant == ir::DataType::UInt8)
      quantizeChannelsLast(static_cast<const float*>(src), static_cast<uint8_t*>(staged), m_srcOuter, m_srcC,
                           m_srcInner, m_srcScale, m_srcZero);
    else
      quantizeChannelsLast(static_cast<const float*>(src), static_cast<int8_t*>(staged), m_srcOuter, m_srcC, m_srcInner,
                           m_srcScale, m_srcZero);
  } else if (m_srcStaged) {
    if (m_srcUser == ir::DataType::UInt8)
      toChannelsLast(static_cast<const uint8_t*>(src), static_cast<uint8_t*>(staged), m_srcOuter, m_srcC, m_srcInner);
    else
      toChannelsLast(static_cast<const int8_t*>(src), static_cast<int8_t*>(staged), m_srcOuter, m_srcC, m_srcInner);
  }
  const ScopedMaxThreads threads(m_threads);
  Status st = guardDnnl(node, [&]() -> Status {
    m_src.set_data_handle(m_srcStaged ? staged : const_cast<void*>(src));
    m_dst.set_data_handle(m_dstStaged ? static_cast<void*>(ws + m_dstOff) : dst);
    m_scratch.set_data_handle(ws + m_scratchOff);
    m_prim.execute(dnnlStream(), m_args);
    return ok();
  });
  if (!st || !m_dstStaged) return st;
  const void* out = ws + m_dstOff;
  switch (m_dstType) {
  case ir::DataType::UInt8:
    fromChannelsLast(static_cast<const uint8_t*>(out), static_cast<float*>(dst), m_dstOuter, m_dstC, m_dstInner,
                     m_dstScale, m_dstZero, true);
    break;
  case ir::DataType::Int8:
    fromChannelsLast(static_cast<const int8_t*>(out), static_cast<float*>(dst), m_dstOuter, m_dstC, m_dstInner,
                     m_dstScale, m_dstZero, true);
    break;
  case ir::DataType::Int32:
    fromChannelsLast(static_cast<const int32_t*>(out), static_cast<int32_t*>(dst), m_dstOuter, m_dstC, m_dstInner, 1.0f,
                     0, false);
    break;
  default:
    fromChannelsLast(static_cast<const float*>(out), static_cast<float*>(dst), m_dstOuter, m_dstC, m_dstInner, 1.0f, 0,
                     false);
  }
  return ok();
}

} // namespace gs::runtime::cpu::nn
