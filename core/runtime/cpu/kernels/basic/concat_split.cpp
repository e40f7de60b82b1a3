// Concat and Split along an axis, for any fixed-size element type: both view tensors as
// [outer, axisLen * inner] and copy one contiguous chunk per outer row. Split takes its sizes from
// the attribute (before opset 13), the optional input (since), or splits evenly (the last part
// smaller when the axis does not divide, as opset 18's num_outputs does).
#include <cstring>

#include "core/runtime/cpu/kernels/basic/common.h"
#include "core/runtime/cpu/kernels/basic/dispatch.h"
#include "core/runtime/cpu/kernels/basic/kernels.h"
#include "core/runtime/cpu/kernels/basic/parallel.h"

namespace gs::runtime::cpu::basic {
namespace {

// Copies `rows` rows of rowBytes from src (stride srcStride) to dst (stride dstStride).
void copyRows(std::byte* dst, int64_t dstStride, const std::byte* src, int64_t srcStride, int64_t rows,
              int64_t rowBytes) {
  if (rows == 1) {
    copyBytes(dst, src, static_cast<std::size_t>(rowBytes));
    return;
  }
  parallelFor(rows, std::max<int64_t>(1, kGrainCopy * 4 / std::max<int64_t>(rowBytes, 1)), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r)
      std::memcpy(dst + r * dstStride, src + r * srcStride, static_cast<std::size_t>(rowBytes));
  });
}

class ConcatKernel final : public BasicKernel {
public:
  ConcatKernel(const CreateContext& c) : BasicKernel(c), m_axis(c.node.attrs.getInt("axis", 0)) {}

  Status run(std::span<const TensorRef> inputs, std::span<TensorRef> outputs, RunContext& ctx) override {
    if (!hasInput(inputs, 0)) return fail("expects at least one input");
    const auto& first = inputs[0].dims;
    const auto rank = static_cast<int64_t>(first.size());
    GS_ASSIGN_OR_RETURN(const int64_t axis, normAxis(m_axis, rank));
    const auto a = static_cast<std::size_t>(axis);
    m_outDims = first;
    m_outDims[a] = 0;
    for (const auto& in : inputs) {
      if (in.dims.size() != first.size()) return fail("inputs differ in rank");
      for (std::size_t d = 0; d < first.size(); ++d)
        if (d != a && in.dims[d] != first[d])
          return fail("input dims " + dimsString(in.dims) + " do not match " + dimsString(first));
      m_outDims[a] += in.dims[a];
    }
    GS_RETURN_IF_ERROR(prepareOutput(outputs, 0, m_outDims, ctx));
    const std::size_t elem = ir::dtypeSize(outputs[0].dtype);
    const int64_t outer = productOf(first, 0, a);
    const int64_t inner = productOf(first, a + 1, first.size()) * static_cast<int64_t>(elem);
    const int64_t outRow = m_outDims[a] * inner;
    auto* out = static_cast<std::byte*>(outputs[0].data);
    int64_t offset = 0;
    for (const auto& in : inputs) {
      const int64_t row = in.dims[a] * inner;
      if (row > 0 && outer > 0) copyRows(out + offset, outRow, static_cast<const std::byte*>(in.data), row, outer, row);
      offset += row;
    }
    return ok();
  }

private:
  int64_t m_axis;
  std::vector<int64_t> m_outDims;
};

class SplitKernel final : public BasicKernel {
public:
  SplitKernel(const CreateContext& c)
      : BasicKernel(c), m_axis(c.node.attrs.getInt("axis", 0)), m_attrSplit(c.node.attrs.getInts("split")) {}

  Status run(std::span<const TensorRef> inputs, std::span<TensorRef> outputs, RunContext& ctx) override {
    if (!hasInput(inputs, 0)) return fail("missing input");
    const TensorRef& x = inputs[0];
    const auto rank = static_cast<int64_t>(x.dims.size());
    GS_ASSIGN_OR_RETURN(const int64_t axis, normAxis(m_axis, rank));
    const auto a = static_cast<std::size_t>(axis);
    const int64_t len = x.dims[a];
    const auto n = static_cast<int64_t>(outputs.size());
    if (hasInput(inputs, 1)) {
      GS_RETURN_IF_ERROR(readInts(inputs[1], m_sizes));
    } else if (!m_attrSplit.empty()) {
      m_sizes = m_attrSplit;
    } else {
      if (n == 0) return fail("no outputs");
      const int64_t part = (len + n - 1) / n;
      m_sizes.assign(static_cast<std::size_t>(n), part);
      m_sizes.back() = len - part * (n - 1);
    }
    if (static_cast<int64_t>(m_sizes.size()) != n) return fail("split sizes do not match the output count");
    int64_t sum = 0;
    for (auto s : m_sizes) {
      if (s < 0) return fail("negative split size");
      sum += s;
    }
    if (sum != len) return fail("split sizes " + dimsString(m_sizes) + " do not add up to " + std::to_string(len));
    const std::size_t elem = ir::dtypeSize(x.dtype);
    const int64_t outer = productOf(x.dims, 0, a);
    const int64_t inner = productOf(x.dims, a + 1, x.dims.size()) * static_cast<int64_t>(elem);
    const auto* in = static_cast<const std::byte*>(x.data);
    int64_t offset = 0;
    m_outDims = x.dims;
    for (std::size_t k = 0; k < m_sizes.size(); ++k) {
      const int64_t row = m_sizes[k] * inner;
      if (hasOutput(outputs, k)) {
        m_outDims[a] = m_sizes[k];
        GS_RETURN_IF_ERROR(prepareOutput(outputs, k, m_outDims, ctx));
        if (row > 0 && outer > 0)
          copyRows(static_cast<std::byte*>(outputs[k].data), row, in + offset, len * inner, outer, row);
      }
      offset += row;
    }
    return ok();
  }

private:
  int64_t m_axis;
  std::vector<int64_t> m_attrSplit;
  std::vector<int64_t> m_sizes;
  std::vector<int64_t> m_outDims;
};

} // namespace

Expected<std::unique_ptr<Kernel>> createConcat(const CreateContext& c) {
  if (!supportsConcat(c.node, c.inputTypes)) return unsupported(c, "inputs must share one fixed-size type");
  return std::make_unique<ConcatKernel>(c);
}

bool supportsConcat(const ir::Node&, std::span<const ir::DataType> types) {
  if (types.empty() || !ir::isFixedSize(types[0])) return false;
  for (auto t : types)
    if (t != types[0]) return false;
  return true;
}

Expected<std::unique_ptr<Kernel>> createSplit(const CreateContext& c) {
  if (!supportsSplit(c.node, c.inputTypes))
    return unsupported(c, "no kernel for input type " + std::string(ir::dtypeName(inputType(c, 0))));
  return std::make_unique<SplitKernel>(c);
}

bool supportsSplit(const ir::Node&, std::span<const ir::DataType> types) {
  return !types.empty() && ir::isFixedSize(types[0]);
}

} // namespace gs::runtime::cpu::basic
