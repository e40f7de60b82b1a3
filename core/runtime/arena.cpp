// Arena and pool allocator.
#include "core/runtime/arena.h"

#include <bit>

namespace gs::runtime {

bool Arena::grow(std::size_t bytes) {
  if (bytes <= m_size && m_data) return false;
  m_data.reset(alignedAlloc(bytes));
  m_size = bytes;
  return true;
}

PoolAllocator::~PoolAllocator() {
  for (auto* p : m_blocks)
    alignedFree(p);
}

std::size_t PoolAllocator::classIndex(std::size_t bytes) {
  if (bytes <= 64) return 0;
  const int p = std::bit_width(bytes - 1); // 2^p >= bytes > 2^(p-1)
  const std::size_t threeQuarters = std::size_t{3} << (p - 2);
  return 2 * static_cast<std::size_t>(p) + (bytes <= threeQuarters ? 0 : 1);
}

std::size_t PoolAllocator::classBytes(std::size_t bytes) {
  if (bytes <= 64) return 64;
  const int p = std::bit_width(bytes - 1);
  const std::size_t threeQuarters = std::size_t{3} << (p - 2);
  return bytes <= threeQuarters ? threeQuarters : std::size_t{1} << p;
}

std::byte* PoolAllocator::allocate(std::size_t bytes) {
  const auto idx = classIndex(bytes);
  if (idx >= m_free.size()) m_free.resize(idx + 1);
  const auto cls = classBytes(bytes);
  m_inUse += cls;
  if (m_inUse > m_peak) m_peak = m_inUse;
  auto& list = m_free[idx];
  if (!list.empty()) {
    auto* p = list.back();
    list.pop_back();
    return p;
  }
  auto* p = alignedAlloc(cls);
  m_blocks.push_back(p);
  m_reserved += cls;
  return p;
}

void PoolAllocator::release(std::byte* p, std::size_t bytes) {
  if (!p) return;
  const auto idx = classIndex(bytes);
  m_inUse -= classBytes(bytes);
  m_free[idx].push_back(p);
}

} // namespace gs::runtime
