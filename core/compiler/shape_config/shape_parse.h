// Private to gs_shape_config: the syntax of --input_shape, --input_shape_range and the gear options,
// and the gear-list limits. Messages follow ATC's "Value [v] for parameter [--p] is invalid. Reason: r".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/status.h"
#include "core/common/strategy.h"
#include "core/compiler/shape_config/shape_config.h"

namespace gs::shape_config::detail {

inline constexpr const char* kInputShapeSample = "\"input_name1:n1,c1,h1,w1;input_name2:n2,c2,h2,w2\"";
inline constexpr const char* kInputShapeRangeSample = "\"input_name1:[n1~n2,c1,h1,w1];input_name2:[...]\"";
inline constexpr std::size_t kMinGears = 2;
inline constexpr std::size_t kMaxGears = 100;
// ATC keeps dims in 32-bit fields: a dim or range bound of 2^31 or more is refused (E10002).
inline constexpr int64_t kMaxDim = (int64_t{1} << 31) - 1;

std::string invalidValue(std::string_view param, std::string_view value, std::string_view reason);
std::string_view trim(std::string_view s);
std::vector<std::string_view> split(std::string_view s, char sep);

// "x:1,3,-1,-1;y:" -> inputs; each -1 comes back as DimSpec::gear() (the caller decides whether it
// is a gear dim or an unbounded one). E10002 syntax, E10011 a dim <= 0 other than -1, E10001 an
// input given twice.
Expected<std::vector<InputSpec>> parseInputShape(std::string_view text);

// "x:[1~8,3,-1,-1];y:[]" -> inputs with Fixed / Range dims (-1: unbounded).
Expected<std::vector<InputSpec>> parseInputShapeRange(std::string_view text);

// The gear option of a strategy ("dynamic_batch_size" ...) and its values: E10003 characters,
// E10020 image-size gears that are not "h,w", then checkGearList.
Expected<std::vector<std::vector<int64_t>>> parseGears(Strategy strategy, std::string_view text);

// E10035 fewer than 2, E10036 more than 100, E10037 different lengths, E10038 a value <= 0,
// E10039 duplicates.
Status checkGearList(Strategy strategy, const std::vector<std::vector<int64_t>>& gears);

// "dynamic_batch_size" for DynamicBatch, ...; "" for the others.
std::string_view gearOptionName(Strategy strategy);

// "x:1,3,-1,-1" / "x:" (or "x:[1~8,3]" / "x:[]" in range form).
std::string formatInput(const InputSpec& input, bool rangeForm);
std::string joinGear(const std::vector<int64_t>& gear);
// "1 value", "3 values".
std::string countOf(std::size_t n, std::string_view noun);

} // namespace gs::shape_config::detail
