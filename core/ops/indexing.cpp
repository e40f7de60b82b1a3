// Shape functions of indexing ops: Gather (with value propagation), GatherElements, GatherND, Scatter*,
// OneHot, NonZero, Compress, Unique, Trilu, ReverseSequence. NonZero, Compress and Unique are
// data-dependent: their output length is a fresh symbol unless the input data is known.
#include <set>

#include "core/ops/op_util.h"
#include "core/ops/shape_fns.h"

namespace gs::ops {

using namespace util;

namespace {

Status needInput(const InferContext& ctx, std::size_t i) {
  if (!has(ctx, i)) return invalid(ctx, "input " + std::to_string(i) + " is missing");
  return ok();
}

} // namespace

Status inferGather(InferContext& ctx) {
  GS_RETURN_IF_ERROR(needInput(ctx, 0));
  GS_RETURN_IF_ERROR(needInput(ctx, 1));
  const auto& data = *shapeOf(ctx, 0);
  const auto& idx = *shapeOf(ctx, 1);
  const auto dtype = dtypeOf(ctx, 0);
  if (!data.rankKnown || !idx.rankKnown) {
    setOutput(ctx, 0, dtype, ir::Shape::unknownRank());
    return ok();
  }
  if (data.rank() == 0) return invalid(ctx, "data must have rank >= 1");
  GS_ASSIGN_OR_RETURN(auto axis, normalizeAxis(ctx, "axis", ctx.node.attrs.getInt("axis", 0), data.rank()));
  const auto ax = static_cast<std::size_t>(axis);
  std::vector<ir::Dim> out(data.dims.begin(), data.dims.begin() + static_cast<std::ptrdiff_t>(ax));
  out.insert(out.end(), idx.dims.begin(), idx.dims.end());
  out.insert(out.end(), data.dims.begin() + static_cast<std::ptrdiff_t>(ax) + 1, data.dims.end());
  ir::Shape shape(std::move(out));
  setOutput(ctx, 0, dtype, shape);

  const auto values = intsOf(ctx, 0);
  const auto indices = intsOf(ctx, 1);
  const auto dataDims = data.values();
  const auto outDims = shape.values();
  if (!values && indices && data.rank() == 1 && idx.rank() <= 1 && has(ctx, 0) && ctx.inputs[0].shapeData) {
    // Picking dims out of symbolic shape data (x.shape[0]).
    const auto& src = *ctx.inputs[0].shapeData;
    ShapeData picked;
    for (auto i : *indices) {
      if (i < 0) i += static_cast<int64_t>(src.size());
      if (i < 0 || i >= static_cast<int64_t>(src.size()))
        return invalid(ctx, "index " + std::to_string(i) + " is out of range");
      picked.push_back(src[static_cast<std::size_t>(i)]);
    }
    setShapeData(ctx, 0, std::move(picked));
    return ok();
  }
  if (!values || !indices || !dataDims || !outDims) return ok();
  const auto n = ir::Shape::fromValues(*outDims).numel().value_or(0);
  if (n > ctx.maxPropagatedElements) return ok();
  int64_t outer = 1, inner = 1;
  for (std::size_t k = 0; k < ax; ++k)
    outer *= (*dataDims)[k];
  for (std::size_t k = ax + 1; k < dataDims->size(); ++k)
    inner *= (*dataDims)[k];
  const int64_t axisLen = (*dataDims)[ax];
  std::vector<int64_t> res;
  res.reserve(static_cast<std::size_t>(n));
  for (int64_t o = 0; o < outer; ++o)
    for (auto i : *indices) {
      if (i < 0) i += axisLen;
      if (i < 0 || i >= axisLen) return invalid(ctx, "index " + std::to_string(i) + " is out of range");
      for (int64_t k = 0; k < inner; ++k)
        res.push_back((*values)[static_cast<std::size_t>((o * axisLen + i) * inner + k)]);
    }
  setValue(ctx, 0, makeTensor(dtype, *outDims, res));
  return ok();
}

Status inferGatherElements(InferContext& ctx) {
  GS_RETURN_IF_ERROR(needInput(ctx, 0));
  GS_RETURN_IF_ERROR(needInput(ctx, 1));
  const auto& data = *shapeOf(ctx, 0);
  const auto& idx = *shapeOf(ctx, 1);
  if (data.rankKnown && idx.rankKnown) {
    if (data.rank() != idx.rank())
      return invalid(ctx, "data " + data.str() + " and indices " + idx.str() + " differ in rank");
    GS_RETURN_IF_ERROR(normalizeAxis(ctx, "axis", ctx.node.attrs.getInt("axis", 0), data.rank()));
  }
  setOutput(ctx, 0, dtypeOf(ctx, 0), idx);
  return ok();
}

Status inferGatherND(InferContext& ctx) {
  GS_RETURN_IF_ERROR(needInput(ctx, 0));
  GS_RETURN_IF_ERROR(needInput(ctx, 1));
  const auto& data = *shapeOf(ctx, 0);
  const auto& idx = *shapeOf(ctx, 1);
  const auto dtype = dtypeOf(ctx, 0);
  const auto b = ctx.node.attrs.getInt("batch_dims", 0);
  if (!data.rankKnown || !idx.rankKnown || idx.rank() == 0 || !idx.dims.back().isKnown()) {
    setOutput(ctx, 0, dtype, ir::Shape::unknownRank());
    return ok();
  }
  const auto r = static_cast<int64_t>(data.rank()), q = static_cast<int64_t>(idx.rank());
  const auto last = idx.dims.back().value;
  if (b < 0 || b >= std::min(r, q))
    return invalidAttr(ctx, "batch_dims", "must be in [0, min(rank(data), rank(indices)))");
  if (last < 1 || last > r - b)
    return invalid(ctx, "indices' last dim " + std::to_string(last) + " must be in [1, " + std::to_string(r - b) + "]");
  std::vector<ir::Dim> out(idx.dims.begin(), idx.dims.end() - 1);
  out.insert(out.end(), data.dims.begin() + b + last, data.dims.end());
  setOutput(ctx, 0, dtype, ir::Shape(std::move(out)));
  return ok();
}

Status inferScatter(InferContext& ctx) {
  for (std::size_t i = 0; i < 3; ++i)
    GS_RETURN_IF_ERROR(needInput(ctx, i));
  const auto& data = *shapeOf(ctx, 0);
  if (ctx.node.opType != "ScatterND" && data.rankKnown)
    GS_RETURN_IF_ERROR(normalizeAxis(ctx, "axis", ctx.node.attrs.getInt("axis", 0), data.rank()));
  const auto red = ctx.node.attrs.getString("reduction", "none");
  if (red != "none" && red != "add" && red != "mul" && red != "max" && red != "min")
    return invalidAttr(ctx, "reduction", "unknown reduction '" + red + "'");
  setOutput(ctx, 0, dtypeOf(ctx, 0), data);
  return ok();
}

Status inferOneHot(InferContext& ctx) {
  for (std::size_t i = 0; i < 3; ++i)
    GS_RETURN_IF_ERROR(needInput(ctx, i));
  const auto& idx = *shapeOf(ctx, 0);
  const auto dtype = dtypeOf(ctx, 2);
  if (!idx.rankKnown) {
    setOutput(ctx, 0, dtype, ir::Shape::unknownRank());
    return ok();
  }
  GS_ASSIGN_OR_RETURN(auto axis, normalizeAxis(ctx, "axis", ctx.node.attrs.getInt("axis", -1), idx.rank() + 1));
  ir::Dim depth = freshDim(ctx);
  if (auto d = floatsOf(ctx, 1); d && d->size() == 1) {
    if ((*d)[0] < 1) return invalid(ctx, "depth must be positive");
    depth = ir::Dim::known(static_cast<int64_t>((*d)[0]));
  }
  auto out = idx.dims;
  out.insert(out.begin() + axis, depth);
  setOutput(ctx, 0, dtype, ir::Shape(std::move(out)));
  return ok();
}

Status inferNonZero(InferContext& ctx) {
  GS_RETURN_IF_ERROR(needInput(ctx, 0));
  const auto& in = *shapeOf(ctx, 0);
  ir::Dim count = freshDim(ctx);
  if (auto v = floatsOf(ctx, 0)) {
    int64_t c = 0;
    for (auto x : *v)
      c += x != 0;
    count = ir::Dim::known(c);
  }
  const ir::Dim rank = in.rankKnown ? ir::Dim::known(static_cast<int64_t>(in.rank())) : freshDim(ctx);
  setOutput(ctx, 0, ir::DataType::Int64, ir::Shape({rank, count}));
  return ok();
}

Status inferCompress(InferContext& ctx) {
  GS_RETURN_IF_ERROR(needInput(ctx, 0));
  GS_RETURN_IF_ERROR(needInput(ctx, 1));
  const auto& in = *shapeOf(ctx, 0);
  const auto dtype = dtypeOf(ctx, 0);
  const auto* cond = shapeOf(ctx, 1);
  if (cond->rankKnown && cond->rank() != 1) return invalid(ctx, "condition must be 1-D, got " + cond->str());
  const auto* axisAttr = ctx.node.attrs.find("axis");
  // Selected count: known only when the condition is (bounded by the length of the compressed axis).
  auto selected = [&](std::optional<int64_t> limit) -> ir::Dim {
    auto c = intsOf(ctx, 1);
    if (!c || !limit) return freshDim(ctx);
    int64_t n = 0;
    for (std::size_t i = 0; i < c->size() && static_cast<int64_t>(i) < *limit; ++i)
      n += (*c)[i] != 0;
    return ir::Dim::known(n);
  };
  if (!axisAttr) {
    setOutput(ctx, 0, dtype, ir::Shape({selected(in.numel())}));
    return ok();
  }
  if (!in.rankKnown) {
    setOutput(ctx, 0, dtype, ir::Shape::unknownRank());
    return ok();
  }
  GS_ASSIGN_OR_RETURN(auto axis, normalizeAxis(ctx, "axis", axisAttr->i, in.rank()));
  auto out = in.dims;
  const auto& d = in.dims[static_cast<std::size_t>(axis)];
  out[static_cast<std::size_t>(axis)] = selected(d.isKnown() ? std::optional<int64_t>(d.value) : std::nullopt);
  setOutput(ctx, 0, dtype, ir::Shape(std::move(out)));
  return ok();
}

Status inferTrilu(InferContext& ctx) {
  GS_RETURN_IF_ERROR(needInput(ctx, 0));
  const auto& in = *shapeOf(ctx, 0);
  if (in.rankKnown && in.rank() < 2) return invalid(ctx, "input must have rank >= 2, got " + in.str());
  setOutput(ctx, 0, dtypeOf(ctx, 0), in);
  return ok();
}

Status inferReverseSequence(InferContext& ctx) {
  GS_RETURN_IF_ERROR(needInput(ctx, 0));
  GS_RETURN_IF_ERROR(needInput(ctx, 1));
  const auto& in = *shapeOf(ctx, 0);
  const auto batch = ctx.node.attrs.getInt("batch_axis", 1);
  const auto time = ctx.node.attrs.getInt("time_axis", 0);
  if (batch != 0 && batch != 1) return invalidAttr(ctx, "batch_axis", "must be 0 or 1");
  if (time != 0 && time != 1) return invalidAttr(ctx, "time_axis", "must be 0 or 1");
  if (batch == time) return invalidAttr(ctx, "time_axis", "must differ from batch_axis");
  if (in.rankKnown && in.rank() < 2) return invalid(ctx, "input must have rank >= 2, got " + in.str());
  setOutput(ctx, 0, dtypeOf(ctx, 0), in);
  return ok();
}

Status inferUnique(InferContext& ctx) {
  GS_RETURN_IF_ERROR(needInput(ctx, 0));
  const auto& in = *shapeOf(ctx, 0);
  const auto dtype = dtypeOf(ctx, 0);
  const auto* axisAttr = ctx.node.attrs.find("axis");
  ir::Dim unique = freshDim(ctx);
  // With known data the count of distinct elements (or slices along the axis) is known.
  const auto values = floatsOf(ctx, 0);
  const auto dims = in.values();
  if (values && dims) {
    int64_t outer = 1, len = static_cast<int64_t>(values->size()), inner = 1;
    if (axisAttr) {
      GS_ASSIGN_OR_RETURN(auto axis, normalizeAxis(ctx, "axis", axisAttr->i, in.rank()));
      outer = 1;
      for (int64_t k = 0; k < axis; ++k)
        outer *= (*dims)[static_cast<std::size_t>(k)];
      len = (*dims)[static_cast<std::size_t>(axis)];
      inner = len ? static_cast<int64_t>(values->size()) / (outer * len) : 1;
    }
    std::set<std::vector<double>> distinct;
    for (int64_t i = 0; i < len; ++i) {
      std::vector<double> slice;
      for (int64_t o = 0; o < outer; ++o)
        for (int64_t k = 0; k < inner; ++k)
          slice.push_back((*values)[static_cast<std::size_t>((o * len + i) * inner + k)]);
      distinct.insert(std::move(slice));
    }
    unique = ir::Dim::known(static_cast<int64_t>(distinct.size()));
  }
  if (!axisAttr) {
    setOutput(ctx, 0, dtype, ir::Shape({unique}));
    const auto n = in.numel();
    setOutput(ctx, 2, ir::DataType::Int64, ir::Shape({n ? ir::Dim::known(*n) : freshDim(ctx)}));
  } else if (in.rankKnown) {
    GS_ASSIGN_OR_RETURN(auto axis, normalizeAxis(ctx, "axis", axisAttr->i, in.rank()));
    auto out = in.dims;
    out[static_cast<std::size_t>(axis)] = unique;
    setOutput(ctx, 0, dtype, ir::Shape(std::move(out)));
    setOutput(ctx, 2, ir::DataType::Int64, ir::Shape({in.dims[static_cast<std::size_t>(axis)]}));
  } else {
    setOutput(ctx, 0, dtype, ir::Shape::unknownRank());
    setOutput(ctx, 2, ir::DataType::Int64, ir::Shape({freshDim(ctx)}));
  }
  setOutput(ctx, 1, ir::DataType::Int64, ir::Shape({unique}));
  setOutput(ctx, 3, ir::DataType::Int64, ir::Shape({unique}));
  return ok();
}

} // namespace gs::ops
