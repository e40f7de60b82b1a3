// Pass "fuse-hardswish": recognises x*Clip(x+3,0,6)/6 and x*HardSigmoid(x) and makes them HardSwish.
#pragma once

#include "core/compiler/passes/pass.h"

namespace gs::compiler::passes {

Expected<bool> fuseHardSwish(ir::Graph& g, PassContext& ctx);

} // namespace gs::compiler::passes
