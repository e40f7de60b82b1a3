// 1-D Conv with few input channels and a long kernel (an STFT written as Conv1d: 1 channel, kernel
// 400, stride 160) as im2col + sgemm. oneDNN 2.6 picks brgconv for that shape, which vectorises over
// input channels and runs it at a few GFLOP/s (mel front end, 16 x 1 s of audio: 20 ms of CPU for
// 0.5 GFLOP); unrolling the windows into a [Cin*k, OW] matrix (cheap: the stride keeps it about as
// large as the input times k/stride) makes it one well-shaped sgemm per batch item: W [Cout, Cin*k]
// times columns [Cin*k, OW], plus bias and the fused activation.
#pragma once

#include <cstdint>
#include <vector>

#include "core/runtime/cpu/kernels/nn/nn_common.h"

namespace gs::runtime::cpu::nn {

class Im2colConv1d {
public:
  // Whether this geometry is one this class computes (x, w, y: NCW dims, ONNX weights [Cout, Cin, k]).
  static bool applies(std::span<const int64_t> x, std::span<const int64_t> w, int64_t group, bool channelsLast,
                      bool fusedAdd);
  // Returns the workspace bytes run() needs (one column matrix per thread).
  std::size_t reshape(std::span<const int64_t> x, std::span<const int64_t> w, std::span<const int64_t> y,
                      const Window& win, const Activation& act);
  Status run(const ir::Node& node, const float* x, const float* w, const float* bias, float* y, void* workspace,
             std::size_t workspaceBytes) const;

private:
  int64_t m_n = 0, m_cin = 0, m_cout = 0, m_iw = 0, m_ow = 0, m_k = 0;
  int64_t m_stride = 1, m_dilation = 1, m_padL = 0;
  int m_threads = 1;
  std::size_t m_colFloats = 0;
  Activation m_act;
};

} // namespace gs::runtime::cpu::nn
