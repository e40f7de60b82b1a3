// Pass "precision-policy": applies --precision_mode and --keep_dtype (PassContext::precision) to the
// graph, once, in the gear-independent pipeline (after the weight folds, so BatchNormalization is
// folded into Conv weights in float32 first; converted constants are then shared by every gear).
//
// force_fp16 / bf16: every convertible node with float32 data computes on float16 (bfloat16) tensors;
// allow_fp32_to_fp16: only the matrix ops; allow_mix_precision: all but the precision-sensitive ops,
// with elementwise ops following their inputs; force_fp32: float16/bfloat16 nodes compute on float32
// (a model's Casts to a 16-bit type become Casts to float32, no-ops that eliminate-identity drops).
// Nodes named in the keep list (by node name or op type) keep their dtype. Float32 constants read as
// data are converted once (round-to-nearest-even); Casts are inserted where regions of two types meet;
// graph inputs and outputs (and values subgraph bodies read by name) keep their names and dtypes.
// A converted node's output keeps its name with the new dtype; a Cast back writes "<name>_fp32" etc.
// must_keep_origin_dtype and the default change nothing. docs/precision.md describes the policy.
#pragma once

#include "core/compiler/passes/pass.h"
#include "core/compiler/shape_config/precision_config.h"

namespace gs::compiler::passes {

Expected<bool> applyPrecisionPolicy(ir::Graph& g, PassContext& ctx);

// E10016 naming the entry and the --keep_dtype file when a node name of the keep list is not a node
// of the model (its subgraphs included). An op type no node has is not an error (a warning is logged).
Status checkKeepList(const shape_config::PrecisionConfig& config, const ir::Graph& graph);

// Round-to-nearest-even float32 -> float16 / bfloat16 bits, and back (exact).
uint16_t floatToHalfBits(float f);
uint16_t floatToBFloat16Bits(float f);
float halfBitsToFloat(uint16_t h);
float bfloat16BitsToFloat(uint16_t h);

// A constant converted between float32 and float16/bfloat16 (a new buffer); nullopt for other pairs.
std::optional<ir::Tensor> convertFloatTensor(const ir::Tensor& t, ir::DataType to);

} // namespace gs::compiler::passes
