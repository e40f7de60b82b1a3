// Shape functions of Resize (opsets 10, 11, 13, 18: scales or sizes), Upsample (scales attribute before
// opset 9, input from 9), DepthToSpace and SpaceToDepth.
#include <cmath>

#include "core/ops/op_util.h"
#include "core/ops/shape_fns.h"

namespace gs::ops {

using namespace util;

namespace {

// True when input i is given and not an empty placeholder tensor (Resize-11 passes scales = []).
bool nonEmpty(const InferContext& ctx, std::size_t i) {
  const auto* s = shapeOf(ctx, i);
  if (!s) return false;
  const auto n = s->numel();
  return !n || *n > 0;
}

// floor(dim * scale) in float, as ONNX's reference computes it.
Expected<ir::Shape> scaled(const InferContext& ctx, const ir::Shape& in, const std::vector<double>& scales,
                           const std::vector<int64_t>& axes) {
  if (scales.size() != axes.size())
    return invalid(ctx, "scales has " + std::to_string(scales.size()) + " entries for " + std::to_string(axes.size()) +
                            " axes of input " + in.str());
  auto out = in.dims;
  for (std::size_t i = 0; i < axes.size(); ++i) {
    const auto a = static_cast<std::size_t>(axes[i]);
    const double s = scales[i];
    if (s <= 0) return invalid(ctx, "scales must be positive");
    if (s == 1.0) continue;
    if (!in.dims[a].isKnown()) {
      out[a] = freshDim(ctx);
      continue;
    }
    const float prod = static_cast<float>(in.dims[a].value) * static_cast<float>(s);
    out[a] = ir::Dim::known(static_cast<int64_t>(std::floor(prod)));
  }
  return ir::Shape(std::move(out));
}

std::vector<int64_t> allAxes(std::size_t rank) {
  std::vector<int64_t> a;
  for (std::size_t i = 0; i < rank; ++i)
    a.push_back(static_cast<int64_t>(i));
  return a;
}

} // namespace

Status inferResize(InferContext& ctx) {
  if (!has(ctx, 0)) return invalid(ctx, "input X is missing");
  const auto& x = *shapeOf(ctx, 0);
  const auto dtype = dtypeOf(ctx, 0);
  const auto mode = ctx.node.attrs.getString("mode", "nearest");
  if (mode != "nearest" && mode != "linear" && mode != "cubic")
    return invalidAttr(ctx, "mode", "unknown mode '" + mode + "'");
  const std::size_t scalesAt = ctx.opset >= 11 ? 2 : 1;
  const std::size_t sizesAt = 3;
  const bool useSizes = ctx.opset >= 11 && nonEmpty(ctx, sizesAt);
  const bool useScales = nonEmpty(ctx, scalesAt);
  if (useSizes && useScales && shapeOf(ctx, scalesAt)->numel())
    return invalid(ctx, "only one of scales and sizes may be given");
  if (!useSizes && !useScales) return invalid(ctx, "needs scales or sizes");
  if (!x.rankKnown) {
    setOutput(ctx, 0, dtype, ir::Shape::unknownRank());
    return ok();
  }
  std::vector<int64_t> axes = allAxes(x.rank());
  if (ctx.node.attrs.has("axes")) {
    GS_ASSIGN_OR_RETURN(axes, normalizeAxes(ctx, "axes", ctx.node.attrs.getInts("axes"), x.rank()));
  }
  if (useSizes) {
    auto sizes = intsOf(ctx, sizesAt);
    if (!sizes) {
      auto out = x.dims;
      for (auto a : axes)
        out[static_cast<std::size_t>(a)] = freshDim(ctx);
      setOutput(ctx, 0, dtype, ir::Shape(std::move(out)));
      return ok();
    }
    if (sizes->size() != axes.size())
      return invalid(ctx, "sizes has " + std::to_string(sizes->size()) + " entries for input " + x.str());
    const auto policy = ctx.node.attrs.getString("keep_aspect_ratio_policy", "stretch");
    if (policy != "stretch") {
      // not_larger / not_smaller: one scale for all axes, from the sizes.
      double scale = policy == "not_larger" ? 1e300 : 0;
      for (std::size_t i = 0; i < axes.size(); ++i) {
        const auto& d = x.dims[static_cast<std::size_t>(axes[i])];
        if (!d.isKnown()) return invalid(ctx, "keep_aspect_ratio_policy needs known input dims");
        const double s = static_cast<double>((*sizes)[i]) / static_cast<double>(d.value);
        scale = policy == "not_larger" ? std::min(scale, s) : std::max(scale, s);
      }
      auto out = x.dims;
      for (auto a : axes)
        out[static_cast<std::size_t>(a)] =
            ir::Dim::known(static_cast<int64_t>(std::round(scale * static_cast<double>(x.dims[a].value))));
      setOutput(ctx, 0, dtype, ir::Shape(std::move(out)));
      return ok();
    }
    auto out = x.dims;
    for (std::size_t i = 0; i < axes.size(); ++i) {
      if ((*sizes)[i] < 0) return invalid(ctx, "sizes has a negative entry");
      out[static_cast<std::size_t>(axes[i])] = ir::Dim::known((*sizes)[i]);
    }
    setOutput(ctx, 0, dtype, ir::Shape(std::move(out)));
    return ok();
  }
  auto scales = floatsOf(ctx, scalesAt);
  if (!scales) {
    auto out = x.dims;
    for (auto a : axes)
      out[static_cast<std::size_t>(a)] = freshDim(ctx);
    setOutput(ctx, 0, dtype, ir::Shape(std::move(out)));
    return ok();
  }
  GS_ASSIGN_OR_RETURN(auto out, scaled(ctx, x, *scales, axes));
  setOutput(ctx, 0, dtype, std::move(out));
  return ok();
}

Status inferUpsample(InferContext& ctx) {
  if (!has(ctx, 0)) return invalid(ctx, "input X is missing");
  const auto& x = *shapeOf(ctx, 0);
  const auto dtype = dtypeOf(ctx, 0);
  const auto mode = ctx.node.attrs.getString("mode", "nearest");
  if (mode != "nearest" && mode != "linear" && mode != "bilinear")
    return invalidAttr(ctx, "mode", "unknown mode '" + mode + "'");
  std::optional<std::vector<double>> scales;
  if (ctx.opset < 9) {
    if (!ctx.node.attrs.has("scales")) return invalidAttr(ctx, "scales", "is required");
    std::vector<double> s;
    for (auto f : ctx.node.attrs.getFloats("scales"))
      s.push_back(f);
    scales = s;
  } else {
    if (!has(ctx, 1)) return invalid(ctx, "input scales is missing");
    scales = floatsOf(ctx, 1);
  }
  if (!x.rankKnown) {
    setOutput(ctx, 0, dtype, ir::Shape::unknownRank());
    return ok();
  }
  if (!scales) {
    setOutput(ctx, 0, dtype, freshShape(ctx, x.rank()));
    return ok();
  }
  GS_ASSIGN_OR_RETURN(auto out, scaled(ctx, x, *scales, allAxes(x.rank())));
  setOutput(ctx, 0, dtype, std::move(out));
  return ok();
}

Status inferDepthSpace(InferContext& ctx) {
  if (!has(ctx, 0)) return invalid(ctx, "input is missing");
  const auto& x = *shapeOf(ctx, 0);
  const auto dtype = dtypeOf(ctx, 0);
  const auto* bs = ctx.node.attrs.find("blocksize");
  if (!bs) return invalidAttr(ctx, "blocksize", "is required");
  const int64_t b = bs->i;
  if (b < 1) return invalidAttr(ctx, "blocksize", "must be >= 1");
  const bool toSpace = ctx.node.opType == "DepthToSpace";
  if (toSpace) {
    const auto mode = ctx.node.attrs.getString("mode", "DCR");
    if (mode != "DCR" && mode != "CRD") return invalidAttr(ctx, "mode", "must be DCR or CRD");
  }
  if (!x.rankKnown) {
    setOutput(ctx, 0, dtype, freshShape(ctx, 4));
    return ok();
  }
  if (x.rank() != 4) return invalid(ctx, "input must be 4-D, got " + x.str());
  auto out = x.dims;
  auto scale = [&](std::size_t i, bool up) -> Status {
    const auto& d = x.dims[i];
    const int64_t f = i == 1 ? b * b : b;
    if (!d.isKnown()) {
      out[i] = freshDim(ctx);
      return ok();
    }
    if (!up && d.value % f != 0)
      return invalidAttr(ctx, "blocksize",
                         "dim " + std::to_string(i) + " of " + x.str() + " is not divisible by " + std::to_string(f));
    out[i] = ir::Dim::known(up ? d.value * f : d.value / f);
    return ok();
  };
  GS_RETURN_IF_ERROR(scale(1, !toSpace));
  GS_RETURN_IF_ERROR(scale(2, toSpace));
  GS_RETURN_IF_ERROR(scale(3, toSpace));
  setOutput(ctx, 0, dtype, ir::Shape(std::move(out)));
  return ok();
}

} // namespace gs::ops
