// Shape functions of Concat, Split, Slice and Pad (with the opset-10/11/13 attribute->input moves).
// Concat, Split and Slice also propagate small integer values (shape vectors are concatenated and
// sliced in exported models).
#include <algorithm>
#include <limits>

#include "core/ops/op_util.h"
#include "core/ops/shape_fns.h"

namespace gs::ops {

using namespace util;

namespace {

Status needInput(const InferContext& ctx, std::size_t i) {
  if (!has(ctx, i)) return invalid(ctx, "input " + std::to_string(i) + " is missing");
  return ok();
}

struct SliceAxis {
  int64_t start = 0, step = 1, len = 0;
};

// ONNX Slice clamping for one axis of known size.
SliceAxis sliceAxis(int64_t dim, int64_t start, int64_t end, int64_t step) {
  if (start < 0) start += dim;
  if (end < 0) end += dim;
  if (step > 0) {
    start = std::clamp<int64_t>(start, 0, dim);
    end = std::clamp<int64_t>(end, 0, dim);
  } else {
    start = std::clamp<int64_t>(start, 0, dim - 1);
    end = std::clamp<int64_t>(end, -1, dim - 1);
  }
  const int64_t span = step > 0 ? end - start : start - end;
  const int64_t absStep = step > 0 ? step : -step;
  return SliceAxis{start, step, span <= 0 ? 0 : (span + absStep - 1) / absStep};
}

} // namespace

Status inferConcat(InferContext& ctx) {
  if (ctx.inputs.empty()) return invalid(ctx, "needs at least one input");
  const auto* axisAttr = ctx.node.attrs.find("axis");
  if (!axisAttr) return invalidAttr(ctx, "axis", "is required");
  const auto dtype = dtypeOf(ctx, 0);
  const ir::Shape* ref = nullptr;
  for (std::size_t i = 0; i < ctx.inputs.size(); ++i) {
    GS_RETURN_IF_ERROR(needInput(ctx, i));
    const auto* s = shapeOf(ctx, i);
    if (!s->rankKnown) continue;
    if (ref && s->rank() != ref->rank())
      return invalid(ctx, "inputs have different ranks (" + ref->str() + " and " + s->str() + ")");
    if (!ref) ref = s;
  }
  if (!ref) {
    setOutput(ctx, 0, dtype, ir::Shape::unknownRank());
    return ok();
  }
  const auto rank = static_cast<int64_t>(ref->rank());
  GS_ASSIGN_OR_RETURN(auto axis, normalizeAxis(ctx, "axis", axisAttr->i, rank));
  const auto ax = static_cast<std::size_t>(axis);
  std::vector<ir::Dim> out = ref->dims;
  int64_t sum = 0;
  bool sumKnown = true;
  for (std::size_t i = 0; i < ctx.inputs.size(); ++i) {
    const auto* s = shapeOf(ctx, i);
    if (!s->rankKnown) {
      sumKnown = false;
      continue;
    }
    for (std::size_t k = 0; k < s->rank(); ++k) {
      if (k == ax) continue;
      GS_ASSIGN_OR_RETURN(out[k], unifyDims(ctx, out[k], s->dims[k], "dim " + std::to_string(k) + " of the inputs"));
    }
    if (s->dims[ax].isKnown())
      sum += s->dims[ax].value;
    else
      sumKnown = false;
  }
  if (sumKnown)
    out[ax] = ir::Dim::known(sum);
  else if (ctx.inputs.size() != 1)
    out[ax] = freshDim(ctx);
  ir::Shape shape(std::move(out));
  setOutput(ctx, 0, dtype, shape);

  // Symbolic shape data of 1-D inputs: concatenated element by element.
  if (shape.rank() == 1) {
    ShapeData data;
    bool all = true;
    for (std::size_t i = 0; i < ctx.inputs.size() && all; ++i) {
      auto d = shapeDataOf(ctx, i);
      if (!d)
        all = false;
      else
        data.insert(data.end(), d->begin(), d->end());
    }
    if (all) {
      setShapeData(ctx, 0, std::move(data));
      return ok();
    }
  }
  // Values: concatenate chunk by chunk along the axis.
  const auto dims = shape.values();
  if (!dims || ir::Shape::fromValues(*dims).numel().value_or(0) > ctx.maxPropagatedElements) return ok();
  std::vector<std::vector<int64_t>> parts;
  for (std::size_t i = 0; i < ctx.inputs.size(); ++i) {
    auto v = intsOf(ctx, i);
    if (!v) return ok();
    parts.push_back(std::move(*v));
  }
  int64_t outer = 1;
  for (std::size_t k = 0; k < ax; ++k)
    outer *= (*dims)[k];
  std::vector<int64_t> res;
  for (int64_t o = 0; o < outer; ++o)
    for (std::size_t i = 0; i < parts.size(); ++i) {
      const auto chunk = outer ? static_cast<int64_t>(parts[i].size()) / outer : 0;
      res.insert(res.end(), parts[i].begin() + o * chunk, parts[i].begin() + (o + 1) * chunk);
    }
  setValue(ctx, 0, makeTensor(dtype, *dims, res));
  return ok();
}

Status inferSplit(InferContext& ctx) {
  GS_RETURN_IF_ERROR(needInput(ctx, 0));
  const auto& in = *shapeOf(ctx, 0);
  const auto dtype = dtypeOf(ctx, 0);
  const auto n = ctx.outputs.size();
  if (!in.rankKnown) {
    for (std::size_t i = 0; i < n; ++i)
      setOutput(ctx, i, dtype, ir::Shape::unknownRank());
    return ok();
  }
  GS_ASSIGN_OR_RETURN(auto axis, normalizeAxis(ctx, "axis", ctx.node.attrs.getInt("axis", 0), in.rank()));
  const auto ax = static_cast<std::size_t>(axis);
  std::optional<std::vector<int64_t>> split;
  bool splitUnknown = false;
  if (ctx.opset < 13) {
    if (ctx.node.attrs.has("split")) split = ctx.node.attrs.getInts("split");
  } else if (has(ctx, 1)) {
    split = intsOf(ctx, 1);
    splitUnknown = !split;
  }
  const auto& d = in.dims[ax];
  std::vector<ir::Dim> sizes(n);
  if (split) {
    if (split->size() != n)
      return invalidAttr(ctx, "split",
                         "has " + std::to_string(split->size()) + " entries for " + std::to_string(n) + " outputs");
    int64_t sum = 0;
    for (std::size_t i = 0; i < n; ++i) {
      if ((*split)[i] < 0) return invalidAttr(ctx, "split", "has a negative entry");
      sum += (*split)[i];
      sizes[i] = ir::Dim::known((*split)[i]);
    }
    if (d.isKnown() && sum != d.value)
      return invalidAttr(ctx, "split", "sums to " + std::to_string(sum) + " but the dim is " + std::to_string(d.value));
  } else if (splitUnknown || !d.isKnown()) {
    for (auto& s : sizes)
      s = freshDim(ctx);
  } else {
    const auto numOutputs = ctx.node.attrs.getInt("num_outputs", static_cast<int64_t>(n));
    if (numOutputs != static_cast<int64_t>(n))
      return invalidAttr(ctx, "num_outputs", "disagrees with the node's " + std::to_string(n) + " outputs");
    const auto nn = static_cast<int64_t>(n);
    if (ctx.opset < 18 && d.value % nn != 0)
      return invalid(ctx, "dim " + std::to_string(d.value) + " cannot be split evenly into " + std::to_string(n));
    const int64_t chunk = ceilDiv(d.value, nn);
    for (std::size_t i = 0; i < n; ++i)
      sizes[i] = ir::Dim::known(std::max<int64_t>(0, std::min(chunk, d.value - chunk * static_cast<int64_t>(i))));
  }
  const auto value = in.rank() == 1 ? intsOf(ctx, 0) : std::nullopt;
  int64_t offset = 0;
  for (std::size_t i = 0; i < n; ++i) {
    auto dims = in.dims;
    dims[ax] = sizes[i];
    setOutput(ctx, i, dtype, ir::Shape(std::move(dims)));
    if (value && sizes[i].isKnown() && offset + sizes[i].value <= static_cast<int64_t>(value->size())) {
      std::vector<int64_t> part(value->begin() + offset, value->begin() + offset + sizes[i].value);
      setValue(ctx, i, makeTensor(dtype, {sizes[i].value}, part));
      offset += sizes[i].value;
    }
  }
  return ok();
}

Status inferSlice(InferContext& ctx) {
  GS_RETURN_IF_ERROR(needInput(ctx, 0));
  const auto& in = *shapeOf(ctx, 0);
  const auto dtype = dtypeOf(ctx, 0);
  std::optional<std::vector<int64_t>> starts, ends, axes, steps;
  if (ctx.opset < 10) {
    starts = ctx.node.attrs.getInts("starts");
    ends = ctx.node.attrs.getInts("ends");
    if (ctx.node.attrs.has("axes")) axes = ctx.node.attrs.getInts("axes");
  } else {
    GS_RETURN_IF_ERROR(needInput(ctx, 1));
    GS_RETURN_IF_ERROR(needInput(ctx, 2));
    starts = intsOf(ctx, 1);
    ends = intsOf(ctx, 2);
    if (has(ctx, 3)) axes = intsOf(ctx, 3);
    if (has(ctx, 4)) steps = intsOf(ctx, 4);
  }
  if (!in.rankKnown) {
    setOutput(ctx, 0, dtype, ir::Shape::unknownRank());
    return ok();
  }
  const auto rank = static_cast<int64_t>(in.rank());
  const bool axesUnknown = has(ctx, 3) && ctx.opset >= 10 && !axes;
  const bool stepsUnknown = has(ctx, 4) && !steps;
  if (!starts || !ends || axesUnknown || stepsUnknown) {
    // Which axes are sliced is known when axes is; others keep their dims.
    std::vector<ir::Dim> out = in.dims;
    if (axes && !axesUnknown) {
      GS_ASSIGN_OR_RETURN(auto norm, normalizeAxes(ctx, "axes", *axes, rank));
      for (auto a : norm)
        out[static_cast<std::size_t>(a)] = freshDim(ctx);
    } else {
      for (auto& d : out)
        d = freshDim(ctx);
    }
    setOutput(ctx, 0, dtype, ir::Shape(std::move(out)));
    return ok();
  }
  if (starts->size() != ends->size())
    return invalid(ctx, "starts and ends have different lengths (" + std::to_string(starts->size()) + " and " +
                            std::to_string(ends->size()) + ")");
  if (!axes) {
    axes.emplace();
    for (std::size_t i = 0; i < starts->size(); ++i)
      axes->push_back(static_cast<int64_t>(i));
  }
  if (!steps) steps = std::vector<int64_t>(starts->size(), 1);
  if (axes->size() != starts->size()) return invalidAttr(ctx, "axes", "length differs from starts");
  if (steps->size() != starts->size()) return invalid(ctx, "steps length differs from starts");
  GS_ASSIGN_OR_RETURN(auto norm, normalizeAxes(ctx, "axes", *axes, rank));
  std::vector<ir::Dim> out = in.dims;
  std::vector<SliceAxis> plan(in.rank());
  for (std::size_t k = 0; k < in.rank(); ++k)
    plan[k] = SliceAxis{0, 1, in.dims[k].value};
  for (std::size_t i = 0; i < norm.size(); ++i) {
    const auto a = static_cast<std::size_t>(norm[i]);
    const auto step = (*steps)[i];
    if (step == 0) return invalid(ctx, "steps has a 0 entry");
    const auto& d = in.dims[a];
    if (!d.isKnown()) {
      // A full forward slice keeps an unknown dim; anything else cannot be named.
      const bool full = step == 1 && (*starts)[i] == 0 && (*ends)[i] >= std::numeric_limits<int32_t>::max();
      if (!full) out[a] = freshDim(ctx);
      continue;
    }
    plan[a] = sliceAxis(d.value, (*starts)[i], (*ends)[i], step);
    out[a] = ir::Dim::known(plan[a].len);
  }
  ir::Shape shape(std::move(out));
  setOutput(ctx, 0, dtype, shape);

  const auto value = intsOf(ctx, 0);
  const auto dims = shape.values();
  if (!value && in.rank() == 1 && dims && has(ctx, 0) && ctx.inputs[0].shapeData) {
    // Slicing symbolic shape data (x.shape[2:]).
    const auto& src = *ctx.inputs[0].shapeData;
    ShapeData data;
    for (int64_t c = 0; c < (*dims)[0]; ++c) {
      const auto at = plan[0].start + c * plan[0].step;
      if (at < 0 || at >= static_cast<int64_t>(src.size())) return ok();
      data.push_back(src[static_cast<std::size_t>(at)]);
    }
    setShapeData(ctx, 0, std::move(data));
    return ok();
  }
  if (!value || !dims) return ok();
  const auto n = ir::Shape::fromValues(*dims).numel().value_or(0);
  if (n > ctx.maxPropagatedElements) return ok();
  const auto inDims = in.values();
  if (!inDims) return ok();
  const auto si = stridesOf(*inDims), so = stridesOf(*dims);
  std::vector<int64_t> res(static_cast<std::size_t>(n));
  for (int64_t idx = 0; idx < n; ++idx) {
    int64_t rem = idx, off = 0;
    for (std::size_t k = 0; k < dims->size(); ++k) {
      const auto c = rem / so[k];
      rem %= so[k];
      off += (plan[k].start + c * plan[k].step) * si[k];
    }
    res[static_cast<std::size_t>(idx)] = (*value)[static_cast<std::size_t>(off)];
  }
  setValue(ctx, 0, makeTensor(dtype, *dims, res));
  return ok();
}

Status inferPad(InferContext& ctx) {
  GS_RETURN_IF_ERROR(needInput(ctx, 0));
  const auto& in = *shapeOf(ctx, 0);
  const auto dtype = dtypeOf(ctx, 0);
  const auto mode = ctx.node.attrs.getString("mode", "constant");
  if (mode != "constant" && mode != "reflect" && mode != "edge" && mode != "wrap")
    return invalidAttr(ctx, "mode", "unknown mode '" + mode + "'");
  std::optional<std::vector<int64_t>> pads;
  if (ctx.opset < 11) {
    if (!ctx.node.attrs.has("pads")) return invalidAttr(ctx, "pads", "is required");
    pads = ctx.node.attrs.getInts("pads");
  } else {
    GS_RETURN_IF_ERROR(needInput(ctx, 1));
    pads = intsOf(ctx, 1);
  }
  if (!in.rankKnown) {
    setOutput(ctx, 0, dtype, ir::Shape::unknownRank());
    return ok();
  }
  std::vector<int64_t> axes;
  if (has(ctx, 3)) {
    auto a = intsOf(ctx, 3);
    if (!a)
      pads.reset();
    else {
      GS_ASSIGN_OR_RETURN(axes, normalizeAxes(ctx, "axes", *a, static_cast<int64_t>(in.rank())));
    }
  } else {
    for (std::size_t i = 0; i < in.rank(); ++i)
      axes.push_back(static_cast<int64_t>(i));
  }
  if (!pads) {
    setOutput(ctx, 0, dtype, freshShape(ctx, in.rank()));
    return ok();
  }
  if (pads->size() != 2 * axes.size())
    return invalidAttr(ctx, "pads",
                       "has " + std::to_string(pads->size()) + " entries, expected " + std::to_string(2 * axes.size()) +
                           " for input " + in.str());
  std::vector<ir::Dim> out = in.dims;
  for (std::size_t i = 0; i < axes.size(); ++i) {
    const auto a = static_cast<std::size_t>(axes[i]);
    const auto extra = (*pads)[i] + (*pads)[i + axes.size()];
    if (extra == 0) continue;
    if (in.dims[a].isKnown()) {
      const auto v = in.dims[a].value + extra;
      if (v < 0) return invalidAttr(ctx, "pads", "makes dim " + std::to_string(a) + " negative");
      out[a] = ir::Dim::known(v);
    } else {
      out[a] = freshDim(ctx);
    }
  }
  setOutput(ctx, 0, dtype, ir::Shape(std::move(out)));
  return ok();
}

} // namespace gs::ops
