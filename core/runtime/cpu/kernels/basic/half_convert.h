// Bulk conversions between the 16-bit float types (IEEE float16, bfloat16) and float32, as every
// 16-bit float kernel uses them: widen the inputs, compute in float32, round the results back with
// round-to-nearest-even (NaN stays NaN, overflow goes to infinity: what ONNX's Cast specifies).
// Vectorised where the CPU has F16C / AVX-512 (checked at run time), else the scalar conversions of
// half.h; large arrays are split over the OpenMP threads.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/ir/dtype.h"

namespace gs::runtime::cpu::basic {

void halfToFloat(const uint16_t* src, float* dst, std::size_t n);
void floatToHalf(const float* src, uint16_t* dst, std::size_t n);
void bfloat16ToFloat(const uint16_t* src, float* dst, std::size_t n);
void floatToBfloat16(const float* src, uint16_t* dst, std::size_t n);

// By dtype (Float16 or BFloat16); other dtypes are a programming error and do nothing.
void widenToFloat(ir::DataType from, const void* src, float* dst, std::size_t n);
void narrowFromFloat(ir::DataType to, const float* src, void* dst, std::size_t n);

inline bool isHalfFloat(ir::DataType t) { return t == ir::DataType::Float16 || t == ir::DataType::BFloat16; }

} // namespace gs::runtime::cpu::basic
