// Pass "fuse-activation": fuses Relu/Clip/HardSigmoid/HardSwish/LeakyRelu/Sigmoid/Tanh into the
// Conv/ConvTranspose/Gemm/MatMul before it.
#pragma once

#include "core/compiler/passes/pass.h"

namespace gs::compiler::passes {

Expected<bool> fuseActivation(ir::Graph& g, PassContext& ctx);

} // namespace gs::compiler::passes
