// ThroughputChart: samples/s bars with the value written above each bar.
#include "ui/profile/throughput_chart.h"

namespace gs::ui {

ThroughputChart::ThroughputChart(QWidget* parent) : ProfileChart(tr("Throughput per gear"), parent) {
  setChartId(QStringLiteral("throughput"));
  xAxis->setLabel(tr("Gear"));
  yAxis->setLabel(tr("Throughput (samples/s)"));
  showEmptyText(tr("Run \"Profile all gears\""));
}

void ThroughputChart::setReport(const profile::ProfileReport& report) {
  resetPlot();
  m_bars = nullptr;
  if (report.gears.empty()) {
    showEmptyText(tr("No gear finished"));
    replot();
    return;
  }
  QVector<double> keys, values;
  QStringList labels, tips;
  double top = 0;
  for (std::size_t i = 0; i < report.gears.size(); ++i) {
    const auto& g = report.gears[i];
    keys << static_cast<double>(i + 1);
    values << g.samplesPerSec;
    top = std::max(top, g.samplesPerSec);
    labels << QString::fromStdString(g.label);
    tips << tr("%1\n%2 samples/s (batch %3)\n%4 inferences/s\n%5 GFLOP/s")
                .arg(QString::fromStdString(g.label))
                .arg(g.samplesPerSec, 0, 'f', 1)
                .arg(g.batch)
                .arg(g.inferencesPerSec, 0, 'f', 1)
                .arg(g.gflopsPerSec, 0, 'f', 2);
  }
  m_bars = new QCPBars(xAxis, yAxis);
  m_bars->setName(tr("samples/s"));
  m_bars->setWidth(0.55);
  m_bars->setPen(QPen(seriesColor(2).darker(130)));
  m_bars->setBrush(seriesColor(2).lighter(120));
  m_bars->setData(keys, values, true);
  setTooltips(m_bars, tips);
  for (int i = 0; i < keys.size(); ++i) {
    auto* text = new QCPItemText(this);
    text->position->setCoords(keys[i], values[i]);
    text->setPositionAlignment(Qt::AlignHCenter | Qt::AlignBottom);
    text->setText(QString::number(values[i], 'f', values[i] >= 100 ? 0 : 1));
    text->setPadding(QMargins(0, 0, 0, 3));
  }
  setCategoryTicks(xAxis, labels);
  yAxis->setRange(0, top * 1.15);
  setHasData(true);
  replot();
}

} // namespace gs::ui
