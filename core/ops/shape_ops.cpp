// Shape functions of ops that compute or rearrange shapes: Shape, Size, Reshape, Flatten, Squeeze,
// Unsqueeze, Transpose, Expand, Tile, ConstantOfShape, Constant, Range, EyeLike. These carry most of
// the data propagation that turns exported models (Shape -> Gather -> Concat -> Reshape) static.
#include <algorithm>
#include <cmath>

#include "core/ops/op_util.h"
#include "core/ops/shape_fns.h"

namespace gs::ops {

using namespace util;

namespace {

// Same data, new dims (Reshape, Squeeze, Unsqueeze, Flatten), when the input value is known.
void propagateReshaped(InferContext& ctx, const ir::Shape& out) {
  const auto* v = valueOf(ctx, 0);
  const auto dims = out.values();
  if (!v && has(ctx, 0) && ctx.inputs[0].shapeData && out.rankKnown && out.rank() <= 1) {
    setShapeData(ctx, 0, *ctx.inputs[0].shapeData); // [N] <-> N: same elements
    return;
  }
  if (!v || !dims) return;
  ir::Tensor t = *v;
  t.dims = *dims;
  if (t.numel() == v->numel()) setValue(ctx, 0, std::move(t));
}

Status needInput(const InferContext& ctx, std::size_t i) {
  if (!has(ctx, i)) return invalid(ctx, "input " + std::to_string(i) + " is missing");
  return ok();
}

// Axes from the attribute (before `inputSince`) or from input 1 (from `inputSince`). nullopt: the axes
// input exists but its value is unknown. An empty vector: no axes given.
Expected<std::optional<std::vector<int64_t>>> axesOf(const InferContext& ctx, int64_t inputSince) {
  if (ctx.opset < inputSince) return std::optional<std::vector<int64_t>>(ctx.node.attrs.getInts("axes"));
  if (!has(ctx, 1)) return std::optional<std::vector<int64_t>>(std::vector<int64_t>{});
  auto v = intsOf(ctx, 1);
  if (!v) return std::optional<std::vector<int64_t>>();
  return std::optional<std::vector<int64_t>>(*v);
}

} // namespace

Status inferShape(InferContext& ctx) {
  GS_RETURN_IF_ERROR(needInput(ctx, 0));
  const auto& in = *shapeOf(ctx, 0);
  if (!in.rankKnown) {
    setOutput(ctx, 0, ir::DataType::Int64, ir::Shape({freshDim(ctx)}));
    return ok();
  }
  const auto rank = static_cast<int64_t>(in.rank());
  int64_t start = ctx.node.attrs.getInt("start", 0);
  int64_t end = ctx.node.attrs.getInt("end", rank);
  if (start < 0) start += rank;
  if (end < 0) end += rank;
  start = std::clamp<int64_t>(start, 0, rank);
  end = std::clamp<int64_t>(end, 0, rank);
  const int64_t n = std::max<int64_t>(end - start, 0);
  setOutput(ctx, 0, ir::DataType::Int64, ir::Shape::fromValues({n}));
  // A value only when every dim is known; otherwise symbolic shape data.
  ShapeData data;
  for (int64_t i = start; i < start + n; ++i)
    data.push_back(elementOf(in.dims[static_cast<std::size_t>(i)]));
  setShapeData(ctx, 0, std::move(data));
  return ok();
}

Status inferSize(InferContext& ctx) {
  GS_RETURN_IF_ERROR(needInput(ctx, 0));
  setOutput(ctx, 0, ir::DataType::Int64, ir::Shape());
  if (auto n = shapeOf(ctx, 0)->numel())
    setValue(ctx, 0, makeTensor(ir::DataType::Int64, {}, std::vector<int64_t>{*n}));
  return ok();
}

Status inferReshape(InferContext& ctx) {
  GS_RETURN_IF_ERROR(needInput(ctx, 0));
  GS_RETURN_IF_ERROR(needInput(ctx, 1));
  const auto& in = *shapeOf(ctx, 0);
  const auto dtype = dtypeOf(ctx, 0);
  const auto target = shapeDataOf(ctx, 1);
  if (!target) {
    const auto* ts = shapeOf(ctx, 1);
    if (ts->rankKnown && ts->rank() == 1 && ts->dims[0].isKnown())
      setOutput(ctx, 0, dtype, freshShape(ctx, static_cast<std::size_t>(ts->dims[0].value)));
    else
      setOutput(ctx, 0, dtype, ir::Shape::unknownRank());
    return ok();
  }
  auto targetStr = [&]() {
    std::string t = "[";
    for (std::size_t i = 0; i < target->size(); ++i)
      t += (i ? "," : "") + ((*target)[i].number ? std::to_string(*(*target)[i].number)
                                                 : ((*target)[i].symbol.empty() ? "?" : (*target)[i].symbol));
    return t + "]";
  };
  const bool allowZero = ctx.opset >= 14 && ctx.node.attrs.getInt("allowzero", 0) == 1;
  std::vector<ir::Dim> out(target->size());
  std::vector<bool> consumed(in.rankKnown ? in.rank() : 0, false);
  int inferAt = -1;
  bool hasZero = false, outComplete = true;
  int64_t outKnown = 1;                // product of the explicit numeric output dims
  std::vector<std::string> outSymbols; // symbolic output dims, to cancel against the input's
  for (std::size_t i = 0; i < target->size(); ++i) {
    const auto& e = (*target)[i];
    if (!e.number) {
      out[i] = dimOf(ctx, e);
      if (e.symbol.empty())
        outComplete = false;
      else
        outSymbols.push_back(e.symbol);
      continue;
    }
    const int64_t v = *e.number;
    if (v == -1) {
      if (inferAt >= 0) return invalid(ctx, "shape has more than one -1");
      inferAt = static_cast<int>(i);
    } else if (v < -1) {
      return invalid(ctx, "shape has an invalid entry " + std::to_string(v));
    } else if (v == 0 && !allowZero) {
      hasZero = true;
      if (!in.rankKnown) {
        out[i] = freshDim(ctx);
        outComplete = false;
        continue;
      }
      if (i >= in.rank())
        return invalid(ctx, "shape entry " + std::to_string(i) + " is 0 but the input has rank " +
                                std::to_string(in.rank()));
      out[i] = in.dims[i];
      consumed[i] = true;
    } else {
      if (v == 0) hasZero = true;
      out[i] = ir::Dim::known(v);
      if (__builtin_mul_overflow(outKnown, v, &outKnown))
        return invalid(ctx, "the element count of shape " + targetStr() + " does not fit in 64 bits");
    }
  }
  if (allowZero && hasZero && inferAt >= 0) return invalidAttr(ctx, "allowzero", "shape has both 0 and -1");
  // Product of the input dims not copied through by a 0 (those cancel on both sides), after cancelling
  // symbols that appear on both sides; nullopt when something unknown remains.
  std::optional<int64_t> inRest;
  if (in.rankKnown && outComplete) {
    int64_t p = 1;
    bool known = true;
    auto pending = outSymbols;
    for (std::size_t i = 0; i < in.rank(); ++i) {
      if (consumed[i]) continue;
      const auto& d = in.dims[i];
      if (d.isKnown()) {
        if (__builtin_mul_overflow(p, d.value, &p))
          return invalid(ctx, "the element count of input shape " + in.str() + " does not fit in 64 bits");
        continue;
      }
      auto it = d.isSymbolic() ? std::find(pending.begin(), pending.end(), d.symbol) : pending.end();
      if (it == pending.end())
        known = false;
      else
        pending.erase(it);
    }
    if (known && pending.empty()) inRest = p;
  }
  if (inferAt >= 0) {
    if (inRest) {
      if (outKnown == 0 || *inRest % outKnown != 0)
        return invalid(ctx, "cannot reshape " + in.str() + " to " + targetStr());
      out[static_cast<std::size_t>(inferAt)] = ir::Dim::known(*inRest / outKnown);
    } else {
      out[static_cast<std::size_t>(inferAt)] = freshDim(ctx);
    }
  } else if (inRest && *inRest != outKnown) {
    return invalid(ctx, "cannot reshape " + in.str() + " to " + targetStr());
  }
  ir::Shape shape(std::move(out));
  setOutput(ctx, 0, dtype, shape);
  propagateReshaped(ctx, shape);
  return ok();
}

Status inferFlatten(InferContext& ctx) {
  GS_RETURN_IF_ERROR(needInput(ctx, 0));
  const auto& in = *shapeOf(ctx, 0);
  const auto dtype = dtypeOf(ctx, 0);
  if (!in.rankKnown) {
    setOutput(ctx, 0, dtype, freshShape(ctx, 2));
    return ok();
  }
  const auto rank = static_cast<int64_t>(in.rank());
  GS_ASSIGN_OR_RETURN(auto axis, normalizeAxis(ctx, "axis", ctx.node.attrs.getInt("axis", 1), rank, true));
  const auto a = static_cast<std::size_t>(axis);
  ir::Dim d0 = a == 0 ? ir::Dim::known(1) : dimProduct(ctx, in, 0, a);
  ir::Dim d1 = a == in.rank() ? ir::Dim::known(1) : dimProduct(ctx, in, a, in.rank());
  ir::Shape out({d0, d1});
  setOutput(ctx, 0, dtype, out);
  propagateReshaped(ctx, out);
  return ok();
}

Status inferSqueeze(InferContext& ctx) {
  GS_RETURN_IF_ERROR(needInput(ctx, 0));
  const auto& in = *shapeOf(ctx, 0);
  const auto dtype = dtypeOf(ctx, 0);
  GS_ASSIGN_OR_RETURN(auto axes, axesOf(ctx, 13));
  if (!in.rankKnown || !axes) {
    setOutput(ctx, 0, dtype, ir::Shape::unknownRank());
    return ok();
  }
  std::vector<bool> drop(in.rank(), false);
  if (axes->empty()) {
    for (std::size_t i = 0; i < in.rank(); ++i) {
      if (!in.dims[i].isKnown()) { // cannot tell whether it is a 1
        setOutput(ctx, 0, dtype, ir::Shape::unknownRank());
        return ok();
      }
      drop[i] = in.dims[i].value == 1;
    }
  } else {
    GS_ASSIGN_OR_RETURN(auto norm, normalizeAxes(ctx, "axes", *axes, static_cast<int64_t>(in.rank())));
    for (auto a : norm) {
      const auto& d = in.dims[static_cast<std::size_t>(a)];
      if (d.isKnown() && d.value != 1)
        return invalidAttr(ctx, "axes", "dim " + std::to_string(a) + " of " + in.str() + " is not 1");
      drop[static_cast<std::size_t>(a)] = true;
    }
  }
  std::vector<ir::Dim> out;
  for (std::size_t i = 0; i < in.rank(); ++i)
    if (!drop[i]) out.push_back(in.dims[i]);
  ir::Shape shape(std::move(out));
  setOutput(ctx, 0, dtype, shape);
  propagateReshaped(ctx, shape);
  return ok();
}

Status inferUnsqueeze(InferContext& ctx) {
  GS_RETURN_IF_ERROR(needInput(ctx, 0));
  const auto& in = *shapeOf(ctx, 0);
  const auto dtype = dtypeOf(ctx, 0);
  GS_ASSIGN_OR_RETURN(auto axes, axesOf(ctx, 13));
  if (axes && axes->empty()) return invalidAttr(ctx, "axes", "is required");
  if (!in.rankKnown || !axes) {
    if (in.rankKnown && has(ctx, 1) && shapeOf(ctx, 1)->isStatic() && shapeOf(ctx, 1)->rank() == 1)
      setOutput(ctx, 0, dtype, freshShape(ctx, in.rank() + static_cast<std::size_t>(shapeOf(ctx, 1)->dims[0].value)));
    else
      setOutput(ctx, 0, dtype, ir::Shape::unknownRank());
    return ok();
  }
  const auto outRank = static_cast<int64_t>(in.rank() + axes->size());
  GS_ASSIGN_OR_RETURN(auto norm, normalizeAxes(ctx, "axes", *axes, outRank));
  std::vector<bool> inserted(static_cast<std::size_t>(outRank), false);
  for (auto a : norm)
    inserted[static_cast<std::size_t>(a)] = true;
  std::vector<ir::Dim> out;
  std::size_t k = 0;
  for (std::size_t i = 0; i < inserted.size(); ++i)
    out.push_back(inserted[i] ? ir::Dim::known(1) : in.dims[k++]);
  ir::Shape shape(std::move(out));
  setOutput(ctx, 0, dtype, shape);
  propagateReshaped(ctx, shape);
  return ok();
}

Status inferTranspose(InferContext& ctx) {
  GS_RETURN_IF_ERROR(needInput(ctx, 0));
  const auto& in = *shapeOf(ctx, 0);
  const auto dtype = dtypeOf(ctx, 0);
  auto perm = ctx.node.attrs.getInts("perm");
  if (!in.rankKnown) {
    setOutput(ctx, 0, dtype, perm.empty() ? ir::Shape::unknownRank() : freshShape(ctx, perm.size()));
    return ok();
  }
  const auto rank = in.rank();
  if (perm.empty() && !ctx.node.attrs.has("perm"))
    for (std::size_t i = 0; i < rank; ++i)
      perm.push_back(static_cast<int64_t>(rank - 1 - i));
  if (perm.size() != rank)
    return invalidAttr(ctx, "perm", "has " + std::to_string(perm.size()) + " entries for rank " + std::to_string(rank));
  std::vector<bool> seen(rank, false);
  std::vector<ir::Dim> out;
  for (auto p : perm) {
    if (p < 0) p += static_cast<int64_t>(rank);
    if (p < 0 || p >= static_cast<int64_t>(rank) || seen[static_cast<std::size_t>(p)])
      return invalidAttr(ctx, "perm", "is not a permutation of 0.." + std::to_string(rank - 1));
    seen[static_cast<std::size_t>(p)] = true;
    out.push_back(in.dims[static_cast<std::size_t>(p)]);
  }
  ir::Shape shape(std::move(out));
  setOutput(ctx, 0, dtype, shape);
  if (rank <= 1) propagateReshaped(ctx, shape);
  return ok();
}

Status inferExpand(InferContext& ctx) {
  GS_RETURN_IF_ERROR(needInput(ctx, 0));
  GS_RETURN_IF_ERROR(needInput(ctx, 1));
  const auto& in = *shapeOf(ctx, 0);
  const auto dtype = dtypeOf(ctx, 0);
  const auto target = intsOf(ctx, 1);
  const auto data = target ? std::nullopt : shapeDataOf(ctx, 1);
  if (data) {
    // Symbolic target: broadcast against dims made from its elements.
    std::vector<ir::Dim> dims;
    for (const auto& e : *data) {
      if (e.number && *e.number < 0) return invalid(ctx, "shape has a negative entry " + std::to_string(*e.number));
      dims.push_back(dimOf(ctx, e));
    }
    const ir::Shape ts(std::move(dims));
    const ir::Shape* shapes[] = {&in, &ts};
    GS_ASSIGN_OR_RETURN(auto out, broadcast(ctx, shapes));
    setOutput(ctx, 0, dtype, std::move(out));
    return ok();
  }
  if (!target) {
    const auto* ts = shapeOf(ctx, 1);
    if (!in.rankKnown || !ts->isStatic() || ts->rank() != 1) {
      setOutput(ctx, 0, dtype, ir::Shape::unknownRank());
      return ok();
    }
    // The rank is known; a dim of the input other than 1 survives (the target may only be 1 or equal there).
    const auto rank = std::max<std::size_t>(in.rank(), static_cast<std::size_t>(ts->dims[0].value));
    std::vector<ir::Dim> out(rank);
    for (std::size_t k = 0; k < rank; ++k) {
      const bool fromIn = k + in.rank() >= rank;
      const auto* d = fromIn ? &in.dims[k + in.rank() - rank] : nullptr;
      out[k] = d && d->isKnown() && d->value != 1 ? *d : freshDim(ctx);
    }
    setOutput(ctx, 0, dtype, ir::Shape(std::move(out)));
    return ok();
  }
  for (auto v : *target)
    if (v < 0) return invalid(ctx, "shape has a negative entry " + std::to_string(v));
  const auto targetShape = ir::Shape::fromValues(*target);
  const ir::Shape* shapes[] = {&in, &targetShape};
  GS_ASSIGN_OR_RETURN(auto out, broadcast(ctx, shapes));
  setOutput(ctx, 0, dtype, out);
  // Expanding a known small value: index through broadcast strides.
  const auto* v = valueOf(ctx, 0);
  const auto dims = out.values();
  if (!v || !dims || !ir::isIntegerOrBool(v->dtype)) return ok();
  const auto n = ir::Shape::fromValues(*dims).numel().value_or(0);
  if (n > ctx.maxPropagatedElements) return ok();
  const auto src = v->toVector<int64_t>();
  std::vector<int64_t> inDims(dims->size(), 1);
  for (std::size_t i = 0; i < v->dims.size(); ++i)
    inDims[dims->size() - v->dims.size() + i] = v->dims[i];
  const auto si = stridesOf(inDims), so = stridesOf(*dims);
  std::vector<int64_t> res(static_cast<std::size_t>(n));
  for (int64_t idx = 0; idx < n; ++idx) {
    int64_t rem = idx, off = 0;
    for (std::size_t k = 0; k < dims->size(); ++k) {
      const auto c = rem / so[k];
      rem %= so[k];
      if (inDims[k] != 1) off += c * si[k];
    }
    res[static_cast<std::size_t>(idx)] = src[static_cast<std::size_t>(off)];
  }
  setValue(ctx, 0, makeTensor(v->dtype, *dims, res));
  return ok();
}

Status inferTile(InferContext& ctx) {
  GS_RETURN_IF_ERROR(needInput(ctx, 0));
  GS_RETURN_IF_ERROR(needInput(ctx, 1));
  const auto& in = *shapeOf(ctx, 0);
  const auto dtype = dtypeOf(ctx, 0);
  if (!in.rankKnown) {
    setOutput(ctx, 0, dtype, ir::Shape::unknownRank());
    return ok();
  }
  const auto reps = intsOf(ctx, 1);
  if (!reps) {
    setOutput(ctx, 0, dtype, freshShape(ctx, in.rank()));
    return ok();
  }
  if (reps->size() != in.rank())
    return invalid(ctx,
                   "repeats has " + std::to_string(reps->size()) + " entries for rank " + std::to_string(in.rank()));
  std::vector<ir::Dim> out;
  for (std::size_t i = 0; i < in.rank(); ++i) {
    const auto r = (*reps)[i];
    if (r < 0) return invalid(ctx, "repeats has a negative entry");
    if (r == 1)
      out.push_back(in.dims[i]);
    else if (in.dims[i].isKnown())
      out.push_back(ir::Dim::known(in.dims[i].value * r));
    else
      out.push_back(freshDim(ctx));
  }
  setOutput(ctx, 0, dtype, ir::Shape(std::move(out)));
  return ok();
}

Status inferConstantOfShape(InferContext& ctx) {
  GS_RETURN_IF_ERROR(needInput(ctx, 0));
  ir::DataType dtype = ir::DataType::Float32;
  double fill = 0;
  if (const auto* t = ctx.node.attrs.getTensor("value")) {
    if (t->numel() != 1) return invalidAttr(ctx, "value", "must hold exactly one element");
    dtype = t->dtype;
    auto f = t->toVector<double>();
    if (!f.empty()) fill = f[0];
  }
  const auto dims = intsOf(ctx, 0);
  if (!dims) {
    if (auto data = shapeDataOf(ctx, 0)) {
      std::vector<ir::Dim> out;
      for (const auto& e : *data)
        out.push_back(dimOf(ctx, e));
      setOutput(ctx, 0, dtype, ir::Shape(std::move(out)));
      return ok();
    }
    const auto* s = shapeOf(ctx, 0);
    if (s->isStatic() && s->rank() == 1)
      setOutput(ctx, 0, dtype, freshShape(ctx, static_cast<std::size_t>(s->dims[0].value)));
    else
      setOutput(ctx, 0, dtype, ir::Shape::unknownRank());
    return ok();
  }
  for (auto d : *dims)
    if (d < 0) return invalid(ctx, "shape has a negative entry " + std::to_string(d));
  const auto shape = ir::Shape::fromValues(*dims);
  setOutput(ctx, 0, dtype, shape);
  const auto n = shape.numel().value_or(0);
  if (n <= ctx.maxPropagatedElements && (ir::isIntegerOrBool(dtype) || ir::isNativeFloat(dtype)))
    setValue(ctx, 0, makeTensor(dtype, *dims, std::vector<double>(static_cast<std::size_t>(n), fill)));
  return ok();
}

Status inferConstant(InferContext& ctx) {
  const auto& a = ctx.node.attrs;
  ir::Tensor t;
  if (const auto* v = a.getTensor("value")) {
    t = *v;
  } else if (const auto* f = a.find("value_float")) {
    t = ir::Tensor::scalar<float>(f->f);
  } else if (const auto* fs = a.find("value_floats")) {
    t = ir::Tensor::fromVector<float>(fs->floats, {static_cast<int64_t>(fs->floats.size())});
  } else if (const auto* i = a.find("value_int")) {
    t = ir::Tensor::scalar<int64_t>(i->i);
  } else if (const auto* is = a.find("value_ints")) {
    t = ir::Tensor::fromVector<int64_t>(is->ints, {static_cast<int64_t>(is->ints.size())});
  } else if (const auto* s = a.find("value_string")) {
    setOutput(ctx, 0, ir::DataType::String, ir::Shape());
    (void)s;
    return ok();
  } else if (const auto* ss = a.find("value_strings")) {
    setOutput(ctx, 0, ir::DataType::String, ir::Shape::fromValues({static_cast<int64_t>(ss->strings.size())}));
    return ok();
  } else if (a.has("sparse_value")) {
    return unsupported(ctx, "sparse constants are not supported");
  } else {
    return invalidAttr(ctx, "value", "is required");
  }
  setOutput(ctx, 0, t.dtype, ir::Shape::fromValues(t.dims));
  setValue(ctx, 0, std::move(t));
  return ok();
}

Status inferRange(InferContext& ctx) {
  for (std::size_t i = 0; i < 3; ++i) {
    GS_RETURN_IF_ERROR(needInput(ctx, i));
    const auto* s = shapeOf(ctx, i);
    if (s->rankKnown && s->numel() && *s->numel() != 1)
      return invalid(ctx, "input " + std::to_string(i) + " must be a scalar");
  }
  const auto dtype = dtypeOf(ctx, 0);
  const auto start = floatsOf(ctx, 0), limit = floatsOf(ctx, 1), delta = floatsOf(ctx, 2);
  if (!start || !limit || !delta) {
    setOutput(ctx, 0, dtype, freshShape(ctx, 1));
    return ok();
  }
  const double s = (*start)[0], l = (*limit)[0], d = (*delta)[0];
  if (d == 0) return invalid(ctx, "delta is 0");
  int64_t n = 0;
  if (ir::isIntegerOrBool(dtype)) {
    const auto si = (*intsOf(ctx, 0))[0], li = (*intsOf(ctx, 1))[0], di = (*intsOf(ctx, 2))[0];
    n = std::max<int64_t>(ceilDiv(li - si, di), 0);
  } else {
    n = std::max<int64_t>(static_cast<int64_t>(std::ceil((l - s) / d)), 0);
  }
  setOutput(ctx, 0, dtype, ir::Shape::fromValues({n}));
  if (n > ctx.maxPropagatedElements) return ok();
  if (ir::isIntegerOrBool(dtype)) {
    const auto si = (*intsOf(ctx, 0))[0], di = (*intsOf(ctx, 2))[0];
    std::vector<int64_t> v;
    for (int64_t i = 0; i < n; ++i)
      v.push_back(si + i * di);
    setValue(ctx, 0, makeTensor(dtype, {n}, v));
  } else {
    std::vector<double> v;
    for (int64_t i = 0; i < n; ++i)
      v.push_back(s + static_cast<double>(i) * d);
    setValue(ctx, 0, makeTensor(dtype, {n}, v));
  }
  return ok();
}

Status inferEyeLike(InferContext& ctx) {
  GS_RETURN_IF_ERROR(needInput(ctx, 0));
  const auto& in = *shapeOf(ctx, 0);
  if (in.rankKnown && in.rank() != 2) return invalid(ctx, "input must be 2-D, got " + in.str());
  auto dtype = dtypeOf(ctx, 0);
  if (const auto* a = ctx.node.attrs.find("dtype")) {
    auto t = ir::dtypeFromOnnx(static_cast<int32_t>(a->i));
    if (!t) return invalidAttr(ctx, "dtype", "unknown data type " + std::to_string(a->i));
    dtype = *t;
  }
  setOutput(ctx, 0, dtype, in.rankKnown ? in : freshShape(ctx, 2));
  return ok();
}

} // namespace gs::ops
