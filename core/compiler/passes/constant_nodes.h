// Pass "constant-nodes": turns ONNX Constant nodes into constant values (value, value_float(s), value_int(s)).
#pragma once

#include "core/compiler/passes/pass.h"

namespace gs::compiler::passes {

Expected<bool> constantNodes(ir::Graph& g, PassContext& ctx);

} // namespace gs::compiler::passes
