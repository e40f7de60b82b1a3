// Text tables and JSON of gearbench's measurements.
#include "app/gearbench/bench_report.h"

#include <cstdio>

namespace gs::gearbench {
namespace {

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

nlohmann::json descsJson(const std::vector<om::TensorDesc>& descs) {
  auto a = nlohmann::json::array();
  for (const auto& d : descs)
    a.push_back({{"name", d.name}, {"dtype", std::string(ir::dtypeName(d.dtype))}, {"dims", d.dims}});
  return a;
}

nlohmann::json opsJson(const std::vector<runtime::OpStat>& ops) {
  auto a = nlohmann::json::array();
  for (const auto& o : ops) {
    nlohmann::json j{
        {"op_type", o.opType}, {"mean_ms", o.meanMillis}, {"total_ms", o.totalMillis}, {"share_pct", o.share}};
    if (!o.node.empty()) j["node"] = o.node;
    a.push_back(std::move(j));
  }
  return a;
}

} // namespace

std::string humanBytes(uint64_t b) {
  const double v = static_cast<double>(b);
  if (b >= (uint64_t{1} << 30)) return fmt("%.2f GiB", v / (1 << 30));
  if (b >= (uint64_t{1} << 20)) return fmt("%.2f MiB", v / (1 << 20));
  if (b >= (uint64_t{1} << 10)) return fmt("%.1f KiB", v / (1 << 10));
  return std::to_string(b) + " B";
}

void printGear(std::ostream& out, const GearReport& g) {
  out << (g.gear >= 0 ? "=== gear " + std::to_string(g.gear) : std::string("=== dynamic shape")) << ": ";
  for (std::size_t i = 0; i < g.inputs.size(); ++i)
    out << (i ? "; " : "") << g.inputs[i].name << ":" << ir::joinDims(g.inputs[i].dims);
  out << "\n";
  out << "  outputs:        ";
  for (std::size_t i = 0; i < g.outputs.size(); ++i)
    out << (i ? "; " : "") << g.outputs[i].name << ":" << ir::joinDims(g.outputs[i].dims);
  out << "\n";
  const auto& l = g.latency;
  out << "  first inference " << fmt("%.3f", g.firstMillis) << " ms\n";
  out << "  latency (ms)    median " << fmt("%.3f", l.median) << " [" << fmt("%.3f", g.medianCi.lo) << ", "
      << fmt("%.3f", g.medianCi.hi) << "] (95% CI)  min " << fmt("%.3f", l.min) << "  mean " << fmt("%.3f", l.mean)
      << "  p90 " << fmt("%.3f", l.p90) << "  p95 " << fmt("%.3f", l.p95) << "  p99 " << fmt("%.3f", l.p99) << "  max "
      << fmt("%.3f", l.max) << "  (" << l.count << " runs after " << g.warmup << " warm-up"
      << (g.warmupStable ? "" : ", not settled") << (g.profiled ? ", profiling on" : "") << ")\n";
  out << "  cpu time        " << fmt("%.3f", g.cpuMedianMillis) << " ms per thread (median), " << g.preemptedRuns
      << " of " << l.count << " runs preempted\n";
  out << "  throughput      " << fmt("%.2f", g.inferencesPerSec) << " inferences/s, " << fmt("%.2f", g.samplesPerSec)
      << " samples/s (batch " << g.batch << ", from the median)\n";
  if (g.flops > 0) {
    out << "  compute         " << fmt("%.3f", g.flops / 1e9) << " GFLOP per run, " << fmt("%.2f", g.gflopsPerSec)
        << " GFLOP/s";
    if (g.peakGflops > 0)
      out << ", " << fmt("%.1f", g.peakSharePct) << "% of peak (" << fmt("%.1f", g.peakGflops) << " GFLOP/s, "
          << g.peakIsa << " FMA probe)";
    out << "\n";
  }
  out << "  memory          weights " << humanBytes(g.memory.constantBytes + g.memory.packedWeightBytes)
      << " (constants " << humanBytes(g.memory.constantBytes) << " + packed " << humanBytes(g.memory.packedWeightBytes)
      << "), arena " << humanBytes(g.memory.arenaBytes) << ", workspace " << humanBytes(g.workspaceBytes)
      << ", peak RSS " << humanBytes(g.peakRssBytes) << "\n";
  if (g.profiled) {
    out << "  per op type:      mean ms    share\n";
    for (const auto& o : g.byOpType) {
      char line[160];
      std::snprintf(line, sizeof line, "    %-18s %9.4f  %6.2f%%\n", o.opType.c_str(), o.meanMillis, o.share);
      out << line;
    }
    out << "  per node (execution order):\n";
    for (const auto& o : g.byNode) {
      char line[320];
      std::snprintf(line, sizeof line, "    %-40.40s %-16.16s %9.4f  %6.2f%%\n", o.node.c_str(), o.opType.c_str(),
                    o.meanMillis, o.share);
      out << line;
    }
  }
}

void printMeasurement(std::ostream& out, const profile::MeasurementInfo& m) {
  out << "measurement     " << m.runs << " runs interleaved, " << m.preemptedRuns << " preempted; " << m.cores
      << " core(s), " << m.threads << " thread(s); other runnable " << fmt("%.1f", m.otherRunnableBefore)
      << " before / " << fmt("%.1f", m.otherRunnableDuring) << " during; load " << fmt("%.2f", m.loadAverage)
      << "; steal " << fmt("%.1f", m.stealPercent) << "%\n";
  if (m.contention) out << "WARNING: " << profile::contentionWarning(m) << "\n";
}

nlohmann::json gearJson(const GearReport& g) {
  const auto& l = g.latency;
  nlohmann::json j{
      {"index", g.gear},
      {"inputs", descsJson(g.inputs)},
      {"outputs", descsJson(g.outputs)},
      {"batch", g.batch},
      {"first_inference_ms", g.firstMillis},
      {"warmup", g.warmup},
      {"warmup_stable", g.warmupStable},
      {"iterations", l.count},
      {"median_ci_ms", {g.medianCi.lo, g.medianCi.hi}},
      {"cpu_median_ms", g.cpuMedianMillis},
      {"preempted_runs", g.preemptedRuns},
      {"latency_ms",
       {{"min", l.min},
        {"mean", l.mean},
        {"median", l.median},
        {"p90", l.p90},
        {"p95", l.p95},
        {"p99", l.p99},
        {"max", l.max},
        {"stddev", l.stddev}}},
      {"throughput", {{"inferences_per_s", g.inferencesPerSec}, {"samples_per_s", g.samplesPerSec}}},
      {"memory",
       {{"weight_bytes", g.memory.constantBytes + g.memory.packedWeightBytes},
        {"constant_bytes", g.memory.constantBytes},
        {"packed_weight_bytes", g.memory.packedWeightBytes},
        {"arena_bytes", g.memory.arenaBytes},
        {"workspace_bytes", g.workspaceBytes},
        {"dynamic_bytes", g.memory.dynamicBytes},
        {"peak_rss_bytes", g.peakRssBytes}}},
      {"flops", g.flops},
      {"gflops_per_s", g.gflopsPerSec},
      {"peak_gflops_per_s", g.peakGflops},
      {"peak_share_pct", g.peakSharePct},
      {"profiled", g.profiled},
  };
  if (g.profiled) {
    j["profile_by_node"] = opsJson(g.byNode);
    j["profile_by_op_type"] = opsJson(g.byOpType);
  }
  return j;
}

nlohmann::json modelJson(const ModelReport& m) {
  nlohmann::json j{{"path", m.path},         {"compiled_from_onnx", m.compiled}, {"load_ms", m.loadMillis},
                   {"strategy", m.strategy}, {"gear_count", m.gearCount},        {"device", m.device},
                   {"threads", m.threads}};
  if (m.compiled)
    j["compile_ms"] = m.compileMillis;
  else
    j["read_ms"] = m.readMillis;
  j["idle_rss_bytes"] = m.idleRssBytes;
  return j;
}

} // namespace gs::gearbench
