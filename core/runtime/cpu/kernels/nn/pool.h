// MaxPool / AveragePool (oneDNN pooling with a naive kernel for the Indices output and for the
// count_include_pad + ceil_mode corner oneDNN counts differently) and GlobalAveragePool /
// GlobalMaxPool (own loops).
#pragma once

#include "core/runtime/cpu/kernel.h"

namespace gs::runtime::cpu::nn {

Expected<std::unique_ptr<Kernel>> createMaxPool(const CreateContext& ctx);
Expected<std::unique_ptr<Kernel>> createAveragePool(const CreateContext& ctx);
Expected<std::unique_ptr<Kernel>> createGlobalAveragePool(const CreateContext& ctx);
Expected<std::unique_ptr<Kernel>> createGlobalMaxPool(const CreateContext& ctx);
bool supportsPool(const ir::Node& node, std::span<const ir::DataType> inputTypes);

} // namespace gs::runtime::cpu::nn
