// Latency statistics, per-op tables and resident memory.
#include "core/runtime/profiler.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <numeric>
#include <string_view>

#include <sys/resource.h>

namespace gs::runtime {
namespace {

double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const double rank = p / 100.0 * static_cast<double>(sorted.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(rank));
  const auto hi = std::min(lo + 1, sorted.size() - 1);
  const double frac = rank - static_cast<double>(lo);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * frac;
}

uint64_t statusField(std::string_view key) {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind(key, 0) == 0) {
      // "VmHWM:	  123456 kB"
      const auto pos = line.find_first_of("0123456789");
      if (pos == std::string::npos) return 0;
      return std::stoull(line.substr(pos)) * 1024;
    }
  return 0;
}

} // namespace

LatencyStats latencyStats(std::span<const double> millis) {
  LatencyStats s;
  s.count = millis.size();
  if (millis.empty()) return s;
  std::vector<double> v(millis.begin(), millis.end());
  std::sort(v.begin(), v.end());
  s.min = v.front();
  s.max = v.back();
  s.mean = std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
  double var = 0;
  for (double x : v)
    var += (x - s.mean) * (x - s.mean);
  s.stddev = std::sqrt(var / static_cast<double>(v.size()));
  s.median = percentile(v, 50);
  s.p90 = percentile(v, 90);
  s.p95 = percentile(v, 95);
  s.p99 = percentile(v, 99);
  return s;
}

void OpProfiler::add(std::span<const OpTime> run) {
  if (m_nodes.size() < run.size()) m_nodes.resize(run.size());
  for (std::size_t i = 0; i < run.size(); ++i) {
    auto& n = m_nodes[i];
    if (n.runs == 0) {
      n.node = run[i].node;
      n.opType = run[i].opType;
    }
    n.totalMillis += run[i].millis;
    ++n.runs;
  }
  ++m_runs;
}

std::vector<OpStat> OpProfiler::byNode() const {
  std::vector<OpStat> out = m_nodes;
  double total = 0;
  for (const auto& n : out)
    total += n.totalMillis;
  for (auto& n : out) {
    n.meanMillis = n.runs ? n.totalMillis / static_cast<double>(n.runs) : 0;
    n.share = total > 0 ? 100.0 * n.totalMillis / total : 0;
  }
  return out;
}

std::vector<OpStat> OpProfiler::byOpType() const {
  std::map<std::string, OpStat> agg;
  double total = 0;
  for (const auto& n : m_nodes) {
    auto& a = agg[n.opType];
    a.opType = n.opType;
    a.totalMillis += n.totalMillis;
    a.runs = m_runs;
    total += n.totalMillis;
  }
  std::vector<OpStat> out;
  for (auto& [k, a] : agg) {
    a.meanMillis = m_runs ? a.totalMillis / static_cast<double>(m_runs) : 0;
    a.share = total > 0 ? 100.0 * a.totalMillis / total : 0;
    out.push_back(a);
  }
  std::sort(out.begin(), out.end(), [](const OpStat& a, const OpStat& b) { return a.totalMillis > b.totalMillis; });
  return out;
}

uint64_t peakResidentBytes() {
  if (auto v = statusField("VmHWM:")) return v;
  rusage u{};
  if (getrusage(RUSAGE_SELF, &u) == 0) return static_cast<uint64_t>(u.ru_maxrss) * 1024;
  return 0;
}

uint64_t currentResidentBytes() { return statusField("VmRSS:"); }

} // namespace gs::runtime
