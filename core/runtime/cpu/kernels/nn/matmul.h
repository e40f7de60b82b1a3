// MatMul (N-D batched with numpy broadcasting, 1-D operands, fused activation) and Gemm (transA/transB,
// alpha, beta, broadcast C, fused activation) on oneDNN matmul.
#pragma once

#include "core/runtime/cpu/kernel.h"

namespace gs::runtime::cpu::nn {

Expected<std::unique_ptr<Kernel>> createMatMul(const CreateContext& ctx);
Expected<std::unique_ptr<Kernel>> createGemm(const CreateContext& ctx);
bool supportsMatMul(const ir::Node& node, std::span<const ir::DataType> inputTypes);

} // namespace gs::runtime::cpu::nn
