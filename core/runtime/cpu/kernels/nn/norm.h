// Normalisations on own OpenMP loops: BatchNormalization (inference), InstanceNormalization, LayerNormalization,
// LpNormalization, LRN.
#pragma once

#include "core/runtime/cpu/kernel.h"

namespace gs::runtime::cpu::nn {

Expected<std::unique_ptr<Kernel>> createBatchNormalization(const CreateContext& ctx);
// Training mode (batchnorm_training.cpp): batch statistics, updated running statistics.
Expected<std::unique_ptr<Kernel>> createBatchNormTraining(const CreateContext& ctx);
Expected<std::unique_ptr<Kernel>> createInstanceNormalization(const CreateContext& ctx);
Expected<std::unique_ptr<Kernel>> createLayerNormalization(const CreateContext& ctx);
Expected<std::unique_ptr<Kernel>> createLpNormalization(const CreateContext& ctx);
Expected<std::unique_ptr<Kernel>> createLrn(const CreateContext& ctx);
bool supportsNorm(const ir::Node& node, std::span<const ir::DataType> inputTypes);

} // namespace gs::runtime::cpu::nn
