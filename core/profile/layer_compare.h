// Running a candidate build against a reference build on the same inputs: the outputs compared
// (compareOutputs), and every intermediate tensor compared layer by layer (compareLayers, what
// Polygraphy's "mark all" and `ait debug compare` give). Both sessions run the same inputs; the
// reference's node outputs are captured through the runtime's node observer, then the candidate's
// outputs are compared as its nodes run, matched by value name. Channels-last values (the
// layout-nhwc pass) are turned back to NCHW before comparing, so a value laid out differently in
// the two builds still compares. See docs/accuracy.md.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <unordered_set>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/common/status.h"
#include "core/ir/graph.h"
#include "core/profile/accuracy.h"
#include "core/runtime/session.h"

namespace gs::profile {

// The passes a per-layer build disables so that every tensor of the ONNX model survives under its own
// name and in NCHW: the folds into Conv weights, the fusions, fuse-qdq and layout-nhwc. A build with
// them enabled still compares, only fewer tensors (the fused-away ones have no counterpart).
std::vector<std::string> perLayerDisabledPasses();

// The names of the values of `graph` stored channels-last ([N, H, W, C]): outputs of channels-last
// nodes, of Transposes with perm 0,2,3,1, and rank-4 outputs of other nodes reading one (the region
// between the layout pass's edge Transposes).
std::unordered_set<std::string> channelsLastValues(const ir::Graph& graph);

// The compiled graph a session runs for `gear` (the dynamic graph for a dynamic-shape model).
const ir::Graph& runGraph(const runtime::Session& session, int gear);

// `inputs` (in the order and dtypes of `from`) made fit for `to`: matched by name (by position when
// the names differ), float dtypes converted (float32 <-> float16 / bfloat16). Errors name the input
// whose dims or dtype class does not fit.
Expected<std::vector<runtime::HostTensor>> adaptInputs(std::span<const runtime::HostTensor> inputs,
                                                       const std::vector<om::TensorDesc>& from,
                                                       const std::vector<om::TensorDesc>& to);

// Runs both sessions (gear -1: the dynamic plan at the inputs' shapes) and compares the candidate's
// outputs with the reference's, matched by name (by position when no name matches). `inputs` fit the
// reference; they are adapted for the candidate.
Expected<std::vector<TensorAccuracy>> compareOutputs(runtime::Session& reference, int referenceGear,
                                                     runtime::Session& candidate, int candidateGear,
                                                     std::span<const runtime::HostTensor> inputs);

// The same over a set of samples (each fit for the reference's gear): every sample runs through both
// sessions, and per output the metrics cover all samples' elements together, top-1 agreement over
// all their rows (TensorAccuracy::samples, worstSampleCosine: the count and the lowest single-sample
// cosine). What "cosine >= 0.99 and top-1 >= 99% on 32 inputs" is measured with.
Expected<std::vector<TensorAccuracy>> compareOutputs(runtime::Session& reference, int referenceGear,
                                                     runtime::Session& candidate, int candidateGear,
                                                     std::span<const std::vector<runtime::HostTensor>> samples);

struct LayerAccuracy {
  std::size_t index = 0; // position in the candidate's execution order (Plan::nodes())
  std::string node;
  std::string opType;
  std::vector<TensorAccuracy> outputs; // the compared outputs of the node
  double cosine = 1;                   // the lowest over outputs
  double maxAbsError = 0;              // the largest over outputs
  double maxRelError = 0;
  bool channelsLast = false; // an output was laid out channels-last on some side (compared in NCHW)
};

struct SkippedTensor {
  std::string name;
  std::string node;
  std::string reason; // "no tensor of this name in the reference run", "shapes differ: ..."
};

struct LayerComparison {
  double threshold = 0.99;
  std::vector<LayerAccuracy> layers;   // candidate nodes with at least one compared output, in execution order
  std::optional<std::size_t> firstBad; // index into layers: the first whose cosine is below threshold
  std::size_t candidateNodes = 0;      // nodes the candidate ran
  std::size_t candidateTensors = 0;    // outputs they produced
  std::size_t comparedTensors = 0;
  std::vector<SkippedTensor> skipped;  // the candidate's tensors not compared, and why
  std::vector<TensorAccuracy> outputs; // the graph outputs of the same runs
};

struct LayerCompareOptions {
  double threshold = 0.99; // cosine below this marks a layer bad
};

// Per-layer comparison of one gear of each session on `inputs` (fit for the reference). Errors: a run
// failing, a device that cannot observe its nodes (codes::kUnsupported).
Expected<LayerComparison> compareLayers(runtime::Session& reference, int referenceGear, runtime::Session& candidate,
                                        int candidateGear, std::span<const runtime::HostTensor> inputs,
                                        const LayerCompareOptions& options = {});

// The n compared layers with the lowest cosine, lowest first (ties: earlier first).
std::vector<LayerAccuracy> worstLayers(const LayerComparison& c, std::size_t n);

// {"threshold", "first_bad_layer": {"index", "node", "op_type", "cosine"} | null, "candidate_nodes",
// "candidate_tensors", "compared_tensors", "layers": [{"index", "node", "op_type", "cosine",
// "max_abs_error", "max_rel_error", "channels_last", "tensors": [names]}], "skipped": [{"name",
// "node", "reason"}]}
nlohmann::json toJson(const LayerComparison& c);
nlohmann::json toJson(const LayerAccuracy& l);

} // namespace gs::profile
