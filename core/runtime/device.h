// Where a plan runs: the interface a runtime sees of a device (the CPU today; a GPU or NPU backend
// implements the same, see "Adding a device" in docs/architecture.md). A Device says which ops it
// runs, with which input types and opsets (supportedOps() and supports() read one table), and loads
// a model: load() refuses a model with a node the device has no kernel for, naming the node and op.
// The DeviceModel it returns owns what every gear shares on that device (weights, activation memory,
// workspace) and prepares one Plan per gear. How kernels are made, and the thread pool, are the
// device's own business (the CPU's: core/runtime/cpu/). Devices are listed in devices().
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/status.h"
#include "core/ir/dtype.h"
#include "core/ir/graph.h"
#include "core/om/model.h"
#include "core/runtime/observer.h"
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
  // Calls `observer` after every node of the following runs (null: stop). The observer must outlive
  // those runs. false: this plan cannot show its nodes' outputs (the default for a device that does
  // not implement it); Session::run then refuses a run that asks for an observer.
  virtual bool setObserver(const NodeObserver* observer) { return observer == nullptr; }
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
  // Worker threads of the device (the CPU: OpenMP threads for prepare and every run, set for that
  // call and restored after it, so the caller's own setting is left as it was). 0: the default.
  int threads = 0;
};

// One row of a device's op table: what --list-ops prints and what supports() reads.
struct OpSupport {
  std::string domain; // "" for ai.onnx
  std::string opType;
  int sinceVersion = 1; // opsets of the op's domain: [sinceVersion, untilVersion]; untilVersion 0: open
  int untilVersion = 0;
  ir::DtypeSet types; // element types of input 0
  std::string note;   // the other inputs' types
};

// A device's compute ceiling, for rooflines.
struct PeakCompute {
  double gflops = 0; // float32 GFLOP/s with the given worker count
  std::string isa;   // what it was measured on ("avx512", ...)
};

class Device {
public:
  virtual ~Device() = default;
  virtual std::string_view name() const = 0;
  // Every op this device runs, in table order.
  virtual std::vector<OpSupport> supportedOps() const = 0;
  // Whether this device runs `node` at the model's (default-domain) `opset` with these input types
  // (Undefined for omitted inputs). When not and `why` is given, it says what is missing.
  virtual bool supports(const ir::Node& node, int64_t opset, std::span<const ir::DataType> inputTypes,
                        std::string* why = nullptr) const = 0;
  // Whether some kernel implements (domain, opType) at `opset`, whatever the types (the compiler's
  // target check: which fused ops and layouts this device has).
  virtual bool hasOp(std::string_view domain, std::string_view opType, int64_t opset) const = 0;
  // Puts a model on the device. codes::kUnsupported, naming the gear, node and op, when some node of
  // the model has no kernel here.
  virtual Expected<std::unique_ptr<DeviceModel>> load(std::shared_ptr<const om::Model> model,
                                                      const DeviceOptions& options) const = 0;
  // The peak with `threads` workers (0: the device's default), when the device knows one.
  virtual std::optional<PeakCompute> peakCompute(int threads) const {
    (void)threads;
    return std::nullopt;
  }
};

// Every device of this build, the CPU first (always present). An accelerator's Device is added to
// this list; its executors and kernels live behind its own load()/prepare().
std::span<const Device* const> devices();
// The device called `name`, or null.
const Device* findDevice(std::string_view name);

} // namespace gs::runtime
