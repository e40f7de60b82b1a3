// One gear's latency run by run (warm-up excluded), to show drift, outliers and throttling.
#pragma once

#include "core/profile/profile_types.h"
#include "ui/profile/profile_chart.h"

namespace gs::ui {

class TimeSeriesChart : public ProfileChart {
  Q_OBJECT
public:
  explicit TimeSeriesChart(QWidget* parent = nullptr);
  void setGear(const profile::GearProfile& gear);
  void clearGear();
  QCPGraph* series() const { return m_series; }

private:
  QCPGraph* m_series = nullptr;
};

} // namespace gs::ui
