// Permutation copies: plan (drop size-1 dims, merge) and blocked execution.
#include "core/runtime/cpu/kernels/basic/transpose_plan.h"

#include <cstring>

#include "core/runtime/cpu/kernels/basic/dispatch.h"
#include "core/runtime/cpu/kernels/basic/parallel.h"

namespace gs::runtime::cpu::basic {

bool makeTransposePlan(std::span<const int64_t> inDims, std::span<const int64_t> perm, TransposePlan& plan) {
  const int r = static_cast<int>(inDims.size());
  if (r > kMaxRank || static_cast<int>(perm.size()) != r) return false;
  std::array<bool, kMaxRank> seen{};
  for (auto p : perm) {
    if (p < 0 || p >= r || seen[static_cast<std::size_t>(p)]) return false;
    seen[static_cast<std::size_t>(p)] = true;
  }
  DimArray strides{};
  int64_t s = 1;
  for (int d = r - 1; d >= 0; --d) {
    strides[d] = s;
    s *= inDims[static_cast<std::size_t>(d)];
  }
  plan = TransposePlan{};
  plan.total = s;
  int lastIn = -2;
  for (int o = 0; o < r; ++o) {
    const auto i = static_cast<int>(perm[static_cast<std::size_t>(o)]);
    const int64_t n = inDims[static_cast<std::size_t>(i)];
    if (n == 1) continue;
    // Merge when this output dim continues the previous one in the input (only size-1 dims between).
    bool merge = plan.rank > 0 && i > lastIn;
    for (int k = lastIn + 1; merge && k < i; ++k)
      merge = inDims[static_cast<std::size_t>(k)] == 1;
    if (merge) {
      plan.dims[plan.rank - 1] *= n;
      plan.inStrides[plan.rank - 1] = strides[i];
    } else {
      plan.dims[plan.rank] = n;
      plan.inStrides[plan.rank] = strides[i];
      ++plan.rank;
    }
    lastIn = i;
  }
  return true;
}

namespace {

// Input offset of the outer index o over the first `count` merged dims.
int64_t outerOffset(const TransposePlan& p, int count, int64_t o) {
  int64_t off = 0;
  for (int d = count - 1; d >= 0; --d) {
    off += (o % p.dims[d]) * p.inStrides[d];
    o /= p.dims[d];
  }
  return off;
}

template <class T> void transposeTyped(const TransposePlan& p, const T* in, T* out) {
  if (p.total == 0) return;
  if (p.rank <= 1) {
    copyBytes(out, in, static_cast<std::size_t>(p.total) * sizeof(T));
    return;
  }
  const int last = p.rank - 1;
  if (p.inStrides[last] == 1) {
    // The last dim stays innermost: copy rows.
    const int64_t rowLen = p.dims[last];
    const int64_t rows = p.total / rowLen;
    parallelFor(rows, std::max<int64_t>(1, kGrainCopy / rowLen), [&](int64_t r0, int64_t r1) {
      for (int64_t r = r0; r < r1; ++r)
        std::memcpy(out + r * rowLen, in + outerOffset(p, last, r), static_cast<std::size_t>(rowLen) * sizeof(T));
    });
    return;
  }
  // Blocked 2-D copy of the last two dims for each outer index.
  constexpr int64_t kBlock = 32;
  const int64_t rowsN = p.dims[last - 1];
  const int64_t colsN = p.dims[last];
  const int64_t sR = p.inStrides[last - 1];
  const int64_t sC = p.inStrides[last];
  const int64_t rowBlocks = (rowsN + kBlock - 1) / kBlock;
  const int64_t outer = p.total / (rowsN * colsN);
  parallelFor(outer * rowBlocks, std::max<int64_t>(1, kGrainCopy / (kBlock * colsN)), [&](int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; ++t) {
      const int64_t o = t / rowBlocks;
      const int64_t rb = (t % rowBlocks) * kBlock;
      const int64_t re = std::min(rowsN, rb + kBlock);
      const T* src = in + outerOffset(p, last - 1, o);
      T* dst = out + o * rowsN * colsN;
      for (int64_t cb = 0; cb < colsN; cb += kBlock) {
        const int64_t ce = std::min(colsN, cb + kBlock);
        for (int64_t r = rb; r < re; ++r)
          for (int64_t c = cb; c < ce; ++c)
            dst[r * colsN + c] = src[r * sR + c * sC];
      }
    }
  });
}

} // namespace

void runTranspose(const TransposePlan& plan, const void* in, void* out, std::size_t elemSize) {
  visitBySize(elemSize, [&](auto tag) {
    using T = decltype(tag);
    transposeTyped(plan, static_cast<const T*>(in), static_cast<T*>(out));
  });
}

} // namespace gs::runtime::cpu::basic
