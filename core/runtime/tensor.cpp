// Host tensors with aligned storage.
#include "core/runtime/tensor.h"

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <new>

namespace gs::runtime {
namespace {
std::atomic<uint64_t> g_allocCount{0};
}

uint64_t alignedAllocCount() { return g_allocCount.load(std::memory_order_relaxed); }

std::byte* alignedAlloc(std::size_t bytes) {
  g_allocCount.fetch_add(1, std::memory_order_relaxed);
  const std::size_t rounded = ((bytes + 63) / 64) * 64;
  void* p = std::aligned_alloc(64, rounded == 0 ? 64 : rounded);
  if (!p) throw std::bad_alloc();
  return static_cast<std::byte*>(p);
}

void alignedFree(std::byte* p) { std::free(p); }

void HostTensor::FreeDeleter::operator()(std::byte* p) const { alignedFree(p); }

HostTensor::HostTensor(ir::DataType dtype, std::vector<int64_t> dims) {
  m_ref.dtype = dtype;
  m_ref.dims = std::move(dims);
  const auto bytes = m_ref.byteSize();
  m_storage.reset(alignedAlloc(bytes));
  std::memset(m_storage.get(), 0, bytes == 0 ? 1 : bytes);
  m_ref.data = m_storage.get();
}

HostTensor HostTensor::fromIr(const ir::Tensor& t) {
  HostTensor h(t.dtype, t.dims);
  if (t.data() && h.byteSize()) std::memcpy(h.data(), t.data(), h.byteSize());
  return h;
}

} // namespace gs::runtime
