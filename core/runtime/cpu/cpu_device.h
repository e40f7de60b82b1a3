// The CPU device: kernels from the explicit tables of core/runtime/cpu/kernels (oneDNN where it fits,
// OpenMP for threads). Always present; the default device.
#pragma once

#include "core/runtime/device.h"

namespace gs::runtime::cpu {

class CpuDevice final : public Device {
public:
  std::string_view name() const override { return "cpu"; }
  bool supports(const ir::Node& node, std::span<const ir::DataType> inputTypes) const override;
  std::vector<OpSupport> supportedOps() const override;
  Expected<std::unique_ptr<Kernel>> createKernel(const CreateContext& ctx) const override;
  Expected<std::unique_ptr<DeviceModel>> load(std::shared_ptr<const om::Model> model,
                                              const DeviceOptions& options) const override;
};

const CpuDevice& cpuDevice();

} // namespace gs::runtime::cpu
