// QuantizeLinear, DequantizeLinear (per tensor, per axis, blocked; int8, uint8, int16, uint16, int32
// for DequantizeLinear) and DynamicQuantizeLinear with ONNX's rounding (half to even) and saturation.
#pragma once

#include "core/runtime/cpu/kernel.h"

namespace gs::runtime::cpu::nn {

Expected<std::unique_ptr<Kernel>> createQuantizeLinear(const CreateContext& ctx);
Expected<std::unique_ptr<Kernel>> createDequantizeLinear(const CreateContext& ctx);
Expected<std::unique_ptr<Kernel>> createDynamicQuantizeLinear(const CreateContext& ctx);
bool supportsQuantizeLinear(const ir::Node& node, std::span<const ir::DataType> inputTypes);
bool supportsDequantizeLinear(const ir::Node& node, std::span<const ir::DataType> inputTypes);
bool supportsDynamicQuantizeLinear(const ir::Node& node, std::span<const ir::DataType> inputTypes);

} // namespace gs::runtime::cpu::nn
