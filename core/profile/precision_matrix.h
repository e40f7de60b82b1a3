// The precision x gear matrix (docs/accuracy.md): for each precision choice the model is built with
// the user's shape configuration and that PrecisionConfig (session::buildModel), every gear is
// profiled with the profile runner (latency, memory), and its outputs are compared with an fp32
// build of the same configuration on the same inputs (worst output per gear, optionally the worst
// layers). What the studio's Profile tab shows and `gearbench --precision-matrix` prints. Long work:
// progress per precision and step, cancellable between builds, gears and runs.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/common/progress.h"
#include "core/common/status.h"
#include "core/compiler/shape_config/precision_config.h"
#include "core/ir/graph.h"
#include "core/profile/accuracy.h"
#include "core/profile/layer_compare.h"
#include "core/profile/profile_types.h"
#include "core/session/compile_onnx.h"

namespace gs::profile {

struct PrecisionMatrixRequest {
  // Measurement settings (device, threads, warmup, loops, seed, per-op profile). modelPath / atc are
  // not read: the model and build come as arguments.
  ProfileRequest profile;
  // The rows, in order. The reference is the same build with --precision_mode=force_fp32.
  std::vector<shape_config::PrecisionConfig> precisions;
  // Inputs for the accuracy runs: a folder with one NAME.npy per input, or with one subfolder per
  // sample (core/profile/accuracy_inputs.h); each gear uses the samples of its shapes (worst layers:
  // the first of them), a gear with none gets seeded random inputs (profile.seed).
  std::string inputDir;
  int worstLayers = 0;          // per gear, this many layers with the lowest cosine (0: no per-layer run)
  double layerThreshold = 0.99; // a layer below this cosine is "bad" (the first one is reported)
};

struct MatrixCell {
  int gear = -1; // -1: a run of a dynamic-shape model
  std::string gearLabel;
  std::vector<om::TensorDesc> inputs;
  runtime::LatencyStats latency;
  Interval medianCi;
  double samplesPerSec = 0;
  GearMemory memory;
  std::vector<TensorAccuracy> outputs; // against the fp32 reference
  AccuracySummary accuracy;            // the worst output
  std::vector<LayerAccuracy> worstLayers;
  std::optional<LayerAccuracy> firstBadLayer;
  std::string error; // this gear's accuracy run failed (the latency may still be there)
};

struct PrecisionRow {
  shape_config::PrecisionConfig precision;
  std::string label;      // precisionLabel(): "fp32", "force_fp16", "int8 (minmax, ...)"
  std::string atcCommand; // how it was built
  double buildMillis = 0;
  std::string error;             // the build or profile failed: no cells
  std::vector<MatrixCell> cells; // one per gear, in gear order
};

struct PrecisionMatrix {
  std::string modelName;
  std::string referenceLabel; // "force_fp32"
  std::vector<std::string> gearLabels;
  std::string device;
  int threads = 0, warmup = 0, loops = 0;
  bool cancelled = false; // the rows finished before the cancel are kept
  std::vector<PrecisionRow> rows;
};

// "fp32" (force_fp32), "fp16" (force_fp16), "int8" (--quantize=int8 with `calibrationDir`), and
// every --precision_mode value. A comma-separated list of them parses into rows; errors name the
// entry (codes::kInvalid), int8 without a calibration folder included.
Expected<shape_config::PrecisionConfig> parsePrecisionChoice(std::string_view name,
                                                             const shape_config::PrecisionConfig& base);
Expected<std::vector<shape_config::PrecisionConfig>> parsePrecisionList(std::string_view list,
                                                                        const shape_config::PrecisionConfig& base);

// The matrix for `model` built as `build` (its config.precision is replaced per row). Errors: the
// reference build failing, a bad request. A row whose build fails carries its error and the others
// go on. Cancelled: the matrix comes back with `cancelled` set and the finished rows.
Expected<PrecisionMatrix> precisionMatrix(const ir::Model& model, const session::BuildRequest& build,
                                          const PrecisionMatrixRequest& request, const Progress& progress = {});

// {"tool"...} is the caller's; this is {"model", "reference", "gears": [labels], "device", "threads",
// "warmup", "loops", "cancelled", "rows": [{"precision", "atc_command", "build_ms", "error"?, "cells":
// [{"gear", "label", "latency_ms": {...}, "median_ci_ms", "samples_per_s", "memory": {...},
// "accuracy": {summary}, "outputs": [...], "worst_layers": [...], "first_bad_layer"}]}]}
nlohmann::json toJson(const PrecisionMatrix& m);
// One row per (precision, gear): precision,gear,median_ms,mean_ms,p90_ms,samples_per_s,arena_bytes,
// packed_weight_bytes,cosine,max_abs_error,max_rel_error,top1_agreement,worst_output,first_bad_layer
std::string precisionMatrixCsv(const PrecisionMatrix& m);
// A "## Precision x gear" section: a latency table and an accuracy table (precision rows, gear
// columns), and the worst layers when they were computed.
std::string precisionMatrixMarkdown(const PrecisionMatrix& m);

} // namespace gs::profile
