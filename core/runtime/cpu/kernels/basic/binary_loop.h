// The broadcast elementwise loop shared by the binary, variadic and Where kernels: per span, the
// input strides are 0 or 1, so each span is a contiguous loop with an operand held in a register
// when it is broadcast (scalar operand, per-channel operand).
#pragma once

#include "core/runtime/cpu/kernels/basic/broadcast.h"

namespace gs::runtime::cpu::basic {

// Applies out[e] = F(a, b) for output elements [e0, e1) of plan p.
template <class A, class B, class O, class F>
void binarySpans(const BroadcastPlan& p, const A* a, const B* b, O* o, int64_t e0, int64_t e1, F&& f) {
  const bool sa = p.innerStride[0] != 0;
  const bool sb = p.innerStride[1] != 0;
  forEachSpan(p, e0, e1, [&](int64_t e, const std::array<int64_t, kMaxBroadcastInputs>& off, int64_t n) {
    const A* pa = a + off[0];
    const B* pb = b + off[1];
    O* po = o + e;
    if (sa && sb) {
      for (int64_t i = 0; i < n; ++i)
        po[i] = static_cast<O>(f(pa[i], pb[i]));
    } else if (sa) {
      const B y = *pb;
      for (int64_t i = 0; i < n; ++i)
        po[i] = static_cast<O>(f(pa[i], y));
    } else if (sb) {
      const A x = *pa;
      for (int64_t i = 0; i < n; ++i)
        po[i] = static_cast<O>(f(x, pb[i]));
    } else {
      const O v = static_cast<O>(f(*pa, *pb));
      for (int64_t i = 0; i < n; ++i)
        po[i] = v;
    }
  });
}

} // namespace gs::runtime::cpu::basic
