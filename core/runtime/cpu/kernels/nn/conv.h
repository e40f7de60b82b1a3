// Conv (1D/2D/3D, groups, dilations, pads, auto_pad, bias, fused activation and residual add) on oneDNN.
#pragma once

#include "core/runtime/cpu/kernel.h"

namespace gs::runtime::cpu::nn {

Expected<std::unique_ptr<Kernel>> createConv(const CreateContext& ctx);
bool supportsConv(const ir::Node& node, std::span<const ir::DataType> inputTypes);

} // namespace gs::runtime::cpu::nn
