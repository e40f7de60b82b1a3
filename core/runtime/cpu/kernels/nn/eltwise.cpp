// Vectorised elementwise math on oneDNN eltwise primitives (see eltwise.h).
#include "core/runtime/cpu/kernels/nn/eltwise.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_map>

#include <omp.h>

#include "core/runtime/cpu/kernels/nn/mvec.h"
#include "core/runtime/cpu/kernels/nn/thread_policy.h"

namespace gs::runtime::cpu::nn {

namespace {

// Element operations a transcendental costs, for the thread policy (kMinWorkPerThread units).
constexpr int64_t kCostPerElement = 16;

dnnl::algorithm algorithmOf(VectorEltwise::Fn fn) {
  using A = dnnl::algorithm;
  switch (fn) {
  case VectorEltwise::Fn::Exp:
    return A::eltwise_exp;
  case VectorEltwise::Fn::Tanh:
    return A::eltwise_tanh;
  case VectorEltwise::Fn::Sigmoid:
    return A::eltwise_logistic;
  case VectorEltwise::Fn::Sqrt:
    return A::eltwise_sqrt;
  case VectorEltwise::Fn::Erf: // libmvec, no primitive
  case VectorEltwise::Fn::Log:
    break;
  }
  return A::eltwise_exp;
}

float scalar(VectorEltwise::Fn fn, float x) {
  switch (fn) {
  case VectorEltwise::Fn::Exp:
    return std::exp(x);
  case VectorEltwise::Fn::Log:
    return std::log(x);
  case VectorEltwise::Fn::Tanh:
    return std::tanh(x);
  case VectorEltwise::Fn::Sigmoid:
    if (x >= 0) return 1.0f / (1.0f + std::exp(-x));
    return std::exp(x) / (1.0f + std::exp(x));
  case VectorEltwise::Fn::Sqrt:
    return std::sqrt(x);
  case VectorEltwise::Fn::Erf:
    return std::erf(x);
  }
  return x;
}

// Inputs outside [lo, hi] (and NaN) are recomputed by the scalar function.
struct Range {
  float lo, hi;
};
Range exactRange(VectorEltwise::Fn fn) {
  constexpr float inf = std::numeric_limits<float>::infinity();
  switch (fn) {
  case VectorEltwise::Fn::Exp:
    return {-87.0f, 88.0f}; // below: denormal results oneDNN flushes to 0; above: overflow to inf
  case VectorEltwise::Fn::Sigmoid:
    return {-87.0f, inf}; // below: results under FLT_MIN
  case VectorEltwise::Fn::Tanh:
  case VectorEltwise::Fn::Sqrt:
  case VectorEltwise::Fn::Erf:
  case VectorEltwise::Fn::Log:
    return {-inf, inf};
  }
  return {-inf, inf};
}

} // namespace

bool VectorEltwise::forOp(std::string_view op, Fn& fn) {
  static const std::unordered_map<std::string_view, Fn> kOps{{"Exp", Fn::Exp},   {"Log", Fn::Log},
                                                             {"Tanh", Fn::Tanh}, {"Sigmoid", Fn::Sigmoid},
                                                             {"Sqrt", Fn::Sqrt}, {"Erf", Fn::Erf}};
  const auto it = kOps.find(op);
  if (it == kOps.end()) return false;
  fn = it->second;
  return true;
}

Status VectorEltwise::prepare(int64_t n, int threads) {
  if (n == m_n && threads == m_threads) return ok();
  try {
    // Created with the thread count it will run with: oneDNN sizes its split when it is made.
    const ScopedMaxThreads scope(threads);
    m_md = dnnl::memory::desc({n}, dnnl::memory::data_type::f32, dnnl::memory::format_tag::a);
    const dnnl::eltwise_forward::desc d(dnnl::prop_kind::forward_inference, algorithmOf(m_fn), m_md, 0.0f, 0.0f);
    m_prim = dnnl::eltwise_forward(dnnl::eltwise_forward::primitive_desc(d, dnnlEngine()));
  } catch (const dnnl::error& e) {
    m_n = -1;
    return std::unexpected(Error{codes::kRuntime, std::string("oneDNN eltwise: ") + e.what()});
  }
  m_n = n;
  m_threads = threads;
  return ok();
}

void VectorEltwise::collectSpecials(const float* x, int64_t n) {
  m_special.clear();
  // vsqrtps is IEEE sqrt (NaN, negatives, -0 and inf come out as libm's); libmvec follows libm itself.
  if (m_fn == Fn::Sqrt || m_fn == Fn::Erf || m_fn == Fn::Log) return;
  const Range r = exactRange(m_fn);
  for (int64_t i = 0; i < n; ++i)
    if (!(x[i] >= r.lo && x[i] <= r.hi)) m_special.emplace_back(i, x[i]);
}

Status VectorEltwise::run(const float* x, float* y, int64_t n, int threads) {
  if (n <= 0) return ok();
  if (threads <= 0) threads = threadsFor(n * kCostPerElement, n / 1024 + 1);
  if (m_fn == Fn::Erf || m_fn == Fn::Log) {
    // Chunks of whole 64-byte lines per thread.
    const int64_t per = ((n + threads - 1) / threads + 15) / 16 * 16;
#pragma omp parallel for num_threads(threads) schedule(static) if (threads > 1)
    for (int t = 0; t < threads; ++t) {
      const int64_t b = std::min<int64_t>(n, t * per), e = std::min<int64_t>(n, b + per);
      if (e > b) (m_fn == Fn::Erf ? mvec::erf : mvec::log)(x + b, y + b, e - b);
    }
    return ok();
  }
  GS_RETURN_IF_ERROR(prepare(n, threads));
  // Found before the primitive runs: in place, it overwrites them.
  collectSpecials(x, n);
  try {
    const ScopedMaxThreads scope(threads);
    dnnl::memory src(m_md, dnnlEngine(), const_cast<float*>(x));
    dnnl::memory dst(m_md, dnnlEngine(), y);
    m_prim.execute(dnnlStream(), {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}});
    dnnlStream().wait();
  } catch (const dnnl::error& e) {
    return std::unexpected(Error{codes::kRuntime, std::string("oneDNN eltwise: ") + e.what()});
  }
  for (const auto& [i, v] : m_special)
    y[i] = scalar(m_fn, v);
  return ok();
}

} // namespace gs::runtime::cpu::nn
