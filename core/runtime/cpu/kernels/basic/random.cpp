// The NumPy-compatible uniform stream (see random.h).
#include "core/runtime/cpu/kernels/basic/random.h"

namespace gs::runtime::cpu::basic {

Mt19937Uniform::Mt19937Uniform(std::optional<int64_t> seed)
    : m_gen(seed ? static_cast<std::mt19937::result_type>(static_cast<uint64_t>(*seed) & 0xffffffffu)
                 : std::random_device{}()) {}

double Mt19937Uniform::next() {
  const uint32_t a = static_cast<uint32_t>(m_gen()) >> 5;
  const uint32_t b = static_cast<uint32_t>(m_gen()) >> 6;
  return (static_cast<double>(a) * 67108864.0 + static_cast<double>(b)) / 9007199254740992.0;
}

} // namespace gs::runtime::cpu::basic
