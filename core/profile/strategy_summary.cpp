// summarizeComparison: the plain-language reading of a strategy comparison, built only from its
// numbers (medians with their intervals per gear, .om sizes, arenas, compile times). A latency
// difference is stated only where the intervals separate (compareMedians); everything else is "no
// measurable difference", and a contention warning leads when the machine was busy.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/profile/strategy_compare.h"

namespace gs::profile {
namespace {

const char* kindNames[] = {"static", "multi_gear", "dynamic_shape"};
const char* kindTitles[] = {"Static (one model per gear)", "Multi-gear (one model)", "Dynamic shape (one model)"};

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

std::string bytesText(uint64_t b) {
  const double v = static_cast<double>(b);
  if (v >= 1024.0 * 1024 * 1024) return fmt("%.2f GiB", v / (1024.0 * 1024 * 1024));
  if (v >= 1024.0 * 1024) return fmt("%.2f MiB", v / (1024.0 * 1024));
  if (v >= 1024.0) return fmt("%.1f KiB", v / 1024.0);
  return std::to_string(b) + " B";
}

std::string secondsText(double ms) { return ms >= 1000 ? fmt("%.1f s", ms / 1000) : fmt("%.0f ms", ms); }

const StrategyResult* find(const StrategyComparison& c, StrategyKind k) {
  for (const auto& s : c.strategies)
    if (s.kind == k && s.error.empty()) return &s;
  return nullptr;
}

// One strategy against a reference, gear by gear, in words: differences only where the intervals
// of the medians separate ("18% slower at 640x640; no measurable difference at 320x320").
std::string versus(const char* name, const StrategyResult& x, const StrategyResult& ref, const char* refName,
                   const std::vector<std::string>& labels) {
  const auto n = std::min(x.gears.size(), ref.gears.size());
  if (n == 0) return {};
  std::vector<std::size_t> same;
  std::vector<std::string> differing;
  for (std::size_t g = 0; g < n; ++g) {
    const auto d = compareMedians(x.gears[g].latency.median, x.gears[g].medianCi, ref.gears[g].latency.median,
                                  ref.gears[g].medianCi);
    const auto label = g < labels.size() ? labels[g] : x.gears[g].label;
    if (d.verdict == Verdict::NoDifference)
      same.push_back(g);
    else
      differing.push_back(differenceText(d) + " at " + label);
  }
  std::string out = std::string(name) + " vs " + refName + ": ";
  if (differing.empty()) return out + "no measurable difference on any gear (median latency, 95% intervals).";
  for (std::size_t i = 0; i < differing.size(); ++i)
    out += (i ? ", " : "") + differing[i];
  if (!same.empty()) {
    out += "; no measurable difference at ";
    for (std::size_t i = 0; i < same.size() && i < 4; ++i)
      out += (i ? ", " : "") + (same[i] < labels.size() ? labels[same[i]] : x.gears[same[i]].label);
    if (same.size() > 4) out += " and " + std::to_string(same.size() - 4) + " more";
  }
  return out + " (median latency, 95% intervals).";
}

// Gears where `x` is measurably slower / faster than `ref`.
int countVerdict(const StrategyResult& x, const StrategyResult& ref, Verdict v) {
  int count = 0;
  const auto n = std::min(x.gears.size(), ref.gears.size());
  for (std::size_t g = 0; g < n; ++g)
    count += compareMedians(x.gears[g].latency.median, x.gears[g].medianCi, ref.gears[g].latency.median,
                            ref.gears[g].medianCi)
                         .verdict == v
                 ? 1
                 : 0;
  return count;
}

std::string diskAndMemory(const StrategyResult& s, const StrategyResult& m) {
  std::string out;
  if (s.omBytes > 0) {
    const double saving = 1.0 - static_cast<double>(m.omBytes) / static_cast<double>(s.omBytes);
    out += "One multi-gear .om (" + bytesText(m.omBytes) + ") " +
           (saving >= 0 ? "saves " + fmt("%.0f%%", saving * 100) + " disk versus "
                        : "takes " + fmt("%.0f%%", -saving * 100) + " more disk than ") +
           std::to_string(s.modelCount) + " separate static models (" + bytesText(s.omBytes) + ").";
  }
  if (s.arenaBytes + s.weightBytes > 0) {
    out += " Loaded, it holds the weights once (" + bytesText(m.weightBytes) + " vs " + bytesText(s.weightBytes) +
           ") and one shared arena (" + bytesText(m.arenaBytes) + " vs " + bytesText(s.arenaBytes) + " for " +
           std::to_string(s.modelCount) + " arenas).";
  }
  return out;
}

} // namespace

const char* strategyKindName(StrategyKind k) { return kindNames[static_cast<int>(k)]; }
const char* strategyKindTitle(StrategyKind k) { return kindTitles[static_cast<int>(k)]; }

std::string summarizeComparison(const StrategyComparison& c) {
  std::vector<std::string> parts;
  const auto* st = find(c, StrategyKind::StaticPerGear);
  const auto* mg = find(c, StrategyKind::MultiGear);
  const auto* dy = find(c, StrategyKind::DynamicShape);
  if (c.measurement.contention) parts.push_back("Warning: " + contentionWarning(c.measurement));
  if (st && mg) {
    parts.push_back(versus("Multi-gear", *mg, *st, "static", c.gearLabels));
    parts.push_back(diskAndMemory(*st, *mg));
  }
  if (dy && (st || mg))
    parts.push_back(versus("Dynamic shape", *dy, st ? *st : *mg, st ? "static" : "multi-gear", c.gearLabels));
  if (dy && dy->dynamicBytes > 0)
    parts.push_back("Dynamic shape allocates activations while it runs (" + bytesText(dy->arenaBytes) +
                    " after every gear ran) instead of a planned arena.");

  std::string compile = "Compile time:";
  for (const auto& s : c.strategies) {
    if (s.error.empty())
      compile += std::string(" ") + strategyKindName(s.kind) + " " + secondsText(s.compileMillis) +
                 (s.modelCount > 1 ? " (" + std::to_string(s.modelCount) + " models)" : "") + ",";
  }
  if (compile.back() == ',') {
    compile.back() = '.';
    parts.push_back(compile);
  }

  // A recommendation only from measurable differences: latency decides only where the intervals
  // separate; otherwise the single multi-gear file wins on disk and memory.
  if (mg) {
    const int mgSlower = st ? countVerdict(*mg, *st, Verdict::Slower) : 0;
    const int dyFaster = dy ? countVerdict(*dy, *mg, Verdict::Faster) : 0;
    if (mgSlower == 0 && dyFaster == 0)
      parts.push_back("Recommendation: multi-gear: no other strategy was measurably faster, and it ships one file "
                      "holding the weights once.");
    else if (mgSlower > 0)
      parts.push_back("Recommendation: static models per gear where the latency of the gears above matters (multi-gear "
                      "was measurably slower at " +
                      std::to_string(mgSlower) + " of " + std::to_string(mg->gears.size()) +
                      " gears); multi-gear otherwise, for one file.");
    else
      parts.push_back("Recommendation: dynamic shape was measurably faster than multi-gear at " +
                      std::to_string(dyFaster) + " of " + std::to_string(mg->gears.size()) +
                      " gears, and it accepts any shape in its ranges.");
  } else if (st) {
    parts.push_back("Recommendation: static models per gear (the multi-gear model did not finish).");
  }
  for (const auto& s : c.strategies)
    if (!s.error.empty()) parts.push_back(std::string(strategyKindTitle(s.kind)) + " failed: " + s.error);
  if (c.cancelled) parts.push_back("The comparison was cancelled; strategies not listed did not finish.");

  std::string out;
  for (const auto& p : parts) {
    if (p.empty()) continue;
    out += out.empty() ? "" : " ";
    out += p;
  }
  return out;
}

} // namespace gs::profile
