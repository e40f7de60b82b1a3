// See graph_layout.h. The coordinate assignment follows Brandes & Köpf, "Fast and Simple Horizontal
// Coordinate Assignment" (2001), with the block-graph compaction later implementations settled on
// (two longest-path passes over the graph of aligned blocks), which avoids the original's class shifts.
#include "ui/views/graph_layout.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>
#include <unordered_map>
#include <unordered_set>

namespace gs::ui::layout {
namespace {

using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

Status cancelled() { return makeError(codes::kCancelled, "graph layout cancelled"); }

uint64_t pairKey(int a, int b) {
  return (static_cast<uint64_t>(static_cast<uint32_t>(a)) << 32) | static_cast<uint32_t>(b);
}

// An edge after cycle breaking and de-duplication, with the virtual nodes it passes through.
struct LayerEdge {
  int from = 0;
  int to = 0;
  std::vector<int> chain; // virtual nodes, top to bottom
};

// The proper layered graph: real nodes [0, realCount) and virtual nodes after them; every edge joins
// adjacent layers.
struct Layered {
  int realCount = 0;
  std::vector<int> rank;
  std::vector<std::vector<int>> preds;
  std::vector<std::vector<int>> succs;
  std::vector<std::vector<int>> layers;
  std::vector<int> pos; // index in its layer
  std::vector<double> width;

