// Loop: runs its body while the trip count and the condition allow; loop-carried values flow from one
// iteration to the next and scan outputs are stacked along a new first axis.
#include <limits>

#include "core/runtime/cpu/kernels/control/control.h"

namespace gs::runtime::cpu::control {
namespace {

class LoopKernel final : public Kernel {
public:
  explicit LoopKernel(std::shared_ptr<ir::Graph> body) : m_body(std::move(body)) {}

  Status run(std::span<const TensorRef> inputs, std::span<TensorRef> outputs, RunContext& ctx) override {
    if (!ctx.subgraphs) return makeError(codes::kInternal, "Loop: no subgraph runner");
    if (inputs.size() < 2) return makeError(codes::kInvalid, "Loop takes M, cond and loop-carried values");
    int64_t trips = std::numeric_limits<int64_t>::max();
    if (inputs[0].present()) {
      GS_ASSIGN_OR_RETURN(trips, readInt(inputs[0], "Loop trip count M"));
    }
    bool cond = true;
    if (inputs[1].present()) {
      GS_ASSIGN_OR_RETURN(cond, readBool(inputs[1], "Loop condition"));
    }
    const std::size_t carried = inputs.size() - 2;
    if (outputs.size() < carried) return makeError(codes::kInvalid, "Loop has fewer outputs than loop-carried values");
    const std::size_t scans = outputs.size() - carried;
    if (m_body->outputs.size() != 1 + carried + scans)
      return makeError(codes::kInvalid, "Loop body has " + std::to_string(m_body->outputs.size()) +
                                            " outputs; expected 1 + " + std::to_string(carried) + " + " +
                                            std::to_string(scans));

    std::vector<HostTensor> state;
    for (std::size_t j = 0; j < carried; ++j)
      state.push_back(copyOf(inputs[2 + j]));
    std::vector<std::vector<HostTensor>> scanSlices(scans);
    HostTensor iter(ir::DataType::Int64, {});
    HostTensor condT(ir::DataType::Bool, {});
    std::vector<TensorRef> bodyIn(2 + carried);
    for (int64_t i = 0; i < trips && cond; ++i) {
      *iter.as<int64_t>() = i;
      *condT.as<uint8_t>() = 1;
      bodyIn[0] = iter.ref();
      bodyIn[1] = condT.ref();
      for (std::size_t j = 0; j < carried; ++j)
        bodyIn[2 + j] = state[j].ref();
      GS_ASSIGN_OR_RETURN(auto outs, ctx.subgraphs->run(*m_body, bodyIn));
      GS_ASSIGN_OR_RETURN(cond, readBool(outs[0].ref(), "Loop body condition"));
      for (std::size_t j = 0; j < carried; ++j)
        state[j] = std::move(outs[1 + j]);
      for (std::size_t k = 0; k < scans; ++k)
        scanSlices[k].push_back(std::move(outs[1 + carried + k]));
    }

    for (std::size_t j = 0; j < carried; ++j)
      GS_RETURN_IF_ERROR(emitOutput(ctx, outputs, j, state[j]));
    for (std::size_t k = 0; k < scans; ++k) {
      const auto& slices = scanSlices[k];
      std::vector<int64_t> dims{static_cast<int64_t>(slices.size())};
      ir::DataType dtype = outputs[carried + k].dtype;
      if (!slices.empty()) {
        dims.insert(dims.end(), slices[0].dims().begin(), slices[0].dims().end());
        dtype = slices[0].dtype();
      } else if (const auto& shape = m_body->values[static_cast<std::size_t>(m_body->outputs[1 + carried + k])].shape;
                 shape.isStatic()) {
        const auto v = *shape.values();
        dims.insert(dims.end(), v.begin(), v.end());
      }
      HostTensor stacked(dtype, dims);
      for (std::size_t i = 0; i < slices.size(); ++i) {
        if (slices[i].dims() != slices[0].dims())
          return makeError(codes::kRuntime,
                           "Loop scan output " + std::to_string(k) + " changes shape between iterations");
        placeAt(stacked, 0, static_cast<int64_t>(i), slices[i]);
      }
      GS_RETURN_IF_ERROR(emitOutput(ctx, outputs, carried + k, stacked));
    }
    return ok();
  }

private:
  std::shared_ptr<ir::Graph> m_body;
};

} // namespace

Expected<std::unique_ptr<Kernel>> createLoop(const CreateContext& ctx) {
  auto body = ctx.node.attrs.getGraph("body");
  if (!body) return makeError(codes::kInvalid, "Loop needs a body");
  return std::unique_ptr<Kernel>(std::make_unique<LoopKernel>(std::move(body)));
}

} // namespace gs::runtime::cpu::control
