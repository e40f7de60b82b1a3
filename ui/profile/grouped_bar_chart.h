// Grouped bars: one group per category (a gear, or a strategy), one bar per series in each group.
// The strategy comparison draws its latency, memory, compile-time and .om-size charts with it.
#pragma once

#include <QVector>

#include "ui/profile/profile_chart.h"

namespace gs::ui {

class GroupedBarChart : public ProfileChart {
  Q_OBJECT
public:
  GroupedBarChart(const QString& title, const QString& id, QWidget* parent = nullptr);

  // values[series][category]; tips likewise (may be empty). xLabel / yLabel name the axes with units.
  void setData(const QStringList& categories, const QStringList& series, const QVector<QVector<double>>& values,
               const QString& xLabel, const QString& yLabel, const QVector<QStringList>& tips = {});
  void clearData(const QString& emptyText);

  const QList<QCPBars*>& series() const { return m_series; }

private:
  QCPBarsGroup* m_group = nullptr;
  QList<QCPBars*> m_series;
};

} // namespace gs::ui
