// Control-flow kernels (If, Loop, Scan) and the helpers they share: they run their bodies through
// RunContext::subgraphs and hand results to the node's outputs (preallocated or allocated in run()).
#pragma once

#include <span>

#include "core/runtime/cpu/kernel.h"

namespace gs::runtime::cpu::control {

Expected<std::unique_ptr<Kernel>> createIf(const CreateContext& ctx);
Expected<std::unique_ptr<Kernel>> createLoop(const CreateContext& ctx);
Expected<std::unique_ptr<Kernel>> createScan(const CreateContext& ctx);

// Writes `t` to output i: into its preallocated buffer (shapes must agree) or a fresh allocation.
Status emitOutput(RunContext& ctx, std::span<TensorRef> outputs, std::size_t i, const HostTensor& t);
// A copy of a run-time tensor.
HostTensor copyOf(const TensorRef& r);
// Scalar reads with type checks (bool or numeric, first element).
Expected<bool> readBool(const TensorRef& r, const char* what);
Expected<int64_t> readInt(const TensorRef& r, const char* what);
// out-of-range slice/stack helpers: the tensor without `axis` at `index`, and the reverse.
HostTensor sliceAt(const TensorRef& t, std::size_t axis, int64_t index);
void placeAt(HostTensor& dst, std::size_t axis, int64_t index, const HostTensor& slice);

} // namespace gs::runtime::cpu::control
