// gearbench --accuracy / --precision-matrix: option checks, builds, runs, tables and JSON.
#include "app/gearbench/accuracy_cmd.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>

#include "app/gearbench/bench_options.h"
#include "app/gearbench/check_mode.h"
#include "core/common/utf8.h"
#include "core/compiler/onnx/importer.h"
#include "core/om/om_file.h"
#include "core/profile/accuracy.h"
#include "core/profile/accuracy_inputs.h"
#include "core/profile/layer_compare.h"
#include "core/profile/precision_matrix.h"
#include "core/profile/profile_export.h"
#include "core/profile/profile_runner.h"
#include "core/runtime/npy.h"
#include "core/session/compile_onnx.h"

namespace fs = std::filesystem;

namespace gs::gearbench {
namespace {

using shape_config::PrecisionConfig;
using shape_config::PrecisionMode;

struct AccuracyFlags {
  bool accuracy = false;
  bool perLayer = false;
  bool perLayerFused = false;
  std::optional<double> threshold;
  std::string reference;
  std::optional<std::string> matrix; // --precision-matrix=LIST
  int worstLayers = 0;
};

bool endsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

Error usage(const std::string& m) { return Error{codes::kInvalid, m}; }

// Takes gearbench's accuracy flags out of args; the rest goes to gearbench's parser.
Expected<AccuracyFlags> takeFlags(std::span<const std::string> args, std::vector<std::string>& rest) {
  AccuracyFlags f;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    const auto eq = a.find('=');
    const std::string key = a.substr(0, eq);
    const bool hasValue = eq != std::string::npos;
    std::string value = hasValue ? a.substr(eq + 1) : std::string();
    auto need = [&]() -> Status {
      if (hasValue) return ok();
      if (i + 1 < args.size() && args[i + 1].rfind("--", 0) != 0) {
        value = args[++i];
        return ok();
      }
      return std::unexpected(usage(key + " needs a value"));
    };
    auto flag = [&]() -> Status {
      if (hasValue) return std::unexpected(usage(key + " takes no value"));
      return ok();
    };
    if (key == "--accuracy") {
      GS_RETURN_IF_ERROR(flag());
      f.accuracy = true;
    } else if (key == "--per-layer") {
      GS_RETURN_IF_ERROR(flag());
      f.perLayer = true;
    } else if (key == "--per-layer-fused") {
      GS_RETURN_IF_ERROR(flag());
      f.perLayerFused = true;
    } else if (key == "--per-layer-threshold") {
      GS_RETURN_IF_ERROR(need());
      double t = 0;
      auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), t);
      if (ec != std::errc() || p != value.data() + value.size() || value.empty() || !(t > -1 && t <= 1))
        return std::unexpected(
            usage("--per-layer-threshold: '" + utf8::sanitize(value) + "' is not a cosine in (-1, 1]"));
      f.threshold = t;
    } else if (key == "--reference") {
      GS_RETURN_IF_ERROR(need());
      if (value.empty()) return std::unexpected(usage("--reference needs a model file (.onnx or .om)"));
      f.reference = value;
    } else if (key == "--precision-matrix") {
      GS_RETURN_IF_ERROR(need());
      f.matrix = value;
    } else if (key == "--worst-layers") {
      GS_RETURN_IF_ERROR(need());
      int n = 0;
      auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (ec != std::errc() || p != value.data() + value.size() || value.empty() || n < 0)
        return std::unexpected(usage("--worst-layers: '" + utf8::sanitize(value) + "' is not a count"));
      f.worstLayers = n;
    } else {
      rest.push_back(a);
    }
  }
  if (f.accuracy && f.matrix) return std::unexpected(usage("--accuracy and --precision-matrix are separate modes"));
  if (!f.accuracy && !f.matrix)
    return std::unexpected(
        usage("--per-layer, --reference and --worst-layers go with --accuracy or --precision-matrix"));
  if ((f.perLayer || f.perLayerFused) && !f.accuracy)
    return std::unexpected(usage("--per-layer goes with --accuracy (the matrix takes --worst-layers=N)"));
  if (f.perLayerFused && !f.perLayer) return std::unexpected(usage("--per-layer-fused goes with --per-layer"));
  if (f.threshold && !f.perLayer && f.worstLayers == 0)
    return std::unexpected(usage("--per-layer-threshold goes with --per-layer (or --worst-layers)"));
  if (f.worstLayers > 0 && !f.matrix)
    return std::unexpected(usage("--worst-layers goes with --precision-matrix (--accuracy --per-layer lists all)"));
  if (f.matrix && !f.reference.empty())
    return std::unexpected(usage("--precision-matrix compares with the model's own fp32 build; --reference goes "
                                 "with --accuracy"));
  return f;
}

