// gearbench's traffic modes: option parsing, wiring to core/traffic, text and JSON reports.
#include "app/gearbench/traffic_cmd.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/gearbench/bench_options.h"
#include "app/gearbench/check_mode.h"
#include "core/compiler/compile.h"
#include "core/compiler/onnx/importer.h"
#include "core/compiler/shape_config/shape_config.h"
#include "core/om/om_file.h"
#include "core/profile/profile_export.h"
#include "core/runtime/dispatch.h"
#include "core/traffic/gear_models.h"
#include "core/traffic/padding_check.h"
#include "core/traffic/planner.h"
#include "core/traffic/replay.h"
#include "core/traffic/trace.h"
#include "core/traffic/trace_generate.h"
#include "core/traffic/trace_sources.h"

namespace gs::gearbench {
namespace {

using Clock = std::chrono::steady_clock;

// The options this file owns; everything else goes to gearbench's own parser.
struct TrafficOptions {
  std::string trace, traceNpy, traceImages, resize;
  std::optional<std::string> dispatch;
  int64_t requests = 0;
  std::string padValues;
  std::optional<int> planGears;
  int64_t step = 1;
  std::optional<double> maxMemoryMiB;
  int calibrationPoints = 6;
  bool checkPadding = false;
  int samples = 2;
  double tolerance = 1e-4;
  std::string genTrace;
  std::vector<std::string> dists;
  bool compare = false;
  bool dynamicFallback = false;
  bool help = false;
};

constexpr std::string_view kOwned[] = {"trace",     "trace-npy",          "trace-images",    "resize",    "dispatch",
                                       "requests",  "pad-value",          "plan-gears",      "step",      "max-memory",
                                       "calibrate", "check-padding",      "samples",         "tolerance", "gen-trace",
                                       "dist",      "compare-strategies", "dynamic_fallback"};

Error usage(const std::string& m) { return Error{codes::kInvalid, m}; }

template <class T> Expected<T> num(const std::string& key, const std::string& v) {
  try {
    std::size_t used = 0;
    T x{};
    if constexpr (std::is_same_v<T, double>)
      x = std::stod(v, &used);
    else
      x = static_cast<T>(std::stoll(v, &used));
    if (used != v.size()) throw std::invalid_argument(v);
    return x;
  } catch (...) {
    return std::unexpected(usage("--" + key + ": '" + v + "' is not a number"));
  }
}

// Splits argv into this file's options and the rest (gearbench's and the ATC shape options).
Expected<std::pair<TrafficOptions, std::vector<std::string>>> split(std::span<const std::string> args) {
  TrafficOptions t;
  std::vector<std::string> rest;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto& a = args[i];
    if (a == "-h" || a == "--help") {
      t.help = true;
      continue;
    }
    if (a.rfind("--", 0) != 0) {
      rest.push_back(a);
      continue;
    }
    std::string key = a.substr(2), value;
    bool has = false;
    if (const auto eq = key.find('='); eq != std::string::npos) {
      value = key.substr(eq + 1);
      key = key.substr(0, eq);
      has = true;
    }
    if (std::find(std::begin(kOwned), std::end(kOwned), key) == std::end(kOwned)) {
      rest.push_back(a);
      continue;
    }
    const bool flag = key == "check-padding" || key == "compare-strategies" || key == "dynamic_fallback";
    if (!flag && !has) {
      if (i + 1 >= args.size() || args[i + 1].rfind("--", 0) == 0)
        return std::unexpected(usage("--" + key + " needs a value"));
      value = args[++i];
    }
    if (key == "trace")
      t.trace = value;
    else if (key == "trace-npy")
      t.traceNpy = value;
    else if (key == "trace-images")
      t.traceImages = value;
    else if (key == "resize")
      t.resize = value;
    else if (key == "dispatch")
      t.dispatch = value;
    else if (key == "requests") {
      GS_ASSIGN_OR_RETURN(t.requests, num<int64_t>(key, value));
      if (t.requests < 1) return std::unexpected(usage("--requests must be at least 1"));
    } else if (key == "pad-value")
      t.padValues += (t.padValues.empty() ? "" : ";") + value;
    else if (key == "plan-gears") {
      GS_ASSIGN_OR_RETURN(auto k, num<int>(key, value));
      if (k < 2 || k > 100) return std::unexpected(usage("--plan-gears: ATC takes 2 to 100 gears, got " + value));
      t.planGears = k;
    } else if (key == "step") {
      GS_ASSIGN_OR_RETURN(t.step, num<int64_t>(key, value));
      if (t.step < 1 || t.step > traffic::kMaxDim) return std::unexpected(usage("--step must be a positive number"));
    } else if (key == "max-memory") {
      GS_ASSIGN_OR_RETURN(auto m, num<double>(key, value));
      if (!(m > 0)) return std::unexpected(usage("--max-memory must be a positive number of MiB"));
      t.maxMemoryMiB = m;
    } else if (key == "calibrate") {
      GS_ASSIGN_OR_RETURN(t.calibrationPoints, num<int>(key, value));
      if (t.calibrationPoints < 2 || t.calibrationPoints > 32)
        return std::unexpected(usage("--calibrate: 2 to 32 measured gears"));
    } else if (key == "check-padding") {
      if (has) return std::unexpected(usage("--check-padding takes no value"));
      t.checkPadding = true;
    } else if (key == "samples") {
      GS_ASSIGN_OR_RETURN(t.samples, num<int>(key, value));
      if (t.samples < 1 || t.samples > 100) return std::unexpected(usage("--samples: 1 to 100 per gear"));
    } else if (key == "tolerance") {
      GS_ASSIGN_OR_RETURN(t.tolerance, num<double>(key, value));
      if (!(t.tolerance >= 0)) return std::unexpected(usage("--tolerance must not be negative"));
    } else if (key == "gen-trace")
      t.genTrace = value;
    else if (key == "dist")
      t.dists.push_back(value);
    else if (key == "compare-strategies")
      t.compare = true;
    else if (key == "dynamic_fallback")
      t.dynamicFallback = true;
  }
  return std::pair{std::move(t), std::move(rest)};
}

std::string fixed(double v, int d) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", d, v);
  return buf;
}

