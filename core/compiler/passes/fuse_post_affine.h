// Pass "fuse-post-affine": a scalar Mul/Div/Add/Sub after a Conv's fused activation (PP-LCNetV3's
// learnable affine blocks: act(x) * s + b) becomes part of that FusedConv's epilogue (post_scale,
// post_shift), saving two passes over the activation tensor.
#pragma once

#include "core/compiler/passes/pass.h"

namespace gs::compiler::passes {

Expected<bool> fusePostAffine(ir::Graph& g, PassContext& ctx);

} // namespace gs::compiler::passes
