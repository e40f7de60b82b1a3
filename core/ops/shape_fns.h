// Declarations of every shape function and cost function, grouped by the file that defines them. The
// table in registry.cpp maps op types to these.
#pragma once

#include "core/ops/registry.h"

namespace gs::ops {

// gearstudio_ops.cpp: schemas of the ai.gearstudio ops and the check run before their shape function.
extern const OpSchema kFusedConvSchema;
extern const OpSchema kFusedConvTransposeSchema;
extern const OpSchema kFusedGemmSchema;
extern const OpSchema kFusedMatMulSchema;
extern const OpSchema kNhwcMaxPoolSchema;
extern const OpSchema kNhwcAveragePoolSchema;
extern const OpSchema kNhwcGlobalPoolSchema;
Status checkSchema(const OpSchema& schema, const InferContext& ctx);

// elementwise.cpp
Status inferIdentity(InferContext& ctx);
Status inferUnary(InferContext& ctx);
Status inferNot(InferContext& ctx);
Status inferIsInfNan(InferContext& ctx);
Status inferBinary(InferContext& ctx);
Status inferPRelu(InferContext& ctx);
Status inferVariadic(InferContext& ctx);
Status inferWhere(InferContext& ctx);
Status inferCast(InferContext& ctx);
Status inferClip(InferContext& ctx);
Status inferQuantize(InferContext& ctx);

// shape_ops.cpp
Status inferShape(InferContext& ctx);
Status inferSize(InferContext& ctx);
Status inferReshape(InferContext& ctx);
Status inferFlatten(InferContext& ctx);
Status inferSqueeze(InferContext& ctx);
Status inferUnsqueeze(InferContext& ctx);
Status inferTranspose(InferContext& ctx);
Status inferExpand(InferContext& ctx);
Status inferTile(InferContext& ctx);
Status inferConstantOfShape(InferContext& ctx);
Status inferConstant(InferContext& ctx);
Status inferRange(InferContext& ctx);
Status inferEyeLike(InferContext& ctx);

// slice_concat.cpp
Status inferConcat(InferContext& ctx);
Status inferSplit(InferContext& ctx);
Status inferSlice(InferContext& ctx);
Status inferPad(InferContext& ctx);

// indexing.cpp
Status inferGather(InferContext& ctx);
Status inferGatherElements(InferContext& ctx);
Status inferGatherND(InferContext& ctx);
Status inferScatter(InferContext& ctx);
Status inferOneHot(InferContext& ctx);
Status inferNonZero(InferContext& ctx);
Status inferCompress(InferContext& ctx);
Status inferUnique(InferContext& ctx);
Status inferTrilu(InferContext& ctx);
Status inferReverseSequence(InferContext& ctx);

// reduce.cpp
Status inferReduce(InferContext& ctx);
Status inferArgMinMax(InferContext& ctx);
Status inferTopK(InferContext& ctx);
Status inferCumSum(InferContext& ctx);

// conv_pool.cpp
Status inferConv(InferContext& ctx);
Status inferConvTranspose(InferContext& ctx);
Status inferPool(InferContext& ctx);
Status inferGlobalPool(InferContext& ctx);

// normalization.cpp
Status inferBatchNorm(InferContext& ctx);
Status inferInstanceNorm(InferContext& ctx);
Status inferLayerNorm(InferContext& ctx);
Status inferGroupNorm(InferContext& ctx);
Status inferLrn(InferContext& ctx);
Status inferLpNorm(InferContext& ctx);
Status inferMeanVarianceNorm(InferContext& ctx);
Status inferDropout(InferContext& ctx);
Status inferSoftmax(InferContext& ctx);

// resize.cpp
Status inferResize(InferContext& ctx);
Status inferUpsample(InferContext& ctx);
Status inferDepthSpace(InferContext& ctx);

// matmul.cpp
Status inferMatMul(InferContext& ctx);
Status inferGemm(InferContext& ctx);
Status inferEinsum(InferContext& ctx);

// rnn.cpp
Status inferRnn(InferContext& ctx);

// control_flow.cpp
Status inferIf(InferContext& ctx);
Status inferLoop(InferContext& ctx);
Status inferScan(InferContext& ctx);

// signal.cpp
Status inferWindow(InferContext& ctx);
Status inferMelWeightMatrix(InferContext& ctx);
Status inferDft(InferContext& ctx);
Status inferStft(InferContext& ctx);

// detection.cpp
Status inferNonMaxSuppression(InferContext& ctx);
Status inferRoiAlign(InferContext& ctx);
Status inferGridSample(InferContext& ctx);
Status inferMaxUnpool(InferContext& ctx);
Status inferDet(InferContext& ctx);
Status inferTfIdfVectorizer(InferContext& ctx);

// training.cpp
Status inferOptimizer(InferContext& ctx);
// quant.cpp: the integer and quantized ops (and GearStudio's QuantConv / QuantMatMul).
extern const OpSchema kQuantConvSchema;
extern const OpSchema kQuantMatMulSchema;
Status inferDynamicQuantizeLinear(InferContext& ctx);
Status inferConvInteger(InferContext& ctx);
Status inferMatMulInteger(InferContext& ctx);
Status inferQLinearConv(InferContext& ctx);
Status inferQLinearMatMul(InferContext& ctx);
Status inferQuantConv(InferContext& ctx);
Status inferQuantMatMul(InferContext& ctx);

// costs.cpp
using Shapes = std::span<const ir::Shape* const>;
Cost costElementwise(const ir::Node& n, Shapes in, Shapes out);
Cost costConv(const ir::Node& n, Shapes in, Shapes out);
Cost costConvTranspose(const ir::Node& n, Shapes in, Shapes out);
Cost costMatMul(const ir::Node& n, Shapes in, Shapes out);
Cost costGemm(const ir::Node& n, Shapes in, Shapes out);
Cost costEinsum(const ir::Node& n, Shapes in, Shapes out);
Cost costPool(const ir::Node& n, Shapes in, Shapes out);
Cost costGlobalPool(const ir::Node& n, Shapes in, Shapes out);
Cost costReduce(const ir::Node& n, Shapes in, Shapes out);
Cost costBatchNorm(const ir::Node& n, Shapes in, Shapes out);
Cost costNorm(const ir::Node& n, Shapes in, Shapes out);
Cost costLrn(const ir::Node& n, Shapes in, Shapes out);
Cost costSoftmax(const ir::Node& n, Shapes in, Shapes out);
Cost costRnn(const ir::Node& n, Shapes in, Shapes out);
Cost costResize(const ir::Node& n, Shapes in, Shapes out);
// quant.cpp
Cost costConvInteger(const ir::Node& n, Shapes in, Shapes out);
Cost costQLinearConv(const ir::Node& n, Shapes in, Shapes out);
Cost costQuantConv(const ir::Node& n, Shapes in, Shapes out);
Cost costMatMulInteger(const ir::Node& n, Shapes in, Shapes out);
Cost costQLinearMatMul(const ir::Node& n, Shapes in, Shapes out);

} // namespace gs::ops
