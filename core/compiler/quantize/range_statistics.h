// Activation statistics for int8 calibration and the three ways to turn them into a range:
// min/max, a percentile of |x|, and the entropy (KL-divergence) threshold search that TensorRT's
// calibrator uses. Two passes over the calibration data: the first finds min, max and |x|max of each
// tensor; the second fills a histogram of |x| over [0, |x|max] with a fixed bin count. Counts are
// integers, so the result does not depend on the order the values arrive in: the same samples give
// the same ranges bit for bit.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/common/status.h"

namespace gs::quantize {

enum class RangeMethod { MinMax, Percentile, Entropy };

// The real interval an activation tensor is quantized to; lo <= 0 <= hi after quantization params
// are chosen (zero must be exact).
struct ActivationRange {
  float lo = 0;
  float hi = 0;
  bool operator==(const ActivationRange&) const = default;
};

class TensorStatistics {
public:
  static constexpr int kDefaultBins = 2048;

  // Pass 1. Returns false when x holds a NaN or an infinity (the caller names tensor and sample).
  bool addMinMax(std::span<const float> x);
  // Between the passes: fixes the histogram's range to [0, |x|max].
  void startHistogram(int bins = kDefaultBins);
  // Pass 2 (only for Percentile and Entropy).
  void addHistogram(std::span<const float> x);

  bool seen() const { return m_count > 0; }
  float min() const { return m_min; }
  float max() const { return m_max; }
  float absMax() const;
  const std::vector<uint64_t>& histogram() const { return m_hist; }
  double binWidth() const { return m_binWidth; }

  // The clipping range of a method. percentile: of |x| in percent (e.g. 99.99). Entropy and
  // Percentile need the histogram (pass 2); MinMax does not.
  Expected<ActivationRange> range(RangeMethod method, double percentile = 99.99) const;

private:
  float m_min = 0;
  float m_max = 0;
  uint64_t m_count = 0;
  std::vector<uint64_t> m_hist;
  double m_binWidth = 0;
};

// |x| threshold at `percentile` percent of a histogram of |x| (bins of width binWidth from 0): the
// upper edge of the first bin where the cumulative count reaches the percentile.
double percentileThreshold(std::span<const uint64_t> hist, double binWidth, double percentile);

// TensorRT's entropy calibration on a histogram of |x|: for every candidate threshold bin i >=
// levels, the reference distribution P is hist[0..i) with the counts beyond folded into bin i-1,
// the candidate Q is P's first i bins merged into `levels` groups and spread back over the non-empty
// bins; the threshold with the smallest KL(P || Q) wins (the upper edge of bin i). Bin 0 is replaced
// by bin 1 first, so the zeros a Relu writes do not dominate. levels: 128 for signed tensors, 256
// for tensors without negative values (they use all of uint8).
double entropyThreshold(std::span<const uint64_t> hist, double binWidth, int levels);

} // namespace gs::quantize