std::string fixed(double v, int decimals) {
  if (!std::isfinite(v)) return "inf";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string sci(double v) {
  if (!std::isfinite(v)) return "inf";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3e", v);
  return buf;
}

std::string pad(std::string s, std::size_t width, bool right = false) {
  if (s.size() >= width) return s + " ";
  return right ? std::string(width - s.size(), ' ') + s : s + std::string(width - s.size(), ' ');
}

struct Built {
  std::shared_ptr<const om::Model> model;
  std::string path;
  std::string precision; // label
  double buildMillis = 0;
  bool compiled = false;
};

// An .om file is read as it is; an .onnx file is built with `request`.
Expected<Built> build(const std::string& path, const session::BuildRequest& request) {
  Built b;
  b.path = path;
  const auto t0 = std::chrono::steady_clock::now();
  if (endsWith(path, ".om")) {
    GS_ASSIGN_OR_RETURN(auto m, om::readFile(path));
    b.model = std::make_shared<const om::Model>(std::move(m));
    b.precision = "as built in the .om";
  } else {
    GS_ASSIGN_OR_RETURN(auto model, onnx_import::importModel(path));
    GS_ASSIGN_OR_RETURN(auto m, session::buildModel(model, request));
    b.model = std::make_shared<const om::Model>(std::move(m));
    b.precision = shape_config::precisionLabel(request.config.precision);
    b.compiled = true;
  }
  b.buildMillis = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  return b;
}

// One run: a gear of the candidate (or the dynamic plan at given shapes) and the reference's gear
// with the same input shapes.
struct RunChoice {
  int gear = -1;
  int referenceGear = -1;
  std::string label;
  std::vector<om::TensorDesc> inputs; // the reference's input descs at the run's shapes
};

std::optional<std::vector<std::vector<int64_t>>> npyDims(const std::string& dir,
                                                         const std::vector<om::TensorDesc>& descs) {
  if (dir.empty()) return std::nullopt;
  std::vector<std::vector<int64_t>> dims;
  for (const auto& d : descs) {
    auto h = runtime::npy::readHeader((fs::path(dir) / (runtime::npy::fileStem(d.name) + ".npy")).string());
    if (!h) return std::nullopt;
    dims.push_back(h->dims);
  }
  return dims;
}

Expected<std::vector<RunChoice>> chooseRuns(const BenchOptions& o, const runtime::Session& cand,
                                            const runtime::Session& ref) {
  std::vector<std::pair<int, std::vector<std::vector<int64_t>>>> picks; // candidate gear, input dims
  const auto base = cand.inputDescs(-1);
  const auto fromNpy = npyDims(o.inputDir, base);
  if (cand.isDynamic()) {
    std::vector<std::vector<int64_t>> dims;
    if (fromNpy) {
      dims = *fromNpy;
    } else {
      for (const auto& r : cand.model().dynamic->ranges) {
        std::vector<int64_t> d;
        for (const auto& dr : r.dims) {
          if (dr.hi < 0)
            return makeError(codes::kInvalid, "input '" + r.name +
                                                  "' has an unbounded dim: give --input=DIR with .npy inputs of "
                                                  "the shapes to compare");
          d.push_back(dr.hi);
        }
        dims.push_back(std::move(d));
      }
    }
    picks.emplace_back(-1, std::move(dims));
  } else {
    std::vector<int> gears;
    if (o.gear.empty() && fromNpy) {
      GS_ASSIGN_OR_RETURN(int g, cand.matchGear(*fromNpy));
      gears.push_back(g);
    } else if (o.gear.empty() || o.gear == "all") {
      for (int g = 0; g < cand.gearCount(); ++g)
        gears.push_back(g);
    } else {
      int g = -1;
      auto [p, ec] = std::from_chars(o.gear.data(), o.gear.data() + o.gear.size(), g);
      if (ec != std::errc() || p != o.gear.data() + o.gear.size() || g < 0 || g >= cand.gearCount())
        return makeError(codes::kInvalid, "--gear=" + utf8::sanitize(o.gear) +
                                              ": with --accuracy give 'all' or a "
                                              "gear index (0.." +
                                              std::to_string(cand.gearCount() - 1) + ")");
      gears.push_back(g);
    }
    for (int g : gears) {
      std::vector<std::vector<int64_t>> dims;
      for (const auto& d : cand.inputDescs(g))
        dims.push_back(d.dims);
      picks.emplace_back(g, std::move(dims));
    }
  }
  const auto labels =
      ref.isDynamic() || cand.isDynamic() ? std::vector<std::string>{} : profile::gearLabels(cand.model());
  std::vector<RunChoice> out;
  for (auto& [gear, dims] : picks) {
    RunChoice c;
    c.gear = gear;
    // The reference's inputs, in its order, at the candidate's shapes (matched by name, else position).
    auto refDescs = ref.inputDescs(-1);
    const auto candDescs = cand.inputDescs(gear);
    if (refDescs.size() != candDescs.size())
      return makeError(codes::kInvalid, "the reference takes " + std::to_string(refDescs.size()) +
                                            " inputs and the model " + std::to_string(candDescs.size()));
    for (std::size_t i = 0; i < refDescs.size(); ++i) {
      std::size_t j = i;
      for (std::size_t k = 0; k < candDescs.size(); ++k)
        if (candDescs[k].name == refDescs[i].name) j = k;
      refDescs[i].dims = dims[j];
    }
    if (!ref.isDynamic()) {
      std::vector<std::vector<int64_t>> refDims;
      for (const auto& d : refDescs)
        refDims.push_back(d.dims);
      auto g = ref.matchGear(refDims);
      if (!g) return std::unexpected(withContext(g.error(), "the reference"));
      c.referenceGear = *g;
    }
    c.inputs = std::move(refDescs);
    c.label = gear >= 0 && static_cast<std::size_t>(gear) < labels.size() ? labels[static_cast<std::size_t>(gear)]
                                                                          : profile::shapesText(c.inputs);
    out.push_back(std::move(c));
  }
  return out;
}

// The samples of one run: --input's sample subfolders of this run's shapes (possibly none), or its
// .npy files where their shapes fit, else seeded random tensors; `source` says which.
Expected<std::vector<profile::Sample>> runInputs(const BenchOptions& o, const std::vector<om::TensorDesc>& descs,
                                                 std::string& source) {
  if (profile::isSampleFolder(o.inputDir, descs)) {
    int other = 0;
    GS_ASSIGN_OR_RETURN(auto samples, profile::loadSamples(o.inputDir, descs, &other));
    source = std::to_string(samples.size()) + " sample(s) of " + o.inputDir +
             (other ? " (" + std::to_string(other) + " of other shapes left out)" : std::string());
    return samples;
  }
  if (auto dims = npyDims(o.inputDir, descs)) {
    bool fits = true;
    for (std::size_t i = 0; i < descs.size(); ++i)
      fits = fits && (*dims)[i] == descs[i].dims;
    if (fits) {
      GS_ASSIGN_OR_RETURN(auto samples, profile::loadSamples(o.inputDir, descs));
      source = o.inputDir;
      return samples;
    }
  }
  std::mt19937 rng(o.seed);
  profile::Sample sample;
  for (const auto& d : descs)
    sample.push_back(runtime::randomTensor(d.dtype, d.dims, rng));
  source = "random (seed " + std::to_string(o.seed) + ")";
  std::vector<profile::Sample> one;
  one.push_back(std::move(sample));
  return one;
}

void printOutputs(std::ostream& out, const std::vector<profile::TensorAccuracy>& outputs) {
  out << "  " << pad("output", 28) << pad("cosine", 12, true) << pad("max abs err", 13, true)
      << pad("max rel err", 13, true) << pad("top-1", 16, true) << "  dtype\n";
  for (const auto& a : outputs) {
    out << "  " << pad(a.name, 28);
    if (!a.compared()) {
      out << "not compared: " << a.skipped << "\n";
      continue;
    }
    out << pad(fixed(a.cosine, 6), 12, true) << pad(sci(a.maxAbsError), 13, true) << pad(sci(a.maxRelError), 13, true)
        << pad(a.top1Agreement ? fixed(100 * *a.top1Agreement, 2) + "% of " + std::to_string(a.top1Rows) : "-", 16,
               true)
        << "  " << ir::dtypeName(a.candidateType) << " vs " << ir::dtypeName(a.referenceType) << "\n";
    if (a.samples > 1)
      out << "    over " << a.samples << " samples; the worst single sample's cosine " << fixed(a.worstSampleCosine, 6)
          << "\n";
    if (a.referenceNonFinite || a.candidateNonFinite)
      out << "    non-finite values: " << a.referenceNonFinite << " in the reference, " << a.candidateNonFinite
          << " in the model, " << a.nonFiniteMismatches << " positions disagree\n";
  }
}

void printLayers(std::ostream& out, const profile::LayerComparison& c) {
  out << "  per layer (" << c.layers.size() << " of " << c.candidateNodes << " nodes compared, " << c.comparedTensors
      << " of " << c.candidateTensors << " tensors; threshold " << c.threshold << "):\n";
  out << "    " << pad("#", 6, true) << "  " << pad("node", 36) << pad("op", 18) << pad("cosine", 12, true)
      << pad("max abs err", 13, true) << pad("max rel err", 13, true) << "\n";
  for (std::size_t i = 0; i < c.layers.size(); ++i) {
    const auto& l = c.layers[i];
    out << "    " << pad(std::to_string(l.index), 6, true) << "  " << pad(l.node, 36) << pad(l.opType, 18)
        << pad(fixed(l.cosine, 6), 12, true) << pad(sci(l.maxAbsError), 13, true) << pad(sci(l.maxRelError), 13, true)
        << (l.channelsLast ? "  (NHWC)" : "") << (c.firstBad && *c.firstBad == i ? "  <- first below threshold" : "")
        << "\n";
  }
  if (c.firstBad) {
    const auto& l = c.layers[*c.firstBad];
    out << "  first layer below " << c.threshold << ": " << l.node << " (" << l.opType << "), cosine "
        << fixed(l.cosine, 6) << "\n";
  } else {
    out << "  no layer below " << c.threshold << "\n";
  }
  if (!c.skipped.empty()) out << "  " << c.skipped.size() << " tensors not compared (see --json for each reason)\n";
}

nlohmann::json descsJson(const std::vector<om::TensorDesc>& descs) {
  auto a = nlohmann::json::array();
  for (const auto& d : descs)
    a.push_back({{"name", d.name}, {"dtype", std::string(ir::dtypeName(d.dtype))}, {"dims", d.dims}});
  return a;
}

nlohmann::json accuracyJson(const std::vector<profile::TensorAccuracy>& outputs) {
  auto j = profile::toJson(profile::summarize(outputs));
  auto a = nlohmann::json::array();
  for (const auto& o : outputs)
    a.push_back(profile::toJson(o));
  j["outputs"] = std::move(a);
  return j;
}

Status writeJson(const std::string& path, nlohmann::json j) {
  utf8::sanitizeStrings(j);
  std::ofstream f(path, std::ios::trunc);
  if (!f || !(f << j.dump(2) << "\n")) return makeError(codes::kIo, "cannot write '" + path + "'");
  return ok();
}

int runAccuracyMode(const BenchOptions& o, const AccuracyFlags& f, std::ostream& out, std::ostream& err) {
  const bool omModel = endsWith(o.model, ".om");
  if (omModel && f.reference.empty()) {
    err << codes::kInvalid
        << ": --accuracy with an .om model needs --reference=MODEL (an .om carries no fp32 build to compare with)\n";
    return 2;
  }
  auto request = session::requestFromOptions(o.atc);
  if (!request) {
    err << request.error().str() << "\n";
    return 2;
  }
  request->device = o.device;
  if (f.perLayer && !f.perLayerFused) request->disabledPasses = profile::perLayerDisabledPasses();
  auto refRequest = *request;
  refRequest.config.precision = PrecisionConfig{};
  refRequest.config.precision.mode = PrecisionMode::ForceFp32;

  // ATC's E1xxxx codes are the options' fault (shapes that do not fit the model ...): usage errors.
  auto status = [](const Error& e) { return e.code.rfind("E1", 0) == 0 ? 2 : 1; };
  auto cand = build(o.model, *request);
  if (!cand) {
    err << cand.error().str() << "\n";
    return status(cand.error());
  }
  auto ref = build(f.reference.empty() ? o.model : f.reference, refRequest);
  if (!ref) {
    err << withContext(ref.error(), "the reference").str() << "\n";
    return status(ref.error());
  }
  runtime::SessionOptions so{o.device, o.threads};
  auto candSession = runtime::Session::create(cand->model, so);
  if (!candSession) {
    err << candSession.error().str() << "\n";
    return 1;
  }
  auto refSession = runtime::Session::create(ref->model, so);
  if (!refSession) {
    err << withContext(refSession.error(), "the reference").str() << "\n";
    return 1;
  }
  auto runs = chooseRuns(o, **candSession, **refSession);
  if (!runs) {
    err << runs.error().str() << "\n";
    return runs.error().code == codes::kInvalid ? 2 : 1;
  }

  out << "model     " << utf8::sanitize(o.model) << " (" << cand->precision
      << (cand->compiled ? ", built in " + fixed(cand->buildMillis, 0) + " ms" : "") << ")\n";
  out << "reference " << utf8::sanitize(ref->path) << " (" << ref->precision
      << (ref->compiled ? ", built in " + fixed(ref->buildMillis, 0) + " ms" : "") << ")\n";
  if (f.perLayer)
    out << "per-layer builds: "
        << (f.perLayerFused || omModel ? "the passes as built (fused tensors have no counterpart)"
                                       : "fusions and layout passes disabled (every ONNX tensor compared)")
        << "\n";

  nlohmann::json gearsJson = nlohmann::json::array();
  std::vector<profile::TensorAccuracy> all;
  for (const auto& r : *runs) {
    std::string source;
    auto inputs = runInputs(o, r.inputs, source);
    if (!inputs) {
      err << inputs.error().str() << "\n";
      return 1;
    }
    out << "\n=== " << (r.gear >= 0 ? "gear " + std::to_string(r.gear) + " (" + r.label + ")" : "dynamic " + r.label)
        << ", inputs " << source << "\n";
    if (inputs->empty()) {
      out << "  no sample has this gear's input shapes: not compared\n";
      continue;
    }
    nlohmann::json gj{{"index", r.gear},
                      {"label", r.label},
                      {"reference_gear", r.referenceGear},
                      {"inputs", descsJson(r.inputs)},
                      {"input_source", source},
                      {"precision", cand->precision}};
    std::vector<profile::TensorAccuracy> outputs;
    if (f.perLayer) {
      profile::LayerCompareOptions lo;
      lo.threshold = f.threshold.value_or(0.99);
      // Layer by layer on the first sample; the outputs over every sample.
      auto c = profile::compareLayers(**refSession, r.referenceGear, **candSession, r.gear, inputs->front(), lo);
      if (!c) {
        err << c.error().str() << "\n";
        return 1;
      }
      outputs = c->outputs;
      if (inputs->size() > 1) {
        auto all = profile::compareOutputs(**refSession, r.referenceGear, **candSession, r.gear, *inputs);
        if (!all) {
          err << all.error().str() << "\n";
          return 1;
        }
        outputs = std::move(*all);
      }
      printOutputs(out, outputs);
      printLayers(out, *c);
      gj["per_layer"] = profile::toJson(*c);
    } else {
      auto c = profile::compareOutputs(**refSession, r.referenceGear, **candSession, r.gear, *inputs);
      if (!c) {
        err << c.error().str() << "\n";
        return 1;
      }
      outputs = std::move(*c);
      printOutputs(out, outputs);
    }
    gj["accuracy"] = accuracyJson(outputs);
    all.insert(all.end(), outputs.begin(), outputs.end());
    gearsJson.push_back(std::move(gj));
  }
  const auto worst = profile::summarize(all);
  out << "\nworst over all gears: cosine " << fixed(worst.minCosine, 6) << " (" << worst.worstTensor
      << "), max abs error " << sci(worst.maxAbsError) << ", max rel error " << sci(worst.maxRelError);
  if (worst.minTop1Agreement) out << ", top-1 agreement " << fixed(100 * *worst.minTop1Agreement, 2) << "%";
  out << "\n";
  if (!o.jsonPath.empty()) {
    nlohmann::json j{
        {"tool", "gearbench"},
        {"mode", "accuracy"},
        {"model", {{"path", o.model}, {"precision", cand->precision}, {"build_ms", cand->buildMillis}}},
        {"reference", {{"path", ref->path}, {"precision", ref->precision}, {"build_ms", ref->buildMillis}}},
        {"device", o.device},
        {"threads", o.threads},
        {"seed", o.seed},
        {"per_layer", f.perLayer},
        {"gears", std::move(gearsJson)},
        {"summary", profile::toJson(worst)}};
    if (auto st = writeJson(o.jsonPath, std::move(j)); !st) {
      err << st.error().str() << "\n";
      return 1;
    }
  }
  return 0;
}

void printMatrix(std::ostream& out, const profile::PrecisionMatrix& m) {
  out << "model   " << m.modelName << "; reference " << m.referenceLabel << "; device " << m.device << ", loops "
      << m.loops << (m.cancelled ? " (cancelled)" : "") << "\n\n";
  std::size_t w = 24;
  out << pad("median ms / cosine", w);
  for (const auto& g : m.gearLabels)
    out << pad(g, 26, true);
  out << "\n";
  for (const auto& r : m.rows) {
    out << pad(r.label, w);
    if (!r.error.empty()) {
      out << "failed: " << r.error << "\n";
      continue;
    }
    for (const auto& c : r.cells)
      out << pad(fixed(c.latency.median, 3) + " / " + (c.error.empty() ? fixed(c.accuracy.minCosine, 6) : "error"), 26,
                 true);
    out << "\n";
  }
  out << "\n";
  for (const auto& r : m.rows)
    for (const auto& c : r.cells) {
      out << pad(r.label, w) << pad(c.gearLabel, 16) << " ";
      if (!c.error.empty()) {
        out << "accuracy failed: " << c.error << "\n";
        continue;
      }
      out << "max abs " << sci(c.accuracy.maxAbsError) << ", rel " << sci(c.accuracy.maxRelError);
      if (c.accuracy.minTop1Agreement) out << ", top-1 " << fixed(100 * *c.accuracy.minTop1Agreement, 2) << "%";
      out << ", arena " << profile::humanBytes(c.memory.gearArenaBytes) << ", packed weights "
          << profile::humanBytes(c.memory.packedWeightBytes);
      if (c.firstBadLayer)
        out << "; first bad layer " << c.firstBadLayer->node << " " << fixed(c.firstBadLayer->cosine, 5);
      if (!c.worstLayers.empty()) {
        out << "; worst layers";
        for (const auto& l : c.worstLayers)
          out << " " << l.node << " " << fixed(l.cosine, 5);
      }
      out << "\n";
    }
}

int runMatrixMode(const BenchOptions& o, const AccuracyFlags& f, std::ostream& out, std::ostream& err) {
  if (!endsWith(o.model, ".onnx")) {
    err << codes::kInvalid << ": --precision-matrix needs an .onnx --model (it builds each precision itself)\n";
    return 2;
  }
  auto request = session::requestFromOptions(o.atc);
  if (!request) {
    err << request.error().str() << "\n";
    return 2;
  }
  request->device = o.device;
  const auto& base = request->config.precision;
  if (base.mode != PrecisionMode::Default) {
    err << codes::kInvalid << ": --precision-matrix lists the precisions; leave --precision_mode out\n";
    return 2;
  }
  auto list = profile::parsePrecisionList(*f.matrix, base);
  if (!list) {
    err << list.error().str() << "\n";
    return 2;
  }
  request->config.precision = PrecisionConfig{};
  auto model = onnx_import::importModel(o.model);
  if (!model) {
    err << model.error().str() << "\n";
    return 1;
  }
  profile::PrecisionMatrixRequest mr;
  mr.profile.device = o.device;
  mr.profile.threads = o.threads;
  mr.profile.warmup = o.warmup;
  mr.profile.loops = o.loop;
  mr.profile.seed = o.seed;
  mr.profile.profileOps = false;
  mr.profile.disabledPasses = request->disabledPasses;
  mr.precisions = std::move(*list);
  mr.inputDir = o.inputDir;
  mr.worstLayers = f.worstLayers;
  mr.layerThreshold = f.threshold.value_or(0.99);
  ProgressBar bar("matrix");
  Progress progress;
  progress.report = [&bar](double x, const std::string&) { bar.update(static_cast<std::size_t>(x * 1000), 1000); };
  auto m = profile::precisionMatrix(*model, *request, mr, progress);
  if (!m) {
    err << m.error().str() << "\n";
    return m.error().code.rfind("E1", 0) == 0 ? 2 : 1;
  }
  printMatrix(out, *m);
  if (!o.jsonPath.empty()) {
    nlohmann::json j{{"tool", "gearbench"}, {"mode", "precision_matrix"}, {"matrix", profile::toJson(*m)}};
    if (auto st = writeJson(o.jsonPath, std::move(j)); !st) {
      err << st.error().str() << "\n";
      return 1;
    }
  }
  bool failed = false;
  for (const auto& r : m->rows)
    failed = failed || !r.error.empty();
  return failed ? 1 : 0;
}

} // namespace

