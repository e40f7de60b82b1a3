// Pass "fuse-qdq": runs QDQ-quantized convolutions and matrix products on integer kernels. The pattern
// is the one ONNX Runtime's quantizer (and other QDQ tools) emit:
//
//   x_float -> QuantizeLinear -> DequantizeLinear -.
//   W_int8 (constant)        -> DequantizeLinear ----> Conv / MatMul / Gemm -> [QuantizeLinear -> DequantizeLinear]
//   B_int32 (constant)       -> DequantizeLinear -'  (optional)
//
// becomes one QuantConv / QuantMatMul (core/ir/gs_ops.h): it reads x_float, quantizes it as the
// QuantizeLinear did, multiplies with the int8 weights on oneDNN's int8 primitives and writes float
// (quantized and dequantized again when the output Q -> DQ pair is folded in). The bias is
// dequantized at compile time. Weights must be int8 with zero point 0 (symmetric, per tensor or per
// output channel); anything else keeps the reference QDQ ops, which compute the same outputs.
#pragma once

#include "core/compiler/passes/pass.h"

namespace gs::compiler::passes {

Expected<bool> fuseQdq(ir::Graph& g, PassContext& ctx);

} // namespace gs::compiler::passes
