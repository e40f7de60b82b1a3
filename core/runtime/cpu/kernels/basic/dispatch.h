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

// dtype classes: ir::isFloat, ir::isInteger, ir::isFixedSize (core/ir/dtype.h).

} // namespace gs::runtime::cpu::basic
