// Pooling kernels (see pool.h).
#include "core/runtime/cpu/kernels/nn/pool.h"
#include "core/runtime/cpu/kernels/nn/thread_policy.h"

#include <algorithm>
#include <limits>
#include <unordered_map>

#include "core/ir/layout.h"
#include "core/runtime/cpu/kernels/nn/nn_common.h"

namespace gs::runtime::cpu::nn {

namespace {

class PoolKernel final : public Kernel {
public:
  PoolKernel(const CreateContext& ctx, bool isMax) : m_node(ctx.node), m_max(isMax) {
    m_ceil = ctx.node.attrs.getInt("ceil_mode", 0) != 0;
    m_includePad = ctx.node.attrs.getInt("count_include_pad", 0) != 0;
    m_storageOrder = ctx.node.attrs.getInt("storage_order", 0);
    m_wantIndices = isMax && ctx.node.outputs.size() > 1 && ctx.node.outputs[1] != ir::kNone;
    m_channelsLast = ir::isChannelsLast(ctx.node);
  }
  Status init() {
    GS_ASSIGN_OR_RETURN(m_autoPad, readAutoPad(m_node));
    if (!m_node.attrs.has("kernel_shape"))
      return std::unexpected(kernelError(m_node, "kernel_shape is required", codes::kInvalid));
    if (m_channelsLast && m_wantIndices)
      return std::unexpected(kernelError(m_node, "a channels-last MaxPool has no Indices output", codes::kInvalid));
    return ok();
  }

  Expected<std::size_t> reshape(const ReshapeContext& ctx) override {
    // A channels-last pool gets NHWC dims; everything below works in NCHW order.
    const auto x = m_channelsLast ? ir::nhwcToNchw(ctx.inputDims[0]) : ctx.inputDims[0];
    if (x.size() < 3 || x.size() > 5 || (m_channelsLast && x.size() != 4))
      return std::unexpected(kernelError(m_node, "X must have rank 3, 4 or 5 (4 when channels-last)"));
    const std::size_t spatial = x.size() - 2;
    GS_ASSIGN_OR_RETURN(m_win, readWindow(m_node, spatial, {}));
    resolveAutoPad(m_win, m_autoPad, std::span(x).subspan(2));
    m_x = x;
    m_y = {x[0], x[1]};
    for (std::size_t i = 0; i < spatial; ++i)
      m_y.push_back(windowOutput(x[i + 2], m_win.kernel[i], m_win.strides[i], m_win.dilations[i], m_win.padL[i],
                                 m_win.padR[i], m_ceil && m_autoPad == AutoPad::NotSet));
    if (!ctx.outputDims.empty() && ctx.outputDims[0]) {
      if (ctx.outputDims[0]->size() != m_y.size())
        return std::unexpected(kernelError(m_node, "output rank from shape inference differs"));
      m_y = m_channelsLast ? ir::nhwcToNchw(*ctx.outputDims[0]) : *ctx.outputDims[0]; // owns the ceil_mode rule
    }
    for (auto d : m_y)
      if (d <= 0) return std::unexpected(kernelError(m_node, "empty output"));
    // oneDNN wants padding_r consistent with the output size; ceil_mode extends it.
    std::vector<int64_t> padR(spatial);
    bool extended = false;
    for (std::size_t i = 0; i < spatial; ++i) {
      const int64_t ext = (m_win.kernel[i] - 1) * m_win.dilations[i] + 1;
      const int64_t need = (m_y[i + 2] - 1) * m_win.strides[i] + ext - x[i + 2] - m_win.padL[i];
      padR[i] = std::max(need, m_win.padR[i]);
      extended = extended || need > m_win.padR[i];
    }
    m_naive = m_wantIndices || (!m_max && m_includePad && extended);
    if (m_naive) return std::size_t{0};
    // Memory-bound: an element read weighs about 16 multiply-adds (thread_policy.h).
    m_threads = threadsFor(16 * product(x, 0, x.size()), product(m_y, 0, m_y.size()));
    const ScopedMaxThreads threads(m_threads);
    try {
      using pf = dnnl::pooling_v2_forward;
      const auto alg = m_max ? dnnl::algorithm::pooling_max
                             : (m_includePad ? dnnl::algorithm::pooling_avg_include_padding
                                             : dnnl::algorithm::pooling_avg_exclude_padding);
      dnnl::primitive_attr attr;
      attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
      const pf::desc desc(dnnl::prop_kind::forward_inference, alg, userDesc(x, m_channelsLast),
                          userDesc(m_y, m_channelsLast), toDnnl(m_win.strides), toDnnl(m_win.kernel),
                          minusOne(m_win.dilations), toDnnl(m_win.padL), toDnnl(padR));
      const pf::primitive_desc pd(desc, attr, dnnlEngine());
      m_prim = pf(pd);
      m_src = dnnl::memory(pd.src_desc(), dnnlEngine(), DNNL_MEMORY_NONE);
      m_dst = dnnl::memory(pd.dst_desc(), dnnlEngine(), DNNL_MEMORY_NONE);
      m_scratch = dnnl::memory(pd.scratchpad_desc(), dnnlEngine(), DNNL_MEMORY_NONE);
      m_args = {{DNNL_ARG_SRC, m_src}, {DNNL_ARG_DST, m_dst}, {DNNL_ARG_SCRATCHPAD, m_scratch}};
      return alignUp(pd.scratchpad_desc().get_size());
    } catch (const dnnl::error&) {
      m_naive = true; // a geometry oneDNN rejects (padding wider than the window ...): loops below
      return std::size_t{0};
    }
  }

