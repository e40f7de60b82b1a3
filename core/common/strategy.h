// The five ATC shape strategies, named the same everywhere.
#pragma once

#include <optional>
#include <string_view>

namespace gs {

enum class Strategy { Static, DynamicBatch, DynamicImageSize, DynamicDims, DynamicShape };

constexpr std::string_view strategyName(Strategy s) {
  switch (s) {
  case Strategy::Static:
    return "static";
  case Strategy::DynamicBatch:
    return "dynamic_batch";
  case Strategy::DynamicImageSize:
    return "dynamic_image_size";
  case Strategy::DynamicDims:
    return "dynamic_dims";
  case Strategy::DynamicShape:
    return "dynamic_shape";
  }
  return "static";
}

constexpr std::optional<Strategy> strategyFromName(std::string_view n) {
  for (auto s : {Strategy::Static, Strategy::DynamicBatch, Strategy::DynamicImageSize, Strategy::DynamicDims,
                 Strategy::DynamicShape})
    if (strategyName(s) == n) return s;
  return std::nullopt;
}

// Gear strategies compile one static plan per gear; DynamicShape keeps symbolic dims.
constexpr bool isGearStrategy(Strategy s) {
  return s == Strategy::DynamicBatch || s == Strategy::DynamicImageSize || s == Strategy::DynamicDims;
}

} // namespace gs
