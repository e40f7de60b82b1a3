// The runtime's front door: a Session loads an om::Model on a device, prepares every gear once
// (static "sink" plans sharing one arena and the packed weights) or the dynamic-shape graph, and
// runs inputs. Gear choice follows Ascend: the inputs must match one gear exactly (or the chosen
// gear); a mismatch is an error listing the gears. One run at a time per Session (run() serialises).
#pragma once

#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "core/common/status.h"
#include "core/om/model.h"
#include "core/runtime/device.h"
#include "core/runtime/profiler.h"
#include "core/runtime/tensor.h"

namespace gs::runtime {

struct SessionOptions {
  std::string device = "cpu";
  int threads = 0; // the device's worker threads (DeviceOptions::threads; 0: its default)
};

struct RunOptions {
  int gear = -1;        // -1: the gear whose input shapes match the inputs
  bool profile = false; // fill RunResult::opTimes
  // Called after every node of this run with its outputs (core/runtime/observer.h); null: none.
  // Errors: codes::kUnsupported when the device's plan cannot observe its nodes.
  const NodeObserver* observer = nullptr;
};

struct RunResult {
  std::vector<HostTensor> outputs; // graph output order, with the gear's shapes
  int gear = -1;                   // the gear that ran (-1 for a dynamic-shape model)
  double millis = 0;               // wall time of the plan's run (inputs in to outputs out)
  std::vector<OpTime> opTimes;     // per node in execution order, when profiling
};

class Session {
public:
  static Expected<std::unique_ptr<Session>> create(std::shared_ptr<const om::Model> model,
                                                   const SessionOptions& options = {});
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  const om::Model& model() const { return *m_model; }
  const Device& device() const { return *m_device; }
  const SessionOptions& options() const { return m_options; }
  bool isDynamic() const { return m_model->gears.empty(); }
  int gearCount() const { return static_cast<int>(m_model->gears.size()); }
  // The gear that runs when nothing is chosen: the one with the most input elements (ATC: largest).
  int largestGear() const;
  // Gear whose input dims equal `inputDims` (graph input order); the error lists every gear.
  Expected<int> matchGear(std::span<const std::vector<int64_t>> inputDims) const;
  // "x:1,3,32,32; y:1,10" for gear `gear`.
  std::string describeGear(int gear) const;
  // Input descriptions (names, dtypes, dims; dims of -1 unbounded for dynamic models use ranges).
  std::vector<om::TensorDesc> inputDescs(int gear) const;
  std::vector<om::TensorDesc> outputDescs(int gear) const;

  Expected<RunResult> run(std::span<const HostTensor> inputs, const RunOptions& options = {});
  // Same, reusing result's output buffers when their shapes match (no allocation in steady state).
  Status run(std::span<const HostTensor> inputs, RunResult& result, const RunOptions& options = {});

  double loadMillis() const { return m_loadMillis; }
  MemoryUse memory() const;
  // The kernel workspace of one gear (or of the dynamic plan with gear -1).
  std::size_t workspaceBytes(int gear) const;

private:
  Session() = default;
  Status checkInputs(std::span<const HostTensor> inputs, int gear) const;
  int findGear(std::span<const HostTensor> inputs) const; // -1: none matches

  std::shared_ptr<const om::Model> m_model;
  const Device* m_device = nullptr;
  SessionOptions m_options;
  std::unique_ptr<DeviceModel> m_deviceModel;
  std::vector<std::unique_ptr<Plan>> m_plans; // per gear, or one dynamic plan
  std::vector<double> m_nodeMillis;
  double m_loadMillis = 0;
  mutable std::mutex m_mutex;
};

} // namespace gs::runtime
