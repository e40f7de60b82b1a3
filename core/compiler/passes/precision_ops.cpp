// Op classification for the precision policy (see precision_ops.h).
#include "core/compiler/passes/precision_ops.h"

#include <algorithm>
#include <array>

#include "core/ir/gs_ops.h"

namespace gs::compiler::precision {

namespace {

template <std::size_t N> bool in(const std::array<std::string_view, N>& list, std::string_view op) {
  return std::find(list.begin(), list.end(), op) != list.end();
}

bool isOnnx(const ir::Node& n) { return n.domain.empty() || n.domain == "ai.onnx"; }
bool isGs(const ir::Node& n) { return n.domain == ir::gsop::kDomain; }

constexpr std::array<std::string_view, 30> kNeverConverted = {"Cast",
                                                              "CastLike",
                                                              "Shape",
                                                              "Size",
                                                              "Range",
                                                              "ConstantOfShape",
                                                              "Constant",
                                                              "EyeLike",
                                                              "RandomNormal",
                                                              "RandomNormalLike",
                                                              "RandomUniform",
                                                              "RandomUniformLike",
                                                              "Multinomial",
                                                              "Bernoulli",
                                                              "If",
                                                              "Loop",
                                                              "Scan",
                                                              "QuantizeLinear",
                                                              "DequantizeLinear",
                                                              "DynamicQuantizeLinear",
                                                              "QLinearConv",
                                                              "QLinearMatMul",
                                                              "ConvInteger",
                                                              "MatMulInteger",
                                                              "NonMaxSuppression",
                                                              "MelWeightMatrix",
                                                              "Optional",
                                                              "OptionalGetElement",
                                                              "OptionalHasElement",
                                                              "SequenceEmpty"};

constexpr std::array<std::string_view, 9> kMatrix = {
    "Conv", "ConvTranspose", "MatMul", "Gemm", "Einsum", "FusedConv", "FusedGemm", "FusedConvTranspose", "FusedMatMul"};

// allow_mix_precision's list. Every op below still computes in float32 on this CPU when its tensors
// are 16-bit (widened kernels); what 16-bit storage costs is the rounding and the range of its output
// and of its inputs, which is what each reason is about.
constexpr SensitiveOp kSensitive[] = {
    {"Softmax", "exp() overflows float16 above 11.09 on an accelerator; its probabilities near 0 and 1 lose "
                "their relative precision"},
    {"LogSoftmax", "log-probabilities are differences of large values (x - logsumexp): float16's 11 bits "
                   "lose them"},
    {"LayerNormalization", "mean and variance over many values: x^2 overflows float16 above |x| = 256, and a "
                           "small variance plus epsilon (1e-5) falls below float16's normal range"},
    {"GroupNormalization", "as LayerNormalization (statistics over a group)"},
    {"InstanceNormalization", "as LayerNormalization (statistics over H x W)"},
    {"MeanVarianceNormalization", "as LayerNormalization"},
    {"LpNormalization", "a sum of squares over an axis overflows float16"},
    {"ReduceSum", "a sum grows with the number of elements and exceeds float16's 65504"},
    {"ReduceMean", "the sum behind the mean; and the mean of a large tensor is often a normalisation statistic"},
    {"ReduceSumSquare", "squares overflow float16 above |x| = 256, and their sum grows with the count"},
    {"ReduceL1", "a sum of magnitudes grows with the count"},
    {"ReduceL2", "a sum of squares (as ReduceSumSquare)"},
    {"ReduceLogSum", "log of a sum that overflows float16"},
    {"ReduceLogSumExp", "exp() overflows float16 above 11.09"},
    {"ReduceProd", "a product leaves float16's range after a few factors"},
    {"CumSum", "running sums grow along the axis and exceed float16's range or precision"},
    {"Exp", "overflows float16 above 11.09 and underflows below -17.3"},
    {"Log", "its inputs near 0 (probabilities) are float16 subnormals or 0 -> -inf"},
    {"Pow", "x^y leaves float16's range for moderate x and y"},
    {"Reciprocal", "1/x overflows float16 for |x| < 1.5e-5 (a variance plus epsilon)"},
    {"Softplus", "log(1 + exp(x)) overflows the exp for x > 11"},
    {"Erf", "saturates to +-1 where float16 cannot tell 1 - 2^-11 from 1: GELU's tail"},
    {"SoftmaxCrossEntropyLoss", "log-probabilities (as LogSoftmax) summed over a batch"},
    {"NegativeLogLikelihoodLoss", "a sum of log-probabilities over a batch"},
};

// Ops that move or combine data elementwise without a range or precision hazard of their own.
constexpr std::array<std::string_view, 34> kFollowers = {
    "Add",      "Sub",     "Mul",       "Div",       "Neg",   "Abs",         "Sqrt",
    "Max",      "Min",     "Sum",       "Mean",      "Where", "Concat",      "Reshape",
    "Flatten",  "Squeeze", "Unsqueeze", "Transpose", "Slice", "Gather",      "GatherElements",
    "GatherND", "Expand",  "Tile",      "Split",     "Pad",   "Identity",    "Clip",
    "Relu",     "Sign",    "Floor",     "Ceil",      "Round", "DepthToSpace"};

} // namespace

bool isConvertible(const ir::Node& n) {
  if (isGs(n)) return n.opType.rfind("Quant", 0) != 0; // QuantConv / QuantMatMul keep their float parts
  if (!isOnnx(n)) return false;
  if (in(kNeverConverted, n.opType)) return false;
  return n.opType.rfind("Sequence", 0) != 0 && n.opType.rfind("Optional", 0) != 0;
}

bool isDataInput(const ir::Node& n, std::size_t i, int64_t opset) {
  if (i >= n.inputs.size() || n.inputs[i] == ir::kNone) return false;
  const std::string_view op = n.opType;
  if (!isOnnx(n)) return isGs(n); // Fused* and Nhwc* pools: every float input follows the output
  if (op == "Resize") return i == 0;
  if (op == "Upsample") return i == 0;
  if (op == "Pow") return i == 0;
  if (op == "Dropout") return i == 0;
  if (op == "GridSample") return i == 0;
  if (op == "BatchNormalization" && opset >= 15) return i == 0;
  if (op == "RoiAlign") return i < 2;
  if (op == "Trilu" || op == "CumSum" || op == "TopK") return i == 0;
  return true; // integer and bool inputs (indices, shapes, conditions) are skipped by their dtype
}

bool readsShapeOnly(const ir::Node& n) { return isOnnx(n) && (n.opType == "Shape" || n.opType == "Size"); }

bool isMatrixOp(const ir::Node& n) { return (isOnnx(n) || isGs(n)) && in(kMatrix, n.opType); }

std::span<const SensitiveOp> sensitiveOps() { return kSensitive; }

bool isSensitive(const ir::Node& n) {
  if (!isOnnx(n)) return false;
  return std::any_of(std::begin(kSensitive), std::end(kSensitive),
                     [&](const SensitiveOp& s) { return s.opType == n.opType; });
}

bool followsInputs(const ir::Node& n) { return isOnnx(n) && in(kFollowers, n.opType); }

ir::DataType computeType(const ir::Graph& g, const ir::Node& n, int64_t opset) {
  if (isOnnx(n) && (n.opType == "Cast" || n.opType == "CastLike" || n.opType == "Shape" || n.opType == "Size"))
    return ir::DataType::Undefined;
  for (std::size_t i = 0; i < n.inputs.size(); ++i) {
    if (n.inputs[i] == ir::kNone || !isDataInput(n, i, opset)) continue;
    const auto t = g.values[static_cast<std::size_t>(n.inputs[i])].dtype;
    if (ir::isFloat(t)) return t;
  }
  for (auto o : n.outputs)
    if (o != ir::kNone && ir::isFloat(g.values[static_cast<std::size_t>(o)].dtype))
      return g.values[static_cast<std::size_t>(o)].dtype;
  return ir::DataType::Undefined;
}

} // namespace gs::compiler::precision
