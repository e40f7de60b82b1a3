// Accuracy metrics of one tensor against a reference, computed in double.
#include "core/profile/accuracy.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>

#include "core/ir/shape.h"
#include "core/runtime/cpu/kernels/basic/half.h"

namespace gs::profile {
namespace {

using runtime::cpu::basic::BFloat16;
using runtime::cpu::basic::Half;

constexpr int64_t kMaxClasses = 100000;
constexpr double kSoftmaxSumTolerance = 1e-3;

template <class T> void widen(const void* src, std::size_t n, std::vector<double>& out) {
  const auto* p = static_cast<const T*>(src);
  for (std::size_t i = 0; i < n; ++i)
    out[i] = static_cast<double>(p[i]);
}

bool sameNonFinite(double a, double b) { return (std::isnan(a) && std::isnan(b)) || (std::isinf(a) && a == b); }

// Arg-max of a row (first maximum wins; NaN never wins, an all-NaN row gives -1).
int64_t argMax(const double* row, int64_t n) {
  int64_t best = -1;
  double bestValue = 0;
  for (int64_t i = 0; i < n; ++i) {
    if (std::isnan(row[i])) continue;
    if (best < 0 || row[i] > bestValue) {
      best = i;
      bestValue = row[i];
    }
  }
  return best;
}

bool classScoreShape(const std::vector<int64_t>& dims) {
  if (dims.size() < 2) return false;
  const auto last = dims.back();
  return last >= 2 && last <= kMaxClasses;
}

bool rowsAreDistributions(std::span<const double> v, int64_t classes) {
  if (classes <= 0 || v.empty() || v.size() % static_cast<std::size_t>(classes) != 0) return false;
  for (std::size_t r = 0; r < v.size(); r += static_cast<std::size_t>(classes)) {
    double sum = 0;
    for (int64_t c = 0; c < classes; ++c) {
      const double x = v[r + static_cast<std::size_t>(c)];
      if (!std::isfinite(x) || x < 0 || x > 1) return false;
      sum += x;
    }
    if (std::abs(sum - 1.0) > kSoftmaxSumTolerance) return false;
  }
  return true;
}

std::string sci(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2e", v);
  return buf;
}

nlohmann::json finiteOrNull(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

} // namespace

std::vector<double> toDoubles(const runtime::TensorRef& t) {
  const auto n = static_cast<std::size_t>(std::max<int64_t>(t.numel(), 0));
  std::vector<double> out;
  if (!t.data && n > 0) return out;
  out.resize(n);
  switch (t.dtype) {
  case ir::DataType::Float32:
    widen<float>(t.data, n, out);
    break;
  case ir::DataType::Float64:
    widen<double>(t.data, n, out);
    break;
  case ir::DataType::Int8:
    widen<int8_t>(t.data, n, out);
    break;
  case ir::DataType::UInt8:
    widen<uint8_t>(t.data, n, out);
    break;
  case ir::DataType::Int16:
    widen<int16_t>(t.data, n, out);
    break;
  case ir::DataType::UInt16:
    widen<uint16_t>(t.data, n, out);
    break;
  case ir::DataType::Int32:
    widen<int32_t>(t.data, n, out);
    break;
  case ir::DataType::UInt32:
    widen<uint32_t>(t.data, n, out);
    break;
  case ir::DataType::Int64:
    widen<int64_t>(t.data, n, out);
    break;
  case ir::DataType::UInt64:
    widen<uint64_t>(t.data, n, out);
    break;
  case ir::DataType::Bool:
    widen<uint8_t>(t.data, n, out);
    break;
  case ir::DataType::Float16: {
    const auto* p = static_cast<const uint16_t*>(t.data);
    for (std::size_t i = 0; i < n; ++i)
      out[i] = Half::toFloat(p[i]);
    break;
  }
  case ir::DataType::BFloat16: {
    const auto* p = static_cast<const uint16_t*>(t.data);
    for (std::size_t i = 0; i < n; ++i)
      out[i] = runtime::cpu::basic::bitsFloat(static_cast<uint32_t>(p[i]) << 16);
    break;
  }
  default:
    out.clear();
    break;
  }
  return out;
}

bool looksLikeClassScores(const runtime::TensorRef& reference) {
  if (!ir::isFloat(reference.dtype) || !classScoreShape(reference.dims)) return false;
  if (reference.dims.size() == 2) return true;
  return rowsAreDistributions(toDoubles(reference), reference.dims.back());
}

TensorAccuracy compareValues(std::string name, std::span<const double> reference, std::span<const double> candidate,
                             const std::vector<int64_t>& dims, bool classScores) {
  TensorAccuracy a;
  a.name = std::move(name);
  a.dims = dims;
  a.elements = static_cast<int64_t>(reference.size());
  if (reference.size() != candidate.size()) {
    a.skipped = "the two sides have " + std::to_string(reference.size()) + " and " + std::to_string(candidate.size()) +
                " elements";
    return a;
  }
  double dot = 0, refNorm = 0, candNorm = 0, maxAbs = 0, refMax = 0;
  for (std::size_t i = 0; i < reference.size(); ++i) {
    const double r = reference[i], c = candidate[i];
    const bool rf = std::isfinite(r), cf = std::isfinite(c);
    a.referenceNonFinite += rf ? 0 : 1;
    a.candidateNonFinite += cf ? 0 : 1;
    if (!rf || !cf) {
      if (!sameNonFinite(r, c)) ++a.nonFiniteMismatches;
      continue;
    }
    dot += r * c;
    refNorm += r * r;
    candNorm += c * c;
    maxAbs = std::max(maxAbs, std::abs(c - r));
    refMax = std::max(refMax, std::abs(r));
  }
  a.maxAbsError = maxAbs;
  if (refMax > 0)
    a.maxRelError = maxAbs / refMax;
  else
    a.maxRelError = maxAbs > 0 ? std::numeric_limits<double>::infinity() : 0.0;
  if (refNorm == 0 && candNorm == 0)
    a.cosine = 1;
  else if (refNorm == 0 || candNorm == 0)
    a.cosine = 0;
  else
    a.cosine = std::clamp(dot / (std::sqrt(refNorm) * std::sqrt(candNorm)), -1.0, 1.0);

  if (classScores && classScoreShape(dims)) {
    const int64_t classes = dims.back();
    const int64_t rows = classes > 0 ? a.elements / classes : 0;
    int64_t agree = 0;
    for (int64_t r = 0; r < rows; ++r) {
      const auto off = static_cast<std::size_t>(r * classes);
      const auto ra = argMax(reference.data() + off, classes);
      agree += ra >= 0 && ra == argMax(candidate.data() + off, classes) ? 1 : 0;
    }
    a.top1Rows = rows;
    if (rows > 0) a.top1Agreement = static_cast<double>(agree) / static_cast<double>(rows);
  }
  return a;
}

TensorAccuracy compareTensors(std::string name, const runtime::TensorRef& reference,
                              const runtime::TensorRef& candidate) {
  TensorAccuracy a;
  a.name = std::move(name);
  a.referenceType = reference.dtype;
  a.candidateType = candidate.dtype;
  a.dims = reference.dims;
  a.elements = reference.numel();
  if (reference.dims != candidate.dims) {
    a.skipped = "shapes differ: [" + ir::joinDims(reference.dims) + "] and [" + ir::joinDims(candidate.dims) + "]";
    return a;
  }
  if (ir::isFloat(reference.dtype) != ir::isFloat(candidate.dtype)) {
    a.skipped = "one side is floating-point, the other not (" + std::string(ir::dtypeName(reference.dtype)) + " and " +
                std::string(ir::dtypeName(candidate.dtype)) + ")";
    return a;
  }
  const auto ref = toDoubles(reference);
  const auto cand = toDoubles(candidate);
  if ((ref.empty() || cand.empty()) && a.elements > 0) {
    a.skipped = "no numeric data (" + std::string(ir::dtypeName(reference.dtype)) + ")";
    return a;
  }
  const bool classes = ir::isFloat(reference.dtype) && classScoreShape(reference.dims) &&
                       (reference.dims.size() == 2 || rowsAreDistributions(ref, reference.dims.back()));
  auto out = compareValues(std::move(a.name), ref, cand, reference.dims, classes);
  out.referenceType = reference.dtype;
  out.candidateType = candidate.dtype;
  return out;
}

AccuracySummary summarize(std::span<const TensorAccuracy> tensors) {
  AccuracySummary s;
  for (const auto& t : tensors) {
    if (!t.compared()) {
      ++s.skipped;
      continue;
    }
    ++s.tensors;
    s.maxAbsError = std::max(s.maxAbsError, t.maxAbsError);
    s.maxRelError = std::max(s.maxRelError, t.maxRelError);
    if (s.worstTensor.empty() || t.cosine < s.minCosine) {
      s.minCosine = t.cosine;
      s.worstTensor = t.name;
    }
    if (t.top1Agreement) s.minTop1Agreement = std::min(s.minTop1Agreement.value_or(1.0), *t.top1Agreement);
    s.nonFiniteMismatches += t.nonFiniteMismatches;
  }
  return s;
}

std::optional<runtime::HostTensor> convertFloat(const runtime::HostTensor& t, ir::DataType to) {
  if (!ir::isFloat(t.dtype()) || !ir::isFloat(to)) return std::nullopt;
  runtime::HostTensor out(to, t.dims());
  if (t.dtype() == to) {
    if (t.byteSize()) std::memcpy(out.data(), t.data(), t.byteSize());
    return out;
  }
  const auto values = toDoubles(t.ref());
  const auto n = values.size();
  switch (to) {
  case ir::DataType::Float32:
    for (std::size_t i = 0; i < n; ++i)
      out.as<float>()[i] = static_cast<float>(values[i]);
    break;
  case ir::DataType::Float64:
    for (std::size_t i = 0; i < n; ++i)
      out.as<double>()[i] = values[i];
    break;
  case ir::DataType::Float16:
    for (std::size_t i = 0; i < n; ++i)
      out.as<uint16_t>()[i] = Half::fromFloat(static_cast<float>(values[i]));
    break;
  case ir::DataType::BFloat16:
    for (std::size_t i = 0; i < n; ++i)
      out.as<uint16_t>()[i] = BFloat16::fromFloat(static_cast<float>(values[i]));
    break;
  default:
    return std::nullopt;
  }
  return out;
}

nlohmann::json toJson(const TensorAccuracy& a) {
  if (!a.compared()) return {{"name", a.name}, {"dims", a.dims}, {"skipped", a.skipped}};
  return {{"name", a.name},
          {"reference_dtype", std::string(ir::dtypeName(a.referenceType))},
          {"candidate_dtype", std::string(ir::dtypeName(a.candidateType))},
          {"dims", a.dims},
          {"max_abs_error", a.maxAbsError},
          {"max_rel_error", finiteOrNull(a.maxRelError)},
          {"cosine", a.cosine},
          {"top1_agreement", a.top1Agreement ? nlohmann::json(*a.top1Agreement) : nlohmann::json(nullptr)},
          {"top1_rows", a.top1Rows},
          {"nonfinite",
           {{"reference", a.referenceNonFinite},
            {"candidate", a.candidateNonFinite},
            {"mismatches", a.nonFiniteMismatches}}},
          {"samples", a.samples},
          {"worst_sample_cosine", a.worstSampleCosine}};
}

nlohmann::json toJson(const AccuracySummary& s) {
  return {{"max_abs_error", s.maxAbsError},
          {"max_rel_error", finiteOrNull(s.maxRelError)},
          {"cosine", s.minCosine},
          {"top1_agreement", s.minTop1Agreement ? nlohmann::json(*s.minTop1Agreement) : nlohmann::json(nullptr)},
          {"nonfinite_mismatches", s.nonFiniteMismatches},
          {"worst_output", s.worstTensor},
          {"compared", s.tensors},
          {"skipped", s.skipped}};
}

std::string accuracyText(const TensorAccuracy& a) {
  if (!a.compared()) return "not compared: " + a.skipped;
  char buf[160];
  std::snprintf(buf, sizeof buf, "cos %.6f  max|e| %s  rel %s", a.cosine, sci(a.maxAbsError).c_str(),
                std::isfinite(a.maxRelError) ? sci(a.maxRelError).c_str() : "inf");
  std::string s = buf;
  if (a.top1Agreement) {
    std::snprintf(buf, sizeof buf, "  top1 %.2f%% of %lld", 100.0 * *a.top1Agreement,
                  static_cast<long long>(a.top1Rows));
    s += buf;
  }
  if (a.samples > 1) {
    std::snprintf(buf, sizeof buf, "  %d samples, worst cos %.6f", a.samples, a.worstSampleCosine);
    s += buf;
  }
  if (a.referenceNonFinite || a.candidateNonFinite)
    s += "  non-finite " + std::to_string(a.referenceNonFinite) + " ref / " + std::to_string(a.candidateNonFinite) +
         " cand (" + std::to_string(a.nonFiniteMismatches) + " disagree)";
  return s;
}

} // namespace gs::profile
