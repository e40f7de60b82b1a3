// Run-time tensors: TensorRef is a non-owning typed view handed to kernels; HostTensor owns
// 64-byte-aligned host memory (user inputs, outputs copied out, dynamic-mode buffers).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <random>
#include <span>
#include <vector>

#include "core/ir/dtype.h"
#include "core/ir/tensor.h"

namespace gs::runtime {

struct TensorRef {
  ir::DataType dtype = ir::DataType::Undefined; // Undefined: an omitted optional input/output
  std::vector<int64_t> dims;
  void* data = nullptr;

  bool present() const { return dtype != ir::DataType::Undefined; }
  int64_t numel() const {
    int64_t n = 1;
    for (auto d : dims)
      n *= d;
    return n;
  }
  std::size_t byteSize() const { return static_cast<std::size_t>(numel()) * ir::dtypeSize(dtype); }
  template <class T> T* as() const { return static_cast<T*>(data); }
};

class HostTensor {
public:
  HostTensor() = default;
  HostTensor(ir::DataType dtype, std::vector<int64_t> dims); // zero-filled
  static HostTensor fromIr(const ir::Tensor& t);             // copies

  ir::DataType dtype() const { return m_ref.dtype; }
  const std::vector<int64_t>& dims() const { return m_ref.dims; }
  int64_t numel() const { return m_ref.numel(); }
  std::size_t byteSize() const { return m_ref.byteSize(); }
  void* data() { return m_ref.data; }
  const void* data() const { return m_ref.data; }
  template <class T> T* as() { return static_cast<T*>(m_ref.data); }
  template <class T> const T* as() const { return static_cast<const T*>(m_ref.data); }
  const TensorRef& ref() const { return m_ref; }

private:
  struct FreeDeleter {
    void operator()(std::byte* p) const;
  };
  std::unique_ptr<std::byte[], FreeDeleter> m_storage;
  TensorRef m_ref;
};

// Random data in a range every op of a typical model accepts: floats in [0, 1), integers in [0, 9]
// (indices stay small), bools 0/1; other dtypes stay zero-filled. For benchmarks without inputs.
HostTensor randomTensor(ir::DataType dtype, const std::vector<int64_t>& dims, std::mt19937& rng);

// 64-byte aligned allocation helpers shared by the arena and HostTensor.
std::byte* alignedAlloc(std::size_t bytes);
void alignedFree(std::byte* p);
// How many times alignedAlloc ran in this process (tests check that a static run allocates nothing).
uint64_t alignedAllocCount();

} // namespace gs::runtime
