// Gear option text, cost-model calibration and the strategy comparison on a trace.
#include "core/traffic/gear_models.h"

#include <algorithm>
#include <chrono>
#include <random>

#include "core/compiler/compile.h"
#include "core/compiler/shape_config/shape_config.h"
#include "core/om/om_file.h"
#include "core/runtime/dispatch.h"
#include "core/runtime/session.h"

namespace gs::traffic {
namespace {

using Clock = std::chrono::steady_clock;
double msSince(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

std::string dimsText(const std::vector<int64_t>& v, char sep = ',') {
  std::string s;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i) s += sep;
    s += std::to_string(v[i]);
  }
  return s;
}

std::string templateText(const GearSpec& spec, const std::vector<std::vector<int64_t>>* dims = nullptr) {
  std::string s;
  for (std::size_t i = 0; i < spec.templ.size(); ++i) {
    if (i) s += ';';
    s.append(spec.templ[i].name).append(":").append(dimsText(dims ? (*dims)[i] : spec.templ[i].dims));
  }
  return s;
}

Expected<om::Model> compileWith(const ir::Model& model, const shape_config::AtcOptions& opts,
                                const compiler::CompileOptions& copts, const Progress& progress) {
  GS_ASSIGN_OR_RETURN(auto config, shape_config::fromOptions(opts));
  GS_RETURN_IF_ERROR(shape_config::validate(config, model));
  GS_ASSIGN_OR_RETURN(auto om, compiler::compile(model, config, copts, progress));
  return om::asFileImage(om); // calibrate and replay what a written .om would run
}

Progress subProgress(const Progress& p, double from, double to) {
  Progress s;
  s.cancel = p.cancel;
  if (p.report) s.report = [p, from, to](double f, const std::string& what) { p(from + (to - from) * f, what); };
  return s;
}

} // namespace

Expected<GearSpec> parseGearSpec(const std::string& inputShape, const std::string& inputFormat) {
  GearSpec spec;
  spec.inputFormat = inputFormat.empty() ? "NCHW" : inputFormat;
  GS_ASSIGN_OR_RETURN(spec.templ, parseShapes(inputShape, true));
  for (std::size_t i = 0; i < spec.templ.size(); ++i)
    for (std::size_t d = 0; d < spec.templ[i].dims.size(); ++d)
      if (spec.templ[i].dims[d] < 0) spec.dynDims.emplace_back(i, d);
  if (spec.dynDims.empty())
    return makeError(codes::kInvalid, "--input_shape '" + inputShape + "' has no -1 dim to plan gears for");
  return spec;
}

std::vector<std::vector<int64_t>> fillDims(const GearSpec& spec, const std::vector<int64_t>& values) {
  std::vector<std::vector<int64_t>> out;
  for (const auto& t : spec.templ)
    out.push_back(t.dims);
  for (std::size_t k = 0; k < spec.dynDims.size() && k < values.size(); ++k)
    out[spec.dynDims[k].first][spec.dynDims[k].second] = values[k];
  return out;
}

double gearSize(const std::vector<int64_t>& values) {
  double s = 1;
  for (auto v : values)
    s *= static_cast<double>(v);
  return s;
}

namespace {
enum class Kind { Batch, Image, Dims };
Kind gearKind(const GearSpec& spec) {
  const auto& d = spec.dynDims;
  if (d.size() == 1 && d[0].second == 0) return Kind::Batch;
  if (d.size() == 2 && d[0].first == d[1].first && spec.templ[d[0].first].dims.size() == 4) {
    const bool nhwc = spec.inputFormat == "NHWC";
    const std::size_t h = nhwc ? 1 : 2, w = nhwc ? 2 : 3;
    if (d[0].second == h && d[1].second == w) return Kind::Image;
  }
  return Kind::Dims;
}
} // namespace

shape_config::AtcOptions gearOptions(const GearSpec& spec, const std::vector<std::vector<int64_t>>& gears) {
  shape_config::AtcOptions o;
  (void)shape_config::setOption(o, "input_shape", templateText(spec));
  if (spec.inputFormat != "NCHW") (void)shape_config::setOption(o, "input_format", spec.inputFormat);
  std::string list;
  const auto kind = gearKind(spec);
  for (std::size_t g = 0; g < gears.size(); ++g) {
    if (g) list += kind == Kind::Batch ? ',' : ';';
    list += kind == Kind::Batch ? std::to_string(gears[g][0]) : dimsText(gears[g]);
  }
  (void)shape_config::setOption(o,
                                kind == Kind::Batch   ? "dynamic_batch_size"
                                : kind == Kind::Image ? "dynamic_image_size"
                                                      : "dynamic_dims",
                                list);
  return o;
}

