// Run records, their JSON form and the per-gear deltas between two runs.
#include "core/profile/run_history.h"

#include <chrono>
#include <ctime>

#include "core/profile/profile_json.h"
#include "core/profile/profile_runner.h"

namespace gs::profile {
namespace {

using json = nlohmann::json;

double pct(double a, double b) { return a != 0 ? (b - a) / a * 100.0 : 0.0; }

} // namespace

std::string utcNow() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

RunRecord makeRunRecord(const ProfileReport& report, std::string label, std::string timestamp) {
  RunRecord r;
  r.timestamp = timestamp.empty() ? utcNow() : std::move(timestamp);
  r.label = std::move(label);
  r.atcCommand = report.atcCommand;
  r.modelName = report.modelName;
  r.strategy = report.strategy;
  r.device = report.device;
  r.threads = report.threads;
  r.warmup = report.warmup;
  r.loops = report.loops;
  r.contention = report.measurement.contention;
  for (const auto& g : report.gears)
    r.gears.push_back(RunGear{g.label, shapesText(g.inputs), g.batch, g.latency, g.inferencesPerSec, g.samplesPerSec,
                              g.gflopsPerSec, g.memory, g.medianCi});
  return r;
}

json toJson(const RunRecord& r) {
  json gears = json::array();
  for (const auto& g : r.gears)
    gears.push_back(json{{"label", g.label},
                         {"shapes", g.shapes},
                         {"batch", g.batch},
                         {"latency", toJson(g.latency)},
                         {"inferences_per_s", g.inferencesPerSec},
                         {"samples_per_s", g.samplesPerSec},
                         {"gflops_per_s", g.gflopsPerSec},
                         {"memory", toJson(g.memory)},
                         {"median_ci_ms", json::array({g.medianCi.lo, g.medianCi.hi})}});
  return json{{"timestamp", r.timestamp},   {"label", r.label},         {"atc_command", r.atcCommand},
              {"model", r.modelName},       {"strategy", r.strategy},   {"device", r.device},
              {"threads", r.threads},       {"warmup", r.warmup},       {"loops", r.loops},
              {"contention", r.contention}, {"gears", std::move(gears)}};
}

Expected<RunRecord> runRecordFromJson(const json& j) {
  try {
    RunRecord r;
    r.timestamp = j.at("timestamp").get<std::string>();
    r.label = j.at("label").get<std::string>();
    r.atcCommand = j.at("atc_command").get<std::string>();
    r.modelName = j.value("model", std::string());
    r.strategy = j.value("strategy", std::string());
    r.device = j.value("device", std::string());
    r.threads = j.value("threads", 0);
    r.warmup = j.value("warmup", 0);
    r.loops = j.value("loops", 0);
    r.contention = j.value("contention", false);
    for (const auto& g : j.at("gears")) {
      RunGear e;
      e.label = g.at("label").get<std::string>();
      e.shapes = g.at("shapes").get<std::string>();
      e.batch = g.value("batch", int64_t{1});
      GS_ASSIGN_OR_RETURN(e.latency, latencyFromJson(g.at("latency")));
      e.inferencesPerSec = g.at("inferences_per_s").get<double>();
      e.samplesPerSec = g.at("samples_per_s").get<double>();
      e.gflopsPerSec = g.value("gflops_per_s", 0.0);
      GS_ASSIGN_OR_RETURN(e.memory, memoryFromJson(g.at("memory")));
      if (g.contains("median_ci_ms")) {
        const auto ci = g.at("median_ci_ms").get<std::vector<double>>();
        if (ci.size() == 2) e.medianCi = {ci[0], ci[1]};
      }
      r.gears.push_back(std::move(e));
    }
    return r;
  } catch (const std::exception& e) {
    return makeError(codes::kFormat, std::string("run record: ") + e.what());
  }
}

RunComparison compareRuns(const RunRecord& a, const RunRecord& b) {
  RunComparison c{a.label, b.label, {}};
  std::vector<bool> usedB(b.gears.size(), false);
  auto fill = [](GearDelta& d, const RunGear* ga, const RunGear* gb) {
    if (ga) {
      d.medianA = ga->latency.median;
      d.p99A = ga->latency.p99;
      d.samplesPerSecA = ga->samplesPerSec;
    }
    if (gb) {
      d.medianB = gb->latency.median;
      d.p99B = gb->latency.p99;
      d.samplesPerSecB = gb->samplesPerSec;
    }
    if (ga && gb) {
      d.medianPct = pct(d.medianA, d.medianB);
      d.p99Pct = pct(d.p99A, d.p99B);
      d.samplesPerSecPct = pct(d.samplesPerSecA, d.samplesPerSecB);
      // Records without intervals (older files) never claim a difference.
      if (ga->medianCi.hi > 0 && gb->medianCi.hi > 0)
        d.verdict = compareMedians(d.medianB, gb->medianCi, d.medianA, ga->medianCi).verdict;
      d.peakRssDelta = static_cast<int64_t>(gb->memory.peakRssBytes) - static_cast<int64_t>(ga->memory.peakRssBytes);
      d.arenaDelta = static_cast<int64_t>(gb->memory.gearArenaBytes) - static_cast<int64_t>(ga->memory.gearArenaBytes);
    }
  };
  for (const auto& ga : a.gears) {
    GearDelta d{ga.label, ga.shapes, true, false};
    const RunGear* gb = nullptr;
    for (std::size_t i = 0; i < b.gears.size(); ++i)
      if (!usedB[i] && b.gears[i].shapes == ga.shapes) {
        usedB[i] = true;
        gb = &b.gears[i];
        d.inB = true;
        break;
      }
    fill(d, &ga, gb);
    c.gears.push_back(std::move(d));
  }
  for (std::size_t i = 0; i < b.gears.size(); ++i)
    if (!usedB[i]) {
      GearDelta d{b.gears[i].label, b.gears[i].shapes, false, true};
      fill(d, nullptr, &b.gears[i]);
      c.gears.push_back(std::move(d));
    }
  return c;
}

} // namespace gs::profile
