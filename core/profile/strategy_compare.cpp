// compareStrategies: builds the static, multi-gear and dynamic models of one gear configuration
// through the one build entry point, warms each up, and measures all of them interleaved.
#include "core/profile/strategy_compare.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <memory>

#include <malloc.h>

#include "core/common/log.h"
#include "core/compiler/compile.h"
#include "core/om/om_file.h"
#include "core/profile/profile_runner.h"
#include "core/runtime/session.h"
#include "core/session/compile_onnx.h"

namespace gs::profile {
namespace {

using Clock = std::chrono::steady_clock;
namespace sc = shape_config;

struct Built {
  std::shared_ptr<const om::Model> model;
  double compileMillis = 0;
  uint64_t omBytes = 0;
  std::string omSha256;
};

// Every strategy's models go through the one build entry point with the user's disabled passes.
Expected<Built> build(const ir::Model& model, const sc::ShapeConfig& config, const ProfileRequest& request,
                      const Progress& progress, bool usersConfig = false) {
  session::BuildRequest br;
  br.config = config;
  // The multi-gear model is the user's own configuration: built exactly as Build builds it.
  if (usersConfig) br.atcCommand = request.atcCommand;
  br.disabledPasses = request.disabledPasses;
  br.reproducible = request.reproducibleBuilds;
  const auto t0 = Clock::now();
  GS_ASSIGN_OR_RETURN(auto om, session::buildModel(model, br, progress));
  Built b;
  b.compileMillis = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  GS_ASSIGN_OR_RETURN(auto bytes, om::serialize(om));
  b.omBytes = bytes.size();
  b.omSha256 = compiler::sha256Bytes(bytes);
  b.model = std::make_shared<const om::Model>(std::move(om));
  return b;
}

std::vector<om::TensorDesc> descsOf(const sc::GearShapes& shapes, const ir::Graph& graph) {
  std::vector<om::TensorDesc> out;
  for (const auto& [name, dims] : shapes.inputs) {
    const auto v = graph.findValue(name);
    out.push_back(om::TensorDesc{
        name, v != ir::kNone ? graph.values[static_cast<std::size_t>(v)].dtype : ir::DataType::Float32, dims});
  }
  return out;
}

// The static config of one gear: every input fixed to the gear's dims.
sc::ShapeConfig staticConfig(const sc::ShapeConfig& gearConfig, const sc::GearShapes& shapes) {
  sc::ShapeConfig c;
  c.strategy = Strategy::Static;
  c.inputFormat = gearConfig.inputFormat;
  c.outNodes = gearConfig.outNodes;
  c.socVersion = gearConfig.socVersion;
  for (const auto& [name, dims] : shapes.inputs) {
    sc::InputSpec in{name, {}, dims.empty()};
    for (auto d : dims)
      in.dims.push_back(sc::DimSpec::fixed(d));
    c.inputs.push_back(std::move(in));
  }
  return c;
}

// The dynamic-shape config whose ranges are the min/max over the gears.
Expected<sc::ShapeConfig> dynamicConfig(const sc::ShapeConfig& gearConfig, const ir::Graph& graph) {
  GS_ASSIGN_OR_RETURN(auto ranges, sc::dynamicRanges(gearConfig, graph));
  sc::ShapeConfig c;
  c.strategy = Strategy::DynamicShape;
  c.inputFormat = gearConfig.inputFormat;
  c.outNodes = gearConfig.outNodes;
  c.socVersion = gearConfig.socVersion;
  for (const auto& r : ranges) {
    sc::InputSpec in{r.name, {}, r.dims.empty()};
    for (const auto& d : r.dims)
      in.dims.push_back(d.lo == d.hi ? sc::DimSpec::fixed(d.lo) : sc::DimSpec::range(d.lo, d.hi));
    c.inputs.push_back(std::move(in));
  }
  GS_RETURN_IF_ERROR(sc::checkConfig(c));
  return c;
}

bool isCancel(const Error& e) { return e.code == codes::kCancelled; }

// One strategy while the comparison runs: its result, sessions and measurement slots (one per gear).
struct Candidate {
  StrategyResult result;
  std::vector<std::unique_ptr<runtime::Session>> sessions;
  std::vector<MeasureSlot> slots;
  std::vector<SlotResult> warmed;
  std::vector<uint64_t> gearArena;
};

class Comparer {
public:
  Comparer(const ir::Model& model, const sc::ShapeConfig& config, const ProfileRequest& request,
           const Progress& progress, std::vector<sc::GearShapes> gears, StrategyComparison& out)
      : m_model(model), m_config(config), m_request(request), m_progress(progress), m_gears(std::move(gears)),
        m_out(out) {}

