// A model loaded on a device that runs the kernel interface of core/runtime/cpu/kernel.h (the CPU
// device today): owns what every gear shares — the WeightCache (weights packed once for all gears),
// the one arena sized by the largest gear, the workspace buffer and the pool of dynamic execution —
// and prepares static plans (gears) or the dynamic plan.
#pragma once

#include <memory>

#include "core/runtime/arena.h"
#include "core/runtime/device.h"

namespace gs::runtime {

class HostModel final : public DeviceModel {
public:
  HostModel(const Device& device, std::shared_ptr<const om::Model> model, const DeviceOptions& options);
  Expected<std::unique_ptr<Plan>> prepare(int gear) override;
  MemoryUse memory() const override;

private:
  const Device& m_device;
  std::shared_ptr<const om::Model> m_model;
  DeviceOptions m_options;
  cpu::WeightCache m_weights;
  Arena m_arena;
  Arena m_workspace;
  PoolAllocator m_pool;
};

} // namespace gs::runtime
