// The gear optimizer: chooses at most K gears minimising the expected latency of a trace under a
// cost model (latency of a gear as a function of its padded size), every request running on the
// cheapest gear that encloses it.
//
// One dynamic dim: exact. Candidate gear values are the trace's distinct values rounded up to the step
// (a gear between two such values serves the same requests as the next one down, at no lower cost
// when cost grows with size); the largest is always a gear (every request must fit). Dynamic
// programming over the sorted candidates: best[k][j] = min over i < j of best[k-1][i] +
// cost(v_j) * (requests with value in (v_i, v_j]); O(K * m^2) for m candidates.
//
// Several dynamic dims: a heuristic. Candidates are the trace's distinct points (each dim rounded up
// to the step); the componentwise maximum is always a gear; gears are added greedily (the candidate
// that lowers the expected latency most), then each gear is swapped for a better candidate while that
// helps (one pass per round, until no swap helps or 20 rounds). Not guaranteed optimal.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/common/status.h"
#include "core/traffic/trace.h"

namespace gs::traffic {

// Latency (ms) and arena bytes measured at a few gear sizes; between them piecewise-linear, beyond
// them the nearest segment extended.
struct CostPoint {
  double size = 0; // the gear's value (one dim) or element count of its dynamic dims (several)
  double millis = 0;
  double arenaBytes = 0;
};
class CostModel {
public:
  CostModel() = default;
  explicit CostModel(std::vector<CostPoint> points); // sorted by size here; sizes must differ
  double millis(double size) const;
  double arenaBytes(double size) const;
  const std::vector<CostPoint>& points() const { return m_points; }
  bool empty() const { return m_points.empty(); }

private:
  double interpolate(double size, double CostPoint::*field) const;
  std::vector<CostPoint> m_points;
};

// A one-dim histogram: sorted distinct values and their request counts.
struct Histogram {
  std::vector<int64_t> values;
  std::vector<int64_t> counts;
  int64_t total() const;
};
// Values of dynamic dim (input, dim) over the trace, rounded up to step (step >= 1).
Histogram histogram(const Trace& t, std::size_t input, std::size_t dim, int64_t step = 1);
Histogram histogramOf(const std::vector<int64_t>& values, const std::vector<int64_t>& counts, int64_t step = 1);

struct GearSet {
  std::vector<std::vector<int64_t>> gears; // per gear, the dynamic dims' values (one entry each for 1-D)
  double expectedMs = 0;                   // mean over requests under the cost model
  double arenaBytes = 0;                   // cost model's arena of the largest gear
};

using CostFn = std::function<double(int64_t)>;

// Exact, one dim: for every k = 1..maxGears the best set of at most k gears (entry k-1). Errors for an
// empty histogram or maxGears < 1.
Expected<std::vector<GearSet>> planOneDim(const Histogram& h, int maxGears, const CostFn& cost);
// Every subset of at most maxGears candidates that contains the largest, evaluated one by one: the
// reference the DP is checked against. expectedMs is +infinity when there are over 20 million subsets.
GearSet bruteForceOneDim(const Histogram& h, int maxGears, const CostFn& cost);
// The expected latency of a given gear set (each request on the smallest enclosing gear; a request above
// every gear costs +infinity).
double expectedOneDim(const Histogram& h, const std::vector<int64_t>& gears, const CostFn& cost);

// Several dims: points are the requests' dynamic dims (rounded up), with counts.
struct PointHistogram {
  std::vector<std::vector<int64_t>> points;
  std::vector<int64_t> counts;
};
PointHistogram pointHistogram(const Trace& t, const std::vector<std::pair<std::size_t, std::size_t>>& dims,
                              int64_t step = 1);
using PointCostFn = std::function<double(const std::vector<int64_t>&)>;
// Heuristic (see above); entry k-1 for at most k gears.
Expected<std::vector<GearSet>> planMultiDim(const PointHistogram& h, int maxGears, const PointCostFn& cost);
double expectedMultiDim(const PointHistogram& h, const std::vector<std::vector<int64_t>>& gears,
                        const PointCostFn& cost);

// The Pareto front over (gear count, expected latency, arena bytes): the sets no other set beats on all
// three (ties keep the fewer gears).
std::vector<GearSet> paretoFront(const std::vector<GearSet>& sets);

} // namespace gs::traffic
