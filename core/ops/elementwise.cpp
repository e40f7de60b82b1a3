// Shape functions of elementwise ops: unary maths and activations, broadcasting binary and variadic
// ops, comparisons, Where, Cast, Clip, PRelu. Small integer values (and float scalars) are propagated.
#include <cmath>

#include "core/ops/op_util.h"
#include "core/ops/shape_fns.h"

namespace gs::ops {

using namespace util;

namespace {

// Broadcast evaluation of a binary function over two known values (numpy semantics).
template <class T, class F>
std::optional<std::vector<T>> evalBinary(const ir::Tensor& ta, const std::vector<T>& a, const ir::Tensor& tb,
                                         const std::vector<T>& b, const std::vector<int64_t>& outDims, F f) {
  const auto n = static_cast<std::size_t>(ir::Shape::fromValues(outDims).numel().value_or(0));
  const auto rank = outDims.size();
  auto aligned = [&](const std::vector<int64_t>& dims) {
    std::vector<int64_t> d(rank, 1);
    for (std::size_t i = 0; i < dims.size(); ++i)
      d[rank - dims.size() + i] = dims[i];
    return d;
  };
  const auto da = aligned(ta.dims), db = aligned(tb.dims);
  const auto sa = stridesOf(da), sb = stridesOf(db), so = stridesOf(outDims);
  std::vector<T> out(n);
  for (std::size_t idx = 0; idx < n; ++idx) {
    int64_t ia = 0, ib = 0, rem = static_cast<int64_t>(idx);
    for (std::size_t k = 0; k < rank; ++k) {
      const int64_t c = rem / so[k];
      rem %= so[k];
      if (da[k] != 1) ia += c * sa[k];
      if (db[k] != 1) ib += c * sb[k];
    }
    auto r = f(a[static_cast<std::size_t>(ia)], b[static_cast<std::size_t>(ib)]);
    if (!r) return std::nullopt;
    out[idx] = *r;
  }
  return out;
}

std::optional<int64_t> intBinary(std::string_view op, int64_t a, int64_t b, int64_t fmod) {
  if (op == "Add" || op == "Sum") return a + b;
  if (op == "Sub") return a - b;
  if (op == "Mul") return a * b;
  if (op == "Div") return b == 0 ? std::nullopt : std::optional<int64_t>(a / b);
  if (op == "Mod") {
    if (b == 0) return std::nullopt;
    int64_t r = a % b;
    if (!fmod && r != 0 && ((r < 0) != (b < 0))) r += b; // Python semantics: the sign of the divisor
    return r;
  }
  if (op == "Max") return std::max(a, b);
  if (op == "Min") return std::min(a, b);
  if (op == "Equal") return int64_t{a == b};
  if (op == "Less") return int64_t{a < b};
  if (op == "LessOrEqual") return int64_t{a <= b};
  if (op == "Greater") return int64_t{a > b};
  if (op == "GreaterOrEqual") return int64_t{a >= b};
  if (op == "And") return int64_t{a && b};
  if (op == "Or") return int64_t{a || b};
  if (op == "Xor") return int64_t{(a != 0) != (b != 0)};
  return std::nullopt;
}

std::optional<double> floatBinary(std::string_view op, double a, double b, int64_t fmod) {
  if (op == "Add" || op == "Sum") return a + b;
  if (op == "Sub") return a - b;
  if (op == "Mul") return a * b;
  if (op == "Div") return a / b;
  if (op == "Pow") return std::pow(a, b);
  if (op == "Mod") return fmod ? std::fmod(a, b) : a - std::floor(a / b) * b;
  if (op == "Max") return std::max(a, b);
  if (op == "Min") return std::min(a, b);
  if (op == "Equal") return (a == b) ? 1.0 : 0.0;
  if (op == "Less") return (a < b) ? 1.0 : 0.0;
  if (op == "LessOrEqual") return (a <= b) ? 1.0 : 0.0;
  if (op == "Greater") return (a > b) ? 1.0 : 0.0;
  if (op == "GreaterOrEqual") return (a >= b) ? 1.0 : 0.0;
  return std::nullopt;
}

// Propagates a binary op's value; float inputs only as scalars (shape arithmetic in float).
void propagateBinary(InferContext& ctx, std::size_t ia, std::size_t ib, const ir::Shape& outShape,
                     ir::DataType outType) {
  const auto* ta = valueOf(ctx, ia);
  const auto* tb = valueOf(ctx, ib);
  const auto outDims = outShape.values();
  if (!ta || !tb || !outDims) return;
  const auto n = ir::Shape::fromValues(*outDims).numel().value_or(0);
  if (n > ctx.maxPropagatedElements) return;
  const std::string_view op = ctx.node.opType;
  const auto fmod = ctx.node.attrs.getInt("fmod", 0);
  if (ir::isIntegerOrBool(ta->dtype) && ir::isIntegerOrBool(tb->dtype)) {
    auto r = evalBinary<int64_t>(*ta, ta->toVector<int64_t>(), *tb, tb->toVector<int64_t>(), *outDims,
                                 [&](int64_t a, int64_t b) { return intBinary(op, a, b, fmod); });
    if (r) setValue(ctx, 0, makeTensor(outType, *outDims, *r));
  } else if (ir::isNativeFloat(ta->dtype) && ir::isNativeFloat(tb->dtype) && ta->numel() == 1 && tb->numel() == 1) {
    auto r = evalBinary<double>(*ta, ta->toVector<double>(), *tb, tb->toVector<double>(), *outDims,
                                [&](double a, double b) { return floatBinary(op, a, b, fmod); });
    if (r) setValue(ctx, 0, makeTensor(outType, *outDims, *r));
  }
}

// Shape arithmetic on symbolic data (N * 1, N + 0, 2 * 3 next to N): element by element.
void propagateShapeDataBinary(InferContext& ctx, const ir::Shape& outShape) {
  const std::string_view op = ctx.node.opType;
  if (ctx.outputs[0].value || !(op == "Add" || op == "Sub" || op == "Mul" || op == "Div")) return;
  if (!outShape.rankKnown || outShape.rank() > 1) return;
  const auto a = shapeDataOf(ctx, 0), b = shapeDataOf(ctx, 1);
  if (!a || !b || a->empty() || b->empty()) return;
  const std::size_t n = std::max(a->size(), b->size());
  if ((a->size() != 1 && a->size() != n) || (b->size() != 1 && b->size() != n)) return;
  ShapeData out;
  for (std::size_t i = 0; i < n; ++i) {
    const auto& x = (*a)[a->size() == 1 ? 0 : i];
    const auto& y = (*b)[b->size() == 1 ? 0 : i];
    DataElement r;
    if (x.number && y.number) {
      if (auto v = intBinary(op, *x.number, *y.number, 0)) r.number = *v;
    } else if (y.number && ((op == "Mul" || op == "Div") ? *y.number == 1 : *y.number == 0)) {
      r = x;
    } else if (x.number && ((op == "Mul" && *x.number == 1) || (op == "Add" && *x.number == 0))) {
      r = y;
    }
    out.push_back(std::move(r));
  }
  setShapeData(ctx, 0, std::move(out));
}

Status requireInputs(const InferContext& ctx, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i)
    if (!has(ctx, i)) return invalid(ctx, "input " + std::to_string(i) + " is missing");
  return ok();
}

std::optional<double> unaryValue(std::string_view op, double x) {
  if (op == "Floor") return std::floor(x);
  if (op == "Ceil") return std::ceil(x);
  if (op == "Round") return std::nearbyint(x); // ONNX rounds half to even, as nearbyint does by default
  if (op == "Neg") return -x;
  if (op == "Abs") return std::fabs(x);
  if (op == "Sqrt") return std::sqrt(x);
  if (op == "Reciprocal") return 1.0 / x;
  if (op == "Relu") return std::max(x, 0.0);
  if (op == "Sign") return double((x > 0) - (x < 0));
  return std::nullopt;
}

} // namespace

