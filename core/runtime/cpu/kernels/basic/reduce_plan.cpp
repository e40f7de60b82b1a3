// Reduction plans: split dims into kept and reduced groups and merge neighbours.
#include "core/runtime/cpu/kernels/basic/reduce_plan.h"

namespace gs::runtime::cpu::basic {

ReducePlan makeReducePlan(std::span<const int64_t> dims, std::span<const bool> reduced) {
  ReducePlan p;
  const int r = static_cast<int>(dims.size());
  DimArray strides{};
  int64_t s = 1;
  for (int d = r - 1; d >= 0; --d) {
    strides[d] = s;
    s *= dims[static_cast<std::size_t>(d)];
  }
  int lastKind = -1; // 0 kept, 1 reduced: the kind of the previous non-1 dim, for merging
  for (int d = 0; d < r; ++d) {
    const int64_t n = dims[static_cast<std::size_t>(d)];
    const bool red = reduced[static_cast<std::size_t>(d)];
    if (red)
      p.redCount *= n;
    else
      p.outCount *= n;
    if (n == 1) continue;
    const int kind = red ? 1 : 0;
    if (kind == lastKind) {
      // Contiguous neighbour of the same kind: merge (the group's stride becomes the inner one).
      if (red) {
        p.redDims[p.redRank - 1] *= n;
        p.redStrides[p.redRank - 1] = strides[d];
      } else {
        p.keptDims[p.keptRank - 1] *= n;
        p.keptStrides[p.keptRank - 1] = strides[d];
      }
    } else if (red) {
      p.redDims[p.redRank] = n;
      p.redStrides[p.redRank] = strides[d];
      ++p.redRank;
    } else {
      p.keptDims[p.keptRank] = n;
      p.keptStrides[p.keptRank] = strides[d];
      ++p.keptRank;
    }
    lastKind = kind;
  }
  return p;
}

} // namespace gs::runtime::cpu::basic
