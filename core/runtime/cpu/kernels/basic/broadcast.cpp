// Broadcast plans: shape rules and dim coalescing.
#include "core/runtime/cpu/kernels/basic/broadcast.h"

namespace gs::runtime::cpu::basic {

bool broadcastShapes(std::span<const int64_t> a, std::span<const int64_t> b, std::vector<int64_t>& out) {
  const std::size_t r = std::max(a.size(), b.size());
  out.assign(r, 1);
  for (std::size_t i = 0; i < r; ++i) {
    const int64_t da = i < r - a.size() ? 1 : a[i - (r - a.size())];
    const int64_t db = i < r - b.size() ? 1 : b[i - (r - b.size())];
    if (da != db && da != 1 && db != 1) return false;
    out[i] = da == 1 ? db : da;
  }
  return true;
}

bool makeBroadcastPlan(std::span<const std::span<const int64_t>> inputs, std::span<const int64_t> outDims,
                       BroadcastPlan& plan) {
  const int n = static_cast<int>(inputs.size());
  const int r = static_cast<int>(outDims.size());
  if (n > kMaxBroadcastInputs || r > kMaxRank) return false;
  plan = BroadcastPlan{};
  plan.numInputs = n;
  plan.total = productOf(outDims);

  // Per-dim sizes and contiguous input strides (0 where broadcast), size-1 output dims dropped.
  DimArray dims{};
  std::array<DimArray, kMaxBroadcastInputs> strides{};
  int kept = 0;
  std::array<int64_t, kMaxBroadcastInputs> running{1, 1, 1};
  std::array<DimArray, kMaxBroadcastInputs> full{};
  for (int k = 0; k < n; ++k) {
    const auto& in = inputs[static_cast<std::size_t>(k)];
    if (static_cast<int>(in.size()) > r) return false;
    for (int d = r - 1; d >= 0; --d) {
      const int pos = d - (r - static_cast<int>(in.size()));
      const int64_t di = pos < 0 ? 1 : in[static_cast<std::size_t>(pos)];
      if (di != outDims[static_cast<std::size_t>(d)] && di != 1) return false;
      full[k][d] = di == 1 ? 0 : running[k];
      running[k] *= di;
    }
  }
  for (int d = 0; d < r; ++d) {
    const int64_t od = outDims[static_cast<std::size_t>(d)];
    if (od == 1) continue;
    // Merge with the previous kept dim when every input continues it contiguously (or broadcasts both).
    bool merge = kept > 0;
    for (int k = 0; k < n && merge; ++k)
      merge = strides[k][kept - 1] == full[k][d] * od;
    if (merge) {
      dims[kept - 1] *= od;
      for (int k = 0; k < n; ++k)
        strides[k][kept - 1] = full[k][d];
    } else {
      dims[kept] = od;
      for (int k = 0; k < n; ++k)
        strides[k][kept] = full[k][d];
      ++kept;
    }
  }
  if (kept == 0) {
    plan.rank = 0;
    plan.inner = 1;
    return true;
  }
  plan.rank = kept - 1;
  plan.inner = dims[kept - 1];
  for (int k = 0; k < n; ++k)
    plan.innerStride[k] = strides[k][kept - 1];
  for (int d = 0; d < kept - 1; ++d) {
    plan.dims[d] = dims[d];
    for (int k = 0; k < n; ++k)
      plan.strides[k][d] = strides[k][d];
  }
  if (plan.total == 0) plan.inner = std::max<int64_t>(plan.inner, 1);
  return true;
}

} // namespace gs::runtime::cpu::basic
