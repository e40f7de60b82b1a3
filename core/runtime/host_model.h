// A model loaded on the CPU device (kernels of core/runtime/cpu/kernel.h from its KernelTable): owns
// what every gear shares — the WeightCache (weights packed once for all gears), the one arena sized by
// the largest gear, the workspace buffer and the pool of dynamic execution — and prepares static plans
// (gears) or the dynamic plan. Prepare and every run use the device's thread count (DeviceOptions),
// set for the call and restored after it.
#pragma once

#include <memory>

#include "core/runtime/arena.h"
#include "core/runtime/cpu/kernels/registry.h"
#include "core/runtime/device.h"

namespace gs::runtime {

class HostModel final : public DeviceModel {
public:
  HostModel(std::shared_ptr<const cpu::KernelTable> kernels, std::string_view deviceName,
            std::shared_ptr<const om::Model> model, const DeviceOptions& options);
  Expected<std::unique_ptr<Plan>> prepare(int gear) override;
  MemoryUse memory() const override;

private:
  std::shared_ptr<const cpu::KernelTable> m_kernels;
  std::string_view m_deviceName;
  std::shared_ptr<const om::Model> m_model;
  DeviceOptions m_options;
  cpu::WeightCache m_weights;
  Arena m_arena;
  Arena m_workspace;
  PoolAllocator m_pool;
};

} // namespace gs::runtime
