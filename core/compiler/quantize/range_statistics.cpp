// Activation statistics and range methods (see range_statistics.h).
#include "core/compiler/quantize/range_statistics.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace gs::quantize {

bool TensorStatistics::addMinMax(std::span<const float> x) {
  if (x.empty()) return true;
  float lo = std::numeric_limits<float>::infinity();
  float hi = -std::numeric_limits<float>::infinity();
  bool finite = true;
  for (float v : x) {
    finite = finite && std::isfinite(v);
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  if (!finite) return false;
  if (m_count == 0) {
    m_min = lo;
    m_max = hi;
  } else {
    m_min = std::min(m_min, lo);
    m_max = std::max(m_max, hi);
  }
  m_count += x.size();
  return true;
}

float TensorStatistics::absMax() const { return std::max(std::abs(m_min), std::abs(m_max)); }

void TensorStatistics::startHistogram(int bins) {
  m_hist.assign(static_cast<std::size_t>(std::max(bins, 1)), 0);
  const double a = absMax();
  m_binWidth = a > 0 ? a / static_cast<double>(m_hist.size()) : 0.0;
}

void TensorStatistics::addHistogram(std::span<const float> x) {
  if (m_hist.empty()) return;
  const auto last = m_hist.size() - 1;
  if (m_binWidth <= 0) { // every value seen was 0
    m_hist[0] += x.size();
    return;
  }
  const double inv = 1.0 / m_binWidth;
  for (float v : x) {
    const double b = std::abs(static_cast<double>(v)) * inv;
    const auto i = b >= static_cast<double>(last) ? last : static_cast<std::size_t>(b);
    ++m_hist[i];
  }
}

double percentileThreshold(std::span<const uint64_t> hist, double binWidth, double percentile) {
  uint64_t total = 0;
  for (auto c : hist)
    total += c;
  if (total == 0) return 0.0;
  const double target = static_cast<double>(total) * std::clamp(percentile, 0.0, 100.0) / 100.0;
  uint64_t cum = 0;
  for (std::size_t i = 0; i < hist.size(); ++i) {
    cum += hist[i];
    if (static_cast<double>(cum) >= target) return static_cast<double>(i + 1) * binWidth;
  }
  return static_cast<double>(hist.size()) * binWidth;
}

double entropyThreshold(std::span<const uint64_t> histIn, double binWidth, int levels) {
  const auto n = histIn.size();
  const auto q = static_cast<std::size_t>(std::max(levels, 2));
  if (n <= q) return static_cast<double>(n) * binWidth;
  std::vector<double> hist(histIn.begin(), histIn.end());
  hist[0] = hist[1];
  // Suffix sums: the counts a threshold at bin i clips.
  std::vector<double> beyond(n + 1, 0.0);
  for (std::size_t i = n; i-- > 0;)
    beyond[i] = beyond[i + 1] + hist[i];

  // MXNet's and TVM's form of the search: empty bins of P stay empty in Q, and both distributions
  // are smoothed (eps moved onto their empty bins, the sum kept) so that KL stays finite.
  constexpr double kEps = 1e-4;
  const double pTotal = beyond[0];
  double best = std::numeric_limits<double>::infinity();
  std::size_t bestI = n;
  std::vector<double> groupSum(q), groupNonZero(q), p(n), qv(n);
  for (std::size_t i = q; i <= n; ++i) {
    std::fill(groupSum.begin(), groupSum.end(), 0.0);
    std::fill(groupNonZero.begin(), groupNonZero.end(), 0.0);
    std::size_t pZeros = 0;
    for (std::size_t j = 0; j < i; ++j) {
      p[j] = hist[j] + (j + 1 == i ? beyond[i] : 0.0); // the clipped counts go to the last bin
      const auto g = j * q / i;
      groupSum[g] += hist[j];
      if (p[j] != 0)
        groupNonZero[g] += 1.0;
      else
        ++pZeros;
    }
    double qTotal = 0;
    std::size_t qZeros = 0;
    for (std::size_t j = 0; j < i; ++j) {
      const auto g = j * q / i;
      qv[j] = p[j] != 0 ? groupSum[g] / groupNonZero[g] : 0.0;
      qTotal += qv[j];
      if (qv[j] == 0) ++qZeros;
    }
    if (pTotal <= 0 || qTotal <= 0 || qZeros == i) continue;
    const double pShift = kEps * static_cast<double>(pZeros) / static_cast<double>(i - pZeros);
    const double qShift = kEps * static_cast<double>(qZeros) / static_cast<double>(i - qZeros);
    double kl = 0;
    bool valid = true;
    for (std::size_t j = 0; j < i && valid; ++j) {
      const double ps = (p[j] == 0 ? kEps : p[j] - pShift) / pTotal;
      const double qs = (qv[j] == 0 ? kEps : qv[j] - qShift) / qTotal;
      if (ps <= 0 || qs <= 0)
        valid = false;
      else
        kl += ps * std::log(ps / qs);
    }
    if (valid && kl < best) {
      best = kl;
      bestI = i;
    }
  }
  return static_cast<double>(bestI) * binWidth;
}

Expected<ActivationRange> TensorStatistics::range(RangeMethod method, double percentile) const {
  if (m_count == 0) return makeError(codes::kInvalid, "no values were collected");
  ActivationRange r{m_min, m_max};
  if (method == RangeMethod::MinMax) return r;
  if (m_hist.empty()) return makeError(codes::kInternal, "the histogram pass did not run");
  double t = 0;
  if (method == RangeMethod::Percentile)
    t = percentileThreshold(m_hist, m_binWidth, percentile);
  else
    t = entropyThreshold(m_hist, m_binWidth, m_min < 0 ? 128 : 256);
  if (t <= 0) return r;
  const auto tf = static_cast<float>(t);
  r.lo = std::max(m_min, -tf);
  r.hi = std::min(m_max, tf);
  return r;
}

} // namespace gs::quantize