Status writeJson(const std::string& path, const nlohmann::json& j) {
  if (path.empty()) return ok();
  std::ofstream f(path, std::ios::trunc);
  if (!f || !(f << j.dump(2) << "\n")) return makeError(codes::kIo, "cannot write '" + path + "'");
  return ok();
}

int report(std::ostream& err, const Error& e) {
  err << e.str() << "\n";
  return e.code == codes::kInvalid || e.code.rfind("E1", 0) == 0 ? 2 : 1;
}

Progress barProgress(ProgressBar& bar) {
  Progress p;
  p.report = [&bar](double f, const std::string&) { bar.update(static_cast<std::size_t>(f * 1000), 1000); };
  return p;
}

bool isOnnx(const std::string& path) { return path.size() > 5 && path.compare(path.size() - 5, 5, ".onnx") == 0; }

// The trace from --trace / --trace-npy / --trace-images (the latter two need the model's input).
Expected<traffic::Trace> loadTrace(const TrafficOptions& t, const shape_config::AtcOptions& atc) {
  const int given = (t.trace.empty() ? 0 : 1) + (t.traceNpy.empty() ? 0 : 1) + (t.traceImages.empty() ? 0 : 1);
  if (given == 0) return std::unexpected(usage("give a trace: --trace=FILE, --trace-npy=DIR or --trace-images=DIR"));
  if (given > 1) return std::unexpected(usage("--trace, --trace-npy and --trace-images are alternatives"));
  if (!t.trace.empty()) return traffic::readTrace(t.trace);
  if (!atc.input_shape)
    return std::unexpected(usage("--trace-npy / --trace-images need --input_shape to name the input (and, for "
                                 "images, -1 at H and W)"));
  GS_ASSIGN_OR_RETURN(auto shapes, traffic::parseShapes(*atc.input_shape, true));
  if (shapes.size() != 1) return std::unexpected(usage("folder traces serve models with one input"));
  if (!t.traceNpy.empty()) return traffic::traceFromNpyFolder(t.traceNpy, shapes[0].name);
  GS_ASSIGN_OR_RETURN(auto rule, traffic::parseResizeRule(t.resize));
  return traffic::traceFromImageFolder(t.traceImages, shapes[0].name, shapes[0].dims, rule);
}

