// The shape configuration of a compile: which strategy (static, multi-gear, dynamic shape), the
// per-input dims as the user gave them, and the gear list. Built from ATC options (fromOptions),
// checked against a model with ATC's error codes (validate), printed back as canonical ATC options
// (toOptions), and expanded into concrete per-gear input shapes (expandGears) or ranges
// (dynamicRanges). Options, limits, error codes and check order follow Huawei CANN's ATC, so that a
// configuration made here behaves the same with the real `atc`.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/common/status.h"
#include "core/common/strategy.h"
#include "core/compiler/shape_config/atc_options.h"
#include "core/compiler/shape_config/precision_config.h"
#include "core/ir/graph.h"
#include "core/om/model.h"

namespace gs::shape_config {

// One dim of an input as configured.
//  Fixed: a size > 0 (value = lo = hi).
//  Gear:  a `-1` filled from the gear list (only with a gear strategy); value = lo = hi = -1.
//  Range: dynamic shape bounds lo~hi (hi == -1: unbounded). A `-1` without a gear option means a
//         fully dynamic dim and is stored as Range 1~-1; value = -1.
struct DimSpec {
  enum class Kind { Fixed, Gear, Range };
  Kind kind = Kind::Fixed;
  int64_t value = 0;
  int64_t lo = 0;
  int64_t hi = 0;

  static DimSpec fixed(int64_t v) { return {Kind::Fixed, v, v, v}; }
  static DimSpec gear() { return {Kind::Gear, -1, -1, -1}; }
  static DimSpec range(int64_t lo, int64_t hi) { return {Kind::Range, -1, lo, hi}; }
  static DimSpec unbounded() { return range(1, -1); }

  bool isUnbounded() const { return kind == Kind::Range && lo == 1 && hi == -1; }
  // As --input_shape writes it: "3", "-1" (gear or unbounded), "1~8".
  std::string str() const;
  // Compares what the kind means (Fixed: value; Range: lo, hi), so hand-built specs compare equal
  // to parsed ones.
  bool operator==(const DimSpec& o) const;
};

struct InputSpec {
  std::string name;
  std::vector<DimSpec> dims;
  bool scalar = false; // "name:" - a rank-0 input; dims is then empty
  bool operator==(const InputSpec&) const = default;
};

struct ShapeConfig {
  Strategy strategy = Strategy::Static;
  std::vector<InputSpec> inputs;           // in --input_shape order; inputs not listed keep the model's shape
  std::vector<std::vector<int64_t>> gears; // gear strategies only: batch {n}, image {h,w}, dims {d1,...}
  std::string inputFormat = "NCHW";        // NCHW | NHWC | ND | NCDHW
  std::vector<std::string> outNodes;       // "node:0" or an output tensor name
  std::string socVersion;
  PrecisionConfig precision;        // --precision_mode, --keep_dtype, --quantize ... (precision_config.h)
  bool fromDeprecatedRange = false; // given as --input_shape_range (printed back the same way)
  // Fixed dims of 0 (empty tensors, legal ONNX) are accepted. Never set from options: ATC's E10011
  // is about a dim a user types into --input_shape. Set by API callers whose shapes come from real
  // tensors (the conformance runner takes them from the test data).
  bool allowEmptyDims = false;

  bool operator==(const ShapeConfig&) const = default;
  const InputSpec* findInput(std::string_view name) const;
  // Number of Gear dims across all inputs (the values each dynamic_dims gear must give).
  std::size_t gearDimCount() const;
};

// Syntax, then combinations: E10001 (input_format), E10002, E10003, E10004, E10009, E10011, E10018,
// E10019, E10020, E10031, E10035-E10040. --input_shape_range logs a deprecation warning and
// overrides --input_shape.
Expected<ShapeConfig> fromOptions(const AtcOptions& opts);

// The model-free consistency rules of a config (fromOptions runs them; the studio runs them on the
// config its form builds): strategy vs dim kinds, gear list limits, the -1 placement rules.
Status checkConfig(const ShapeConfig& config);

// checkConfig, then against the model: E10016 (input or out node not in the model), E10001 (dim
// count differs; an input not listed in --input_shape whose model shape is not static), E10011 (a
// dim <= 0 in static mode).
Status validate(const ShapeConfig& config, const ir::Model& model);
Status validate(const ShapeConfig& config, const ir::Graph& graph);

// Canonical options: --input_shape (or --input_shape_range), the gear option, --input_format when
// not NCHW, --out_nodes, --soc_version. fromOptions(toOptions(c)) == c for every valid c.
AtcOptions toOptions(const ShapeConfig& config);

// "x:1,3,-1,-1;y:" as --input_shape (or "x:[1~8,3];y:[]" for --input_shape_range) writes it.
std::string formatInputShape(const ShapeConfig& config);
// "1,2,4" / "224,224;448,448" / "1,128;1,256" as the gear option writes it.
std::string formatGears(const ShapeConfig& config);

// Concrete dims of every graph input (graph input order) for one gear.
struct GearShapes {
  std::vector<std::pair<std::string, std::vector<int64_t>>> inputs;
  bool operator==(const GearShapes&) const = default;
};

// One entry per gear, index = position in the gear list (static: exactly one). Batch fills the -1 at
// dim 0, image size the two -1 at H,W, dynamic_dims the -1s in --input_shape order across inputs.
// Runs validate() first. Dynamic shape has no gears (GS0004): use dynamicRanges().
Expected<std::vector<GearShapes>> expandGears(const ShapeConfig& config, const ir::Graph& graph);

// Per graph input (graph order) the range of each dim: dynamic shape from the configured ranges;
// static: lo == hi; gear strategies: min/max over the gears. Runs validate() first.
Expected<std::vector<om::InputRange>> dynamicRanges(const ShapeConfig& config, const ir::Graph& graph);

// What the studio shows about a strategy: how it is compiled, its trade-offs and recommendations.
std::string describeStrategy(Strategy s);

struct GearPreset {
  std::string_view name;
  Strategy strategy;
  std::string_view gears; // as the gear option writes it
  std::string_view description;
};
std::span<const GearPreset> gearPresets();
// Gears of a preset, found by its name or by its gear string ("1,2,4,8,16"); empty when unknown.
std::vector<std::vector<int64_t>> presetGears(std::string_view name);

// Hints about a valid config (too many gears, sizes that are not multiples of 16, ...); may be empty.
std::vector<std::string> adviseGears(const ShapeConfig& config);

} // namespace gs::shape_config
