// The gear optimizer: exact DP for one dim (with a Li Chao tree, O(K m log m)), greedy + swap for several.
#include "core/traffic/planner.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>

namespace gs::traffic {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

int64_t roundUp(int64_t v, int64_t step) { return step > 1 ? (v + step - 1) / step * step : v; }

// Minimum of lines y = m x + b at the given x coordinates (indices into xs, sorted ascending).
class LiChao {
public:
  struct Line {
    double m = 0, b = kInf;
    int id = -1;
    double at(double x) const { return b == kInf ? kInf : m * x + b; }
  };
  explicit LiChao(const std::vector<double>& xs) : m_xs(xs), m_t(4 * std::max<std::size_t>(1, xs.size())) {}
  void add(Line ln) { add(ln, 1, 0, static_cast<int>(m_xs.size()) - 1); }
  Line query(int xi) const {
    Line best;
    int node = 1, l = 0, r = static_cast<int>(m_xs.size()) - 1;
    const double x = m_xs[static_cast<std::size_t>(xi)];
    while (true) {
      const auto& c = m_t[static_cast<std::size_t>(node)];
      if (c.at(x) < best.at(x)) best = c;
      if (l == r) break;
      const int mid = (l + r) / 2;
      if (xi <= mid) {
        node = 2 * node;
        r = mid;
      } else {
        node = 2 * node + 1;
        l = mid + 1;
      }
    }
    return best;
  }

private:
  void add(Line ln, int node, int l, int r) {
    while (true) {
      auto& cur = m_t[static_cast<std::size_t>(node)];
      const int mid = (l + r) / 2;
      const double xl = m_xs[static_cast<std::size_t>(l)], xm = m_xs[static_cast<std::size_t>(mid)];
      const bool left = ln.at(xl) < cur.at(xl);
      const bool middle = ln.at(xm) < cur.at(xm);
      if (middle) std::swap(cur, ln);
      if (l == r || ln.b == kInf) return;
      if (left != middle) {
        node = 2 * node;
        r = mid;
      } else {
        node = 2 * node + 1;
        l = mid + 1;
      }
    }
  }
  std::vector<double> m_xs;
  std::vector<Line> m_t;
};

} // namespace

CostModel::CostModel(std::vector<CostPoint> points) : m_points(std::move(points)) {
  std::sort(m_points.begin(), m_points.end(), [](const CostPoint& a, const CostPoint& b) { return a.size < b.size; });
  m_points.erase(std::unique(m_points.begin(), m_points.end(),
                             [](const CostPoint& a, const CostPoint& b) { return a.size == b.size; }),
                 m_points.end());
}

double CostModel::interpolate(double size, double CostPoint::*field) const {
  if (m_points.empty()) return 0;
  if (m_points.size() == 1)
    return m_points.front().*field * (m_points.front().size > 0 ? size / m_points.front().size : 1);
  auto hi =
      std::lower_bound(m_points.begin(), m_points.end(), size, [](const CostPoint& p, double s) { return p.size < s; });
  if (hi == m_points.begin()) hi = m_points.begin() + 1;
  if (hi == m_points.end()) hi = m_points.end() - 1;
  const auto lo = hi - 1;
  const double t = (size - lo->size) / (hi->size - lo->size);
  return std::max(0.0, (*lo).*field + t * ((*hi).*field - (*lo).*field));
}

double CostModel::millis(double size) const { return interpolate(size, &CostPoint::millis); }
double CostModel::arenaBytes(double size) const { return interpolate(size, &CostPoint::arenaBytes); }

int64_t Histogram::total() const {
  int64_t n = 0;
  for (auto c : counts)
    n += c;
  return n;
}

Histogram histogramOf(const std::vector<int64_t>& values, const std::vector<int64_t>& counts, int64_t step) {
  std::map<int64_t, int64_t> m;
  for (std::size_t i = 0; i < values.size(); ++i)
    m[roundUp(values[i], step)] += i < counts.size() ? counts[i] : 1;
  Histogram h;
  for (const auto& [v, c] : m) {
    h.values.push_back(v);
    h.counts.push_back(c);
  }
  return h;
}

