// Softmax and LogSoftmax (oneDNN softmax / logsoftmax) and Hardmax (own loop); opset < 13 coerces the input to 2-D at
// axis, opset >= 13 works along axis.
#pragma once

#include "core/runtime/cpu/kernel.h"

namespace gs::runtime::cpu::nn {

Expected<std::unique_ptr<Kernel>> createSoftmax(const CreateContext& ctx);
Expected<std::unique_ptr<Kernel>> createLogSoftmax(const CreateContext& ctx);
Expected<std::unique_ptr<Kernel>> createHardmax(const CreateContext& ctx);
bool supportsSoftmax(const ir::Node& node, std::span<const ir::DataType> inputTypes);

} // namespace gs::runtime::cpu::nn
