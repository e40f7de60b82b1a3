// ATC option table, argv parsing and the per-mode required-option check.
#include "core/compiler/shape_config/atc_options.h"

#include <array>
#include <charconv>

#include "core/common/utf8.h"
#include "core/compiler/shape_config/atc_checks.h"

namespace gs::shape_config {
namespace {

constexpr std::array<std::string_view, 22> kSupported = {"model",
                                                         "framework",
                                                         "output",
                                                         "soc_version",
                                                         "mode",
                                                         "om",
                                                         "json",
                                                         "input_format",
                                                         "input_shape",
                                                         "input_shape_range",
                                                         "dynamic_batch_size",
                                                         "dynamic_image_size",
                                                         "dynamic_dims",
                                                         "out_nodes",
                                                         "precision_mode",
                                                         "keep_dtype",
                                                         "quantize",
                                                         "calibration",
                                                         "calibration_method",
                                                         "calibration_mean",
                                                         "calibration_scale",
                                                         "log"};

struct Unsupported {
  std::string_view name;
  std::string_view why;
};

// Real ATC options GearStudio cannot honour. Rejected by name so that a pasted command never loses
// a setting silently.
constexpr Unsupported kUnsupported[] = {
    {"weight", "it names Caffe weights; GearStudio imports ONNX models only"},
    {"singleop", "single-operator compilation is not supported"},
    {"output_type", "model outputs keep the source model's data types"},
    {"input_fp16_nodes", "inputs keep the source model's data types"},
    {"insert_op_conf", "AIPP preprocessing is not supported"},
    {"precision_mode_v2", "use --precision_mode (force_fp32, force_fp16, allow_fp32_to_fp16, must_keep_origin_dtype, "
                          "allow_mix_precision)"},
    {"op_precision_mode", "per-operator precision modes are not supported"},
    {"modify_mixlist", "allow_mix_precision keeps GearStudio's documented list of sensitive ops in float32; name "
                       "more nodes with --keep_dtype"},
    {"customize_dtypes", "per-node dtypes other than the original are not supported; use --keep_dtype"},
    {"allow_hf32", "HF32 is an Ascend NPU format"},
    {"op_select_implmode", "operator implementation modes are an Ascend NPU setting"},
    {"optypelist_for_implmode", "operator implementation modes are an Ascend NPU setting"},
    {"fusion_switch_file", "fusions are chosen by GearStudio's pass pipeline"},
    {"enable_scope_fusion_passes", "scope fusions are TensorFlow-specific"},
    {"enable_small_channel", "it is an Ascend NPU layout setting"},
    {"enable_compress_weight", "weight compression is not supported"},
    {"compress_weight_conf", "weight compression is not supported"},
    {"compression_optimize_conf", "compression optimisation is not supported"},
    {"sparsity", "structured sparsity is not supported"},
    {"buffer_optimize", "L1/L2 buffer optimisation is an Ascend NPU setting"},
    {"enable_single_stream", "streams are an Ascend NPU concept"},
    {"disable_reuse_memory", "the memory planner always reuses memory"},
    {"external_weight", "weights are stored inside the .om"},
    {"is_input_adjust_hw_layout", "hardware layouts are an Ascend NPU setting"},
    {"is_output_adjust_hw_layout", "hardware layouts are an Ascend NPU setting"},
    {"op_name_map", "it maps Caffe/TensorFlow operators"},
    {"host_env_os", "GearStudio builds for the machine it runs on"},
    {"host_env_cpu", "GearStudio builds for the machine it runs on"},
    {"virtual_type", "virtual NPU instances are not supported"},
    {"core_type", "it selects Ascend NPU cores"},
    {"aicore_num", "it selects Ascend NPU cores"},
    {"auto_tune_mode", "operator auto-tuning is not supported"},
    {"op_debug_level", "it builds Ascend operator debug binaries"},
    {"op_debug_config", "it builds Ascend operator debug binaries"},
    {"debug_dir", "it stores Ascend operator debug files"},
    {"op_compiler_cache_mode", "the Ascend operator compiler cache is not used"},
    {"op_compiler_cache_dir", "the Ascend operator compiler cache is not used"},
    {"mdl_bank_path", "tuning knowledge banks are not supported"},
    {"op_bank_path", "tuning knowledge banks are not supported"},
    {"save_original_model", "the source model is not embedded in the .om"},
    {"dump_mode", "it dumps Ascend operator information"},
    {"display_model_info", "use --mode=6 to print model information"},
    {"status_check", "it checks Ascend operator builds"},
    {"check_report", "--mode=3 writes check_result.json next to --output"},
    {"shape_generalized_build_mode", "shape generalisation is not supported; use --input_shape ranges"},
    {"atomic_clean_policy", "it is an Ascend NPU memory setting"},
    {"deterministic", "CPU kernels are deterministic already"},
    {"input_hint_shape", "shape hints are not supported; use --input_shape ranges"},
    {"oo_level", "optimisation levels are not supported"},
    {"distributed_cluster_build", "distributed builds are not supported"},
    {"cluster_config", "distributed builds are not supported"},
    {"enable_graph_parallel", "graph parallelism is not supported"},
    {"graph_parallel_option_path", "graph parallelism is not supported"},
    {"quant_dumpable", "quantisation is not supported"},
    {"encrypt_mode", "model encryption is not supported"},
    {"encrypt_key", "model encryption is not supported"},
    {"certificate", "model encryption is not supported"},
    {"hardware_key", "model encryption is not supported"},
    {"private_key", "model encryption is not supported"},
};

std::string invalidValue(std::string_view key, std::string_view value, std::string_view reason) {
  return "Value [" + utf8::sanitize(value) + "] for parameter [--" + utf8::sanitize(key) +
         "] is invalid. Reason: " + std::string(reason) + ".";
}

std::optional<int> toInt(std::string_view s) {
  int v = 0;
  const auto* end = s.data() + s.size();
  auto [p, ec] = std::from_chars(s.data(), end, v);
  if (ec != std::errc() || p != end || s.empty()) return std::nullopt;
  return v;
}

Status setTyped(AtcOptions& o, std::string_view key, const std::string& value) {
  if (key == "framework") {
    const auto v = toInt(value);
    if (!v || (*v != 0 && *v != 1 && *v != 3 && *v != 5))
      return makeError("E10001",
                       invalidValue(key, value, "expected 0 (Caffe), 1 (MindSpore), 3 (TensorFlow) or 5 (ONNX)"));
    o.framework = *v;
    return ok();
  }
  if (key == "mode") {
    const auto v = toInt(value);
    if (v && *v == 5)
      return makeError(codes::kUnsupported,
                       "Value [5] for parameter [--mode] is not supported by GearStudio: converting "
                       "a GE dump to JSON is an Ascend tool; supported modes are 0, 1, 3 and 6.");
    if (!v || (*v != 0 && *v != 1 && *v != 3 && *v != 6))
      return makeError(
          "E10001", invalidValue(key, value, "expected 0 (build), 1 (model to JSON), 3 (pre-check) or 6 (model info)"));
    o.mode = *v;
    return ok();
  }
  if (key == "log") {
    if (value != "debug" && value != "info" && value != "warning" && value != "error" && value != "null")
      return makeError("E10001", invalidValue(key, value, "expected debug, info, warning, error or null"));
    o.log = value;
    return ok();
  }
  std::optional<std::string>* field = nullptr;
  if (key == "model")
    field = &o.model;
  else if (key == "output")
    field = &o.output;
  else if (key == "soc_version")
    field = &o.soc_version;
  else if (key == "input_shape")
    field = &o.input_shape;
  else if (key == "input_shape_range")
    field = &o.input_shape_range;
  else if (key == "dynamic_batch_size")
    field = &o.dynamic_batch_size;
  else if (key == "dynamic_image_size")
    field = &o.dynamic_image_size;
  else if (key == "dynamic_dims")
    field = &o.dynamic_dims;
  else if (key == "input_format")
    field = &o.input_format;
  else if (key == "out_nodes")
    field = &o.out_nodes;
  else if (key == "om")
    field = &o.om;
  else if (key == "json")
    field = &o.json;
  else if (key == "precision_mode")
    field = &o.precision_mode;
  else if (key == "keep_dtype")
    field = &o.keep_dtype;
  else if (key == "quantize")
    field = &o.quantize;
  else if (key == "calibration")
    field = &o.calibration;
  else if (key == "calibration_method")
    field = &o.calibration_method;
  else if (key == "calibration_mean")
    field = &o.calibration_mean;
  else if (key == "calibration_scale")
    field = &o.calibration_scale;
  if (!field) return makeError(codes::kInternal, "option table and fields disagree on --" + std::string(key));
  *field = value;
  return ok();
}

bool isSupported(std::string_view key) {
  for (auto k : kSupported)
    if (k == key) return true;
  return false;
}

bool empty(const std::optional<std::string>& v) { return !v || v->empty(); }

Status missing(std::string_view key, std::string_view why) {
  return makeError("E10007", "[--" + std::string(key) + "] is required" + std::string(why) + ".");
}

} // namespace

std::span<const std::string_view> supportedOptions() { return kSupported; }

std::optional<std::string> getOption(const AtcOptions& o, std::string_view key) {
  if (key == "framework") return o.framework ? std::optional(std::to_string(*o.framework)) : std::nullopt;
  if (key == "mode") return o.mode ? std::optional(std::to_string(*o.mode)) : std::nullopt;
  if (key == "model") return o.model;
  if (key == "output") return o.output;
  if (key == "soc_version") return o.soc_version;
  if (key == "input_shape") return o.input_shape;
  if (key == "input_shape_range") return o.input_shape_range;
  if (key == "dynamic_batch_size") return o.dynamic_batch_size;
  if (key == "dynamic_image_size") return o.dynamic_image_size;
  if (key == "dynamic_dims") return o.dynamic_dims;
  if (key == "input_format") return o.input_format;
  if (key == "out_nodes") return o.out_nodes;
  if (key == "log") return o.log;
  if (key == "om") return o.om;
  if (key == "json") return o.json;
  if (key == "precision_mode") return o.precision_mode;
  if (key == "keep_dtype") return o.keep_dtype;
  if (key == "quantize") return o.quantize;
  if (key == "calibration") return o.calibration;
  if (key == "calibration_method") return o.calibration_method;
  if (key == "calibration_mean") return o.calibration_mean;
  if (key == "calibration_scale") return o.calibration_scale;
  return std::nullopt;
}

Status setOption(AtcOptions& opts, std::string_view key, std::string value) {
  if (key == "help" || key == "h") {
    opts.help = true;
    opts.given.emplace_back(std::string(key), std::move(value));
    return ok();
  }
  if (!isSupported(key)) {
    for (const auto& u : kUnsupported)
      if (u.name == key)
        return makeError(codes::kUnsupported,
                         "Parameter [--" + utf8::sanitize(key) +
                             "] is an ATC option that GearStudio does not support: " + std::string(u.why) + ".");
    return makeError("E10001", "Parameter [--" + utf8::sanitize(key) +
                                   "] is invalid. Reason: unknown option; run with --help for the supported options.");
  }
  GS_RETURN_IF_ERROR(setTyped(opts, key, value));
  opts.given.emplace_back(std::string(key), std::move(value));
  return ok();
}

Expected<AtcOptions> parseArgs(std::span<const std::string> args) {
  AtcOptions opts;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "-h" || arg == "--help" || arg == "-help") {
      GS_RETURN_IF_ERROR(setOption(opts, "help", ""));
      continue;
    }
    // gflags (which ATC uses) accepts both one and two leading dashes.
    std::size_t dashes = 0;
    while (dashes < arg.size() && dashes < 2 && arg[dashes] == '-')
      ++dashes;
    if (dashes == 0 || dashes == arg.size())
      return makeError("E10001", "Argument [" + utf8::sanitize(arg) +
                                     "] is invalid. Reason: expected an option such as --model=PATH.");
    std::string body = arg.substr(dashes);
    std::string key;
    std::string value;
    if (const auto eq = body.find('='); eq != std::string::npos) {
      key = body.substr(0, eq);
      value = body.substr(eq + 1);
    } else {
      key = body;
      if (key == "help" || key == "h") {
        GS_RETURN_IF_ERROR(setOption(opts, "help", ""));
        continue;
      }
      // Check the name before taking the next word as its value, so that `--op_precision_mode x` is
      // reported for the option and not for the value.
      if (!isSupported(key)) return std::unexpected(setOption(opts, key, "").error());
      if (i + 1 >= args.size())
        return makeError("E10001", "Parameter [--" + utf8::sanitize(key) +
                                       "] is invalid. Reason: it needs a value (--" + utf8::sanitize(key) + "=VALUE).");
      value = args[++i];
    }
    GS_RETURN_IF_ERROR(setOption(opts, key, std::move(value)));
  }
  return opts;
}

