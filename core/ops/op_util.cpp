// Helpers shared by the shape functions.
#include "core/ops/op_util.h"

#include <algorithm>
#include <set>

namespace gs::ops::util {

namespace {

std::string nodeLabel(const InferContext& ctx) { return "node '" + ctx.node.name + "' (" + ctx.node.opType + ")"; }

template <class T> void storeAs(std::string& bytes, std::size_t i, T v) {
  std::memcpy(bytes.data() + i * sizeof(T), &v, sizeof(T));
}

template <class Src> void writeElements(ir::DataType dtype, std::string& bytes, const std::vector<Src>& values) {
  for (std::size_t i = 0; i < values.size(); ++i) {
    const Src v = values[i];
    switch (dtype) {
    case ir::DataType::Float32:
      storeAs<float>(bytes, i, static_cast<float>(v));
      break;
    case ir::DataType::Float64:
      storeAs<double>(bytes, i, static_cast<double>(v));
      break;
    case ir::DataType::Int64:
      storeAs<int64_t>(bytes, i, static_cast<int64_t>(v));
      break;
    case ir::DataType::Int32:
      storeAs<int32_t>(bytes, i, static_cast<int32_t>(v));
      break;
    case ir::DataType::Int16:
      storeAs<int16_t>(bytes, i, static_cast<int16_t>(v));
      break;
    case ir::DataType::Int8:
      storeAs<int8_t>(bytes, i, static_cast<int8_t>(v));
      break;
    case ir::DataType::UInt8:
      storeAs<uint8_t>(bytes, i, static_cast<uint8_t>(v));
      break;
    case ir::DataType::UInt16:
      storeAs<uint16_t>(bytes, i, static_cast<uint16_t>(v));
      break;
    case ir::DataType::UInt32:
      storeAs<uint32_t>(bytes, i, static_cast<uint32_t>(v));
      break;
    case ir::DataType::UInt64:
      storeAs<uint64_t>(bytes, i, static_cast<uint64_t>(v));
      break;
    case ir::DataType::Bool:
      storeAs<uint8_t>(bytes, i, v != Src{} ? 1 : 0);
      break;
    default:
      break;
    }
  }
}

template <class Src>
ir::Tensor makeTensorImpl(ir::DataType dtype, std::vector<int64_t> dims, const std::vector<Src>& v) {
  std::string bytes(v.size() * ir::dtypeSize(dtype), '\0');
  writeElements(dtype, bytes, v);
  return ir::Tensor::fromBytes(dtype, std::move(dims), std::move(bytes));
}

} // namespace

std::unexpected<Error> invalid(const InferContext& ctx, const std::string& what) {
  return std::unexpected<Error>(Error{codes::kInvalid, nodeLabel(ctx) + ": " + what});
}

std::unexpected<Error> invalidAttr(const InferContext& ctx, std::string_view attr, const std::string& what) {
  return std::unexpected<Error>(
      Error{codes::kInvalid, nodeLabel(ctx) + ": attribute '" + std::string(attr) + "': " + what});
}

std::unexpected<Error> unsupported(const InferContext& ctx, const std::string& what) {
  return std::unexpected<Error>(Error{codes::kUnsupported, nodeLabel(ctx) + ": " + what});
}

bool has(const InferContext& ctx, std::size_t i) { return i < ctx.inputs.size() && ctx.inputs[i].shape != nullptr; }

const ir::Shape* shapeOf(const InferContext& ctx, std::size_t i) { return has(ctx, i) ? ctx.inputs[i].shape : nullptr; }

int64_t rankOf(const InferContext& ctx, std::size_t i) {
  const auto* s = shapeOf(ctx, i);
  return s && s->rankKnown ? static_cast<int64_t>(s->rank()) : -1;
}

ir::DataType dtypeOf(const InferContext& ctx, std::size_t i) {
  return i < ctx.inputs.size() ? ctx.inputs[i].dtype : ir::DataType::Undefined;
}

const ir::Tensor* valueOf(const InferContext& ctx, std::size_t i) {
  if (!has(ctx, i)) return nullptr;
  const auto* v = ctx.inputs[i].value;
  if (!v || (!v->buffer && v->numel() != 0)) return nullptr;
  return v;
}

std::optional<std::vector<int64_t>> intsOf(const InferContext& ctx, std::size_t i) {
  const auto* v = valueOf(ctx, i);
  if (!v || !ir::isIntegerOrBool(v->dtype)) return std::nullopt;
  return v->toVector<int64_t>();
}

std::optional<std::vector<double>> floatsOf(const InferContext& ctx, std::size_t i) {
  const auto* v = valueOf(ctx, i);
  if (!v || (!ir::isIntegerOrBool(v->dtype) && !ir::isNativeFloat(v->dtype))) return std::nullopt;
  return v->toVector<double>();
}

std::optional<int64_t> intScalarOf(const InferContext& ctx, std::size_t i) {
  auto v = intsOf(ctx, i);
  if (!v || v->size() != 1) return std::nullopt;
  return (*v)[0];
}

std::optional<ShapeData> shapeDataOf(const InferContext& ctx, std::size_t i) {
  if (auto v = intsOf(ctx, i)) {
    if (valueOf(ctx, i)->dims.size() > 1) return std::nullopt;
    ShapeData d;
    for (auto x : *v)
      d.push_back(DataElement{x, {}});
    return d;
  }
  if (has(ctx, i) && ctx.inputs[i].shapeData) return *ctx.inputs[i].shapeData;
  return std::nullopt;
}

void setShapeData(InferContext& ctx, std::size_t i, ShapeData data) {
  if (i >= ctx.outputs.size() || ctx.outputs[i].value) return;
  const auto& s = ctx.outputs[i].shape;
  if (!s.rankKnown || s.rank() > 1 || (s.rank() == 0 && data.size() != 1)) return;
  if (s.rank() == 1 && s.dims[0].isKnown() && s.dims[0].value != static_cast<int64_t>(data.size())) return;
  bool numbers = true;
  for (const auto& e : data)
    numbers = numbers && e.number.has_value();
  if (numbers) {
    std::vector<int64_t> v;
    for (const auto& e : data)
      v.push_back(*e.number);
    std::vector<int64_t> dims;
    if (s.rank() == 1) dims.push_back(static_cast<int64_t>(v.size()));
    if (ir::isIntegerOrBool(ctx.outputs[i].dtype)) setValue(ctx, i, makeTensor(ctx.outputs[i].dtype, dims, v));
    return;
  }
  ctx.outputs[i].shapeData = std::move(data);
}

DataElement elementOf(const ir::Dim& d) {
  if (d.isKnown()) return DataElement{d.value, {}};
  return DataElement{std::nullopt, d.symbol};
}

ir::Dim dimOf(const InferContext& ctx, const DataElement& e) {
  if (e.number && *e.number >= 0) return ir::Dim::known(*e.number);
  if (!e.number && !e.symbol.empty()) return ir::Dim::symbolic(e.symbol);
  return freshDim(ctx);
}

ir::Dim freshDim(const InferContext& ctx) {
  return ctx.symbols ? ir::Dim::symbolic(ctx.symbols->next()) : ir::Dim::unknown();
}

ir::Shape freshShape(const InferContext& ctx, std::size_t rank) {
  std::vector<ir::Dim> dims;
  for (std::size_t i = 0; i < rank; ++i)
    dims.push_back(freshDim(ctx));
  return ir::Shape(std::move(dims));
}

void setOutput(InferContext& ctx, std::size_t i, ir::DataType dtype, ir::Shape shape) {
  if (i >= ctx.outputs.size()) return;
  ctx.outputs[i].dtype = dtype;
  ctx.outputs[i].shape = std::move(shape);
}

void setValue(InferContext& ctx, std::size_t i, ir::Tensor value) {
  if (i >= ctx.outputs.size() || value.numel() > ctx.maxPropagatedElements) return;
  ctx.outputs[i].value = std::move(value);
}

Expected<int64_t> normalizeAxis(const InferContext& ctx, std::string_view attr, int64_t axis, int64_t rank,
                                bool allowEnd) {
  const int64_t hi = allowEnd ? rank + 1 : rank;
  const int64_t a = axis < 0 ? axis + rank : axis; // -1 is the last dim even when the end is allowed
  if (a < 0 || a >= hi)
    return invalidAttr(ctx, attr, "axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank));
  return a;
}

Expected<std::vector<int64_t>> normalizeAxes(const InferContext& ctx, std::string_view attr,
                                             const std::vector<int64_t>& axes, int64_t rank) {
  std::vector<int64_t> out;
  std::set<int64_t> seen;
  for (auto a : axes) {
    GS_ASSIGN_OR_RETURN(auto n, normalizeAxis(ctx, attr, a, rank));
    if (!seen.insert(n).second) return invalidAttr(ctx, attr, "axis " + std::to_string(a) + " is repeated");
    out.push_back(n);
  }
  return out;
}

Expected<ir::Shape> broadcast(const InferContext& ctx, std::span<const ir::Shape* const> shapes) {
  std::size_t rank = 0;
  for (const auto* s : shapes) {
    if (!s) continue;
    if (!s->rankKnown) return ir::Shape::unknownRank();
    rank = std::max(rank, s->rank());
  }
  std::vector<ir::Dim> out(rank);
  for (std::size_t k = 0; k < rank; ++k) {
    // Dims aligned from the right; a missing dim counts as 1.
    std::optional<int64_t> known; // the one known size other than 1
    std::vector<const ir::Dim*> unknowns;
    for (const auto* s : shapes) {
      if (!s || s->rank() + k < rank) continue;
      const auto& d = s->dims[s->rank() - rank + k];
      if (d.isKnown()) {
        if (d.value == 1) {
          continue;
        }
        if (known && *known != d.value)
          return invalid(ctx, "cannot broadcast dims " + std::to_string(*known) + " and " + std::to_string(d.value));
        known = d.value;
      } else {
        unknowns.push_back(&d);
      }
    }
    if (known) {
      out[k] = ir::Dim::known(*known);
    } else if (unknowns.empty()) {
      out[k] = ir::Dim::known(1); // every dim was 1 (or missing)
    } else {
      // All unknown dims must name the same symbol to pass it through (a 1 may broadcast into it).
      bool same = unknowns[0]->isSymbolic();
      for (const auto* d : unknowns)
        same = same && d->symbol == unknowns[0]->symbol;
      out[k] = same ? *unknowns[0] : freshDim(ctx);
    }
  }
  return ir::Shape(std::move(out));
}

Expected<ir::Dim> unifyDims(const InferContext& ctx, const ir::Dim& a, const ir::Dim& b, const std::string& what) {
  if (a.isKnown() && b.isKnown()) {
    if (a.value != b.value)
      return invalid(ctx, what + ": dims " + std::to_string(a.value) + " and " + std::to_string(b.value) + " differ");
    return a;
  }
  if (a.isKnown()) return a;
  if (b.isKnown()) return b;
  if (a.isSymbolic()) return a;
  return b;
}

ir::Dim dimProduct(const InferContext& ctx, const ir::Shape& s, std::size_t from, std::size_t to) {
  if (to == from + 1) return s.dims[from];
  int64_t p = 1;
  for (std::size_t i = from; i < to; ++i) {
    if (!s.dims[i].isKnown()) return freshDim(ctx);
    // An overflowing product (dims from a hostile file) is not a dim: leave it unknown; a compile
    // refuses the shapes it came from (compiler/size_limits.h).
    if (__builtin_mul_overflow(p, s.dims[i].value, &p)) return freshDim(ctx);
  }
  return ir::Dim::known(p);
}

ir::Tensor makeTensor(ir::DataType dtype, std::vector<int64_t> dims, const std::vector<int64_t>& values) {
  return makeTensorImpl(dtype, std::move(dims), values);
}

ir::Tensor makeTensor(ir::DataType dtype, std::vector<int64_t> dims, const std::vector<double>& values) {
  return makeTensorImpl(dtype, std::move(dims), values);
}

std::vector<int64_t> stridesOf(const std::vector<int64_t>& dims) {
  std::vector<int64_t> st(dims.size(), 1);
  for (std::size_t i = dims.size(); i-- > 1;)
    st[i - 1] = st[i] * dims[i];
  return st;
}

int64_t floorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

int64_t ceilDiv(int64_t a, int64_t b) { return -floorDiv(-a, b); }

} // namespace gs::ops::util
