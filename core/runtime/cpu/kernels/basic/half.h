// 16-bit float types for Cast: IEEE half (float16) and bfloat16, stored as raw bits, converted
// through float with round-to-nearest-even (NaN stays NaN, overflow goes to infinity).
#pragma once

#include <cstdint>
#include <cstring>

namespace gs::runtime::cpu::basic {

inline uint32_t floatBits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}
inline float bitsFloat(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

struct Half {
  uint16_t bits = 0;
  Half() = default;
  explicit Half(float f) : bits(fromFloat(f)) {}
  explicit operator float() const { return toFloat(bits); }

  static uint16_t fromFloat(float f) {
    const uint32_t u = floatBits(f);
    const uint32_t sign = (u >> 16) & 0x8000u;
    const uint32_t absu = u & 0x7fffffffu;
    if (absu >= 0x7f800000u) return static_cast<uint16_t>(sign | (absu > 0x7f800000u ? 0x7e00u : 0x7c00u));
    if (absu >= 0x477ff000u) return static_cast<uint16_t>(sign | 0x7c00u); // rounds to >= 65520: inf
    if (absu < 0x38800000u) {
      // Subnormal half (or zero): scale by 2^24 via float addition, which rounds to nearest even.
      const float a = bitsFloat(absu);
      const float r = a + 0.5f; // 0.5 = 2^-1: the half subnormal step 2^-24 lands in the low mantissa bits
      return static_cast<uint16_t>(sign | (floatBits(r) - floatBits(0.5f)));
    }
    // Normal: rebias the exponent, round the 13 dropped mantissa bits to nearest even.
    const uint32_t mant = absu + 0xc8000fffu + ((absu >> 13) & 1u);
    return static_cast<uint16_t>(sign | (mant >> 13));
  }
  static float toFloat(uint16_t h) {
    const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
    const uint32_t exp = (h >> 10) & 0x1fu;
    const uint32_t mant = h & 0x3ffu;
    if (exp == 0) {
      const float v = static_cast<float>(mant) * 5.9604644775390625e-8f; // mant * 2^-24
      return bitsFloat(floatBits(v) | sign);
    }
    if (exp == 31) return bitsFloat(sign | 0x7f800000u | (mant << 13));
    return bitsFloat(sign | ((exp + 112u) << 23) | (mant << 13));
  }
};

struct BFloat16 {
  uint16_t bits = 0;
  BFloat16() = default;
  explicit BFloat16(float f) : bits(fromFloat(f)) {}
  explicit operator float() const { return bitsFloat(static_cast<uint32_t>(bits) << 16); }

  static uint16_t fromFloat(float f) {
    const uint32_t u = floatBits(f);
    if ((u & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((u >> 16) | 0x40u); // quiet NaN
    return static_cast<uint16_t>((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
  }
};

} // namespace gs::runtime::cpu::basic