  // Pays the process's one-time costs (thread pool start, kernel code generation machinery, library
  // pages touched on first use) with a throwaway build and run of the first gear, so the first
  // strategy is not charged for them in load time and resident memory.
  void warmUpProcess() {
    auto built = build(m_model, staticConfig(m_config, m_gears[0]), m_request, Progress{});
    if (!built) return; // the static strategy reports the error itself
    auto s = runtime::Session::create(built->model, runtime::SessionOptions{m_request.device, m_request.threads});
    if (!s) return;
    runtime::RunResult r;
    auto slot = makeSlot(**s, 0, (*s)->inputDescs(0), m_request.seed, "warm-up");
    (void)(*s)->run(slot.inputs, r, runtime::RunOptions{0});
    s->reset();
    built->model.reset();
    malloc_trim(0);
  }

  // Builds, loads and warms up one strategy's models; false when cancelled. A strategy that fails
  // is recorded with its error and not measured.
  bool prepare(StrategyKind kind, double lo, double hi);
  // Measures every prepared strategy's gears interleaved; false when cancelled.
  bool measure(double lo, double hi);

private:
  bool fail(Candidate& c, const Error& e) {
    c.result.error = e.str();
    log::get("profile")->warn("{}: {}", strategyKindName(c.result.kind), c.result.error);
    if (isCancel(e)) return false;
    c.sessions.clear();
    m_out.strategies.push_back(std::move(c.result));
    malloc_trim(0);
    return true;
  }
  Expected<std::unique_ptr<runtime::Session>> load(Candidate& c, const Built& b) {
    c.result.compileMillis += b.compileMillis;
    c.result.compileMillisPerModel.push_back(b.compileMillis);
    c.result.omBytes += b.omBytes;
    c.result.omSha256.push_back(b.omSha256);
    c.result.weightBytes += b.model->weightBytes;
    c.result.atcCommand += c.result.atcCommand.empty() ? "" : "\n";
    c.result.atcCommand += b.model->meta.atcCommand;
    return runtime::Session::create(b.model, runtime::SessionOptions{m_request.device, m_request.threads});
  }