std::string accuracyHelpText() {
  return R"(Accuracy (docs/accuracy.md):
  gearbench --accuracy --model=M.onnx [shape/gear options] [--precision_mode=MODE | --quantize=int8
            --calibration=DIR] [--gear=all|INDEX] [--input=DIR] [--seed=N] [--json=FILE]
            [--reference=OTHER.onnx|OTHER.om] [--per-layer [--per-layer-threshold=0.99] [--per-layer-fused]]
            builds the model as asked and its fp32 reference (--precision_mode=force_fp32, or --reference),
            runs every gear of both on the same inputs and prints per output max abs / rel error, cosine
            and top-1 agreement (class-score outputs). An .om model needs --reference. --per-layer compares
            every intermediate tensor (builds without fusions unless --per-layer-fused) and names the first
            layer whose cosine is below the threshold.
  gearbench --precision-matrix=fp32,force_fp16,allow_mix_precision,bf16[,int8] --model=M.onnx
            [shape/gear options] [--calibration=DIR] [--loop=N] [--warmup=N] [--worst-layers=N] [--json=FILE]
            builds each precision, profiles every gear (median latency, memory) and compares it with the
            fp32 build (worst output; with --worst-layers the N layers of lowest cosine).
)";
}

bool wantsAccuracy(std::span<const std::string> args) {
  constexpr std::string_view kFlags[] = {
      "--accuracy",        "--precision-matrix", "--per-layer",   "--per-layer-threshold",
      "--per-layer-fused", "--reference",        "--worst-layers"};
  return std::any_of(args.begin(), args.end(), [&](const std::string& a) {
    const std::string_view key = std::string_view(a).substr(0, a.find('='));
    return std::find(std::begin(kFlags), std::end(kFlags), key) != std::end(kFlags);
  });
}