Histogram histogram(const Trace& t, std::size_t input, std::size_t dim, int64_t step) {
  std::vector<int64_t> values, counts;
  for (const auto& r : t.requests)
    if (input < r.dims.size() && dim < r.dims[input].size()) {
      values.push_back(r.dims[input][dim]);
      counts.push_back(r.count);
    }
  return histogramOf(values, counts, step);
}

double expectedOneDim(const Histogram& h, const std::vector<int64_t>& gears, const CostFn& cost) {
  auto g = gears;
  std::sort(g.begin(), g.end());
  double total = 0;
  for (std::size_t i = 0; i < h.values.size(); ++i) {
    const auto it = std::lower_bound(g.begin(), g.end(), h.values[i]);
    if (it == g.end()) return kInf;
    total += cost(*it) * static_cast<double>(h.counts[i]);
  }
  const auto n = h.total();
  return n > 0 ? total / static_cast<double>(n) : 0;
}

Expected<std::vector<GearSet>> planOneDim(const Histogram& h, int maxGears, const CostFn& cost) {
  const std::size_t m = h.values.size();
  if (m == 0) return makeError(codes::kInvalid, "the trace has no values to plan gears for");
  if (maxGears < 1) return makeError(codes::kInvalid, "the gear budget must be at least 1");
  const auto K = static_cast<std::size_t>(std::min<int64_t>(maxGears, static_cast<int64_t>(m)));
  std::vector<double> c(m), prefix(m + 1, 0);
  for (std::size_t j = 0; j < m; ++j) {
    c[j] = cost(h.values[j]);
    prefix[j + 1] = prefix[j] + static_cast<double>(h.counts[j]);
  }
  // Query points: the distinct costs, sorted; xi[j] indexes them.
  std::vector<double> xs(c);
  std::sort(xs.begin(), xs.end());
  xs.erase(std::unique(xs.begin(), xs.end()), xs.end());
  std::vector<int> xi(m);
  for (std::size_t j = 0; j < m; ++j)
    xi[j] = static_cast<int>(std::lower_bound(xs.begin(), xs.end(), c[j]) - xs.begin());

  // exact[k][j]: k+1 gears, the largest at candidate j, covering candidates 0..j.
  std::vector<std::vector<double>> exact(K, std::vector<double>(m, kInf));
  std::vector<std::vector<int>> parent(K, std::vector<int>(m, -1));
  for (std::size_t j = 0; j < m; ++j)
    exact[0][j] = c[j] * prefix[j + 1];
  for (std::size_t k = 1; k < K; ++k) {
    LiChao tree(xs);
    for (std::size_t j = 0; j < m; ++j) {
      if (j > 0 && exact[k - 1][j - 1] < kInf)
        tree.add(LiChao::Line{-prefix[j], exact[k - 1][j - 1], static_cast<int>(j - 1)});
      const auto best = tree.query(xi[j]);
      if (best.id < 0) continue;
      exact[k][j] = c[j] * prefix[j + 1] + best.at(c[j]);
      parent[k][j] = best.id;
    }
  }
  const double n = prefix[m];
  std::vector<GearSet> out;
  std::size_t bestK = 0;
  for (std::size_t k = 0; k < static_cast<std::size_t>(maxGears); ++k) {
    if (k < K && exact[k][m - 1] < exact[bestK][m - 1]) bestK = k;
    GearSet s;
    int j = static_cast<int>(m - 1);
    for (auto kk = static_cast<int>(bestK); kk >= 0 && j >= 0; --kk) {
      s.gears.insert(s.gears.begin(), std::vector<int64_t>{h.values[static_cast<std::size_t>(j)]});
      j = parent[static_cast<std::size_t>(kk)][static_cast<std::size_t>(j)];
    }
    s.expectedMs = n > 0 ? exact[bestK][m - 1] / n : 0;
    out.push_back(std::move(s));
  }
  return out;
}

