// Constant tensors (weights, folded constants). A Tensor is a typed view into a shared Buffer, so
// weights are never copied when a graph is cloned per gear, sliced, or handed to a device. A Buffer
// may own its bytes (moved in from a protobuf string without copying) or map a file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
#include <span>
#include <string>
#include <vector>

#include "core/common/status.h"
#include "core/ir/dtype.h"

namespace gs::ir {

class Buffer {
public:
  virtual ~Buffer() = default;
  virtual const std::byte* data() const = 0;
  virtual std::size_t size() const = 0;
};

// Owns bytes in a std::string (so a protobuf raw_data string can be moved in without a copy).
class StringBuffer final : public Buffer {
public:
  explicit StringBuffer(std::string bytes) : m_bytes(std::move(bytes)) {}
  const std::byte* data() const override { return reinterpret_cast<const std::byte*>(m_bytes.data()); }
  std::size_t size() const override { return m_bytes.size(); }

private:
  std::string m_bytes;
};

// Owns a copy of bytes at a 64-byte aligned address (the alignment the .om format gives constants
// relative to the file start, and a mapped file gives them absolutely).
class AlignedBuffer final : public Buffer {
public:
  static constexpr std::size_t kAlignment = 64;
  AlignedBuffer(const void* bytes, std::size_t size);
  const std::byte* data() const override { return m_data.get(); }
  std::size_t size() const override { return m_size; }

private:
  struct Free {
    void operator()(std::byte* p) const { ::operator delete[](p, std::align_val_t{kAlignment}); }
  };
  std::unique_ptr<std::byte[], Free> m_data;
  std::size_t m_size = 0;
};

// A read-only memory map of a whole file (external-data weights, .om weight sections).
class MappedFile final : public Buffer {
public:
  static Expected<std::shared_ptr<MappedFile>> open(const std::string& path);
  ~MappedFile() override;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  const std::byte* data() const override { return m_data; }
  std::size_t size() const override { return m_size; }

private:
  MappedFile(const std::byte* data, std::size_t size) : m_data(data), m_size(size) {}
  const std::byte* m_data = nullptr;
  std::size_t m_size = 0;
};

struct Tensor {
  DataType dtype = DataType::Undefined;
  std::vector<int64_t> dims;
  std::shared_ptr<const Buffer> buffer; // shared storage; null only for an empty tensor
  std::size_t offset = 0;               // byte offset of this tensor in buffer
  // String tensors keep their elements here (rare: only for ops that take string attributes/inputs).
  std::vector<std::string> strings;

  int64_t numel() const;
  std::size_t byteSize() const { return static_cast<std::size_t>(numel()) * dtypeSize(dtype); }
  const std::byte* data() const { return buffer ? buffer->data() + offset : nullptr; }
  // Typed read-only view. The caller must have checked dtype == dtypeOf<T>().
  template <class T> std::span<const T> as() const {
    return {reinterpret_cast<const T*>(data()), static_cast<std::size_t>(numel())};
  }
  // Copies elements out, converting any integer or float dtype to T (for shape data, attributes).
  template <class T> std::vector<T> toVector() const;

  // A new tensor owning a copy of the given values.
  template <class T> static Tensor fromVector(const std::vector<T>& values, std::vector<int64_t> dims);
  template <class T> static Tensor scalar(T v) { return fromVector<T>({v}, {}); }
  // A tensor over bytes it now owns.
  static Tensor fromBytes(DataType dtype, std::vector<int64_t> dims, std::string bytes);
};

template <class T> Tensor Tensor::fromVector(const std::vector<T>& values, std::vector<int64_t> dims) {
  std::string bytes(values.size() * sizeof(T), '\0');
  if constexpr (std::is_same_v<T, bool>) {
    for (std::size_t i = 0; i < values.size(); ++i)
      bytes[i] = values[i] ? 1 : 0;
  } else if (!values.empty()) {
    std::memcpy(bytes.data(), values.data(), bytes.size());
  }
  return fromBytes(dtypeOf<T>(), std::move(dims), std::move(bytes));
}

template <class T> std::vector<T> Tensor::toVector() const {
  const auto n = static_cast<std::size_t>(numel());
  std::vector<T> out(n);
  const std::byte* p = data();
  auto read = [&](auto tag) {
    using S = decltype(tag);
    for (std::size_t i = 0; i < n; ++i) {
      S v;
      std::memcpy(&v, p + i * sizeof(S), sizeof(S));
      out[i] = static_cast<T>(v);
    }
  };
  switch (dtype) {
  case DataType::Float32:
    read(float{});
    break;
  case DataType::Float64:
    read(double{});
    break;
  case DataType::Int64:
    read(int64_t{});
    break;
  case DataType::Int32:
    read(int32_t{});
    break;
  case DataType::Int16:
    read(int16_t{});
    break;
  case DataType::Int8:
    read(int8_t{});
    break;
  case DataType::UInt8:
    read(uint8_t{});
    break;
  case DataType::UInt16:
    read(uint16_t{});
    break;
  case DataType::UInt32:
    read(uint32_t{});
    break;
  case DataType::UInt64:
    read(uint64_t{});
    break;
  case DataType::Bool:
    read(uint8_t{});
    break;
  default:
    out.clear();
    break;
  }
  return out;
}

} // namespace gs::ir
