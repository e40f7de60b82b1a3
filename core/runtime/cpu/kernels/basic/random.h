// Random numbers for the kernels that draw them (Dropout in training mode). With a seed the stream is
// NumPy's legacy RandomState(seed): MT19937 seeded by init_genrand(seed), doubles built from two
// 32-bit draws with 53 bits (random_sample), so a seeded node gives the values NumPy's reference
// implementation gives. Without a seed the generator is seeded from std::random_device.
#pragma once

#include <cstdint>
#include <optional>
#include <random>

namespace gs::runtime::cpu::basic {

class Mt19937Uniform {
public:
  explicit Mt19937Uniform(std::optional<int64_t> seed);
  // A double in [0, 1) with 53 random bits: ((a >> 5) * 2^26 + (b >> 6)) / 2^53.
  double next();

private:
  std::mt19937 m_gen;
};

} // namespace gs::runtime::cpu::basic
