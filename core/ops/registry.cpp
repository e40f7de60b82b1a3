// The op table (op type, first opset, shape function, cost function) and the lookups over it:
// findOp, allOps, inferNode, nodeCost, graphCost. Shape functions handle the attribute->input moves of
// later opsets themselves (they get ctx.opset), so most ops need one entry.
#include <algorithm>

#include "core/ir/layout.h"
#include "core/ops/loss.h"
#include "core/ops/registry.h"
#include "core/ops/shape_fns.h"

namespace gs::ops {

namespace {

// clang-format off
const OpInfo kOps[] = {
    // Unary maths and activations (1 flop per element).
    {"", "Abs", 1, inferUnary, costElementwise},
    {"", "Acos", 7, inferUnary, costElementwise},
    {"", "Acosh", 9, inferUnary, costElementwise},
    {"", "Asin", 7, inferUnary, costElementwise},
    {"", "Asinh", 9, inferUnary, costElementwise},
    {"", "Atan", 7, inferUnary, costElementwise},
    {"", "Atanh", 9, inferUnary, costElementwise},
    {"", "Ceil", 1, inferUnary, costElementwise},
    {"", "Celu", 12, inferUnary, costElementwise},
    {"", "Cos", 7, inferUnary, costElementwise},
    {"", "Cosh", 9, inferUnary, costElementwise},
    {"", "Elu", 1, inferUnary, costElementwise},
    {"", "Erf", 9, inferUnary, costElementwise},
    {"", "Exp", 1, inferUnary, costElementwise},
    {"", "Floor", 1, inferUnary, costElementwise},
    {"", "HardSigmoid", 1, inferUnary, costElementwise},
    {"", "HardSwish", 14, inferUnary, costElementwise},
    {"", "LeakyRelu", 1, inferUnary, costElementwise},
    {"", "Log", 1, inferUnary, costElementwise},
    {"", "Mish", 18, inferUnary, costElementwise},
    {"", "Neg", 1, inferUnary, costElementwise},
    {"", "Reciprocal", 1, inferUnary, costElementwise},
    {"", "Relu", 1, inferUnary, costElementwise},
    {"", "Round", 11, inferUnary, costElementwise},
    {"", "Selu", 1, inferUnary, costElementwise},
    {"", "Shrink", 9, inferUnary, costElementwise},
    {"", "Sigmoid", 1, inferUnary, costElementwise},
    {"", "Sign", 9, inferUnary, costElementwise},
    {"", "Sin", 7, inferUnary, costElementwise},
    {"", "Sinh", 9, inferUnary, costElementwise},
    {"", "Softplus", 1, inferUnary, costElementwise},
    {"", "Softsign", 1, inferUnary, costElementwise},
    {"", "Sqrt", 1, inferUnary, costElementwise},
    {"", "Tan", 7, inferUnary, costElementwise},
    {"", "Tanh", 1, inferUnary, costElementwise},
    {"", "ThresholdedRelu", 10, inferUnary, costElementwise},
    {"", "Clip", 1, inferClip, costElementwise},
    {"", "CumSum", 11, inferCumSum, costElementwise},
    // Data movement and logic (bytes only).
    {"", "Identity", 1, inferIdentity, nullptr},
    {"", "Not", 1, inferNot, nullptr},
    {"", "IsInf", 10, inferIsInfNan, nullptr},
    {"", "IsNaN", 9, inferIsInfNan, nullptr},
    {"", "Cast", 1, inferCast, nullptr},
    {"", "CastLike", 15, inferCast, nullptr},
    {"", "QuantizeLinear", 10, inferQuantize, costElementwise},
    {"", "DequantizeLinear", 10, inferQuantize, costElementwise},
    {"", "DynamicQuantizeLinear", 11, inferDynamicQuantizeLinear, costElementwise},
    {"", "ConvInteger", 10, inferConvInteger, costConvInteger},
    {"", "MatMulInteger", 10, inferMatMulInteger, costMatMulInteger},
    {"", "QLinearConv", 10, inferQLinearConv, costQLinearConv},
    {"", "QLinearMatMul", 10, inferQLinearMatMul, costQLinearMatMul},
    // Broadcasting binary and variadic ops.
    {"", "Add", 1, inferBinary, costElementwise},
    {"", "Sub", 1, inferBinary, costElementwise},
    {"", "Mul", 1, inferBinary, costElementwise},
    {"", "Div", 1, inferBinary, costElementwise},
    {"", "Pow", 1, inferBinary, costElementwise},
    {"", "Mod", 10, inferBinary, costElementwise},
    {"", "BitShift", 11, inferBinary, nullptr},
    {"", "And", 1, inferBinary, nullptr},
    {"", "Or", 1, inferBinary, nullptr},
    {"", "Xor", 1, inferBinary, nullptr},
    {"", "Equal", 1, inferBinary, nullptr},
    {"", "Greater", 1, inferBinary, nullptr},
    {"", "GreaterOrEqual", 12, inferBinary, nullptr},
    {"", "Less", 1, inferBinary, nullptr},
    {"", "LessOrEqual", 12, inferBinary, nullptr},
    {"", "PRelu", 1, inferPRelu, costElementwise},
    {"", "Max", 1, inferVariadic, costElementwise},
    {"", "Min", 1, inferVariadic, costElementwise},
    {"", "Mean", 1, inferVariadic, costElementwise},
    {"", "Sum", 1, inferVariadic, costElementwise},
    {"", "Where", 9, inferWhere, nullptr},
    // Shapes.
    {"", "Shape", 1, inferShape, nullptr},
    {"", "Size", 1, inferSize, nullptr},
    {"", "Reshape", 5, inferReshape, nullptr},
    {"", "Flatten", 1, inferFlatten, nullptr},
    {"", "Squeeze", 1, inferSqueeze, nullptr},
    {"", "Unsqueeze", 1, inferUnsqueeze, nullptr},
    {"", "Transpose", 1, inferTranspose, nullptr},
    {"", "Expand", 8, inferExpand, nullptr},
    {"", "Tile", 6, inferTile, nullptr},
    {"", "ConstantOfShape", 9, inferConstantOfShape, nullptr},
    {"", "Constant", 1, inferConstant, nullptr},
    {"", "Range", 11, inferRange, nullptr},
    {"", "EyeLike", 9, inferEyeLike, nullptr},
    {"", "Concat", 1, inferConcat, nullptr},
    {"", "Split", 1, inferSplit, nullptr},
    {"", "Slice", 1, inferSlice, nullptr},
    {"", "Pad", 1, inferPad, nullptr},
    {"", "DepthToSpace", 1, inferDepthSpace, nullptr},
    {"", "SpaceToDepth", 1, inferDepthSpace, nullptr},
    // Indexing.
    {"", "Gather", 1, inferGather, nullptr},
    {"", "GatherElements", 11, inferGatherElements, nullptr},
    {"", "GatherND", 11, inferGatherND, nullptr},
    {"", "Scatter", 9, inferScatter, nullptr},
    {"", "ScatterElements", 11, inferScatter, nullptr},
    {"", "ScatterND", 11, inferScatter, nullptr},
    {"", "OneHot", 9, inferOneHot, nullptr},
    {"", "NonZero", 9, inferNonZero, nullptr},
    {"", "Compress", 9, inferCompress, nullptr},
    {"", "Unique", 11, inferUnique, nullptr},
    {"", "Trilu", 14, inferTrilu, nullptr},
    // Signal processing (signal.cpp).
    {"", "HannWindow", 17, inferWindow, nullptr},
    {"", "HammingWindow", 17, inferWindow, nullptr},
    {"", "BlackmanWindow", 17, inferWindow, nullptr},
    {"", "MelWeightMatrix", 17, inferMelWeightMatrix, nullptr},
    {"", "DFT", 17, inferDft, nullptr},
    {"", "STFT", 17, inferStft, nullptr},
    // Detection (detection.cpp).
    {"", "NonMaxSuppression", 10, inferNonMaxSuppression, nullptr},
    {"", "RoiAlign", 10, inferRoiAlign, nullptr},
    {"", "GridSample", 16, inferGridSample, nullptr},
    {"", "MaxUnpool", 9, inferMaxUnpool, nullptr},
    {"", "Det", 11, inferDet, nullptr},
    {"", "TfIdfVectorizer", 9, inferTfIdfVectorizer, nullptr},
    // Optimizers (training.cpp). Models that import only this domain have no default-domain opset (0).
    {"ai.onnx.preview.training", "Adagrad", 0, inferOptimizer, nullptr},
    {"ai.onnx.preview.training", "Momentum", 0, inferOptimizer, nullptr},
    {"ai.onnx.preview.training", "Adam", 0, inferOptimizer, nullptr},
    {"", "ReverseSequence", 10, inferReverseSequence, nullptr},
    // Reductions.
    {"", "ReduceL1", 1, inferReduce, costReduce},
    {"", "ReduceL2", 1, inferReduce, costReduce},
    {"", "ReduceLogSum", 1, inferReduce, costReduce},
    {"", "ReduceLogSumExp", 1, inferReduce, costReduce},
    {"", "ReduceMax", 1, inferReduce, costReduce},
    {"", "ReduceMean", 1, inferReduce, costReduce},
    {"", "ReduceMin", 1, inferReduce, costReduce},
    {"", "ReduceProd", 1, inferReduce, costReduce},
    {"", "ReduceSum", 1, inferReduce, costReduce},
    {"", "ReduceSumSquare", 1, inferReduce, costReduce},
    {"", "ArgMax", 1, inferArgMinMax, costReduce},
    {"", "ArgMin", 1, inferArgMinMax, costReduce},
    {"", "TopK", 1, inferTopK, costReduce},
    // Convolutions and pools.
    {"", "Conv", 1, inferConv, costConv},
    {"", "ConvTranspose", 1, inferConvTranspose, costConvTranspose},
    {"", "AveragePool", 1, inferPool, costPool},
    {"", "MaxPool", 1, inferPool, costPool},
    {"", "LpPool", 1, inferPool, costPool},
    {"", "GlobalAveragePool", 1, inferGlobalPool, costGlobalPool},
    {"", "GlobalMaxPool", 1, inferGlobalPool, costGlobalPool},
    {"", "GlobalLpPool", 2, inferGlobalPool, costGlobalPool},
    // Normalisations and softmax.
    {"", "BatchNormalization", 1, inferBatchNorm, costBatchNorm},
    {"", "InstanceNormalization", 1, inferInstanceNorm, costNorm},
    {"", "LayerNormalization", 17, inferLayerNorm, costNorm},
    {"", "GroupNormalization", 18, inferGroupNorm, costNorm},
    {"", "MeanVarianceNormalization", 9, inferMeanVarianceNorm, costNorm},
    {"", "LpNormalization", 1, inferLpNorm, costNorm},
    {"", "LRN", 1, inferLrn, costLrn},
    {"", "Dropout", 1, inferDropout, nullptr},
    {"", "Softmax", 1, inferSoftmax, costSoftmax},
    {"", "LogSoftmax", 1, inferSoftmax, costSoftmax},
    {"", "Hardmax", 1, inferSoftmax, costReduce},
    // Losses (loss.cpp): SoftmaxCrossEntropyLoss costs like its softmax.
    {"", "NegativeLogLikelihoodLoss", 12, inferNllLoss, costElementwise},
    {"", "SoftmaxCrossEntropyLoss", 12, inferSoftmaxCrossEntropyLoss, costSoftmax},
    // Resampling.
    {"", "Resize", 10, inferResize, costResize},
    {"", "Upsample", 7, inferUpsample, costResize},
    // Matrix products.
    {"", "MatMul", 1, inferMatMul, costMatMul},
    {"", "Gemm", 1, inferGemm, costGemm},
    {"", "Einsum", 12, inferEinsum, costEinsum},
    // Recurrent.
    {"", "LSTM", 1, inferRnn, costRnn},
    {"", "GRU", 1, inferRnn, costRnn},
    {"", "RNN", 1, inferRnn, costRnn},
    // Control flow (bodies are inferred by inferGraph first).
    {"", "If", 1, inferIf, nullptr},
    {"", "Loop", 1, inferLoop, nullptr},
    {"", "Scan", 8, inferScan, nullptr},
    // GearStudio's ops (core/ir/gs_ops.h): the base op's shape function and cost, and a schema.
    {"ai.gearstudio", "FusedConv", 1, inferConv, costConv, &kFusedConvSchema},
    {"ai.gearstudio", "FusedConvTranspose", 1, inferConvTranspose, costConvTranspose, &kFusedConvTransposeSchema},
    {"ai.gearstudio", "FusedGemm", 1, inferGemm, costGemm, &kFusedGemmSchema},
    {"ai.gearstudio", "FusedMatMul", 1, inferMatMul, costMatMul, &kFusedMatMulSchema},
    {"ai.gearstudio", "NhwcMaxPool", 1, inferPool, costPool, &kNhwcMaxPoolSchema},
    {"ai.gearstudio", "NhwcAveragePool", 1, inferPool, costPool, &kNhwcAveragePoolSchema},
    {"ai.gearstudio", "NhwcGlobalAveragePool", 1, inferGlobalPool, costGlobalPool, &kNhwcGlobalPoolSchema},
    {"ai.gearstudio", "NhwcGlobalMaxPool", 1, inferGlobalPool, costGlobalPool, &kNhwcGlobalPoolSchema},
    {"ai.gearstudio", "QuantConv", 1, inferQuantConv, costQuantConv, &kQuantConvSchema},
    {"ai.gearstudio", "QuantMatMul", 1, inferQuantMatMul, costMatMulInteger, &kQuantMatMulSchema},
};
// clang-format on

std::string_view canonicalDomain(std::string_view d) { return d == "ai.onnx" ? std::string_view{} : d; }

std::string nodeLabel(const ir::Node& n) { return "node '" + n.name + "' (" + n.opType + ")"; }

} // namespace

const OpInfo* findOp(std::string_view domain, std::string_view opType, int64_t opset) {
  if (domain == ir::gsop::kDomain) opset = ir::gsop::kOpsetVersion;
  const OpInfo* best = nullptr;
  for (const auto& op : kOps) {
    if (op.opType != opType || canonicalDomain(op.domain) != canonicalDomain(domain)) continue;
    if (op.sinceVersion > opset) continue;
    if (!best || op.sinceVersion > best->sinceVersion) best = &op;
  }
  return best;
}

std::span<const OpInfo> allOps() { return kOps; }

Status inferNode(InferContext& ctx) {
  const auto* op = findOp(ctx.node.domain, ctx.node.opType, ctx.opset);
  if (!op) {
    const std::string dom = ctx.node.domain.empty() ? "ai.onnx" : ctx.node.domain;
    return makeError(codes::kUnsupported, nodeLabel(ctx.node) + ": op type '" + ctx.node.opType + "' (domain " + dom +
                                              ", opset " + std::to_string(ctx.opset) + ") is not supported");
  }
  return inferNodeWith(*op, ctx);
}

Status inferNodeWith(const OpInfo& op, InferContext& ctx) {
  if (ctx.outputs.size() != ctx.node.outputs.size()) ctx.outputs.resize(ctx.node.outputs.size());
  if (op.schema) GS_RETURN_IF_ERROR(checkSchema(*op.schema, ctx));
  if (!ir::isChannelsLast(ctx.node)) return op.infer(ctx);
  // A channels-last node: its shape function sees NCHW layout inputs, and its outputs go back to NHWC.
  std::vector<ir::Shape> nchw(ctx.inputs.size());
  std::vector<InputInfo> inputs(ctx.inputs.begin(), ctx.inputs.end());
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    if (!ir::isLayoutInput(ctx.node, i) || !inputs[i].shape) continue;
    if (inputs[i].shape->rankKnown && inputs[i].shape->rank() != 4)
      return makeError(codes::kInvalid, nodeLabel(ctx.node) + ": a channels-last (NHWC) input must have rank 4, got " +
                                            inputs[i].shape->str());
    nchw[i] = ir::nhwcToNchw(*inputs[i].shape);
    inputs[i].shape = &nchw[i];
  }
  InferContext inner{ctx.node, ctx.opset, inputs, ctx.outputs, ctx.symbols, ctx.maxPropagatedElements};
  GS_RETURN_IF_ERROR(op.infer(inner));
  for (std::size_t i = 0; i < ctx.outputs.size(); ++i)
    if (ir::isLayoutOutput(ctx.node, i)) ctx.outputs[i].shape = ir::nchwToNhwc(ctx.outputs[i].shape);
  return ok();
}

