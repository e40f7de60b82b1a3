// gearbench: load (or compile) a model, pick gears, run warm-up + measured loops, report.
#include "app/gearbench/bench_cli.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>

#include <unistd.h>

#include "app/gearbench/accuracy_cmd.h"
#include "app/gearbench/bench_options.h"
#include "app/gearbench/bench_report.h"
#include "app/gearbench/check_mode.h"
#include "app/gearbench/compare_strategies_cmd.h"
#include "app/gearbench/traffic_cmd.h"
#include "core/common/log.h"
#include "core/common/utf8.h"
#include "core/profile/measurement.h"
#include "core/profile/profile_json.h"
#include "core/runtime/npy.h"
#include "core/runtime/session.h"
#include "core/session/compile_onnx.h"

namespace fs = std::filesystem;

namespace gs::gearbench {
namespace {

using Clock = std::chrono::steady_clock;
double msSince(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

// "name:d1,d2;name2:d1" -> per name dims (name split at the last ':', "name:" is a scalar).
Expected<std::map<std::string, std::vector<int64_t>>> parseShapes(const std::string& text) {
  std::map<std::string, std::vector<int64_t>> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto end = std::min(text.find(';', start), text.size());
    const std::string item = text.substr(start, end - start);
    start = end + 1;
    if (item.empty()) continue;
    const auto colon = item.rfind(':');
    if (colon == std::string::npos) return makeError(codes::kInvalid, "--gear: '" + item + "' is not name:dims");
    std::vector<int64_t> dims;
    std::size_t p = colon + 1;
    while (p < item.size()) {
      const auto comma = std::min(item.find(',', p), item.size());
      try {
        std::size_t used = 0;
        const auto token = item.substr(p, comma - p);
        dims.push_back(std::stoll(token, &used));
        if (used != token.size()) throw std::invalid_argument(token);
      } catch (...) {
        return makeError(codes::kInvalid, "--gear: '" + item + "' has a dim that is not a number");
      }
      p = comma + 1;
    }
    out[item.substr(0, colon)] = std::move(dims);
  }
  return out;
}

uint64_t physicalMemoryBytes() {
  const long pages = ::sysconf(_SC_PHYS_PAGES);
  const long page = ::sysconf(_SC_PAGESIZE);
  if (pages <= 0 || page <= 0) return UINT64_MAX;
  return static_cast<uint64_t>(pages) * static_cast<uint64_t>(page);
}

std::string mib(uint64_t bytes) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
  return buf;
}

// A load allocates the one arena (sized by the largest gear) and holds the weights: refuse it up
// front when that is more than the limit, instead of failing inside the allocator.
Status checkLoadFits(const om::Model& m, uint64_t maxMemoryMiB) {
  const uint64_t limit = maxMemoryMiB ? maxMemoryMiB * 1024 * 1024 : physicalMemoryBytes();
  const auto what = maxMemoryMiB ? std::string("--max-memory") : std::string("the physical memory");
  uint64_t need = 0;
  if (__builtin_add_overflow(m.sharedArenaBytes, m.weightBytes, &need) || need > limit)
    return makeError(codes::kRuntime,
                     "the model needs an arena of " + std::to_string(m.sharedArenaBytes) + " bytes and " +
                         std::to_string(m.weightBytes) + " bytes of weights (" +
                         (need >= m.sharedArenaBytes ? mib(need) : std::string("more than 2^64 bytes")) +
                         "), more than " + what + " (" + mib(limit) +
                         "); give a smaller shape or gear, or raise --max-memory=MiB");
  return ok();
}

struct GearChoice {
  int gear = -1;                      // static gear index (-1 for dynamic)
  std::vector<om::TensorDesc> inputs; // concrete shapes to run with
};

Expected<std::vector<runtime::HostTensor>> makeInputs(const BenchOptions& o, const std::vector<om::TensorDesc>& descs,
                                                      uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<runtime::HostTensor> inputs;
  for (const auto& d : descs) {
    const fs::path file = fs::path(o.inputDir) / (runtime::npy::fileStem(d.name) + ".npy");
    if (!o.inputDir.empty() && fs::exists(file)) {
      GS_ASSIGN_OR_RETURN(auto t, runtime::npy::read(file.string()));
      inputs.push_back(std::move(t));
    } else {
      inputs.push_back(runtime::randomTensor(d.dtype, d.dims, rng));
    }
  }
  return inputs;
}

// Shapes of the .npy files in --input for every input, when all are there.
std::optional<std::vector<std::vector<int64_t>>> npyShapes(const BenchOptions& o,
                                                           const std::vector<om::TensorDesc>& descs) {
  if (o.inputDir.empty()) return std::nullopt;
  std::vector<std::vector<int64_t>> dims;
  for (const auto& d : descs) {
    // Only the header: makeInputs reads (and reports problems with) the data.
    auto h = runtime::npy::readHeader((fs::path(o.inputDir) / (runtime::npy::fileStem(d.name) + ".npy")).string());
    if (!h) return std::nullopt;
    dims.push_back(h->dims);
  }
  return dims;
}

Expected<std::vector<GearChoice>> chooseGears(const BenchOptions& o, const runtime::Session& s) {
  std::vector<GearChoice> out;
  const auto base = s.inputDescs(-1);
  auto withShapes = [&](const std::vector<std::vector<int64_t>>& dims) {
    GearChoice c;
    c.inputs = base;
    for (std::size_t i = 0; i < c.inputs.size() && i < dims.size(); ++i)
      c.inputs[i].dims = dims[i];
    return c;
  };
  std::optional<std::vector<std::vector<int64_t>>> shapes;
  if (!o.gear.empty() && o.gear != "all" && o.gear.find(':') != std::string::npos) {
    GS_ASSIGN_OR_RETURN(auto byName, parseShapes(o.gear));
    std::vector<std::vector<int64_t>> dims;
    for (const auto& d : base) {
      auto it = byName.find(d.name);
      if (it == byName.end()) return makeError(codes::kInvalid, "--gear gives no shape for input '" + d.name + "'");
      dims.push_back(it->second);
    }
    shapes = std::move(dims);
  } else if (o.gear.empty()) {
    shapes = npyShapes(o, base);
  }

  if (s.isDynamic()) {
    if (!shapes) {
      // Default: the upper end of each range; an unbounded dim needs explicit shapes.
      std::vector<std::vector<int64_t>> dims;
      for (const auto& r : s.model().dynamic->ranges) {
        std::vector<int64_t> d;
        for (const auto& dr : r.dims) {
          if (dr.hi < 0)
            return makeError(codes::kInvalid, "input '" + r.name +
                                                  "' has an unbounded dim: give the shapes to run with, "
                                                  "--gear=\"name:dims;...\"");
          d.push_back(dr.hi);
        }
        dims.push_back(std::move(d));
      }
      shapes = std::move(dims);
    }
    out.push_back(withShapes(*shapes));
    return out;
  }
  if (o.gear == "all") {
    for (int g = 0; g < s.gearCount(); ++g)
      out.push_back(GearChoice{g, s.inputDescs(g)});
  } else if (shapes) {
    GS_ASSIGN_OR_RETURN(int g, s.matchGear(*shapes));
    out.push_back(GearChoice{g, s.inputDescs(g)});
  } else if (!o.gear.empty()) {
    int g = -1;
    try {
      std::size_t used = 0;
      g = std::stoi(o.gear, &used);
      if (used != o.gear.size()) g = -1;
    } catch (...) {}
    if (g < 0 || g >= s.gearCount())
      return makeError(codes::kInvalid, "--gear=" + o.gear + ": not 'all', a gear index (0.." +
                                            std::to_string(s.gearCount() - 1) + ") or input shapes");
    out.push_back(GearChoice{g, s.inputDescs(g)});
  } else {
    out.push_back(GearChoice{s.largestGear(), s.inputDescs(s.largestGear())});
  }
  return out;
}

// The figures of one gear from its measurement (core/profile/measurement.h).
GearReport gearReport(const BenchOptions& o, runtime::Session& s, const profile::MeasureSlot& slot,
                      const profile::SlotResult& m) {
  GearReport r;
  r.gear = slot.gear;
  for (const auto& t : slot.inputs)
    r.inputs.push_back(om::TensorDesc{"", t.dtype(), t.dims()});
  const auto descs = s.inputDescs(slot.gear);
  for (std::size_t i = 0; i < r.inputs.size() && i < descs.size(); ++i)
    r.inputs[i].name = descs[i].name;
  if (!r.inputs.empty() && !r.inputs[0].dims.empty()) r.batch = r.inputs[0].dims[0];
  r.warmup = m.warmupRuns;
  r.warmupStable = m.warmupStable;
  r.firstMillis = m.firstMillis;
  r.latency = m.latency;
  r.medianCi = m.medianCi;
  r.cpuMedianMillis = m.cpuMedianMillis;
  r.preemptedRuns = m.preemptedRuns;
  // Throughput from the median (docs/gearbench.md), like the studio.
  r.inferencesPerSec = r.latency.median > 0 ? 1000.0 / r.latency.median : 0;
  r.samplesPerSec = r.inferencesPerSec * static_cast<double>(r.batch);
  r.memory = s.memory();
  r.workspaceBytes = s.workspaceBytes(slot.gear);
  r.peakRssBytes = runtime::peakResidentBytes();
  if (slot.gear >= 0) r.flops = s.model().gears[static_cast<std::size_t>(slot.gear)].flops;
  r.gflopsPerSec = r.latency.median > 0 ? r.flops / (r.latency.median / 1000.0) / 1e9 : 0;
  r.profiled = o.profile;
  if (o.profile) {
    r.byNode = m.ops.byNode();
    r.byOpType = m.ops.byOpType();
  }
  const auto outDescs = s.outputDescs(slot.gear);
  for (std::size_t i = 0; i < m.last.outputs.size(); ++i)
    r.outputs.push_back(om::TensorDesc{i < outDescs.size() ? outDescs[i].name : "output_" + std::to_string(i),
                                       m.last.outputs[i].dtype(), m.last.outputs[i].dims()});
  return r;
}

Status writeOutputs(const BenchOptions& o, const GearReport& r, const runtime::RunResult& result, bool several) {
  if (o.outputDir.empty()) return {};
  fs::path dir = o.outputDir;
  if (several) dir /= r.gear >= 0 ? "gear_" + std::to_string(r.gear) : std::string("dynamic");
  std::error_code ec;
  fs::create_directories(dir, ec);
  for (std::size_t i = 0; i < result.outputs.size(); ++i)
    GS_RETURN_IF_ERROR(
        runtime::npy::write((dir / (runtime::npy::fileStem(r.outputs[i].name) + ".npy")).string(), result.outputs[i]));
  return {};
}

std::string fmtMillis(double ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", ms);
  return buf;
}

int runBench(const BenchOptions& o, std::ostream& out, std::ostream& err) {
  ModelReport mr;
  mr.path = o.model;
  mr.device = o.device;
  mr.threads = o.threads;
  mr.compiled = fs::path(o.model).extension() == ".onnx";
  mr.idleRssBytes = runtime::peakResidentBytes();
  auto t0 = Clock::now();
  auto model = session::loadModel(o.model, o.atc);
  if (!model) {
    err << model.error().str() << "\n";
    return 1;
  }
  if (auto fits = checkLoadFits(**model, o.maxMemoryMiB); !fits) {
    err << fits.error().str() << "\n";
    return 1;
  }
  (mr.compiled ? mr.compileMillis : mr.readMillis) = msSince(t0);
  t0 = Clock::now();
  auto s = runtime::Session::create(*model, runtime::SessionOptions{o.device, o.threads});
  // (Session::create allocates what checkLoadFits allowed.)
  if (!s) {
    err << s.error().str() << "\n";
    return 1;
  }
  mr.loadMillis = msSince(t0);
  auto& session = **s;
  mr.strategy = std::string(strategyName((*model)->meta.strategy));
  mr.gearCount = session.gearCount();

  out << "model   " << utf8::sanitize(o.model)
      << (mr.compiled ? " (compiled in " + std::to_string(mr.compileMillis) + " ms)" : "") << "\n";
  out << "        strategy " << mr.strategy << ", "
      << (session.isDynamic() ? std::string("dynamic shape") : std::to_string(mr.gearCount) + " gear(s)") << ", device "
      << o.device << (mr.compiled ? "" : ", read " + fmtMillis(mr.readMillis) + " ms") << ", load " << mr.loadMillis
      << " ms\n";

  auto gears = chooseGears(o, session);
  if (!gears) {
    err << gears.error().str() << "\n";
    return gears.error().code == codes::kInvalid ? 2 : 1;
  }
  // The roofline's ceiling, as the device knows it (the CPU: measured once and cached).
  double peak = 0;
  std::string peakIsa;
  if (auto p = session.device().peakCompute(o.threads)) {
    peak = p->gflops;
    peakIsa = p->isa;
  }
  // Warm every chosen gear up (until stable), then measure them interleaved in blocks.
  profile::MeasureOptions mo;
  mo.warmup = o.warmup;
  mo.loops = o.loop;
  mo.profileOps = o.profile;
  mo.seed = o.seed;
  std::vector<profile::MeasureSlot> slots;
  std::vector<profile::SlotResult> warmed(gears->size());
  for (std::size_t i = 0; i < gears->size(); ++i) {
    const auto& c = (*gears)[i];
    auto inputs = makeInputs(o, c.inputs, o.seed);
    if (!inputs) {
      err << inputs.error().str() << "\n";
      return 1;
    }
    profile::MeasureSlot slot;
    slot.session = &session;
    slot.gear = c.gear;
    slot.inputs = std::move(*inputs);
    slot.name = c.gear >= 0 ? "gear " + std::to_string(c.gear) : std::string("dynamic");
    slot.progressGear = static_cast<int>(i);
    slots.push_back(std::move(slot));
    if (auto st = profile::warmUp(slots.back(), mo, warmed[i]); !st) {
      err << st.error().str() << "\n";
      return 1;
    }
  }
  ProgressBar bar("measure");
  Progress progress;
  progress.report = [&bar](double f, const std::string&) { bar.update(static_cast<std::size_t>(f * 1000), 1000); };
  auto measured = profile::measureInterleaved(slots, std::move(warmed), mo, progress);
  if (!measured) {
    err << measured.error().str() << "\n";
    return 1;
  }
  nlohmann::json gearsJson = nlohmann::json::array();
  for (std::size_t i = 0; i < slots.size(); ++i) {
    auto r = gearReport(o, session, slots[i], measured->results[i]);
    if (peak > 0 && r.flops > 0) {
      r.peakGflops = peak;
      r.peakIsa = peakIsa;
      r.peakSharePct = 100.0 * r.gflopsPerSec / peak;
    }
    if (auto st = writeOutputs(o, r, measured->results[i].last, slots.size() > 1); !st) {
      err << st.error().str() << "\n";
      return 1;
    }
    printGear(out, r);
    gearsJson.push_back(gearJson(r));
  }
  printMeasurement(out, measured->info);
  if (!o.jsonPath.empty()) {
    nlohmann::json j{{"tool", "gearbench"},          {"mode", "benchmark"},
                     {"model", modelJson(mr)},       {"loop", o.loop},
                     {"warmup", o.warmup},           {"measurement", profile::toJson(measured->info)},
                     {"gears", std::move(gearsJson)}};
    std::ofstream f(o.jsonPath, std::ios::trunc);
    if (!f) {
      err << codes::kIo << ": cannot write '" << o.jsonPath << "'\n";
      return 1;
    }
    utf8::sanitizeStrings(j); // model paths and tensor names are not trusted to be UTF-8
    f << j.dump(2) << "\n";
  }
  return 0;
}

int runModes(std::span<const std::string> args, std::ostream& out, std::ostream& err);

} // namespace

