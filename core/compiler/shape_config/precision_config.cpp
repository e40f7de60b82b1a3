// Precision options: parsing, combination rules, --keep_dtype files, printing back.
#include "core/compiler/shape_config/precision_config.h"

#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/common/utf8.h"

namespace gs::shape_config {
namespace {

struct ModeName {
  PrecisionMode mode;
  std::string_view name;
};
constexpr ModeName kModes[] = {
    {PrecisionMode::ForceFp32, "force_fp32"},
    {PrecisionMode::ForceFp16, "force_fp16"},
    {PrecisionMode::AllowFp32ToFp16, "allow_fp32_to_fp16"},
    {PrecisionMode::MustKeepOriginDtype, "must_keep_origin_dtype"},
    {PrecisionMode::AllowMixPrecision, "allow_mix_precision"},
    {PrecisionMode::Bf16, "bf16"},
};

struct MethodName {
  CalibrationMethod method;
  std::string_view name;
};
constexpr MethodName kMethods[] = {
    {CalibrationMethod::MinMax, "minmax"},
    {CalibrationMethod::Percentile, "percentile"},
    {CalibrationMethod::Entropy, "entropy"},
};

std::string invalid(std::string_view key, std::string_view value, std::string_view reason) {
  return "Value [" + utf8::sanitize(value) + "] for parameter [--" + std::string(key) +
         "] is invalid. Reason: " + std::string(reason) + ".";
}

bool given(const std::optional<std::string>& v) { return v && !v->empty(); }

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

Expected<std::vector<float>> parseFloats(std::string_view key, std::string_view text) {
  std::vector<float> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto comma = text.find(',', start);
    const auto item = trim(text.substr(start, comma == std::string_view::npos ? text.npos : comma - start));
    float v = 0;
    const auto [p, ec] = std::from_chars(item.data(), item.data() + item.size(), v);
    if (item.empty() || ec != std::errc() || p != item.data() + item.size() || !std::isfinite(v))
      return makeError("E10001", invalid(key, text,
                                         "expected finite numbers separated by commas (one per channel, or one "
                                         "for every channel), e.g. 123.675,116.28,103.53"));
    out.push_back(v);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  if (out.size() > 4)
    return makeError("E10001", invalid(key, text, "at most 4 channel values are taken (RGB, or RGBA)"));
  return out;
}

std::string joinFloats(const std::vector<float>& v) {
  std::string out;
  for (float f : v) {
    char buf[32];
    const auto [p, ec] = std::to_chars(buf, buf + sizeof buf, f);
    if (!out.empty()) out += ',';
    out.append(buf, ec == std::errc() ? p : buf);
  }
  return out;
}

} // namespace

std::string_view precisionModeName(PrecisionMode mode) {
  for (const auto& m : kModes)
    if (m.mode == mode) return m.name;
  return "";
}

std::optional<PrecisionMode> parsePrecisionMode(std::string_view name) {
  for (const auto& m : kModes)
    if (m.name == name) return m.mode;
  return std::nullopt;
}

std::string_view calibrationMethodName(CalibrationMethod method) {
  for (const auto& m : kMethods)
    if (m.method == method) return m.name;
  return "";
}

std::optional<CalibrationMethod> parseCalibrationMethod(std::string_view name) {
  for (const auto& m : kMethods)
    if (m.name == name) return m.method;
  return std::nullopt;
}

bool isGearStudioExtension(std::string_view key, std::string_view value) {
  if (key == "precision_mode") return value == "bf16";
  return key == "quantize" || key == "calibration" || key == "calibration_method" || key == "calibration_mean" ||
         key == "calibration_scale";
}

Expected<KeepList> parseKeepList(std::string_view text) {
  if (!utf8::isValid(text))
    return makeError("E10001", "The --keep_dtype file is not UTF-8 text; give one node name or OpType::Type per line.");
  KeepList keep;
  std::size_t lineNo = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const auto line = trim(text.substr(start, end - start));
    start = end + 1;
    ++lineNo;
    if (line.empty() || line.front() == '#') continue;
    const auto where = "line " + std::to_string(lineNo) + " of the --keep_dtype file";
    if (line.find_first_of(" \t") != std::string_view::npos)
      return makeError("E10001", where + " [" + std::string(line) +
                                     "] has a space inside; give one node name or OpType::Type per line.");
    std::string_view type;
    if (line.starts_with("OpType::"))
      type = line.substr(8);
    else if (line.starts_with("OpType:"))
      type = line.substr(7);
    else {
      keep.nodes.emplace_back(line);
      continue;
    }
    if (type.empty())
      return makeError("E10001", where + " [" + std::string(line) + "] names no operator type (OpType::Conv).");
    keep.opTypes.emplace_back(type);
  }
  return keep;
}

Status loadKeepList(PrecisionConfig& config) {
  config.keep = {};
  if (config.keepDtypeFile.empty()) return ok();
  const auto& path = config.keepDtypeFile;
  const auto bad = [&](std::string_view why) { return makeError("E10001", invalid("keep_dtype", path, why)); };
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return bad("the file does not exist or is not a regular file");
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return bad("the file cannot be read: " + ec.message());
  if (size > (1u << 20)) return bad("the file is larger than 1 MiB; it lists node names, one per line");
  std::ifstream in(path, std::ios::binary);
  if (!in) return bad("the file cannot be opened");
  std::ostringstream text;
  text << in.rdbuf();
  auto keep = parseKeepList(text.str());
  if (!keep) return makeError("E10001", keep.error().message);
  config.keep = std::move(*keep);
  return ok();
}