  const ir::Model& m_model;
  const sc::ShapeConfig& m_config;
  const ProfileRequest& m_request;
  const Progress& m_progress;
  std::vector<sc::GearShapes> m_gears;
  StrategyComparison& m_out;
  std::vector<Candidate> m_ready;
};

bool Comparer::prepare(StrategyKind kind, double lo, double hi) {
  Candidate c;
  c.result.kind = kind;
  c.result.rssBaselineBytes = runtime::currentResidentBytes();
  const std::size_t n = m_gears.size();
  const double mid = lo + (hi - lo) * 0.7;
  const auto options = measureOptions(m_request);
  const std::string kname = strategyKindName(kind);
  if (kind == StrategyKind::StaticPerGear) {
    // Every gear model stays loaded while all are measured, as a deployment serving each gear would.
    c.result.modelCount = static_cast<int>(n);
    for (std::size_t g = 0; g < n; ++g) {
      const auto part = m_progress.sub(lo + (mid - lo) * static_cast<double>(g) / static_cast<double>(n),
                                       lo + (mid - lo) * static_cast<double>(g + 1) / static_cast<double>(n));
      auto built = build(m_model, staticConfig(m_config, m_gears[g]), m_request, part);
      if (!built) return fail(c, built.error());
      c.result.arenaBytes += built->model->sharedArenaBytes;
      auto s = load(c, *built);
      if (!s) return fail(c, s.error());
      c.result.packedWeightBytes += (*s)->memory().packedWeightBytes;
      c.result.workspaceBytes += (*s)->memory().workspaceBytes;
      c.slots.push_back(makeSlot(**s, 0, (*s)->inputDescs(0), m_request.seed, kname + " " + m_out.gearLabels[g]));
      c.gearArena.push_back(built->model->sharedArenaBytes);
      c.sessions.push_back(std::move(*s));
    }
  } else {
    const bool dynamic = kind == StrategyKind::DynamicShape;
    sc::ShapeConfig config = m_config;
    if (dynamic) {
      auto d = dynamicConfig(m_config, m_model.graph);
      if (!d) return fail(c, d.error());
      config = std::move(*d);
    }
    auto built = build(m_model, config, m_request, m_progress.sub(lo, mid), !dynamic);
    if (!built) return fail(c, built.error());
    auto s = load(c, *built);
    if (!s) return fail(c, s.error());
    c.result.packedWeightBytes = (*s)->memory().packedWeightBytes;
    for (std::size_t g = 0; g < n; ++g) {
      const auto descs = dynamic ? descsOf(m_gears[g], m_model.graph) : (*s)->inputDescs(static_cast<int>(g));
      c.slots.push_back(
          makeSlot(**s, dynamic ? -1 : static_cast<int>(g), descs, m_request.seed, kname + " " + m_out.gearLabels[g]));
      c.gearArena.push_back(built->model->sharedArenaBytes);
    }
    c.sessions.push_back(std::move(*s));
  }
  for (std::size_t g = 0; g < n; ++g)
    c.slots[g].progressGear = static_cast<int>(g);
  // Warm-up right after loading, so the resident memory below includes what the first runs allocate.
  c.warmed.resize(n);
  for (std::size_t g = 0; g < n; ++g) {
    ProgressEvent e;
    e.fraction = mid + (hi - mid) * static_cast<double>(g) / static_cast<double>(n);
    e.what = c.slots[g].name + ": warm-up";
    e.stage = "warm-up";
    e.gear = static_cast<int>(g);
    e.gearCount = static_cast<int>(n);
    m_progress(e);
    auto st = warmUp(c.slots[g], options, c.warmed[g], m_progress);
    if (!st) return fail(c, st.error());
  }
  if (kind != StrategyKind::StaticPerGear) {
    const auto mem = c.sessions[0]->memory();
    c.result.workspaceBytes = mem.workspaceBytes;
    if (kind == StrategyKind::DynamicShape) {
      // The dynamic mode has no planned arena: what its allocator made while running the gears.
      c.result.dynamicBytes = mem.dynamicBytes;
      c.result.arenaBytes = mem.arenaBytes + mem.dynamicBytes;
      for (auto& a : c.gearArena)
        a = c.result.arenaBytes;
    } else {
      c.result.arenaBytes = c.sessions[0]->model().sharedArenaBytes;
    }
  }
  // Deltas of the resident set, never a reset of the process's peak (the studio's own figure).
  const uint64_t now = runtime::currentResidentBytes();
  c.result.residentBytes = now > c.result.rssBaselineBytes ? now - c.result.rssBaselineBytes : 0;
  c.result.peakRssBytes = runtime::peakResidentBytes();
  m_ready.push_back(std::move(c));
  return true;
}

bool Comparer::measure(double lo, double hi) {
  std::vector<MeasureSlot> slots;
  std::vector<SlotResult> warmed;
  for (auto& c : m_ready)
    for (std::size_t g = 0; g < c.slots.size(); ++g) {
      slots.push_back(std::move(c.slots[g]));
      warmed.push_back(std::move(c.warmed[g]));
    }
  auto m = measureInterleaved(slots, std::move(warmed), measureOptions(m_request), m_progress, lo, hi);
  if (!m) {
    // A run failing here fails every prepared strategy alike (they share the measuring loop).
    for (auto& c : m_ready) {
      c.result.error = m.error().str();
      m_out.strategies.push_back(std::move(c.result));
    }
    m_ready.clear();
    return !isCancel(m.error());
  }
  m_out.measurement = m->info;
  if (m->cancelled) return false;
  std::size_t k = 0;
  for (auto& c : m_ready) {
    for (std::size_t g = 0; g < c.slots.size(); ++g, ++k) {
      const auto& r = m->results[k];
      StrategyGear e;
      e.label = m_out.gearLabels[g];
      e.inputs.clear();
      for (const auto& t : slots[k].inputs)
        e.inputs.push_back(om::TensorDesc{"", t.dtype(), t.dims()});
      const auto descs = descsOf(m_gears[g], m_model.graph);
      for (std::size_t i = 0; i < e.inputs.size() && i < descs.size(); ++i)
        e.inputs[i].name = descs[i].name;
      if (!e.inputs.empty() && !e.inputs[0].dims.empty()) e.batch = e.inputs[0].dims[0];
      e.latency = r.latency;
      e.medianCi = r.medianCi;
      e.preemptedRuns = r.preemptedRuns;
      e.samplesPerSec = r.latency.median > 0 ? static_cast<double>(e.batch) * 1000.0 / r.latency.median : 0;
      e.arenaBytes = c.gearArena[g];
      c.result.gears.push_back(std::move(e));
    }
    c.sessions.clear();
    m_out.strategies.push_back(std::move(c.result));
  }
  m_ready.clear();
  malloc_trim(0);
  return true;
}

// Strategies in the table's order (static, multi-gear, dynamic), whatever order they finished in.
void sortStrategies(StrategyComparison& c) {
  std::stable_sort(c.strategies.begin(), c.strategies.end(), [](const StrategyResult& a, const StrategyResult& b) {
    return static_cast<int>(a.kind) < static_cast<int>(b.kind);
  });
}

} // namespace

std::vector<GearVerdict> strategyVerdicts(const StrategyComparison& c) {
  std::vector<GearVerdict> out;
  const StrategyResult* ref = nullptr;
  for (auto k : {StrategyKind::StaticPerGear, StrategyKind::MultiGear})
    for (const auto& s : c.strategies)
      if (!ref && s.kind == k && s.error.empty() && !s.gears.empty()) ref = &s;
  if (!ref) return out;
  for (const auto& s : c.strategies) {
    if (&s == ref || !s.error.empty()) continue;
    const auto n = std::min(s.gears.size(), ref->gears.size());
    for (std::size_t g = 0; g < n; ++g) {
      GearVerdict v;
      v.strategy = s.kind;
      v.reference = ref->kind;
      v.gear = g;
      v.difference = compareMedians(s.gears[g].latency.median, s.gears[g].medianCi, ref->gears[g].latency.median,
                                    ref->gears[g].medianCi);
      out.push_back(v);
    }
  }
  return out;
}

std::string configGearLabel(const sc::ShapeConfig& config, std::size_t index) {
  if (index >= config.gears.size()) return "gear " + std::to_string(index);
  const auto& v = config.gears[index];
  auto join = [&](const char* sep) {
    std::string s;
    for (std::size_t i = 0; i < v.size(); ++i) {
      s += i ? sep : "";
      s += std::to_string(v[i]);
    }
    return s;
  };
  switch (config.strategy) {
  case Strategy::DynamicBatch:
    return "batch " + join(",");
  case Strategy::DynamicImageSize:
    return join("x");
  default:
    return "dims " + join(",");
  }
}

Expected<StrategyComparison> compareStrategies(const ir::Model& model, const sc::ShapeConfig& gearConfig,
                                               const ProfileRequest& request, const Progress& progress) {
  if (!isGearStrategy(gearConfig.strategy))
    return makeError(codes::kInvalid, "compare strategies: the configuration must list gears (--dynamic_batch_size, "
                                      "--dynamic_image_size or --dynamic_dims), not " +
                                          std::string(strategyName(gearConfig.strategy)));
  if (request.loops < 1) return makeError(codes::kInvalid, "compare strategies: loops must be at least 1");
  GS_ASSIGN_OR_RETURN(auto gears, sc::expandGears(gearConfig, model.graph));

  StrategyComparison out;
  out.modelName =
      !model.sourcePath.empty() ? std::filesystem::path(model.sourcePath).filename().string() : model.graph.name;
  out.gearCommand = session::buildCommand(model, gearConfig);
  out.device = request.device;
  out.threads = request.threads;
  out.warmup = request.warmup;
  out.loops = request.loops;
  for (std::size_t g = 0; g < gears.size(); ++g)
    out.gearLabels.push_back(configGearLabel(gearConfig, g));

  Comparer c(model, gearConfig, request, progress, std::move(gears), out);
  progress(0.0, "warming up");
  c.warmUpProcess();
  // Build, load and warm up each strategy (memory measured as it loads); then measure all of them
  // interleaved, so load changes on the machine hit every strategy alike.
  const bool finished = c.prepare(StrategyKind::StaticPerGear, 0.0, 0.25) &&
                        c.prepare(StrategyKind::MultiGear, 0.25, 0.4) &&
                        c.prepare(StrategyKind::DynamicShape, 0.4, 0.55) && c.measure(0.55, 1.0);
  out.cancelled = !finished;
  sortStrategies(out);
  out.verdicts = strategyVerdicts(out);
  out.summary = summarizeComparison(out);
  progress(1.0, out.cancelled ? "cancelled" : "done");
  return out;
}

} // namespace gs::profile