int runAccuracy(std::span<const std::string> args, std::ostream& out, std::ostream& err) {
  std::vector<std::string> rest;
  auto flags = takeFlags(args, rest);
  if (!flags) {
    err << flags.error().str() << "\n";
    return 2;
  }
  // An int8 row takes the calibration options; they need --quantize=int8 to parse.
  if (flags->matrix && flags->matrix->find("int8") != std::string::npos) {
    const bool calib =
        std::any_of(rest.begin(), rest.end(), [](const auto& a) { return a.rfind("--calibration", 0) == 0; });
    const bool quant =
        std::any_of(rest.begin(), rest.end(), [](const auto& a) { return a.rfind("--quantize", 0) == 0; });
    if (calib && !quant) rest.push_back("--quantize=int8");
  }
  auto opts = parseArgs(rest);
  if (!opts) {
    err << opts.error().str() << "\n";
    return 2;
  }
  if (opts->help) {
    out << accuracyHelpText();
    return 0;
  }
  if (opts->model.empty()) {
    err << codes::kInvalid << ": --accuracy and --precision-matrix need --model\n";
    return 2;
  }
  if (!opts->outputDir.empty() || opts->profile) {
    err << codes::kInvalid
        << ": --output and --profile belong to the benchmark, not to --accuracy / --precision-matrix\n";
    return 2;
  }
  return flags->matrix ? runMatrixMode(*opts, *flags, out, err) : runAccuracyMode(*opts, *flags, out, err);
}

} // namespace gs::gearbench
