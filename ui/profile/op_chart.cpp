// OpChart: horizontal bars (key axis = y), largest on top, labelled "node (OpType)".
#include "ui/profile/op_chart.h"

namespace gs::ui {

OpChart::OpChart(QWidget* parent) : ProfileChart(tr("Operators by time"), parent) {
  setChartId(QStringLiteral("operators"));
  xAxis->setLabel(tr("Mean time per run (ms)"));
  yAxis->setLabel(QString());
  showEmptyText(tr("Select a profiled gear"));
  connect(this, &QCustomPlot::plottableClick, this, [this](QCPAbstractPlottable* p, int index, QMouseEvent*) {
    if (p == m_bars) clickBar(index);
  });
}

void OpChart::clickBar(int index) {
  const QString node = nodeAt(index);
  if (!node.isEmpty()) emit nodeClicked(node);
}

void OpChart::clearGear() {
  resetPlot();
  m_bars = nullptr;
  m_nodes.clear();
  setTitle(tr("Operators by time"));
  showEmptyText(tr("Select a profiled gear"));
  replot();
}

void OpChart::setGear(const profile::GearProfile& gear) {
  resetPlot();
  m_bars = nullptr;
  m_nodes.clear();
  setTitle(tr("Top %1 operators: %2").arg(gear.topOps.size()).arg(QString::fromStdString(gear.label)));
  if (gear.topOps.empty()) {
    showEmptyText(tr("No per-operator times (profile with operators on)"));
    replot();
    return;
  }
  // Largest first in the data, so reverse: bar 1 at the bottom is the smallest shown.
  const int n = static_cast<int>(gear.topOps.size());
  QVector<double> keys, values;
  QStringList labels, tips;
  double top = 0;
  for (int i = 0; i < n; ++i) {
    const auto& op = gear.topOps[static_cast<std::size_t>(n - 1 - i)];
    keys << i + 1;
    values << op.meanMillis;
    top = std::max(top, op.meanMillis);
    QString node = QString::fromStdString(op.node);
    m_nodes << node;
    QString shown = node.size() > 28 ? node.left(12) + QStringLiteral("…") + node.right(14) : node;
    labels << QStringLiteral("%1 (%2)").arg(shown, QString::fromStdString(op.opType));
    tips << tr("%1\n%2\n%3 ms per run, %4% of the gear\nclick to select the node")
                .arg(node, QString::fromStdString(op.opType))
                .arg(op.meanMillis, 0, 'f', 4)
                .arg(op.share, 0, 'f', 1);
  }
  m_bars = new QCPBars(yAxis, xAxis);
  m_bars->setName(tr("time"));
  m_bars->setWidth(0.7);
  m_bars->setPen(QPen(seriesColor(3).darker(140)));
  m_bars->setBrush(seriesColor(3).lighter(115));
  m_bars->setData(keys, values, true);
  m_bars->setSelectable(QCP::stSingleData);
  setTooltips(m_bars, tips);
  for (int i = 0; i < n; ++i) {
    const auto& op = gear.topOps[static_cast<std::size_t>(n - 1 - i)];
    auto* text = new QCPItemText(this);
    text->position->setCoords(values[i], keys[i]);
    text->setPositionAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    text->setPadding(QMargins(4, 0, 0, 0));
    text->setText(QStringLiteral("%1%").arg(op.share, 0, 'f', 1));
  }
  setInteractions(QCP::iSelectPlottables);
  setCategoryTicks(yAxis, labels);
  xAxis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
  xAxis->grid()->setVisible(true);
  xAxis->setRange(0, top * 1.2);
  setHasData(true);
  replot();
}

} // namespace gs::ui
