// Run-time memory: the Arena (the one activation buffer a model's gears share, and the workspace
// buffer of its kernels) and the PoolAllocator of dynamic execution (size-bucketed free lists, so
// repeated runs with the same shapes reuse blocks instead of calling malloc).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "core/runtime/tensor.h"

namespace gs::runtime {

// One 64-byte aligned buffer. grow() may reallocate, so users keep the Arena, not its pointer,
// except for static plans, whose arena is sized once before any plan binds to it.
class Arena {
public:
  // Ensures at least `bytes` (contents are not preserved). Returns true when it reallocated.
  bool grow(std::size_t bytes);
  std::byte* data() const { return m_data.get(); }
  std::size_t size() const { return m_size; }

private:
  struct Free {
    void operator()(std::byte* p) const { alignedFree(p); }
  };
  std::unique_ptr<std::byte[], Free> m_data;
  std::size_t m_size = 0;
};

class PoolAllocator {
public:
  PoolAllocator() = default;
  PoolAllocator(const PoolAllocator&) = delete;
  PoolAllocator& operator=(const PoolAllocator&) = delete;
  ~PoolAllocator();

  // 64-byte aligned block of at least `bytes` (never null, also for 0 bytes).
  std::byte* allocate(std::size_t bytes);
  // Returns a block from allocate(bytes) (same byte count) to its free list.
  void release(std::byte* p, std::size_t bytes);

  std::size_t reservedBytes() const { return m_reserved; } // every block ever made
  std::size_t inUseBytes() const { return m_inUse; }
  std::size_t peakInUseBytes() const { return m_peak; }
  // The size class a request of `bytes` is served from (64, 96, 128, 192, 256, ...).
  static std::size_t classBytes(std::size_t bytes);

private:
  static std::size_t classIndex(std::size_t bytes);
  std::vector<std::vector<std::byte*>> m_free; // per size class
  std::vector<std::byte*> m_blocks;            // everything allocated, freed in the destructor
  std::size_t m_reserved = 0;
  std::size_t m_inUse = 0;
  std::size_t m_peak = 0;
};

} // namespace gs::runtime
