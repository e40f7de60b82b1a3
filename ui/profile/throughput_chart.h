// Throughput per gear: samples per second (batch x inferences per second) as bars.
#pragma once

#include "core/profile/profile_types.h"
#include "ui/profile/profile_chart.h"

namespace gs::ui {

class ThroughputChart : public ProfileChart {
  Q_OBJECT
public:
  explicit ThroughputChart(QWidget* parent = nullptr);
  void setReport(const profile::ProfileReport& report);
  QCPBars* bars() const { return m_bars; }

private:
  QCPBars* m_bars = nullptr;
};

} // namespace gs::ui