Expected<PrecisionConfig> precisionFromOptions(const AtcOptions& o) {
  PrecisionConfig c;
  if (given(o.precision_mode)) {
    const auto mode = parsePrecisionMode(*o.precision_mode);
    if (!mode)
      return makeError("E10001", invalid("precision_mode", *o.precision_mode,
                                         "expected force_fp32, force_fp16, allow_fp32_to_fp16, "
                                         "must_keep_origin_dtype, allow_mix_precision, or GearStudio's bf16"));
    c.mode = *mode;
  }
  if (given(o.quantize)) {
    if (*o.quantize != "int8")
      return makeError("E10001",
                       invalid("quantize", *o.quantize, "GearStudio quantizes to int8 only (--quantize=int8)"));
    c.quantizeInt8 = true;
  }
  if (given(o.calibration)) c.calibrationDir = *o.calibration;
  if (c.quantizeInt8 && c.calibrationDir.empty())
    return makeError("E10007", "[--calibration] is required when --quantize=int8: a folder of sample inputs (one "
                               "subfolder of NAME.npy files per sample, or images).");
  if (!c.quantizeInt8 && !c.calibrationDir.empty())
    return makeError("E10007", "[--quantize] is required with --calibration: give --quantize=int8 to quantize with "
                               "these samples.");
  for (auto [key, value] :
       {std::pair{"calibration_method", &o.calibration_method}, std::pair{"calibration_mean", &o.calibration_mean},
        std::pair{"calibration_scale", &o.calibration_scale}})
    if (given(*value) && c.calibrationDir.empty())
      return makeError("E10007", std::string("[--calibration] is required with --") + key + ".");
  if (given(o.calibration_method)) {
    const auto m = parseCalibrationMethod(*o.calibration_method);
    if (!m)
      return makeError("E10001",
                       invalid("calibration_method", *o.calibration_method, "expected minmax, percentile or entropy"));
    c.method = *m;
  }
  if (given(o.calibration_mean)) {
    GS_ASSIGN_OR_RETURN(c.mean, parseFloats("calibration_mean", *o.calibration_mean));
  }
  if (given(o.calibration_scale)) {
    GS_ASSIGN_OR_RETURN(c.scale, parseFloats("calibration_scale", *o.calibration_scale));
    for (float s : c.scale)
      if (s == 0.0f)
        return makeError("E10001", invalid("calibration_scale", *o.calibration_scale,
                                           "a scale of 0 maps every pixel to 0; give 1/std per channel"));
  }
  if (!c.mean.empty() && !c.scale.empty() && c.mean.size() != c.scale.size() && c.mean.size() != 1 &&
      c.scale.size() != 1)
    return makeError("E10001", "Parameters [--calibration_mean] and [--calibration_scale] give " +
                                   std::to_string(c.mean.size()) + " and " + std::to_string(c.scale.size()) +
                                   " channel values; give the same number, or one value for every channel.");
  if (c.quantizeInt8 && c.lowersFloat())
    return makeError("E10001", invalid("precision_mode", *o.precision_mode,
                                       "with --quantize=int8 the ops int8 does not cover run in float32; leave "
                                       "--precision_mode out or use force_fp32 or must_keep_origin_dtype"));
  if (given(o.keep_dtype)) {
    c.keepDtypeFile = *o.keep_dtype;
    GS_RETURN_IF_ERROR(loadKeepList(c));
  }
  return c;
}

void addPrecisionOptions(const PrecisionConfig& c, AtcOptions& o) {
  const auto set = [&o](std::string_view key, std::string value) {
    [[maybe_unused]] auto s = setOption(o, key, std::move(value));
  };
  if (c.mode != PrecisionMode::Default) set("precision_mode", std::string(precisionModeName(c.mode)));
  if (!c.keepDtypeFile.empty()) set("keep_dtype", c.keepDtypeFile);
  if (c.quantizeInt8) set("quantize", "int8");
  if (!c.calibrationDir.empty()) set("calibration", c.calibrationDir);
  if (c.method != CalibrationMethod::MinMax) set("calibration_method", std::string(calibrationMethodName(c.method)));
  if (!c.mean.empty()) set("calibration_mean", joinFloats(c.mean));
  if (!c.scale.empty()) set("calibration_scale", joinFloats(c.scale));
}

std::string precisionLabel(const PrecisionConfig& c) {
  std::string label;
  if (c.quantizeInt8)
    label = "int8 (" + std::string(calibrationMethodName(c.method)) + ")";
  else if (c.mode == PrecisionMode::Default)
    label = "origin";
  else
    label = std::string(precisionModeName(c.mode));
  if (!c.keep.empty()) label += " keep " + std::to_string(c.keep.nodes.size() + c.keep.opTypes.size());
  return label;
}

} // namespace gs::shape_config
