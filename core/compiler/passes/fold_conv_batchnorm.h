// Pass "fold-conv-batchnorm": folds BatchNormalization (inference) into the weights and bias of the Conv/ConvTranspose
// before it.
#pragma once

#include "core/compiler/passes/pass.h"

namespace gs::compiler::passes {

Expected<bool> foldConvBatchNorm(ir::Graph& g, PassContext& ctx);

} // namespace gs::compiler::passes
