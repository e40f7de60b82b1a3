// compareStrategies: builds the static, multi-gear and dynamic models of one gear configuration and
// measures each at every gear.
#include "core/profile/strategy_compare.h"

#include <chrono>
#include <filesystem>
#include <memory>

#include <malloc.h>

#include "core/common/log.h"
#include "core/compiler/compile.h"
#include "core/om/om_file.h"
#include "core/profile/profile_runner.h"
#include "core/runtime/session.h"

namespace gs::profile {
namespace {

using Clock = std::chrono::steady_clock;
namespace sc = shape_config;

// Progress of one step mapped into [lo, hi] of the whole comparison; cancel is forwarded.
Progress subProgress(const Progress& p, double lo, double hi) {
  Progress s;
  s.cancel = p.cancel;
  if (p.report) s.report = [&p, lo, hi](double f, const std::string& what) { p(lo + (hi - lo) * f, what); };
  return s;
}

struct Built {
  std::shared_ptr<const om::Model> model;
  double compileMillis = 0;
  uint64_t omBytes = 0;
};

Expected<Built> build(const ir::Model& model, const sc::ShapeConfig& config, const Progress& progress) {
  compiler::CompileOptions co;
  auto opts = sc::toOptions(config);
  if (!model.sourcePath.empty()) GS_RETURN_IF_ERROR(sc::setOption(opts, "model", model.sourcePath));
  GS_RETURN_IF_ERROR(sc::setOption(opts, "framework", "5"));
  co.atcCommand = sc::toCommandLine(opts);
  const auto t0 = Clock::now();
  GS_ASSIGN_OR_RETURN(auto om, compiler::compile(model, config, co, progress));
  Built b;
  b.compileMillis = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  GS_ASSIGN_OR_RETURN(auto bytes, om::serialize(om));
  b.omBytes = bytes.size();
  if (om.meta.sourcePath.empty()) om.meta.sourcePath = model.sourcePath;
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

StrategyGear gearEntry(const GearProfile& p, const std::string& label, uint64_t arena) {
  return StrategyGear{label, p.inputs, p.batch, p.latency, p.samplesPerSec, arena};
}

bool isCancel(const Error& e) { return e.code == codes::kCancelled; }

class Comparer {
public:
  Comparer(const ir::Model& model, const sc::ShapeConfig& config, const ProfileRequest& request,
           const Progress& progress, std::vector<sc::GearShapes> gears, StrategyComparison& out)
      : m_model(model), m_config(config), m_request(request), m_progress(progress), m_gears(std::move(gears)),
        m_out(out) {}

  // Each returns false when cancelled.
  // Pays the process's one-time costs (thread pool start, kernel code generation machinery, library
  // pages touched on first use) with a throwaway build and run of the first gear, so the first
  // strategy measured is not charged for them in load time and resident memory.
  void warmUp() {
    ProfileRequest once = m_request;
    once.warmup = 0;
    once.loops = 1;
    auto built = build(m_model, staticConfig(m_config, m_gears[0]), Progress{});
    if (!built) return; // the static strategy reports the error itself
    auto s = runtime::Session::create(built->model, runtime::SessionOptions{m_request.device, m_request.threads});
    if (!s) return;
    (void)measureGear(**s, 0, (*s)->inputDescs(0), once, Progress{}, 0.0, 0.0);
    s->reset();
    built->model.reset();
    malloc_trim(0);
  }
  bool runStatic(double lo, double hi);
  bool runMulti(double lo, double hi);
  bool runDynamic(double lo, double hi);
  // Builds one model for `config` and measures every gear on it (the multi-gear and dynamic strategies).
  bool runOneModel(StrategyResult r, const sc::ShapeConfig& config, bool dynamic, double lo, double mid, double hi);

private:
  // Records a failure; true when it was a cancel.
  bool fail(StrategyResult& r, const Error& e) {
    r.error = e.str();
    log::get("profile")->warn("{}: {}", strategyKindName(r.kind), r.error);
    if (isCancel(e)) return true;
    m_out.strategies.push_back(std::move(r));
    return false;
  }
  void finish(StrategyResult& r) {
    m_out.strategies.push_back(std::move(r));
    malloc_trim(0); // hand freed model memory back so the next strategy's RSS is its own
  }
  // Measures every gear of the config on `session` (gear index -1: dynamic at the gear's shapes).
  Expected<bool> measureAll(runtime::Session& s, bool dynamic, StrategyResult& r, double lo, double hi);

  const ir::Model& m_model;
  const sc::ShapeConfig& m_config;
  const ProfileRequest& m_request;
  const Progress& m_progress;
  std::vector<sc::GearShapes> m_gears;
  StrategyComparison& m_out;
};

Expected<bool> Comparer::measureAll(runtime::Session& s, bool dynamic, StrategyResult& r, double lo, double hi) {
  const double n = static_cast<double>(m_gears.size());
  for (std::size_t g = 0; g < m_gears.size(); ++g) {
    const auto descs = dynamic ? descsOf(m_gears[g], m_model.graph) : s.inputDescs(static_cast<int>(g));
    GS_ASSIGN_OR_RETURN(auto run, measureGear(s, dynamic ? -1 : static_cast<int>(g), descs, m_request, m_progress,
                                              lo + (hi - lo) * static_cast<double>(g) / n,
                                              lo + (hi - lo) * static_cast<double>(g + 1) / n));
    if (run.cancelled) return false;
    const uint64_t arena = dynamic ? s.memory().arenaBytes + s.memory().dynamicBytes : s.model().sharedArenaBytes;
    r.gears.push_back(gearEntry(run.profile, m_out.gearLabels[g], arena));
    r.peakRssBytes = std::max(r.peakRssBytes, run.profile.memory.peakRssBytes);
  }
  return true;
}

bool Comparer::runStatic(double lo, double hi) {
  StrategyResult r;
  r.kind = StrategyKind::StaticPerGear;
  r.modelCount = static_cast<int>(m_gears.size());
  resetPeakResident();
  r.rssBaselineBytes = runtime::currentResidentBytes();
  // Every gear model stays loaded while all are measured, as a deployment serving each gear would.
  std::vector<std::unique_ptr<runtime::Session>> sessions;
  const double n = static_cast<double>(m_gears.size());
  const double mid = lo + (hi - lo) * 0.5;
  for (std::size_t g = 0; g < m_gears.size(); ++g) {
    auto built = build(m_model, staticConfig(m_config, m_gears[g]),
                       subProgress(m_progress, lo + (mid - lo) * static_cast<double>(g) / n,
                                   lo + (mid - lo) * static_cast<double>(g + 1) / n));
    if (!built) return !fail(r, built.error());
    r.atcCommand += g ? "\n" : "";
    r.atcCommand += built->model->meta.atcCommand;
    r.compileMillis += built->compileMillis;
    r.compileMillisPerModel.push_back(built->compileMillis);
    r.omBytes += built->omBytes;
    r.weightBytes += built->model->weightBytes;
    r.arenaBytes += built->model->sharedArenaBytes;
    auto s = runtime::Session::create(built->model, runtime::SessionOptions{m_request.device, m_request.threads});
    if (!s) return !fail(r, s.error());
    r.packedWeightBytes += (*s)->memory().packedWeightBytes;
    r.workspaceBytes += (*s)->memory().workspaceBytes;
    sessions.push_back(std::move(*s));
  }
  r.peakRssBytes = runtime::peakResidentBytes();
  for (std::size_t g = 0; g < m_gears.size(); ++g) {
    auto run =
        measureGear(*sessions[g], 0, sessions[g]->inputDescs(0), m_request, m_progress,
                    mid + (hi - mid) * static_cast<double>(g) / n, mid + (hi - mid) * static_cast<double>(g + 1) / n);
    if (!run) return !fail(r, run.error());
    if (run->cancelled) return false;
    r.gears.push_back(gearEntry(run->profile, m_out.gearLabels[g], sessions[g]->model().sharedArenaBytes));
    r.peakRssBytes = std::max(r.peakRssBytes, run->profile.memory.peakRssBytes);
  }
  sessions.clear();
  finish(r);
  return true;
}

bool Comparer::runMulti(double lo, double hi) {
  StrategyResult r;
  r.kind = StrategyKind::MultiGear;
  resetPeakResident();
  r.rssBaselineBytes = runtime::currentResidentBytes();
  return runOneModel(std::move(r), m_config, false, lo, lo + (hi - lo) * 0.4, hi);
}

bool Comparer::runDynamic(double lo, double hi) {
  StrategyResult r;
  r.kind = StrategyKind::DynamicShape;
  resetPeakResident();
  r.rssBaselineBytes = runtime::currentResidentBytes();
  auto config = dynamicConfig(m_config, m_model.graph);
  if (!config) return !fail(r, config.error());
  return runOneModel(std::move(r), *config, true, lo, lo + (hi - lo) * 0.3, hi);
}

bool Comparer::runOneModel(StrategyResult r, const sc::ShapeConfig& config, bool dynamic, double lo, double mid,
                           double hi) {
  auto built = build(m_model, config, subProgress(m_progress, lo, mid));
  if (!built) return !fail(r, built.error());
  r.atcCommand = built->model->meta.atcCommand;
  r.compileMillis = built->compileMillis;
  r.compileMillisPerModel = {built->compileMillis};
  r.omBytes = built->omBytes;
  r.weightBytes = built->model->weightBytes;
  auto s = runtime::Session::create(built->model, runtime::SessionOptions{m_request.device, m_request.threads});
  if (!s) return !fail(r, s.error());
  r.packedWeightBytes = (*s)->memory().packedWeightBytes;
  r.peakRssBytes = runtime::peakResidentBytes();
  auto done = measureAll(**s, dynamic, r, mid, hi);
  if (!done) return !fail(r, done.error());
  if (!*done) return false;
  const auto mem = (*s)->memory();
  r.workspaceBytes = mem.workspaceBytes;
  // A multi-gear model has its planned shared arena; the dynamic mode what its allocator made.
  r.arenaBytes = dynamic ? mem.arenaBytes + mem.dynamicBytes : built->model->sharedArenaBytes;
  if (dynamic) r.dynamicBytes = mem.dynamicBytes;
  s->reset();
  finish(r);
  return true;
}

} // namespace

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
  auto opts = sc::toOptions(gearConfig);
  if (!model.sourcePath.empty()) GS_RETURN_IF_ERROR(sc::setOption(opts, "model", model.sourcePath));
  GS_RETURN_IF_ERROR(sc::setOption(opts, "framework", "5"));
  out.gearCommand = sc::toCommandLine(opts);
  out.device = request.device;
  out.threads = request.threads;
  out.warmup = request.warmup;
  out.loops = request.loops;
  for (std::size_t g = 0; g < gears.size(); ++g)
    out.gearLabels.push_back(configGearLabel(gearConfig, g));

  Comparer c(model, gearConfig, request, progress, std::move(gears), out);
  progress(0.0, "warming up");
  c.warmUp();
  const bool finished = c.runStatic(0.0, 0.4) && c.runMulti(0.4, 0.7) && c.runDynamic(0.7, 1.0);
  out.cancelled = !finished;
  out.summary = summarizeComparison(out);
  progress(1.0, out.cancelled ? "cancelled" : "done");
  return out;
}

} // namespace gs::profile
