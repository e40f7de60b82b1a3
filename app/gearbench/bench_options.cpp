// Parsing of gearbench's options.
#include "app/gearbench/bench_options.h"

#include <algorithm>
#include <charconv>

#include "core/common/utf8.h"
#include "core/compiler/shape_config/atc_checks.h"
#include "core/compiler/shape_config/shape_config.h"

namespace gs::gearbench {
namespace {

// gearatc options that shape an .onnx compile, and the ones a pasted atc line brings along
// (--framework, --soc_version, --log); all are checked the way gearatc checks them. --output is
// gearbench's own (the folder for output tensors) and --model is read here.
constexpr std::string_view kAtcPassThrough[] = {"input_shape",        "input_shape_range", "dynamic_batch_size",
                                                "dynamic_image_size", "dynamic_dims",      "input_format",
                                                "out_nodes",          "soc_version",       "log",
                                                "framework",
                                                // precision (an .onnx compiled here is quantized as gearatc would)
                                                "precision_mode",     "keep_dtype",        "quantize",
                                                "calibration",        "calibration_method", "calibration_mean",
                                                "calibration_scale"};

Error usage(const std::string& m) { return Error{codes::kInvalid, m}; }

template <class T> Expected<T> number(std::string_view key, const std::string& v) {
  T out{};
  const auto* end = v.data() + v.size();
  auto [p, ec] = std::from_chars(v.data(), end, out);
  if (ec != std::errc() || p != end || v.empty())
    return std::unexpected(usage("--" + std::string(key) + ": '" + utf8::sanitize(v) + "' is not a number"));
  return out;
}

} // namespace

std::string helpText() {
  return R"(gearbench: run and measure GearStudio models (.om; .onnx is compiled on the fly)

Benchmark:
  gearbench --model=M.om [--gear=all|INDEX|"name:d1,d2;name2:..."] [--loop=100] [--warmup=5]
            [--threads=N] [--device=cpu] [--input=DIR] [--output=DIR] [--json=FILE] [--profile]
            [--seed=N]
  .onnx models take gearatc's shape options: --input_shape, --input_shape_range, --dynamic_batch_size,
  --dynamic_image_size, --dynamic_dims, --input_format, --out_nodes, and the precision options
  (--precision_mode, --keep_dtype, --quantize=int8 --calibration=DIR ...); options pasted from an atc line
  (--framework=5, --soc_version, --log) are checked as gearatc checks them. --output stays
  gearbench's: the folder for output tensors.
  --gear     which gear(s) run: default the largest gear, 'all' every gear, an index, or input shapes
             (for a dynamic-shape model: the shapes to run with).
  --input    one NAME.npy per input ('/' and ':' in names become '_'); random inputs otherwise.
  --output   writes one NAME.npy per output of the last run (DIR/gear_<i>/ when several gears run).
  --profile  per-op time table with each op's share.
  --max-memory=MiB  refuse a model whose arena and weights need more (default: physical memory).

Other modes:
  gearbench --compare-strategies --model=M.onnx --input_shape=... --dynamic_batch_size=... [--loop=N]
            [--json=FILE]   the gears as static models, one multi-gear model and one dynamic model
  gearbench --list-ops [--device=cpu] [--json=FILE]     the supported ops and dtypes
  gearbench --check=DIR [--jobs=N] [--timeout=S] [--min-pass=PCT] [--json=FILE] [--threads=N]
            [--expect-pass=FILE] [--write-pass-list=FILE]
            ONNX backend cases under DIR (model.onnx + test_data_set_*): each in a child process with a
            time limit; prints failures and "N passed, N failed, N skipped". --expect-pass names the
            cases that must pass (one a line, '#' comments): each one that does not is printed as
            "REGRESSED" and fails the run; passing cases not in the file are printed as "NEW PASS".
            --write-pass-list writes the names of the passing cases in that format.

Exit status: 0 success (also with failed --check cases, unless --min-pass is given and not met, or a
case of --expect-pass did not pass: 1); 1 a model that cannot be loaded or run; 2 a usage error.
)";
}

