// The precision part of a conversion: ATC's --precision_mode and --keep_dtype, and GearStudio's own
// extensions --precision_mode=bf16, --quantize=int8 with --calibration=DIR (and its method and image
// preprocessing). Parsed from ATC options (precisionFromOptions), printed back (addPrecisionOptions),
// carried in ShapeConfig::precision to the compiler. Model-free: which node a keep entry names is
// checked against the model when the build starts.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/status.h"
#include "core/compiler/shape_config/atc_options.h"

namespace gs::shape_config {

// --precision_mode. Default: the option was not given; the model runs in its own dtypes, as with
// must_keep_origin_dtype (GearStudio's CPU default; real atc's default depends on the chip).
enum class PrecisionMode {
  Default,
  ForceFp32,           // force_fp32: every float op in float32 (float16 models are widened)
  ForceFp16,           // force_fp16: every float op in float16 (fp32 accumulation)
  AllowFp32ToFp16,     // allow_fp32_to_fp16: matrix ops (Conv, MatMul, Gemm ...) in float16, the rest as given
  MustKeepOriginDtype, // must_keep_origin_dtype: the model's own dtypes
  AllowMixPrecision,   // allow_mix_precision: float16 except precision-sensitive ops (kept float32)
  Bf16,                // bf16 (GearStudio extension): bfloat16 storage, fp32 accumulation
};

enum class CalibrationMethod { MinMax, Percentile, Entropy };

// --keep_dtype file contents: one node name per line, or `OpType::Type` (ATC's form; `OpType:Type`
// is accepted too). Blank lines and lines starting with '#' are ignored.
struct KeepList {
  std::vector<std::string> nodes;
  std::vector<std::string> opTypes;
  bool empty() const { return nodes.empty() && opTypes.empty(); }
  bool operator==(const KeepList&) const = default;
};

struct PrecisionConfig {
  PrecisionMode mode = PrecisionMode::Default;
  std::string keepDtypeFile; // --keep_dtype as given (empty: none)
  KeepList keep;             // its contents, read by precisionFromOptions / loadKeepList

  // --quantize=int8 --calibration=DIR [--calibration_method=...] [--calibration_mean=... --calibration_scale=...]
  bool quantizeInt8 = false;
  std::string calibrationDir;
  CalibrationMethod method = CalibrationMethod::MinMax;
  // Image calibration folders: x = (pixel - mean[c]) * scale[c], pixel in 0..255, channel order RGB
  // (AIPP's mean_chn_i / var_reci_chn_i). One value applies to every channel.
  std::vector<float> mean;
  std::vector<float> scale;

  bool isDefault() const { return *this == PrecisionConfig{}; }
  // Whether a float op would be stored in a 16-bit type under this mode (not for keep entries).
  bool lowersFloat() const {
    return mode == PrecisionMode::ForceFp16 || mode == PrecisionMode::AllowFp32ToFp16 ||
           mode == PrecisionMode::AllowMixPrecision || mode == PrecisionMode::Bf16;
  }
  bool operator==(const PrecisionConfig&) const = default;
};

// ATC's spelling of a mode ("force_fp16", "bf16"); "" for Default.
std::string_view precisionModeName(PrecisionMode mode);
std::optional<PrecisionMode> parsePrecisionMode(std::string_view name);
std::string_view calibrationMethodName(CalibrationMethod method);
std::optional<CalibrationMethod> parseCalibrationMethod(std::string_view name);

// Whether an option (with its value) is a GearStudio extension that real atc does not take:
// --precision_mode=bf16, --quantize, --calibration*. The command panel marks them; atcScript
// leaves them out of the script written for real atc.
bool isGearStudioExtension(std::string_view key, std::string_view value);

// --keep_dtype text -> KeepList. Errors (E10001) name the line: a line with spaces inside the name,
// `OpType::` without a type, non-UTF-8 text.
Expected<KeepList> parseKeepList(std::string_view text);
// Reads config.keepDtypeFile into config.keep. Errors: E10001 naming the path when it cannot be
// read (missing, a directory, larger than 1 MiB) or its contents are invalid.
Status loadKeepList(PrecisionConfig& config);

// Syntax and combinations of the precision options; reads the --keep_dtype file. Errors (E10001
// unless stated): an unknown mode or method; --calibration without --quantize=int8 and the reverse
// (E10007); --calibration_method/_mean/_scale without --calibration; mean/scale lists that are not
// numbers, differ in length, or have a scale of 0; --quantize other than int8; --quantize=int8 with a
// 16-bit --precision_mode (the ops int8 does not cover run in float32).
Expected<PrecisionConfig> precisionFromOptions(const AtcOptions& opts);

// Adds the options of `config` to opts (canonical values; nothing for the default).
void addPrecisionOptions(const PrecisionConfig& config, AtcOptions& opts);

// A one-line summary for logs and titles: "fp32", "force_fp16", "int8 (minmax, 32 samples)" ...
std::string precisionLabel(const PrecisionConfig& config);

} // namespace gs::shape_config
