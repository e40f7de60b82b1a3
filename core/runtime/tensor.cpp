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

HostTensor randomTensor(ir::DataType dtype, const std::vector<int64_t>& dims, std::mt19937& rng) {
  HostTensor t(dtype, dims);
  std::uniform_real_distribution<float> real(0.0f, 1.0f);
  std::uniform_int_distribution<int> small(0, 9);
  const auto n = t.numel();
  for (int64_t i = 0; i < n; ++i) {
    switch (dtype) {
    case ir::DataType::Float32:
      t.as<float>()[i] = real(rng);
      break;
    case ir::DataType::Float64:
      t.as<double>()[i] = real(rng);
      break;
    case ir::DataType::Int64:
      t.as<int64_t>()[i] = small(rng);
      break;
    case ir::DataType::Int32:
      t.as<int32_t>()[i] = small(rng);
      break;
    case ir::DataType::Int8:
      t.as<int8_t>()[i] = static_cast<int8_t>(small(rng));
      break;
    case ir::DataType::UInt8:
      t.as<uint8_t>()[i] = static_cast<uint8_t>(small(rng));
      break;
    case ir::DataType::Bool:
      t.as<uint8_t>()[i] = static_cast<uint8_t>(small(rng) & 1);
      break;
    default:
      break; // zero-filled
    }
  }
  return t;
}

} // namespace gs::runtime
