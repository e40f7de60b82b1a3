// MaxUnpool (opset 9/11): scatters X into a zero tensor at MaxPool's flat indices I (indices into the
// whole unpooled tensor, [0, N*C*D1*...)) of the inferred shape (in - 1) * stride + kernel -
// pad_begin - pad_end per spatial dim; a larger output_shape (input 2) pads that result.
#include <cstring>

#include "core/runtime/cpu/kernels/basic/common.h"
#include "core/runtime/cpu/kernels/basic/dispatch.h"
#include "core/runtime/cpu/kernels/basic/kernels.h"

namespace gs::runtime::cpu::basic {
namespace {

class MaxUnpoolKernel final : public BasicKernel {
public:
  MaxUnpoolKernel(const CreateContext& c)
      : BasicKernel(c), m_kernel(c.node.attrs.getInts("kernel_shape")), m_pads(c.node.attrs.getInts("pads")),
        m_strides(c.node.attrs.getInts("strides")) {}

  Status run(std::span<const TensorRef> inputs, std::span<TensorRef> outputs, RunContext& ctx) override {
    if (!hasInput(inputs, 0) || !hasInput(inputs, 1)) return fail("expects X and I");
    const TensorRef &x = inputs[0], &idx = inputs[1];
    if (idx.dims != x.dims) return fail("I must have X's shape " + dimsString(x.dims));
    const std::size_t spatial = x.dims.size() < 2 ? 0 : x.dims.size() - 2;
    if (spatial == 0 || m_kernel.size() != spatial) return fail("kernel_shape must name every spatial dim of X");
    // The indices address the inferred shape; a larger output_shape pads it (ONNX Runtime's rule:
    // floor(total / 2) before, the rest after, per spatial dim).
    std::vector<int64_t> inferred = x.dims;
    for (std::size_t d = 0; d < spatial; ++d) {
      const int64_t s = d < m_strides.size() ? m_strides[d] : 1;
      const int64_t pb = d < m_pads.size() ? m_pads[d] : 0;
      const int64_t pe = d + spatial < m_pads.size() ? m_pads[d + spatial] : 0;
      inferred[d + 2] = (x.dims[d + 2] - 1) * s + m_kernel[d] - pb - pe;
    }
    std::vector<int64_t> outDims = inferred;
    if (hasInput(inputs, 2)) {
      GS_RETURN_IF_ERROR(readInts(inputs[2], outDims));
      if (outDims.size() != x.dims.size()) return fail("output_shape must have X's rank");
      for (std::size_t d = 0; d < outDims.size(); ++d)
        if (d < 2 ? outDims[d] != inferred[d] : outDims[d] < inferred[d])
          return fail("output_shape " + dimsString(outDims) + " is smaller than the unpooled shape " +
                      dimsString(inferred));
    }
    for (auto d : inferred)
      if (d < 0) return fail("negative output dim " + dimsString(inferred));
    GS_RETURN_IF_ERROR(prepareOutput(outputs, 0, outDims, ctx));
    TensorRef& y = outputs[0];
    std::memset(y.data, 0, y.byteSize());
    std::vector<int64_t> at;
    GS_RETURN_IF_ERROR(readInts(idx, at));
    const int64_t total = productOf(inferred);
    const auto rank = inferred.size();
    for (auto& i : at) {
      if (i < 0 || i >= total) return fail("index " + std::to_string(i) + " is outside the output");
      // Inferred-shape coordinates -> output offset.
      int64_t rem = i, off = 0, stride = 1;
      for (std::size_t d = rank; d-- > 0;) {
        const int64_t c = rem % inferred[d];
        rem /= inferred[d];
        const int64_t head = d < 2 ? 0 : (outDims[d] - inferred[d]) / 2;
        off += (c + head) * stride;
        stride *= outDims[d];
      }
      i = off;
    }
    visitBySize(ir::dtypeSize(x.dtype), [&](auto tag) {
      using T = decltype(tag);
      const T* in = x.as<const T>();
      T* out = y.as<T>();
      for (std::size_t k = 0; k < at.size(); ++k)
        out[at[k]] = in[k];
    });
    return ok();
  }

private:
  std::vector<int64_t> m_kernel, m_pads, m_strides;
};

} // namespace

Expected<std::unique_ptr<Kernel>> createMaxUnpool(const CreateContext& c) {
  if (!supportsMaxUnpool(c.node, c.inputTypes)) return unsupported(c, "expects float X and int64 I");
  return std::make_unique<MaxUnpoolKernel>(c);
}

bool supportsMaxUnpool(const ir::Node&, std::span<const ir::DataType> types) {
  return types.size() >= 2 && (types[0] == ir::DataType::Float32 || types[0] == ir::DataType::Float64) &&
         types[1] == ir::DataType::Int64;
}

} // namespace gs::runtime::cpu::basic