Status inferIdentity(InferContext& ctx) {
  GS_RETURN_IF_ERROR(requireInputs(ctx, 1));
  setOutput(ctx, 0, dtypeOf(ctx, 0), *shapeOf(ctx, 0));
  if (const auto* v = valueOf(ctx, 0))
    setValue(ctx, 0, *v);
  else if (ctx.inputs[0].shapeData)
    ctx.outputs[0].shapeData = *ctx.inputs[0].shapeData;
  return ok();
}

Status inferUnary(InferContext& ctx) {
  GS_RETURN_IF_ERROR(requireInputs(ctx, 1));
  const auto* in = shapeOf(ctx, 0);
  setOutput(ctx, 0, dtypeOf(ctx, 0), *in);
  const auto* v = valueOf(ctx, 0);
  if (!v || v->numel() > ctx.maxPropagatedElements) return ok();
  // Floor/Ceil/... on integer shape data or float scalars (e.g. computing a resize target size).
  if (!(ir::isIntegerOrBool(v->dtype) || (ir::isNativeFloat(v->dtype) && v->numel() == 1))) return ok();
  auto xs = v->toVector<double>();
  for (auto& x : xs) {
    auto r = unaryValue(ctx.node.opType, x);
    if (!r) return ok();
    x = *r;
  }
  if (ir::isIntegerOrBool(v->dtype)) {
    std::vector<int64_t> is;
    for (auto x : xs)
      is.push_back(static_cast<int64_t>(x));
    setValue(ctx, 0, makeTensor(v->dtype, v->dims, is));
  } else {
    setValue(ctx, 0, makeTensor(v->dtype, v->dims, xs));
  }
  return ok();
}

