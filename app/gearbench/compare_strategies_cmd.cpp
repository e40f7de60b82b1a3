// gearbench --compare-strategies: option checks, the comparison (core/profile), its tables and JSON.
#include "app/gearbench/compare_strategies_cmd.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <vector>

#include "app/gearbench/bench_options.h"
#include "app/gearbench/bench_report.h"
#include "app/gearbench/check_mode.h"
#include "core/compiler/onnx/importer.h"
#include "core/compiler/shape_config/shape_config.h"
#include "core/profile/profile_export.h"
#include "core/profile/profile_json.h"
#include "core/profile/strategy_compare.h"

namespace gs::gearbench {
namespace {

constexpr std::string_view kFlag = "--compare-strategies";

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string pad(std::string s, std::size_t width, bool right = false) {
  if (s.size() >= width) return s + " ";
  return right ? std::string(width - s.size(), ' ') + s : s + std::string(width - s.size(), ' ');
}

void printStrategy(std::ostream& out, const profile::StrategyResult& s) {
  out << "\n" << profile::strategyKindTitle(s.kind) << "\n";
  if (!s.error.empty()) {
    out << "  failed: " << s.error << "\n";
    return;
  }
  out << "  models " << s.modelCount << ", compile " << fixed(s.compileMillis, 0) << " ms, .om "
      << profile::humanBytes(s.omBytes) << ", weights " << profile::humanBytes(s.weightBytes) << ", arena "
      << profile::humanBytes(s.arenaBytes) << ", workspace " << profile::humanBytes(s.workspaceBytes) << ", resident +"
      << profile::humanBytes(s.residentBytes) << "\n";
  out << "  " << pad("gear", 16) << pad("median", 10, true) << pad("95% CI", 22, true) << pad("mean", 10, true)
      << pad("p90", 10, true) << pad("p99", 10, true) << pad("min", 10, true) << pad("max", 10, true)
      << pad("samples/s", 12, true) << pad("preempted", 10, true) << "\n";
  for (const auto& g : s.gears) {
    const auto& l = g.latency;
    out << "  " << pad(g.label, 16) << pad(fixed(l.median, 3), 10, true)
        << pad(std::string(1, '[')
                   .append(fixed(g.medianCi.lo, 3))
                   .append(", ")
                   .append(fixed(g.medianCi.hi, 3))
                   .append("]"),
               22, true)
        << pad(fixed(l.mean, 3), 10, true) << pad(fixed(l.p90, 3), 10, true) << pad(fixed(l.p99, 3), 10, true)
        << pad(fixed(l.min, 3), 10, true) << pad(fixed(l.max, 3), 10, true) << pad(fixed(g.samplesPerSec, 1), 12, true)
        << pad(std::to_string(g.preemptedRuns), 10, true) << "\n";
  }
}

// Each strategy against the reference, gear by gear: a difference only where the intervals separate.
void printVerdicts(std::ostream& out, const profile::StrategyComparison& c) {
  if (c.verdicts.empty()) return;
  out << "\nVerdicts (median latency; a difference only where the 95% intervals separate)\n";
  for (const auto& v : c.verdicts)
    out << "  " << pad(profile::strategyKindName(v.strategy), 14)
        << pad(v.gear < c.gearLabels.size() ? c.gearLabels[v.gear] : "", 16) << profile::differenceText(v.difference)
        << " vs " << profile::strategyKindName(v.reference) << " (" << (v.difference.percent >= 0 ? "+" : "")
        << fixed(v.difference.percent, 1) << "%)\n";
}

// Words wrapped at `width` columns.
void printWrapped(std::ostream& out, const std::string& text, std::size_t width) {
  std::size_t col = 0, start = 0;
  while (start < text.size()) {
    auto end = text.find(' ', start);
    if (end == std::string::npos) end = text.size();
    const auto word = text.substr(start, end - start);
    if (col > 0 && col + 1 + word.size() > width) {
      out << "\n";
      col = 0;
    }
    out << (col > 0 ? " " : "") << word;
    col += word.size() + (col > 0 ? 1 : 0);
    start = end + 1;
  }
  out << "\n";
}

} // namespace

bool wantsCompareStrategies(std::span<const std::string> args) {
  return std::find(args.begin(), args.end(), kFlag) != args.end();
}

int runCompareStrategies(std::span<const std::string> args, std::ostream& out, std::ostream& err) {
  // The other options are gearbench's own: parse them with its parser.
  std::vector<std::string> rest;
  for (const auto& a : args)
    if (a != kFlag) rest.push_back(a);
  auto opts = parseArgs(rest);
  if (!opts) {
    err << opts.error().str() << "\n";
    return 2;
  }
  if (opts->help) {
    out << "gearbench --compare-strategies --model=M.onnx --input_shape=... (--dynamic_batch_size=... |\n"
           "          --dynamic_image_size=... | --dynamic_dims=...) [--loop=N] [--warmup=N] [--threads=N]\n"
           "          [--device=cpu] [--json=FILE]\n"
           "Builds the gears as one static model per gear, one multi-gear model and one dynamic-shape model,\n"
           "measures each at every gear and summarises the trade-offs.\n";
    return 0;
  }
  if (opts->model.size() < 5 || opts->model.compare(opts->model.size() - 5, 5, ".onnx") != 0) {
    err << codes::kInvalid << ": --compare-strategies needs an .onnx --model (it builds the models itself)\n";
    return 2;
  }
  auto config = shape_config::fromOptions(opts->atc);
  if (!config) {
    err << config.error().str() << "\n";
    return 2;
  }
  if (!isGearStrategy(config->strategy)) {
    err << codes::kInvalid
        << ": --compare-strategies needs gears: --dynamic_batch_size, --dynamic_image_size or --dynamic_dims\n";
    return 2;
  }
  auto model = onnx_import::importModel(opts->model);
  if (!model) {
    err << model.error().str() << "\n";
    return 1;
  }

  profile::ProfileRequest request;
  request.device = opts->device;
  request.threads = opts->threads;
  request.warmup = opts->warmup;
  request.loops = opts->loop;
  request.seed = opts->seed;
  request.profileOps = false; // latency only: per-node timing is not part of the comparison
  ProgressBar bar("compare");
  Progress progress;
  progress.report = [&bar](double f, const std::string&) { bar.update(static_cast<std::size_t>(f * 1000), 1000); };
  auto c = profile::compareStrategies(*model, *config, request, progress);
  if (!c) {
    err << c.error().str() << "\n";
    return c.error().code == codes::kInvalid || c.error().code.rfind("E1", 0) == 0 ? 2 : 1;
  }

  out << "model   " << opts->model << "\n        gears: ";
  for (std::size_t i = 0; i < c->gearLabels.size(); ++i)
    out << (i ? ", " : "") << c->gearLabels[i];
  out << "; device " << c->device << ", warm-up " << c->warmup << ", loops " << c->loops << "\n";
  for (const auto& s : c->strategies)
    printStrategy(out, s);
  printVerdicts(out, *c);
  out << "\n";
  printMeasurement(out, c->measurement);
  out << "\nSummary\n";
  printWrapped(out, c->summary, 100);

  if (!opts->jsonPath.empty()) {
    std::ofstream f(opts->jsonPath, std::ios::trunc);
    if (!f || !(f << profile::toJson(*c).dump(2) << "\n")) {
      err << codes::kIo << ": cannot write '" << opts->jsonPath << "'\n";
      return 1;
    }
  }
  bool failed = false;
  for (const auto& s : c->strategies)
    failed = failed || !s.error.empty();
  return failed ? 1 : 0;
}

} // namespace gs::gearbench