GearSet bruteForceOneDim(const Histogram& h, int maxGears, const CostFn& cost) {
  const std::size_t m = h.values.size();
  GearSet best;
  best.expectedMs = kInf;
  if (m == 0 || maxGears < 1) return best;
  // Subsets of the m - 1 smaller candidates with at most maxGears - 1 elements, plus the largest.
  double subsets = 0, c = 1;
  for (int k = 0; k < maxGears && k < static_cast<int>(m); ++k) {
    subsets += c;
    c = c * static_cast<double>(m - 1 - static_cast<std::size_t>(k)) / static_cast<double>(k + 1);
  }
  if (subsets > 2e7) return best;
  std::vector<double> costOf(m);
  for (std::size_t j = 0; j < m; ++j)
    costOf[j] = cost(h.values[j]);
  const double n = static_cast<double>(h.total());
  std::vector<std::size_t> pick;
  auto evaluate = [&]() {
    // pick: sorted indices of the smaller gears; the largest candidate closes the set.
    double total = 0;
    std::size_t g = 0;
    for (std::size_t j = 0; j < m; ++j) {
      while (g < pick.size() && pick[g] < j)
        ++g;
      const std::size_t gear = g < pick.size() ? pick[g] : m - 1;
      total += costOf[gear] * static_cast<double>(h.counts[j]);
    }
    const double e = n > 0 ? total / n : 0;
    if (e < best.expectedMs) {
      best.expectedMs = e;
      best.gears.clear();
      for (auto p : pick)
        best.gears.push_back({h.values[p]});
      best.gears.push_back({h.values[m - 1]});
    }
  };
  // Every combination of each size, in lexicographic order.
  for (int size = 0; size < maxGears && size < static_cast<int>(m); ++size) {
    pick.resize(static_cast<std::size_t>(size));
    for (int i = 0; i < size; ++i)
      pick[static_cast<std::size_t>(i)] = static_cast<std::size_t>(i);
    while (true) {
      evaluate();
      int i = size - 1;
      while (i >= 0 && pick[static_cast<std::size_t>(i)] == m - 1 - static_cast<std::size_t>(size - i))
        --i;
      if (i < 0) break;
      ++pick[static_cast<std::size_t>(i)];
      for (int k = i + 1; k < size; ++k)
        pick[static_cast<std::size_t>(k)] = pick[static_cast<std::size_t>(k - 1)] + 1;
    }
  }
  return best;
}

PointHistogram pointHistogram(const Trace& t, const std::vector<std::pair<std::size_t, std::size_t>>& dims,
                              int64_t step) {
  std::map<std::vector<int64_t>, int64_t> m;
  for (const auto& r : t.requests) {
    std::vector<int64_t> p;
    for (const auto& [i, d] : dims)
      p.push_back(i < r.dims.size() && d < r.dims[i].size() ? roundUp(r.dims[i][d], step) : 1);
    m[p] += r.count;
  }
  PointHistogram h;
  for (auto& [p, c] : m) {
    h.points.push_back(p);
    h.counts.push_back(c);
  }
  return h;
}

namespace {

bool encloses(const std::vector<int64_t>& g, const std::vector<int64_t>& p) {
  for (std::size_t k = 0; k < p.size(); ++k)
    if (p[k] > g[k]) return false;
  return true;
}

} // namespace

double expectedMultiDim(const PointHistogram& h, const std::vector<std::vector<int64_t>>& gears,
                        const PointCostFn& cost) {
  std::vector<double> gc;
  for (const auto& g : gears)
    gc.push_back(cost(g));
  double total = 0, n = 0;
  for (std::size_t i = 0; i < h.points.size(); ++i) {
    double best = kInf;
    for (std::size_t g = 0; g < gears.size(); ++g)
      if (encloses(gears[g], h.points[i])) best = std::min(best, gc[g]);
    if (best == kInf) return kInf;
    total += best * static_cast<double>(h.counts[i]);
    n += static_cast<double>(h.counts[i]);
  }
  return n > 0 ? total / n : 0;
}