// An .om is read; an .onnx is compiled with the shape options (and crop maps, optional fallback).
Expected<std::shared_ptr<const om::Model>> loadModel(const BenchOptions& o, bool fallback) {
  if (!isOnnx(o.model)) {
    GS_ASSIGN_OR_RETURN(auto m, om::readFile(o.model));
    return std::make_shared<const om::Model>(std::move(m));
  }
  GS_ASSIGN_OR_RETURN(auto model, onnx_import::importModel(o.model));
  GS_ASSIGN_OR_RETURN(auto config, shape_config::fromOptions(o.atc));
  GS_RETURN_IF_ERROR(shape_config::validate(config, model));
  compiler::CompileOptions copts;
  copts.atcCommand = shape_config::toCommandLine(o.atc);
  copts.dynamicFallback = fallback && isGearStrategy(config.strategy);
  GS_ASSIGN_OR_RETURN(auto m, compiler::compile(model, config, copts, {}));
  return std::make_shared<const om::Model>(std::move(m));
}

void printReplay(std::ostream& out, const traffic::ReplayReport& r, const runtime::Session& s) {
  out << "  requests " << r.requests << (r.errors ? " (" + std::to_string(r.errors) + " failed)" : "") << ", wall "
      << fixed(r.wallSeconds, 2) << " s, " << fixed(r.requestsPerSec, 1) << " requests/s, "
      << fixed(r.usefulSamplesPerSec, 1) << " useful samples/s\n";
  out << "  latency ms: mean " << fixed(r.latency.mean, 3) << "  p50 " << fixed(r.latency.median, 3) << "  p90 "
      << fixed(r.latency.p90, 3) << "  p99 " << fixed(r.latency.p99, 3) << "  max " << fixed(r.latency.max, 3) << "\n";
  out << "  of which run " << fixed(r.meanRunMs, 3) << " ms, dispatch overhead " << fixed(r.meanOverheadMs, 4)
      << " ms (" << fixed(r.meanRunMs > 0 ? 100.0 * r.meanOverheadMs / r.meanRunMs : 0, 2) << "% of run)\n";
  out << "  padding waste " << fixed(100.0 * r.paddingWaste, 1) << "%, fallbacks " << r.fallbacks << ", split batches "
      << r.splits << ", outputs returned whole " << r.flaggedOutputs << ", cropped with edge effects " << r.edgeOutputs
      << "\n";
  out << "  gear hits:";
  for (const auto& [k, v] : r.gearHits) {
    std::string label = k;
    if (k.rfind("gear ", 0) == 0) {
      const int g = std::stoi(k.substr(5));
      if (g >= 0 && g < s.gearCount()) label += " (" + s.describeGear(g) + ")";
    }
    out << " " << label << " " << v << ";";
  }
  out << "\n  memory: arena " << profile::humanBytes(r.memory.arenaBytes) << ", workspace "
      << profile::humanBytes(r.memory.workspaceBytes) << ", dynamic pool " << profile::humanBytes(r.memory.dynamicBytes)
      << ", peak RSS " << profile::humanBytes(r.peakRssBytes) << "\n";
  if (!r.firstError.empty()) out << "  first error: " << r.firstError << "\n";
}

int runGenTrace(const TrafficOptions& t, const BenchOptions& o, std::ostream& out, std::ostream& err) {
  if (!o.atc.input_shape) return report(err, usage("--gen-trace needs --input_shape with -1 at the drawn dims"));
  auto templ = traffic::parseShapes(*o.atc.input_shape, true);
  if (!templ) return report(err, usage("--input_shape: " + templ.error().message));
  if (t.dists.empty()) return report(err, usage("--gen-trace needs --dist=SPEC (one per -1 dim, or one for all)"));
  std::vector<traffic::DimDistribution> dists;
  for (const auto& d : t.dists) {
    auto p = traffic::parseDistribution(d);
    if (!p) return report(err, p.error());
    dists.push_back(*p);
  }
  auto trace = traffic::generateTrace(*templ, dists, t.requests > 0 ? t.requests : 1000, o.seed);
  if (!trace) return report(err, trace.error());
  if (auto s = traffic::writeTrace(*trace, t.genTrace); !s) return report(err, s.error());
  out << "wrote " << t.genTrace << ": " << trace->requests.size() << " requests, seed " << o.seed << "\n";
  for (const auto& d : dists)
    out << "  " << traffic::formatDistribution(d) << "\n";
  return 0;
}

