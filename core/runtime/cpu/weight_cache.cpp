// Packed-weight cache shared by every gear of a model.
#include "core/runtime/cpu/kernel.h"

namespace gs::runtime::cpu {

std::shared_ptr<const void>
WeightCache::getOrCreate(const void* source, const std::string& key,
                         const std::function<std::shared_ptr<const void>(std::size_t& bytes)>& make) {
  const std::string fullKey = std::to_string(reinterpret_cast<std::uintptr_t>(source)) + "/" + key;
  std::lock_guard lock(m_mutex);
  if (auto it = m_entries.find(fullKey); it != m_entries.end()) return it->second;
  std::size_t bytes = 0;
  auto packed = make(bytes);
  m_bytes += bytes;
  m_entries.emplace(fullKey, packed);
  return packed;
}

std::size_t WeightCache::bytes() const {
  std::lock_guard lock(m_mutex);
  return m_bytes;
}

} // namespace gs::runtime::cpu