  int total() const { return static_cast<int>(rank.size()); }
  bool isVirtual(int v) const { return v >= realCount; }
};

// A node order in which every edge of a DAG points forward (Kahn); nodes on cycles follow in a
// depth-first order, so that only the edges closing a cycle point backwards.
std::vector<int> forwardOrder(int n, const std::vector<std::pair<int, int>>& edges) {
  std::vector<std::vector<int>> out(static_cast<std::size_t>(n));
  std::vector<int> indeg(static_cast<std::size_t>(n), 0);
  for (const auto& [a, b] : edges) {
    if (a == b) continue;
    out[static_cast<std::size_t>(a)].push_back(b);
    ++indeg[static_cast<std::size_t>(b)];
  }
  std::vector<int> order;
  order.reserve(static_cast<std::size_t>(n));
  for (int v = 0; v < n; ++v)
    if (indeg[static_cast<std::size_t>(v)] == 0) order.push_back(v);
  for (std::size_t i = 0; i < order.size(); ++i)
    for (int w : out[static_cast<std::size_t>(order[i])])
      if (--indeg[static_cast<std::size_t>(w)] == 0) order.push_back(w);
  if (static_cast<int>(order.size()) == n) return order;

  // Cycles: reverse post-order of a DFS over the remaining nodes.
  std::vector<char> done(static_cast<std::size_t>(n), 0);
  for (int v : order)
    done[static_cast<std::size_t>(v)] = 1;
  std::vector<int> post;
  std::vector<std::pair<int, std::size_t>> stack;
  for (int s = 0; s < n; ++s) {
    if (done[static_cast<std::size_t>(s)]) continue;
    done[static_cast<std::size_t>(s)] = 1;
    stack.push_back({s, 0});
    while (!stack.empty()) {
      auto& [v, next] = stack.back();
      const auto& vs = out[static_cast<std::size_t>(v)];
      if (next < vs.size()) {
        const int w = vs[next++];
        if (!done[static_cast<std::size_t>(w)]) {
          done[static_cast<std::size_t>(w)] = 1;
          stack.push_back({w, 0});
        }
      } else {
        post.push_back(v);
        stack.pop_back();
      }
    }
  }
  order.insert(order.end(), post.rbegin(), post.rend());
  return order;
}

// Longest-path ranks over the oriented edges (processed in forward order), then sources pulled down
// to just above their first consumer so graph inputs used late do not drag long edges.
std::vector<int> longestPathRanks(int n, const std::vector<int>& order, const std::vector<LayerEdge>& edges) {
  std::vector<std::vector<int>> out(static_cast<std::size_t>(n));
  std::vector<int> indeg(static_cast<std::size_t>(n), 0);
  for (const auto& e : edges) {
    out[static_cast<std::size_t>(e.from)].push_back(e.to);
    ++indeg[static_cast<std::size_t>(e.to)];
  }
  std::vector<int> rank(static_cast<std::size_t>(n), 0);
  for (int v : order)
    for (int w : out[static_cast<std::size_t>(v)])
      rank[static_cast<std::size_t>(w)] =
          std::max(rank[static_cast<std::size_t>(w)], rank[static_cast<std::size_t>(v)] + 1);
  for (int v = 0; v < n; ++v) {
    const auto& vs = out[static_cast<std::size_t>(v)];
    if (indeg[static_cast<std::size_t>(v)] != 0 || vs.empty()) continue;
    int lowest = std::numeric_limits<int>::max();
    for (int w : vs)
      lowest = std::min(lowest, rank[static_cast<std::size_t>(w)]);
    rank[static_cast<std::size_t>(v)] = lowest - 1;
  }
  const int minRank = n == 0 ? 0 : *std::min_element(rank.begin(), rank.end());
  for (int& r : rank)
    r -= minRank;
  return rank;
}

// Splits long edges with virtual nodes and builds the layered graph's adjacency.
Layered buildLayered(const LayoutGraph& g, std::vector<int> rank, std::vector<LayerEdge>& edges) {
  Layered l;
  l.realCount = g.nodeCount();
  l.rank = std::move(rank);
  l.width = g.widths;
  l.preds.resize(static_cast<std::size_t>(l.realCount));
  l.succs.resize(static_cast<std::size_t>(l.realCount));
  auto link = [&](int a, int b) {
    l.succs[static_cast<std::size_t>(a)].push_back(b);
    l.preds[static_cast<std::size_t>(b)].push_back(a);
  };
  for (auto& e : edges) {
    int prev = e.from;
    const int span = l.rank[static_cast<std::size_t>(e.to)] - l.rank[static_cast<std::size_t>(e.from)];
    for (int k = 1; k < span; ++k) {
      const int vn = l.total();
      l.rank.push_back(l.rank[static_cast<std::size_t>(e.from)] + k);
      l.width.push_back(0.0);
      l.preds.emplace_back();
      l.succs.emplace_back();
      link(prev, vn);
      e.chain.push_back(vn);
      prev = vn;
    }
    link(prev, e.to);
  }
  return l;
}

// Initial order: a depth-first visit from the nodes of the top layers, appending each node to its layer
// when first reached, so that connected nodes start close together.
void initialOrder(Layered& l) {
  const int total = l.total();
  int layerCount = 0;
  for (int r : l.rank)
    layerCount = std::max(layerCount, r + 1);
  l.layers.assign(static_cast<std::size_t>(layerCount), {});
  std::vector<int> starts(static_cast<std::size_t>(l.realCount));
  std::iota(starts.begin(), starts.end(), 0);
  std::stable_sort(starts.begin(), starts.end(), [&](int a, int b) {
    return l.rank[static_cast<std::size_t>(a)] < l.rank[static_cast<std::size_t>(b)];
  });
  std::vector<char> seen(static_cast<std::size_t>(total), 0);
  std::vector<int> stack;
  for (int s : starts) {
    if (seen[static_cast<std::size_t>(s)]) continue;
    stack.push_back(s);
    while (!stack.empty()) {
      const int v = stack.back();
      stack.pop_back();
      if (seen[static_cast<std::size_t>(v)]) continue;
      seen[static_cast<std::size_t>(v)] = 1;
      l.layers[static_cast<std::size_t>(l.rank[static_cast<std::size_t>(v)])].push_back(v);
      const auto& vs = l.succs[static_cast<std::size_t>(v)];
      for (auto it = vs.rbegin(); it != vs.rend(); ++it)
        if (!seen[static_cast<std::size_t>(*it)]) stack.push_back(*it);
    }
  }
  l.pos.assign(static_cast<std::size_t>(total), 0);
  for (const auto& layer : l.layers)
    for (std::size_t i = 0; i < layer.size(); ++i)
      l.pos[static_cast<std::size_t>(layer[i])] = static_cast<int>(i);
}

int64_t totalCrossings(const Layered& l) {
  int64_t sum = 0;
  std::vector<std::pair<int, int>> edges;
  for (std::size_t i = 0; i + 1 < l.layers.size(); ++i) {
    edges.clear();
    for (int v : l.layers[i])
      for (int w : l.succs[static_cast<std::size_t>(v)])
        edges.push_back({l.pos[static_cast<std::size_t>(v)], l.pos[static_cast<std::size_t>(w)]});
    sum += countCrossings(edges, static_cast<int>(l.layers[i + 1].size()));
  }
  return sum;
}

// Reorders one layer by the barycentre of its neighbours in the fixed layer; nodes without neighbours
// there keep their slots.
void reorderLayer(Layered& l, std::vector<int>& layer, const std::vector<std::vector<int>>& nbrs) {
  std::vector<std::pair<double, int>> movable;
  std::vector<char> fixedSlot(layer.size(), 0);
  for (std::size_t i = 0; i < layer.size(); ++i) {
    const auto& ns = nbrs[static_cast<std::size_t>(layer[i])];
    if (ns.empty()) {
      fixedSlot[i] = 1;
      continue;
    }
    double sum = 0;
    for (int u : ns)
      sum += l.pos[static_cast<std::size_t>(u)];
    movable.push_back({sum / static_cast<double>(ns.size()), layer[i]});
  }
  std::stable_sort(movable.begin(), movable.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::size_t next = 0;
  for (std::size_t i = 0; i < layer.size(); ++i) {
    if (!fixedSlot[i]) layer[i] = movable[next++].second;
    l.pos[static_cast<std::size_t>(layer[i])] = static_cast<int>(i);
  }
}

Status orderLayers(Layered& l, const LayoutOptions& opt, const CancelToken* cancel, LayoutStats& stats) {
  initialOrder(l);
  auto best = l.layers;
  int64_t bestCrossings = totalCrossings(l);
  int stale = 0;
  for (int sweep = 0; sweep < opt.maxSweeps && bestCrossings > 0 && stale < opt.patience; ++sweep) {
    if (cancel && cancel->cancelled()) return cancelled();
    const bool down = sweep % 2 == 0;
    const int count = static_cast<int>(l.layers.size());
    if (down) {
      for (int i = 1; i < count; ++i)
        reorderLayer(l, l.layers[static_cast<std::size_t>(i)], l.preds);
    } else {
      for (int i = count - 2; i >= 0; --i)
        reorderLayer(l, l.layers[static_cast<std::size_t>(i)], l.succs);
    }
    ++stats.sweeps;
    const int64_t c = totalCrossings(l);
    if (c < bestCrossings) {
      bestCrossings = c;
      best = l.layers;
      stale = 0;
    } else {
      ++stale;
    }
  }
  l.layers = std::move(best);
  for (const auto& layer : l.layers)
    for (std::size_t i = 0; i < layer.size(); ++i)
      l.pos[static_cast<std::size_t>(layer[i])] = static_cast<int>(i);
  stats.crossings = bestCrossings;
  return ok();
}

// --- Brandes–Köpf -------------------------------------------------------------------------------

// Type-1 conflicts: a non-inner segment crossing an inner segment (between two virtual nodes). Inner
// segments win, so long edges stay straight. Keys are (upper, lower).
std::unordered_set<uint64_t> typeOneConflicts(const Layered& l) {
  std::unordered_set<uint64_t> conflicts;
  for (std::size_t i = 1; i < l.layers.size(); ++i) {
    const auto& prev = l.layers[i - 1];
    const auto& layer = l.layers[i];
    int k0 = 0;
    std::size_t scanPos = 0;
    for (std::size_t idx = 0; idx < layer.size(); ++idx) {
      const int v = layer[idx];
      int inner = -1;
      if (l.isVirtual(v))
        for (int u : l.preds[static_cast<std::size_t>(v)])
          if (l.isVirtual(u)) inner = u;
      const int k1 = inner >= 0 ? l.pos[static_cast<std::size_t>(inner)] : static_cast<int>(prev.size());
      if (inner < 0 && idx + 1 != layer.size()) continue;
      for (std::size_t s = scanPos; s <= idx; ++s) {
        const int sn = layer[s];
        for (int u : l.preds[static_cast<std::size_t>(sn)]) {
          const int uPos = l.pos[static_cast<std::size_t>(u)];
          if ((uPos < k0 || k1 < uPos) && !(l.isVirtual(u) && l.isVirtual(sn))) conflicts.insert(pairKey(u, sn));
        }
      }
      scanPos = idx + 1;
      k0 = k1;
    }
  }
  return conflicts;
}

struct Alignment {
  std::vector<int> root;
  std::vector<int> align;
};

// Aligns each node with a median neighbour of the previous layer of `layering` (upper neighbours when
// the layering runs top-down, lower ones when it runs bottom-up).
Alignment verticalAlignment(const Layered& l, const std::vector<std::vector<int>>& layering, bool upward,
                            const std::unordered_set<uint64_t>& conflicts) {
  const int total = l.total();
  Alignment a;
  a.root.resize(static_cast<std::size_t>(total));
  a.align.resize(static_cast<std::size_t>(total));
  std::iota(a.root.begin(), a.root.end(), 0);
  std::iota(a.align.begin(), a.align.end(), 0);
  std::vector<int> pos(static_cast<std::size_t>(total), 0);
  for (const auto& layer : layering)
    for (std::size_t i = 0; i < layer.size(); ++i)
      pos[static_cast<std::size_t>(layer[i])] = static_cast<int>(i);
  const auto& nbrs = upward ? l.preds : l.succs;
  std::vector<int> ws;
  for (const auto& layer : layering) {
    int prevIdx = -1;
    for (int v : layer) {
      ws = nbrs[static_cast<std::size_t>(v)];
      if (ws.empty()) continue;
      std::sort(ws.begin(), ws.end(),
                [&](int x, int y) { return pos[static_cast<std::size_t>(x)] < pos[static_cast<std::size_t>(y)]; });
      const std::size_t lo = (ws.size() - 1) / 2;
      const std::size_t hi = ws.size() / 2;
      for (std::size_t m = lo; m <= hi; ++m) {
        const int w = ws[m];
        const uint64_t key = upward ? pairKey(w, v) : pairKey(v, w);
        if (a.align[static_cast<std::size_t>(v)] == v && prevIdx < pos[static_cast<std::size_t>(w)] &&
            !conflicts.count(key)) {
          a.align[static_cast<std::size_t>(w)] = v;
          a.root[static_cast<std::size_t>(v)] = a.root[static_cast<std::size_t>(w)];
          a.align[static_cast<std::size_t>(v)] = a.root[static_cast<std::size_t>(v)];
          prevIdx = pos[static_cast<std::size_t>(w)];
        }
      }
    }
  }
  return a;
}

// Places the aligned blocks as far left as their left neighbours allow, then pulls each block right
// towards its right neighbours where it has room (so blocks do not all hug the left border).
std::vector<double> horizontalCompaction(const Layered& l, const std::vector<std::vector<int>>& layering,
                                         const Alignment& a, const LayoutOptions& opt) {
  const int total = l.total();
  auto half = [&](int v) {
    return l.width[static_cast<std::size_t>(v)] / 2 + (l.isVirtual(v) ? opt.edgeSep / 2 : opt.nodeSep / 2);
  };
  struct BlockEdge {
    int to;
    double sep;
  };
  std::vector<std::vector<BlockEdge>> out(static_cast<std::size_t>(total));
  std::vector<std::vector<BlockEdge>> in(static_cast<std::size_t>(total));
  std::vector<int> indeg(static_cast<std::size_t>(total), 0);
  for (const auto& layer : layering) {
    for (std::size_t i = 1; i < layer.size(); ++i) {
      const int u = layer[i - 1];
      const int v = layer[i];
      const int ru = a.root[static_cast<std::size_t>(u)];
      const int rv = a.root[static_cast<std::size_t>(v)];
      const double sep = half(u) + half(v);
      out[static_cast<std::size_t>(ru)].push_back({rv, sep});
      in[static_cast<std::size_t>(rv)].push_back({ru, sep});
      ++indeg[static_cast<std::size_t>(rv)];
    }
  }
  std::vector<int> order;
  for (int v = 0; v < total; ++v)
    if (a.root[static_cast<std::size_t>(v)] == v && indeg[static_cast<std::size_t>(v)] == 0) order.push_back(v);
  for (std::size_t i = 0; i < order.size(); ++i)
    for (const auto& e : out[static_cast<std::size_t>(order[i])])
      if (--indeg[static_cast<std::size_t>(e.to)] == 0) order.push_back(e.to);

  std::vector<double> xs(static_cast<std::size_t>(total), 0.0);
  int blocks = 0;
  for (int v = 0; v < total; ++v)
    blocks += a.root[static_cast<std::size_t>(v)] == v ? 1 : 0;
  if (static_cast<int>(order.size()) != blocks) {
    // Cannot happen for a consistent alignment; fall back to packing each layer from the left.
    for (const auto& layer : layering) {
      double x = 0;
      for (std::size_t i = 0; i < layer.size(); ++i) {
        if (i > 0) x += half(layer[i - 1]) + half(layer[i]);
        xs[static_cast<std::size_t>(layer[i])] = x;
      }
    }
    return xs;
  }
  for (int r : order) {
    double x = 0;
    for (const auto& e : in[static_cast<std::size_t>(r)])
      x = std::max(x, xs[static_cast<std::size_t>(e.to)] + e.sep);
    xs[static_cast<std::size_t>(r)] = x;
  }
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    double m = std::numeric_limits<double>::infinity();
    for (const auto& e : out[static_cast<std::size_t>(*it)])
      m = std::min(m, xs[static_cast<std::size_t>(e.to)] - e.sep);
    if (std::isfinite(m)) xs[static_cast<std::size_t>(*it)] = std::max(xs[static_cast<std::size_t>(*it)], m);
  }
  std::vector<double> x(static_cast<std::size_t>(total));
  for (int v = 0; v < total; ++v)
    x[static_cast<std::size_t>(v)] = xs[static_cast<std::size_t>(a.root[static_cast<std::size_t>(v)])];
  return x;
}

Expected<std::vector<double>> assignX(const Layered& l, const LayoutOptions& opt, const CancelToken* cancel) {
  const int total = l.total();
  const auto conflicts = typeOneConflicts(l);
  std::array<std::vector<double>, 4> xss;
  for (int variant = 0; variant < 4; ++variant) {
    if (cancel && cancel->cancelled()) return std::unexpected(cancelled().error());
    const bool upward = variant < 2;
    const bool rightward = variant % 2 == 1;
    std::vector<std::vector<int>> layering = l.layers;
    if (!upward) std::reverse(layering.begin(), layering.end());
    if (rightward)
      for (auto& layer : layering)
        std::reverse(layer.begin(), layer.end());
    const Alignment a = verticalAlignment(l, layering, upward, conflicts);
    xss[static_cast<std::size_t>(variant)] = horizontalCompaction(l, layering, a, opt);
    if (rightward)
      for (double& x : xss[static_cast<std::size_t>(variant)])
        x = -x;
  }
  // Align the four to the narrowest one (left-biased ones by their left ends, right-biased by their
  // right ends), then take the average of the two median candidates per node.
  std::array<double, 4> mins{}, maxs{};
  std::size_t narrowest = 0;
  double narrowestWidth = std::numeric_limits<double>::infinity();
  for (std::size_t k = 0; k < 4; ++k) {
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    double left = lo, right = -lo;
    for (int v = 0; v < total; ++v) {
      const double x = xss[k][static_cast<std::size_t>(v)];
      const double hw = l.width[static_cast<std::size_t>(v)] / 2;
      lo = std::min(lo, x);
      hi = std::max(hi, x);
      left = std::min(left, x - hw);
      right = std::max(right, x + hw);
    }
    mins[k] = lo;
    maxs[k] = hi;
    if (right - left < narrowestWidth) {
      narrowestWidth = right - left;
      narrowest = k;
    }
  }
  for (std::size_t k = 0; k < 4; ++k) {
    const double delta = k % 2 == 0 ? mins[narrowest] - mins[k] : maxs[narrowest] - maxs[k];
    for (double& x : xss[k])
      x += delta;
  }
  std::vector<double> x(static_cast<std::size_t>(total));
  for (int v = 0; v < total; ++v) {
    std::array<double, 4> c{xss[0][static_cast<std::size_t>(v)], xss[1][static_cast<std::size_t>(v)],
                            xss[2][static_cast<std::size_t>(v)], xss[3][static_cast<std::size_t>(v)]};
    std::sort(c.begin(), c.end());
    x[static_cast<std::size_t>(v)] = (c[1] + c[2]) / 2;
  }
  return x;
}

// Spreads the ends of a node's edges over its bottom (or top) side in the order of where they go, so
// that edges leaving a node do not start from one point and cross right away.
void spreadPorts(std::vector<std::vector<Point>>& routes, const std::vector<std::vector<int>>& byNode,
                 const LayoutGraph& g, bool outgoing) {
  std::vector<std::pair<double, int>> ends;
  for (std::size_t v = 0; v < byNode.size(); ++v) {
    const auto& es = byNode[v];
    if (es.size() < 2) continue;
    ends.clear();
    for (int e : es) {
      const auto& r = routes[static_cast<std::size_t>(e)];
      ends.push_back({outgoing ? r[1].x : r[r.size() - 2].x, e});
    }
    std::stable_sort(ends.begin(), ends.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    const double k = static_cast<double>(ends.size());
    const double spacing = std::min(12.0, 0.7 * g.widths[v] / (k - 1));
    for (std::size_t i = 0; i < ends.size(); ++i) {
      auto& r = routes[static_cast<std::size_t>(ends[i].second)];
      const double offset = (static_cast<double>(i) - (k - 1) / 2) * spacing;
      (outgoing ? r.front() : r.back()).x += offset;
    }
  }
}

} // namespace

int64_t countCrossings(std::vector<std::pair<int, int>> edges, int lowerLayerSize) {
  std::sort(edges.begin(), edges.end());
  // Fenwick tree over lower positions: for each edge, count earlier edges ending further right.
  std::vector<int> tree(static_cast<std::size_t>(lowerLayerSize) + 1, 0);
  int64_t crossings = 0;
  int64_t inserted = 0;
  for (const auto& e : edges) {
    int64_t notGreater = 0;
    for (int i = e.second + 1; i > 0; i -= i & -i)
      notGreater += tree[static_cast<std::size_t>(i)];
    crossings += inserted - notGreater;
    for (int i = e.second + 1; i <= lowerLayerSize; i += i & -i)
      ++tree[static_cast<std::size_t>(i)];
    ++inserted;
  }
  return crossings;
}

Expected<LayoutResult> computeLayout(const LayoutGraph& g, const LayoutOptions& opt, const CancelToken* cancel) {
  const int n = g.nodeCount();
  if (g.heights.size() != g.widths.size())
    return makeError(codes::kInvalid, "graph layout: widths and heights differ in length");
  for (const auto& [a, b] : g.edges)
    if (a < 0 || b < 0 || a >= n || b >= n)
      return makeError(codes::kInvalid, "graph layout: an edge names node " + std::to_string(a < 0 || a >= n ? a : b) +
                                            " of " + std::to_string(n));
  LayoutResult result;
  auto t0 = Clock::now();

  // Orient (break cycles), de-duplicate, rank.
  const std::vector<int> order = forwardOrder(n, g.edges);
  std::vector<int> orderPos(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i)
    orderPos[static_cast<std::size_t>(order[static_cast<std::size_t>(i)])] = i;
  std::vector<LayerEdge> edges;
  std::vector<int> edgeOf(g.edges.size(), -1);
  std::vector<char> reversed(g.edges.size(), 0);
  std::unordered_map<uint64_t, int> unique;
  for (std::size_t i = 0; i < g.edges.size(); ++i) {
    auto [a, b] = g.edges[i];
    if (a == b) continue;
    if (orderPos[static_cast<std::size_t>(a)] > orderPos[static_cast<std::size_t>(b)]) {
      std::swap(a, b);
      reversed[i] = 1;
    }
    auto [it, added] = unique.try_emplace(pairKey(a, b), static_cast<int>(edges.size()));
    if (added) edges.push_back({a, b, {}});
    edgeOf[i] = it->second;
  }
  Layered l = buildLayered(g, longestPathRanks(n, order, edges), edges);
  result.stats.msRank = msSince(t0);
  if (cancel && cancel->cancelled()) return std::unexpected(cancelled().error());

  t0 = Clock::now();
  GS_RETURN_IF_ERROR(orderLayers(l, opt, cancel, result.stats));
  result.stats.msOrder = msSince(t0);

  t0 = Clock::now();
  GS_ASSIGN_OR_RETURN(std::vector<double> x, assignX(l, opt, cancel));
  double left = std::numeric_limits<double>::infinity();
  double right = -left;
  for (int v = 0; v < l.total(); ++v) {
    left = std::min(left, x[static_cast<std::size_t>(v)] - l.width[static_cast<std::size_t>(v)] / 2);
    right = std::max(right, x[static_cast<std::size_t>(v)] + l.width[static_cast<std::size_t>(v)] / 2);
  }
  if (l.total() == 0) left = right = 0;
  for (double& xv : x)
    xv -= left;
  const std::size_t layerCount = l.layers.size();
  std::vector<double> layerHeight(layerCount, 0.0), layerTop(layerCount, 0.0);
  for (int v = 0; v < n; ++v)
    layerHeight[static_cast<std::size_t>(l.rank[static_cast<std::size_t>(v)])] =
        std::max(layerHeight[static_cast<std::size_t>(l.rank[static_cast<std::size_t>(v)])],
                 g.heights[static_cast<std::size_t>(v)]);
  for (std::size_t r = 1; r < layerCount; ++r)
    layerTop[r] = layerTop[r - 1] + layerHeight[r - 1] + opt.rankSep;
  result.centers.resize(static_cast<std::size_t>(n));
  result.ranks.assign(l.rank.begin(), l.rank.begin() + n);
  for (int v = 0; v < n; ++v) {
    const auto r = static_cast<std::size_t>(l.rank[static_cast<std::size_t>(v)]);
    result.centers[static_cast<std::size_t>(v)] = {x[static_cast<std::size_t>(v)], layerTop[r] + layerHeight[r] / 2};
  }
  result.width = right - left;
  result.height = layerCount == 0 ? 0 : layerTop.back() + layerHeight.back();
  result.stats.layers = static_cast<int>(layerCount);
  result.stats.virtualNodes = l.total() - n;
  result.stats.msPosition = msSince(t0);

  // Routes of the de-duplicated edges: bottom of the source, straight down through each layer an edge
  // crosses, top of the target.
  t0 = Clock::now();
  std::vector<std::vector<Point>> routes(edges.size());
  std::vector<std::vector<int>> outByNode(static_cast<std::size_t>(n)), inByNode(static_cast<std::size_t>(n));
  for (std::size_t e = 0; e < edges.size(); ++e) {
    const auto& le = edges[e];
    const Point from = result.centers[static_cast<std::size_t>(le.from)];
    const Point to = result.centers[static_cast<std::size_t>(le.to)];
    auto& r = routes[e];
    r.reserve(2 + 2 * le.chain.size());
    r.push_back({from.x, from.y + g.heights[static_cast<std::size_t>(le.from)] / 2});
    for (int vn : le.chain) {
      const auto rank = static_cast<std::size_t>(l.rank[static_cast<std::size_t>(vn)]);
      const double vx = x[static_cast<std::size_t>(vn)];
      r.push_back({vx, layerTop[rank]});
      if (layerHeight[rank] > 0) r.push_back({vx, layerTop[rank] + layerHeight[rank]});
    }
    r.push_back({to.x, to.y - g.heights[static_cast<std::size_t>(le.to)] / 2});
    outByNode[static_cast<std::size_t>(le.from)].push_back(static_cast<int>(e));
    inByNode[static_cast<std::size_t>(le.to)].push_back(static_cast<int>(e));
  }
  spreadPorts(routes, outByNode, g, true);
  spreadPorts(routes, inByNode, g, false);
  result.edgeRoutes.resize(g.edges.size());
  for (std::size_t i = 0; i < g.edges.size(); ++i) {
    if (edgeOf[i] < 0) continue;
    auto route = routes[static_cast<std::size_t>(edgeOf[i])];
    if (reversed[i]) std::reverse(route.begin(), route.end());
    result.edgeRoutes[i] = std::move(route);
  }
  result.stats.msRoute = msSince(t0);
  return result;
}

} // namespace gs::ui::layout
