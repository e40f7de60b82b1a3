// Pass "fold-conv-affine": folds Mul/Add by per-channel constants after a Conv/ConvTranspose into its weights and bias.
#pragma once

#include "core/compiler/passes/pass.h"

namespace gs::compiler::passes {

Expected<bool> foldConvAffine(ir::Graph& g, PassContext& ctx);

} // namespace gs::compiler::passes
