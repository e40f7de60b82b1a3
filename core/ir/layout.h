// Channels-last (NHWC) tensors inside a compiled graph. The layout-nhwc compiler pass keeps chains of
// convolutions in NHWC so oneDNN's kernels (which work in channels-last internally) need no reorder
// between layers. A value in NHWC carries its physical shape [N, H, W, C]; the ops that care about
// layout are GearStudio ops (core/ir/gs_ops.h): FusedConv and FusedConvTranspose with layout = "NHWC",
// and the Nhwc* pools; they read their layout inputs and write their outputs in that order. Shape
// inference, costs and kernels translate with the helpers below. Only rank-4 tensors are ever
// channels-last.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/ir/graph.h"
#include "core/ir/gs_ops.h"

namespace gs::ir {

// NCHW dim i sits at NHWC position kNchwToNhwcAxis[i]; NHWC position j holds NCHW dim kNhwcOrder[j].
inline constexpr int64_t kNchwToNhwcAxis[4] = {0, 3, 1, 2};
inline constexpr int64_t kNhwcOrder[4] = {0, 2, 3, 1}; // Transpose perm NCHW -> NHWC
inline constexpr int64_t kNchwOrder[4] = {0, 3, 1, 2}; // Transpose perm NHWC -> NCHW

inline bool isChannelsLast(const Node& n) {
  if (!gsop::inDomain(n)) return false;
  if (n.opType == gsop::kFusedConv || n.opType == gsop::kFusedConvTranspose || n.opType == gsop::kQuantConv) {
    const auto* a = n.attrs.find(gsop::kLayout);
    return a && a->kind == Attribute::Kind::String && a->s == gsop::kNhwc;
  }
  return n.opType == gsop::kNhwcMaxPool || n.opType == gsop::kNhwcAveragePool ||
         n.opType == gsop::kNhwcGlobalAveragePool || n.opType == gsop::kNhwcGlobalMaxPool;
}

// The inputs of a channels-last node that are in NHWC: X, and FusedConv's residual Z (input 3).
inline bool isLayoutInput(const Node& n, std::size_t i) { return i == 0 || (i == 3 && gsop::hasResidual(n)); }
// Outputs in NHWC: Y (MaxPool's Indices output is never present on a channels-last node).
inline bool isLayoutOutput(const Node& n, std::size_t i) {
  (void)n;
  return i == 0;
}

// Permutes a rank-4 list of dims; other ranks come back unchanged.
template <class T> std::vector<T> permute4(std::span<const T> v, const int64_t (&order)[4]) {
  if (v.size() != 4) return std::vector<T>(v.begin(), v.end());
  return {v[static_cast<std::size_t>(order[0])], v[static_cast<std::size_t>(order[1])],
          v[static_cast<std::size_t>(order[2])], v[static_cast<std::size_t>(order[3])]};
}
inline std::vector<int64_t> nhwcToNchw(std::span<const int64_t> v) { return permute4(v, kNchwOrder); }
inline std::vector<int64_t> nchwToNhwc(std::span<const int64_t> v) { return permute4(v, kNhwcOrder); }
inline Shape nhwcToNchw(const Shape& s) {
  if (!s.rankKnown || s.rank() != 4) return s;
  return Shape(permute4(std::span<const Dim>(s.dims), kNchwOrder));
}
inline Shape nchwToNhwc(const Shape& s) {
  if (!s.rankKnown || s.rank() != 4) return s;
  return Shape(permute4(std::span<const Dim>(s.dims), kNhwcOrder));
}

} // namespace gs::ir
