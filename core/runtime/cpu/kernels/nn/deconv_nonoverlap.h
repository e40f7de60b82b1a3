// ConvTranspose whose windows do not overlap (2-D, kernel == stride, no padding, no dilation, one
// group: the DB head's 2x2/2 upsampling). Every output pixel then comes from exactly one input pixel,
// so the op is one sgemm (Cout*kh*kw x Cin times Cin x pixels) followed by a scatter of the products
// into the upsampled image with bias and activation. oneDNN 2.6 runs it as a generic gemm
// deconvolution with col2im, ~10x slower on those shapes (21-40 ms vs 2-3 ms, 160x160 24->24).
#pragma once

#include <cstdint>
#include <vector>

#include "core/runtime/cpu/kernels/nn/nn_common.h"

namespace gs::runtime::cpu::nn {

class NonOverlappingDeconv {
public:
  // Whether this geometry is one this class computes (x, y: NCHW dims; w: ONNX [Cin, Cout, kh, kw]).
  static bool applies(std::span<const int64_t> x, std::span<const int64_t> w, std::span<const int64_t> y, int64_t group,
                      const Window& win);
  // Returns the workspace bytes run() needs (one row-block of products per thread).
  // channelsLast: X and Y are NHWC in memory (x given in NCHW order); the products are then one sgemm
  // X (pixels x Cin) * W (Cin x Cout*kh*kw) and the scatter writes whole channel vectors.
  std::size_t reshape(std::span<const int64_t> x, std::span<const int64_t> w, const Activation& act,
                      bool channelsLast = false);
  Status run(const ir::Node& node, const float* x, const float* w, const float* bias, float* y, void* workspace,
             std::size_t workspaceBytes) const;

private:
  int64_t m_n = 0, m_cin = 0, m_cout = 0, m_h = 0, m_w = 0, m_kh = 0, m_kw = 0;
  int64_t m_rowsPerBlock = 1, m_blocks = 0;
  int m_threads = 1;
  bool m_channelsLast = false;
  std::size_t m_blockFloats = 0;
  Activation m_act;
};

} // namespace gs::runtime::cpu::nn