std::string gearOptionsText(const GearSpec& spec, const std::vector<std::vector<int64_t>>& gears) {
  const auto o = gearOptions(spec, gears);
  std::string s;
  for (const auto& [k, v] : o.given) {
    if (!s.empty()) s += ' ';
    s.append("--").append(k).append("=").append(shape_config::shellQuote(v));
  }
  return s;
}

Expected<std::shared_ptr<const om::Model>> buildGearModel(const ir::Model& model, const GearSpec& spec,
                                                          const std::vector<std::vector<int64_t>>& gears,
                                                          bool dynamicFallback, const Progress& progress) {
  compiler::CompileOptions copts;
  copts.dynamicFallback = dynamicFallback;
  auto opts = gearOptions(spec, gears);
  copts.atcCommand = shape_config::toCommandLine(opts);
  GS_ASSIGN_OR_RETURN(auto om, compileWith(model, opts, copts, progress));
  return std::make_shared<const om::Model>(std::move(om));
}

std::vector<int64_t> calibrationPoints(const Histogram& h, int n) {
  std::vector<int64_t> out;
  if (h.values.empty() || n < 1) return out;
  const auto total = h.total();
  for (int q = 0; q < n; ++q) {
    // quantile q/(n-1) of the requests, the first and last being the extremes
    const double target = n == 1 ? 1.0 : static_cast<double>(q) / static_cast<double>(n - 1);
    int64_t acc = 0;
    std::size_t j = 0;
    for (; j < h.values.size(); ++j) {
      acc += h.counts[j];
      if (static_cast<double>(acc) >= target * static_cast<double>(total)) break;
    }
    out.push_back(h.values[std::min(j, h.values.size() - 1)]);
  }
  out.front() = h.values.front();
  out.back() = h.values.back();
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

Expected<Calibration> calibrate(const ir::Model& model, const GearSpec& spec,
                                const std::vector<std::vector<int64_t>>& points, const MeasureOptions& options,
                                const Progress& progress) {
  if (points.size() < 2) return makeError(codes::kInvalid, "calibration needs at least 2 gears");
  Calibration cal;
  const auto t0 = Clock::now();
  GS_ASSIGN_OR_RETURN(auto om, buildGearModel(model, spec, points, false, subProgress(progress, 0.0, 0.5)));
  cal.compileMillis = msSince(t0);
  GS_ASSIGN_OR_RETURN(auto session,
                      runtime::Session::create(om, runtime::SessionOptions{options.device, options.threads}));
  std::mt19937 rng(options.seed);
  // Gears are measured in round-robin rounds (each round starting at the next gear) so that a burst of
  // load on a shared machine lands on every gear alike instead of skewing one end of the cost model.
  const int count = session->gearCount();
  std::vector<std::vector<runtime::HostTensor>> inputs(static_cast<std::size_t>(count));
  std::vector<double> total(static_cast<std::size_t>(count), 0.0);
  runtime::RunResult rr;
  for (int g = 0; g < count; ++g) {
    for (const auto& d : session->inputDescs(g))
      inputs[static_cast<std::size_t>(g)].push_back(runtime::randomTensor(d.dtype, d.dims, rng));
    runtime::RunOptions ro;
    ro.gear = g;
    for (int i = 0; i < options.warmup; ++i)
      GS_RETURN_IF_ERROR(session->run(inputs[static_cast<std::size_t>(g)], rr, ro));
  }
  const int loops = std::max(1, options.loops);
  for (int round = 0; round < loops; ++round) {
    if (progress.cancelled()) return makeError(codes::kCancelled, "calibration cancelled");
    progress(0.5 + 0.5 * round / loops, "measuring round " + std::to_string(round + 1) + "/" + std::to_string(loops));
    for (int k = 0; k < count; ++k) {
      const int g = (round + k) % count;
      runtime::RunOptions ro;
      ro.gear = g;
      const auto t = Clock::now();
      GS_RETURN_IF_ERROR(session->run(inputs[static_cast<std::size_t>(g)], rr, ro));
      total[static_cast<std::size_t>(g)] += msSince(t);
    }
  }
  std::vector<CostPoint> cps;
  for (int g = 0; g < count; ++g) {
    const double mean = total[static_cast<std::size_t>(g)] / loops;
    cal.gears.push_back(points[static_cast<std::size_t>(g)]);
    cal.millis.push_back(mean);
    cps.push_back(CostPoint{gearSize(points[static_cast<std::size_t>(g)]), mean,
                            static_cast<double>(om->gears[static_cast<std::size_t>(g)].arenaBytes)});
  }
  cal.model = CostModel(std::move(cps));
  progress(1.0, "calibrated");
  return cal;
}

Expected<std::vector<StrategyRun>> compareOnTrace(const ir::Model& model, const GearSpec& spec,
                                                  const std::vector<std::vector<int64_t>>& gears, const Trace& trace,
                                                  const MeasureOptions& measure, const ReplayOptions& replayOptions,
                                                  const Progress& progress) {
  if (gears.empty()) return makeError(codes::kInvalid, "no gears to compare");
  std::vector<int64_t> corner(spec.dynDims.size(), 0);
  for (const auto& g : gears)
    for (std::size_t k = 0; k < corner.size() && k < g.size(); ++k)
      corner[k] = std::max(corner[k], g[k]);
  std::vector<StrategyRun> out;
  const runtime::SessionOptions so{measure.device, measure.threads};

  auto replayModel = [&](StrategyRun& run, Expected<om::Model> built, runtime::DispatchMode mode, double from,
                         double to) {
    if (!built) {
      run.error = built.error().str();
      return;
    }
    auto om = std::make_shared<const om::Model>(std::move(*built));
    runtime::DispatchOptions dopt;
    dopt.mode = mode;
    auto d = runtime::Dispatcher::create(om, so, dopt);
    if (!d) {
      run.error = d.error().str();
      return;
    }
    auto r = replay(**d, trace, replayOptions, subProgress(progress, from, to));
    if (!r)
      run.error = r.error().str();
    else
      run.report = std::move(*r);
  };

  { // one static model at the largest shape, every request padded into it
    StrategyRun run{"static-largest", "one static model at " + templateText(spec, nullptr), 0, {}, {}};
    const auto dims = fillDims(spec, corner);
    run.description = "one static model at " + templateText(spec, &dims);
    shape_config::AtcOptions o;
    (void)shape_config::setOption(o, "input_shape", templateText(spec, &dims));
    if (spec.inputFormat != "NCHW") (void)shape_config::setOption(o, "input_format", spec.inputFormat);
    compiler::CompileOptions copts;
    for (const auto& t : spec.templ)
      copts.paddedDims[t.name].assign(t.dims.size(), false);
    for (const auto& [i, d] : spec.dynDims)
      copts.paddedDims[spec.templ[i].name][d] = true;
    const auto t0 = Clock::now();
    auto built = compileWith(model, o, copts, subProgress(progress, 0.0, 0.1));
    run.compileMillis = msSince(t0);
    replayModel(run, std::move(built), runtime::DispatchMode::Pad, 0.1, 0.33);
    out.push_back(std::move(run));
  }
  { // the multi-gear model with padding
    StrategyRun run{"multi-gear", std::to_string(gears.size()) + " gears: " + gearOptionsText(spec, gears), 0, {}, {}};
    compiler::CompileOptions copts;
    const auto t0 = Clock::now();
    auto built = compileWith(model, gearOptions(spec, gears), copts, subProgress(progress, 0.33, 0.43));
    run.compileMillis = msSince(t0);
    replayModel(run, std::move(built), runtime::DispatchMode::Pad, 0.43, 0.66);
    out.push_back(std::move(run));
  }
  { // the dynamic-shape model, each request with its own shape
    std::vector<std::vector<int64_t>> lo(spec.templ.size());
    std::string shape;
    for (std::size_t i = 0; i < spec.templ.size(); ++i) {
      if (i) shape += ';';
      shape.append(spec.templ[i].name).append(":");
      for (std::size_t d = 0; d < spec.templ[i].dims.size(); ++d) {
        std::string dim = std::to_string(spec.templ[i].dims[d]);
        for (std::size_t k = 0; k < spec.dynDims.size(); ++k)
          if (spec.dynDims[k] == std::pair(i, d)) {
            int64_t minV = corner[k];
            for (const auto& r : trace.requests)
              minV = std::min(minV, r.dims.size() > i && r.dims[i].size() > d ? r.dims[i][d] : minV);
            int64_t maxV = corner[k];
            for (const auto& r : trace.requests)
              maxV = std::max(maxV, r.dims.size() > i && r.dims[i].size() > d ? r.dims[i][d] : maxV);
            dim = std::to_string(std::max<int64_t>(1, minV)) + "~" + std::to_string(maxV);
          }
        if (d) shape += ',';
        shape += dim;
      }
    }
    StrategyRun run{
        "dynamic", "one dynamic-shape model, input_shape " + shape + ", each request's own shape", 0, {}, {}};
    shape_config::AtcOptions o;
    (void)shape_config::setOption(o, "input_shape", shape);
    if (spec.inputFormat != "NCHW") (void)shape_config::setOption(o, "input_format", spec.inputFormat);
    const auto t0 = Clock::now();
    auto built = compileWith(model, o, compiler::CompileOptions{}, subProgress(progress, 0.66, 0.7));
    run.compileMillis = msSince(t0);
    replayModel(run, std::move(built), runtime::DispatchMode::Exact, 0.7, 1.0);
    out.push_back(std::move(run));
  }
  return out;
}

} // namespace gs::traffic