Cost nodeCost(const ir::Graph& g, const ir::Node& n) {
  std::vector<const ir::Shape*> in, out;
  double bytes = 0;
  auto collect = [&](const std::vector<ir::ValueId>& ids, std::vector<const ir::Shape*>& shapes) {
    for (auto id : ids) {
      if (id == ir::kNone || id < 0 || static_cast<std::size_t>(id) >= g.values.size()) {
        shapes.push_back(nullptr);
        continue;
      }
      const auto& v = g.values[static_cast<std::size_t>(id)];
      if (!v.shape.isStatic()) return false;
      shapes.push_back(&v.shape);
      bytes += static_cast<double>(*v.shape.numel()) * static_cast<double>(ir::dtypeSize(v.dtype));
    }
    return true;
  };
  if (!collect(n.inputs, in) || !collect(n.outputs, out)) return {};
  // Costs read channels and spatial dims by position: give a channels-last node its NCHW shapes.
  std::vector<ir::Shape> nchwIn, nchwOut;
  if (ir::isChannelsLast(n)) {
    nchwIn.resize(in.size());
    nchwOut.resize(out.size());
    for (std::size_t i = 0; i < in.size(); ++i)
      if (in[i] && ir::isLayoutInput(n, i)) in[i] = &(nchwIn[i] = ir::nhwcToNchw(*in[i]));
    for (std::size_t i = 0; i < out.size(); ++i)
      if (out[i] && ir::isLayoutOutput(n, i)) out[i] = &(nchwOut[i] = ir::nhwcToNchw(*out[i]));
  }
  const auto* op = findOp(n.domain, n.opType, 1 << 20);
  Cost c;
  if (op && op->cost) c = op->cost(n, in, out);
  if (c.bytes == 0) c.bytes = bytes;
  return c;
}

Cost graphCost(const ir::Graph& g) {
  Cost total;
  for (const auto& n : g.nodes) {
    const auto c = nodeCost(g, n);
    total.flops += c.flops;
    total.bytes += c.bytes;
  }
  return total;
}

} // namespace gs::ops