Expected<BenchOptions> parseArgs(std::span<const std::string> args) {
  BenchOptions o;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string a = args[i];
    if (a == "-h" || a == "--help") {
      o.help = true;
      continue;
    }
    if (a.rfind("--", 0) != 0) return std::unexpected(usage("unexpected argument '" + utf8::sanitize(a) + "'"));
    a = a.substr(2);
    std::string key = a, value;
    bool hasValue = false;
    if (const auto eq = a.find('='); eq != std::string::npos) {
      key = a.substr(0, eq);
      value = a.substr(eq + 1);
      hasValue = true;
    }
    auto need = [&]() -> Status {
      if (hasValue) return ok();
      if (i + 1 < args.size() && args[i + 1].rfind("--", 0) != 0) {
        value = args[++i];
        return ok();
      }
      return std::unexpected(usage("--" + utf8::sanitize(key) + " needs a value"));
    };
    if (key == "profile") {
      o.profile = true;
    } else if (key == "list-ops") {
      o.listOps = true;
    } else if (key == "model") {
      GS_RETURN_IF_ERROR(need());
      o.model = value;
    } else if (key == "gear") {
      GS_RETURN_IF_ERROR(need());
      o.gear = value;
    } else if (key == "loop") {
      GS_RETURN_IF_ERROR(need());
      GS_ASSIGN_OR_RETURN(o.loop, number<int>(key, value));
    } else if (key == "warmup") {
      GS_RETURN_IF_ERROR(need());
      GS_ASSIGN_OR_RETURN(o.warmup, number<int>(key, value));
    } else if (key == "threads") {
      GS_RETURN_IF_ERROR(need());
      GS_ASSIGN_OR_RETURN(o.threads, number<int>(key, value));
    } else if (key == "seed") {
      GS_RETURN_IF_ERROR(need());
      GS_ASSIGN_OR_RETURN(o.seed, number<uint32_t>(key, value));
    } else if (key == "device") {
      GS_RETURN_IF_ERROR(need());
      o.device = value;
    } else if (key == "input") {
      GS_RETURN_IF_ERROR(need());
      o.inputDir = value;
    } else if (key == "output") {
      GS_RETURN_IF_ERROR(need());
      if (value.empty())
        return makeError("E10001", "Value [] for parameter [--output] is invalid. Reason: it is empty; give the "
                                   "folder for the output tensors.");
      o.outputDir = value;
    } else if (key == "json") {
      GS_RETURN_IF_ERROR(need());
      o.jsonPath = value;
    } else if (key == "check") {
      GS_RETURN_IF_ERROR(need());
      o.checkDir = value;
    } else if (key == "jobs") {
      GS_RETURN_IF_ERROR(need());
      GS_ASSIGN_OR_RETURN(o.jobs, number<int>(key, value));
    } else if (key == "timeout") {
      GS_RETURN_IF_ERROR(need());
      GS_ASSIGN_OR_RETURN(o.timeoutSeconds, number<double>(key, value));
    } else if (key == "max-memory") {
      GS_RETURN_IF_ERROR(need());
      GS_ASSIGN_OR_RETURN(o.maxMemoryMiB, number<uint64_t>(key, value));
      if (o.maxMemoryMiB == 0) return std::unexpected(usage("--max-memory must be at least 1 (MiB)"));
    } else if (key == "expect-pass") {
      GS_RETURN_IF_ERROR(need());
      if (value.empty()) return std::unexpected(usage("--expect-pass needs a file"));
      o.expectPassPath = value;
    } else if (key == "write-pass-list") {
      GS_RETURN_IF_ERROR(need());
      if (value.empty()) return std::unexpected(usage("--write-pass-list needs a file"));
      o.writePassPath = value;
    } else if (key == "min-pass") {
      GS_RETURN_IF_ERROR(need());
      GS_ASSIGN_OR_RETURN(o.minPassPercent, number<double>(key, value));
    } else if (std::find(std::begin(kAtcPassThrough), std::end(kAtcPassThrough), key) != std::end(kAtcPassThrough)) {
      GS_RETURN_IF_ERROR(need());
      GS_RETURN_IF_ERROR(shape_config::setOption(o.atc, key, value));
    } else {
      return std::unexpected(usage("unknown option --" + utf8::sanitize(key) + " (see --help)"));
    }
  }
  if (o.help) return o;
  const int modes = (o.model.empty() ? 0 : 1) + (o.checkDir.empty() ? 0 : 1) + (o.listOps ? 1 : 0);
  if (modes == 0) return std::unexpected(usage("give --model, --check or --list-ops (see --help)"));
  if (modes > 1) return std::unexpected(usage("--model, --check and --list-ops are separate modes"));
  if ((!o.expectPassPath.empty() || !o.writePassPath.empty()) && o.checkDir.empty())
    return std::unexpected(usage("--expect-pass and --write-pass-list go with --check"));
  if (o.loop < 1) return std::unexpected(usage("--loop must be at least 1"));
  if (o.warmup < 0) return std::unexpected(usage("--warmup must not be negative"));
  if (o.threads < 0) return std::unexpected(usage("--threads must not be negative"));
  if (o.jobs < 1) return std::unexpected(usage("--jobs must be at least 1"));
  if (o.timeoutSeconds <= 0) return std::unexpected(usage("--timeout must be positive"));
  // The ATC options as gearatc checks them: --framework names ONNX, the shape options parse and
  // combine (E-codes); their fit to the model is checked when an .onnx model is compiled.
  GS_RETURN_IF_ERROR(shape_config::checkFramework(o.atc));
  if (!o.atc.given.empty()) GS_RETURN_IF_ERROR(shape_config::fromOptions(o.atc));
  return o;
}

} // namespace gs::gearbench
