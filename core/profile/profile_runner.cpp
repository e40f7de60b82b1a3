// profileAllGears and its per-gear measurement loop.
#include "core/profile/profile_runner.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>

#include "core/common/log.h"
#include "core/session/compile_onnx.h"

namespace gs::profile {
namespace {

using Clock = std::chrono::steady_clock;
double msSince(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

// Progress from the measuring loop, at most every 40 ms, so a fast model does not flood a GUI.
class Throttle {
public:
  Throttle(const Progress& p, double lo, double hi) : m_p(p), m_lo(lo), m_hi(hi) {}
  void operator()(double f, const std::string& what, bool force = false) {
    const auto now = Clock::now();
    if (!force && now - m_last < std::chrono::milliseconds(40)) return;
    m_last = now;
    m_p(m_lo + (m_hi - m_lo) * std::clamp(f, 0.0, 1.0), what);
  }

private:
  const Progress& m_p;
  double m_lo, m_hi;
  Clock::time_point m_last{};
};

std::vector<std::vector<om::TensorDesc>> defaultDynamicShapes(const om::Model& model) {
  std::vector<om::TensorDesc> descs;
  for (const auto& r : model.dynamic->ranges) {
    om::TensorDesc d{r.name, r.dtype, {}};
    for (const auto& dr : r.dims)
      d.dims.push_back(dr.hi > 0 ? dr.hi : std::max<int64_t>(dr.lo, 1));
    descs.push_back(std::move(d));
  }
  return {descs};
}

} // namespace

std::string shapesText(const std::vector<om::TensorDesc>& inputs) {
  std::string s;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    s += i ? "; " : "";
    s += inputs[i].name;
    s += ":";
    s += ir::joinDims(inputs[i].dims);
  }
  return s;
}

std::vector<std::string> gearLabels(const om::Model& model) {
  std::vector<std::string> labels;
  const auto& gears = model.gears;
  if (gears.size() < 2) {
    for (const auto& g : gears)
      labels.push_back(shapesText(g.inputs));
    return labels;
  }
  // (input, dim) positions whose value differs between gears.
  std::vector<std::pair<std::size_t, std::size_t>> varying;
  for (std::size_t i = 0; i < gears[0].inputs.size(); ++i) {
    for (std::size_t d = 0; d < gears[0].inputs[i].dims.size(); ++d)
      for (const auto& g : gears)
        if (i < g.inputs.size() && d < g.inputs[i].dims.size() && g.inputs[i].dims[d] != gears[0].inputs[i].dims[d]) {
          varying.emplace_back(i, d);
          break;
        }
  }
  const bool nhwc = model.meta.inputFormat == "NHWC";
  const bool batch = varying.size() == 1 && varying[0].second == 0;
  const bool image = varying.size() == 2 && varying[0].first == varying[1].first &&
                     varying[0].second == (nhwc ? 1u : 2u) && varying[1].second == varying[0].second + 1;
  for (const auto& g : gears) {
    auto value = [&](std::size_t k) { return g.inputs[varying[k].first].dims[varying[k].second]; };
    if (varying.empty()) {
      labels.push_back(shapesText(g.inputs));
    } else if (batch) {
      labels.push_back("batch " + std::to_string(value(0)));
    } else if (image) {
      labels.push_back(std::to_string(value(0)) + "x" + std::to_string(value(1)));
    } else {
      std::string s = "dims ";
      for (std::size_t k = 0; k < varying.size(); ++k) {
        s += k ? "," : "";
        s += std::to_string(value(k));
      }
      labels.push_back(s);
    }
  }
  return labels;
}

bool resetPeakResident() {
  // Writing 5 to clear_refs resets VmHWM to the current RSS (Linux 4.0+).
  std::ofstream f("/proc/self/clear_refs");
  if (!f) return false;
  f << "5";
  f.flush();
  return static_cast<bool>(f);
}

Expected<GearRun> measureGear(runtime::Session& session, int gear, const std::vector<om::TensorDesc>& inputs,
                              const ProfileRequest& request, const Progress& progress, double fracLo, double fracHi) {
  GearRun out;
  auto& p = out.profile;
  p.gear = gear;
  p.inputs = inputs;
  p.label = shapesText(inputs);
  if (!inputs.empty() && !inputs[0].dims.empty()) p.batch = inputs[0].dims[0];

  std::mt19937 rng(request.seed);
  std::vector<runtime::HostTensor> tensors;
  for (const auto& d : inputs)
    tensors.push_back(runtime::randomTensor(d.dtype, d.dims, rng));

  resetPeakResident();
  runtime::RunOptions ro{gear, false};
  runtime::RunResult result;
  auto t0 = Clock::now();
  GS_RETURN_IF_ERROR(session.run(tensors, result, ro));
  p.firstMillis = msSince(t0);

  Throttle report(progress, fracLo, fracHi);
  const std::string name = gear >= 0 ? "gear " + std::to_string(gear) : std::string("dynamic");
  const double total = static_cast<double>(std::max(1, request.warmup + request.loops));
  for (int i = 0; i < request.warmup; ++i) {
    if (progress.cancelled()) {
      out.cancelled = true;
      return out;
    }
    GS_RETURN_IF_ERROR(session.run(tensors, result, ro));
    report((i + 1) / total, name + ": warm-up " + std::to_string(i + 1) + "/" + std::to_string(request.warmup));
  }

  ro.profile = request.profileOps;
  runtime::OpProfiler ops;
  p.samples.reserve(static_cast<std::size_t>(std::max(0, request.loops)));
  for (int i = 0; i < request.loops; ++i) {
    if (progress.cancelled()) {
      out.cancelled = true;
      break;
    }
    t0 = Clock::now();
    GS_RETURN_IF_ERROR(session.run(tensors, result, ro));
    p.samples.push_back(msSince(t0));
    if (request.profileOps) ops.add(result.opTimes);
    report((request.warmup + i + 1) / total,
           name + ": run " + std::to_string(i + 1) + "/" + std::to_string(request.loops));
  }

  p.latency = runtime::latencyStats(p.samples);
  p.inferencesPerSec = p.latency.mean > 0 ? 1000.0 / p.latency.mean : 0;
  p.samplesPerSec = p.inferencesPerSec * static_cast<double>(p.batch);
  const auto& model = session.model();
  if (gear >= 0) p.flops = model.gears[static_cast<std::size_t>(gear)].flops;
  p.gflopsPerSec = p.latency.mean > 0 ? p.flops / (p.latency.mean / 1000.0) / 1e9 : 0;

  const auto mem = session.memory();
  p.memory.weightBytes = model.weightBytes;
  p.memory.packedWeightBytes = mem.packedWeightBytes;
  p.memory.gearArenaBytes = gear >= 0 ? model.gears[static_cast<std::size_t>(gear)].arenaBytes : 0;
  p.memory.sharedArenaBytes = gear >= 0 ? model.sharedArenaBytes : 0;
  p.memory.workspaceBytes = session.workspaceBytes(gear);
  p.memory.dynamicBytes = mem.dynamicBytes;
  p.memory.peakRssBytes = runtime::peakResidentBytes();

  if (request.profileOps && ops.runs() > 0) {
    auto nodes = ops.byNode();
    for (const auto& n : nodes)
      p.opMillisTotal += n.meanMillis;
    std::stable_sort(nodes.begin(), nodes.end(),
                     [](const runtime::OpStat& a, const runtime::OpStat& b) { return a.meanMillis > b.meanMillis; });
    const auto keep = std::min(nodes.size(), static_cast<std::size_t>(std::max(0, request.topOps)));
    for (std::size_t i = 0; i < keep; ++i)
      p.topOps.push_back(OpEntry{nodes[i].node, nodes[i].opType, nodes[i].meanMillis, nodes[i].share});
    p.byOpType = ops.byOpType();
  }
  report(1.0, name + ": done", true);
  return out;
}

Expected<ProfileReport> profileAllGears(const om::Model& model, const ProfileRequest& request,
                                        const Progress& progress) {
  if (request.loops < 1) return makeError(codes::kInvalid, "profile: loops must be at least 1");
  if (request.warmup < 0) return makeError(codes::kInvalid, "profile: warm-up must not be negative");
  // The caller keeps `model` alive for the call, so the session may borrow it.
  std::shared_ptr<const om::Model> borrowed(&model, [](const om::Model*) {});
  progress(0.0, "loading the model on " + request.device);
  GS_ASSIGN_OR_RETURN(auto session,
                      runtime::Session::create(borrowed, runtime::SessionOptions{request.device, request.threads}));

  ProfileReport report;
  report.modelName = !model.meta.sourcePath.empty()
                         ? std::filesystem::path(model.meta.sourcePath).filename().string()
                         : (model.gears.empty() ? model.dynamic->graph.name : model.gears[0].graph.name);
  report.strategy = std::string(strategyName(model.meta.strategy));
  report.atcCommand = model.meta.atcCommand;
  report.device = request.device;
  report.threads = request.threads;
  report.warmup = request.warmup;
  report.loops = request.loops;
  report.loadMillis = session->loadMillis();

  std::vector<std::pair<int, std::vector<om::TensorDesc>>> runs;
  std::vector<std::string> labels;
  if (session->isDynamic()) {
    auto shapes = request.dynamicShapes.empty() ? defaultDynamicShapes(model) : request.dynamicShapes;
    for (auto& s : shapes) {
      labels.push_back(shapesText(s));
      runs.emplace_back(-1, std::move(s));
    }
  } else {
    labels = gearLabels(model);
    for (int g = 0; g < session->gearCount(); ++g)
      runs.emplace_back(g, session->inputDescs(g));
  }

  auto log = log::get("profile");
  const double n = static_cast<double>(runs.size());
  for (std::size_t i = 0; i < runs.size(); ++i) {
    if (progress.cancelled()) {
      report.cancelled = true;
      break;
    }
    GS_ASSIGN_OR_RETURN(auto run, measureGear(*session, runs[i].first, runs[i].second, request, progress,
                                              static_cast<double>(i) / n, static_cast<double>(i + 1) / n));
    run.profile.label = labels[i];
    if (run.cancelled) {
      report.cancelled = true;
      break; // a gear cut short is not reported: its statistics would mislead
    }
    log->debug("profiled {}: median {:.3f} ms", labels[i], run.profile.latency.median);
    report.gears.push_back(std::move(run.profile));
  }
  progress(1.0, report.cancelled ? "cancelled" : "done");
  return report;
}

Expected<ProfileReport> profileFile(const ProfileRequest& request, const Progress& progress) {
  if (request.modelPath.empty()) return makeError(codes::kInvalid, "profile: no model path");
  GS_ASSIGN_OR_RETURN(auto model, session::loadModel(request.modelPath, request.atc, progress));
  return profileAllGears(*model, request, progress);
}

} // namespace gs::profile
