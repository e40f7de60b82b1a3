// summarizeComparison: the plain-language reading of a strategy comparison, built only from its
// numbers (medians per gear, .om sizes, arenas, compile times). Differences under kNoise are called
// a match: run-to-run noise on a shared CPU is of that order.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/profile/strategy_compare.h"

namespace gs::profile {
namespace {

constexpr double kNoise = 0.05;
constexpr double kNoiseSpread = 1.25; // median / min above this: a noisy measurement

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

// "1.8x slower" / "1.3x faster" / "within 3%" for a latency ratio against a reference.
std::string ratioText(double r) {
  if (std::abs(r - 1) <= kNoise) return "within " + fmt("%.0f%%", std::abs(r - 1) * 100);
  if (r > 1) return fmt("%.1fx", r) + " slower";
  return fmt("%.1fx", 1 / r) + " faster";
}

// Multi-gear against static, gear by gear.
std::string multiVsStatic(const StrategyResult& s, const StrategyResult& m, const std::vector<std::string>& labels) {
  double worst = 0, worstRatio = 1;
  std::size_t worstGear = 0;
  const auto n = std::min(s.gears.size(), m.gears.size());
  for (std::size_t g = 0; g < n; ++g) {
    if (s.gears[g].latency.median <= 0) continue;
    const double r = m.gears[g].latency.median / s.gears[g].latency.median;
    if (std::abs(r - 1) >= worst) {
      worst = std::abs(r - 1);
      worstRatio = r;
      worstGear = g;
    }
  }
  if (n == 0) return {};
  if (worst <= kNoise)
    return "Multi-gear matches static within " + fmt("%.0f%%", std::max(1.0, std::ceil(worst * 100 - 1e-6))) +
           " on every gear (median latency).";
  return "Multi-gear is " + fmt("%.0f%%", worst * 100) + (worstRatio > 1 ? " slower" : " faster") + " than static at " +
         labels[worstGear] + " (its largest difference).";
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

std::string dynamicVsStatic(const StrategyResult& ref, const StrategyResult& d, const std::vector<std::string>& labels,
                            const char* refName) {
  const auto n = std::min(ref.gears.size(), d.gears.size());
  if (n == 0) return {};
  std::vector<double> ratios;
  for (std::size_t g = 0; g < n; ++g)
    ratios.push_back(ref.gears[g].latency.median > 0 ? d.gears[g].latency.median / ref.gears[g].latency.median : 1);
  if (std::all_of(ratios.begin(), ratios.end(), [](double r) { return std::abs(r - 1) <= kNoise; }))
    return std::string("Dynamic shape matches ") + refName + " within 5% on every gear.";
  std::string out = "Dynamic shape is ";
  // Name every gear when there are few; else the first, the last and the worst.
  std::vector<std::size_t> shown;
  if (n <= 4) {
    for (std::size_t g = 0; g < n; ++g)
      shown.push_back(g);
  } else {
    const auto worst = static_cast<std::size_t>(std::max_element(ratios.begin(), ratios.end()) - ratios.begin());
    shown = {0, worst, n - 1};
    std::sort(shown.begin(), shown.end());
    shown.erase(std::unique(shown.begin(), shown.end()), shown.end());
  }
  for (std::size_t i = 0; i < shown.size(); ++i) {
    out += (i == 0 ? "" : (i + 1 == shown.size() ? " and " : ", "));
    out += ratioText(ratios[shown[i]]) + " at " + labels[shown[i]];
  }
  out += std::string(" than ") + refName + " (median latency).";
  return out;
}

// Runs on a busy machine spread far above the fastest run; say so when the spread is larger than
// the differences the summary reports, so nobody reads noise as a result.
// The largest median / min ratio over every strategy and gear, and where it is.
std::pair<double, std::string> worstSpread(const StrategyComparison& c) {
  double worst = 1;
  std::string where;
  for (const auto& s : c.strategies)
    for (std::size_t i = 0; i < s.gears.size(); ++i) {
      const auto& l = s.gears[i].latency;
      if (l.min > 0 && l.median / l.min > worst) {
        worst = l.median / l.min;
        where = (i < c.gearLabels.size() ? c.gearLabels[i] : s.gears[i].label) + " with " + strategyKindName(s.kind);
      }
    }
  return {worst, where};
}

std::string noiseCaveat(const StrategyComparison& c) {
  const auto [worst, where] = worstSpread(c);
  if (worst <= kNoiseSpread) return {};
  return "Caution: the runs were noisy (median up to " + fmt("%.1fx", worst) + " the fastest run, at " + where +
         "), so differences of that order are not meaningful; close other programs or raise the loop count.";
}

} // namespace

const char* strategyKindName(StrategyKind k) { return kindNames[static_cast<int>(k)]; }
const char* strategyKindTitle(StrategyKind k) { return kindTitles[static_cast<int>(k)]; }

std::string summarizeComparison(const StrategyComparison& c) {
  std::vector<std::string> parts;
  const auto* st = find(c, StrategyKind::StaticPerGear);
  const auto* mg = find(c, StrategyKind::MultiGear);
  const auto* dy = find(c, StrategyKind::DynamicShape);
  if (st && mg) {
    parts.push_back(multiVsStatic(*st, *mg, c.gearLabels));
    parts.push_back(diskAndMemory(*st, *mg));
  }
  if (dy && (st || mg))
    parts.push_back(dynamicVsStatic(st ? *st : *mg, *dy, c.gearLabels, st ? "static" : "multi-gear"));
  if (auto caveat = noiseCaveat(c); !caveat.empty()) parts.push_back(caveat);
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

  // A recommendation from the same numbers: the fastest strategy by the geometric mean of its
  // medians, preferring the single multi-gear file when it is within noise of the fastest.
  auto geoMean = [](const StrategyResult& s) {
    double sum = 0;
    for (const auto& g : s.gears)
      sum += std::log(std::max(g.latency.median, 1e-9));
    return s.gears.empty() ? 0.0 : std::exp(sum / static_cast<double>(s.gears.size()));
  };
  const StrategyResult* best = nullptr;
  for (const auto& s : c.strategies)
    if (s.error.empty() && !s.gears.empty() && (!best || geoMean(s) < geoMean(*best))) best = &s;
  if (best) {
    // On a noisy machine a difference inside the run-to-run spread decides nothing.
    const double spread = worstSpread(c).first;
    const bool noisy = spread > kNoiseSpread;
    const double tolerance = noisy ? spread - 1 : kNoise;
    if (mg && best != mg && geoMean(*mg) <= geoMean(*best) * (1 + tolerance))
      parts.push_back(noisy ? "Recommendation: multi-gear: the latency differences here are within the noise, and it "
                              "ships one file holding the weights once."
                            : "Recommendation: multi-gear, as fast as the fastest strategy within noise in a single "
                              "file.");
    else if (best->kind == StrategyKind::MultiGear)
      parts.push_back("Recommendation: multi-gear, the fastest here and a single file.");
    else if (best->kind == StrategyKind::StaticPerGear && mg)
      parts.push_back("Recommendation: static models per gear are the fastest; multi-gear trades " +
                      fmt("%.0f%%", (geoMean(*mg) / geoMean(*best) - 1) * 100) + " latency for one file.");
    else if (best->kind == StrategyKind::StaticPerGear)
      parts.push_back("Recommendation: static models per gear, the fastest strategy that finished.");
    else
      parts.push_back("Recommendation: dynamic shape, the fastest here and it accepts any shape in its ranges.");
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
