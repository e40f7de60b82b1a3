// Pass "simplify-arithmetic": removes arithmetic that does nothing: x*1, x/1, x+0, x-0, x^1 with a
// one-element constant that does not broadcast x to a higher rank (PP-OCRv4 rec's swish is x *
// Sigmoid(x * 1.0)).
#pragma once

#include "core/compiler/passes/pass.h"

namespace gs::compiler::passes {

Expected<bool> simplifyArithmetic(ir::Graph& g, PassContext& ctx);

} // namespace gs::compiler::passes
