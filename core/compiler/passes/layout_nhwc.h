// Pass "layout-nhwc": keeps chains of Conv/ConvTranspose (and the pools, activations, arithmetic,
// Concat and Resize between them) in channels-last order, so the convolution kernels read and write
// NHWC directly instead of reordering NCHW <-> NHWC around every layer. See core/ir/layout.h.
#pragma once

#include "core/compiler/passes/pass.h"

namespace gs::compiler::passes {

Expected<bool> layoutNhwc(ir::Graph& g, PassContext& ctx);

} // namespace gs::compiler::passes