Status checkFramework(const AtcOptions& opts) {
  if (!opts.framework || *opts.framework == 5) return ok();
  static constexpr std::string_view names[] = {"Caffe", "MindSpore", "", "TensorFlow", "", "ONNX"};
  const auto f = *opts.framework;
  const std::string name = f >= 0 && f < 6 && !names[f].empty() ? " (" + std::string(names[f]) + ")" : "";
  return makeError(codes::kUnsupported, "Value [" + std::to_string(f) + "] for parameter [--framework]" + name +
                                            " is not supported: GearStudio imports ONNX models only (--framework=5).");
}

Status checkRequired(const AtcOptions& opts) {
  if (opts.help) return ok();
  const int mode = opts.mode.value_or(0);
  const auto needFramework = [&]() -> Status {
    if (!opts.framework)
      return missing("framework", ". The value must be 5 (ONNX): GearStudio imports ONNX models only");
    return checkFramework(opts);
  };
  switch (mode) {
  case 0:
  case 3:
    if (empty(opts.model)) return missing("model", " when --mode=" + std::to_string(mode));
    GS_RETURN_IF_ERROR(needFramework());
    if (mode == 0 && empty(opts.output)) return missing("output", " when --mode=0");
    return ok();
  case 1:
    if (empty(opts.om) && empty(opts.model)) return missing("om] or [--model", " when --mode=1");
    if (empty(opts.om)) GS_RETURN_IF_ERROR(needFramework());
    if (empty(opts.json)) return missing("json", " when --mode=1");
    return ok();
  case 6:
    if (empty(opts.om)) return missing("om", " when --mode=6");
    return ok();
  default:
    return makeError("E10001", invalidValue("mode", std::to_string(mode), "expected 0, 1, 3 or 6"));
  }
}

} // namespace gs::shape_config
