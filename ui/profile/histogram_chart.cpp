// HistogramChart: equal-width bins from min to max; vertical lines at the median and p99.
#include "ui/profile/histogram_chart.h"

#include <algorithm>
#include <cmath>

namespace gs::ui {

int histogramBins(std::size_t n) {
  return std::clamp(static_cast<int>(std::ceil(std::sqrt(static_cast<double>(n)))), 5, 40);
}

HistogramChart::HistogramChart(QWidget* parent) : ProfileChart(tr("Latency histogram"), parent) {
  setChartId(QStringLiteral("histogram"));
  xAxis->setLabel(tr("Latency (ms)"));
  yAxis->setLabel(tr("Runs"));
  showEmptyText(tr("Select a profiled gear"));
}

void HistogramChart::clearGear() {
  resetPlot();
  m_bars = nullptr;
  setTitle(tr("Latency histogram"));
  showEmptyText(tr("Select a profiled gear"));
  replot();
}

void HistogramChart::setGear(const profile::GearProfile& gear) {
  resetPlot();
  m_bars = nullptr;
  setTitle(tr("Latency histogram: %1").arg(QString::fromStdString(gear.label)));
  if (gear.samples.empty()) {
    showEmptyText(tr("No runs"));
    replot();
    return;
  }
  const auto [lo, hi] = std::minmax_element(gear.samples.begin(), gear.samples.end());
  const int bins = histogramBins(gear.samples.size());
  // Equal samples still get a visible bin.
  const double span = std::max(*hi - *lo, std::max(*lo * 1e-3, 1e-6));
  m_binWidth = span / bins;
  m_start = *lo;
  QVector<double> keys(bins), counts(bins, 0);
  for (int b = 0; b < bins; ++b)
    keys[b] = m_start + (b + 0.5) * m_binWidth;
  for (double s : gear.samples) {
    const int b = std::min(bins - 1, static_cast<int>((s - m_start) / m_binWidth));
    counts[b] += 1;
  }
  QStringList tips;
  for (int b = 0; b < bins; ++b)
    tips << tr("%1 – %2 ms: %3 runs")
                .arg(m_start + b * m_binWidth, 0, 'f', 3)
                .arg(m_start + (b + 1) * m_binWidth, 0, 'f', 3)
                .arg(counts[b]);
  m_bars = new QCPBars(xAxis, yAxis);
  m_bars->setName(tr("runs"));
  m_bars->setWidth(m_binWidth * 0.92);
  m_bars->setPen(QPen(seriesColor(0).darker(130)));
  m_bars->setBrush(seriesColor(0).lighter(140));
  m_bars->setData(keys, counts, true);
  setTooltips(m_bars, tips);

  const double xLo = m_start - m_binWidth, xHi = m_start + (bins + 1) * m_binWidth;
  auto marker = [&](double x, const QString& text, QColor c, double yRatio) {
    auto* line = new QCPItemStraightLine(this);
    line->point1->setCoords(x, 0);
    line->point2->setCoords(x, 1);
    line->setPen(QPen(c, 1.5, Qt::DashLine));
    auto* label = new QCPItemText(this);
    label->position->setTypeX(QCPItemPosition::ptPlotCoords);
    label->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
    label->position->setCoords(x, yRatio);
    // Labels right of their line, or left of it in the right third so they stay inside the plot.
    const bool flip = (x - xLo) / (xHi - xLo) > 0.66;
    label->setPositionAlignment((flip ? Qt::AlignRight : Qt::AlignLeft) | Qt::AlignTop);
    label->setPadding(flip ? QMargins(0, 0, 3, 0) : QMargins(3, 0, 0, 0));
    label->setBrush(QColor(255, 255, 255, 200));
    label->setColor(c);
    label->setText(text);
  };
  marker(gear.latency.median, tr("median %1 ms").arg(gear.latency.median, 0, 'f', 3), seriesColor(1), 0.02);
  marker(gear.latency.p99, tr("p99 %1 ms").arg(gear.latency.p99, 0, 'f', 3), seriesColor(5), 0.12);

  const double maxCount = *std::max_element(counts.begin(), counts.end());
  xAxis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
  xAxis->grid()->setVisible(true);
  xAxis->setRange(xLo, xHi);
  // Counts are whole runs: integer ticks.
  QSharedPointer<QCPAxisTickerFixed> whole(new QCPAxisTickerFixed);
  whole->setTickStep(std::max(1.0, std::ceil(maxCount / 6)));
  whole->setScaleStrategy(QCPAxisTickerFixed::ssNone);
  yAxis->setTicker(whole);
  yAxis->setRange(0, maxCount * 1.25);
  setHasData(true);
  replot();
}

} // namespace gs::ui
