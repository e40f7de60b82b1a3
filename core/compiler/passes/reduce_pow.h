// Pass "reduce-pow": Pow with a constant one-element float exponent becomes cheaper arithmetic:
// x^2 -> x*x, x^3 -> (x*x)*x, x^4 -> (x*x)*(x*x), x^0.5 -> Sqrt(x), x^-1 -> Reciprocal(x),
// x^-0.5 -> Reciprocal(Sqrt(x)), x^-2 -> Reciprocal(x*x). Only for float32 x whose rank is known and
// not below the exponent's (so the result has x's shape). The general Pow kernel calls std::pow per
// element; a mel-spectrogram's power step (Pow 2) took nearly half of that model's time through it.
// Results: x*x is pow's correctly rounded value; x^3, x^4 and x^-2 round two or three times (within
// 2 ulp); Sqrt differs from pow only at -0 (gives -0, pow +0) and -inf (NaN, pow +inf).
#pragma once

#include "core/compiler/passes/pass.h"

namespace gs::compiler::passes {

Expected<bool> reducePow(ir::Graph& g, PassContext& ctx);

} // namespace gs::compiler::passes