int runReplay(const TrafficOptions& t, const BenchOptions& o, std::ostream& out, std::ostream& err) {
  auto trace = loadTrace(t, o.atc);
  if (!trace) return report(err, trace.error());
  runtime::DispatchOptions dopt;
  auto mode = runtime::parseDispatchMode(t.dispatch.value_or("exact"));
  if (!mode) return report(err, mode.error());
  dopt.mode = *mode;
  if (auto s = runtime::parsePadValues(t.padValues, dopt.padValues); !s) return report(err, s.error());
  auto model = loadModel(o, t.dynamicFallback || dopt.mode == runtime::DispatchMode::PadOrDynamic);
  if (!model) return report(err, model.error());
  auto d = runtime::Dispatcher::create(*model, runtime::SessionOptions{o.device, o.threads}, dopt);
  if (!d) return report(err, d.error());
  traffic::ReplayOptions ro;
  ro.requests = t.requests;
  ro.seed = o.seed;
  ro.warmup = o.warmup > 0;
  ProgressBar bar("replay");
  auto r = traffic::replay(**d, *trace, ro, barProgress(bar));
  if (!r) return report(err, r.error());
  out << "replay  " << o.model << " on "
      << (t.trace.empty() ? (t.traceNpy.empty() ? t.traceImages : t.traceNpy) : t.trace) << ", dispatch " << r->dispatch
      << ", " << (**d).session().gearCount() << " gear(s)" << ((**d).hasFallback() ? " + dynamic fallback" : "")
      << "\n";
  printReplay(out, *r, (**d).session());
  nlohmann::json j{{"tool", "gearbench"},
                   {"mode", "replay"},
                   {"model", o.model},
                   {"trace", t.trace},
                   {"device", o.device},
                   {"threads", o.threads},
                   {"replay", traffic::replayJson(*r)}};
  if (auto s = writeJson(o.jsonPath, j); !s) return report(err, s.error());
  return r->errors > 0 && r->errors == r->requests ? 1 : 0;
}

// The gears of the shape options (--dynamic_batch_size / --dynamic_image_size / --dynamic_dims).
Expected<std::pair<traffic::GearSpec, std::vector<std::vector<int64_t>>>> gearsFromOptions(const BenchOptions& o,
                                                                                           const ir::Model& model) {
  if (!o.atc.input_shape) return std::unexpected(usage("give --input_shape with -1 at the gear dims"));
  GS_ASSIGN_OR_RETURN(auto spec, traffic::parseGearSpec(*o.atc.input_shape, o.atc.input_format.value_or("NCHW")));
  GS_ASSIGN_OR_RETURN(auto config, shape_config::fromOptions(o.atc));
  if (!isGearStrategy(config.strategy))
    return std::unexpected(usage("give the gears: --dynamic_batch_size, --dynamic_image_size or --dynamic_dims"));
  GS_ASSIGN_OR_RETURN(auto expanded, shape_config::expandGears(config, model.graph));
  std::vector<std::vector<int64_t>> gears;
  for (const auto& g : expanded) {
    std::vector<int64_t> values;
    for (const auto& [i, d] : spec.dynDims) {
      const auto& name = spec.templ[i].name;
      for (const auto& [n, dims] : g.inputs)
        if (n == name && d < dims.size()) values.push_back(dims[d]);
    }
    gears.push_back(std::move(values));
  }
  return std::pair{std::move(spec), std::move(gears)};
}

int runCompareOnTrace(const TrafficOptions& t, const BenchOptions& o, std::ostream& out, std::ostream& err) {
  if (!isOnnx(o.model))
    return report(err, usage("--compare-strategies --trace needs an .onnx --model (it builds the models)"));
  auto trace = loadTrace(t, o.atc);
  if (!trace) return report(err, trace.error());
  auto model = onnx_import::importModel(o.model);
  if (!model) return report(err, model.error());
  auto sg = gearsFromOptions(o, *model);
  if (!sg) return report(err, sg.error());
  traffic::MeasureOptions mo{o.device, o.threads, o.warmup, o.loop, o.seed};
  traffic::ReplayOptions ro;
  ro.requests = t.requests;
  ro.seed = o.seed;
  ProgressBar bar("compare");
  auto runs = traffic::compareOnTrace(*model, sg->first, sg->second, *trace, mo, ro, barProgress(bar));
  if (!runs) return report(err, runs.error());
  out << "compare " << o.model << " on " << t.trace << " (" << trace->totalRequests() << " requests in the trace)\n";
  nlohmann::json arr = nlohmann::json::array();
  const traffic::StrategyRun* best = nullptr;
  bool failed = false;
  for (const auto& r : *runs) {
    out << "\n" << r.name << ": " << r.description << "\n  compile " << fixed(r.compileMillis, 0) << " ms\n";
    nlohmann::json j{{"strategy", r.name}, {"description", r.description}, {"compile_ms", r.compileMillis}};
    if (!r.error.empty()) {
      out << "  failed: " << r.error << "\n";
      j["error"] = r.error;
      failed = true;
    } else {
      out << "  requests " << r.report.requests << ", " << fixed(r.report.requestsPerSec, 1) << " requests/s\n";
      out << "  latency ms: mean " << fixed(r.report.latency.mean, 3) << "  p50 " << fixed(r.report.latency.median, 3)
          << "  p90 " << fixed(r.report.latency.p90, 3) << "  p99 " << fixed(r.report.latency.p99, 3) << "\n";
      out << "  padding waste " << fixed(100.0 * r.report.paddingWaste, 1) << "%, arena "
          << profile::humanBytes(r.report.memory.arenaBytes) << ", dynamic pool "
          << profile::humanBytes(r.report.memory.dynamicBytes) << "\n";
      j["replay"] = traffic::replayJson(r.report);
      if (r.report.errors == 0 && (!best || r.report.latency.mean < best->report.latency.mean)) best = &r;
    }
    arr.push_back(std::move(j));
  }
  if (best)
    out << "\nfastest on this trace and device: " << best->name << " (mean " << fixed(best->report.latency.mean, 3)
        << " ms)\n";
  nlohmann::json j{{"tool", "gearbench"}, {"mode", "compare-strategies-trace"}, {"model", o.model}, {"trace", t.trace},
                   {"strategies", arr},   {"fastest", best ? best->name : ""}};
  if (auto s = writeJson(o.jsonPath, j); !s) return report(err, s.error());
  return failed ? 1 : 0;
}

