// TimeSeriesChart: latency per run index with a dashed median line (named in the legend).
#include "ui/profile/timeseries_chart.h"

namespace gs::ui {

TimeSeriesChart::TimeSeriesChart(QWidget* parent) : ProfileChart(tr("Latency per run"), parent) {
  setChartId(QStringLiteral("timeseries"));
  xAxis->setLabel(tr("Run"));
  yAxis->setLabel(tr("Latency (ms)"));
  showEmptyText(tr("Select a profiled gear"));
}

void TimeSeriesChart::clearGear() {
  resetPlot();
  m_series = nullptr;
  setTitle(tr("Latency per run"));
  showEmptyText(tr("Select a profiled gear"));
  replot();
}

void TimeSeriesChart::setGear(const profile::GearProfile& gear) {
  resetPlot();
  m_series = nullptr;
  setTitle(tr("Latency per run: %1").arg(QString::fromStdString(gear.label)));
  if (gear.samples.empty()) {
    showEmptyText(tr("No runs"));
    replot();
    return;
  }
  QVector<double> keys, values;
  QStringList tips;
  double top = 0;
  for (std::size_t i = 0; i < gear.samples.size(); ++i) {
    keys << static_cast<double>(i + 1);
    values << gear.samples[i];
    top = std::max(top, gear.samples[i]);
    tips << tr("run %1: %2 ms").arg(i + 1).arg(gear.samples[i], 0, 'f', 3);
  }
  m_series = new QCPGraph(xAxis, yAxis);
  m_series->setName(tr("latency"));
  m_series->setPen(QPen(seriesColor(0), 1.2));
  m_series->setScatterStyle(gear.samples.size() <= 200 ? QCPScatterStyle(QCPScatterStyle::ssCircle, 3)
                                                       : QCPScatterStyle());
  m_series->setData(keys, values, true);
  setTooltips(m_series, tips);

  // The median as a dashed line named in the legend (a label on the plot would cover the points).
  const double last = static_cast<double>(gear.samples.size()) + 1;
  auto* median = new QCPGraph(xAxis, yAxis);
  median->setName(tr("median %1 ms").arg(gear.latency.median, 0, 'f', 3));
  median->setPen(QPen(seriesColor(1), 1.5, Qt::DashLine));
  median->setData(QVector<double>{0, last}, QVector<double>{gear.latency.median, gear.latency.median}, true);
  legend->setVisible(true);

  xAxis->setRange(0, static_cast<double>(gear.samples.size()) + 1);
  yAxis->setRange(0, top * 1.15);
  setHasData(true);
  replot();
}

} // namespace gs::ui
