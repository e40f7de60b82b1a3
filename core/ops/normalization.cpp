// Shape functions of normalisations and softmax-like ops: BatchNormalization (all output forms),
// InstanceNormalization, LayerNormalization, GroupNormalization, MeanVarianceNormalization, LRN,
// LpNormalization, Dropout, Softmax / LogSoftmax / Hardmax (axis default 1 before opset 13, -1 after).
#include "core/ops/op_util.h"
#include "core/ops/shape_fns.h"

namespace gs::ops {

using namespace util;

namespace {

Status needInput(const InferContext& ctx, std::size_t i) {
  if (!has(ctx, i)) return invalid(ctx, "input " + std::to_string(i) + " is missing");
  return ok();
}

// A per-channel parameter (scale, bias, mean, var) must be 1-D with the channel count of X.
Status checkChannelParam(const InferContext& ctx, std::size_t i, const ir::Dim& channels, const char* what) {
  const auto* s = shapeOf(ctx, i);
  if (!s || !s->rankKnown) return ok();
  if (s->rank() != 1) return invalid(ctx, std::string(what) + " must be 1-D, got " + s->str());
  auto d = unifyDims(ctx, s->dims[0], channels, std::string(what) + " length and channels");
  if (!d) return std::unexpected(d.error());
  return ok();
}

} // namespace

Status inferBatchNorm(InferContext& ctx) {
  for (std::size_t i = 0; i < 5; ++i)
    GS_RETURN_IF_ERROR(needInput(ctx, i));
  const auto& x = *shapeOf(ctx, 0);
  const ir::Dim c = x.rankKnown && x.rank() >= 2 ? x.dims[1] : freshDim(ctx);
  if (x.rankKnown && x.rank() < 2) return invalid(ctx, "input X must have rank >= 2, got " + x.str());
  const bool spatial = ctx.opset >= 9 || ctx.node.attrs.getInt("spatial", 1) == 1;
  if (spatial) {
    const char* names[] = {"scale", "B", "mean", "var"};
    for (std::size_t i = 1; i < 5; ++i)
      GS_RETURN_IF_ERROR(checkChannelParam(ctx, i, c, names[i - 1]));
  }
  const auto mom = ctx.node.attrs.getFloat("momentum", 0.9f);
  if (mom < 0 || mom > 1) return invalidAttr(ctx, "momentum", "must be in [0, 1]");
  setOutput(ctx, 0, dtypeOf(ctx, 0), x);
  // Training outputs: running/saved statistics, one per channel.
  for (std::size_t i = 1; i < ctx.outputs.size(); ++i) {
    const auto statType = ctx.opset >= 14 ? dtypeOf(ctx, 3) : dtypeOf(ctx, 1);
    setOutput(ctx, i, statType, spatial ? ir::Shape({c}) : ir::Shape::unknownRank());
  }
  return ok();
}

Status inferInstanceNorm(InferContext& ctx) {
  for (std::size_t i = 0; i < 3; ++i)
    GS_RETURN_IF_ERROR(needInput(ctx, i));
  const auto& x = *shapeOf(ctx, 0);
  if (x.rankKnown && x.rank() < 3) return invalid(ctx, "input must have rank >= 3, got " + x.str());
  const ir::Dim c = x.rankKnown ? x.dims[1] : freshDim(ctx);
  GS_RETURN_IF_ERROR(checkChannelParam(ctx, 1, c, "scale"));
  GS_RETURN_IF_ERROR(checkChannelParam(ctx, 2, c, "B"));
  setOutput(ctx, 0, dtypeOf(ctx, 0), x);
  return ok();
}

Status inferLayerNorm(InferContext& ctx) {
  GS_RETURN_IF_ERROR(needInput(ctx, 0));
  GS_RETURN_IF_ERROR(needInput(ctx, 1));
  const auto& x = *shapeOf(ctx, 0);
  const auto dtype = dtypeOf(ctx, 0);
  setOutput(ctx, 0, dtype, x);
  auto stash = ir::DataType::Float32;
  if (const auto* a = ctx.node.attrs.find("stash_type")) {
    auto t = ir::dtypeFromOnnx(static_cast<int32_t>(a->i));
    if (!t) return invalidAttr(ctx, "stash_type", "unknown data type");
    stash = *t;
  }
  if (!x.rankKnown) {
    for (std::size_t i = 1; i < ctx.outputs.size(); ++i)
      setOutput(ctx, i, stash, ir::Shape::unknownRank());
    return ok();
  }
  GS_ASSIGN_OR_RETURN(auto axis, normalizeAxis(ctx, "axis", ctx.node.attrs.getInt("axis", -1), x.rank()));
  // Scale must broadcast to the normalised tail.
  const auto* scale = shapeOf(ctx, 1);
  if (scale->rankKnown && scale->rank() > x.rank() - static_cast<std::size_t>(axis))
    return invalid(ctx, "scale " + scale->str() + " has more dims than the normalised part of " + x.str());
  auto stats = x.dims;
  for (std::size_t i = static_cast<std::size_t>(axis); i < stats.size(); ++i)
    stats[i] = ir::Dim::known(1);
  for (std::size_t i = 1; i < ctx.outputs.size(); ++i)
    setOutput(ctx, i, stash, ir::Shape(stats));
  return ok();
}

Status inferGroupNorm(InferContext& ctx) {
  for (std::size_t i = 0; i < 3; ++i)
    GS_RETURN_IF_ERROR(needInput(ctx, i));
  if (!ctx.node.attrs.has("num_groups")) return invalidAttr(ctx, "num_groups", "is required");
  const auto groups = ctx.node.attrs.getInt("num_groups", 1);
  const auto& x = *shapeOf(ctx, 0);
  if (groups < 1) return invalidAttr(ctx, "num_groups", "must be >= 1");
  if (x.rankKnown && x.rank() >= 2 && x.dims[1].isKnown() && x.dims[1].value % groups != 0)
    return invalidAttr(ctx, "num_groups", "does not divide the channel count " + std::to_string(x.dims[1].value));
  setOutput(ctx, 0, dtypeOf(ctx, 0), x);
  return ok();
}

Status inferLrn(InferContext& ctx) {
  GS_RETURN_IF_ERROR(needInput(ctx, 0));
  const auto* size = ctx.node.attrs.find("size");
  if (!size) return invalidAttr(ctx, "size", "is required");
  if (size->i < 1) return invalidAttr(ctx, "size", "must be >= 1");
  setOutput(ctx, 0, dtypeOf(ctx, 0), *shapeOf(ctx, 0));
  return ok();
}

Status inferLpNorm(InferContext& ctx) {
  GS_RETURN_IF_ERROR(needInput(ctx, 0));
  const auto& x = *shapeOf(ctx, 0);
  const auto p = ctx.node.attrs.getInt("p", 2);
  if (p != 1 && p != 2) return invalidAttr(ctx, "p", "must be 1 or 2");
  if (x.rankKnown) GS_RETURN_IF_ERROR(normalizeAxis(ctx, "axis", ctx.node.attrs.getInt("axis", -1), x.rank()));
  setOutput(ctx, 0, dtypeOf(ctx, 0), x);
  return ok();
}

Status inferMeanVarianceNorm(InferContext& ctx) {
  GS_RETURN_IF_ERROR(needInput(ctx, 0));
  const auto& x = *shapeOf(ctx, 0);
  if (x.rankKnown) GS_RETURN_IF_ERROR(normalizeAxes(ctx, "axes", ctx.node.attrs.getInts("axes", {0, 2, 3}), x.rank()));
  setOutput(ctx, 0, dtypeOf(ctx, 0), x);
  return ok();
}

Status inferDropout(InferContext& ctx) {
  GS_RETURN_IF_ERROR(needInput(ctx, 0));
  const auto& x = *shapeOf(ctx, 0);
  if (ctx.opset < 12) {
    const auto ratio = ctx.node.attrs.getFloat("ratio", 0.5f);
    if (ratio < 0 || ratio >= 1) return invalidAttr(ctx, "ratio", "must be in [0, 1)");
  } else if (auto r = floatsOf(ctx, 1); r && r->size() == 1 && ((*r)[0] < 0 || (*r)[0] >= 1)) {
    return invalid(ctx, "ratio must be in [0, 1)");
  }
  setOutput(ctx, 0, dtypeOf(ctx, 0), x);
  setOutput(ctx, 1, ctx.opset >= 10 ? ir::DataType::Bool : dtypeOf(ctx, 0), x);
  if (const auto* v = valueOf(ctx, 0)) setValue(ctx, 0, *v);
  return ok();
}

Status inferSoftmax(InferContext& ctx) {
  GS_RETURN_IF_ERROR(needInput(ctx, 0));
  const auto& x = *shapeOf(ctx, 0);
  if (x.rankKnown) {
    const int64_t def = ctx.opset >= 13 ? -1 : 1;
    const auto axis = ctx.node.attrs.getInt("axis", def);
    // A scalar has no axis to check.
    // Before opset 13 the input is coerced to 2-D at axis, so axis == rank is still valid.
    if (x.rank() > 0)
      GS_RETURN_IF_ERROR(normalizeAxis(ctx, "axis", axis, static_cast<int64_t>(x.rank()), ctx.opset < 13));
  }
  setOutput(ctx, 0, dtypeOf(ctx, 0), x);
  return ok();
}

} // namespace gs::ops
