// gearatc's modes. Every failure becomes "E<code>: message" on err and exit status 1.
#include "app/gearatc/atc_cli.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/common/log.h"
#include "core/common/utf8.h"
#include "core/compiler/compile.h"
#include "core/compiler/onnx/importer.h"
#include "core/compiler/onnx/model_json.h"
#include "core/compiler/shape_config/shape_config.h"
#include "core/om/om_file.h"
#include "core/om/om_json.h"
#include "core/session/compile_onnx.h"
#include "core/session/compile_target.h"

namespace gs::gearatc {

namespace {

namespace fs = std::filesystem;

int fail(std::ostream& err, const Error& e) {
  err << e.str() << "\n"; // str() escapes bytes that are not UTF-8
  return 1;
}

Status writeText(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (!f) return makeError(codes::kIo, "cannot write '" + path + "'");
  f << text;
  f.close();
  if (!f) return makeError(codes::kIo, "error while writing '" + path + "'");
  return ok();
}

// JSON documents quote options and names from model files: every string is made UTF-8 first
// (dump() throws on anything else).
std::string jsonText(nlohmann::json j) {
  utf8::sanitizeStrings(j);
  return j.dump(2) + "\n";
}

// check_result.json for a pre-check that failed before anything was imported.
void writeCheckFailure(const shape_config::AtcOptions& opts, const Error& e) {
  nlohmann::json result{{"result", "failed"},
                        {"errors", nlohmann::json::array({{{"code", e.code}, {"message", e.message}}})}};
  fs::path where = "check_result.json";
  if (opts.output && !opts.output->empty()) where = fs::path(*opts.output).parent_path() / "check_result.json";
  (void)writeText(where.string(), jsonText(std::move(result)));
}

// ".om" is appended to --output, as ATC does (unless the user already wrote it).
std::string omPath(const std::string& output) {
  if (output.size() >= 3 && output.compare(output.size() - 3, 3, ".om") == 0) return output;
  return output + ".om";
}

// --quantize=int8 writes the quantized QDQ model next to the .om: OUTPUT_int8.onnx.
std::string quantizedOnnxPath(const std::string& output) {
  const auto om = omPath(output);
  return om.substr(0, om.size() - 3) + "_int8.onnx";
}

struct Compiled {
  om::Model model;
  std::size_t sourceNodes = 0;
  std::string quantizedPath; // the int8 QDQ model written, if any
};

// Import, configure, validate and compile (modes 0 and 3) for `target`. Progress lines go to err.
Expected<Compiled> importAndCompile(const shape_config::AtcOptions& opts, const compiler::Target& target,
                                    std::ostream& err, bool dynamicFallback, const std::string& quantizedPath = {}) {
  GS_ASSIGN_OR_RETURN(auto model, onnx_import::importModel(*opts.model));
  GS_ASSIGN_OR_RETURN(auto config, shape_config::fromOptions(opts));
  GS_RETURN_IF_ERROR(shape_config::validate(config, model));
  compiler::CompileOptions copts;
  copts.target = target;
  copts.atcCommand = shape_config::toCommandLine(opts);
  if (dynamicFallback) {
    if (!isGearStrategy(config.strategy))
      return makeError(codes::kInvalid, "--dynamic_fallback needs gears (--dynamic_batch_size, --dynamic_image_size "
                                        "or --dynamic_dims)");
    copts.dynamicFallback = true;
    copts.atcCommand += " --dynamic_fallback";
  }
  GS_ASSIGN_OR_RETURN(copts.sourceSha256, compiler::sha256File(*opts.model));
  Progress progress;
  progress.report = [&err](double fraction, const std::string& what) {
    err << "[gearatc] " << static_cast<int>(fraction * 100.0 + 0.5) << "% " << what << "\n";
  };
  if (config.precision.quantizeInt8) {
    // Calibration, the QDQ model and its build: session::buildModel, as the studio and gearbench do.
    if (dynamicFallback)
      return makeError(codes::kInvalid, "--dynamic_fallback cannot be combined with --quantize=int8");
    session::BuildRequest request;
    request.config = config;
    request.device = target.device;
    request.atcCommand = copts.atcCommand;
    request.sourceSha256 = copts.sourceSha256;
    request.quantizedModelPath = quantizedPath;
    GS_ASSIGN_OR_RETURN(auto om, session::buildModel(model, request, progress));
    return Compiled{std::move(om), model.graph.nodes.size(), quantizedPath};
  }
  GS_ASSIGN_OR_RETURN(auto om, compiler::compile(model, config, copts, progress));
  return Compiled{std::move(om), model.graph.nodes.size(), {}};
}

int modeBuild(const shape_config::AtcOptions& opts, const compiler::Target& target, std::ostream& out,
              std::ostream& err, bool dynamicFallback) {
  auto compiled = importAndCompile(opts, target, err, dynamicFallback, quantizedOnnxPath(*opts.output));
  if (!compiled) return fail(err, compiled.error());
  const auto path = omPath(*opts.output);
  if (!compiled->quantizedPath.empty())
    out << "wrote quantized model " << utf8::sanitize(compiled->quantizedPath) << "\n";
  if (auto s = om::writeFile(compiled->model, path); !s) return fail(err, s.error());
  const auto& m = compiled->model;
  std::size_t nodes = m.gears.empty() ? (m.dynamic ? m.dynamic->graph.nodes.size() : 0) : m.gears[0].graph.nodes.size();
  out << "wrote " << utf8::sanitize(path) << ": "
      << (m.dynamic ? "dynamic shape" : std::to_string(m.gears.size()) + " gear(s)")
      << (m.fallback ? " + dynamic fallback" : "") << ", " << compiled->sourceNodes << " -> " << nodes
      << " nodes, weights " << m.weightBytes << " bytes, shared arena " << m.sharedArenaBytes << " bytes, "
      << static_cast<int64_t>(m.meta.compileMillis) << " ms\n";
  out << "ATC run success, welcome to the next use.\n";
  return 0;
}

int modeJson(const shape_config::AtcOptions& opts, std::ostream& out, std::ostream& err) {
  nlohmann::json j;
  if (opts.om && !opts.om->empty()) {
    auto m = om::readFile(*opts.om);
    if (!m) return fail(err, m.error());
    j = om::toJson(*m);
  } else {
    auto m = onnx_import::importModel(*opts.model);
    if (!m) return fail(err, m.error());
    j = onnx_import::modelToJson(*m);
  }
  if (auto s = writeText(*opts.json, jsonText(std::move(j))); !s) return fail(err, s.error());
  out << "wrote " << utf8::sanitize(*opts.json) << "\n";
  return 0;
}

// Mode 3: everything mode 0 does except writing the .om; the verdict goes to check_result.json.
int modeCheck(const shape_config::AtcOptions& opts, const compiler::Target& target, std::ostream& out,
              std::ostream& err, bool dynamicFallback) {
  fs::path where = "check_result.json";
  if (opts.output && !opts.output->empty()) where = fs::path(*opts.output).parent_path() / "check_result.json";
  nlohmann::json result;
  result["model"] = opts.model.value_or("");
  result["atc_command"] = shape_config::toCommandLine(opts);
  std::ostringstream progressSink; // mode 3 is quiet about progress
  auto compiled = importAndCompile(opts, target, progressSink, dynamicFallback);
  if (compiled) {
    const auto& m = compiled->model;
    result["result"] = "success";
    result["errors"] = nlohmann::json::array();
    result["strategy"] = std::string(strategyName(m.meta.strategy));
    result["gear_count"] = m.gears.size();
    result["shared_arena_bytes"] = m.sharedArenaBytes;
    result["weight_bytes"] = m.weightBytes;
  } else {
    result["result"] = "failed";
    result["errors"] =
        nlohmann::json::array({nlohmann::json{{"code", compiled.error().code}, {"message", compiled.error().message}}});
  }
  if (auto s = writeText(where.string(), jsonText(std::move(result))); !s) return fail(err, s.error());
  if (!compiled) return fail(err, compiled.error());
  out << "check passed; wrote " << utf8::sanitize(where.string()) << "\n";
  return 0;
}

int modeInfo(const shape_config::AtcOptions& opts, std::ostream& out, std::ostream& err) {
  auto m = om::readFile(*opts.om);
  if (!m) return fail(err, m.error());
  out << om::infoText(*m);
  return 0;
}

int runModes(std::span<const std::string> args, std::ostream& out, std::ostream& err) {
  // --print-pipeline, --target=DEVICE and --dynamic_fallback are GearStudio's own flags: taken out before
  // ATC option parsing. The target (default: the CPU) decides which fusion passes run.
  std::vector<std::string> rest;
  bool printPipeline = false;
  bool dynamicFallback = false;
  std::string targetName = "cpu";
  for (const auto& a : args) {
    if (a == "--print-pipeline" || a == "--print_pipeline")
      printPipeline = true;
    else if (a == "--dynamic_fallback" || a == "--dynamic-fallback" || a == "--dynamic_fallback=1" ||
             a == "--dynamic_fallback=true")
      dynamicFallback = true;
    else if (a.rfind("--target=", 0) == 0)
      targetName = a.substr(9);
    else
      rest.push_back(a);
  }
  auto target = session::compileTarget(targetName);
  if (!target) return fail(err, target.error());
  if (printPipeline && rest.empty()) {
    out << compiler::pipelineText(*target);
    return 0;
  }
  auto opts = shape_config::parseArgs(rest);
  if (!opts) {
    // A pre-check reports option errors in check_result.json too: find --mode and --output by
    // hand, since the options as a whole did not parse.
    shape_config::AtcOptions seen;
    for (std::size_t i = 0; i < rest.size(); ++i) {
      auto a = std::string_view(rest[i]);
      a.remove_prefix(std::min<std::size_t>(a.find_first_not_of('-'), 2));
      const auto eq = a.find('=');
      const auto key = a.substr(0, eq);
      const std::string value = eq != std::string_view::npos ? std::string(a.substr(eq + 1))
                                : i + 1 < rest.size()        ? rest[i + 1]
                                                             : std::string();
      if (key == "mode" || key == "output") (void)shape_config::setOption(seen, key, value);
    }
    if (seen.mode == 3) writeCheckFailure(seen, opts.error());
    return fail(err, opts.error());
  }
  if (opts->help) {
    out << helpText();
    return 0;
  }
  if (printPipeline) {
    out << compiler::pipelineText(*target);
    return 0;
  }
  if (args.empty()) {
    out << helpText();
    return 1;
  }
  if (auto s = log::setLevel(opts->log.value_or("error")); !s) return fail(err, s.error());
  if (auto s = shape_config::checkRequired(*opts); !s) {
    if (opts->mode.value_or(0) == 3) writeCheckFailure(*opts, s.error());
    return fail(err, s.error());
  }
  switch (opts->mode.value_or(0)) {
  case 0:
    return modeBuild(*opts, *target, out, err, dynamicFallback);
  case 1:
    return modeJson(*opts, out, err);
  case 3:
    return modeCheck(*opts, *target, out, err, dynamicFallback);
  case 6:
    return modeInfo(*opts, out, err);
  default:
    return fail(err, Error{"E10001", "--mode=" + std::to_string(*opts->mode) + " is not supported (0, 1, 3 or 6)"});
  }
}

} // namespace

int run(std::span<const std::string> args, std::ostream& out, std::ostream& err) {
  // The boundary: core code returns errors, but a third-party library (protobuf, the ONNX checker,
  // nlohmann::json) or an allocation can still throw. Nothing escapes main.
  try {
    return runModes(args, out, err);
  } catch (const std::bad_alloc&) {
    return fail(err, Error{codes::kInternal, "out of memory (a model or option asks for more than this machine has)"});
  } catch (const std::exception& e) {
    return fail(err, Error{codes::kInternal, std::string("unexpected failure: ") + e.what()});
  } catch (...) {
    return fail(err, Error{codes::kInternal, "unexpected failure of an unknown kind"});
  }
}

} // namespace gs::gearatc
