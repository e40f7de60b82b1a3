// Padding safety check: padded-and-cropped runs against exact-shape runs.
#include "core/traffic/padding_check.h"

#include <algorithm>
#include <cmath>
#include <random>

#include "core/traffic/trace.h"

namespace gs::traffic {
namespace {

double element(const runtime::HostTensor& t, int64_t i) {
  switch (t.dtype()) {
  case ir::DataType::Float32:
    return t.as<float>()[i];
  case ir::DataType::Float64:
    return t.as<double>()[i];
  case ir::DataType::Int64:
    return static_cast<double>(t.as<int64_t>()[i]);
  case ir::DataType::Int32:
    return t.as<int32_t>()[i];
  case ir::DataType::Int8:
    return t.as<int8_t>()[i];
  case ir::DataType::UInt8:
  case ir::DataType::Bool:
    return t.as<uint8_t>()[i];
  default:
    return 0;
  }
}

// Max |a - b| and max |b| over the region both tensors have (a prefix in every dim).
void compareOverlap(const runtime::HostTensor& a, const runtime::HostTensor& b, double& maxAbs, double& maxRef) {
  const auto& da = a.dims();
  const auto& db = b.dims();
  if (da.size() != db.size()) return;
  const std::size_t r = da.size();
  std::vector<int64_t> ext(r);
  for (std::size_t k = 0; k < r; ++k)
    ext[k] = std::min(da[k], db[k]);
  if (std::any_of(ext.begin(), ext.end(), [](int64_t e) { return e <= 0; })) return;
  std::vector<int64_t> idx(r, 0);
  while (true) {
    int64_t ia = 0, ib = 0;
    for (std::size_t k = 0; k < r; ++k) {
      ia = ia * da[k] + idx[k];
      ib = ib * db[k] + idx[k];
    }
    const double va = element(a, ia), vb = element(b, ib);
    maxAbs = std::max(maxAbs, std::isnan(va - vb) ? INFINITY : std::abs(va - vb));
    maxRef = std::max(maxRef, std::abs(vb));
    std::size_t k = r;
    while (k > 0) {
      --k;
      if (++idx[k] < ext[k]) break;
      idx[k] = 0;
      if (k == 0) return;
    }
    if (r == 0) return;
  }
}

} // namespace

Expected<std::vector<PaddingCheckRow>> checkPadding(runtime::Dispatcher& dispatcher, const PaddingCheckOptions& options,
                                                    const Progress& progress) {
  auto& session = dispatcher.session();
  if (session.isDynamic()) return makeError(codes::kInvalid, "--check-padding needs a gear model");
  if (!dispatcher.hasFallback())
    return makeError(codes::kInvalid, "--check-padding needs an exact-shape reference: an .om built with "
                                      "gearatc --dynamic_fallback, or an .onnx model (compiled with one)");
  const auto& padded = dispatcher.paddedDims();
  const auto& model = session.model();
  std::mt19937 rng(options.seed);
  std::vector<PaddingCheckRow> rows;
  const int gears = session.gearCount();
  for (int g = 0; g < gears; ++g) {
    if (progress.cancelled()) return makeError(codes::kCancelled, "padding check cancelled");
    progress(static_cast<double>(g) / gears, "gear " + std::to_string(g + 1) + "/" + std::to_string(gears));
    const auto& gp = model.gears[static_cast<std::size_t>(g)];
    for (int s = 1; s <= options.samplesPerGear; ++s) {
      // Each padded dim: a value between the next smaller gear's (along that dim) and this gear's.
      std::vector<std::vector<int64_t>> dims;
      bool anyPadding = false;
      for (std::size_t i = 0; i < gp.inputs.size(); ++i) {
        auto d = gp.inputs[i].dims;
        for (std::size_t k = 0; k < d.size(); ++k) {
          if (!padded[i][k]) continue;
          int64_t lo = 0;
          for (const auto& other : model.gears)
            if (other.inputs[i].dims[k] < d[k]) lo = std::max(lo, other.inputs[i].dims[k]);
          const int64_t v = lo + (d[k] - lo) * s / (options.samplesPerGear + 1);
          const int64_t value = std::clamp<int64_t>(v, 1, d[k]);
          anyPadding = anyPadding || value != d[k];
          d[k] = value;
        }
        dims.push_back(std::move(d));
      }
      if (!anyPadding) continue;
      std::vector<runtime::HostTensor> inputs;
      for (std::size_t i = 0; i < dims.size(); ++i)
        inputs.push_back(runtime::randomTensor(gp.inputs[i].dtype, dims[i], rng));
      std::vector<std::string> names;
      std::vector<std::vector<int64_t>> gearDims;
      for (const auto& in : gp.inputs) {
        names.push_back(in.name);
        gearDims.push_back(in.dims);
      }
      GS_ASSIGN_OR_RETURN(auto padRun, dispatcher.runOnGear(inputs, g));
      auto ref = dispatcher.runFallback(inputs);
      if (!ref) return std::unexpected(withContext(ref.error(), "exact-shape reference run"));
      for (std::size_t o = 0; o < padRun.outputs.size() && o < ref->outputs.size(); ++o) {
        PaddingCheckRow row;
        row.gear = g;
        row.gearShapes = formatShapes(names, gearDims);
        row.sampleShapes = formatShapes(names, dims);
        row.output = o < gp.outputs.size() ? gp.outputs[o].name : "output " + std::to_string(o);
        row.flagged = !padRun.flags[o].empty();
        row.why = padRun.flags[o];
        row.edge = padRun.notes[o];
        if (!row.flagged && padRun.outputs[o].dims() != ref->outputs[o].dims()) {
          row.why = "cropped shape [" + ir::joinDims(padRun.outputs[o].dims()) + "] differs from the exact run's [" +
                    ir::joinDims(ref->outputs[o].dims()) + "]";
          row.flagged = true;
        }
        double maxAbs = 0, maxRef = 0;
        compareOverlap(padRun.outputs[o], ref->outputs[o], maxAbs, maxRef);
        row.maxAbsError = maxAbs;
        row.maxRelError = maxRef > 0 ? maxAbs / maxRef : maxAbs;
        row.warn = row.flagged || !(row.maxRelError <= options.tolerance);
        rows.push_back(std::move(row));
      }
    }
  }
  progress(1.0, "done");
  return rows;
}

nlohmann::json paddingCheckJson(const std::vector<PaddingCheckRow>& rows) {
  auto a = nlohmann::json::array();
  for (const auto& r : rows)
    a.push_back(
        {{"gear", r.gear},
         {"gear_shapes", r.gearShapes},
         {"sample_shapes", r.sampleShapes},
         {"output", r.output},
         {"max_abs_error", std::isfinite(r.maxAbsError) ? nlohmann::json(r.maxAbsError) : nlohmann::json("inf")},
         {"max_rel_error", std::isfinite(r.maxRelError) ? nlohmann::json(r.maxRelError) : nlohmann::json("inf")},
         {"flagged", r.flagged},
         {"why", r.why},
         {"edge", r.edge},
         {"warn", r.warn}});
  return a;
}

} // namespace gs::traffic
