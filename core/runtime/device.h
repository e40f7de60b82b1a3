// Where a plan runs. A Device says which ops and dtypes it runs and makes kernels for them (the
// create -> reshape -> run interface of core/runtime/cpu/kernel.h); load() puts a model on the device:
// the returned DeviceModel owns what every gear shares (packed weights, the one arena, the
// workspace) and prepares one Plan per gear. Devices are listed in an explicit table (devices()), so
// an accelerator is added there without touching the executors.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/status.h"
#include "core/ir/graph.h"
#include "core/om/model.h"
#include "core/runtime/cpu/kernel.h"
#include "core/runtime/tensor.h"

namespace gs::runtime {

// prepare(kDynamicGear) prepares om::Model::dynamic (fully dynamic shape mode).
inline constexpr int kDynamicGear = -1;

// A node of a plan, in execution order (names for the per-op profile).
struct PlanNode {
  std::string name;
  std::string opType;
};

// One prepared gear (or the dynamic graph): runs with inputs already matched to it.
class Plan {
public:
  virtual ~Plan() = default;
  // inputs in graph input order. outputs: entries whose dtype and dims already match are reused
  // (no allocation), others are replaced. nodeMillis (size nodes().size(), or null) accumulates the
  // wall time of each node.
  virtual Status run(std::span<const HostTensor> inputs, std::vector<HostTensor>& outputs, double* nodeMillis) = 0;
  virtual std::span<const PlanNode> nodes() const = 0;
  // Kernel workspace this plan needs (the model's workspace buffer is the max over its plans).
  virtual std::size_t workspaceBytes() const = 0;
};

struct MemoryUse {
  uint64_t constantBytes = 0;     // distinct constant data of the model (om::Model::weightBytes)
  uint64_t packedWeightBytes = 0; // kernel-packed copies of weights (WeightCache)
  uint64_t arenaBytes = 0;        // the one activation arena
  uint64_t workspaceBytes = 0;    // the kernel workspace buffer
  uint64_t dynamicBytes = 0;      // pool blocks made by dynamic execution so far
};

class DeviceModel {
public:
  virtual ~DeviceModel() = default;
  // Binds kernels and memory for one gear index (or kDynamicGear). Call once per gear.
  virtual Expected<std::unique_ptr<Plan>> prepare(int gear) = 0;
  virtual MemoryUse memory() const = 0;
};

struct DeviceOptions {
  int threads = 0; // 0: the OpenMP default
};

// One supported op for listings (--list-ops).
struct OpSupport {
  std::string domain;
  std::string opType;
  std::string dtypes;
};

class Device {
public:
  virtual ~Device() = default;
  virtual std::string_view name() const = 0;
  // Whether this device runs `node` with these input types (Undefined for omitted inputs).
  virtual bool supports(const ir::Node& node, std::span<const ir::DataType> inputTypes) const = 0;
  virtual std::vector<OpSupport> supportedOps() const = 0;
  // Makes the kernel of one node; the caller has checked supports().
  virtual Expected<std::unique_ptr<cpu::Kernel>> createKernel(const cpu::CreateContext& ctx) const = 0;
  virtual Expected<std::unique_ptr<DeviceModel>> load(std::shared_ptr<const om::Model> model,
                                                      const DeviceOptions& options) const = 0;
};

// Every device of this build, the CPU first (always present).
std::span<const Device* const> devices();
// The device called `name`, or null.
const Device* findDevice(std::string_view name);

} // namespace gs::runtime
