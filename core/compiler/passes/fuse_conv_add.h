// Pass "fuse-conv-add": fuses an Add of a same-shaped tensor into the Conv before it (a FusedConv with residual Z).
#pragma once

#include "core/compiler/passes/pass.h"

namespace gs::compiler::passes {

Expected<bool> fuseConvAdd(ir::Graph& g, PassContext& ctx);

} // namespace gs::compiler::passes
