// Permutation copies (Transpose, DepthToSpace, SpaceToDepth). The plan drops size-1 dims and merges
// output dims that are consecutive in the input, so common perms collapse: NCHW->NHWC becomes a
// batched 2-D transpose, perms that keep the last dim become row copies. The last two output dims
// are walked in cache blocks; element size is all that matters (any fixed-size dtype).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "core/runtime/cpu/kernels/basic/common.h"

namespace gs::runtime::cpu::basic {

struct TransposePlan {
  int rank = 0;         // merged output rank
  DimArray dims{};      // merged output dims
  DimArray inStrides{}; // input element stride of each merged output dim
  int64_t total = 0;
};

// perm[i] is the input dim that becomes output dim i. False when perm is not a permutation of
// inDims' axes or the rank exceeds kMaxRank.
bool makeTransposePlan(std::span<const int64_t> inDims, std::span<const int64_t> perm, TransposePlan& plan);
// Copies in -> out per the plan; in and out must not overlap.
void runTranspose(const TransposePlan& plan, const void* in, void* out, std::size_t elemSize);

} // namespace gs::runtime::cpu::basic
