// ScatterElements (also the deprecated Scatter) and ScatterND: copy data to the output, then write
// the updates at the indexed places, in index order (so with reduction "none" the last duplicate
// wins, as in the reference). Reductions add/mul/max/min for float32, float64, int32 and int64;
// plain scatter for any fixed-size type. Indices are int32/int64, negative from the end.
#include <cstring>

#include "core/runtime/cpu/kernels/basic/common.h"
#include "core/runtime/cpu/kernels/basic/dispatch.h"
#include "core/runtime/cpu/kernels/basic/kernels.h"

namespace gs::runtime::cpu::basic {
namespace {

enum class Reduction { None, Add, Mul, Max, Min };

inline int64_t indexAt(const TensorRef& t, int64_t i) {
  return t.dtype == ir::DataType::Int64 ? t.as<const int64_t>()[i] : t.as<const int32_t>()[i];
}

template <class T> inline void combine(T& dst, T v, Reduction r) {
  switch (r) {
  case Reduction::None:
    dst = v;
    break;
  case Reduction::Add:
    dst = static_cast<T>(dst + v);
    break;
  case Reduction::Mul:
    dst = static_cast<T>(dst * v);
    break;
  case Reduction::Max:
    dst = dst < v ? v : dst;
    break;
  case Reduction::Min:
    dst = v < dst ? v : dst;
    break;
  }
}

class ScatterKernel final : public BasicKernel {
public:
  ScatterKernel(const CreateContext& c, bool nd, Reduction r)
      : BasicKernel(c), m_nd(nd), m_reduction(r), m_axis(c.node.attrs.getInt("axis", 0)) {}

  Status run(std::span<const TensorRef> inputs, std::span<TensorRef> outputs, RunContext& ctx) override {
    if (!hasInput(inputs, 2)) return fail("expects data, indices and updates");
    const TensorRef& data = inputs[0];
    const TensorRef& idx = inputs[1];
    const TensorRef& upd = inputs[2];
    if (idx.dtype != ir::DataType::Int64 && idx.dtype != ir::DataType::Int32)
      return fail("indices must be int32/int64");
    if (upd.dtype != data.dtype) return fail("updates must have the data's type");
    GS_RETURN_IF_ERROR(checkRank(data.dims.size()));
    GS_RETURN_IF_ERROR(prepareOutput(outputs, 0, data.dims, ctx));
    copyBytes(outputs[0].data, data.data, data.byteSize());
    Status st = ok();
    auto body = [&](auto tag) {
      using T = decltype(tag);
      st = m_nd ? scatterNd<T>(data, idx, upd, outputs[0]) : scatterElements<T>(data, idx, upd, outputs[0]);
    };
    if (m_reduction == Reduction::None)
      visitBySize(ir::dtypeSize(data.dtype), body);
    else if (!visitType<float, double, int32_t, int64_t>(data.dtype, body))
      return fail("reduction needs a float32/float64/int32/int64 tensor");
    return st;
  }

private:
  template <class T>
  Status scatterElements(const TensorRef& data, const TensorRef& idx, const TensorRef& upd, TensorRef& out) const {
    const auto rank = static_cast<int64_t>(data.dims.size());
    if (idx.dims != upd.dims || idx.dims.size() != data.dims.size())
      return fail("indices and updates must have one shape and the data's rank");
    GS_ASSIGN_OR_RETURN(const int64_t axis, normAxis(m_axis, rank));
    const int64_t total = idx.numel();
    if (total == 0) return ok();
    DimArray stride{}, coord{};
    int64_t s = 1;
    for (int64_t d = rank - 1; d >= 0; --d) {
      stride[static_cast<std::size_t>(d)] = s;
      s *= data.dims[static_cast<std::size_t>(d)];
    }
    const int64_t n = data.dims[static_cast<std::size_t>(axis)];
    const T* u = upd.as<const T>();
    T* o = out.as<T>();
    for (int64_t e = 0; e < total; ++e) {
      int64_t v = indexAt(idx, e);
      if (v < -n || v >= n) return fail("index " + std::to_string(v) + " is out of range for dim " + std::to_string(n));
      if (v < 0) v += n;
      int64_t off = 0;
      for (int64_t d = 0; d < rank; ++d) {
        const auto di = static_cast<std::size_t>(d);
        off += (d == axis ? v : coord[di]) * stride[di];
      }
      combine(o[off], u[e], m_reduction);
      for (int64_t d = rank - 1; d >= 0; --d) {
        const auto di = static_cast<std::size_t>(d);
        if (++coord[di] < idx.dims[di]) break;
        coord[di] = 0;
      }
    }
    return ok();
  }

