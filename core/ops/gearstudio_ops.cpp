// The ai.gearstudio ops (core/ir/gs_ops.h): their schemas (inputs, outputs, attributes with kinds,
// types) and the schema check every node of such an op passes before its shape function. Shape
// functions and costs are the ONNX base op's (conv_pool.cpp, matmul.cpp, costs.cpp), which read the
// fused inputs (FusedConv's Z) and attributes through core/ir/gs_ops.h.
#include <algorithm>
#include <string>

#include "core/ir/gs_ops.h"
#include "core/ops/op_util.h"
#include "core/ops/shape_fns.h"

namespace gs::ops {

using namespace util;

namespace {

using K = ir::Attribute::Kind;

// clang-format off
const AttrSpec kConvAttrs[] = {
    {"auto_pad", K::String}, {"dilations", K::Ints}, {"group", K::Int}, {"kernel_shape", K::Ints},
    {"pads", K::Ints}, {"strides", K::Ints},
    {ir::gsop::kActivation, K::String}, {ir::gsop::kActivationParams, K::Floats},
    {ir::gsop::kPostScale, K::Float}, {ir::gsop::kPostShift, K::Float}, {ir::gsop::kLayout, K::String}};
const AttrSpec kConvTransposeAttrs[] = {
    {"auto_pad", K::String}, {"dilations", K::Ints}, {"group", K::Int}, {"kernel_shape", K::Ints},
    {"output_padding", K::Ints}, {"output_shape", K::Ints}, {"pads", K::Ints}, {"strides", K::Ints},
    {ir::gsop::kActivation, K::String}, {ir::gsop::kActivationParams, K::Floats}, {ir::gsop::kLayout, K::String}};
const AttrSpec kGemmAttrs[] = {
    {"alpha", K::Float}, {"beta", K::Float}, {"transA", K::Int}, {"transB", K::Int},
    {ir::gsop::kActivation, K::String}, {ir::gsop::kActivationParams, K::Floats}};
const AttrSpec kMatMulAttrs[] = {{ir::gsop::kActivation, K::String}, {ir::gsop::kActivationParams, K::Floats}};
const AttrSpec kMaxPoolAttrs[] = {
    {"auto_pad", K::String}, {"ceil_mode", K::Int}, {"dilations", K::Ints}, {"kernel_shape", K::Ints, true},
    {"pads", K::Ints}, {"storage_order", K::Int}, {"strides", K::Ints}};
const AttrSpec kAveragePoolAttrs[] = {
    {"auto_pad", K::String}, {"ceil_mode", K::Int}, {"count_include_pad", K::Int}, {"dilations", K::Ints},
    {"kernel_shape", K::Ints, true}, {"pads", K::Ints}, {"strides", K::Ints}};

const InputSpec kConvInputs[] = {{"X", false}, {"W", false}, {"B", true}, {"Z", true}};
const InputSpec kConvTransposeInputs[] = {{"X", false}, {"W", false}, {"B", true}};
const InputSpec kGemmInputs[] = {{"A", false}, {"B", false}, {"C", true}};
const InputSpec kMatMulInputs[] = {{"A", false}, {"B", false}};
const InputSpec kPoolInputs[] = {{"X", false}};
const std::string_view kY[] = {"Y"};
// clang-format on

} // namespace

const OpSchema kFusedConvSchema{
    "Conv (ONNX attributes) + B + residual Z, then activation, then * post_scale + post_shift; "
    "layout NCHW or NHWC (X, Z and Y channels-last)",
    kConvInputs, kY, kConvAttrs, "float32"};
const OpSchema kFusedConvTransposeSchema{"ConvTranspose (ONNX attributes), then activation; layout NCHW or NHWC",
                                         kConvTransposeInputs, kY, kConvTransposeAttrs, "float32"};
const OpSchema kFusedGemmSchema{"Gemm (ONNX attributes), then activation", kGemmInputs, kY, kGemmAttrs, "float32"};
const OpSchema kFusedMatMulSchema{"MatMul, then activation", kMatMulInputs, kY, kMatMulAttrs, "float32"};
const OpSchema kNhwcMaxPoolSchema{"MaxPool on channels-last X and Y (no Indices output)", kPoolInputs, kY,
                                  kMaxPoolAttrs, "float32"};
const OpSchema kNhwcAveragePoolSchema{"AveragePool on channels-last X and Y", kPoolInputs, kY, kAveragePoolAttrs,
                                      "float32"};
const OpSchema kNhwcGlobalPoolSchema{"the ONNX global pool on channels-last X and Y", kPoolInputs, kY, {}, "float32"};

Status checkSchema(const OpSchema& schema, const InferContext& ctx) {
  const auto& n = ctx.node;
  if (n.inputs.size() > schema.inputs.size())
    return invalid(ctx, "takes at most " + std::to_string(schema.inputs.size()) + " inputs, got " +
                            std::to_string(n.inputs.size()));
  for (std::size_t i = 0; i < schema.inputs.size(); ++i)
    if (!schema.inputs[i].optional && !has(ctx, i))
      return invalid(ctx, "input " + std::to_string(i) + " (" + std::string(schema.inputs[i].name) + ") is required");
  if (n.outputs.size() > schema.outputs.size())
    return invalid(ctx, "has at most " + std::to_string(schema.outputs.size()) + " outputs, got " +
                            std::to_string(n.outputs.size()));
  for (const auto& [name, a] : n.attrs) {
    const auto it = std::find_if(schema.attributes.begin(), schema.attributes.end(),
                                 [&](const AttrSpec& s) { return s.name == name; });
    if (it == schema.attributes.end()) return invalidAttr(ctx, name, "is not an attribute of " + n.opType);
    if (it->kind != a.kind) return invalidAttr(ctx, name, "has the wrong kind for " + n.opType);
  }
  for (const auto& s : schema.attributes)
    if (s.required && !n.attrs.has(std::string(s.name))) return invalidAttr(ctx, s.name, "is required");
  if (const auto* act = n.attrs.find(ir::gsop::kActivation)) {
    if (std::find(std::begin(ir::gsop::kActivations), std::end(ir::gsop::kActivations), act->s) ==
        std::end(ir::gsop::kActivations))
      return invalidAttr(ctx, ir::gsop::kActivation, "unknown activation '" + act->s + "'");
  } else if (n.attrs.has(ir::gsop::kActivationParams)) {
    return invalidAttr(ctx, ir::gsop::kActivationParams, "is given without an activation");
  }
  if (const auto* layout = n.attrs.find(ir::gsop::kLayout);
      layout && layout->s != ir::gsop::kNchw && layout->s != ir::gsop::kNhwc)
    return invalidAttr(ctx, ir::gsop::kLayout, "must be NCHW or NHWC, got '" + layout->s + "'");
  return ok();
}

} // namespace gs::ops
