// Pass "fold-shape-values": turns values whose data shape inference computed (Shape/Gather/Concat chains) into
// constants.
#pragma once

#include "core/compiler/passes/pass.h"

namespace gs::compiler::passes {

Expected<bool> foldShapeValues(ir::Graph& g, PassContext& ctx);

} // namespace gs::compiler::passes
