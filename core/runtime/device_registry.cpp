// The explicit table of devices. An accelerator device is added to this list (and nowhere else).
#include <array>

#include "core/runtime/cpu/cpu_device.h"
#include "core/runtime/device.h"

namespace gs::runtime {

std::span<const Device* const> devices() {
  static const std::array<const Device*, 1> all{&cpu::cpuDevice()};
  return all;
}

const Device* findDevice(std::string_view name) {
  for (const auto* d : devices())
    if (d->name() == name) return d;
  return nullptr;
}

} // namespace gs::runtime
