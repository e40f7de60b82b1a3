// The data a profile produces: per-gear measurements of one compiled model (ProfileReport), the
// three-strategy comparison (StrategyComparison) and the requests that drive them. Plain values, so
// the studio can copy them across threads and keep them with a project.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/compiler/shape_config/atc_options.h"
#include "core/om/model.h"
#include "core/profile/measurement.h"
#include "core/runtime/profiler.h"

namespace gs::profile {

struct ProfileRequest {
  std::string modelPath;        // .onnx (compiled with `atc`) or .om; used by profileFile()
  shape_config::AtcOptions atc; // gearatc's shape options for an .onnx model
  int threads = 0;              // OpenMP threads (0: the OpenMP default)
  int warmup = 5;               // least untimed runs per gear (more until the latency is stable; 0: none)
  int loops = 50;               // measured runs per gear (interleaved across gears in blocks)
  std::string device = "cpu";
  std::vector<std::string> disabledPasses; // the user's disabled passes, for every model built
  bool reproducibleBuilds = false;         // builds without clock values (same form, same bytes)
  std::string atcCommand;                  // recorded in a build of the request's own configuration (empty: canonical)
  int topOps = 15;                         // per-operator rows kept per gear (largest time first)
  bool profileOps = true;                  // per-node times (a few percent of overhead per run)
  uint32_t seed = 1234;                    // random inputs
  // Shapes to run a fully dynamic model with (one entry per "gear", graph input order); empty: the
  // upper end of every bounded range.
  std::vector<std::vector<om::TensorDesc>> dynamicShapes;
};

// One operator's share of a gear's time (node names are the compiled graph's, which keep the
// imported node names where a node survives the passes, so the studio can select it).
struct OpEntry {
  std::string node;
  std::string opType;
  double meanMillis = 0; // per run
  double share = 0;      // percent of the gear's summed node time
};

struct GearMemory {
  uint64_t weightBytes = 0;       // distinct constant data of the model (om::Model::weightBytes)
  uint64_t packedWeightBytes = 0; // kernel-packed weight copies made at load
  uint64_t gearArenaBytes = 0;    // this gear's activation arena need (GearPlan::arenaBytes)
  uint64_t sharedArenaBytes = 0;  // the one arena every gear shares (the largest gear's need)
  uint64_t workspaceBytes = 0;    // kernel workspace of this gear
  uint64_t dynamicBytes = 0;      // pool blocks made by dynamic execution (dynamic models)
  uint64_t peakRssBytes = 0;      // the process's peak resident set so far (VmHWM, never reset)
  uint64_t rssGrowthBytes = 0;    // resident set after this gear ran minus before the model was loaded
};

struct GearProfile {
  int gear = -1;                      // gear index; -1 for a run of a dynamic-shape model
  std::string label;                  // "batch 4", "224x224", or the input shapes
  std::vector<om::TensorDesc> inputs; // the shapes it ran with
  int64_t batch = 1;                  // dim 0 of the first input
  double firstMillis = 0;             // the first (cold) run
  int warmupRuns = 0;                 // untimed runs after the first one
  bool warmupStable = false;          // the warm-up ended because the latency settled
  std::vector<double> samples;        // every measured run, milliseconds, in order
  std::vector<double> cpuSamples;     // per run: CPU time per thread that ran, milliseconds
  int preemptedRuns = 0;              // runs whose threads waited for a CPU >= 10% of the run
  runtime::LatencyStats latency;      // over samples
  Interval medianCi;                  // 95% bootstrap interval of latency.median
  double cpuMedianMillis = 0;         // median of cpuSamples
  // Throughput is defined once, from the median latency shown beside it (docs/gearbench.md):
  double inferencesPerSec = 0; // 1000 / median
  double samplesPerSec = 0;    // batch * 1000 / median
  double flops = 0;            // one run
  double gflopsPerSec = 0;     // flops / median time
  GearMemory memory;
  std::vector<OpEntry> topOps; // largest mean time first (request.topOps rows)
  std::vector<runtime::OpStat> byOpType;
  double opMillisTotal = 0; // mean summed node time per run
};

struct ProfileReport {
  std::string modelName;  // file name or graph name
  std::string strategy;   // the om model's strategy name
  std::string atcCommand; // how the model was built
  std::string device;
  int threads = 0;
  int warmup = 0;
  int loops = 0;
  double loadMillis = 0;  // Session::create
  bool cancelled = false; // cancelled between runs: gears is then empty (interleaved runs finish together)
  MeasurementInfo measurement;
  std::vector<GearProfile> gears;
};

// Per gear, one strategy's measurement.
struct StrategyGear {
  std::string label;
  std::vector<om::TensorDesc> inputs;
  int64_t batch = 1;
  runtime::LatencyStats latency;
  Interval medianCi; // 95% bootstrap interval of latency.median
  int preemptedRuns = 0;
  double samplesPerSec = 0; // batch * 1000 / median
  uint64_t arenaBytes = 0;  // the arena serving this gear in this strategy
};

enum class StrategyKind { StaticPerGear, MultiGear, DynamicShape };
const char* strategyKindName(StrategyKind k);  // "static", "multi_gear", "dynamic_shape"
const char* strategyKindTitle(StrategyKind k); // "Static (one model per gear)", ...

struct StrategyResult {
  StrategyKind kind = StrategyKind::MultiGear;
  std::string atcCommand;   // one per model; static strategy: one line per gear model
  int modelCount = 1;       // .om files this strategy ships
  double compileMillis = 0; // all its models
  std::vector<double> compileMillisPerModel;
  uint64_t omBytes = 0;              // serialized size, all its models
  std::vector<std::string> omSha256; // SHA-256 of each serialized model
  uint64_t weightBytes = 0;          // constant data, all its models
  uint64_t packedWeightBytes = 0;    // kernel-packed weight copies made at load, all its models
  uint64_t arenaBytes = 0;           // activation memory held at once (static: every model's arena)
  uint64_t workspaceBytes = 0;
  uint64_t dynamicBytes = 0;       // dynamic mode: pool blocks after running every gear
  uint64_t peakRssBytes = 0;       // the process's peak resident set after this strategy loaded (never reset)
  uint64_t rssBaselineBytes = 0;   // process resident set when the strategy started (before compiling)
  uint64_t residentBytes = 0;      // resident set this strategy added: built, loaded and warmed up
  std::vector<StrategyGear> gears; // in the gear order of the configuration
  std::string error;               // set when this strategy could not be built or run
};

// One strategy against the reference (static, or multi-gear when static failed) at one gear.
struct GearVerdict {
  StrategyKind strategy = StrategyKind::MultiGear;
  StrategyKind reference = StrategyKind::StaticPerGear;
  std::size_t gear = 0;
  Difference difference;
};

struct StrategyComparison {
  std::string modelName;
  std::string gearCommand; // the multi-gear configuration as an ATC command
  std::string device;
  int threads = 0, warmup = 0, loops = 0;
  bool cancelled = false;
  std::vector<StrategyResult> strategies; // static, multi-gear, dynamic (those that finished)
  std::vector<std::string> gearLabels;
  MeasurementInfo measurement;
  std::vector<GearVerdict> verdicts; // every strategy against the reference, per gear
  std::string summary;               // plain-language comparison generated from the numbers
};

} // namespace gs::profile
