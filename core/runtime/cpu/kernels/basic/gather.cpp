// Gather, GatherElements and GatherND for any fixed-size data type with int32/int64 indices.
// Negative indices count from the end; an index out of range is a run-time error naming the node,
// found in a validation pass before any copying.
#include <cstring>

#include "core/runtime/cpu/kernels/basic/common.h"
#include "core/runtime/cpu/kernels/basic/dispatch.h"
#include "core/runtime/cpu/kernels/basic/kernels.h"
#include "core/runtime/cpu/kernels/basic/parallel.h"

namespace gs::runtime::cpu::basic {
namespace {

enum class GatherOp { Gather, Elements, ND };

// Reads index i of an int32/int64 tensor.
inline int64_t indexAt(const TensorRef& t, int64_t i) {
  return t.dtype == ir::DataType::Int64 ? t.as<const int64_t>()[i] : t.as<const int32_t>()[i];
}

class GatherKernel final : public BasicKernel {
public:
  GatherKernel(const CreateContext& c, GatherOp op)
      : BasicKernel(c), m_kind(op), m_axis(c.node.attrs.getInt("axis", 0)),
        m_batchDims(c.node.attrs.getInt("batch_dims", 0)) {}

  Status run(std::span<const TensorRef> inputs, std::span<TensorRef> outputs, RunContext& ctx) override {
    if (!hasInput(inputs, 1)) return fail("expects data and indices");
    const TensorRef& data = inputs[0];
    const TensorRef& idx = inputs[1];
    if (idx.dtype != ir::DataType::Int64 && idx.dtype != ir::DataType::Int32)
      return fail("indices must be int32/int64");
    GS_RETURN_IF_ERROR(checkRank(data.dims.size()));
    GS_RETURN_IF_ERROR(checkRank(idx.dims.size()));
    const std::size_t elem = ir::dtypeSize(data.dtype);
    switch (m_kind) {
    case GatherOp::Gather:
      return gather(data, idx, outputs, ctx, elem);
    case GatherOp::Elements:
      return gatherElements(data, idx, outputs, ctx, elem);
    case GatherOp::ND:
      return gatherNd(data, idx, outputs, ctx, elem);
    }
    return ok();
  }

private:
  Status gather(const TensorRef& data, const TensorRef& idx, std::span<TensorRef> outputs, RunContext& ctx,
                std::size_t elem) {
    const auto rank = static_cast<int64_t>(data.dims.size());
    GS_ASSIGN_OR_RETURN(const int64_t axis, normAxis(m_axis, rank));
    const auto a = static_cast<std::size_t>(axis);
    m_outDims.assign(data.dims.begin(), data.dims.begin() + axis);
    m_outDims.insert(m_outDims.end(), idx.dims.begin(), idx.dims.end());
    m_outDims.insert(m_outDims.end(), data.dims.begin() + axis + 1, data.dims.end());
    GS_RETURN_IF_ERROR(prepareOutput(outputs, 0, m_outDims, ctx));
    const int64_t n = data.dims[a];
    const int64_t count = idx.numel();
    for (int64_t i = 0; i < count; ++i) {
      const int64_t v = indexAt(idx, i);
      if (v < -n || v >= n) return fail("index " + std::to_string(v) + " is out of range for dim " + std::to_string(n));
    }
    const int64_t outer = productOf(data.dims, 0, a);
    const int64_t inner = productOf(data.dims, a + 1, data.dims.size());
    visitBySize(elem, [&](auto tag) {
      using T = decltype(tag);
      const T* in = data.as<const T>();
      T* out = outputs[0].as<T>();
      parallelFor(outer * count, std::max<int64_t>(1, kGrainCopy / std::max<int64_t>(inner, 1)),
                  [&](int64_t r0, int64_t r1) {
                    for (int64_t r = r0; r < r1; ++r) {
                      const int64_t o = r / count;
                      int64_t v = indexAt(idx, r % count);
                      if (v < 0) v += n;
                      const T* src = in + (o * n + v) * inner;
                      T* dst = out + r * inner;
                      if (inner == 1)
                        *dst = *src;
                      else
                        std::memcpy(dst, src, static_cast<std::size_t>(inner) * sizeof(T));
                    }
                  });
    });
    return ok();
  }