int runPlan(const TrafficOptions& t, const BenchOptions& o, std::ostream& out, std::ostream& err) {
  if (!isOnnx(o.model)) return report(err, usage("--plan-gears needs an .onnx --model (it compiles candidate gears)"));
  if (!o.atc.input_shape) return report(err, usage("--plan-gears needs --input_shape with -1 at the dims to plan"));
  auto spec = traffic::parseGearSpec(*o.atc.input_shape, o.atc.input_format.value_or("NCHW"));
  if (!spec) return report(err, spec.error());
  auto trace = loadTrace(t, o.atc);
  if (!trace) return report(err, trace.error());
  // Trace inputs must be the template's: match the -1 dims by input name.
  std::vector<std::pair<std::size_t, std::size_t>> traceDims;
  for (const auto& [i, d] : spec->dynDims) {
    const auto& name = spec->templ[i].name;
    const auto it = std::find(trace->inputs.begin(), trace->inputs.end(), name);
    if (it == trace->inputs.end()) return report(err, usage("the trace has no input '" + name + "'"));
    const auto ti = static_cast<std::size_t>(it - trace->inputs.begin());
    if (trace->requests.front().dims[ti].size() != spec->templ[i].dims.size())
      return report(err, usage("input '" + name + "': the trace's rank differs from --input_shape's"));
    traceDims.emplace_back(ti, d);
  }
  for (std::size_t r = 0; r < trace->requests.size(); ++r)
    for (std::size_t i = 0; i < spec->templ.size(); ++i) {
      const auto it = std::find(trace->inputs.begin(), trace->inputs.end(), spec->templ[i].name);
      if (it == trace->inputs.end()) return report(err, usage("the trace has no input '" + spec->templ[i].name + "'"));
      const auto& dims = trace->requests[r].dims[static_cast<std::size_t>(it - trace->inputs.begin())];
      for (std::size_t d = 0; d < dims.size() && d < spec->templ[i].dims.size(); ++d)
        if (spec->templ[i].dims[d] >= 0 && dims[d] != spec->templ[i].dims[d])
          return report(err, usage("trace entry " + std::to_string(r + 1) + ": input '" + spec->templ[i].name +
                                   "' dim " + std::to_string(d) + " is " + std::to_string(dims[d]) +
                                   " but --input_shape fixes it at " + std::to_string(spec->templ[i].dims[d])));
    }
  auto model = onnx_import::importModel(o.model);
  if (!model) return report(err, model.error());
  const int K = *t.planGears;
  const bool oneDim = spec->dynDims.size() == 1;

  // Calibration gears: quantiles of the (rounded) trace values; several dims: points by size.
  std::vector<std::vector<int64_t>> calPoints;
  traffic::Histogram hist;
  traffic::PointHistogram phist;
  if (oneDim) {
    hist = traffic::histogram(*trace, traceDims[0].first, traceDims[0].second, t.step);
    for (auto v : traffic::calibrationPoints(hist, t.calibrationPoints))
      calPoints.push_back({v});
  } else {
    phist = traffic::pointHistogram(*trace, traceDims, t.step);
    std::vector<std::size_t> idx(phist.points.size());
    for (std::size_t i = 0; i < idx.size(); ++i)
      idx[i] = i;
    std::sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) {
      return traffic::gearSize(phist.points[a]) < traffic::gearSize(phist.points[b]);
    });
    std::vector<int64_t> corner(spec->dynDims.size(), 0);
    for (const auto& p : phist.points)
      for (std::size_t k = 0; k < corner.size(); ++k)
        corner[k] = std::max(corner[k], p[k]);
    for (int q = 0; q + 1 < t.calibrationPoints; ++q)
      calPoints.push_back(phist.points[idx[idx.size() * static_cast<std::size_t>(q) /
                                           static_cast<std::size_t>(t.calibrationPoints - 1)]]);
    calPoints.push_back(corner);
    std::sort(calPoints.begin(), calPoints.end(),
              [](const auto& a, const auto& b) { return traffic::gearSize(a) < traffic::gearSize(b); });
    calPoints.erase(std::unique(calPoints.begin(), calPoints.end()), calPoints.end());
  }
  if (calPoints.size() < 2) { // a trace with a single value: measure it and a step below
    const auto v = calPoints.front();
    auto lower = v;
    for (auto& x : lower)
      x = std::max<int64_t>(1, x - std::max<int64_t>(1, t.step));
    if (lower == v)
      for (auto& x : lower)
        x += std::max<int64_t>(1, t.step);
    calPoints.push_back(lower);
    std::sort(calPoints.begin(), calPoints.end());
  }
  traffic::MeasureOptions mo{o.device, o.threads, std::max(1, o.warmup), std::min(o.loop, 20), o.seed};
  ProgressBar bar("calibrate");
  auto cal = traffic::calibrate(*model, *spec, calPoints, mo, barProgress(bar));
  if (!cal) return report(err, cal.error());

  const auto t0 = Clock::now();
  std::vector<traffic::GearSet> sets;
  if (oneDim) {
    auto r = traffic::planOneDim(hist, K, [&](int64_t v) { return cal->model.millis(static_cast<double>(v)); });
    if (!r) return report(err, r.error());
    sets = std::move(*r);
  } else {
    auto r = traffic::planMultiDim(
        phist, K, [&](const std::vector<int64_t>& p) { return cal->model.millis(traffic::gearSize(p)); });
    if (!r) return report(err, r.error());
    sets = std::move(*r);
  }
  const double optimizerMs = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  // The DP's claim checked where brute force is affordable (at most 20 million subsets).
  std::optional<double> bruteMs;
  double bruteSeconds = 0;
  if (oneDim) {
    const auto b0 = Clock::now();
    const auto brute =
        traffic::bruteForceOneDim(hist, K, [&](int64_t v) { return cal->model.millis(static_cast<double>(v)); });
    bruteSeconds = std::chrono::duration<double>(Clock::now() - b0).count();
    if (std::isfinite(brute.expectedMs)) bruteMs = brute.expectedMs;
  }
  for (auto& s : sets) {
    double largest = 0;
    for (const auto& g : s.gears)
      largest = std::max(largest, traffic::gearSize(g));
    s.arenaBytes = cal->model.arenaBytes(largest);
  }
  // ATC needs at least 2 gears: a set with one (a single distinct value) gets a second, unused gear.
  for (auto& s : sets)
    if (s.gears.size() == 1) {
      auto extra = s.gears.front();
      for (auto& x : extra)
        x = std::max<int64_t>(1, x - std::max<int64_t>(1, t.step));
      if (extra == s.gears.front()) continue;
      s.gears.insert(s.gears.begin(), extra);
    }
  const auto& best = sets.back();
  if (t.maxMemoryMiB && best.arenaBytes > *t.maxMemoryMiB * 1024 * 1024)
    return report(err, Error{codes::kInvalid, "every request must fit a gear, and the largest (" +
                                                  traffic::formatShapes({"dims"}, {best.gears.back()}) +
                                                  ") needs about " + fixed(best.arenaBytes / 1048576.0, 1) +
                                                  " MiB of arena, above --max-memory=" + fixed(*t.maxMemoryMiB, 1)});
  std::vector<traffic::GearSet> front;
  {
    std::vector<traffic::GearSet> atLeastTwo;
    for (const auto& s : sets)
      if (s.gears.size() >= 2) atLeastTwo.push_back(s);
    front = traffic::paretoFront(atLeastTwo);
  }
  // Baseline for the text: everything padded into the largest gear.
  const double staticMs = cal->model.millis(traffic::gearSize(best.gears.back()));

  out << "plan    " << K << " gears for " << o.atc.input_shape.value() << " over " << trace->totalRequests()
      << " requests (" << (oneDim ? hist.values.size() : phist.points.size()) << " distinct values, step " << t.step
      << ")\n";
  out << "        method: " << (oneDim ? "exact dynamic programming" : "greedy + swap heuristic (several dims)")
      << ", optimizer " << fixed(optimizerMs, 1) << " ms\n";
  out << "  cost model (measured, compile " << fixed(cal->compileMillis, 0) << " ms):";
  for (std::size_t i = 0; i < cal->gears.size(); ++i)
    out << " " << ir::joinDims(cal->gears[i]) << "=" << fixed(cal->millis[i], 3) << "ms";
  out << "\n  recommended: " << traffic::gearOptionsText(*spec, best.gears) << "\n";
  out << "  expected mean latency " << fixed(best.expectedMs, 3)
      << " ms (all requests in the largest gear: " << fixed(staticMs, 3) << " ms), arena ~"
      << profile::humanBytes(static_cast<uint64_t>(best.arenaBytes)) << "\n";
  if (bruteMs)
    out << "  brute force over the same candidates: " << fixed(*bruteMs, 6) << " ms vs optimizer "
        << fixed(sets.back().expectedMs, 6) << " ms (" << fixed(bruteSeconds, 2) << " s)\n";
  out << "  pareto (gears, expected ms, arena):\n";
  nlohmann::json pareto = nlohmann::json::array();
  for (const auto& s : front) {
    out << "    " << s.gears.size() << "  " << fixed(s.expectedMs, 3) << "  "
        << profile::humanBytes(static_cast<uint64_t>(s.arenaBytes)) << "  " << traffic::gearOptionsText(*spec, s.gears)
        << "\n";
    pareto.push_back({{"gear_count", s.gears.size()},
                      {"gears", s.gears},
                      {"expected_mean_ms", s.expectedMs},
                      {"arena_bytes", s.arenaBytes},
                      {"atc_options", traffic::gearOptionsText(*spec, s.gears)}});
  }
  nlohmann::json calJson = nlohmann::json::array();
  for (std::size_t i = 0; i < cal->gears.size(); ++i)
    calJson.push_back({{"gear", cal->gears[i]},
                       {"mean_ms", cal->millis[i]},
                       {"arena_bytes", cal->model.arenaBytes(traffic::gearSize(cal->gears[i]))}});
  nlohmann::json j{{"tool", "gearbench"},
                   {"mode", "plan-gears"},
                   {"model", o.model},
                   {"trace", t.trace},
                   {"max_gears", K},
                   {"step", t.step},
                   {"method", oneDim ? "exact-dp" : "greedy-swap"},
                   {"gears", best.gears},
                   {"atc_options", traffic::gearOptionsText(*spec, best.gears)},
                   {"expected_mean_ms", best.expectedMs},
                   {"static_largest_ms", staticMs},
                   {"arena_bytes", best.arenaBytes},
                   {"optimizer_ms", optimizerMs},
                   {"brute_force_expected_ms", bruteMs ? nlohmann::json(*bruteMs) : nlohmann::json(nullptr)},
                   {"brute_force_s", bruteSeconds},
                   {"calibration", calJson},
                   {"pareto", pareto}};
  if (auto s = writeJson(o.jsonPath, j); !s) return report(err, s.error());
  return 0;
}

