// Pass "specialize-shapes": sets this gear's input shapes and infers every value's shape, propagating shape data.
#pragma once

#include "core/compiler/passes/pass.h"

namespace gs::compiler::passes {

Expected<bool> specializeShapes(ir::Graph& g, PassContext& ctx);

} // namespace gs::compiler::passes

namespace gs::compiler::passes {

// An error (GS0003) naming the first node whose op the registry does not know.
Status checkOpsSupported(const ir::Graph& g, int64_t opset);

} // namespace gs::compiler::passes
