// float16 and bfloat16 for every float32 kernel, by one mechanism instead of a copy of each kernel:
// a widened row takes the 16-bit inputs, converts them to float32 (constants once, when the kernel
// is created, shared by every gear through the WeightCache), runs the op's float32 kernel, and rounds
// each 16-bit output to its type with round-to-nearest-even. That is ONNX's semantics for an op on
// 16-bit floats computed with float32 accumulation: one rounding per op result, so intermediate
// results between ops are rounded exactly as a graph of 16-bit ops specifies. Data movement ops
// (Reshape, Concat, Gather, Transpose ...) need none of this: their rows move 2-byte elements.
#pragma once

#include <span>
#include <vector>

#include "core/runtime/cpu/kernel.h"

namespace gs::runtime::cpu {

// One widened row (types float16 / bfloat16, widensHalf set) for each row of `base` that takes
// float32 but not float16: same op, opset range and check; the kernel is the float32 row's, wrapped.
std::vector<KernelEntry> halfWidenedRows(std::span<const KernelEntry> base);

// `types` with float16 and bfloat16 replaced by float32: what a widened row's check and kernel see.
std::vector<ir::DataType> widenHalfTypes(std::span<const ir::DataType> types);

} // namespace gs::runtime::cpu
