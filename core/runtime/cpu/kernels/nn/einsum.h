// Einsum: the equation (explicit or implicit output, ellipsis, repeated labels) parsed once; evaluated as a
// direct loop over output elements and contracted labels.
#pragma once

#include "core/runtime/cpu/kernel.h"

namespace gs::runtime::cpu::nn {

Expected<std::unique_ptr<Kernel>> createEinsum(const CreateContext& ctx);
bool supportsEinsum(const ir::Node& node, std::span<const ir::DataType> inputTypes);

} // namespace gs::runtime::cpu::nn
