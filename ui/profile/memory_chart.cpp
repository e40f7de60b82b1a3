// MemoryChart: QCPBars stacked with moveAbove; the shared arena as a step line across the gears.
#include "ui/profile/memory_chart.h"

#include "core/profile/profile_export.h"

namespace gs::ui {

MemoryChart::MemoryChart(QWidget* parent) : ProfileChart(tr("Memory per gear"), parent) {
  setChartId(QStringLiteral("memory"));
  xAxis->setLabel(tr("Gear"));
  yAxis->setLabel(tr("Memory (MiB)"));
  showEmptyText(tr("Run \"Profile all gears\""));
}

void MemoryChart::setReport(const profile::ProfileReport& report) {
  resetPlot();
  m_layers.clear();
  m_shared = nullptr;
  if (report.gears.empty()) {
    showEmptyText(tr("No gear finished"));
    replot();
    return;
  }
  bool packed = false;
  double top = 0;
  for (const auto& g : report.gears) {
    const auto& m = g.memory;
    packed = packed || m.packedWeightBytes > 0;
    top = std::max(top, static_cast<double>(m.weightBytes + m.packedWeightBytes + m.workspaceBytes +
                                            std::max(m.gearArenaBytes, m.sharedArenaBytes)));
  }
  const auto [unitName, unit] = byteUnit(top);
  m_unit = unit;
  yAxis->setLabel(tr("Memory (%1)").arg(unitName));

  struct Layer {
    QString name;
    uint64_t profile::GearMemory::*field;
    int color;
  };
  QList<Layer> layers{{tr("weights"), &profile::GearMemory::weightBytes, 0}};
  if (packed) layers.append({tr("packed weights"), &profile::GearMemory::packedWeightBytes, 4});
  layers.append({tr("activation arena (gear)"), &profile::GearMemory::gearArenaBytes, 1});
  layers.append({tr("workspace"), &profile::GearMemory::workspaceBytes, 2});

  QStringList labels, tips;
  QVector<double> keys;
  for (std::size_t i = 0; i < report.gears.size(); ++i) {
    const auto& g = report.gears[i];
    const auto& m = g.memory;
    keys << static_cast<double>(i + 1);
    labels << QString::fromStdString(g.label);
    tips << tr("%1\nweights %2\npacked weights %3\narena (this gear) %4\narena (shared) %5\nworkspace %6\npeak RSS %7")
                .arg(QString::fromStdString(g.label), QString::fromStdString(profile::humanBytes(m.weightBytes)),
                     QString::fromStdString(profile::humanBytes(m.packedWeightBytes)),
                     QString::fromStdString(profile::humanBytes(m.gearArenaBytes)),
                     QString::fromStdString(profile::humanBytes(m.sharedArenaBytes)),
                     QString::fromStdString(profile::humanBytes(m.workspaceBytes)),
                     QString::fromStdString(profile::humanBytes(m.peakRssBytes)));
  }
  QCPBars* below = nullptr;
  for (const auto& layer : layers) {
    auto* bars = new QCPBars(xAxis, yAxis);
    bars->setName(layer.name);
    bars->setWidth(0.55);
    bars->setStackingGap(0);
    bars->setPen(QPen(seriesColor(layer.color).darker(140)));
    bars->setBrush(seriesColor(layer.color).lighter(115));
    QVector<double> values;
    for (const auto& g : report.gears)
      values << static_cast<double>(g.memory.*layer.field) / unit;
    bars->setData(keys, values, true);
    if (below) bars->moveAbove(below);
    below = bars;
    setTooltips(bars, tips);
    m_layers << bars;
  }

  // The arena is allocated once at the largest gear's size: a line at weights (+ packed) + shared arena.
  m_shared = new QCPGraph(xAxis, yAxis);
  m_shared->setName(tr("shared arena (largest gear)"));
  m_shared->setPen(QPen(seriesColor(5), 2, Qt::DashLine));
  QVector<double> lineKeys, lineValues;
  for (std::size_t i = 0; i < report.gears.size(); ++i) {
    const auto& m = report.gears[i].memory;
    const double level = static_cast<double>(m.weightBytes + m.packedWeightBytes + m.sharedArenaBytes) / unit;
    // Extend half a slot either side so the line spans every bar.
    if (i == 0) {
      lineKeys << 0.55;
      lineValues << level;
    }
    lineKeys << static_cast<double>(i + 1);
    lineValues << level;
    if (i + 1 == report.gears.size()) {
      lineKeys << static_cast<double>(i) + 1.45;
      lineValues << level;
    }
  }
  m_shared->setData(lineKeys, lineValues, true);
  m_shared->setLineStyle(QCPGraph::lsLine);

  setCategoryTicks(xAxis, labels);
  yAxis->setRange(0, top / unit * 1.3);
  legend->setVisible(true);
  setHasData(true);
  replot();
}

} // namespace gs::ui
