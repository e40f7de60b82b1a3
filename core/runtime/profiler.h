// Measurement helpers for runs: latency statistics, per-op time tables with their share of the
// total, and the process's peak resident memory.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace gs::runtime {

struct LatencyStats {
  std::size_t count = 0;
  double min = 0, mean = 0, median = 0, p90 = 0, p95 = 0, p99 = 0, max = 0, stddev = 0; // milliseconds
};

// Percentiles by linear interpolation between closest ranks (numpy's default).
LatencyStats latencyStats(std::span<const double> millis);

// One node's time in one run (RunResult::opTimes).
struct OpTime {
  std::string node;
  std::string opType;
  double millis = 0;
};

struct OpStat {
  std::string node; // empty in per-op-type tables
  std::string opType;
  double totalMillis = 0;
  double meanMillis = 0; // per run
  double share = 0;      // percent of the sum over all nodes
  std::size_t runs = 0;
};

// Accumulates per-node times over runs.
class OpProfiler {
public:
  void add(std::span<const OpTime> run);
  std::size_t runs() const { return m_runs; }
  // Per node, in execution order, shares summing to 100.
  std::vector<OpStat> byNode() const;
  // Per op type, largest total first.
  std::vector<OpStat> byOpType() const;

private:
  std::vector<OpStat> m_nodes;
  std::size_t m_runs = 0;
};

// Peak resident set size of this process (VmHWM, else getrusage's ru_maxrss), bytes.
uint64_t peakResidentBytes();
// Current resident set size (VmRSS), bytes; 0 when unknown.
uint64_t currentResidentBytes();

} // namespace gs::runtime
