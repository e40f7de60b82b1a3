// Element types. The numeric values equal ONNX's TensorProto.DataType so conversion is a cast.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
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

// The one vocabulary of dtype classes (the compiler, shape functions and kernels all use these).
// Floating-point types: float16, bfloat16, float32, float64.
constexpr bool isFloat(DataType t) {
  return t == DataType::Float32 || t == DataType::Float64 || t == DataType::Float16 || t == DataType::BFloat16;
}
// float32 and float64: the floating types with a C++ type (Tensor::toVector reads them, shape
// functions compute with them).
constexpr bool isNativeFloat(DataType t) { return t == DataType::Float32 || t == DataType::Float64; }
// Signed and unsigned integers (not bool).
constexpr bool isInteger(DataType t) {
  switch (t) {
  case DataType::Int8:
  case DataType::Int16:
  case DataType::Int32:
  case DataType::Int64:
  case DataType::UInt8:
  case DataType::UInt16:
  case DataType::UInt32:
  case DataType::UInt64:
    return true;
  default:
    return false;
  }
}
constexpr bool isIntegerOrBool(DataType t) { return isInteger(t) || t == DataType::Bool; }

// Bytes per element; 0 for Undefined and String.
std::size_t dtypeSize(DataType t);
// "float32", "int64", ... (ONNX's lower-case names)
std::string_view dtypeName(DataType t);
std::optional<DataType> dtypeFromName(std::string_view name);
// Accepts ONNX TensorProto.DataType numbers; nullopt for unknown numbers.
std::optional<DataType> dtypeFromOnnx(int32_t onnxType);

// Types whose elements are 1, 2, 4 or 8 bytes (everything but string and complex128): what the
// data-movement kernels copy.
constexpr bool isFixedSize(DataType t) {
  return t != DataType::Undefined && t != DataType::String && t != DataType::Complex128 &&
         static_cast<int32_t>(t) >= 1 && static_cast<int32_t>(t) <= 16;
}

// A set of element types (a kernel table's dtype list).
class DtypeSet {
public:
  constexpr DtypeSet() = default;
  constexpr DtypeSet(std::initializer_list<DataType> types) {
    for (auto t : types)
      m_bits |= bit(t);
  }
  // Every type for which pred is true.
  template <class Pred> static constexpr DtypeSet where(Pred pred) {
    DtypeSet s;
    for (int32_t i = 1; i <= kMax; ++i)
      if (pred(static_cast<DataType>(i))) s.m_bits |= bit(static_cast<DataType>(i));
    return s;
  }
  // Every type, and an absent (optional) input too: for ops whose input 0 may be of any type or
  // omitted (Loop's M).
  static constexpr DtypeSet any() {
    DtypeSet s;
    s.m_bits = (uint32_t{1} << (kMax + 1)) - 1;
    return s;
  }
  constexpr bool has(DataType t) const { return (m_bits & bit(t)) != 0; }
  constexpr bool empty() const { return m_bits == 0; }
  constexpr DtypeSet operator|(DtypeSet o) const {
    DtypeSet s;
    s.m_bits = m_bits | o.m_bits;
    return s;
  }
  constexpr bool operator==(const DtypeSet&) const = default;
  // "float32,int32,int64" in DataType order; "any" for any().
  std::string str() const;

private:
  static constexpr int32_t kMax = 16;
  static constexpr uint32_t bit(DataType t) {
    const auto i = static_cast<int32_t>(t);
    return i >= 0 && i <= kMax ? uint32_t{1} << i : 0;
  }
  uint32_t m_bits = 0;
};

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
