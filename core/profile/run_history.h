// Run history: a profile kept as a record (when, what label, which ATC configuration, per-gear
// statistics) that the studio stores with its project as JSON, and the per-gear deltas between two
// records. Per-run samples and operator tables are left out so project files stay small.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/common/status.h"
#include "core/profile/profile_types.h"

namespace gs::profile {

struct RunGear {
  std::string label;  // "batch 4"
  std::string shapes; // "x:4,3,48,192" (gears of two runs are matched on this)
  int64_t batch = 1;
  runtime::LatencyStats latency;
  double inferencesPerSec = 0, samplesPerSec = 0, gflopsPerSec = 0;
  GearMemory memory;
  Interval medianCi; // 95% interval of latency.median ({0, 0} in records made before it existed)
};

struct RunRecord {
  std::string timestamp;  // ISO 8601 UTC, "2024-05-01T12:00:00Z"
  std::string label;      // the user's name for the run
  std::string atcCommand; // the configuration the model was built with
  std::string modelName, strategy, device;
  int threads = 0, warmup = 0, loops = 0;
  bool contention = false; // the contention check fired while this run was measured
  std::vector<RunGear> gears;
};

// timestamp: empty takes the current UTC time.
RunRecord makeRunRecord(const ProfileReport& report, std::string label, std::string timestamp = {});
std::string utcNow();

nlohmann::json toJson(const RunRecord& r);
// Errors: codes::kFormat naming the missing or mistyped field.
Expected<RunRecord> runRecordFromJson(const nlohmann::json& j);

struct GearDelta {
  std::string label, shapes;
  bool inA = false, inB = false;                  // a gear only one run has carries no deltas
  double medianA = 0, medianB = 0, medianPct = 0; // pct: (B - A) / A * 100
  Verdict verdict = Verdict::NoDifference;        // B against A, by the median intervals
  double p99A = 0, p99B = 0, p99Pct = 0;
  double samplesPerSecA = 0, samplesPerSecB = 0, samplesPerSecPct = 0;
  int64_t peakRssDelta = 0; // bytes, B - A
  int64_t arenaDelta = 0;   // gear arena bytes, B - A
};

struct RunComparison {
  std::string labelA, labelB;
  std::vector<GearDelta> gears; // A's gear order, then gears only B has
};

RunComparison compareRuns(const RunRecord& a, const RunRecord& b);

} // namespace gs::profile
