// Strategy comparison: the same gears built three ways and measured interleaved with the same runs:
// (a) one static model per gear, (b) one multi-gear model, (c) one fully dynamic model (input ranges
// covering the gears) run at each gear's shapes. Per strategy: latency per gear, memory, compile
// time, .om size; plus a plain-language summary generated from those numbers.
#pragma once

#include "core/common/progress.h"
#include "core/common/status.h"
#include "core/compiler/shape_config/shape_config.h"
#include "core/ir/graph.h"
#include "core/profile/profile_types.h"

namespace gs::profile {

// gearConfig must use a gear strategy (dynamic_batch / dynamic_image_size / dynamic_dims): errors
// codes::kInvalid otherwise, and the config's ATC codes when it does not fit the model. A strategy
// that cannot be built or run records its error and the others still run. Cancelling returns what
// finished with `cancelled` set.
Expected<StrategyComparison> compareStrategies(const ir::Model& model, const shape_config::ShapeConfig& gearConfig,
                                               const ProfileRequest& request, const Progress& progress = {});

// Every finished strategy against the reference (static, else multi-gear), gear by gear: "faster" or
// "slower" only where the median intervals separate (compareMedians).
std::vector<GearVerdict> strategyVerdicts(const StrategyComparison& c);

// The summary text of a comparison (what compareStrategies stores in `summary`).
std::string summarizeComparison(const StrategyComparison& c);

// "batch 4", "48x192", "dims 1,128" for gear `index` of a gear configuration.
std::string configGearLabel(const shape_config::ShapeConfig& config, std::size_t index);

} // namespace gs::profile
