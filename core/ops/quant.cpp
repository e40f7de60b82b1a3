// Shape functions and costs of the quantization ops: DynamicQuantizeLinear, ConvInteger, MatMulInteger,
// QLinearConv, QLinearMatMul and GearStudio's QuantConv / QuantMatMul (core/ir/gs_ops.h). The integer
// conv and matmul ops share the float op's shape function, seen through the inputs that carry the
// geometry (X and W); the scales and zero points are checked here.
#include <array>

#include "core/ir/gs_ops.h"
#include "core/ops/op_util.h"
#include "core/ops/shape_fns.h"

namespace gs::ops {

using namespace util;

namespace {

using K = ir::Attribute::Kind;

// Runs `fn` on a view of ctx whose inputs are ctx's inputs at `pick` (absent where out of range), then
// gives output 0 the element type `dtype`.
Status inferThrough(InferContext& ctx, ShapeFn fn, std::initializer_list<std::size_t> pick, ir::DataType dtype) {
  std::vector<InputInfo> inputs;
  for (auto i : pick)
    inputs.push_back(i < ctx.inputs.size() ? ctx.inputs[i] : InputInfo{});
  while (!inputs.empty() && inputs.back().dtype == ir::DataType::Undefined && !inputs.back().shape)
    inputs.pop_back();
  std::vector<OutputInfo> outputs(1);
  InferContext sub{ctx.node, ctx.opset, inputs, outputs, ctx.symbols, ctx.maxPropagatedElements};
  GS_RETURN_IF_ERROR(fn(sub));
  setOutput(ctx, 0, dtype, std::move(outputs[0].shape));
  return ok();
}

// A scale or zero point: a scalar or a 1-D tensor (per-axis, or per-row/column for the matmuls).
Status checkQuantParam(const InferContext& ctx, std::size_t i, const char* what) {
  if (!has(ctx, i)) return ok();
  const auto* s = shapeOf(ctx, i);
  if (s && s->rankKnown && s->rank() > 1 && ctx.node.opType != "MatMulInteger" && ctx.node.opType != "QLinearMatMul")
    return invalid(ctx, std::string(what) + " must be a scalar or 1-D, got " + s->str());
  return ok();
}

Status requireInputs(const InferContext& ctx, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i)
    if (!has(ctx, i)) return invalid(ctx, "input " + std::to_string(i) + " is missing");
  return ok();
}

bool isInt8(ir::DataType t) { return t == ir::DataType::Int8 || t == ir::DataType::UInt8; }

Status checkInt8(const InferContext& ctx, std::size_t i, const char* what) {
  if (!has(ctx, i)) return ok();
  const auto t = dtypeOf(ctx, i);
  if (t != ir::DataType::Undefined && !isInt8(t))
    return invalid(ctx, std::string(what) + " must be int8 or uint8, got " + std::string(ir::dtypeName(t)));
  return ok();
}

// Costs through the float op's cost function, with the geometry inputs picked out.
Cost costThrough(CostFn fn, const ir::Node& n, Shapes in, Shapes out, std::initializer_list<std::size_t> pick) {
  std::vector<const ir::Shape*> shapes;
  for (auto i : pick)
    shapes.push_back(i < in.size() ? in[i] : nullptr);
  return fn(n, shapes, out);
}

const AttrSpec kQuantConvAttrs[] = {{"auto_pad", K::String},
                                    {"dilations", K::Ints},
                                    {"group", K::Int},
                                    {"kernel_shape", K::Ints},
                                    {"pads", K::Ints},
                                    {"strides", K::Ints},
                                    {ir::gsop::kActivation, K::String},
                                    {ir::gsop::kActivationParams, K::Floats},
                                    {ir::gsop::kPostScale, K::Float},
                                    {ir::gsop::kPostShift, K::Float},
                                    {ir::gsop::kLayout, K::String}};
const AttrSpec kQuantMatMulAttrs[] = {{ir::gsop::kActivation, K::String}, {ir::gsop::kActivationParams, K::Floats}};
const InputSpec kQuantConvInputs[] = {{"X", false},           {"W", false},           {"B", true},
                                      {"x_scale", false},     {"x_zero_point", true}, {"w_scale", false},
                                      {"w_zero_point", true}, {"y_scale", true},      {"y_zero_point", true}};
const InputSpec kQuantMatMulInputs[] = {{"A", false},           {"B", false},           {"bias", true},
                                        {"a_scale", false},     {"a_zero_point", true}, {"b_scale", false},
                                        {"b_zero_point", true}, {"y_scale", true},      {"y_zero_point", true}};
const std::string_view kQuantY[] = {"Y"};

} // namespace

