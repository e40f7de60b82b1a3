// Pass "fold-affine-into-conv": folds a scalar Mul/Add feeding only unpadded Convs into those Convs' weights and bias.
#pragma once

#include "core/compiler/passes/pass.h"

namespace gs::compiler::passes {

Expected<bool> foldAffineIntoConv(ir::Graph& g, PassContext& ctx);

} // namespace gs::compiler::passes
