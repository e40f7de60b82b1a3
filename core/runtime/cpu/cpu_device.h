// The CPU device: kernels from the explicit tables of core/runtime/cpu/kernels (oneDNN where it fits,
// OpenMP for threads), run by the static and dynamic executors of core/runtime. Always present; the
// default device. Kernel creation and the OpenMP thread count are internal to it.
#pragma once

#include <memory>

#include "core/runtime/cpu/kernels/registry.h"
#include "core/runtime/device.h"

namespace gs::runtime::cpu {

class CpuDevice final : public Device {
public:
  // The device over `table` (the CPU's full table by default; tests give one with rows removed).
  explicit CpuDevice(KernelTable table = cpuKernelTable());

  std::string_view name() const override { return "cpu"; }
  std::vector<OpSupport> supportedOps() const override;
  bool supports(const ir::Node& node, int64_t opset, std::span<const ir::DataType> inputTypes,
                std::string* why = nullptr) const override;
  bool hasOp(std::string_view domain, std::string_view opType, int64_t opset) const override;
  Expected<std::unique_ptr<DeviceModel>> load(std::shared_ptr<const om::Model> model,
                                              const DeviceOptions& options) const override;
  // The cached FMA probe (core/runtime/cpu/peak_probe.h) times the threads.
  std::optional<PeakCompute> peakCompute(int threads) const override;

  const KernelTable& kernels() const { return *m_table; }

private:
  std::shared_ptr<const KernelTable> m_table;
};

const CpuDevice& cpuDevice();

// Checks that every node of every gear of the model (and of the dynamic graph, subgraph bodies
// included) has a kernel in `table` for its types; the error names the gear, the node and the op.
Status checkModelKernels(const KernelTable& table, const om::Model& model, std::string_view deviceName);

} // namespace gs::runtime::cpu
