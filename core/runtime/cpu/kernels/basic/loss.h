// Factory and dtype check of the loss kernels (NegativeLogLikelihoodLoss, SoftmaxCrossEntropyLoss);
// table.cpp maps both op types to them.
#pragma once

#include <memory>
#include <span>

#include "core/runtime/cpu/kernel.h"

namespace gs::runtime::cpu::basic {

Expected<std::unique_ptr<Kernel>> createLoss(const CreateContext& c);
// float32/float64 scores and weights, int32/int64 targets.
bool supportsLoss(const ir::Node& node, std::span<const ir::DataType> types);

} // namespace gs::runtime::cpu::basic