Expected<std::vector<GearSet>> planMultiDim(const PointHistogram& h, int maxGears, const PointCostFn& cost) {
  if (h.points.empty()) return makeError(codes::kInvalid, "the trace has no points to plan gears for");
  if (maxGears < 1) return makeError(codes::kInvalid, "the gear budget must be at least 1");
  const std::size_t P = h.points.size(), D = h.points.front().size();
  std::vector<int64_t> corner(D, 0);
  for (const auto& p : h.points)
    for (std::size_t k = 0; k < D; ++k)
      corner[k] = std::max(corner[k], p[k]);
  // Candidates: the most frequent points (at most 1000) and the corner.
  std::vector<std::size_t> byCount(P);
  for (std::size_t i = 0; i < P; ++i)
    byCount[i] = i;
  std::sort(byCount.begin(), byCount.end(), [&](std::size_t a, std::size_t b) { return h.counts[a] > h.counts[b]; });
  std::vector<std::vector<int64_t>> cand;
  for (std::size_t i = 0; i < std::min<std::size_t>(P, 1000); ++i)
    cand.push_back(h.points[byCount[i]]);
  std::vector<double> candCost;
  for (const auto& c : cand)
    candCost.push_back(cost(c));
  const double cornerCost = cost(corner);
  const double n = static_cast<double>(std::accumulate(h.counts.begin(), h.counts.end(), int64_t{0}));

  std::vector<std::vector<int64_t>> gears{corner};
  std::vector<double> gearCost{cornerCost};
  auto perPoint = [&](std::size_t skip) {
    std::vector<double> cur(P, kInf);
    for (std::size_t g = 0; g < gears.size(); ++g) {
      if (g == skip) continue;
      for (std::size_t i = 0; i < P; ++i)
        if (gearCost[g] < cur[i] && encloses(gears[g], h.points[i])) cur[i] = gearCost[g];
    }
    return cur;
  };
  auto gainOf = [&](const std::vector<double>& cur, std::size_t c) {
    double total = 0;
    for (std::size_t i = 0; i < P; ++i) {
      double v = cur[i];
      if (candCost[c] < v && encloses(cand[c], h.points[i])) v = candCost[c];
      if (v == kInf) return kInf;
      total += v * static_cast<double>(h.counts[i]);
    }
    return total;
  };
  auto totalOf = [&](const std::vector<double>& cur) {
    double total = 0;
    for (std::size_t i = 0; i < P; ++i)
      total += cur[i] * static_cast<double>(h.counts[i]);
    return total;
  };
  std::vector<GearSet> out;
  for (int k = 1; k <= maxGears; ++k) {
    if (k > 1) {
      const auto cur = perPoint(gears.size());
      double best = totalOf(cur);
      std::size_t pick = cand.size();
      for (std::size_t c = 0; c < cand.size(); ++c) {
        if (std::find(gears.begin(), gears.end(), cand[c]) != gears.end()) continue;
        const double t = gainOf(cur, c);
        if (t < best) {
          best = t;
          pick = c;
        }
      }
      if (pick < cand.size()) {
        gears.push_back(cand[pick]);
        gearCost.push_back(candCost[pick]);
      }
      // Swap pass: each added gear (not the corner) replaced by the best candidate while it helps.
      for (int round = 0; round < 20; ++round) {
        bool improved = false;
        for (std::size_t g = 1; g < gears.size(); ++g) {
          const auto without = perPoint(g);
          double bestT = totalOf(perPoint(gears.size()));
          std::size_t swapTo = cand.size();
          for (std::size_t c = 0; c < cand.size(); ++c) {
            if (std::find(gears.begin(), gears.end(), cand[c]) != gears.end()) continue;
            const double t = gainOf(without, c);
            if (t < bestT - 1e-12) {
              bestT = t;
              swapTo = c;
            }
          }
          if (swapTo < cand.size()) {
            gears[g] = cand[swapTo];
            gearCost[g] = candCost[swapTo];
            improved = true;
          }
        }
        if (!improved) break;
      }
    }
    GearSet s;
    s.gears = gears;
    std::sort(s.gears.begin(), s.gears.end());
    s.expectedMs = n > 0 ? totalOf(perPoint(gears.size())) / n : 0;
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<GearSet> paretoFront(const std::vector<GearSet>& sets) {
  std::vector<GearSet> out;
  for (std::size_t i = 0; i < sets.size(); ++i) {
    bool dominated = false;
    for (std::size_t j = 0; j < sets.size() && !dominated; ++j) {
      if (i == j) continue;
      const auto& a = sets[j];
      const auto& b = sets[i];
      const bool noWorse =
          a.gears.size() <= b.gears.size() && a.expectedMs <= b.expectedMs && a.arenaBytes <= b.arenaBytes;
      const bool better = a.gears.size() < b.gears.size() || a.expectedMs < b.expectedMs || a.arenaBytes < b.arenaBytes;
      dominated = noWorse && better;
    }
    if (!dominated) out.push_back(sets[i]);
  }
  return out;
}

} // namespace gs::traffic
