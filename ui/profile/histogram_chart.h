// Latency histogram of one gear's measured runs, with the median and p99 marked.
#pragma once

#include <vector>

#include "core/profile/profile_types.h"
#include "ui/profile/profile_chart.h"

namespace gs::ui {

class HistogramChart : public ProfileChart {
  Q_OBJECT
public:
  explicit HistogramChart(QWidget* parent = nullptr);
  void setGear(const profile::GearProfile& gear);
  void clearGear();

  QCPBars* bars() const { return m_bars; }
  double binWidth() const { return m_binWidth; }
  double firstBinStart() const { return m_start; }

private:
  QCPBars* m_bars = nullptr;
  double m_binWidth = 0;
  double m_start = 0;
};

// Bin count for n samples: ceil(sqrt(n)) kept within [5, 40].
int histogramBins(std::size_t n);

} // namespace gs::ui
