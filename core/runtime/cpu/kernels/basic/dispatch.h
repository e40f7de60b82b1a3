// Element-type dispatch for the basic kernels: call a generic lambda with a value of the C++ type
// that matches a DataType, from an explicit list of types (so each kernel states what it covers).
#pragma once

#include <cstdint>
#include <cstring>

#include "core/ir/dtype.h"

namespace gs::runtime::cpu::basic {

// Calls f(T{}) for the first T in Ts whose DataType is t; false when t is not in the list.
template <class... Ts, class F> bool visitType(ir::DataType t, F&& f) {
  return ((t == ir::dtypeOf<Ts>() ? (f(Ts{}), true) : false) || ...);
}

// Data movement only needs the element size: calls f(U{}) with an unsigned type of that size.
template <class F> bool visitBySize(std::size_t bytes, F&& f) {
  switch (bytes) {
  case 1:
    f(uint8_t{});
    return true;
  case 2:
    f(uint16_t{});
    return true;
  case 4:
    f(uint32_t{});
    return true;
  case 8:
    f(uint64_t{});
    return true;
  default:
    return false;
  }
}

inline bool isFloatType(ir::DataType t) {
  return t == ir::DataType::Float32 || t == ir::DataType::Float64 || t == ir::DataType::Float16 ||
         t == ir::DataType::BFloat16;
}

inline bool isIntegerType(ir::DataType t) {
  switch (t) {
  case ir::DataType::Int8:
  case ir::DataType::Int16:
  case ir::DataType::Int32:
  case ir::DataType::Int64:
  case ir::DataType::UInt8:
  case ir::DataType::UInt16:
  case ir::DataType::UInt32:
  case ir::DataType::UInt64:
    return true;
  default:
    return false;
  }
}

// Fixed-size types the data-movement kernels handle (everything but strings and complex128).
inline bool isMovableType(ir::DataType t) {
  const auto s = ir::dtypeSize(t);
  return t != ir::DataType::String && (s == 1 || s == 2 || s == 4 || s == 8);
}

} // namespace gs::runtime::cpu::basic
