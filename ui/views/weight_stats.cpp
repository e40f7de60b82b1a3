// See weight_stats.h. Float32 moments use Welford's update in double so that millions of weights
// keep their precision.
#include "ui/views/weight_stats.h"

#include <algorithm>
#include <cmath>

namespace gs::ui {

std::optional<WeightStats> computeWeightStats(const ir::Tensor& t) {
  const int64_t n = t.numel();
  if (n <= 0 || !t.data()) return std::nullopt;
  WeightStats s;
  s.count = n;
  if (t.dtype == ir::DataType::Float32) {
    const auto values = t.as<float>();
    double mean = 0, m2 = 0;
    int64_t zeros = 0, k = 0;
    s.min = values[0];
    s.max = values[0];
    for (float f : values) {
      const double v = f;
      s.min = std::min(s.min, v);
      s.max = std::max(s.max, v);
      zeros += f == 0.0f ? 1 : 0;
      ++k;
      const double d = v - mean;
      mean += d / static_cast<double>(k);
      m2 += d * (v - mean);
    }
    s.hasMoments = true;
    s.mean = mean;
    s.stddev = std::sqrt(m2 / static_cast<double>(n));
    s.sparsity = static_cast<double>(zeros) / static_cast<double>(n);
    return s;
  }
  const auto values = t.toVector<double>(); // empty for dtypes it cannot convert
  if (values.empty()) return std::nullopt;
  const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
  s.min = *lo;
  s.max = *hi;
  return s;
}

} // namespace gs::ui
