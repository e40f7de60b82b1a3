// LatencyChart: one bar per gear at its median; whiskers from min to max; p90 and p99 as markers.
#include "ui/profile/latency_chart.h"

namespace gs::ui {

LatencyChart::LatencyChart(QWidget* parent) : ProfileChart(tr("Latency per gear"), parent) {
  setChartId(QStringLiteral("latency"));
  xAxis->setLabel(tr("Gear"));
  yAxis->setLabel(tr("Latency (ms)"));
  showEmptyText(tr("Run \"Profile all gears\""));
}

void LatencyChart::setReport(const profile::ProfileReport& report) {
  resetPlot();
  m_median = nullptr;
  m_range = nullptr;
  m_p90 = m_p99 = nullptr;
  if (report.gears.empty()) {
    showEmptyText(tr("No gear finished"));
    replot();
    return;
  }
  QVector<double> keys, median, minus, plus, p90, p99;
  QStringList labels, tips;
  double top = 0;
  for (std::size_t i = 0; i < report.gears.size(); ++i) {
    const auto& g = report.gears[i];
    const auto& l = g.latency;
    keys << static_cast<double>(i + 1);
    median << l.median;
    minus << l.median - l.min;
    plus << l.max - l.median;
    p90 << l.p90;
    p99 << l.p99;
    top = std::max(top, l.max);
    labels << QString::fromStdString(g.label);
    tips << tr("%1\nmedian %2 ms\nmean %3 ms\np90 %4 ms  p95 %5 ms  p99 %6 ms\nmin %7 ms  max %8 ms\n%9 runs")
                .arg(QString::fromStdString(g.label))
                .arg(l.median, 0, 'f', 3)
                .arg(l.mean, 0, 'f', 3)
                .arg(l.p90, 0, 'f', 3)
                .arg(l.p95, 0, 'f', 3)
                .arg(l.p99, 0, 'f', 3)
                .arg(l.min, 0, 'f', 3)
                .arg(l.max, 0, 'f', 3)
                .arg(l.count);
  }
  m_median = new QCPBars(xAxis, yAxis);
  m_median->setName(tr("median"));
  m_median->setWidth(0.55);
  m_median->setPen(QPen(seriesColor(0).darker(130)));
  m_median->setBrush(seriesColor(0).lighter(130));
  m_median->setData(keys, median, true);

  m_range = new QCPErrorBars(xAxis, yAxis);
  m_range->setName(tr("min – max"));
  m_range->setDataPlottable(m_median);
  m_range->setWhiskerWidth(10);
  m_range->setPen(QPen(QColor(60, 60, 60), 1.2));
  m_range->setData(minus, plus);

  auto marks = [&](const QString& name, const QVector<double>& v, QCPScatterStyle::ScatterShape shape, QColor c) {
    auto* g = new QCPGraph(xAxis, yAxis);
    g->setName(name);
    g->setLineStyle(QCPGraph::lsNone);
    g->setScatterStyle(QCPScatterStyle(shape, c, c, 8));
    g->setData(keys, v, true);
    setTooltips(g, tips);
    return g;
  };
  m_p90 = marks(tr("p90"), p90, QCPScatterStyle::ssDiamond, seriesColor(1));
  m_p99 = marks(tr("p99"), p99, QCPScatterStyle::ssTriangle, seriesColor(5));
  setTooltips(m_median, tips);

  setCategoryTicks(xAxis, labels);
  yAxis->setRange(0, top * 1.12);
  legend->setVisible(true);
  setHasData(true);
  replot();
}

} // namespace gs::ui
