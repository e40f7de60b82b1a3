// Resize (opsets 10, 11, 13: nearest with every nearest_mode, linear, cubic; every coordinate_transformation_mode incl.
// tf_crop_and_resize; scales or sizes) and Upsample (opsets 7 and 9).
#pragma once

#include "core/runtime/cpu/kernel.h"

namespace gs::runtime::cpu::nn {

Expected<std::unique_ptr<Kernel>> createResize(const CreateContext& ctx);
Expected<std::unique_ptr<Kernel>> createUpsample(const CreateContext& ctx);
bool supportsResize(const ir::Node& node, std::span<const ir::DataType> inputTypes);

} // namespace gs::runtime::cpu::nn
