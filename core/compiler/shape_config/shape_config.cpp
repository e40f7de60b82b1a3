// ShapeConfig from ATC options and back, and the model-free rules that tie strategy, dims and gears
// together. Check order, as ATC's: option syntax first, then combinations (model checks are in
// shape_validate.cpp).
#include "core/compiler/shape_config/shape_config.h"

#include <algorithm>
#include <set>

#include "core/common/log.h"
#include "core/compiler/shape_config/shape_parse.h"

namespace gs::shape_config {
namespace {

using detail::formatInput;
using detail::gearOptionName;
using detail::invalidValue;

// The formats ATC takes for ONNX models.
bool isKnownFormat(std::string_view f) { return f == "NCHW" || f == "ND" || f == "NCDHW"; }
constexpr const char* kFormatReason = "ONNX models support NCHW, ND and NCDHW";

bool hasStraySpace(std::string_view v) { return !v.empty() && detail::trim(v).size() != v.size(); }

bool nonEmpty(const std::optional<std::string>& v) { return v && !detail::trim(*v).empty(); }

std::string kindWord(const DimSpec& d) {
  switch (d.kind) {
  case DimSpec::Kind::Gear:
    return "a gear dim (-1)";
  case DimSpec::Kind::Range:
    return "the range [" + d.str() + "]";
  case DimSpec::Kind::Fixed:
    break;
  }
  return "[" + d.str() + "]";
}

Status checkInputs(const ShapeConfig& c) {
  std::set<std::string_view> names;
  for (const auto& in : c.inputs) {
    if (in.name.empty())
      return makeError("E10002", invalidValue("input_shape", formatInput(in, false), "the input name is empty"));
    if (!names.insert(in.name).second)
      return makeError("E10001", invalidValue("input_shape", formatInput(in, false),
                                              "input [" + in.name + "] is given more than once"));
    if (in.scalar != in.dims.empty())
      return makeError("E10001", invalidValue("input_shape", formatInput(in, false),
                                              in.scalar ? "input [" + in.name + "] is a scalar but has dims"
                                                        : "input [" + in.name + "] has no dims; write \"" + in.name +
                                                              ":\" for a scalar"));
    for (std::size_t i = 0; i < in.dims.size(); ++i) {
      const auto& d = in.dims[i];
      const auto where = "dim " + std::to_string(i) + " of input [" + in.name + "]";
      if (d.kind == DimSpec::Kind::Fixed && (d.value < 0 || (d.value == 0 && !c.allowEmptyDims)))
        return makeError("E10011", invalidValue("input_shape", formatInput(in, false),
                                                where + " is " + std::to_string(d.value) +
                                                    "; a dim must be > 0, or -1 for a dynamic dim"));
      if ((d.kind == DimSpec::Kind::Fixed && d.value > detail::kMaxDim) ||
          (d.kind == DimSpec::Kind::Range && (d.lo > detail::kMaxDim || d.hi > detail::kMaxDim)))
        return makeError("E10002",
                         invalidValue("input_shape", formatInput(in, false),
                                      where + " is out of range (at most " + std::to_string(detail::kMaxDim) + ")"));
      if (d.kind == DimSpec::Kind::Range) {
        const bool valid = d.lo >= 0 && (d.hi == -1 ? d.lo == 1 : d.hi >= d.lo);
        if (!valid)
          return makeError("E10002",
                           invalidValue("input_shape", formatInput(in, false),
                                        where + " is the range [" + std::to_string(d.lo) + "~" + std::to_string(d.hi) +
                                            "]; a range is lo~hi with 0 <= lo <= hi, or -1 for an "
                                            "unbounded dim"));
      }
    }
  }
  return ok();
}

// The kinds a strategy allows: static only Fixed, dynamic shape no Gear, gear strategies no Range.
Status checkKinds(const ShapeConfig& c) {
  const auto name = std::string(strategyName(c.strategy));
  for (const auto& in : c.inputs)
    for (std::size_t i = 0; i < in.dims.size(); ++i) {
      const auto& d = in.dims[i];
      const bool bad = (c.strategy == Strategy::Static && d.kind != DimSpec::Kind::Fixed) ||
                       (c.strategy == Strategy::DynamicShape && d.kind == DimSpec::Kind::Gear);
      if (bad)
        return makeError("E10001", invalidValue("input_shape", formatInput(in, false),
                                                "dim " + std::to_string(i) + " of input [" + in.name + "] is " +
                                                    kindWord(d) + ", which the " + name + " strategy does not allow"));
      if (isGearStrategy(c.strategy) && d.kind == DimSpec::Kind::Range)
        return makeError("E10040", invalidValue("input_shape", formatInput(in, false),
                                                "--input_shape cannot contain '~' ranges when --" +
                                                    std::string(gearOptionName(c.strategy)) +
                                                    " is set; mark the gear dims with -1"));
    }
  return ok();
}

Status checkBatch(const ShapeConfig& c) {
  for (std::size_t g = 0; g < c.gears.size(); ++g)
    if (c.gears[g].size() != 1)
      return makeError("E10003", invalidValue("dynamic_batch_size", formatGears(c),
                                              "gear " + std::to_string(g) + " [" + detail::joinGear(c.gears[g]) +
                                                  "] has " + detail::countOf(c.gears[g].size(), "value") +
                                                  "; each gear of --dynamic_batch_size is one batch size"));
  const bool any = std::any_of(c.inputs.begin(), c.inputs.end(), [](const InputSpec& in) {
    return !in.dims.empty() && in.dims[0].kind == DimSpec::Kind::Gear;
  });
  if (!any)
    return makeError("E10031", invalidValue("input_shape", formatInputShape(c),
                                            "at least one input must have batch N (dim 0) equal to -1 when "
                                            "--dynamic_batch_size is set"));
  for (const auto& in : c.inputs)
    for (std::size_t i = 1; i < in.dims.size(); ++i)
      if (in.dims[i].kind == DimSpec::Kind::Gear)
        return makeError("E10018", invalidValue("input_shape", formatInput(in, false),
                                                "dim " + std::to_string(i) + " of input [" + in.name +
                                                    "] is -1; when --dynamic_batch_size is set, only batch N "
                                                    "(dim 0) can be -1"));
  return ok();
}

Status checkImageSize(const ShapeConfig& c) {
  for (std::size_t g = 0; g < c.gears.size(); ++g)
    if (c.gears[g].size() != 2)
      return makeError("E10020", invalidValue("dynamic_image_size", formatGears(c),
                                              "gear " + std::to_string(g) + " [" + detail::joinGear(c.gears[g]) +
                                                  "] has " + detail::countOf(c.gears[g].size(), "value") +
                                                  "; each gear must be \"height,width\""));
  // ONNX inputs are NCHW; ND and NCDHW have no single height and width to take gears.
  if (c.inputFormat != "NCHW")
    return makeError("E10019",
                     "--input_format=" + c.inputFormat + " has no height and width; --dynamic_image_size needs NCHW.");
  const std::size_t h = 2;
  const std::size_t w = 3;
  for (const auto& in : c.inputs) {
    std::vector<std::size_t> at;
    for (std::size_t i = 0; i < in.dims.size(); ++i)
      if (in.dims[i].kind == DimSpec::Kind::Gear) at.push_back(i);
    if (at.empty()) continue;
    if (in.dims.size() != 4 || at != std::vector<std::size_t>{h, w})
      return makeError("E10019", invalidValue("input_shape", formatInput(in, false),
                                              "when --dynamic_image_size is set, a 4-D input must have exactly "
                                              "two -1, at height and width (dims " +
                                                  std::to_string(h) + " and " + std::to_string(w) + " for " +
                                                  c.inputFormat + "), and other inputs no -1"));
  }
  return ok();
}

Status checkDims(const ShapeConfig& c) {
  const auto n = c.gearDimCount();
  for (std::size_t g = 0; g < c.gears.size(); ++g)
    if (c.gears[g].size() != n)
      return makeError("E10003", invalidValue("dynamic_dims", formatGears(c),
                                              "gear " + std::to_string(g) + " [" + detail::joinGear(c.gears[g]) +
                                                  "] has " + detail::countOf(c.gears[g].size(), "value") +
                                                  "; each gear needs one value for each of the " + std::to_string(n) +
                                                  " -1 in --input_shape"));
  return ok();
}

Status checkGearStrategy(const ShapeConfig& c) {
  const auto option = "--" + std::string(gearOptionName(c.strategy));
  if (c.fromDeprecatedRange)
    return makeError("E10009", "--input_shape_range cannot be used with " + option +
                                   ": only one of --dynamic_batch_size, --dynamic_image_size, --dynamic_dims and "
                                   "--input_shape_range can be set.");
  if (c.inputs.empty()) return makeError("E10004", "Parameter [--input_shape] is required when " + option + " is set.");
  GS_RETURN_IF_ERROR(detail::checkGearList(c.strategy, c.gears));
  if (c.gearDimCount() == 0) {
    if (c.strategy == Strategy::DynamicDims)
      return makeError("E10001", invalidValue("input_shape", formatInputShape(c),
                                              "at least one dim should be -1 when --dynamic_dims is set"));
    if (c.strategy == Strategy::DynamicBatch) return checkBatch(c); // E10031: no input has -1 at dim 0
    return makeError("E10040", invalidValue("input_shape", formatInputShape(c),
                                            "--input_shape must have -1 dims when " + option + " is set"));
  }
  switch (c.strategy) {
  case Strategy::DynamicBatch:
    return checkBatch(c);
  case Strategy::DynamicImageSize:
    return checkImageSize(c);
  default:
    return checkDims(c);
  }
}

} // namespace

std::string DimSpec::str() const {
  switch (kind) {
  case Kind::Fixed:
    return std::to_string(value);
  case Kind::Gear:
    return "-1";
  case Kind::Range:
    if (isUnbounded()) return "-1";
    return std::to_string(lo) + "~" + std::to_string(hi);
  }
  return "?";
}

bool DimSpec::operator==(const DimSpec& o) const {
  if (kind != o.kind) return false;
  switch (kind) {
  case Kind::Fixed:
    return value == o.value;
  case Kind::Gear:
    return true;
  case Kind::Range:
    return lo == o.lo && hi == o.hi;
  }
  return false;
}

const InputSpec* ShapeConfig::findInput(std::string_view name) const {
  for (const auto& in : inputs)
    if (in.name == name) return &in;
  return nullptr;
}

std::size_t ShapeConfig::gearDimCount() const {
  std::size_t n = 0;
  for (const auto& in : inputs)
    for (const auto& d : in.dims)
      n += d.kind == DimSpec::Kind::Gear;
  return n;
}

Status checkConfig(const ShapeConfig& c) {
  if (!isKnownFormat(c.inputFormat))
    return makeError("E10001", invalidValue("input_format", c.inputFormat, kFormatReason));
  GS_RETURN_IF_ERROR(checkInputs(c));
  if (c.inputFormat == "NCDHW")
    for (const auto& in : c.inputs)
      if (in.dims.size() != 5)
        return makeError("E10001",
                         invalidValue("input_shape", formatInput(in, c.fromDeprecatedRange),
                                      "input [" + in.name + "] has " + detail::countOf(in.dims.size(), "dim") +
                                          ", but --input_format=NCDHW describes 5-D inputs"));
  for (const auto& node : c.outNodes)
    if (node.empty() || hasStraySpace(node))
      return makeError("E10001", invalidValue("out_nodes", node,
                                              node.empty() ? "an item between ';' is empty"
                                                           : "a node name must not start or end with a space"));
  if (c.strategy == Strategy::Static || c.strategy == Strategy::DynamicShape) {
    if (!c.gears.empty())
      return makeError("E10001", "The " + std::string(strategyName(c.strategy)) + " strategy takes no gears, but " +
                                     std::to_string(c.gears.size()) + " are set.");
    if (c.fromDeprecatedRange && (c.strategy != Strategy::DynamicShape || c.inputs.empty()))
      return makeError("E10001", "--input_shape_range needs the dynamic_shape strategy and at least one input.");
  }
  GS_RETURN_IF_ERROR(checkKinds(c));
  if (c.strategy == Strategy::DynamicShape && !c.fromDeprecatedRange) {
    const bool anyRange = std::any_of(c.inputs.begin(), c.inputs.end(), [](const InputSpec& in) {
      return std::any_of(in.dims.begin(), in.dims.end(),
                         [](const DimSpec& d) { return d.kind == DimSpec::Kind::Range; });
    });
    if (!anyRange)
      return makeError("E10001", invalidValue("input_shape", formatInputShape(c),
                                              "the dynamic_shape strategy needs at least one -1 or lo~hi dim"));
  }
  if (isGearStrategy(c.strategy)) GS_RETURN_IF_ERROR(checkGearStrategy(c));
  return ok();
}

Expected<ShapeConfig> fromOptions(const AtcOptions& o) {
  ShapeConfig c;
  // 1. Syntax of each option on its own.
  // Single-word values are taken as given: ATC refuses "NCHW " rather than guessing.
  if (o.input_format && !o.input_format->empty()) {
    if (hasStraySpace(*o.input_format))
      return makeError("E10001",
                       invalidValue("input_format", *o.input_format,
                                    "the value has leading or trailing spaces; " + std::string(kFormatReason)));
    c.inputFormat = *o.input_format;
    if (!isKnownFormat(c.inputFormat))
      return makeError("E10001", invalidValue("input_format", c.inputFormat, kFormatReason));
  }
  std::optional<std::vector<InputSpec>> shapes;
  std::optional<std::vector<InputSpec>> ranges;
  if (nonEmpty(o.input_shape)) {
    GS_ASSIGN_OR_RETURN(shapes, detail::parseInputShape(*o.input_shape));
  }
  if (nonEmpty(o.input_shape_range)) {
    GS_ASSIGN_OR_RETURN(ranges, detail::parseInputShapeRange(*o.input_shape_range));
  }
  struct GearOption {
    Strategy strategy;
    std::vector<std::vector<int64_t>> gears;
  };
  std::vector<GearOption> gearOptions;
  for (auto [strategy, value] : {std::pair{Strategy::DynamicBatch, &o.dynamic_batch_size},
                                 std::pair{Strategy::DynamicImageSize, &o.dynamic_image_size},
                                 std::pair{Strategy::DynamicDims, &o.dynamic_dims}}) {
    if (!nonEmpty(*value)) continue;
    GS_ASSIGN_OR_RETURN(auto gears, detail::parseGears(strategy, **value));
    gearOptions.push_back({strategy, std::move(gears)});
  }
  // --out_nodes: spaces around an item are tolerated (as in --input_shape), empty items are not.
  if (o.out_nodes && !o.out_nodes->empty())
    for (auto node : detail::split(*o.out_nodes, ';')) {
      if (detail::trim(node).empty())
        return makeError("E10001", invalidValue("out_nodes", *o.out_nodes,
                                                "an item between ';' is empty; give \"node:index\" or an output "
                                                "name for each item"));
      c.outNodes.emplace_back(detail::trim(node));
    }
  if (o.soc_version) {
    if (hasStraySpace(*o.soc_version))
      return makeError("E10001",
                       invalidValue("soc_version", *o.soc_version, "the value has leading or trailing spaces"));
    c.socVersion = *o.soc_version;
  }

  // 2. Combinations.
  if (gearOptions.size() + (ranges ? 1 : 0) > 1) {
    std::string set;
    for (const auto& g : gearOptions)
      set += (set.empty() ? "--" : " and --") + std::string(gearOptionName(g.strategy));
    if (ranges) set += " and --input_shape_range";
    return makeError("E10009", set + " are set, but only one of --dynamic_batch_size, --dynamic_image_size, "
                                     "--dynamic_dims and --input_shape_range can be set.");
  }
  if (ranges) {
    auto logger = log::get("shape_config");
    logger->warn("--input_shape_range is deprecated and will be removed; use --input_shape with lo~hi ranges");
    if (shapes) logger->warn("--input_shape is overridden by --input_shape_range");
    c.strategy = Strategy::DynamicShape;
    c.inputs = std::move(*ranges);
    c.fromDeprecatedRange = true;
  } else if (!gearOptions.empty()) {
    if (!shapes)
      return makeError("E10004", "Parameter [--input_shape] is required when --" +
                                     std::string(gearOptionName(gearOptions[0].strategy)) + " is set.");
    c.strategy = gearOptions[0].strategy;
    c.gears = std::move(gearOptions[0].gears);
    c.inputs = std::move(*shapes);
  } else if (shapes) {
    c.inputs = std::move(*shapes);
    bool dynamic = false;
    for (auto& in : c.inputs)
      for (auto& d : in.dims) {
        // Without a gear option a -1 is a fully dynamic dim.
        if (d.kind == DimSpec::Kind::Gear) d = DimSpec::unbounded();
        dynamic = dynamic || d.kind == DimSpec::Kind::Range;
      }
    c.strategy = dynamic ? Strategy::DynamicShape : Strategy::Static;
  }
  GS_RETURN_IF_ERROR(checkConfig(c));
  GS_ASSIGN_OR_RETURN(c.precision, precisionFromOptions(o));
  return c;
}

std::string formatInputShape(const ShapeConfig& c) {
  std::string out;
  for (const auto& in : c.inputs) {
    if (!out.empty()) out += ';';
    out += formatInput(in, c.fromDeprecatedRange);
  }
  return out;
}

std::string formatGears(const ShapeConfig& c) {
  std::string out;
  const char sep = c.strategy == Strategy::DynamicBatch ? ',' : ';';
  for (const auto& g : c.gears) {
    if (!out.empty()) out += sep;
    out += detail::joinGear(g);
  }
  return out;
}

AtcOptions toOptions(const ShapeConfig& c) {
  AtcOptions o;
  // Canonical order; setOption keeps `given` and the fields in step. Values built here are valid
  // for the option table, so its result is only checked for the internal invariant.
  const auto set = [&o](std::string_view key, std::string value) {
    [[maybe_unused]] auto s = setOption(o, key, std::move(value));
  };
  if (!c.socVersion.empty()) set("soc_version", c.socVersion);
  if (c.inputFormat != "NCHW") set("input_format", c.inputFormat);
  if (!c.inputs.empty()) set(c.fromDeprecatedRange ? "input_shape_range" : "input_shape", formatInputShape(c));
  if (isGearStrategy(c.strategy)) set(gearOptionName(c.strategy), formatGears(c));
  if (!c.outNodes.empty()) {
    std::string nodes;
    for (const auto& n : c.outNodes)
      nodes += (nodes.empty() ? "" : ";") + n;
    set("out_nodes", nodes);
  }
  addPrecisionOptions(c.precision, o);
  return o;
}

} // namespace gs::shape_config