  Status gatherElements(const TensorRef& data, const TensorRef& idx, std::span<TensorRef> outputs, RunContext& ctx,
                        std::size_t elem) {
    const auto rank = static_cast<int64_t>(data.dims.size());
    if (idx.dims.size() != data.dims.size()) return fail("indices must have the data's rank");
    GS_ASSIGN_OR_RETURN(const int64_t axis, normAxis(m_axis, rank));
    GS_RETURN_IF_ERROR(prepareOutput(outputs, 0, idx.dims, ctx));
    const int64_t total = idx.numel();
    if (total == 0) return ok();
    const int64_t n = data.dims[static_cast<std::size_t>(axis)];
    for (int64_t i = 0; i < total; ++i) {
      const int64_t v = indexAt(idx, i);
      if (v < -n || v >= n) return fail("index " + std::to_string(v) + " is out of range for dim " + std::to_string(n));
    }
    DimArray stride{};
    int64_t s = 1;
    for (int64_t d = rank - 1; d >= 0; --d) {
      stride[static_cast<std::size_t>(d)] = s;
      s *= data.dims[static_cast<std::size_t>(d)];
    }
    const auto& id = idx.dims;
    const int64_t inner = id.back();
    const int last = static_cast<int>(rank - 1);
    const int64_t axisStride = stride[static_cast<std::size_t>(axis)];
    visitBySize(elem, [&](auto tag) {
      using T = decltype(tag);
      const T* in = data.as<const T>();
      T* out = outputs[0].as<T>();
      parallelFor(total / inner, std::max<int64_t>(1, kGrainMedium / inner), [&](int64_t r0, int64_t r1) {
        for (int64_t r = r0; r < r1; ++r) {
          // Data offset of this row's coordinates, the axis coordinate left out.
          int64_t base = 0, rem = r;
          for (int d = last - 1; d >= 0; --d) {
            const auto di = static_cast<std::size_t>(d);
            if (d != axis) base += (rem % id[di]) * stride[di];
            rem /= id[di];
          }
          for (int64_t i = 0; i < inner; ++i) {
            int64_t v = indexAt(idx, r * inner + i);
            if (v < 0) v += n;
            const int64_t col = axis == last ? 0 : i;
            out[r * inner + i] = in[base + col + v * axisStride];
          }
        }
      });
    });
    return ok();
  }

  Status gatherNd(const TensorRef& data, const TensorRef& idx, std::span<TensorRef> outputs, RunContext& ctx,
                  std::size_t elem) {
    const auto b = static_cast<std::size_t>(m_batchDims);
    if (idx.dims.empty()) return fail("indices must have rank >= 1");
    const auto k = static_cast<std::size_t>(idx.dims.back());
    if (b >= idx.dims.size() || b + k > data.dims.size()) return fail("indices do not fit the data's rank");
    for (std::size_t d = 0; d < b; ++d)
      if (idx.dims[d] != data.dims[d]) return fail("batch dims of data and indices differ");
    m_outDims.assign(idx.dims.begin(), idx.dims.end() - 1);
    m_outDims.insert(m_outDims.end(), data.dims.begin() + static_cast<std::ptrdiff_t>(b + k), data.dims.end());
    GS_RETURN_IF_ERROR(prepareOutput(outputs, 0, m_outDims, ctx));
    const int64_t batches = productOf(data.dims, 0, b);
    const int64_t slice = productOf(data.dims, b + k, data.dims.size());
    const int64_t batchData = productOf(data.dims, b, data.dims.size());
    const int64_t tuples = productOf(idx.dims, b, idx.dims.size() - 1); // per batch
    DimArray stride{};
    int64_t s = slice;
    for (std::size_t j = k; j-- > 0;) {
      stride[j] = s;
      s *= data.dims[b + j];
    }
    const int64_t rows = batches * tuples;
    for (int64_t r = 0; r < rows; ++r)
      for (std::size_t j = 0; j < k; ++j) {
        const int64_t v = indexAt(idx, r * static_cast<int64_t>(k) + static_cast<int64_t>(j));
        const int64_t n = data.dims[b + j];
        if (v < -n || v >= n)
          return fail("index " + std::to_string(v) + " is out of range for dim " + std::to_string(n));
      }
    visitBySize(elem, [&](auto tag) {
      using T = decltype(tag);
      const T* in = data.as<const T>();
      T* out = outputs[0].as<T>();
      parallelFor(rows, std::max<int64_t>(1, kGrainCopy / std::max<int64_t>(slice, 1)), [&](int64_t r0, int64_t r1) {
        for (int64_t r = r0; r < r1; ++r) {
          int64_t off = (r / std::max<int64_t>(tuples, 1)) * batchData;
          for (std::size_t j = 0; j < k; ++j) {
            int64_t v = indexAt(idx, r * static_cast<int64_t>(k) + static_cast<int64_t>(j));
            if (v < 0) v += data.dims[b + j];
            off += v * stride[j];
          }
          std::memcpy(out + r * slice, in + off, static_cast<std::size_t>(slice) * sizeof(T));
        }
      });
    });
    return ok();
  }

  GatherOp m_kind;
  int64_t m_axis;
  int64_t m_batchDims;
  std::vector<int64_t> m_outDims;
};

} // namespace

Expected<std::unique_ptr<Kernel>> createGather(const CreateContext& c) {
  if (!supportsGather(c.node, c.inputTypes)) return unsupported(c, "expects fixed-size data and int32/int64 indices");
  const auto& op = c.node.opType;
  const GatherOp k = op == "GatherElements" ? GatherOp::Elements : op == "GatherND" ? GatherOp::ND : GatherOp::Gather;
  return std::make_unique<GatherKernel>(c, k);
}

bool supportsGather(const ir::Node&, std::span<const ir::DataType> types) {
  return types.size() >= 2 && ir::isFixedSize(types[0]) &&
         (types[1] == ir::DataType::Int64 || types[1] == ir::DataType::Int32);
}

} // namespace gs::runtime::cpu::basic
