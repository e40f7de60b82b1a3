// See graph_layout.h. Ranking, virtual nodes, ordering and routing; coordinates are in
// layout_coordinates.cpp.
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

#include "ui/views/layout_coordinates.h"

namespace gs::ui::layout {
using detail::Layered;
using detail::pairKey;

namespace {

using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

Status cancelled() { return makeError(codes::kCancelled, "graph layout cancelled"); }

// An edge after cycle breaking and de-duplication, with the virtual nodes it passes through.
struct LayerEdge {
  int from = 0;
  int to = 0;
  std::vector<int> chain; // virtual nodes, top to bottom
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
  GS_ASSIGN_OR_RETURN(std::vector<double> x, detail::assignX(l, opt, cancel));
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
