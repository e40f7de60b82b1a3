// Helpers shared by the control-flow kernels, and their table.
#include <cstring>

#include "core/runtime/cpu/kernels/control/control.h"
#include "core/runtime/cpu/kernels/registry.h"

namespace gs::runtime::cpu {
namespace control {

HostTensor copyOf(const TensorRef& r) {
  HostTensor h(r.dtype, r.dims);
  if (h.byteSize()) std::memcpy(h.data(), r.data, h.byteSize());
  return h;
}

Status emitOutput(RunContext& ctx, std::span<TensorRef> outputs, std::size_t i, const HostTensor& t) {
  if (i >= outputs.size()) return makeError(codes::kInternal, "output index " + std::to_string(i) + " out of range");
  auto& o = outputs[i];
  if (!o.present()) return ok(); // omitted optional output
  if (o.dtype != t.dtype())
    return makeError(codes::kRuntime, "output " + std::to_string(i) + ": the body produced " +
                                          std::string(ir::dtypeName(t.dtype())) + ", the node declares " +
                                          std::string(ir::dtypeName(o.dtype)));
  if (!o.data) {
    GS_ASSIGN_OR_RETURN(auto r, ctx.allocateOutput(i, t.dims()));
    o = r;
  } else if (o.dims != t.dims()) {
    return makeError(codes::kRuntime, "output " + std::to_string(i) +
                                          ": the body produced a shape other than the "
                                          "planned one");
  }
  if (t.byteSize()) std::memcpy(o.data, t.data(), t.byteSize());
  return ok();
}

Expected<bool> readBool(const TensorRef& r, const char* what) {
  if (!r.present() || !r.data || r.numel() < 1) return makeError(codes::kRuntime, std::string(what) + " is empty");
  switch (r.dtype) {
  case ir::DataType::Bool:
  case ir::DataType::UInt8:
  case ir::DataType::Int8:
    return *static_cast<const uint8_t*>(r.data) != 0;
  case ir::DataType::Int64:
    return *static_cast<const int64_t*>(r.data) != 0;
  case ir::DataType::Int32:
    return *static_cast<const int32_t*>(r.data) != 0;
  case ir::DataType::Float32:
    return *static_cast<const float*>(r.data) != 0.0f;
  default:
    return makeError(codes::kRuntime,
                     std::string(what) + " has unsupported type " + std::string(ir::dtypeName(r.dtype)));
  }
}

Expected<int64_t> readInt(const TensorRef& r, const char* what) {
  if (!r.present() || !r.data || r.numel() < 1) return makeError(codes::kRuntime, std::string(what) + " is empty");
  switch (r.dtype) {
  case ir::DataType::Int64:
    return *static_cast<const int64_t*>(r.data);
  case ir::DataType::Int32:
    return *static_cast<const int32_t*>(r.data);
  default:
    return makeError(codes::kRuntime, std::string(what) + " must be int64, got " + std::string(ir::dtypeName(r.dtype)));
  }
}

// Splits dims around `axis`: outer = product before, inner = product after (times element size).
static void split(const std::vector<int64_t>& dims, std::size_t axis, std::size_t es, std::size_t& outer,
                  std::size_t& inner) {
  outer = 1;
  inner = es;
  for (std::size_t d = 0; d < axis; ++d)
    outer *= static_cast<std::size_t>(dims[d]);
  for (std::size_t d = axis + 1; d < dims.size(); ++d)
    inner *= static_cast<std::size_t>(dims[d]);
}

HostTensor sliceAt(const TensorRef& t, std::size_t axis, int64_t index) {
  std::vector<int64_t> dims = t.dims;
  const auto len = static_cast<std::size_t>(dims[axis]);
  dims.erase(dims.begin() + static_cast<std::ptrdiff_t>(axis));
  HostTensor out(t.dtype, dims);
  std::size_t outer, inner;
  split(t.dims, axis, ir::dtypeSize(t.dtype), outer, inner);
  const auto* src = static_cast<const std::byte*>(t.data);
  auto* dst = static_cast<std::byte*>(out.data());
  for (std::size_t o = 0; o < outer; ++o)
    std::memcpy(dst + o * inner, src + (o * len + static_cast<std::size_t>(index)) * inner, inner);
  return out;
}

void placeAt(HostTensor& dst, std::size_t axis, int64_t index, const HostTensor& slice) {
  std::size_t outer, inner;
  split(dst.dims(), axis, ir::dtypeSize(dst.dtype()), outer, inner);
  const auto len = static_cast<std::size_t>(dst.dims()[axis]);
  const auto* src = static_cast<const std::byte*>(slice.data());
  auto* d = static_cast<std::byte*>(dst.data());
  for (std::size_t o = 0; o < outer; ++o)
    std::memcpy(d + (o * len + static_cast<std::size_t>(index)) * inner, src + o * inner, inner);
}

} // namespace control

std::span<const KernelEntry> controlFlowKernels() {
  static const KernelEntry table[] = {
      {"", "If", control::createIf, nullptr, ir::DtypeSet{ir::DataType::Bool}, "outputs any type"},
      {"", "Loop", control::createLoop, nullptr, ir::DtypeSet::any(), "M int64 (optional), cond bool"},
      // Scan before opset 9 (batched, with sequence_lens) has no kernel.
      {"", "Scan", control::createScan, nullptr, ir::DtypeSet::any(), "", 9},
  };
  return table;
}

} // namespace gs::runtime::cpu
