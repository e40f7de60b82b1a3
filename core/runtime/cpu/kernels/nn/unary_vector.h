// Float32 Exp, Log, Tanh, Sigmoid, Sqrt and Erf on VectorEltwise (oneDNN's vectorised eltwise and
// libmvec, see eltwise.h). Listed in the nn kernel table ahead of the basic table's scalar kernels, which keep
// the other dtypes.
#pragma once

#include "core/runtime/cpu/kernel.h"

namespace gs::runtime::cpu::nn {

Expected<std::unique_ptr<Kernel>> createVectorUnary(const CreateContext& ctx);
bool supportsVectorUnary(const ir::Node& node, std::span<const ir::DataType> inputTypes);

} // namespace gs::runtime::cpu::nn
