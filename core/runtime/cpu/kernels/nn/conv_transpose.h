// ConvTranspose (1D/2D/3D, groups, dilations, output_padding, output_shape, auto_pad, bias, fused
// activation) on oneDNN's deconvolution.
#pragma once

#include "core/runtime/cpu/kernel.h"

namespace gs::runtime::cpu::nn {

Expected<std::unique_ptr<Kernel>> createConvTranspose(const CreateContext& ctx);
bool supportsConvTranspose(const ir::Node& node, std::span<const ir::DataType> inputTypes);

} // namespace gs::runtime::cpu::nn