  Status run(std::span<const TensorRef> inputs, std::span<TensorRef> outputs, RunContext& ctx) override {
    if (m_naive) {
      runNaive(inputs[0].as<const float>(), outputs[0].as<float>(), m_wantIndices ? outputs[1].as<int64_t>() : nullptr);
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
  // Straightforward N-D window loops (1 to 3 spatial dims, padded to 3).
  void runNaive(const float* x, float* y, int64_t* indices) const {
    const std::size_t sp = m_x.size() - 2;
    int64_t in[3] = {1, 1, 1}, out[3] = {1, 1, 1}, k[3] = {1, 1, 1}, s[3] = {1, 1, 1}, d[3] = {1, 1, 1},
            pl[3] = {0, 0, 0}, pr[3] = {0, 0, 0};
    for (std::size_t i = 0; i < sp; ++i) {
      in[i] = m_x[i + 2];
      out[i] = m_y[i + 2];
      k[i] = m_win.kernel[i];
      s[i] = m_win.strides[i];
      d[i] = m_win.dilations[i];
      pl[i] = m_win.padL[i];
      pr[i] = m_win.padR[i];
    }
    // Index strides for the Indices output: row-major, or column-major over spatial dims.
    int64_t istr[3] = {in[1] * in[2], in[2], 1};
    if (m_storageOrder == 1) {
      istr[0] = 1;
      istr[1] = sp >= 1 ? in[0] : 1;
      istr[2] = in[0] * in[1];
    }
    const int64_t planes = m_x[0] * m_x[1], inPlane = in[0] * in[1] * in[2], outPlane = out[0] * out[1] * out[2];
    // A plane is one (n, c); channels-last planes interleave, their elements C apart.
    const int64_t cs = m_channelsLast ? m_x[1] : 1;
#pragma omp parallel for
    for (int64_t p = 0; p < planes; ++p) {
      const int64_t n = p / m_x[1], c = p % m_x[1];
      const float* xp = m_channelsLast ? x + n * inPlane * cs + c : x + p * inPlane;
      float* yp = m_channelsLast ? y + n * outPlane * cs + c : y + p * outPlane;
      for (int64_t o0 = 0; o0 < out[0]; ++o0)
        for (int64_t o1 = 0; o1 < out[1]; ++o1)
          for (int64_t o2 = 0; o2 < out[2]; ++o2) {
            float acc = m_max ? -std::numeric_limits<float>::infinity() : 0.0f;
            int64_t best = -1, count = 0;
            const int64_t st[3] = {o0 * s[0] - pl[0], o1 * s[1] - pl[1], o2 * s[2] - pl[2]};
            for (int64_t k0 = 0; k0 < k[0]; ++k0) {
              const int64_t i0 = st[0] + k0 * d[0];
              if (i0 < 0 || i0 >= in[0]) continue;
              for (int64_t k1 = 0; k1 < k[1]; ++k1) {
                const int64_t i1 = st[1] + k1 * d[1];
                if (i1 < 0 || i1 >= in[1]) continue;
                for (int64_t k2 = 0; k2 < k[2]; ++k2) {
                  const int64_t i2 = st[2] + k2 * d[2];
                  if (i2 < 0 || i2 >= in[2]) continue;
                  const float v = xp[((i0 * in[1] + i1) * in[2] + i2) * cs];
                  if (m_max) {
                    if (v > acc || best < 0) {
                      acc = v;
                      best = i0 * istr[0] + i1 * istr[1] + i2 * istr[2];
                    }
                  } else {
                    acc += v;
                    ++count;
                  }
                }
              }
            }
            const int64_t o = (o0 * out[1] + o1) * out[2] + o2;
            if (m_max) {
              yp[o * cs] = acc;
              if (indices) indices[p * outPlane + o] = p * inPlane + best;
            } else {
              if (m_includePad) {
                // The window clipped to the explicitly padded input (ceil_mode overhang is not counted).
                count = 1;
                for (int j = 0; j < 3; ++j) {
                  const int64_t lo = st[j], hi = std::min(st[j] + (k[j] - 1) * d[j] + 1, in[j] + pr[j]);
                  count *= (hi - lo + d[j] - 1) / d[j];
                }
              }
              yp[o * cs] = count > 0 ? acc / static_cast<float>(count) : 0.0f;
            }
          }
    }
  }

  ir::Node m_node;
  bool m_max = true, m_ceil = false, m_includePad = false, m_wantIndices = false, m_naive = false;
  bool m_channelsLast = false;
  int64_t m_storageOrder = 0;
  AutoPad m_autoPad = AutoPad::NotSet;
  Window m_win;
  std::vector<int64_t> m_x, m_y;
  int m_threads = 1;
  dnnl::primitive m_prim;
  dnnl::memory m_src, m_dst, m_scratch;
  std::unordered_map<int, dnnl::memory> m_args;
};

class GlobalPoolKernel final : public Kernel {
public:
  GlobalPoolKernel(const CreateContext& ctx, bool isMax)
      : m_node(ctx.node), m_max(isMax), m_channelsLast(ir::isChannelsLast(ctx.node)) {}

  Expected<std::size_t> reshape(const ReshapeContext& ctx) override {
    const auto& x = ctx.inputDims[0];
    if (x.size() < 3 || (m_channelsLast && x.size() != 4))
      return std::unexpected(kernelError(m_node, "X must have rank >= 3 (4 when channels-last)"));
    if (m_channelsLast) {
      m_planes = x[0] * x[3];
      m_channels = x[3];
      m_inner = x[1] * x[2];
    } else {
      m_planes = x[0] * x[1];
      m_inner = product(x, 2, x.size());
    }
    if (m_inner == 0) return std::unexpected(kernelError(m_node, "empty spatial extent"));
    return std::size_t{0};
  }

  Status run(std::span<const TensorRef> inputs, std::span<TensorRef> outputs, RunContext&) override {
    const float* x = inputs[0].as<const float>();
    float* y = outputs[0].as<float>();
    const int64_t inner = m_inner;
    const bool isMax = m_max;
    if (m_channelsLast) {
      runChannelsLast(x, y);
      return ok();
    }
    // A streaming sum: about 4 multiply-adds of work per element (thread_policy.h).
    const int threads = threadsFor(4 * m_planes * inner, m_planes);
#pragma omp parallel for num_threads(threads) if (threads > 1)
    for (int64_t p = 0; p < m_planes; ++p) {
      const float* xp = x + p * inner;
      if (isMax) {
        float m = xp[0];
        for (int64_t i = 1; i < inner; ++i)
          m = std::max(m, xp[i]);
        y[p] = m;
      } else {
        float s = 0.0f;
#pragma omp simd reduction(+ : s)
        for (int64_t i = 0; i < inner; ++i)
          s += xp[i];
        y[p] = s / static_cast<float>(inner);
      }
    }
    return ok();
  }

private:
  // NHWC: per image, a chunk of channels is accumulated over all pixels (rows of C contiguous floats).
  void runChannelsLast(const float* x, float* y) const {
    constexpr int64_t kChunk = 64;
    const int64_t c = m_channels, images = m_planes / std::max<int64_t>(c, 1), inner = m_inner;
    const int64_t chunks = (c + kChunk - 1) / kChunk;
    const bool isMax = m_max;
    const int threads = threadsFor(4 * m_planes * inner, images * chunks);
#pragma omp parallel for num_threads(threads) if (threads > 1)
    for (int64_t item = 0; item < images * chunks; ++item) {
      const int64_t n = item / chunks, c0 = (item % chunks) * kChunk, len = std::min(kChunk, c - c0);
      float acc[kChunk];
      const float* first = x + n * inner * c + c0;
      for (int64_t k = 0; k < len; ++k)
        acc[k] = isMax ? first[k] : 0.0f;
      for (int64_t i = isMax ? 1 : 0; i < inner; ++i) {
        const float* row = first + i * c;
        if (isMax) {
          for (int64_t k = 0; k < len; ++k)
            acc[k] = std::max(acc[k], row[k]);
        } else {
#pragma omp simd
          for (int64_t k = 0; k < len; ++k)
            acc[k] += row[k];
        }
      }
      for (int64_t k = 0; k < len; ++k)
        y[n * c + c0 + k] = isMax ? acc[k] : acc[k] / static_cast<float>(inner);
    }
  }

  ir::Node m_node;
  bool m_max = false;
  bool m_channelsLast = false;
  int64_t m_planes = 0, m_inner = 0, m_channels = 1;
};

} // namespace

Expected<std::unique_ptr<Kernel>> createMaxPool(const CreateContext& ctx) {
  auto k = std::make_unique<PoolKernel>(ctx, true);
  GS_RETURN_IF_ERROR(k->init());
  return std::unique_ptr<Kernel>(std::move(k));
}

Expected<std::unique_ptr<Kernel>> createAveragePool(const CreateContext& ctx) {
  auto k = std::make_unique<PoolKernel>(ctx, false);
  GS_RETURN_IF_ERROR(k->init());
  return std::unique_ptr<Kernel>(std::move(k));
}

Expected<std::unique_ptr<Kernel>> createGlobalAveragePool(const CreateContext& ctx) {
  return std::unique_ptr<Kernel>(std::make_unique<GlobalPoolKernel>(ctx, false));
}

Expected<std::unique_ptr<Kernel>> createGlobalMaxPool(const CreateContext& ctx) {
  return std::unique_ptr<Kernel>(std::make_unique<GlobalPoolKernel>(ctx, true));
}

bool supportsPool(const ir::Node& node, std::span<const ir::DataType> inputTypes) {
  return allInputsFloat32(node, inputTypes);
}

} // namespace gs::runtime::cpu::nn
