// profileAllGears: a session, a warm-up per gear and the interleaved measurement of every gear.
#include "core/profile/profile_runner.h"

#include <algorithm>
#include <filesystem>
#include <random>

#include "core/common/log.h"
#include "core/session/compile_onnx.h"

namespace gs::profile {
namespace {

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

MeasureSlot makeSlot(runtime::Session& session, int gear, const std::vector<om::TensorDesc>& inputs, uint32_t seed,
                     std::string name) {
  MeasureSlot slot;
  slot.session = &session;
  slot.gear = gear;
  slot.name = std::move(name);
  slot.progressGear = gear;
  std::mt19937 rng(seed);
  for (const auto& d : inputs)
    slot.inputs.push_back(runtime::randomTensor(d.dtype, d.dims, rng));
  return slot;
}

MeasureOptions measureOptions(const ProfileRequest& request) {
  MeasureOptions o;
  o.warmup = request.warmup;
  o.loops = request.loops;
  o.profileOps = request.profileOps;
  o.seed = request.seed;
  return o;
}

GearProfile gearProfile(const SlotResult& m, const runtime::Session& session, int gear,
                        const std::vector<om::TensorDesc>& inputs, const ProfileRequest& request, uint64_t rssBefore) {
  GearProfile p;
  p.gear = gear;
  p.inputs = inputs;
  p.label = shapesText(inputs);
  if (!inputs.empty() && !inputs[0].dims.empty()) p.batch = inputs[0].dims[0];
  p.firstMillis = m.firstMillis;
  p.warmupRuns = m.warmupRuns;
  p.warmupStable = m.warmupStable;
  p.samples = m.wallMillis;
  p.cpuSamples = m.cpuMillis;
  p.preemptedRuns = m.preemptedRuns;
  p.latency = m.latency;
  p.medianCi = m.medianCi;
  p.cpuMedianMillis = m.cpuMedianMillis;
  // Throughput from the median, the latency every table shows first (docs/gearbench.md).
  p.inferencesPerSec = p.latency.median > 0 ? 1000.0 / p.latency.median : 0;
  p.samplesPerSec = p.inferencesPerSec * static_cast<double>(p.batch);
  const auto& model = session.model();
  if (gear >= 0) p.flops = model.gears[static_cast<std::size_t>(gear)].flops;
  p.gflopsPerSec = p.latency.median > 0 ? p.flops / (p.latency.median / 1000.0) / 1e9 : 0;

  const auto mem = session.memory();
  p.memory.weightBytes = model.weightBytes;
  p.memory.packedWeightBytes = mem.packedWeightBytes;
  p.memory.gearArenaBytes = gear >= 0 ? model.gears[static_cast<std::size_t>(gear)].arenaBytes : 0;
  p.memory.sharedArenaBytes = gear >= 0 ? model.sharedArenaBytes : 0;
  p.memory.workspaceBytes = session.workspaceBytes(gear);
  p.memory.dynamicBytes = mem.dynamicBytes;
  p.memory.peakRssBytes = runtime::peakResidentBytes();
  const uint64_t now = runtime::currentResidentBytes();
  p.memory.rssGrowthBytes = rssBefore > 0 && now > rssBefore ? now - rssBefore : 0;

  if (request.profileOps && m.ops.runs() > 0) {
    auto nodes = m.ops.byNode();
    for (const auto& n : nodes)
      p.opMillisTotal += n.meanMillis;
    std::stable_sort(nodes.begin(), nodes.end(),
                     [](const runtime::OpStat& a, const runtime::OpStat& b) { return a.meanMillis > b.meanMillis; });
    const auto keep = std::min(nodes.size(), static_cast<std::size_t>(std::max(0, request.topOps)));
    for (std::size_t i = 0; i < keep; ++i)
      p.topOps.push_back(OpEntry{nodes[i].node, nodes[i].opType, nodes[i].meanMillis, nodes[i].share});
    p.byOpType = m.ops.byOpType();
  }
  return p;
}

Expected<ProfileReport> profileAllGears(const om::Model& model, const ProfileRequest& request,
                                        const Progress& progress) {
  if (request.loops < 1) return makeError(codes::kInvalid, "profile: loops must be at least 1");
  if (request.warmup < 0) return makeError(codes::kInvalid, "profile: warm-up must not be negative");
  // The caller keeps `model` alive for the call, so the session may borrow it.
  std::shared_ptr<const om::Model> borrowed(&model, [](const om::Model*) {});
  progress(0.0, "loading the model on " + request.device);
  const uint64_t rssBefore = runtime::currentResidentBytes();
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

  // Warm each gear up (until stable), then measure all gears interleaved.
  const auto options = measureOptions(request);
  std::vector<MeasureSlot> slots;
  std::vector<SlotResult> warmed(runs.size());
  const double n = static_cast<double>(runs.size());
  const double warmShare = 0.2;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const std::string name = runs[i].first >= 0 ? "gear " + std::to_string(runs[i].first) : std::string("dynamic");
    slots.push_back(makeSlot(*session, runs[i].first, runs[i].second, request.seed, name));
    ProgressEvent e;
    e.fraction = warmShare * static_cast<double>(i) / n;
    e.what = name + ": warm-up";
    e.stage = "warm-up";
    e.gear = static_cast<int>(i);
    e.gearCount = static_cast<int>(runs.size());
    progress(e);
    auto st = warmUp(slots.back(), options, warmed[i], progress);
    if (!st && st.error().code == codes::kCancelled) {
      report.cancelled = true;
      progress(1.0, "cancelled");
      return report;
    }
    GS_RETURN_IF_ERROR(st);
  }
  GS_ASSIGN_OR_RETURN(auto measured, measureInterleaved(slots, std::move(warmed), options, progress, warmShare, 1.0));
  report.measurement = measured.info;
  if (measured.cancelled) {
    report.cancelled = true; // runs cut short are not reported: their statistics would mislead
    progress(1.0, "cancelled");
    return report;
  }
  auto log = log::get("profile");
  for (std::size_t i = 0; i < runs.size(); ++i) {
    auto g = gearProfile(measured.results[i], *session, runs[i].first, runs[i].second, request, rssBefore);
    g.label = labels[i];
    log->debug("profiled {}: median {:.3f} ms [{:.3f}, {:.3f}]", labels[i], g.latency.median, g.medianCi.lo,
               g.medianCi.hi);
    report.gears.push_back(std::move(g));
  }
  if (report.measurement.contention) log->warn("{}", contentionWarning(report.measurement));
  progress(1.0, "done");
  return report;
}

Expected<ProfileReport> profileFile(const ProfileRequest& request, const Progress& progress) {
  if (request.modelPath.empty()) return makeError(codes::kInvalid, "profile: no model path");
  GS_ASSIGN_OR_RETURN(auto model, session::loadModel(request.modelPath, request.atc, progress));
  return profileAllGears(*model, request, progress);
}

} // namespace gs::profile
