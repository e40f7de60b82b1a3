// Numpy broadcasting for up to three inputs. A plan drops size-1 output dims and merges adjacent
// dims that every input walks the same way, so same-shape, scalar and per-channel cases become one
// contiguous inner span with input strides of 0 or 1 (the fast paths); anything else is walked
// span by span with an incremental N-d counter (the general fallback).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "core/runtime/cpu/kernels/basic/common.h"

namespace gs::runtime::cpu::basic {

inline constexpr int kMaxBroadcastInputs = 3;

struct BroadcastPlan {
  int numInputs = 0;
  int rank = 0;                                           // coalesced dims before the inner one (the row index space)
  DimArray dims{};                                        // their sizes
  std::array<DimArray, kMaxBroadcastInputs> strides{};    // element strides of each input per row dim
  int64_t inner = 1;                                      // length of the innermost coalesced dim
  std::array<int64_t, kMaxBroadcastInputs> innerStride{}; // 0 (broadcast) or 1 (contiguous)
  int64_t total = 0;                                      // output elements
};

// Numpy-broadcast shape of a and b; false when they are incompatible.
bool broadcastShapes(std::span<const int64_t> a, std::span<const int64_t> b, std::vector<int64_t>& out);

// Plan for reading each input broadcast to outDims; false when an input does not broadcast to it or
// the rank exceeds kMaxRank.
bool makeBroadcastPlan(std::span<const std::span<const int64_t>> inputs, std::span<const int64_t> outDims,
                       BroadcastPlan& plan);

// Calls f(outOffset, inOffsets, count) for consecutive spans covering output elements [e0, e1); in
// each span input k advances by plan.innerStride[k] per element.
template <class F> void forEachSpan(const BroadcastPlan& p, int64_t e0, int64_t e1, F&& f) {
  if (e0 >= e1) return;
  int64_t row = e0 / p.inner;
  int64_t col = e0 % p.inner;
  DimArray idx{};
  std::array<int64_t, kMaxBroadcastInputs> off{};
  for (int d = p.rank - 1; d >= 0; --d) {
    idx[d] = row % p.dims[d];
    row /= p.dims[d];
    for (int k = 0; k < p.numInputs; ++k)
      off[k] += idx[d] * p.strides[k][d];
  }
  int64_t e = e0;
  while (true) {
    const int64_t n = std::min(p.inner - col, e1 - e);
    std::array<int64_t, kMaxBroadcastInputs> o{};
    for (int k = 0; k < p.numInputs; ++k)
      o[k] = off[k] + col * p.innerStride[k];
    f(e, o, n);
    e += n;
    if (e >= e1) break;
    col = 0;
    for (int d = p.rank - 1; d >= 0; --d) {
      if (++idx[d] < p.dims[d]) {
        for (int k = 0; k < p.numInputs; ++k)
          off[k] += p.strides[k][d];
        break;
      }
      for (int k = 0; k < p.numInputs; ++k)
        off[k] -= (p.dims[d] - 1) * p.strides[k][d];
      idx[d] = 0;
    }
  }
}

} // namespace gs::runtime::cpu::basic
