// How GearStudio measures latency, shared by gearbench, the studio and the strategy comparison:
// - per run: wall time, CPU time of the threads that ran (process CPU time over the threads that
//   advanced) and their run-queue wait (/proc/self/task/*/schedstat); a run whose threads waited for
//   a CPU for a noticeable share of it is flagged "preempted";
// - warm-up until the latency is stable (bounded in runs and time);
// - every gear / strategy measured interleaved in round-robin blocks, so a change in machine load
//   hits all of them alike instead of the one that happened to run then;
// - a contention check before and during the runs (other runnable tasks against the cores, steal);
// - a bootstrap confidence interval for each median, and comparisons that call a difference only
//   when the intervals separate (else "no measurable difference").
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/common/progress.h"
#include "core/common/status.h"
#include "core/runtime/profiler.h"
#include "core/runtime/session.h"

namespace gs::profile {

// ---- statistics ----------------------------------------------------------------------------------

struct Interval {
  double lo = 0, hi = 0;
  bool operator==(const Interval&) const = default;
};

// Percentile bootstrap interval (default 95%) of the median of `samples`; deterministic for a given
// seed. Empty input gives {0, 0}; one sample gives {x, x}.
Interval bootstrapMedianCi(std::span<const double> samples, uint32_t seed, int resamples = 2000, double level = 0.95);

// A relative difference smaller than this is never reported as faster or slower, even when the
// intervals separate: identical plans differ by up to about this much from memory placement alone
// (two copies of the same weights in one process: 3.2% under a CPU hog; the same .om in two
// processes: 2-5%, bench/studio_vs_gearbench).
inline constexpr double kMinEffect = 0.05;

enum class Verdict { Faster, Slower, NoDifference };
// "faster", "slower", "no measurable difference"
const char* verdictName(Verdict v);

struct Difference {
  Verdict verdict = Verdict::NoDifference;
  double percent = 0; // (median / reference median - 1) * 100
};
// `median` (with its interval) against a reference: faster / slower only when the intervals do not
// overlap and the difference is at least kMinEffect.
Difference compareMedians(double median, Interval ci, double refMedian, Interval refCi);
// "18% slower", "2.5x faster", "no measurable difference"
std::string differenceText(const Difference& d);

// ---- the machine while measuring ---------------------------------------------------------------

// What the contention check saw, reported with every measurement (JSON "measurement").
struct MeasurementInfo {
  bool contention = false;          // other work competed for the CPUs: the numbers may be inflated and noisy
  int runs = 0;                     // measured runs, all gears
  int preemptedRuns = 0;            // runs whose threads waited for a CPU for >= kPreemptShare of the run
  int cores = 0;                    // online CPUs
  int threads = 0;                  // threads that ran the model (most seen in one run)
  double otherRunnableBefore = 0;   // mean runnable tasks not ours, sampled before measuring
  double otherRunnableDuring = 0;   // same, sampled between blocks of runs
  double loadAverage = 0;           // /proc/loadavg 1-minute figure at the start
  double stealPercent = 0;          // CPU time stolen by the hypervisor during the runs
  double cpuPerWall = 0;            // mean over runs of CPU time per thread / wall time
  std::string ompWaitPolicy;        // OMP_WAIT_POLICY as the process started ("" = libgomp's default)
  std::vector<std::string> reasons; // why contention is set, in words
};
// A one-line warning for the studio and reports; empty when there was no contention.
std::string contentionWarning(const MeasurementInfo& m);
// Merges the information of two measurements (runs and preempted runs add up; contention ors).
void mergeInfo(MeasurementInfo& into, const MeasurementInfo& from);

// A run is preempted when its threads waited runnable for a CPU at least kPreemptMinMillis in all
// (a scheduler time slice: waking idle workers costs microseconds) and kPreemptShare of its wall
// time per thread.
inline constexpr double kPreemptShare = 0.10;
inline constexpr double kPreemptMinMillis = 1.0;

// ---- measuring ---------------------------------------------------------------------------------

// One thing to measure: a gear of an open session with its inputs.
struct MeasureSlot {
  runtime::Session* session = nullptr;
  int gear = -1; // -1: a dynamic-shape model at the inputs' shapes
  std::vector<runtime::HostTensor> inputs;
  std::string name;      // for progress text ("gear 2", "multi_gear batch 4")
  int progressGear = -1; // the gear index progress events name
};

struct MeasureOptions {
  int warmup = 5;    // minimum untimed runs per slot; 0: no warm-up at all
  int loops = 50;    // measured runs per slot
  int blockSize = 0; // runs per slot per round; 0: chosen from loops (about 10 rounds)
  bool profileOps = false;
  uint32_t seed = 1234;          // bootstrap
  double maxWarmupMillis = 3000; // stop extending a warm-up after this long (per slot)
};

struct SlotResult {
  double firstMillis = 0; // the first (cold) run, when warmUp ran it
  int warmupRuns = 0;
  bool warmupStable = false;      // the last two warm-up windows agreed within 5%
  std::vector<double> wallMillis; // per measured run, in order
  std::vector<double> cpuMillis;  // per run: CPU time per thread that ran
  std::vector<uint8_t> preempted; // per run
  std::vector<int> sequence;      // per run: its position among all slots' runs (0-based)
  int preemptedRuns = 0;
  runtime::LatencyStats latency; // over wallMillis
  Interval medianCi;
  double cpuMedianMillis = 0;
  runtime::OpProfiler ops; // when profileOps
  runtime::RunResult last; // the last run's outputs
};

// The first run and the warm-up of one slot (until the latency is stable, bounded). Fills
// firstMillis, warmupRuns, warmupStable and `last`.
Status warmUp(MeasureSlot& slot, const MeasureOptions& options, SlotResult& result, const Progress& progress = {});

struct Measurement {
  std::vector<SlotResult> results; // same order as the slots
  MeasurementInfo info;
  bool cancelled = false; // cancelled between runs: the figures are incomplete and not computed
};

// Measures every slot `options.loops` times, interleaved in round-robin blocks (each round starts
// at the next slot). `results` holds each slot's warm-up result (or default ones: a slot not warmed
// up gets two untimed runs first). Progress fractions map into [lo, hi].
Expected<Measurement> measureInterleaved(std::span<MeasureSlot> toMeasure, std::vector<SlotResult> results,
                                         const MeasureOptions& options, const Progress& progress = {}, double lo = 0,
                                         double hi = 1);

// Samples the machine now (other runnable tasks): for a check before a run starts.
MeasurementInfo sampleMachine(int samples = 8);

} // namespace gs::profile
