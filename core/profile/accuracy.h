// Accuracy of one tensor against a reference (docs/accuracy.md): max absolute error, max error
// relative to the largest reference magnitude, cosine similarity and, for outputs that look like
// class scores, top-1 agreement along the last axis. Every numeric dtype is compared in double after
// widening (float16 / bfloat16 / int8 outputs included); NaN and infinities are counted and reported,
// never propagated into the metrics. Plain values and pure functions: the studio, gearbench and the
// precision matrix share them.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/ir/dtype.h"
#include "core/runtime/tensor.h"

namespace gs::profile {

struct TensorAccuracy {
  std::string name;
  ir::DataType referenceType = ir::DataType::Undefined;
  ir::DataType candidateType = ir::DataType::Undefined;
  std::vector<int64_t> dims; // logical (NCHW) dims both sides had
  int64_t elements = 0;
  // Not compared (dims or dtype class differ, no numeric data ...): why. Metrics below are then unset.
  std::string skipped;

  // Over the elements where both sides are finite:
  double maxAbsError = 0; // max |cand - ref|
  // maxAbsError / max |ref|. +inf when the reference is all zero and the candidate is not (0 when both are).
  double maxRelError = 0;
  // dot(ref, cand) / (|ref| |cand|); 1 when both are all zero, 0 when exactly one is.
  double cosine = 1;
  // Class scores (looksLikeClassScores on the reference): fraction of rows (all dims but the last)
  // whose arg-max along the last axis is the same in both (first maximum wins ties).
  std::optional<double> top1Agreement;
  int64_t top1Rows = 0;

  // NaN / infinity: counts per side, and the positions where the two disagree (one finite and the
  // other not, or different non-finite values). Positions where both hold the same non-finite value
  // agree and are left out of the metrics.
  int64_t referenceNonFinite = 0;
  int64_t candidateNonFinite = 0;
  int64_t nonFiniteMismatches = 0;

  // Several samples compared at once (compareOutputs over a sample set): the metrics above cover every
  // sample's elements together (top-1 over every sample's rows); this is the count and the lowest
  // cosine of a single sample.
  int samples = 1;
  double worstSampleCosine = 1;

  bool compared() const { return skipped.empty(); }
};

// The worst value of each metric over several tensors (the outputs of one gear).
struct AccuracySummary {
  int tensors = 0; // compared
  int skipped = 0; // not compared
  double maxAbsError = 0;
  double maxRelError = 0;
  double minCosine = 1;
  std::optional<double> minTop1Agreement; // over the class-score tensors
  int64_t nonFiniteMismatches = 0;
  std::string worstTensor; // the one with the lowest cosine
};

// The class-score rule: a floating-point reference of rank >= 2 whose last dim is 2..100000 and
// either rank 2 ([batch, classes] logits or probabilities) or every row along the last axis a
// probability distribution (finite values in [0, 1] summing to 1 within 1e-3: a softmax). Detection
// maps (rank 4, [N, 1, H, W] sigmoid) and features are not class scores.
bool looksLikeClassScores(const runtime::TensorRef& reference);

// The element values of a numeric tensor as double (float16 / bfloat16 widened, bool 0/1); empty for
// strings and other non-numeric data.
std::vector<double> toDoubles(const runtime::TensorRef& t);

// Compares `candidate` with `reference`. Both are logical tensors of the same dims (see
// compareTensorsNchw for channels-last views); a dims mismatch or a non-numeric side is reported in
// `skipped`, never an error.
TensorAccuracy compareTensors(std::string name, const runtime::TensorRef& reference,
                              const runtime::TensorRef& candidate);

// Same from element values already widened (used by the per-layer comparison, which keeps the
// reference run's tensors as doubles). `classScores` decides top-1.
TensorAccuracy compareValues(std::string name, std::span<const double> reference, std::span<const double> candidate,
                             const std::vector<int64_t>& dims, bool classScores);

AccuracySummary summarize(std::span<const TensorAccuracy> tensors);

// A copy of `t` converted to `to` (float32 <-> float16 / bfloat16 / float64, round to nearest even);
// other conversions return nullopt. Feeds the same inputs to a reference and a candidate whose input
// dtypes differ (an fp32 model and its fp16 conversion).
std::optional<runtime::HostTensor> convertFloat(const runtime::HostTensor& t, ir::DataType to);

// JSON: {"name", "reference_dtype", "candidate_dtype", "dims", "max_abs_error", "max_rel_error",
// "cosine", "top1_agreement" (null when not class scores), "top1_rows", "nonfinite": {...}, "samples",
// "worst_sample_cosine"} or {"name", "skipped"}. A max_rel_error of +inf is written as null.
nlohmann::json toJson(const TensorAccuracy& a);
// {"max_abs_error", "max_rel_error", "cosine" (the lowest), "top1_agreement" (lowest, or null),
// "nonfinite_mismatches", "worst_output", "compared", "skipped"}
nlohmann::json toJson(const AccuracySummary& s);

// "cos 0.99987  max|e| 1.2e-03  rel 3.4e-04  top1 99.2%" for tables.
std::string accuracyText(const TensorAccuracy& a);

} // namespace gs::profile
