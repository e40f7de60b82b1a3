// Vectorised elementwise math on oneDNN's eltwise primitives (jit-compiled for the CPU's vector width)
// instead of one libm call per element; Erf (which oneDNN lacks) and Log (where oneDNN's is ~30 ulp
// off near 1) on glibc's libmvec (mvec.h). Used by
// the float32 unary kernels (Exp, Log, Tanh, Sigmoid, Sqrt, Erf: unary_vector.h).
//
// Where oneDNN's results differ from the C library's at special inputs, a cheap scan afterwards
// recomputes those elements with the scalar function, so the ONNX semantics stay exactly libm's
// there: NaN stays NaN (oneDNN's clamps turn it into a number), exp overflows to +inf and underflows
// to 0 (oneDNN saturates at FLT_MAX and flushes).
// Elsewhere the results are within a few ulp of libm (tests/runtime/test_eltwise.cpp measures it).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "core/runtime/cpu/kernels/nn/nn_common.h"

namespace gs::runtime::cpu::nn {

class VectorEltwise {
public:
  enum class Fn { Exp, Log, Tanh, Sigmoid, Sqrt, Erf };
  // The function for an ONNX unary op name, or false when there is none here.
  static bool forOp(std::string_view op, Fn& fn);

  explicit VectorEltwise(Fn fn) : m_fn(fn) {}
  // y[i] = f(x[i]) for n contiguous floats (y may equal x). `threads`: the most OpenMP threads to use
  // (0: chosen from n by the thread policy). Not safe to call concurrently on one object.
  Status run(const float* x, float* y, int64_t n, int threads = 0);

private:
  Status prepare(int64_t n, int threads);
  void collectSpecials(const float* x, int64_t n);

  Fn m_fn;
  int64_t m_n = -1;
  int m_threads = 0;
  dnnl::eltwise_forward m_prim;
  dnnl::memory::desc m_md;
  std::vector<std::pair<int64_t, float>> m_special; // (index, input) recomputed by the scalar function
};

} // namespace gs::runtime::cpu::nn
