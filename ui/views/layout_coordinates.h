// Internal to the graph layout: the proper layered graph (real and virtual nodes, every edge joining
// adjacent layers) and the Brandes–Köpf horizontal coordinate assignment over it.
#pragma once

#include <cstdint>
#include <vector>

#include "core/common/progress.h"
#include "core/common/status.h"
#include "ui/views/graph_layout.h"

namespace gs::ui::layout::detail {

inline uint64_t pairKey(int a, int b) {
  return (static_cast<uint64_t>(static_cast<uint32_t>(a)) << 32) | static_cast<uint32_t>(b);
}

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

// x of every node (real and virtual) for the final layer order: the balanced median of the four
// Brandes–Köpf alignments (up/down x left/right). Nodes of a layer keep their order and are at least
// half their widths plus nodeSep (edgeSep next to virtual nodes) apart. Error kCancelled when cancelled.
Expected<std::vector<double>> assignX(const Layered& l, const LayoutOptions& options, const CancelToken* cancel);

} // namespace gs::ui::layout::detail
