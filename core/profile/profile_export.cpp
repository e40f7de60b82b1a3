// CSV and Markdown writers of the profile data.
#include "core/profile/profile_export.h"

#include <algorithm>
#include <cstdio>
#include <set>
#include <sstream>

#include "core/profile/precision_matrix.h"
#include "core/profile/profile_runner.h"

namespace gs::profile {
namespace {

std::string num(double v, int decimals = 3) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

// RFC 4180: quote a field holding a comma, quote or line break.
std::string csvField(const std::string& s) {
  if (s.find_first_of(",\"\n;") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s)
    out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// Markdown table cells must not contain a pipe.
std::string cell(std::string s) {
  for (auto& c : s)
    if (c == '|') c = '/';
  return s;
}

void csvRow(std::ostringstream& o, const std::string& section, const std::string& strategy, int gear,
            const std::string& label, const std::string& shapes, int64_t batch, const runtime::LatencyStats& l,
            double ips, double sps, double gflops, uint64_t weights, uint64_t arena, uint64_t workspace, uint64_t rss,
            const std::string& compileMs, const std::string& omBytes) {
  o << section << ',' << strategy << ',' << gear << ',' << csvField(label) << ',' << csvField(shapes) << ',' << batch
    << ',' << num(l.min) << ',' << num(l.mean) << ',' << num(l.median) << ',' << num(l.p90) << ',' << num(l.p95) << ','
    << num(l.p99) << ',' << num(l.max) << ',' << num(l.stddev) << ',' << num(ips, 2) << ',' << num(sps, 2) << ','
    << num(gflops, 3) << ',' << weights << ',' << arena << ',' << workspace << ',' << rss << ',' << compileMs << ','
    << omBytes << '\n';
}

void image(std::ostringstream& o, const ReportImages& images, const std::string& id, const std::string& caption,
           std::set<std::string>& used) {
  auto it = images.find(id);
  if (it == images.end()) return;
  used.insert(id);
  o << "![" << caption << "](" << it->second << ")\n\n";
}

std::string ciText(const Interval& ci) {
  std::string s(1, '['); // built by appending: GCC 12 warns falsely (-Wrestrict) on "[" + std::string
  s += num(ci.lo);
  s += ", ";
  s += num(ci.hi);
  s += ']';
  return s;
}

void measurementLines(std::ostringstream& o, const MeasurementInfo& m) {
  if (m.contention) o << "\n> **Warning:** " << contentionWarning(m) << "\n";
  o << "\n- Measurement: " << m.runs << " runs interleaved across gears, " << m.preemptedRuns << " preempted; "
    << m.cores << " core(s), " << m.threads << " thread(s); other runnable tasks " << num(m.otherRunnableBefore, 1)
    << " before / " << num(m.otherRunnableDuring, 1) << " during; load " << num(m.loadAverage, 2) << "; steal "
    << num(m.stealPercent, 1) << "%; OMP_WAIT_POLICY "
    << (m.ompWaitPolicy.empty() ? std::string("(default)") : m.ompWaitPolicy) << "\n";
}

void profileSection(std::ostringstream& o, const ProfileReport& r, const ReportImages& images,
                    std::set<std::string>& used) {
  o << "## Gears\n\n";
  o << "- Model: `" << r.modelName << "` (" << r.strategy << ", " << r.gears.size() << " gear(s))\n";
  o << "- Device: " << r.device << ", threads " << (r.threads > 0 ? std::to_string(r.threads) : std::string("default"))
    << ", warm-up " << r.warmup << ", loops " << r.loops << ", load " << num(r.loadMillis, 1) << " ms\n";
  if (r.cancelled) o << "- **Cancelled**: the measurement did not finish.\n";
  measurementLines(o, r.measurement);
  if (!r.atcCommand.empty()) o << "\n```\n" << r.atcCommand << "\n```\n";
  o << "\n### Latency (ms)\n\n";
  image(o, images, "latency", "Latency per gear", used);
  o << "| Gear | Shapes | min | median | median 95% CI | mean | p90 | p95 | p99 | max | preempted "
       "|\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
  for (const auto& g : r.gears)
    o << "| " << cell(g.label) << " | " << cell(shapesText(g.inputs)) << " | " << num(g.latency.min) << " | "
      << num(g.latency.median) << " | " << ciText(g.medianCi) << " | " << num(g.latency.mean) << " | "
      << num(g.latency.p90) << " | " << num(g.latency.p95) << " | " << num(g.latency.p99) << " | " << num(g.latency.max)
      << " | " << g.preemptedRuns << " |\n";
  o << "\n";
  image(o, images, "histogram", "Latency histogram", used);
  image(o, images, "timeseries", "Latency per run", used);
  o << "\n### Throughput\n\n";
  o << "Throughput is batch x 1000 / median latency (ms), so it matches the medians above.\n\n";
  image(o, images, "throughput", "Throughput per gear", used);
  o << "| Gear | Batch | inferences/s | samples/s | GFLOP/s |\n|---|---:|---:|---:|---:|\n";
  for (const auto& g : r.gears)
    o << "| " << cell(g.label) << " | " << g.batch << " | " << num(g.inferencesPerSec, 1) << " | "
      << num(g.samplesPerSec, 1) << " | " << num(g.gflopsPerSec, 2) << " |\n";
  o << "\n### Memory\n\n";
  image(o, images, "memory", "Memory per gear", used);
  o << "| Gear | Weights | Packed weights | Arena (gear) | Arena (shared) | Workspace | RSS growth | Process peak RSS "
       "|\n"
       "|---|---:|---:|---:|---:|---:|---:|---:|\n";
  for (const auto& g : r.gears)
    o << "| " << cell(g.label) << " | " << humanBytes(g.memory.weightBytes) << " | "
      << humanBytes(g.memory.packedWeightBytes) << " | " << humanBytes(g.memory.gearArenaBytes) << " | "
      << humanBytes(g.memory.sharedArenaBytes) << " | " << humanBytes(g.memory.workspaceBytes) << " | "
      << humanBytes(g.memory.rssGrowthBytes) << " | " << humanBytes(g.memory.peakRssBytes) << " |\n";
  o << "\n### Operators\n\n";
  image(o, images, "operators", "Per-operator time", used);
  for (const auto& g : r.gears) {
    if (g.topOps.empty()) continue;
    o << "**" << cell(g.label) << "** (top " << g.topOps.size() << ", mean per run)\n\n";
    o << "| # | Node | Op | ms | Share |\n|---:|---|---|---:|---:|\n";
    for (std::size_t i = 0; i < g.topOps.size(); ++i)
      o << "| " << i + 1 << " | " << cell(g.topOps[i].node) << " | " << g.topOps[i].opType << " | "
        << num(g.topOps[i].meanMillis, 4) << " | " << num(g.topOps[i].share, 1) << "% |\n";
    o << "\n";
  }
}

void comparisonSection(std::ostringstream& o, const StrategyComparison& c, const ReportImages& images,
                       std::set<std::string>& used) {
  o << "## Strategy comparison\n\n";
  o << "- Model: `" << c.modelName << "`, gears: ";
  for (std::size_t i = 0; i < c.gearLabels.size(); ++i)
    o << (i ? ", " : "") << c.gearLabels[i];
  o << "\n- Device: " << c.device << ", warm-up " << c.warmup << ", loops " << c.loops << "\n";
  if (!c.gearCommand.empty()) o << "\n```\n" << c.gearCommand << "\n```\n";
  measurementLines(o, c.measurement);
  o << "\n" << c.summary << "\n\n";
  o << "| Strategy | Models | Compile | .om size | Weights | Arena | Resident growth |\n"
       "|---|---:|---:|---:|---:|---:|---:|\n";
  for (const auto& s : c.strategies) {
    if (!s.error.empty()) {
      o << "| " << strategyKindTitle(s.kind) << " | failed: " << cell(s.error) << " | | | | | |\n";
      continue;
    }
    o << "| " << strategyKindTitle(s.kind) << " | " << s.modelCount << " | " << num(s.compileMillis, 0) << " ms | "
      << humanBytes(s.omBytes) << " | " << humanBytes(s.weightBytes) << " | " << humanBytes(s.arenaBytes) << " | "
      << humanBytes(s.residentBytes) << " |\n";
  }
  o << "\nMedian latency (ms) per gear, with its 95% interval; the verdict against the reference says a "
       "difference only where the intervals separate:\n\n| Gear |";
  for (const auto& s : c.strategies)
    o << " " << strategyKindName(s.kind) << " |";
  o << "\n|---|";
  for (std::size_t i = 0; i < c.strategies.size(); ++i)
    o << "---:|";
  o << "\n";
  for (std::size_t g = 0; g < c.gearLabels.size(); ++g) {
    o << "| " << cell(c.gearLabels[g]) << " |";
    for (const auto& s : c.strategies) {
      std::string verdict;
      for (const auto& v : c.verdicts)
        if (v.gear == g && v.strategy == s.kind)
          verdict = " (" + differenceText(v.difference) + " vs " + strategyKindName(v.reference) + ")";
      o << " "
        << (g < s.gears.size() ? num(s.gears[g].latency.median) + " " + ciText(s.gears[g].medianCi) + verdict
                               : std::string("-"))
        << " |";
    }
    o << "\n";
  }
  o << "\n";
  image(o, images, "strategy_latency", "Latency per gear and strategy", used);
  image(o, images, "strategy_memory", "Memory per strategy", used);
  image(o, images, "strategy_compile", "Compile time per strategy", used);
  image(o, images, "strategy_size", ".om size per strategy", used);
}

void deltaSection(std::ostringstream& o, const RunComparison& d) {
  o << "## Run comparison: " << cell(d.labelA) << " -> " << cell(d.labelB) << "\n\n";
  o << "| Gear | median A | median B | delta | verdict | p99 delta | samples/s delta |\n"
       "|---|---:|---:|---:|---|---:|---:|\n";
  for (const auto& g : d.gears) {
    if (!(g.inA && g.inB)) {
      o << "| " << cell(g.label) << " | " << (g.inA ? num(g.medianA) : "-") << " | " << (g.inB ? num(g.medianB) : "-")
        << " | only in " << (g.inA ? "A" : "B") << " | | | |\n";
      continue;
    }
    o << "| " << cell(g.label) << " | " << num(g.medianA) << " | " << num(g.medianB) << " | "
      << (g.medianPct >= 0 ? "+" : "") << num(g.medianPct, 1) << "% | " << verdictName(g.verdict) << " | "
      << (g.p99Pct >= 0 ? "+" : "") << num(g.p99Pct, 1) << "% | " << (g.samplesPerSecPct >= 0 ? "+" : "")
      << num(g.samplesPerSecPct, 1) << "% |\n";
  }
  o << "\n";
}

} // namespace

std::string humanBytes(uint64_t bytes) {
  const double v = static_cast<double>(bytes);
  if (v >= 1024.0 * 1024 * 1024) return num(v / (1024.0 * 1024 * 1024), 2) + " GiB";
  if (v >= 1024.0 * 1024) return num(v / (1024.0 * 1024), 2) + " MiB";
  if (v >= 1024.0) return num(v / 1024.0, 1) + " KiB";
  return std::to_string(bytes) + " B";
}

std::string toCsv(const ProfileReport* report, const StrategyComparison* comparison) {
  std::ostringstream o;
  o << "section,strategy,gear,label,shapes,batch,min_ms,mean_ms,median_ms,p90_ms,p95_ms,p99_ms,max_ms,stddev_ms,"
       "inferences_per_s,samples_per_s,gflops_per_s,weight_bytes,arena_bytes,workspace_bytes,rss_growth_bytes,"
       "compile_ms,om_bytes\n";
  if (report)
    for (const auto& g : report->gears)
      csvRow(o, "profile", report->strategy, g.gear, g.label, shapesText(g.inputs), g.batch, g.latency,
             g.inferencesPerSec, g.samplesPerSec, g.gflopsPerSec, g.memory.weightBytes, g.memory.gearArenaBytes,
             g.memory.workspaceBytes, g.memory.rssGrowthBytes, "", "");
  if (comparison)
    for (const auto& s : comparison->strategies)
      for (std::size_t i = 0; i < s.gears.size(); ++i) {
        const auto& g = s.gears[i];
        const double ips = g.latency.median > 0 ? 1000.0 / g.latency.median : 0;
        csvRow(o, "comparison", strategyKindName(s.kind), static_cast<int>(i), g.label, shapesText(g.inputs), g.batch,
               g.latency, ips, g.samplesPerSec, 0, s.weightBytes, g.arenaBytes, s.workspaceBytes, s.residentBytes,
               num(s.compileMillis, 1), std::to_string(s.omBytes));
      }
  return o.str();
}

std::string toMarkdown(const ProfileReport* report, const StrategyComparison* comparison, const RunComparison* runDelta,
                       const ReportImages& images) {
  return toMarkdown(report, comparison, runDelta, nullptr, images);
}

std::string toMarkdown(const ProfileReport* report, const StrategyComparison* comparison, const RunComparison* runDelta,
                       const PrecisionMatrix* matrix, const ReportImages& images) {
  std::ostringstream o;
  const std::string name = report       ? report->modelName
                           : comparison ? comparison->modelName
                           : matrix     ? matrix->modelName
                                        : std::string();
  o << "# Profile report" << (name.empty() ? "" : ": " + name) << "\n\n";
  std::set<std::string> used;
  if (report) profileSection(o, *report, images, used);
  if (comparison) comparisonSection(o, *comparison, images, used);
  if (matrix) {
    o << precisionMatrixMarkdown(*matrix);
    image(o, images, "precision_matrix", "Precision x gear", used);
  }
  if (runDelta) deltaSection(o, *runDelta);
  bool header = false;
  for (const auto& [id, file] : images) {
    if (used.count(id)) continue;
    if (!header) o << "## Other charts\n\n";
    header = true;
    o << "![" << id << "](" << file << ")\n\n";
  }
  return o.str();
}

} // namespace gs::profile
