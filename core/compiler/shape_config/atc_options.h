// ATC command-line options as GearStudio accepts them: parsing an argv or a pasted `atc ...` line,
// printing the canonical command line, and the "required options" check shared by gearatc and the
// studio. Only syntax is checked here; shape semantics live in shape_config.h.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/common/status.h"

namespace gs::shape_config {

struct AtcOptions {
  // Every option given, in order, as (key without dashes, value). A repeated option appears twice;
  // the typed fields below hold the last value, as ATC's flag parser does.
  std::vector<std::pair<std::string, std::string>> given;

  std::optional<std::string> model;
  std::optional<int> framework; // 0 Caffe, 1 MindSpore, 3 TensorFlow, 5 ONNX
  std::optional<std::string> output;
  std::optional<std::string> soc_version;
  std::optional<std::string> input_shape;
  std::optional<std::string> input_shape_range;
  std::optional<std::string> dynamic_batch_size;
  std::optional<std::string> dynamic_image_size;
  std::optional<std::string> dynamic_dims;
  std::optional<std::string> input_format;
  std::optional<std::string> out_nodes;
  std::optional<std::string> log;
  // Precision (precision_config.h): ATC's --precision_mode and --keep_dtype; GearStudio's
  // --quantize=int8 and --calibration* extensions.
  std::optional<std::string> precision_mode;
  std::optional<std::string> keep_dtype;
  std::optional<std::string> quantize;
  std::optional<std::string> calibration;
  std::optional<std::string> calibration_method;
  std::optional<std::string> calibration_mean;
  std::optional<std::string> calibration_scale;
  std::optional<int> mode; // 0 build (default), 1 to JSON, 3 pre-check, 6 model info
  std::optional<std::string> om;
  std::optional<std::string> json;
  bool help = false; // --help / -h

  bool operator==(const AtcOptions&) const = default;
};

// Option names GearStudio understands (without dashes), in canonical print order.
std::span<const std::string_view> supportedOptions();

// Sets one option by name (field and `given`). Unknown names: E10001; ATC options GearStudio cannot
// honour: GS0003 naming the option; bad values of --framework, --mode, --log: E10001.
Status setOption(AtcOptions& opts, std::string_view key, std::string value);

// The value of a supported option as text (framework and mode as numbers); nullopt when not given.
std::optional<std::string> getOption(const AtcOptions& opts, std::string_view key);

// argv without the program name. Accepts --key=value, --key value (and gflags' single-dash forms),
// --help / -h.
Expected<AtcOptions> parseArgs(std::span<const std::string> args);

// A pasted command line: POSIX shell quoting (single and double quotes, backslash escapes, line
// continuations). A leading `atc` (or a path ending in /atc) is skipped.
Expected<AtcOptions> parseCommandLine(std::string_view line);

// Splits a shell-quoted line into words (what parseCommandLine feeds to parseArgs).
Expected<std::vector<std::string>> splitShellWords(std::string_view line);

// Quotes a word for a POSIX shell when it needs it ("x:1,3;y:2" -> "\"x:1,3;y:2\"").
std::string shellQuote(std::string_view word);

// `atc --model=... --framework=5 --output=... ...` in canonical option order, values quoted where a
// shell needs it.
std::string toCommandLine(const AtcOptions& opts);

// Options each mode needs: --model and --framework for modes 0 and 3, --output for mode 0, --om or
// --model plus --json for mode 1, --om for mode 6 (missing or empty: E10007). A framework other than
// ONNX (5) is rejected (GS0003) naming what is supported.
Status checkRequired(const AtcOptions& opts);

} // namespace gs::shape_config
