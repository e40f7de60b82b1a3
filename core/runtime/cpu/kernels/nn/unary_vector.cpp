// Float32 unary math ops on VectorEltwise (see unary_vector.h).
#include "core/runtime/cpu/kernels/nn/unary_vector.h"

#include "core/runtime/cpu/kernels/nn/eltwise.h"
#include "core/runtime/cpu/kernels/nn/nn_common.h"

namespace gs::runtime::cpu::nn {

namespace {

class VectorUnaryKernel final : public Kernel {
public:
  VectorUnaryKernel(const ir::Node& node, VectorEltwise::Fn fn) : m_node(node), m_eltwise(fn) {}

  Status run(std::span<const TensorRef> inputs, std::span<TensorRef> outputs, RunContext& ctx) override {
    if (inputs.empty() || !inputs[0].present() || outputs.empty())
      return std::unexpected(kernelError(m_node, "missing input or output"));
    const TensorRef& x = inputs[0];
    TensorRef& y = outputs[0];
    const int64_t n = x.numel();
    const bool sameDims = y.dims == x.dims;
    if (y.data || (sameDims && n == 0 && !y.dims.empty())) {
      if (!sameDims) return std::unexpected(kernelError(m_node, "output dims differ from the input's"));
    } else {
      // Dynamic mode (or an output the executor left unallocated): the buffer comes from the allocator.
      if (!ctx.allocateOutput) return std::unexpected(kernelError(m_node, "output has no buffer and no allocator"));
      auto r = ctx.allocateOutput(0, x.dims);
      if (!r) return std::unexpected(std::move(r.error()));
      y = std::move(*r);
    }
    if (auto st = m_eltwise.run(inputs[0].as<const float>(), outputs[0].as<float>(), n); !st)
      return std::unexpected(kernelError(m_node, st.error().message));
    return ok();
  }

private:
  ir::Node m_node;
  VectorEltwise m_eltwise;
};

} // namespace

Expected<std::unique_ptr<Kernel>> createVectorUnary(const CreateContext& ctx) {
  VectorEltwise::Fn fn;
  if (!VectorEltwise::forOp(ctx.node.opType, fn))
    return std::unexpected(kernelError(ctx.node, "not a vectorised unary op", codes::kInternal));
  return std::unique_ptr<Kernel>(std::make_unique<VectorUnaryKernel>(ctx.node, fn));
}

bool supportsVectorUnary(const ir::Node& node, std::span<const ir::DataType> inputTypes) {
  VectorEltwise::Fn fn;
  return VectorEltwise::forOp(node.opType, fn) && !inputTypes.empty() && inputTypes[0] == ir::DataType::Float32;
}

} // namespace gs::runtime::cpu::nn
