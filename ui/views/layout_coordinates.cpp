// See layout_coordinates.h. Follows Brandes & Köpf, "Fast and Simple Horizontal Coordinate Assignment"
// (2001), with the block-graph compaction later implementations settled on (two longest-path passes over
// the graph of aligned blocks), which avoids the original's class shifts.
#include "ui/views/layout_coordinates.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <numeric>
#include <unordered_set>

namespace gs::ui::layout::detail {
namespace {

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

} // namespace

Expected<std::vector<double>> assignX(const Layered& l, const LayoutOptions& opt, const CancelToken* cancel) {
  const int total = l.total();
  const auto conflicts = typeOneConflicts(l);
  std::array<std::vector<double>, 4> xss;
  for (int variant = 0; variant < 4; ++variant) {
    if (cancel && cancel->cancelled()) return makeError(codes::kCancelled, "graph layout cancelled");
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

} // namespace gs::ui::layout::detail
