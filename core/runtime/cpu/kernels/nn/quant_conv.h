// ConvInteger, QLinearConv and GearStudio's QuantConv (core/ir/gs_ops.h). Constant int8 weights (after
// their zero point, when the difference fits int8) run on oneDNN's int8 convolution; anything else
// (uint8 weights with wide zero points, weights computed at run time) on the exact integer loop.
#pragma once

#include "core/runtime/cpu/kernel.h"

namespace gs::runtime::cpu::nn {

Expected<std::unique_ptr<Kernel>> createConvInteger(const CreateContext& ctx);
Expected<std::unique_ptr<Kernel>> createQLinearConv(const CreateContext& ctx);
Expected<std::unique_ptr<Kernel>> createQuantConv(const CreateContext& ctx);
bool supportsConvInteger(const ir::Node& node, std::span<const ir::DataType> inputTypes);
bool supportsQLinearConv(const ir::Node& node, std::span<const ir::DataType> inputTypes);
bool supportsQuantConv(const ir::Node& node, std::span<const ir::DataType> inputTypes);

} // namespace gs::runtime::cpu::nn