Status inferNot(InferContext& ctx) {
  GS_RETURN_IF_ERROR(requireInputs(ctx, 1));
  setOutput(ctx, 0, ir::DataType::Bool, *shapeOf(ctx, 0));
  if (auto v = intsOf(ctx, 0)) {
    for (auto& x : *v)
      x = x == 0;
    setValue(ctx, 0, makeTensor(ir::DataType::Bool, valueOf(ctx, 0)->dims, *v));
  }
  return ok();
}

Status inferIsInfNan(InferContext& ctx) {
  GS_RETURN_IF_ERROR(requireInputs(ctx, 1));
  setOutput(ctx, 0, ir::DataType::Bool, *shapeOf(ctx, 0));
  return ok();
}

Status inferBinary(InferContext& ctx) {
  GS_RETURN_IF_ERROR(requireInputs(ctx, 2));
  const ir::Shape* shapes[] = {shapeOf(ctx, 0), shapeOf(ctx, 1)};
  GS_ASSIGN_OR_RETURN(auto out, broadcast(ctx, shapes));
  const std::string_view op = ctx.node.opType;
  const bool boolOut = op == "Equal" || op == "Less" || op == "LessOrEqual" || op == "Greater" ||
                       op == "GreaterOrEqual" || op == "And" || op == "Or" || op == "Xor";
  const auto dtype = boolOut ? ir::DataType::Bool : dtypeOf(ctx, 0);
  if (op == "BitShift") {
    const auto dir = ctx.node.attrs.getString("direction", "");
    if (dir != "LEFT" && dir != "RIGHT")
      return invalidAttr(ctx, "direction", "must be LEFT or RIGHT, not '" + dir + "'");
  }
  if (op == "Mod") {
    const auto fmod = ctx.node.attrs.getInt("fmod", 0);
    if (fmod != 0 && fmod != 1) return invalidAttr(ctx, "fmod", "must be 0 or 1");
  }
  setOutput(ctx, 0, dtype, out);
  propagateBinary(ctx, 0, 1, out, dtype);
  if (ir::isIntegerOrBool(dtype)) propagateShapeDataBinary(ctx, out);
  return ok();
}

