// libmvec dispatch (see mvec.h). The vector variants use the x86-64 vector function ABI names
// (_ZGV<isa>N<lanes>v_<name>); each width is called from a function compiled for that ISA.
#include "core/runtime/cpu/kernels/nn/mvec.h"

#include <cstring>

#include <immintrin.h>

extern "C" __m128 _ZGVbN4v_erff(__m128);
extern "C" __m128 _ZGVbN4v_logf(__m128);
extern "C" __m128 _ZGVbN4v_expf(__m128);
extern "C" __m128 _ZGVbN4v_tanhf(__m128);

#pragma GCC push_options
#pragma GCC target("avx2,fma")
extern "C" __m256 _ZGVdN8v_erff(__m256);
extern "C" __m256 _ZGVdN8v_logf(__m256);
extern "C" __m256 _ZGVdN8v_expf(__m256);
extern "C" __m256 _ZGVdN8v_tanhf(__m256);
#pragma GCC pop_options

#pragma GCC push_options
#pragma GCC target("avx512f")
extern "C" __m512 _ZGVeN16v_erff(__m512);
extern "C" __m512 _ZGVeN16v_logf(__m512);
extern "C" __m512 _ZGVeN16v_expf(__m512);
extern "C" __m512 _ZGVeN16v_tanhf(__m512);
#pragma GCC pop_options

namespace gs::runtime::cpu::nn::mvec {

namespace {

// The tail (fewer than a vector's lanes) goes through a zero-padded vector, so every element gets
// the same implementation.
template <__m128 (*F)(__m128)> void sse(const float* x, float* y, int64_t n) {
  int64_t i = 0;
  for (; i + 4 <= n; i += 4)
    _mm_storeu_ps(y + i, F(_mm_loadu_ps(x + i)));
  if (i < n) {
    alignas(16) float buf[4] = {1, 1, 1, 1};
    std::memcpy(buf, x + i, static_cast<std::size_t>(n - i) * sizeof(float));
    _mm_store_ps(buf, F(_mm_load_ps(buf)));
    std::memcpy(y + i, buf, static_cast<std::size_t>(n - i) * sizeof(float));
  }
}

#pragma GCC push_options
#pragma GCC target("avx2,fma")
template <__m256 (*F)(__m256)> void avx2(const float* x, float* y, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    _mm256_storeu_ps(y + i, F(_mm256_loadu_ps(x + i)));
  if (i < n) {
    alignas(32) float buf[8] = {1, 1, 1, 1, 1, 1, 1, 1};
    std::memcpy(buf, x + i, static_cast<std::size_t>(n - i) * sizeof(float));
    _mm256_store_ps(buf, F(_mm256_load_ps(buf)));
    std::memcpy(y + i, buf, static_cast<std::size_t>(n - i) * sizeof(float));
  }
}
#pragma GCC pop_options

#pragma GCC push_options
#pragma GCC target("avx512f")
template <__m512 (*F)(__m512)> void avx512(const float* x, float* y, int64_t n) {
  int64_t i = 0;
  for (; i + 16 <= n; i += 16)
    _mm512_storeu_ps(y + i, F(_mm512_loadu_ps(x + i)));
  if (i < n) {
    alignas(64) float buf[16];
    for (auto& v : buf)
      v = 1.0f; // a harmless input for the unused lanes
    std::memcpy(buf, x + i, static_cast<std::size_t>(n - i) * sizeof(float));
    _mm512_store_ps(buf, F(_mm512_load_ps(buf)));
    std::memcpy(y + i, buf, static_cast<std::size_t>(n - i) * sizeof(float));
  }
}
#pragma GCC pop_options

using Fn = void (*)(const float*, float*, int64_t);

enum class Isa { Sse, Avx2, Avx512 };

Isa isa() {
  static const Isa v = [] {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) return Isa::Avx512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return Isa::Avx2;
    return Isa::Sse;
  }();
  return v;
}

} // namespace

void erf(const float* x, float* y, int64_t n) {
  static const Fn fn = isa() == Isa::Avx512 ? avx512<_ZGVeN16v_erff>
                       : isa() == Isa::Avx2 ? avx2<_ZGVdN8v_erff>
                                            : sse<_ZGVbN4v_erff>;
  fn(x, y, n);
}

void log(const float* x, float* y, int64_t n) {
  static const Fn fn = isa() == Isa::Avx512 ? avx512<_ZGVeN16v_logf>
                       : isa() == Isa::Avx2 ? avx2<_ZGVdN8v_logf>
                                            : sse<_ZGVbN4v_logf>;
  fn(x, y, n);
}

void exp(const float* x, float* y, int64_t n) {
  static const Fn fn = isa() == Isa::Avx512 ? avx512<_ZGVeN16v_expf>
                       : isa() == Isa::Avx2 ? avx2<_ZGVdN8v_expf>
                                            : sse<_ZGVbN4v_expf>;
  fn(x, y, n);
}

void tanh(const float* x, float* y, int64_t n) {
  static const Fn fn = isa() == Isa::Avx512 ? avx512<_ZGVeN16v_tanhf>
                       : isa() == Isa::Avx2 ? avx2<_ZGVdN8v_tanhf>
                                            : sse<_ZGVbN4v_tanhf>;
  fn(x, y, n);
}

void sigmoid(float* x, int64_t n) {
  // 1 / (1 + exp(-x)): exp(-x) overflows to inf for very negative x, giving 0; NaN stays NaN.
  for (int64_t i = 0; i < n; ++i)
    x[i] = -x[i];
  exp(x, x, n);
  for (int64_t i = 0; i < n; ++i)
    x[i] = 1.0f / (1.0f + x[i]);
}

} // namespace gs::runtime::cpu::nn::mvec
