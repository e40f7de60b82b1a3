// Latency per gear: median bars, min-max whiskers (QCPErrorBars) and p90 / p99 marks.
#pragma once

#include "core/profile/profile_types.h"
#include "ui/profile/profile_chart.h"

namespace gs::ui {

class LatencyChart : public ProfileChart {
  Q_OBJECT
public:
  explicit LatencyChart(QWidget* parent = nullptr);
  void setReport(const profile::ProfileReport& report);

  QCPBars* medianBars() const { return m_median; }
  QCPErrorBars* rangeBars() const { return m_range; }
  QCPGraph* p90Marks() const { return m_p90; }
  QCPGraph* p99Marks() const { return m_p99; }

private:
  QCPBars* m_median = nullptr;
  QCPErrorBars* m_range = nullptr;
  QCPGraph* m_p90 = nullptr;
  QCPGraph* m_p99 = nullptr;
};

} // namespace gs::ui