Status inferPRelu(InferContext& ctx) {
  GS_RETURN_IF_ERROR(requireInputs(ctx, 2));
  const ir::Shape* shapes[] = {shapeOf(ctx, 0), shapeOf(ctx, 1)};
  // Before opset 7 a 1-D slope of X's dim 1 applies per channel (the CPU kernel does the same).
  const ir::Shape &x = *shapes[0], &slope = *shapes[1];
  const bool perChannel = ctx.opset < 7 && x.rankKnown && slope.rankKnown && x.rank() >= 2 && slope.rank() == 1 &&
                          slope.dims[0].isKnown() && slope.dims[0].value == x.dims[1].value;
  if (!perChannel) {
    GS_ASSIGN_OR_RETURN(auto out, broadcast(ctx, shapes)); // validates that slope broadcasts to X
    (void)out;
  }
  setOutput(ctx, 0, dtypeOf(ctx, 0), *shapeOf(ctx, 0));
  return ok();
}

Status inferVariadic(InferContext& ctx) {
  std::vector<const ir::Shape*> shapes;
  for (std::size_t i = 0; i < ctx.inputs.size(); ++i)
    if (has(ctx, i)) shapes.push_back(shapeOf(ctx, i));
  if (shapes.empty()) return invalid(ctx, "needs at least one input");
  GS_ASSIGN_OR_RETURN(auto out, broadcast(ctx, shapes));
  setOutput(ctx, 0, dtypeOf(ctx, 0), out);
  // Fold pairwise for Max/Min/Sum over known values.
  if (ctx.node.opType == "Mean" || !out.isStatic()) return ok();
  const std::size_t n = ctx.inputs.size();
  if (n == 1) {
    if (const auto* v = valueOf(ctx, 0)) setValue(ctx, 0, *v);
    return ok();
  }
  if (n != 2) return ok();
  propagateBinary(ctx, 0, 1, out, dtypeOf(ctx, 0));
  return ok();
}

Status inferWhere(InferContext& ctx) {
  GS_RETURN_IF_ERROR(requireInputs(ctx, 3));
  const ir::Shape* shapes[] = {shapeOf(ctx, 0), shapeOf(ctx, 1), shapeOf(ctx, 2)};
  GS_ASSIGN_OR_RETURN(auto out, broadcast(ctx, shapes));
  const auto dtype = dtypeOf(ctx, 1);
  setOutput(ctx, 0, dtype, out);
  const auto* tc = valueOf(ctx, 0);
  const auto* tx = valueOf(ctx, 1);
  const auto* ty = valueOf(ctx, 2);
  const auto dims = out.values();
  if (!tc || !tx || !ty || !dims || !ir::isIntegerOrBool(tx->dtype) || !ir::isIntegerOrBool(ty->dtype)) return ok();
  if (ir::Shape::fromValues(*dims).numel().value_or(0) > ctx.maxPropagatedElements) return ok();
  // Select x first (where cond), then y where not: two broadcast passes with the same index maps.
  const auto cond = tc->toVector<int64_t>();
  auto picked = evalBinary<int64_t>(*tc, cond, *tx, tx->toVector<int64_t>(), *dims,
                                    [](int64_t c, int64_t x) { return std::optional<int64_t>(c ? x : 0); });
  auto condB = evalBinary<int64_t>(*tc, cond, *ty, ty->toVector<int64_t>(), *dims,
                                   [](int64_t c, int64_t) { return std::optional<int64_t>(c); });
  auto ys = evalBinary<int64_t>(*tc, cond, *ty, ty->toVector<int64_t>(), *dims,
                                [](int64_t, int64_t y) { return std::optional<int64_t>(y); });
  if (!picked || !condB || !ys) return ok();
  for (std::size_t i = 0; i < picked->size(); ++i)
    if (!(*condB)[i]) (*picked)[i] = (*ys)[i];
  setValue(ctx, 0, makeTensor(dtype, *dims, *picked));
  return ok();
}