int run(std::span<const std::string> args, std::ostream& out, std::ostream& err) {
  // The boundary: nothing a library or an allocation throws escapes main.
  try {
    return runModes(args, out, err);
  } catch (const std::bad_alloc&) {
    err << Error{codes::kRuntime, "out of memory (the model or its inputs need more than this machine has; see "
                                  "--max-memory)"}
               .str()
        << "\n";
  } catch (const std::exception& e) {
    err << Error{codes::kInternal, std::string("unexpected failure: ") + e.what()}.str() << "\n";
  } catch (...) {
    err << Error{codes::kInternal, "unexpected failure of an unknown kind"}.str() << "\n";
  }
  return 1;
}

namespace {

int runModes(std::span<const std::string> args, std::ostream& out, std::ostream& err) {
  if (wantsTraffic(args)) return runTraffic(args, out, err);
  if (wantsCompareStrategies(args)) return runCompareStrategies(args, out, err);
  if (wantsAccuracy(args)) return runAccuracy(args, out, err);
  auto opts = parseArgs(args);
  if (!opts) {
    err << opts.error().str() << "\n";
    return 2;
  }
  if (opts->help) {
    out << helpText() << "\n" << accuracyHelpText() << "\n" << trafficHelpText();
    return 0;
  }
  if (opts->atc.log) (void)log::setLevel(*opts->atc.log);
  if (opts->listOps) return runListOps(*opts, out, err);
  if (!opts->checkDir.empty()) return runCheck(*opts, out, err);
  return runBench(*opts, out, err);
}

} // namespace

} // namespace gs::gearbench
