// Element types. The numeric values equal ONNX's TensorProto.DataType so conversion is a cast.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace gs::ir {

enum class DataType : int32_t {
  Undefined = 0,
  Float32 = 1,
  UInt8 = 2,
  Int8 = 3,
  UInt16 = 4,
  Int16 = 5,
  Int32 = 6,
  Int64 = 7,
  String = 8,
  Bool = 9,
  Float16 = 10,
  Float64 = 11,
  UInt32 = 12,
  UInt64 = 13,
  Complex64 = 14,
  Complex128 = 15,
  BFloat16 = 16,
};

// Bytes per element; 0 for Undefined and String.
std::size_t dtypeSize(DataType t);
// "float32", "int64", ... (ONNX's lower-case names)
std::string_view dtypeName(DataType t);
std::optional<DataType> dtypeFromName(std::string_view name);
// Accepts ONNX TensorProto.DataType numbers; nullopt for unknown numbers.
std::optional<DataType> dtypeFromOnnx(int32_t onnxType);

template <class T> constexpr DataType dtypeOf();
template <> constexpr DataType dtypeOf<float>() { return DataType::Float32; }
template <> constexpr DataType dtypeOf<double>() { return DataType::Float64; }
template <> constexpr DataType dtypeOf<int64_t>() { return DataType::Int64; }
template <> constexpr DataType dtypeOf<int32_t>() { return DataType::Int32; }
template <> constexpr DataType dtypeOf<int16_t>() { return DataType::Int16; }
template <> constexpr DataType dtypeOf<int8_t>() { return DataType::Int8; }
template <> constexpr DataType dtypeOf<uint8_t>() { return DataType::UInt8; }
template <> constexpr DataType dtypeOf<uint16_t>() { return DataType::UInt16; }
template <> constexpr DataType dtypeOf<uint32_t>() { return DataType::UInt32; }
template <> constexpr DataType dtypeOf<uint64_t>() { return DataType::UInt64; }
template <> constexpr DataType dtypeOf<bool>() { return DataType::Bool; }

} // namespace gs::ir
