// What the precision policy (pass "precision-policy") needs to know about each op: which of a node's
// inputs are float "data" that follow the op's compute type (ONNX's type parameter shared with the
// output) and which are parameters that keep their dtype (Resize scales, Pow's exponent ...), which
// ops are never converted (Cast, shape and index producers, Q/DQ, control flow), which are matrix
// ops (allow_fp32_to_fp16) and which are precision-sensitive (kept float32 by allow_mix_precision,
// each with the reason), and the dtype a node of a compiled graph computes in (recorded in the .om).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "core/ir/graph.h"

namespace gs::compiler::precision {

// Whether the policy may change the compute type of n at all. False for Cast/CastLike (their target
// is an attribute or another input), ops whose float output type is set by an attribute
// (ConstantOfShape, EyeLike, Random*, Multinomial, Bernoulli, Range), Shape/Size, Q/DQ and the
// integer/quantized ops, control flow (If, Loop, Scan: bodies keep their types), NonMaxSuppression,
// and every op outside ai.onnx and GearStudio's float ops.
bool isConvertible(const ir::Node& n);

// Whether input `i` of n is float data: bound to the type parameter of n's float output. Parameters
// bound to a different ONNX type parameter or to a fixed float type (Resize roi/scales, Upsample
// scales, Pow's exponent, Dropout's ratio, BatchNormalization's statistics from opset 15, GridSample's
// grid) are not data and keep their dtype.
bool isDataInput(const ir::Node& n, std::size_t i, int64_t opset);

// Ops that read only the shape of their input (Shape, Size): they take any dtype, so they read a
// converted value as it is and never need a Cast.
bool readsShapeOnly(const ir::Node& n);

// allow_fp32_to_fp16's matrix ops: Conv, ConvTranspose, MatMul, Gemm, Einsum and their Fused* forms.
bool isMatrixOp(const ir::Node& n);

// allow_mix_precision keeps these float32 (docs/precision.md lists them with the reasons).
struct SensitiveOp {
  std::string_view opType;
  std::string_view reason;
};
std::span<const SensitiveOp> sensitiveOps();
bool isSensitive(const ir::Node& n);

// Elementwise arithmetic and data movement: under allow_mix_precision they follow their inputs (stay
// float32 when a non-constant data input is float32), so the arithmetic around a kept op (the
// var + eps -> Sqrt -> Div of a decomposed LayerNormalization) stays float32 with it.
bool followsInputs(const ir::Node& n);

// The dtype node n computes in: its first float data input's dtype, else its first float output's;
// Undefined for Cast/CastLike (conversions), Shape/Size and nodes without float tensors.
ir::DataType computeType(const ir::Graph& g, const ir::Node& n, int64_t opset);

} // namespace gs::compiler::precision