int runCheckPadding(const TrafficOptions& t, const BenchOptions& o, std::ostream& out, std::ostream& err) {
  auto model = loadModel(o, true);
  if (!model) return report(err, model.error());
  runtime::DispatchOptions dopt;
  dopt.mode = runtime::DispatchMode::PadOrDynamic;
  if (auto s = runtime::parsePadValues(t.padValues, dopt.padValues); !s) return report(err, s.error());
  auto d = runtime::Dispatcher::create(*model, runtime::SessionOptions{o.device, o.threads}, dopt);
  if (!d) return report(err, d.error());
  traffic::PaddingCheckOptions po;
  po.samplesPerGear = t.samples;
  po.tolerance = t.tolerance;
  po.seed = o.seed;
  ProgressBar bar("check-padding");
  auto rows = traffic::checkPadding(**d, po, barProgress(bar));
  if (!rows) return report(err, rows.error());
  out << "padding check  " << o.model << ": " << (**d).session().gearCount() << " gears, " << t.samples
      << " padded sample(s) per gear against exact-shape runs, tolerance " << t.tolerance << " (relative)\n";
  int warnings = 0;
  for (const auto& r : *rows) {
    out << "  gear " << r.gear << " [" << r.gearShapes << "] sample [" << r.sampleShapes << "] " << r.output
        << ": max abs " << r.maxAbsError << ", rel " << r.maxRelError << (r.warn ? "  WARN" : "  ok") << "\n";
    if (!r.why.empty()) out << "      " << r.why << "\n";
    if (!r.edge.empty()) out << "      edge: " << r.edge << "\n";
    warnings += r.warn ? 1 : 0;
  }
  out << (warnings ? std::to_string(warnings) + " output(s) change with padding: do not pad this model blindly\n"
                   : "padding is safe on these samples: cropped outputs equal the exact-shape runs\n");
  nlohmann::json j{{"tool", "gearbench"},
                   {"mode", "check-padding"},
                   {"model", o.model},
                   {"tolerance", t.tolerance},
                   {"rows", traffic::paddingCheckJson(*rows)},
                   {"warnings", warnings}};
  if (auto s = writeJson(o.jsonPath, j); !s) return report(err, s.error());
  return 0;
}

} // namespace

