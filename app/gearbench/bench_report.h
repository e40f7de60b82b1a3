// What one gear's benchmark measured, and its text and JSON forms (schema: docs/gearbench.md).
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/om/model.h"
#include "core/profile/measurement.h"
#include "core/runtime/device.h"
#include "core/runtime/profiler.h"

namespace gs::gearbench {

struct GearReport {
  int gear = -1; // -1: dynamic-shape model
  std::vector<om::TensorDesc> inputs, outputs;
  int64_t batch = 1;
  double firstMillis = 0;
  runtime::LatencyStats latency;
  profile::Interval medianCi; // 95% bootstrap interval of the median
  double cpuMedianMillis = 0; // median CPU time per thread that ran
  int preemptedRuns = 0;      // runs whose threads waited for a CPU >= 10% of the run
  int warmup = 0;             // warm-up runs done (at least --warmup; more until the latency settled)
  bool warmupStable = false;
  double inferencesPerSec = 0, samplesPerSec = 0; // from the median latency
  runtime::MemoryUse memory;
  uint64_t workspaceBytes = 0;
  uint64_t peakRssBytes = 0;
  double flops = 0, gflopsPerSec = 0;
  // Roofline: the device's f32 peak for the threads used (CPU: the cached FMA probe) and the share of
  // it this gear achieved; 0 when unknown.
  double peakGflops = 0, peakSharePct = 0;
  std::string peakIsa;
  bool profiled = false;
  std::vector<runtime::OpStat> byNode, byOpType;
};

struct ModelReport {
  std::string path;
  bool compiled = false; // .onnx compiled on the fly
  double compileMillis = 0;
  double readMillis = 0;     // reading an .om file (0 when compiled from .onnx: compileMillis then)
  double loadMillis = 0;     // Session::create: kernels bound, weights packed, arena allocated
  uint64_t idleRssBytes = 0; // peak resident memory before the model was read: the process's own footprint
  std::string strategy;
  int gearCount = 0;
  std::string device;
  int threads = 0;
};

void printGear(std::ostream& out, const GearReport& g);
// The contention check and preempted runs, with a warning when other work competed for the CPU.
void printMeasurement(std::ostream& out, const profile::MeasurementInfo& m);
nlohmann::json gearJson(const GearReport& g);
nlohmann::json modelJson(const ModelReport& m);
std::string humanBytes(uint64_t bytes);

} // namespace gs::gearbench
