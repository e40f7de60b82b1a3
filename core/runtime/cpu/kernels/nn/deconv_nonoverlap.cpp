// Non-overlapping ConvTranspose as sgemm + scatter (see deconv_nonoverlap.h).
#include "core/runtime/cpu/kernels/nn/deconv_nonoverlap.h"

#include <algorithm>

#include <omp.h>

#include "core/runtime/cpu/kernels/nn/thread_policy.h"

namespace gs::runtime::cpu::nn {

namespace {
// Products per block: ~64K floats keep one block of the sgemm result in L2 while it is scattered.
constexpr int64_t kBlockFloats = 64 * 1024;
} // namespace

bool NonOverlappingDeconv::applies(std::span<const int64_t> x, std::span<const int64_t> w, std::span<const int64_t> y,
                                   int64_t group, const Window& win) {
  if (x.size() != 4 || w.size() != 4 || y.size() != 4 || group != 1) return false;
  for (std::size_t i = 0; i < 2; ++i) {
    if (win.kernel[i] != win.strides[i] || win.dilations[i] != 1 || win.padL[i] != 0 || win.padR[i] != 0) return false;
    if (y[i + 2] != x[i + 2] * win.strides[i]) return false;
  }
  return true;
}

std::size_t NonOverlappingDeconv::reshape(std::span<const int64_t> x, std::span<const int64_t> w, const Activation& act,
                                          bool channelsLast) {
  m_channelsLast = channelsLast;
  m_n = x[0];
  m_cin = x[1];
  m_h = x[2];
  m_w = x[3];
  m_cout = w[1];
  m_kh = w[2];
  m_kw = w[3];
  m_act = act;
  const int64_t rows = m_cout * m_kh * m_kw; // sgemm rows: one per (output channel, kernel offset)
  m_rowsPerBlock = std::clamp<int64_t>(kBlockFloats / std::max<int64_t>(rows * m_w, 1), 1, m_h);
  m_blocks = (m_h + m_rowsPerBlock - 1) / m_rowsPerBlock;
  const int64_t work = m_n * rows * m_h * m_w * m_cin;
  m_threads = threadsFor(work, m_n * m_blocks);
  m_blockFloats = static_cast<std::size_t>(rows * m_rowsPerBlock * m_w);
  return static_cast<std::size_t>(m_threads) * alignUp(m_blockFloats * sizeof(float));
}

Status NonOverlappingDeconv::run(const ir::Node& node, const float* x, const float* w, const float* bias, float* y,
                                 void* workspace, std::size_t workspaceBytes) const {
  const std::size_t perThread = alignUp(m_blockFloats * sizeof(float));
  if (workspaceBytes < perThread * static_cast<std::size_t>(m_threads) || !workspace)
    return std::unexpected(kernelError(node, "workspace too small", codes::kInternal));
  const int64_t rows = m_cout * m_kh * m_kw, hw = m_h * m_w;
  const int64_t oh = m_h * m_kh, ow = m_w * m_kw;
  const int64_t items = m_n * m_blocks;
  // NHWC: t[cols x rows] = X[n][h0:h0+nh, :, :] (pixels x Cin) * W (Cin x rows), then each output
  // pixel's channel vector is gathered from its product row (stride kh*kw) with bias added.
  auto blockNhwc = [&](int64_t item, float* t) -> bool {
    const int64_t n = item / m_blocks, h0 = (item % m_blocks) * m_rowsPerBlock;
    const int64_t nh = std::min(m_rowsPerBlock, m_h - h0), cols = nh * m_w;
    const float* xb = x + (n * m_h + h0) * m_w * m_cin;
    if (dnnl_sgemm('N', 'N', cols, rows, m_cin, 1.0f, xb, m_cin, w, rows, 0.0f, t, rows) != dnnl_success) return false;
    const int64_t kk = m_kh * m_kw;
    for (int64_t h = 0; h < nh; ++h)
      for (int64_t v = 0; v < m_w; ++v) {
        const float* tp = t + (h * m_w + v) * rows;
        for (int64_t i = 0; i < m_kh; ++i)
          for (int64_t j = 0; j < m_kw; ++j) {
            float* yp = y + ((n * oh + (h0 + h) * m_kh + i) * ow + v * m_kw + j) * m_cout;
            const float* src = tp + i * m_kw + j;
            if (bias) {
              for (int64_t co = 0; co < m_cout; ++co)
                yp[co] = src[co * kk] + bias[co];
            } else {
              for (int64_t co = 0; co < m_cout; ++co)
                yp[co] = src[co * kk];
            }
          }
      }
    applyActivation(y + (n * oh + h0 * m_kh) * ow * m_cout, nh * m_kh * ow * m_cout, m_act);
    return true;
  };
  auto block = [&](int64_t item, float* t) -> bool {
    if (m_channelsLast) return blockNhwc(item, t);
    const int64_t n = item / m_blocks, h0 = (item % m_blocks) * m_rowsPerBlock;
    const int64_t nh = std::min(m_rowsPerBlock, m_h - h0), cols = nh * m_w;
    // t[rows x cols] = W^T (rows x Cin; ONNX W is Cin x rows) * X[n][:, h0:h0+nh, :] (Cin x cols).
    const float* xb = x + n * m_cin * hw + h0 * m_w;
    if (dnnl_sgemm('T', 'N', rows, cols, m_cin, 1.0f, w, rows, xb, hw, 0.0f, t, cols) != dnnl_success) return false;
    for (int64_t co = 0; co < m_cout; ++co) {
      const float b = bias ? bias[co] : 0.0f;
      float* yc = y + (n * m_cout + co) * oh * ow;
      for (int64_t i = 0; i < m_kh; ++i)
        for (int64_t j = 0; j < m_kw; ++j) {
          const float* tr = t + ((co * m_kh + i) * m_kw + j) * cols;
          for (int64_t h = 0; h < nh; ++h) {
            float* yr = yc + ((h0 + h) * m_kh + i) * ow + j;
            const float* src = tr + h * m_w;
            for (int64_t v = 0; v < m_w; ++v)
              yr[v * m_kw] = src[v] + b;
          }
        }
      // The block's output rows of this channel are contiguous: apply the activation there.
      applyActivation(yc + h0 * m_kh * ow, nh * m_kh * ow, m_act);
    }
    return true;
  };
  auto* ws = static_cast<std::byte*>(workspace);
  int failed = 0;
  if (m_threads == 1) {
    const ScopedMaxThreads serial(1); // keeps oneDNN's sgemm on this thread too
    for (int64_t item = 0; item < items && !failed; ++item)
      failed = block(item, reinterpret_cast<float*>(ws)) ? 0 : 1;
  } else {
#pragma omp parallel for num_threads(m_threads) schedule(static) reduction(| : failed)
    for (int64_t item = 0; item < items; ++item)
      failed |= block(item, reinterpret_cast<float*>(ws + perThread * static_cast<std::size_t>(omp_get_thread_num())))
                    ? 0
                    : 1;
  }
  if (failed) return std::unexpected(kernelError(node, "sgemm failed"));
  return ok();
}

} // namespace gs::runtime::cpu::nn