std::string trafficHelpText() {
  return R"(Traffic modes (gear planning from real traffic; trace format in docs/traces.md):
  gearbench --model=M.om|M.onnx --trace=FILE --dispatch=exact|pad|pad-or-dynamic [--requests=N]
            [--pad-value="name:v"] [--dynamic_fallback] [--json=FILE]
            replays the trace in order: requests/s, useful samples/s, p50/p90/p99, padding waste,
            gear hits, fallbacks, memory. --trace-npy=DIR or --trace-images=DIR --resize=height=48
            (with --input_shape naming the input) take the trace from a folder.
  gearbench --compare-strategies --trace=FILE --model=M.onnx --input_shape=... --dynamic_dims=...
            replays static-at-largest (padded), the multi-gear model (padded) and the dynamic model
            (each request's own shape).
  gearbench --plan-gears=K --trace=FILE --model=M.onnx --input_shape="x:1,3,48,-1" [--step=32]
            [--max-memory=MiB] [--calibrate=6] [--json=FILE]
            measures a few gears, then chooses at most K gears (2..100) minimising expected latency.
  gearbench --check-padding --model=M.om|M.onnx [--samples=2] [--tolerance=1e-4] [--pad-value=...]
            each gear's cropped padded output against an exact-shape run (needs the dynamic fallback).
  gearbench --gen-trace=FILE --input_shape="x:1,3,48,-1" --dist="0.6*lognormal(5,0.4)+0.4*uniform(600,1280); clamp=8..1280"
            [--requests=N] [--seed=S]   writes a what-if trace (CSV, or JSON lines for .jsonl)
)";
}

