// Index plan of a reduction over a set of axes: the kept dims (the output's index space) and the
// reduced dims, each with input strides, size-1 dims dropped and adjacent dims of the same kind
// merged (so reducing the trailing axes of a tensor is one contiguous loop per output element).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/runtime/cpu/kernels/basic/common.h"

namespace gs::runtime::cpu::basic {

struct ReducePlan {
  int keptRank = 0;
  DimArray keptDims{};
  DimArray keptStrides{};
  int redRank = 0;
  DimArray redDims{};
  DimArray redStrides{};
  int64_t outCount = 1; // output elements
  int64_t redCount = 1; // input elements per output element
};

// reduced[d] says whether input dim d is reduced. dims.size() <= kMaxRank.
ReducePlan makeReducePlan(std::span<const int64_t> dims, std::span<const bool> reduced);

// Calls f(outIndex, inputBase) for output elements [o0, o1).
template <class F> void forEachKept(const ReducePlan& p, int64_t o0, int64_t o1, F&& f) {
  if (o0 >= o1) return;
  DimArray idx{};
  int64_t base = 0;
  int64_t rem = o0;
  for (int d = p.keptRank - 1; d >= 0; --d) {
    idx[d] = rem % p.keptDims[d];
    rem /= p.keptDims[d];
    base += idx[d] * p.keptStrides[d];
  }
  for (int64_t o = o0; o < o1; ++o) {
    f(o, base);
    for (int d = p.keptRank - 1; d >= 0; --d) {
      if (++idx[d] < p.keptDims[d]) {
        base += p.keptStrides[d];
        break;
      }
      base -= (p.keptDims[d] - 1) * p.keptStrides[d];
      idx[d] = 0;
    }
  }
}

// Calls f(inputOffset) for every reduced element of the output element at base.
template <class F> void forEachReduced(const ReducePlan& p, int64_t base, F&& f) {
  if (p.redRank == 0) {
    f(base);
    return;
  }
  if (p.redCount == 0) return;
  if (p.redRank == 1) {
    const int64_t n = p.redDims[0];
    const int64_t s = p.redStrides[0];
    for (int64_t r = 0; r < n; ++r)
      f(base + r * s);
    return;
  }
  DimArray idx{};
  int64_t off = base;
  const int last = p.redRank - 1;
  while (true) {
    const int64_t n = p.redDims[last];
    const int64_t s = p.redStrides[last];
    for (int64_t r = 0; r < n; ++r)
      f(off + r * s);
    int d = last - 1;
    for (; d >= 0; --d) {
      if (++idx[d] < p.redDims[d]) {
        off += p.redStrides[d];
        break;
      }
      off -= (p.redDims[d] - 1) * p.redStrides[d];
      idx[d] = 0;
    }
    if (d < 0) return;
  }
}

} // namespace gs::runtime::cpu::basic
