// Pass "fold-cast-pairs": Cast(Cast(x, B), C) reads x directly when the first Cast is exact (B holds
// every value of x's type: float16 -> float32, int8 -> int32 ...), so the pair computes Cast(x, C);
// when C is x's own type the remaining Cast is a no-op that eliminate-identity removes. A pair whose
// first Cast rounds (float32 -> float16 -> float32) changes values and is kept.
#pragma once

#include "core/compiler/passes/pass.h"

namespace gs::compiler::passes {

Expected<bool> foldCastPairs(ir::Graph& g, PassContext& ctx);

// Whether every value of `from` is exactly a value of `to` (a Cast from -> to loses nothing).
bool castIsExact(ir::DataType from, ir::DataType to);

} // namespace gs::compiler::passes