const OpSchema kQuantConvSchema{
    "Conv of X quantized with x_scale/x_zero_point and int8 W (per-channel w_scale), + B, then activation "
    "(and post_scale/post_shift, as FusedConv); with y_scale, Y is quantized and dequantized again (Q -> DQ). X, B and "
    "Y float32; layout NCHW or NHWC (X and Y)",
    kQuantConvInputs, kQuantY, kQuantConvAttrs, "float32"};
const OpSchema kQuantMatMulSchema{
    "MatMul of A quantized with a_scale/a_zero_point and int8 B (per-column b_scale), + bias, then activation; "
    "with y_scale, Y is quantized and dequantized again. A, bias and Y float32",
    kQuantMatMulInputs, kQuantY, kQuantMatMulAttrs, "float32"};

Status inferDynamicQuantizeLinear(InferContext& ctx) {
  if (!has(ctx, 0)) return invalid(ctx, "needs input x");
  if (dtypeOf(ctx, 0) != ir::DataType::Float32 && dtypeOf(ctx, 0) != ir::DataType::Undefined)
    return invalid(ctx, "x must be float32, got " + std::string(ir::dtypeName(dtypeOf(ctx, 0))));
  setOutput(ctx, 0, ir::DataType::UInt8, *shapeOf(ctx, 0));
  if (ctx.outputs.size() > 1) setOutput(ctx, 1, ir::DataType::Float32, ir::Shape(std::vector<ir::Dim>{}));
  if (ctx.outputs.size() > 2) setOutput(ctx, 2, ir::DataType::UInt8, ir::Shape(std::vector<ir::Dim>{}));
  return ok();
}

Status inferConvInteger(InferContext& ctx) {
  GS_RETURN_IF_ERROR(checkInt8(ctx, 0, "x"));
  GS_RETURN_IF_ERROR(checkInt8(ctx, 1, "w"));
  GS_RETURN_IF_ERROR(checkQuantParam(ctx, 2, "x_zero_point"));
  GS_RETURN_IF_ERROR(checkQuantParam(ctx, 3, "w_zero_point"));
  return inferThrough(ctx, inferConv, {0, 1}, ir::DataType::Int32);
}

Status inferMatMulInteger(InferContext& ctx) {
  GS_RETURN_IF_ERROR(checkInt8(ctx, 0, "A"));
  GS_RETURN_IF_ERROR(checkInt8(ctx, 1, "B"));
  return inferThrough(ctx, inferMatMul, {0, 1}, ir::DataType::Int32);
}

Status inferQLinearConv(InferContext& ctx) {
  GS_RETURN_IF_ERROR(requireInputs(ctx, 8));
  GS_RETURN_IF_ERROR(checkInt8(ctx, 0, "x"));
  GS_RETURN_IF_ERROR(checkInt8(ctx, 3, "w"));
  for (std::size_t i : {1, 2, 4, 5, 6, 7})
    GS_RETURN_IF_ERROR(checkQuantParam(ctx, i, "scale / zero point"));
  return inferThrough(ctx, inferConv, {0, 3, 8}, dtypeOf(ctx, 7));
}

Status inferQLinearMatMul(InferContext& ctx) {
  GS_RETURN_IF_ERROR(requireInputs(ctx, 8));
  GS_RETURN_IF_ERROR(checkInt8(ctx, 0, "a"));
  GS_RETURN_IF_ERROR(checkInt8(ctx, 3, "b"));
  return inferThrough(ctx, inferMatMul, {0, 3}, dtypeOf(ctx, 7));
}

Status inferQuantConv(InferContext& ctx) {
  GS_RETURN_IF_ERROR(checkInt8(ctx, 1, "W"));
  return inferThrough(ctx, inferConv, {0, 1, 2}, ir::DataType::Float32);
}

Status inferQuantMatMul(InferContext& ctx) {
  GS_RETURN_IF_ERROR(checkInt8(ctx, 1, "B"));
  return inferThrough(ctx, inferMatMul, {0, 1}, ir::DataType::Float32);
}

Cost costConvInteger(const ir::Node& n, Shapes in, Shapes out) { return costThrough(costConv, n, in, out, {0, 1}); }
Cost costQLinearConv(const ir::Node& n, Shapes in, Shapes out) { return costThrough(costConv, n, in, out, {0, 3, 8}); }
Cost costQuantConv(const ir::Node& n, Shapes in, Shapes out) { return costThrough(costConv, n, in, out, {0, 1, 2}); }
Cost costMatMulInteger(const ir::Node& n, Shapes in, Shapes out) { return costThrough(costMatMul, n, in, out, {0, 1}); }
Cost costQLinearMatMul(const ir::Node& n, Shapes in, Shapes out) { return costThrough(costMatMul, n, in, out, {0, 3}); }

} // namespace gs::ops
