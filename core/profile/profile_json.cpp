// JSON writers and checked readers of the profile data.
#include "core/profile/profile_json.h"

namespace gs::profile {
namespace {

using json = nlohmann::json;

json descJson(const om::TensorDesc& d) {
  return json{{"name", d.name}, {"dtype", std::string(ir::dtypeName(d.dtype))}, {"dims", d.dims}};
}

om::TensorDesc descFromJson(const json& j) {
  om::TensorDesc d;
  d.name = j.at("name").get<std::string>();
  d.dtype = ir::dtypeFromName(j.at("dtype").get<std::string>()).value_or(ir::DataType::Undefined);
  d.dims = j.at("dims").get<std::vector<int64_t>>();
  return d;
}

json descsJson(const std::vector<om::TensorDesc>& v) {
  json a = json::array();
  for (const auto& d : v)
    a.push_back(descJson(d));
  return a;
}

std::vector<om::TensorDesc> descsFromJson(const json& j) {
  std::vector<om::TensorDesc> out;
  for (const auto& d : j)
    out.push_back(descFromJson(d));
  return out;
}

json ciJson(const Interval& i) { return json::array({i.lo, i.hi}); }

Interval ciFrom(const json& j, const char* key) {
  if (!j.contains(key)) return {};
  const auto v = j.at(key).get<std::vector<double>>();
  if (v.size() != 2) throw std::invalid_argument(std::string(key) + " must be [lo, hi]");
  return {v[0], v[1]};
}

MeasurementInfo measurementFrom(const json& j) {
  MeasurementInfo m;
  if (!j.is_object()) return m;
  m.contention = j.value("contention", false);
  m.runs = j.value("runs", 0);
  m.preemptedRuns = j.value("preempted_runs", 0);
  m.cores = j.value("cores", 0);
  m.threads = j.value("threads", 0);
  m.otherRunnableBefore = j.value("other_runnable_before", 0.0);
  m.otherRunnableDuring = j.value("other_runnable_during", 0.0);
  m.loadAverage = j.value("load_average_1m", 0.0);
  m.stealPercent = j.value("steal_pct", 0.0);
  m.cpuPerWall = j.value("cpu_per_wall", 0.0);
  m.ompWaitPolicy = j.value("omp_wait_policy", std::string());
  m.reasons = j.value("reasons", std::vector<std::string>{});
  return m;
}

Verdict verdictFrom(const std::string& s) {
  for (auto v : {Verdict::Faster, Verdict::Slower, Verdict::NoDifference})
    if (s == verdictName(v)) return v;
  throw std::invalid_argument("unknown verdict '" + s + "'");
}

runtime::LatencyStats latencyFrom(const json& j) {
  runtime::LatencyStats s;
  s.count = j.at("count").get<std::size_t>();
  s.min = j.at("min_ms").get<double>();
  s.mean = j.at("mean_ms").get<double>();
  s.median = j.at("median_ms").get<double>();
  s.p90 = j.at("p90_ms").get<double>();
  s.p95 = j.at("p95_ms").get<double>();
  s.p99 = j.at("p99_ms").get<double>();
  s.max = j.at("max_ms").get<double>();
  s.stddev = j.value("stddev_ms", 0.0);
  return s;
}

GearMemory memoryFrom(const json& j) {
  GearMemory m;
  m.weightBytes = j.at("weight_bytes").get<uint64_t>();
  m.packedWeightBytes = j.value("packed_weight_bytes", uint64_t{0});
  m.gearArenaBytes = j.at("gear_arena_bytes").get<uint64_t>();
  m.sharedArenaBytes = j.at("shared_arena_bytes").get<uint64_t>();
  m.workspaceBytes = j.at("workspace_bytes").get<uint64_t>();
  m.dynamicBytes = j.value("dynamic_bytes", uint64_t{0});
  m.peakRssBytes = j.at("peak_rss_bytes").get<uint64_t>();
  m.rssGrowthBytes = j.value("rss_growth_bytes", uint64_t{0});
  return m;
}

GearProfile gearFrom(const json& j) {
  GearProfile g;
  g.gear = j.at("gear").get<int>();
  g.label = j.at("label").get<std::string>();
  g.inputs = descsFromJson(j.at("inputs"));
  g.batch = j.at("batch").get<int64_t>();
  g.firstMillis = j.value("first_ms", 0.0);
  g.samples = j.at("samples_ms").get<std::vector<double>>();
  g.latency = latencyFrom(j.at("latency"));
  g.medianCi = ciFrom(j, "median_ci_ms");
  g.cpuSamples = j.value("cpu_samples_ms", std::vector<double>{});
  g.cpuMedianMillis = j.value("cpu_median_ms", 0.0);
  g.preemptedRuns = j.value("preempted_runs", 0);
  g.warmupRuns = j.value("warmup_runs", 0);
  g.warmupStable = j.value("warmup_stable", false);
  g.inferencesPerSec = j.at("inferences_per_s").get<double>();
  g.samplesPerSec = j.at("samples_per_s").get<double>();
  g.flops = j.value("flops", 0.0);
  g.gflopsPerSec = j.value("gflops_per_s", 0.0);
  g.memory = memoryFrom(j.at("memory"));
  g.opMillisTotal = j.value("op_ms_total", 0.0);
  for (const auto& o : j.value("top_ops", json::array()))
    g.topOps.push_back(OpEntry{o.at("node").get<std::string>(), o.at("op_type").get<std::string>(),
                               o.at("mean_ms").get<double>(), o.at("share").get<double>()});
  for (const auto& o : j.value("by_op_type", json::array())) {
    runtime::OpStat s;
    s.opType = o.at("op_type").get<std::string>();
    s.totalMillis = o.value("total_ms", 0.0);
    s.meanMillis = o.at("mean_ms").get<double>();
    s.share = o.at("share").get<double>();
    s.runs = o.value("runs", std::size_t{0});
    g.byOpType.push_back(std::move(s));
  }
  return g;
}

ProfileReport reportFrom(const json& j) {
  ProfileReport r;
  r.modelName = j.at("model").get<std::string>();
  r.strategy = j.at("strategy").get<std::string>();
  r.atcCommand = j.value("atc_command", std::string());
  r.device = j.at("device").get<std::string>();
  r.threads = j.value("threads", 0);
  r.warmup = j.at("warmup").get<int>();
  r.loops = j.at("loops").get<int>();
  r.loadMillis = j.value("load_ms", 0.0);
  r.cancelled = j.value("cancelled", false);
  if (j.contains("measurement")) r.measurement = measurementFrom(j.at("measurement"));
  for (const auto& g : j.at("gears"))
    r.gears.push_back(gearFrom(g));
  return r;
}

StrategyKind kindFrom(const std::string& name) {
  for (auto k : {StrategyKind::StaticPerGear, StrategyKind::MultiGear, StrategyKind::DynamicShape})
    if (name == strategyKindName(k)) return k;
  throw std::invalid_argument("unknown strategy '" + name + "'");
}

StrategyResult strategyFrom(const json& j) {
  StrategyResult s;
  s.kind = kindFrom(j.at("strategy").get<std::string>());
  s.atcCommand = j.value("atc_command", std::string());
  s.modelCount = j.at("model_count").get<int>();
  s.compileMillis = j.at("compile_ms").get<double>();
  s.compileMillisPerModel = j.value("compile_ms_per_model", std::vector<double>{});
  s.omBytes = j.at("om_bytes").get<uint64_t>();
  s.weightBytes = j.at("weight_bytes").get<uint64_t>();
  s.packedWeightBytes = j.value("packed_weight_bytes", uint64_t{0});
  s.arenaBytes = j.at("arena_bytes").get<uint64_t>();
  s.workspaceBytes = j.value("workspace_bytes", uint64_t{0});
  s.dynamicBytes = j.value("dynamic_bytes", uint64_t{0});
  s.peakRssBytes = j.at("peak_rss_bytes").get<uint64_t>();
  s.rssBaselineBytes = j.value("rss_baseline_bytes", uint64_t{0});
  s.residentBytes = j.value("resident_bytes", uint64_t{0});
  s.omSha256 = j.value("om_sha256", std::vector<std::string>{});
  s.error = j.value("error", std::string());
  for (const auto& g : j.at("gears")) {
    StrategyGear e;
    e.label = g.at("label").get<std::string>();
    e.inputs = descsFromJson(g.at("inputs"));
    e.batch = g.at("batch").get<int64_t>();
    e.latency = latencyFrom(g.at("latency"));
    e.medianCi = ciFrom(g, "median_ci_ms");
    e.preemptedRuns = g.value("preempted_runs", 0);
    e.samplesPerSec = g.at("samples_per_s").get<double>();
    e.arenaBytes = g.value("arena_bytes", uint64_t{0});
    s.gears.push_back(std::move(e));
  }
  return s;
}

StrategyComparison comparisonFrom(const json& j) {
  StrategyComparison c;
  c.modelName = j.at("model").get<std::string>();
  c.gearCommand = j.value("gear_command", std::string());
  c.device = j.at("device").get<std::string>();
  c.threads = j.value("threads", 0);
  c.warmup = j.at("warmup").get<int>();
  c.loops = j.at("loops").get<int>();
  c.cancelled = j.value("cancelled", false);
  c.gearLabels = j.at("gear_labels").get<std::vector<std::string>>();
  c.summary = j.at("summary").get<std::string>();
  for (const auto& s : j.at("strategies"))
    c.strategies.push_back(strategyFrom(s));
  if (j.contains("measurement")) c.measurement = measurementFrom(j.at("measurement"));
  for (const auto& v : j.value("comparisons", json::array())) {
    GearVerdict g;
    g.strategy = kindFrom(v.at("strategy").get<std::string>());
    g.reference = kindFrom(v.at("reference").get<std::string>());
    g.gear = v.at("gear").get<std::size_t>();
    g.difference.verdict = verdictFrom(v.at("verdict").get<std::string>());
    g.difference.percent = v.value("difference_pct", 0.0);
    c.verdicts.push_back(g);
  }
  return c;
}

// Runs a reader, turning nlohmann's (and our own) exceptions into a format error.
template <class F> auto checked(const char* what, F&& f) -> Expected<decltype(f())> {
  try {
    return f();
  } catch (const std::exception& e) {
    return makeError(codes::kFormat, std::string(what) + ": " + e.what());
  }
}

} // namespace

json toJson(const runtime::LatencyStats& s) {
  return json{{"count", s.count}, {"min_ms", s.min}, {"mean_ms", s.mean}, {"median_ms", s.median}, {"p90_ms", s.p90},
              {"p95_ms", s.p95},  {"p99_ms", s.p99}, {"max_ms", s.max},   {"stddev_ms", s.stddev}};
}

json toJson(const MeasurementInfo& m) {
  return json{{"contention", m.contention},
              {"warning", contentionWarning(m)},
              {"reasons", m.reasons},
              {"runs", m.runs},
              {"preempted_runs", m.preemptedRuns},
              {"cores", m.cores},
              {"threads", m.threads},
              {"other_runnable_before", m.otherRunnableBefore},
              {"other_runnable_during", m.otherRunnableDuring},
              {"load_average_1m", m.loadAverage},
              {"steal_pct", m.stealPercent},
              {"cpu_per_wall", m.cpuPerWall},
              {"omp_wait_policy", m.ompWaitPolicy}};
}

json toJson(const GearVerdict& v, const std::vector<std::string>& labels) {
  return json{{"strategy", strategyKindName(v.strategy)},
              {"reference", strategyKindName(v.reference)},
              {"gear", v.gear},
              {"label", v.gear < labels.size() ? labels[v.gear] : std::string()},
              {"verdict", verdictName(v.difference.verdict)},
              {"difference_pct", v.difference.percent},
              {"text", differenceText(v.difference)}};
}

json toJson(const GearMemory& m) {
  return json{{"weight_bytes", m.weightBytes},        {"packed_weight_bytes", m.packedWeightBytes},
              {"gear_arena_bytes", m.gearArenaBytes}, {"shared_arena_bytes", m.sharedArenaBytes},
              {"workspace_bytes", m.workspaceBytes},  {"dynamic_bytes", m.dynamicBytes},
              {"peak_rss_bytes", m.peakRssBytes},     {"rss_growth_bytes", m.rssGrowthBytes}};
}

json toJson(const GearProfile& g) {
  json ops = json::array();
  for (const auto& o : g.topOps)
    ops.push_back(json{{"node", o.node}, {"op_type", o.opType}, {"mean_ms", o.meanMillis}, {"share", o.share}});
  json types = json::array();
  for (const auto& o : g.byOpType)
    types.push_back(json{{"op_type", o.opType},
                         {"total_ms", o.totalMillis},
                         {"mean_ms", o.meanMillis},
                         {"share", o.share},
                         {"runs", o.runs}});
  return json{{"gear", g.gear},
              {"label", g.label},
              {"inputs", descsJson(g.inputs)},
              {"batch", g.batch},
              {"first_ms", g.firstMillis},
              {"latency", toJson(g.latency)},
              {"median_ci_ms", ciJson(g.medianCi)},
              {"cpu_median_ms", g.cpuMedianMillis},
              {"preempted_runs", g.preemptedRuns},
              {"warmup_runs", g.warmupRuns},
              {"warmup_stable", g.warmupStable},
              {"inferences_per_s", g.inferencesPerSec},
              {"samples_per_s", g.samplesPerSec},
              {"flops", g.flops},
              {"gflops_per_s", g.gflopsPerSec},
              {"memory", toJson(g.memory)},
              {"op_ms_total", g.opMillisTotal},
              {"top_ops", std::move(ops)},
              {"by_op_type", std::move(types)},
              {"samples_ms", g.samples},
              {"cpu_samples_ms", g.cpuSamples}};
}

json toJson(const ProfileReport& r) {
  json gears = json::array();
  for (const auto& g : r.gears)
    gears.push_back(toJson(g));
  return json{{"model", r.modelName},
              {"strategy", r.strategy},
              {"atc_command", r.atcCommand},
              {"device", r.device},
              {"threads", r.threads},
              {"warmup", r.warmup},
              {"loops", r.loops},
              {"load_ms", r.loadMillis},
              {"cancelled", r.cancelled},
              {"measurement", toJson(r.measurement)},
              {"gears", std::move(gears)}};
}

json toJson(const StrategyResult& s) {
  json gears = json::array();
  for (const auto& g : s.gears)
    gears.push_back(json{{"label", g.label},
                         {"inputs", descsJson(g.inputs)},
                         {"batch", g.batch},
                         {"latency", toJson(g.latency)},
                         {"median_ci_ms", ciJson(g.medianCi)},
                         {"preempted_runs", g.preemptedRuns},
                         {"samples_per_s", g.samplesPerSec},
                         {"arena_bytes", g.arenaBytes}});
  json j{{"strategy", strategyKindName(s.kind)},
         {"title", strategyKindTitle(s.kind)},
         {"atc_command", s.atcCommand},
         {"model_count", s.modelCount},
         {"compile_ms", s.compileMillis},
         {"compile_ms_per_model", s.compileMillisPerModel},
         {"om_bytes", s.omBytes},
         {"weight_bytes", s.weightBytes},
         {"packed_weight_bytes", s.packedWeightBytes},
         {"arena_bytes", s.arenaBytes},
         {"workspace_bytes", s.workspaceBytes},
         {"dynamic_bytes", s.dynamicBytes},
         {"peak_rss_bytes", s.peakRssBytes},
         {"rss_baseline_bytes", s.rssBaselineBytes},
         {"resident_bytes", s.residentBytes},
         {"om_sha256", s.omSha256},
         {"gears", std::move(gears)}};
  if (!s.error.empty()) j["error"] = s.error;
  return j;
}

json toJson(const StrategyComparison& c) {
  json strategies = json::array();
  for (const auto& s : c.strategies)
    strategies.push_back(toJson(s));
  json comparisons = json::array();
  for (const auto& v : c.verdicts)
    comparisons.push_back(toJson(v, c.gearLabels));
  return json{{"model", c.modelName},
              {"gear_command", c.gearCommand},
              {"device", c.device},
              {"threads", c.threads},
              {"warmup", c.warmup},
              {"loops", c.loops},
              {"cancelled", c.cancelled},
              {"gear_labels", c.gearLabels},
              {"measurement", toJson(c.measurement)},
              {"comparisons", std::move(comparisons)},
              {"summary", c.summary},
              {"strategies", std::move(strategies)}};
}

Expected<runtime::LatencyStats> latencyFromJson(const json& j) {
  return checked("latency", [&] { return latencyFrom(j); });
}
Expected<GearMemory> memoryFromJson(const json& j) {
  return checked("memory", [&] { return memoryFrom(j); });
}
Expected<ProfileReport> profileReportFromJson(const json& j) {
  return checked("profile", [&] { return reportFrom(j); });
}
Expected<StrategyComparison> comparisonFromJson(const json& j) {
  return checked("comparison", [&] { return comparisonFrom(j); });
}

json toJson(const ProfileDocument& d) {
  json j{{"format", "gearstudio-profile"}, {"version", 1}};
  if (d.profile) j["profile"] = toJson(*d.profile);
  if (d.comparison) j["comparison"] = toJson(*d.comparison);
  json h = json::array();
  for (const auto& r : d.history)
    h.push_back(toJson(r));
  j["history"] = std::move(h);
  return j;
}

Expected<ProfileDocument> documentFromJson(const json& j) {
  if (!j.is_object() || !j.contains("format") || !j["format"].is_string() ||
      j["format"].get<std::string>() != "gearstudio-profile")
    return makeError(codes::kFormat, "not a GearStudio profile document (no \"format\": \"gearstudio-profile\")");
  ProfileDocument d;
  if (j.contains("profile")) {
    GS_ASSIGN_OR_RETURN(d.profile, profileReportFromJson(j["profile"]));
  }
  if (j.contains("comparison")) {
    GS_ASSIGN_OR_RETURN(d.comparison, comparisonFromJson(j["comparison"]));
  }
  if (j.contains("history")) {
    if (!j["history"].is_array()) return makeError(codes::kFormat, "profile document: \"history\" is not an array");
    for (const auto& r : j["history"]) {
      GS_ASSIGN_OR_RETURN(auto rec, runRecordFromJson(r));
      d.history.push_back(std::move(rec));
    }
  }
  return d;
}

Expected<ProfileDocument> parseDocument(const std::string& text) {
  auto j = json::parse(text, nullptr, false);
  if (j.is_discarded()) return makeError(codes::kFormat, "profile document: not valid JSON");
  return documentFromJson(j);
}

} // namespace gs::profile
