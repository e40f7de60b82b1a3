// Shape functions of reductions: Reduce* (axes attribute, or input from ReduceSum-13 / the others at 18),
// ArgMax/ArgMin, TopK (K input from opset 10) and CumSum. Reductions of small integer vectors (ReduceProd
// of a shape, for example) propagate their value.
#include <algorithm>

#include "core/ops/op_util.h"
#include "core/ops/shape_fns.h"

namespace gs::ops {

using namespace util;

namespace {

Status needInput(const InferContext& ctx, std::size_t i) {
  if (!has(ctx, i)) return invalid(ctx, "input " + std::to_string(i) + " is missing");
  return ok();
}

// Opset from which the op's axes come from an input instead of an attribute.
int64_t axesInputSince(std::string_view op) { return op == "ReduceSum" ? 13 : 18; }

std::optional<int64_t> reduceInts(std::string_view op, const std::vector<int64_t>& v) {
  if (op == "ReduceProd") {
    int64_t p = 1;
    for (auto x : v)
      p *= x;
    return p;
  }
  if (op == "ReduceSum") {
    int64_t s = 0;
    for (auto x : v)
      s += x;
    return s;
  }
  if (v.empty()) return std::nullopt;
  if (op == "ReduceMax") return *std::max_element(v.begin(), v.end());
  if (op == "ReduceMin") return *std::min_element(v.begin(), v.end());
  return std::nullopt;
}

} // namespace

Status inferReduce(InferContext& ctx) {
  GS_RETURN_IF_ERROR(needInput(ctx, 0));
  const auto& in = *shapeOf(ctx, 0);
  const auto dtype = dtypeOf(ctx, 0);
  const bool keep = ctx.node.attrs.getInt("keepdims", 1) != 0;
  std::optional<std::vector<int64_t>> axes;
  bool noop = false;
  if (ctx.opset >= axesInputSince(ctx.node.opType)) {
    noop = ctx.node.attrs.getInt("noop_with_empty_axes", 0) != 0;
    if (has(ctx, 1))
      axes = intsOf(ctx, 1);
    else
      axes = std::vector<int64_t>{};
  } else {
    axes = ctx.node.attrs.getInts("axes");
  }
  if (!in.rankKnown) {
    setOutput(ctx, 0, dtype, ir::Shape::unknownRank());
    return ok();
  }
  if (!axes) {
    // Which axes is unknown: with keepdims the rank survives.
    setOutput(ctx, 0, dtype, keep ? freshShape(ctx, in.rank()) : ir::Shape::unknownRank());
    return ok();
  }
  if (axes->empty() && noop) {
    setOutput(ctx, 0, dtype, in);
    if (const auto* v = valueOf(ctx, 0)) setValue(ctx, 0, *v);
    return ok();
  }
  std::vector<bool> reduced(in.rank(), axes->empty());
  GS_ASSIGN_OR_RETURN(auto norm, normalizeAxes(ctx, "axes", *axes, static_cast<int64_t>(in.rank())));
  for (auto a : norm)
    reduced[static_cast<std::size_t>(a)] = true;
  std::vector<ir::Dim> out;
  for (std::size_t i = 0; i < in.rank(); ++i) {
    if (!reduced[i])
      out.push_back(in.dims[i]);
    else if (keep)
      out.push_back(ir::Dim::known(1));
  }
  ir::Shape shape(std::move(out));
  setOutput(ctx, 0, dtype, shape);
  // Whole-tensor reduction of a known integer vector.
  const auto v = intsOf(ctx, 0);
  if (v && in.rank() <= 1 && std::all_of(reduced.begin(), reduced.end(), [](bool b) { return b; })) {
    if (auto r = reduceInts(ctx.node.opType, *v)) {
      const auto dims = shape.values();
      if (dims) setValue(ctx, 0, makeTensor(dtype, *dims, std::vector<int64_t>{*r}));
    }
  }
  return ok();
}

Status inferArgMinMax(InferContext& ctx) {
  GS_RETURN_IF_ERROR(needInput(ctx, 0));
  const auto& in = *shapeOf(ctx, 0);
  const bool keep = ctx.node.attrs.getInt("keepdims", 1) != 0;
  if (!in.rankKnown) {
    setOutput(ctx, 0, ir::DataType::Int64, ir::Shape::unknownRank());
    return ok();
  }
  GS_ASSIGN_OR_RETURN(auto axis, normalizeAxis(ctx, "axis", ctx.node.attrs.getInt("axis", 0), in.rank()));
  auto out = in.dims;
  if (keep)
    out[static_cast<std::size_t>(axis)] = ir::Dim::known(1);
  else
    out.erase(out.begin() + axis);
  setOutput(ctx, 0, ir::DataType::Int64, ir::Shape(std::move(out)));
  return ok();
}

Status inferTopK(InferContext& ctx) {
  GS_RETURN_IF_ERROR(needInput(ctx, 0));
  const auto& in = *shapeOf(ctx, 0);
  const auto dtype = dtypeOf(ctx, 0);
  std::optional<int64_t> k;
  if (ctx.opset < 10) {
    if (!ctx.node.attrs.has("k")) return invalidAttr(ctx, "k", "is required");
    k = ctx.node.attrs.getInt("k", 0);
  } else {
    GS_RETURN_IF_ERROR(needInput(ctx, 1));
    const auto* ks = shapeOf(ctx, 1);
    if (ks->rankKnown && ks->isStatic() && ks->numel() != 1) return invalid(ctx, "K must hold one element");
    k = intScalarOf(ctx, 1);
  }
  if (k && *k < 0) return invalid(ctx, "K is negative");
  if (!in.rankKnown) {
    setOutput(ctx, 0, dtype, ir::Shape::unknownRank());
    setOutput(ctx, 1, ir::DataType::Int64, ir::Shape::unknownRank());
    return ok();
  }
  GS_ASSIGN_OR_RETURN(auto axis, normalizeAxis(ctx, "axis", ctx.node.attrs.getInt("axis", -1), in.rank()));
  auto out = in.dims;
  auto& d = out[static_cast<std::size_t>(axis)];
  if (k && d.isKnown() && *k > d.value)
    return invalid(ctx, "K " + std::to_string(*k) + " exceeds the axis length " + std::to_string(d.value));
  d = k ? ir::Dim::known(*k) : freshDim(ctx);
  setOutput(ctx, 0, dtype, ir::Shape(out));
  setOutput(ctx, 1, ir::DataType::Int64, ir::Shape(std::move(out)));
  return ok();
}

Status inferCumSum(InferContext& ctx) {
  GS_RETURN_IF_ERROR(needInput(ctx, 0));
  GS_RETURN_IF_ERROR(needInput(ctx, 1));
  const auto& in = *shapeOf(ctx, 0);
  if (auto a = intScalarOf(ctx, 1); a && in.rankKnown) GS_RETURN_IF_ERROR(normalizeAxis(ctx, "axis", *a, in.rank()));
  setOutput(ctx, 0, dtypeOf(ctx, 0), in);
  return ok();
}

} // namespace gs::ops
