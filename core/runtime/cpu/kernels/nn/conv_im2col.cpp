// 1-D Conv as im2col + sgemm (see conv_im2col.h).
#include "core/runtime/cpu/kernels/nn/conv_im2col.h"

#include <algorithm>
#include <cstring>

#include <omp.h>

#include "core/runtime/cpu/kernels/nn/thread_policy.h"

namespace gs::runtime::cpu::nn {

namespace {
// brgconv vectorises over input channels: below this many it idles most of each vector.
constexpr int64_t kMaxInputChannels = 4;
// Short kernels are cheap for oneDNN's direct kernels (and im2col would copy the input k times).
constexpr int64_t kMinKernel = 32;
} // namespace

bool Im2colConv1d::applies(std::span<const int64_t> x, std::span<const int64_t> w, int64_t group, bool channelsLast,
                           bool fusedAdd) {
  return x.size() == 3 && w.size() == 3 && group == 1 && !channelsLast && !fusedAdd && x[1] <= kMaxInputChannels &&
         w[2] >= kMinKernel;
}

std::size_t Im2colConv1d::reshape(std::span<const int64_t> x, std::span<const int64_t> w, std::span<const int64_t> y,
                                  const Window& win, const Activation& act) {
  m_n = x[0];
  m_cin = x[1];
  m_iw = x[2];
  m_cout = w[0];
  m_k = w[2];
  m_ow = y[2];
  m_stride = win.strides[0];
  m_dilation = win.dilations[0];
  m_padL = win.padL[0];
  m_act = act;
  m_colFloats = static_cast<std::size_t>(m_cin * m_k * m_ow);
  // Batch items are independent: one per thread. A single item leaves the split to the sgemm.
  m_threads = m_n > 1 ? threadsFor(m_n * m_cout * m_cin * m_k * m_ow, m_n) : 1;
  return static_cast<std::size_t>(m_threads) * alignUp(m_colFloats * sizeof(float));
}

Status Im2colConv1d::run(const ir::Node& node, const float* x, const float* w, const float* bias, float* y,
                         void* workspace, std::size_t workspaceBytes) const {
  const std::size_t perThread = alignUp(m_colFloats * sizeof(float));
  if (workspaceBytes < perThread * static_cast<std::size_t>(m_threads) || !workspace)
    return std::unexpected(kernelError(node, "workspace too small", codes::kInternal));
  const int64_t kk = m_cin * m_k;
  auto item = [&](int64_t n, float* col) -> bool {
    // col[c*k + t][o] = x[n][c][o*stride + t*dilation - padL], zero outside the input.
    for (int64_t c = 0; c < m_cin; ++c) {
      const float* xc = x + (n * m_cin + c) * m_iw;
      for (int64_t t = 0; t < m_k; ++t) {
        float* row = col + (c * m_k + t) * m_ow;
        const int64_t off = t * m_dilation - m_padL;
        for (int64_t o = 0; o < m_ow; ++o) {
          const int64_t i = o * m_stride + off;
          row[o] = (i >= 0 && i < m_iw) ? xc[i] : 0.0f;
        }
      }
    }
    float* yn = y + n * m_cout * m_ow;
    if (dnnl_sgemm('N', 'N', m_cout, m_ow, kk, 1.0f, w, kk, col, m_ow, 0.0f, yn, m_ow) != dnnl_success) return false;
    for (int64_t m = 0; m < m_cout; ++m) {
      float* ym = yn + m * m_ow;
      if (bias) {
        const float b = bias[m];
        for (int64_t o = 0; o < m_ow; ++o)
          ym[o] += b;
      }
    }
    applyActivation(yn, m_cout * m_ow, m_act);
    return true;
  };
  auto* ws = static_cast<std::byte*>(workspace);
  int failed = 0;
  if (m_threads == 1) {
    for (int64_t n = 0; n < m_n && !failed; ++n)
      failed = item(n, reinterpret_cast<float*>(ws)) ? 0 : 1;
  } else {
#pragma omp parallel for num_threads(m_threads) schedule(static) reduction(| : failed)
    for (int64_t n = 0; n < m_n; ++n)
      failed |=
          item(n, reinterpret_cast<float*>(ws + perThread * static_cast<std::size_t>(omp_get_thread_num()))) ? 0 : 1;
  }
  if (failed) return std::unexpected(kernelError(node, "sgemm failed"));
  return ok();
}

} // namespace gs::runtime::cpu::nn
