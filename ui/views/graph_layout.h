// Layered (Sugiyama) layout for the graph view, top to bottom: ranks by longest path, virtual nodes on
// long edges, barycentre ordering sweeps that keep the order with the fewest crossings, Brandes–Köpf
// coordinate assignment, and edge routes as polylines through the virtual nodes. Plain C++ without Qt
// so that it runs in a worker thread and is unit-testable; every phase is linear or near-linear in the
// size of the layered graph.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "core/common/progress.h"
#include "core/common/status.h"

namespace gs::ui::layout {

struct Point {
  double x = 0;
  double y = 0;
};

struct LayoutGraph {
  std::vector<double> widths;  // per node
  std::vector<double> heights; // per node
  // from -> to, node indices. Duplicates are allowed (one route each); a cycle is broken by reversing
  // the edges that point backwards in a depth-first order, and self-loops get an empty route.
  std::vector<std::pair<int, int>> edges;

  int nodeCount() const { return static_cast<int>(widths.size()); }
  int addNode(double width, double height) {
    widths.push_back(width);
    heights.push_back(height);
    return nodeCount() - 1;
  }
};

struct LayoutOptions {
  double nodeSep = 24; // horizontal gap between two real nodes of a layer
  double edgeSep = 14; // horizontal gap next to an edge passing through a layer
  double rankSep = 40; // vertical gap between layers
  int maxSweeps = 12;  // ordering sweeps (one down or one up each) at most
  int patience = 4;    // stop after this many sweeps without fewer crossings
};

struct LayoutStats {
  int layers = 0;
  int virtualNodes = 0;
  int64_t crossings = 0; // of the final order
  int sweeps = 0;
  double msRank = 0, msOrder = 0, msPosition = 0, msRoute = 0;
};

struct LayoutResult {
  std::vector<Point> centers;                 // per node
  std::vector<int> ranks;                     // per node (layer index from the top)
  std::vector<std::vector<Point>> edgeRoutes; // per edge of the input: source bottom -> ... -> target top
  double width = 0;                           // bounding box, from (0, 0)
  double height = 0;
  LayoutStats stats;
};

// Lays the graph out. Returns an error with code kCancelled when cancel fires, kInvalid when an edge
// names a node that does not exist.
Expected<LayoutResult> computeLayout(const LayoutGraph& graph, const LayoutOptions& options = {},
                                     const CancelToken* cancel = nullptr);

// Crossings between two adjacent layers (upper and lower orders given as positions) of the edges
// (upperPos, lowerPos): the inversion count, O(E log V). Exposed for tests.
int64_t countCrossings(std::vector<std::pair<int, int>> edges, int lowerLayerSize);

} // namespace gs::ui::layout