Status inferCast(InferContext& ctx) {
  GS_RETURN_IF_ERROR(requireInputs(ctx, 1));
  ir::DataType to = ir::DataType::Undefined;
  if (ctx.node.opType == "CastLike") {
    GS_RETURN_IF_ERROR(requireInputs(ctx, 2));
    to = dtypeOf(ctx, 1);
  } else {
    const auto* a = ctx.node.attrs.find("to");
    if (!a) return invalidAttr(ctx, "to", "is required");
    auto t = ir::dtypeFromOnnx(static_cast<int32_t>(a->i));
    if (!t || *t == ir::DataType::Undefined) return invalidAttr(ctx, "to", "unknown data type " + std::to_string(a->i));
    to = *t;
  }
  setOutput(ctx, 0, to, *shapeOf(ctx, 0));
  if (ctx.inputs[0].shapeData && ir::isIntegerOrBool(to) && to != ir::DataType::Bool)
    ctx.outputs[0].shapeData = *ctx.inputs[0].shapeData; // int64 <-> int32 keeps the symbols
  const auto* v = valueOf(ctx, 0);
  if (!v || v->numel() > ctx.maxPropagatedElements) return ok();
  if (ir::isIntegerOrBool(v->dtype) && (ir::isIntegerOrBool(to) || ir::isNativeFloat(to))) {
    setValue(ctx, 0, makeTensor(to, v->dims, v->toVector<int64_t>()));
  } else if (ir::isNativeFloat(v->dtype) && (ir::isIntegerOrBool(to) || ir::isNativeFloat(to))) {
    // Float to int truncates toward zero, as C++ (and ONNX Runtime) does.
    setValue(ctx, 0, makeTensor(to, v->dims, v->toVector<double>()));
  }
  return ok();
}

Status inferClip(InferContext& ctx) {
  GS_RETURN_IF_ERROR(requireInputs(ctx, 1));
  for (std::size_t i = 1; i < 3; ++i) {
    const auto r = rankOf(ctx, i);
    if (r > 0) {
      const auto n = shapeOf(ctx, i)->numel();
      if (n && *n != 1) return invalid(ctx, std::string(i == 1 ? "min" : "max") + " must be a scalar");
    }
  }
  setOutput(ctx, 0, dtypeOf(ctx, 0), *shapeOf(ctx, 0));
  return ok();
}

Status inferQuantize(InferContext& ctx) {
  GS_RETURN_IF_ERROR(requireInputs(ctx, 2));
  ir::DataType dtype = ir::DataType::Float32; // DequantizeLinear
  if (ctx.node.opType == "QuantizeLinear") {
    dtype = has(ctx, 2) ? dtypeOf(ctx, 2) : ir::DataType::UInt8;
    // Opset 21: output_dtype names the type when there is no zero point.
    if (const auto* od = ctx.node.attrs.find("output_dtype"); od && od->i != 0 && !has(ctx, 2)) {
      const auto t = ir::dtypeFromOnnx(static_cast<int32_t>(od->i));
      if (!t) return invalidAttr(ctx, "output_dtype", "type " + std::to_string(od->i) + " is not supported");
      dtype = *t;
    }
  } else if (ctx.node.opType == "DequantizeLinear" && ctx.opset >= 19)
    dtype = dtypeOf(ctx, 1);
  const auto& x = *shapeOf(ctx, 0);
  if (x.rankKnown && ctx.node.attrs.has("axis") && x.rank() > 0)
    GS_RETURN_IF_ERROR(normalizeAxis(ctx, "axis", ctx.node.attrs.getInt("axis", 1), x.rank()));
  setOutput(ctx, 0, dtype, x);
  return ok();
}

} // namespace gs::ops
