// MatMulInteger, QLinearMatMul and GearStudio's QuantMatMul (core/ir/gs_ops.h). Constant int8 B (after
// its zero point, when the difference fits int8) with a 2-D or broadcast layout runs on oneDNN's int8
// matmul; anything else on the exact integer loop.
#pragma once

#include "core/runtime/cpu/kernel.h"

namespace gs::runtime::cpu::nn {

Expected<std::unique_ptr<Kernel>> createMatMulInteger(const CreateContext& ctx);
Expected<std::unique_ptr<Kernel>> createQLinearMatMul(const CreateContext& ctx);
Expected<std::unique_ptr<Kernel>> createQuantMatMul(const CreateContext& ctx);
bool supportsMatMulInteger(const ir::Node& node, std::span<const ir::DataType> inputTypes);
bool supportsQLinearMatMul(const ir::Node& node, std::span<const ir::DataType> inputTypes);
bool supportsQuantMatMul(const ir::Node& node, std::span<const ir::DataType> inputTypes);

} // namespace gs::runtime::cpu::nn