bool wantsTraffic(std::span<const std::string> args) {
  for (const auto& a : args)
    for (const char* p : {"--trace", "--dispatch", "--plan-gears", "--check-padding", "--gen-trace"})
      if (a.rfind(p, 0) == 0) return true;
  return false;
}

int runTraffic(std::span<const std::string> args, std::ostream& out, std::ostream& err) {
  try {
    auto parts = split(args);
    if (!parts) return report(err, parts.error());
    auto& [t, rest] = *parts;
    if (t.help) {
      out << trafficHelpText();
      return 0;
    }
    if (!t.genTrace.empty()) rest.push_back("--model=-"); // the generator needs no model
    auto o = parseArgs(rest);
    if (!o) return report(err, o.error());
    const int modes =
        (t.genTrace.empty() ? 0 : 1) + (t.planGears ? 1 : 0) + (t.checkPadding ? 1 : 0) + (t.compare ? 1 : 0);
    if (modes > 1)
      return report(err,
                    usage("--gen-trace, --plan-gears, --check-padding and --compare-strategies are separate modes"));
    if (!t.genTrace.empty()) return runGenTrace(t, *o, out, err);
    if (t.planGears) return runPlan(t, *o, out, err);
    if (t.checkPadding) return runCheckPadding(t, *o, out, err);
    if (t.compare) return runCompareOnTrace(t, *o, out, err);
    return runReplay(t, *o, out, err);
  } catch (const std::exception& e) {
    err << codes::kInternal << ": " << e.what() << "\n";
    return 1;
  }
}

} // namespace gs::gearbench
