// The CPU device over the kernel tables.
#include "core/runtime/cpu/cpu_device.h"

#include <algorithm>

#include "core/runtime/cpu/kernels/registry.h"
#include "core/runtime/host_model.h"

namespace gs::runtime::cpu {

bool CpuDevice::supports(const ir::Node& node, std::span<const ir::DataType> inputTypes) const {
  const auto* e = findKernel(node.domain, node.opType);
  if (!e || !e->create) return false;
  return !e->supports || e->supports(node, inputTypes);
}

std::vector<OpSupport> CpuDevice::supportedOps() const {
  std::vector<OpSupport> out;
  for (const auto& e : allKernels()) {
    const bool seen = std::any_of(out.begin(), out.end(),
                                  [&](const OpSupport& o) { return o.domain == e.domain && o.opType == e.opType; });
    if (!seen) out.push_back(OpSupport{std::string(e.domain), std::string(e.opType), std::string(e.dtypes)});
  }
  std::sort(out.begin(), out.end(), [](const OpSupport& a, const OpSupport& b) {
    return a.domain != b.domain ? a.domain < b.domain : a.opType < b.opType;
  });
  return out;
}

Expected<std::unique_ptr<Kernel>> CpuDevice::createKernel(const CreateContext& ctx) const {
  const auto* e = findKernel(ctx.node.domain, ctx.node.opType);
  if (!e || !e->create) return makeError(codes::kUnsupported, "no CPU kernel for op " + ctx.node.opType);
  return e->create(ctx);
}

Expected<std::unique_ptr<DeviceModel>> CpuDevice::load(std::shared_ptr<const om::Model> model,
                                                       const DeviceOptions& options) const {
  if (!model) return makeError(codes::kInvalid, "no model");
  return std::unique_ptr<DeviceModel>(std::make_unique<HostModel>(*this, std::move(model), options));
}

const CpuDevice& cpuDevice() {
  static const CpuDevice d;
  return d;
}

} // namespace gs::runtime::cpu
