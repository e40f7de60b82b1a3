// Scan (opset 9+): iterates its body over slices of the scan inputs along their scan axes, carrying
// state, and stacks the per-iteration scan outputs along the output axes.
#include "core/runtime/cpu/kernels/control/control.h"

namespace gs::runtime::cpu::control {
namespace {

class ScanKernel final : public Kernel {
public:
  ScanKernel(std::shared_ptr<ir::Graph> body, std::size_t numScanInputs, std::vector<int64_t> inAxes,
             std::vector<int64_t> inDirs, std::vector<int64_t> outAxes, std::vector<int64_t> outDirs)
      : m_body(std::move(body)), m_numScan(numScanInputs), m_inAxes(std::move(inAxes)), m_inDirs(std::move(inDirs)),
        m_outAxes(std::move(outAxes)), m_outDirs(std::move(outDirs)) {}

  Status run(std::span<const TensorRef> inputs, std::span<TensorRef> outputs, RunContext& ctx) override {
    if (!ctx.subgraphs) return makeError(codes::kInternal, "Scan: no subgraph runner");
    if (inputs.size() < m_numScan) return makeError(codes::kInvalid, "Scan has fewer inputs than num_scan_inputs");
    const std::size_t states = inputs.size() - m_numScan;
    if (outputs.size() < states) return makeError(codes::kInvalid, "Scan has fewer outputs than state values");
    const std::size_t scanOuts = outputs.size() - states;

    // Sequence length and normalised axes of the scan inputs.
    int64_t len = -1;
    std::vector<std::size_t> axes(m_numScan);
    for (std::size_t j = 0; j < m_numScan; ++j) {
      const auto& t = inputs[states + j];
      int64_t a = j < m_inAxes.size() ? m_inAxes[j] : 0;
      const auto rank = static_cast<int64_t>(t.dims.size());
      if (a < 0) a += rank;
      if (a < 0 || a >= rank) return makeError(codes::kInvalid, "Scan: scan_input_axes out of range");
      axes[j] = static_cast<std::size_t>(a);
      const int64_t l = t.dims[axes[j]];
      if (len >= 0 && l != len) return makeError(codes::kRuntime, "Scan: scan inputs differ in sequence length");
      len = l;
    }
    if (len < 0) len = 0;

    std::vector<HostTensor> state;
    for (std::size_t j = 0; j < states; ++j)
      state.push_back(copyOf(inputs[j]));
    std::vector<std::vector<HostTensor>> slicesOut(scanOuts);
    std::vector<HostTensor> slicesIn(m_numScan);
    std::vector<TensorRef> bodyIn(states + m_numScan);
    for (int64_t t = 0; t < len; ++t) {
      for (std::size_t j = 0; j < m_numScan; ++j) {
        const bool reverse = j < m_inDirs.size() && m_inDirs[j] == 1;
        slicesIn[j] = sliceAt(inputs[states + j], axes[j], reverse ? len - 1 - t : t);
      }
      for (std::size_t j = 0; j < states; ++j)
        bodyIn[j] = state[j].ref();
      for (std::size_t j = 0; j < m_numScan; ++j)
        bodyIn[states + j] = slicesIn[j].ref();
      GS_ASSIGN_OR_RETURN(auto outs, ctx.subgraphs->run(*m_body, bodyIn));
      if (outs.size() != states + scanOuts)
        return makeError(codes::kInvalid, "Scan body yields " + std::to_string(outs.size()) + " outputs, expected " +
                                              std::to_string(states + scanOuts));
      for (std::size_t j = 0; j < states; ++j)
        state[j] = std::move(outs[j]);
      for (std::size_t k = 0; k < scanOuts; ++k)
        slicesOut[k].push_back(std::move(outs[states + k]));
    }

    for (std::size_t j = 0; j < states; ++j)
      GS_RETURN_IF_ERROR(emitOutput(ctx, outputs, j, state[j]));
    for (std::size_t k = 0; k < scanOuts; ++k) {
      const auto& sl = slicesOut[k];
      if (sl.empty()) {
        GS_RETURN_IF_ERROR(emitOutput(ctx, outputs, states + k, HostTensor(outputs[states + k].dtype, {0})));
        continue;
      }
      const auto sliceRank = static_cast<int64_t>(sl[0].dims().size());
      int64_t a = k < m_outAxes.size() ? m_outAxes[k] : 0;
      if (a < 0) a += sliceRank + 1;
      if (a < 0 || a > sliceRank) return makeError(codes::kInvalid, "Scan: scan_output_axes out of range");
      std::vector<int64_t> dims = sl[0].dims();
      dims.insert(dims.begin() + a, len);
      HostTensor stacked(sl[0].dtype(), dims);
      const bool reverse = k < m_outDirs.size() && m_outDirs[k] == 1;
      for (int64_t t = 0; t < len; ++t) {
        if (sl[static_cast<std::size_t>(t)].dims() != sl[0].dims())
          return makeError(codes::kRuntime, "Scan output " + std::to_string(k) + " changes shape between iterations");
        placeAt(stacked, static_cast<std::size_t>(a), reverse ? len - 1 - t : t, sl[static_cast<std::size_t>(t)]);
      }
      GS_RETURN_IF_ERROR(emitOutput(ctx, outputs, states + k, stacked));
    }
    return ok();
  }

private:
  std::shared_ptr<ir::Graph> m_body;
  std::size_t m_numScan;
  std::vector<int64_t> m_inAxes, m_inDirs, m_outAxes, m_outDirs;
};

} // namespace

Expected<std::unique_ptr<Kernel>> createScan(const CreateContext& ctx) {
  if (ctx.opset > 0 && ctx.opset < 9)
    return makeError(codes::kUnsupported, "Scan before opset 9 (batched form with sequence_lens) is not supported");
  auto body = ctx.node.attrs.getGraph("body");
  if (!body) return makeError(codes::kInvalid, "Scan needs a body");
  const auto n = ctx.node.attrs.getInt("num_scan_inputs", -1);
  if (n < 1 || static_cast<std::size_t>(n) > ctx.inputTypes.size())
    return makeError(codes::kInvalid, "Scan: num_scan_inputs must be between 1 and the input count");
  return std::unique_ptr<Kernel>(std::make_unique<ScanKernel>(
      std::move(body), static_cast<std::size_t>(n), ctx.node.attrs.getInts("scan_input_axes"),
      ctx.node.attrs.getInts("scan_input_directions"), ctx.node.attrs.getInts("scan_output_axes"),
      ctx.node.attrs.getInts("scan_output_directions")));
}

} // namespace gs::runtime::cpu::control
