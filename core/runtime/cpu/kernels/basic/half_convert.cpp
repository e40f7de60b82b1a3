// Bulk 16-bit float conversions (see half_convert.h). The AVX-512 and F16C paths are compiled for
// their ISA with target attributes and chosen once by a CPU check, so the build needs no -march.
#include "core/runtime/cpu/kernels/basic/half_convert.h"

#include <immintrin.h>

#include "core/runtime/cpu/kernels/basic/half.h"
#include "core/runtime/cpu/kernels/basic/parallel.h"

// GCC 12 flags the deliberately undefined registers inside its own AVX-512 intrinsics
// (_mm512_undefined_*) as "may be used uninitialized" once they are inlined here: a known false
// positive of the compiler's headers, not of this code.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace gs::runtime::cpu::basic {
namespace {

enum class Isa { Scalar, F16c, Avx512 };

Isa detectIsa() {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")) return Isa::Avx512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("f16c")) return Isa::F16c;
  return Isa::Scalar;
}

Isa isa() {
  static const Isa detected = detectIsa();
  return detected;
}

// Scalar forms: the reference the vector paths agree with bit for bit (tests/kernels_basic).
void halfToFloatScalar(const uint16_t* s, float* d, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i)
    d[i] = Half::toFloat(s[i]);
}
void floatToHalfScalar(const float* s, uint16_t* d, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i)
    d[i] = Half::fromFloat(s[i]);
}
void bfloat16ToFloatScalar(const uint16_t* s, float* d, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i)
    d[i] = bitsFloat(static_cast<uint32_t>(s[i]) << 16);
}
void floatToBfloat16Scalar(const float* s, uint16_t* d, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i)
    d[i] = BFloat16::fromFloat(s[i]);
}

__attribute__((target("avx2,f16c"))) void halfToFloatF16c(const uint16_t* s, float* d, std::size_t n) {
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8)
    _mm256_storeu_ps(d + i, _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i))));
  halfToFloatScalar(s + i, d + i, n - i);
}
__attribute__((target("avx2,f16c"))) void floatToHalfF16c(const float* s, uint16_t* d, std::size_t n) {
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8)
    _mm_storeu_si128(reinterpret_cast<__m128i*>(d + i),
                     _mm256_cvtps_ph(_mm256_loadu_ps(s + i), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
  floatToHalfScalar(s + i, d + i, n - i);
}

__attribute__((target("avx512f,avx512bw"))) void halfToFloatAvx512(const uint16_t* s, float* d, std::size_t n) {
  std::size_t i = 0;
  for (; i + 16 <= n; i += 16)
    _mm512_storeu_ps(d + i, _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(s + i))));
  halfToFloatScalar(s + i, d + i, n - i);
}
__attribute__((target("avx512f,avx512bw"))) void floatToHalfAvx512(const float* s, uint16_t* d, std::size_t n) {
  std::size_t i = 0;
  for (; i + 16 <= n; i += 16)
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(d + i),
                        _mm512_cvtps_ph(_mm512_loadu_ps(s + i), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
  floatToHalfScalar(s + i, d + i, n - i);
}
__attribute__((target("avx512f,avx512bw"))) void bfloat16ToFloatAvx512(const uint16_t* s, float* d, std::size_t n) {
  std::size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m512i w = _mm512_cvtepu16_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(s + i)));
    _mm512_storeu_si512(d + i, _mm512_slli_epi32(w, 16));
  }
  bfloat16ToFloatScalar(s + i, d + i, n - i);
}
// Round to nearest even on the bit pattern (as BFloat16::fromFloat); NaN keeps its sign and top
// mantissa bits and is made quiet. (AVX512_BF16's vcvtneps2bf16 would flush denormals to zero.)
__attribute__((target("avx512f,avx512bw"))) void floatToBfloat16Avx512(const float* s, uint16_t* d, std::size_t n) {
  const __m512i one = _mm512_set1_epi32(1);
  const __m512i bias = _mm512_set1_epi32(0x7fff);
  const __m512i absMask = _mm512_set1_epi32(0x7fffffff);
  const __m512i inf = _mm512_set1_epi32(0x7f800000);
  const __m512i quiet = _mm512_set1_epi32(0x40);
  std::size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m512i u = _mm512_castps_si512(_mm512_loadu_ps(s + i));
    const __m512i hi = _mm512_srli_epi32(u, 16);
    const __m512i lsb = _mm512_and_si512(hi, one);
    __m512i r = _mm512_srli_epi32(_mm512_add_epi32(u, _mm512_add_epi32(bias, lsb)), 16);
    const __mmask16 nan = _mm512_cmpgt_epu32_mask(_mm512_and_si512(u, absMask), inf);
    r = _mm512_mask_mov_epi32(r, nan, _mm512_or_si512(hi, quiet));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(d + i), _mm512_cvtepi32_epi16(r));
  }
  floatToBfloat16Scalar(s + i, d + i, n - i);
}

// Splits [0, n) over the threads (conversions are memory bound: only large arrays are worth it).
template <class S, class D, class F> void convert(const S* s, D* d, std::size_t n, F f) {
  parallelFor(static_cast<int64_t>(n), kGrainCopy,
              [&](int64_t b, int64_t e) { f(s + b, d + b, static_cast<std::size_t>(e - b)); });
}

} // namespace

void halfToFloat(const uint16_t* src, float* dst, std::size_t n) {
  switch (isa()) {
  case Isa::Avx512:
    return convert(src, dst, n, halfToFloatAvx512);
  case Isa::F16c:
    return convert(src, dst, n, halfToFloatF16c);
  case Isa::Scalar:
    break;
  }
  convert(src, dst, n, halfToFloatScalar);
}

void floatToHalf(const float* src, uint16_t* dst, std::size_t n) {
  switch (isa()) {
  case Isa::Avx512:
    return convert(src, dst, n, floatToHalfAvx512);
  case Isa::F16c:
    return convert(src, dst, n, floatToHalfF16c);
  case Isa::Scalar:
    break;
  }
  convert(src, dst, n, floatToHalfScalar);
}

void bfloat16ToFloat(const uint16_t* src, float* dst, std::size_t n) {
  if (isa() == Isa::Avx512) return convert(src, dst, n, bfloat16ToFloatAvx512);
  convert(src, dst, n, bfloat16ToFloatScalar);
}

void floatToBfloat16(const float* src, uint16_t* dst, std::size_t n) {
  if (isa() == Isa::Avx512) return convert(src, dst, n, floatToBfloat16Avx512);
  convert(src, dst, n, floatToBfloat16Scalar);
}

void widenToFloat(ir::DataType from, const void* src, float* dst, std::size_t n) {
  const auto* s = static_cast<const uint16_t*>(src);
  if (from == ir::DataType::Float16) halfToFloat(s, dst, n);
  if (from == ir::DataType::BFloat16) bfloat16ToFloat(s, dst, n);
}

void narrowFromFloat(ir::DataType to, const float* src, void* dst, std::size_t n) {
  auto* d = static_cast<uint16_t*>(dst);
  if (to == ir::DataType::Float16) floatToHalf(src, d, n);
  if (to == ir::DataType::BFloat16) floatToBfloat16(src, d, n);
}

} // namespace gs::runtime::cpu::basic

#pragma GCC diagnostic pop
