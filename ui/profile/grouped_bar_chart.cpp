// GroupedBarChart: QCPBars per series joined in a QCPBarsGroup.
#include "ui/profile/grouped_bar_chart.h"

namespace gs::ui {

GroupedBarChart::GroupedBarChart(const QString& title, const QString& id, QWidget* parent)
    : ProfileChart(title, parent) {
  setChartId(id);
  showEmptyText(tr("Run \"Compare strategies\""));
}

void GroupedBarChart::clearData(const QString& emptyText) {
  resetPlot();
  m_series.clear();
  delete m_group;
  m_group = nullptr;
  showEmptyText(emptyText);
  replot();
}

void GroupedBarChart::setData(const QStringList& categories, const QStringList& series,
                              const QVector<QVector<double>>& values, const QString& xLabel, const QString& yLabel,
                              const QVector<QStringList>& tips) {
  resetPlot();
  m_series.clear();
  delete m_group;
  m_group = new QCPBarsGroup(this);
  m_group->setSpacingType(QCPBarsGroup::stAbsolute);
  m_group->setSpacing(2);
  xAxis->setLabel(xLabel);
  yAxis->setLabel(yLabel);
  const double width = std::min(0.8 / std::max<qsizetype>(1, series.size()), 0.4);
  double top = 0;
  for (int s = 0; s < series.size(); ++s) {
    auto* bars = new QCPBars(xAxis, yAxis);
    bars->setName(series[s]);
    bars->setWidth(width);
    bars->setPen(QPen(seriesColor(s).darker(140)));
    bars->setBrush(seriesColor(s).lighter(110));
    QVector<double> keys;
    for (int c = 0; c < categories.size(); ++c) {
      keys << c + 1;
      if (s < values.size() && c < values[s].size()) top = std::max(top, values[s][c]);
    }
    bars->setData(keys, s < values.size() ? values[s] : QVector<double>(categories.size(), 0), true);
    bars->setBarsGroup(m_group);
    if (s < tips.size()) setTooltips(bars, tips[s]);
    m_series << bars;
  }
  setCategoryTicks(xAxis, categories);
  yAxis->setRange(0, top > 0 ? top * 1.2 : 1);
  legend->setVisible(series.size() > 1);
  setHasData(!categories.isEmpty());
  replot();
}

} // namespace gs::ui
