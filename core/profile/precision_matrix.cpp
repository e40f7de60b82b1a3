// The precision x gear matrix: build per precision, profile every gear, compare with fp32.
#include "core/profile/precision_matrix.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <random>

#include "core/profile/accuracy_inputs.h"
#include "core/profile/profile_json.h"
#include "core/profile/profile_runner.h"
#include "core/runtime/npy.h"

namespace gs::profile {
namespace {

namespace fs = std::filesystem;
using shape_config::PrecisionConfig;
using shape_config::PrecisionMode;

std::string fixed(double v, int decimals) {
  if (!std::isfinite(v)) return "inf";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string sci(double v) {
  if (!std::isfinite(v)) return "inf";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2e", v);
  return buf;
}

std::shared_ptr<const om::Model> borrow(const om::Model& m) {
  return std::shared_ptr<const om::Model>(&m, [](const om::Model*) {});
}

// Accuracy inputs for one gear: the input folder's samples of these shapes (one folder of .npy files,
// or sample subfolders) when there are any, else one sample of seeded random tensors.
Expected<std::vector<Sample>> gearInputs(const std::vector<om::TensorDesc>& descs, const std::string& dir,
                                         uint32_t seed) {
  if (!dir.empty()) {
    GS_ASSIGN_OR_RETURN(auto samples, loadSamples(dir, descs));
    if (!samples.empty()) return samples;
  }
  std::mt19937 rng(seed);
  Sample s;
  for (const auto& d : descs)
    s.push_back(runtime::randomTensor(d.dtype, d.dims, rng));
  std::vector<Sample> one;
  one.push_back(std::move(s));
  return one;
}

PrecisionConfig referencePrecision() {
  PrecisionConfig p;
  p.mode = PrecisionMode::ForceFp32;
  return p;
}

} // namespace

Expected<PrecisionConfig> parsePrecisionChoice(std::string_view name, const PrecisionConfig& base) {
  PrecisionConfig p;
  p.keep = base.keep;
  p.keepDtypeFile = base.keepDtypeFile;
  if (name == "fp32") {
    p.mode = PrecisionMode::ForceFp32;
  } else if (name == "fp16") {
    p.mode = PrecisionMode::ForceFp16;
  } else if (name == "origin") {
    p.mode = PrecisionMode::Default;
  } else if (name == "int8") {
    if (base.calibrationDir.empty())
      return makeError(codes::kInvalid, "precision 'int8' needs --calibration=DIR (the calibration samples)");
    p.quantizeInt8 = true;
    p.calibrationDir = base.calibrationDir;
    p.method = base.method;
    p.mean = base.mean;
    p.scale = base.scale;
  } else if (auto mode = shape_config::parsePrecisionMode(name); mode && *mode != PrecisionMode::Default) {
    p.mode = *mode;
  } else {
    return makeError(codes::kInvalid, "unknown precision '" + std::string(name) +
                                          "' (fp32, fp16, int8, origin, force_fp32, force_fp16, allow_fp32_to_fp16, "
                                          "must_keep_origin_dtype, allow_mix_precision, bf16)");
  }
  return p;
}

Expected<std::vector<PrecisionConfig>> parsePrecisionList(std::string_view list, const PrecisionConfig& base) {
  std::vector<PrecisionConfig> out;
  std::size_t start = 0;
  while (start <= list.size()) {
    const auto end = std::min(list.find(',', start), list.size());
    const auto item = list.substr(start, end - start);
    start = end + 1;
    if (item.empty()) continue;
    GS_ASSIGN_OR_RETURN(auto p, parsePrecisionChoice(item, base));
    out.push_back(std::move(p));
  }
  if (out.empty()) return makeError(codes::kInvalid, "the precision list is empty");
  return out;
}

Expected<PrecisionMatrix> precisionMatrix(const ir::Model& model, const session::BuildRequest& build,
                                          const PrecisionMatrixRequest& request, const Progress& progress) {
  if (request.precisions.empty()) return makeError(codes::kInvalid, "precision matrix: no precision to build");
  if (request.worstLayers < 0) return makeError(codes::kInvalid, "precision matrix: worst layers must not be negative");
  PrecisionMatrix m;
  m.modelName = model.sourcePath.empty() ? model.graph.name : fs::path(model.sourcePath).filename().string();
  m.referenceLabel = shape_config::precisionLabel(referencePrecision());
  m.device = request.profile.device;
  m.threads = request.profile.threads;
  m.warmup = request.profile.warmup;
  m.loops = request.profile.loops;

  // Shares of the progress bar: the reference build, then per row build / profile / accuracy.
  const double rows = static_cast<double>(request.precisions.size());
  const double refShare = 0.1;
  auto rowRange = [&](std::size_t r, double lo, double hi) {
    const double base = refShare + (1 - refShare) * static_cast<double>(r) / rows;
    const double width = (1 - refShare) / rows;
    return std::pair{base + lo * width, base + hi * width};
  };

  auto refRequest = build;
  refRequest.config.precision = referencePrecision();
  progress(0.0, "building the fp32 reference");
  auto refBuilt = session::buildModel(model, refRequest, progress.sub(0.0, refShare));
  if (!refBuilt) {
    if (refBuilt.error().code == codes::kCancelled || progress.cancelled()) {
      m.cancelled = true;
      return m;
    }
    return std::unexpected(withContext(refBuilt.error(), "the fp32 reference build"));
  }
  const om::Model& refModel = *refBuilt;
  m.gearLabels = gearLabels(refModel);
  GS_ASSIGN_OR_RETURN(auto refSession,
                      runtime::Session::create(
                          borrow(refModel), runtime::SessionOptions{request.profile.device, request.profile.threads}));

  for (std::size_t r = 0; r < request.precisions.size(); ++r) {
    if (progress.cancelled()) {
      m.cancelled = true;
      break;
    }
    PrecisionRow row;
    row.precision = request.precisions[r];
    row.label = shape_config::precisionLabel(row.precision);
    auto rowRequest = build;
    rowRequest.config.precision = row.precision;
    row.atcCommand = session::buildCommand(model, rowRequest.config);

    // Build (the reference's own build is reused for its own row).
    auto [b0, b1] = rowRange(r, 0.0, 0.2);
    progress(b0, row.label + ": build");
    std::optional<om::Model> ownBuild;
    const om::Model* built = &refModel;
    if (!(row.precision == refRequest.config.precision)) {
      const auto t0 = std::chrono::steady_clock::now();
      auto b = session::buildModel(model, rowRequest, progress.sub(b0, b1));
      row.buildMillis = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
      if (!b) {
        if (b.error().code == codes::kCancelled || progress.cancelled()) {
          m.cancelled = true;
          break;
        }
        row.error = b.error().str();
        m.rows.push_back(std::move(row));
        continue;
      }
      ownBuild = std::move(*b);
      built = &*ownBuild;
    }

    // Profile every gear.
    auto [p0, p1] = rowRange(r, 0.2, 0.8);
    auto profiled = profileAllGears(*built, request.profile, progress.sub(p0, p1));
    if (!profiled) {
      row.error = profiled.error().str();
      m.rows.push_back(std::move(row));
      continue;
    }
    if (profiled->cancelled) {
      m.cancelled = true;
      break;
    }

    // Accuracy per gear against the reference, on the same inputs.
    auto [a0, a1] = rowRange(r, 0.8, 1.0);
    auto session = runtime::Session::create(borrow(*built),
                                            runtime::SessionOptions{request.profile.device, request.profile.threads});
    const std::size_t gears = profiled->gears.size();
    for (std::size_t gi = 0; gi < gears; ++gi) {
      const auto& gp = profiled->gears[gi];
      MatrixCell cell;
      cell.gear = gp.gear;
      cell.gearLabel = gp.label;
      cell.inputs = gp.inputs;
      cell.latency = gp.latency;
      cell.medianCi = gp.medianCi;
      cell.samplesPerSec = gp.samplesPerSec;
      cell.memory = gp.memory;
      if (progress.cancelled()) {
        m.cancelled = true;
        break;
      }
      progress(a0 + (a1 - a0) * static_cast<double>(gi) / static_cast<double>(gears),
               row.label + ": accuracy of " + gp.label);
      auto run = [&]() -> Status {
        if (!session) return std::unexpected(session.error());
        const auto refDescs = refSession->inputDescs(gp.gear);
        auto refInputs = refDescs;
        if (gp.gear < 0) // a dynamic model: the shapes the profile ran with
          for (std::size_t i = 0; i < refInputs.size() && i < gp.inputs.size(); ++i)
            refInputs[i].dims = gp.inputs[i].dims;
        GS_ASSIGN_OR_RETURN(auto inputs, gearInputs(refInputs, request.inputDir, request.profile.seed));
        if (request.worstLayers > 0) {
          LayerCompareOptions lo;
          lo.threshold = request.layerThreshold;
          GS_ASSIGN_OR_RETURN(auto layers, compareLayers(*refSession, gp.gear, **session, gp.gear, inputs.front(), lo));
          cell.worstLayers = worstLayers(layers, static_cast<std::size_t>(request.worstLayers));
          if (layers.firstBad) cell.firstBadLayer = layers.layers[*layers.firstBad];
          cell.outputs = layers.outputs;
          if (inputs.size() > 1) {
            GS_ASSIGN_OR_RETURN(cell.outputs, compareOutputs(*refSession, gp.gear, **session, gp.gear, inputs));
          }
        } else {
          GS_ASSIGN_OR_RETURN(cell.outputs, compareOutputs(*refSession, gp.gear, **session, gp.gear, inputs));
        }
        cell.accuracy = summarize(cell.outputs);
        return ok();
      };
      if (auto st = run(); !st) cell.error = st.error().str();
      row.cells.push_back(std::move(cell));
    }
    m.rows.push_back(std::move(row));
    if (m.cancelled) break;
  }
  progress(1.0, m.cancelled ? "cancelled" : "done");
  return m;
}

nlohmann::json toJson(const PrecisionMatrix& m) {
  auto rows = nlohmann::json::array();
  for (const auto& r : m.rows) {
    nlohmann::json row{{"precision", r.label}, {"atc_command", r.atcCommand}, {"build_ms", r.buildMillis}};
    if (!r.error.empty()) row["error"] = r.error;
    auto cells = nlohmann::json::array();
    for (const auto& c : r.cells) {
      auto outputs = nlohmann::json::array();
      for (const auto& o : c.outputs)
        outputs.push_back(toJson(o));
      auto worst = nlohmann::json::array();
      for (const auto& l : c.worstLayers)
        worst.push_back(toJson(l));
      nlohmann::json cell{{"gear", c.gear},
                          {"label", c.gearLabel},
                          {"precision", r.label},
                          {"latency_ms", toJson(c.latency)},
                          {"median_ci_ms", {c.medianCi.lo, c.medianCi.hi}},
                          {"samples_per_s", c.samplesPerSec},
                          {"memory", toJson(c.memory)},
                          {"accuracy", toJson(c.accuracy)},
                          {"outputs", std::move(outputs)},
                          {"worst_layers", std::move(worst)},
                          {"first_bad_layer", c.firstBadLayer ? toJson(*c.firstBadLayer) : nlohmann::json(nullptr)}};
      if (!c.error.empty()) cell["error"] = c.error;
      cells.push_back(std::move(cell));
    }
    row["cells"] = std::move(cells);
    rows.push_back(std::move(row));
  }
  return {{"model", m.modelName}, {"reference", m.referenceLabel}, {"gears", m.gearLabels},
          {"device", m.device},   {"threads", m.threads},          {"warmup", m.warmup},
          {"loops", m.loops},     {"cancelled", m.cancelled},      {"rows", std::move(rows)}};
}

std::string precisionMatrixCsv(const PrecisionMatrix& m) {
  auto quote = [](const std::string& s) {
    std::string q = "\"";
    for (char ch : s)
      q += ch == '"' ? std::string("\"\"") : std::string(1, ch);
    return q + "\"";
  };
  std::string out = "precision,gear,median_ms,mean_ms,p90_ms,samples_per_s,arena_bytes,packed_weight_bytes,cosine,"
                    "max_abs_error,max_rel_error,top1_agreement,worst_output,first_bad_layer\n";
  for (const auto& r : m.rows)
    for (const auto& c : r.cells) {
      const auto& a = c.accuracy;
      out += quote(r.label) + "," + quote(c.gearLabel) + "," + fixed(c.latency.median, 4) + "," +
             fixed(c.latency.mean, 4) + "," + fixed(c.latency.p90, 4) + "," + fixed(c.samplesPerSec, 2) + "," +
             std::to_string(c.memory.gearArenaBytes) + "," + std::to_string(c.memory.packedWeightBytes) + "," +
             (c.error.empty() ? fixed(a.minCosine, 6) : std::string()) + "," +
             (c.error.empty() ? sci(a.maxAbsError) : std::string()) + "," +
             (c.error.empty() ? sci(a.maxRelError) : std::string()) + "," +
             (a.minTop1Agreement ? fixed(*a.minTop1Agreement, 4) : std::string()) + "," + quote(a.worstTensor) + "," +
             quote(c.firstBadLayer ? c.firstBadLayer->node : std::string()) + "\n";
    }
  return out;
}

std::string precisionMatrixMarkdown(const PrecisionMatrix& m) {
  std::string out = "## Precision x gear\n\n";
  out += "Model `" + m.modelName + "`, device " + m.device + ", " + std::to_string(m.loops) +
         " measured runs per gear; accuracy against the " + m.referenceLabel + " build on the same inputs" +
         (m.cancelled ? " (cancelled: finished rows only)" : "") + ".\n\n";
  auto header = [&](const std::string& title) {
    std::string h = "| " + title + " |";
    std::string sep = "|---|";
    for (const auto& g : m.gearLabels) {
      h += " " + g + " |";
      sep += "---:|";
    }
    return h + "\n" + sep + "\n";
  };
  out += "Median latency (ms):\n\n" + header("precision");
  for (const auto& r : m.rows) {
    out += "| " + r.label + " |";
    if (!r.error.empty()) {
      out += " failed: " + r.error + " |\n";
      continue;
    }
    for (const auto& c : r.cells)
      out.append(" ").append(fixed(c.latency.median, 3)).append(" |");
    out += "\n";
  }
  out += "\nAccuracy (lowest cosine over the outputs; max abs error; top-1 agreement where the outputs are "
         "class scores):\n\n" +
         header("precision");
  for (const auto& r : m.rows) {
    if (!r.error.empty()) continue;
    out += "| " + r.label + " |";
    for (const auto& c : r.cells) {
      if (!c.error.empty()) {
        out += " error |";
        continue;
      }
      out.append(" ").append(fixed(c.accuracy.minCosine, 6)).append(" / ").append(sci(c.accuracy.maxAbsError));
      if (c.accuracy.minTop1Agreement)
        out.append(" / ").append(fixed(100 * *c.accuracy.minTop1Agreement, 2)).append("%");
      out += " |";
    }
    out += "\n";
  }
  bool anyLayers = false;
  for (const auto& r : m.rows)
    for (const auto& c : r.cells)
      anyLayers = anyLayers || !c.worstLayers.empty();
  if (anyLayers) {
    out += "\nWorst layers (cosine):\n\n| precision | gear | layers |\n|---|---|---|\n";
    for (const auto& r : m.rows)
      for (const auto& c : r.cells) {
        if (c.worstLayers.empty()) continue;
        out += "| " + r.label + " | " + c.gearLabel + " |";
        for (std::size_t i = 0; i < c.worstLayers.size(); ++i)
          out += (i ? ", " : " ") + std::string("`") + c.worstLayers[i].node + "` " + fixed(c.worstLayers[i].cosine, 5);
        out += " |\n";
      }
  }
  return out + "\n";
}

} // namespace gs::profile