  template <class T>
  Status scatterNd(const TensorRef& data, const TensorRef& idx, const TensorRef& upd, TensorRef& out) const {
    if (idx.dims.empty()) return fail("indices must have rank >= 1");
    const auto k = static_cast<std::size_t>(idx.dims.back());
    if (k > data.dims.size()) return fail("index tuples are longer than the data's rank");
    // updates: indices.shape[:-1] + data.shape[k:]
    std::size_t ur = idx.dims.size() - 1 + data.dims.size() - k;
    bool shapeOk = upd.dims.size() == ur;
    for (std::size_t d = 0; shapeOk && d + 1 < idx.dims.size(); ++d)
      shapeOk = upd.dims[d] == idx.dims[d];
    for (std::size_t d = k; shapeOk && d < data.dims.size(); ++d)
      shapeOk = upd.dims[idx.dims.size() - 1 + d - k] == data.dims[d];
    if (!shapeOk) return fail("updates dims " + dimsString(upd.dims) + " do not fit indices and data");
    const int64_t slice = productOf(data.dims, k, data.dims.size());
    DimArray stride{};
    int64_t s = slice;
    for (std::size_t j = k; j-- > 0;) {
      stride[j] = s;
      s *= data.dims[j];
    }
    const int64_t tuples = productOf(idx.dims, 0, idx.dims.size() - 1);
    const T* u = upd.as<const T>();
    T* o = out.as<T>();
    for (int64_t t = 0; t < tuples; ++t) {
      int64_t off = 0;
      for (std::size_t j = 0; j < k; ++j) {
        int64_t v = indexAt(idx, t * static_cast<int64_t>(k) + static_cast<int64_t>(j));
        const int64_t n = data.dims[j];
        if (v < -n || v >= n)
          return fail("index " + std::to_string(v) + " is out of range for dim " + std::to_string(n));
        if (v < 0) v += n;
        off += v * stride[j];
      }
      for (int64_t i = 0; i < slice; ++i)
        combine(o[off + i], u[t * slice + i], m_reduction);
    }
    return ok();
  }

  bool m_nd;
  Reduction m_reduction;
  int64_t m_axis;
};

} // namespace

Expected<std::unique_ptr<Kernel>> createScatter(const CreateContext& c) {
  if (!supportsScatter(c.node, c.inputTypes)) return unsupported(c, "unsupported data/index types or reduction");
  const auto red = c.node.attrs.getString("reduction", "none");
  const Reduction r = red == "add"   ? Reduction::Add
                      : red == "mul" ? Reduction::Mul
                      : red == "max" ? Reduction::Max
                      : red == "min" ? Reduction::Min
                                     : Reduction::None;
  return std::make_unique<ScatterKernel>(c, c.node.opType == "ScatterND", r);
}

bool supportsScatter(const ir::Node& node, std::span<const ir::DataType> types) {
  if (types.size() < 3 || !ir::isFixedSize(types[0]) || types[2] != types[0]) return false;
  if (types[1] != ir::DataType::Int64 && types[1] != ir::DataType::Int32) return false;
  const auto red = node.attrs.getString("reduction", "none");
  if (red == "none") return true;
  if (red != "add" && red != "mul" && red != "max" && red != "min") return false;
  return types[0] == ir::DataType::Float32 || types[0] == ir::DataType::Float64 || types[0] == ir::DataType::Int32 ||
         types[0] == ir::DataType::Int64;
}

} // namespace gs::runtime::cpu::basic
