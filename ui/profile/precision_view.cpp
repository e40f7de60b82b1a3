// See precision_view.h.
#include "ui/profile/precision_view.h"

#include <cmath>

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QTableWidget>
#include <QVBoxLayout>

#include "core/profile/profile_export.h"
#include "ui/profile/grouped_bar_chart.h"
#include "ui/profile/profile_panel.h"

namespace gs::ui {
namespace {

using profile::MatrixCell;
using profile::PrecisionMatrix;

QString qs(const std::string& s) { return QString::fromStdString(s); }

const MatrixCell* cellAt(const PrecisionMatrix& m, int row, int gear) {
  if (row < 0 || row >= static_cast<int>(m.rows.size())) return nullptr;
  const auto& cells = m.rows[static_cast<std::size_t>(row)].cells;
  return gear >= 0 && gear < static_cast<int>(cells.size()) ? &cells[static_cast<std::size_t>(gear)] : nullptr;
}

// The row latencies are compared with: the float32 build (force_fp32, or the model's own dtypes when
// it is a float32 model and not quantized).
int referenceRow(const PrecisionMatrix& m) {
  int fallback = -1;
  for (int r = 0; r < static_cast<int>(m.rows.size()); ++r) {
    const auto& p = m.rows[static_cast<std::size_t>(r)].precision;
    if (p.quantizeInt8 || !m.rows[static_cast<std::size_t>(r)].error.empty()) continue;
    if (p.mode == shape_config::PrecisionMode::ForceFp32) return r;
    if (p.mode == shape_config::PrecisionMode::Default || p.mode == shape_config::PrecisionMode::MustKeepOriginDtype)
      fallback = fallback < 0 ? r : fallback;
  }
  return fallback;
}

QString number(double v, int digits) { return QString::number(v, 'f', digits); }

// Green for "as good as fp32", amber for a visible loss, red for a large one.
QColor accuracyTint(double cosine) {
  if (cosine >= 0.9999) return QColor(0xe3, 0xf4, 0xe1);
  if (cosine >= 0.99) return QColor(0xfd, 0xf0, 0xc8);
  return QColor(0xfd, 0xe2, 0xe1);
}

QColor speedTint(double ratio) {
  if (ratio <= 0.95) return QColor(0xe3, 0xf4, 0xe1);
  if (ratio <= 1.05) return QColor(0xf2, 0xf2, 0xf2);
  return QColor(0xfd, 0xe2, 0xe1);
}

QTableWidgetItem* item(const QString& text, bool number = true) {
  auto* i = new QTableWidgetItem(text);
  i->setFlags(Qt::ItemIsSelectable | Qt::ItemIsEnabled);
  if (number) i->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
  return i;
}

} // namespace

QString PrecisionView::cellText(const PrecisionMatrix& m, int row, int gear, Metric metric) {
  const auto* c = cellAt(m, row, gear);
  if (!c) return {};
  switch (metric) {
  case Metric::Median:
    return c->latency.median > 0 ? number(c->latency.median, 3) : QString();
  case Metric::VsReference: {
    const auto* ref = cellAt(m, referenceRow(m), gear);
    if (!ref || ref->latency.median <= 0 || c->latency.median <= 0) return {};
    return QStringLiteral("%1×").arg(number(c->latency.median / ref->latency.median, 2));
  }
  case Metric::Arena:
    return qs(profile::humanBytes(c->memory.gearArenaBytes + c->memory.packedWeightBytes));
  case Metric::Cosine:
    return c->error.empty() ? number(c->accuracy.minCosine, 6) : QString();
  case Metric::MaxRelError:
    return c->error.empty() ? QString::number(c->accuracy.maxRelError, 'g', 3) : QString();
  case Metric::Top1:
    return c->error.empty() && c->accuracy.minTop1Agreement
               ? QStringLiteral("%1%").arg(number(*c->accuracy.minTop1Agreement * 100, 1))
               : QString();
  }
  return {};
}

QString precisionSummary(const PrecisionMatrix& m) {
  const int ref = referenceRow(m);
  QStringList parts;
  for (int r = 0; r < static_cast<int>(m.rows.size()); ++r) {
    const auto& row = m.rows[static_cast<std::size_t>(r)];
    if (!row.error.empty()) {
      parts << QObject::tr("%1: failed (%2)").arg(qs(row.label), qs(row.error));
      continue;
    }
    if (r == ref) continue;
    double worstCos = 1, ratioSum = 0;
    int ratios = 0;
    for (int g = 0; g < static_cast<int>(row.cells.size()); ++g) {
      const auto& c = row.cells[static_cast<std::size_t>(g)];
      if (c.error.empty()) worstCos = std::min(worstCos, c.accuracy.minCosine);
      if (const auto* rc = cellAt(m, ref, g); rc && rc->latency.median > 0 && c.latency.median > 0) {
        ratioSum += c.latency.median / rc->latency.median;
        ++ratios;
      }
    }
    QString speed = ratios ? QObject::tr("%1× the fp32 latency").arg(number(ratioSum / ratios, 2)) : QString();
    parts << QObject::tr("%1: %2%3worst cosine %4")
                 .arg(qs(row.label), speed, speed.isEmpty() ? QString() : QStringLiteral(", "), number(worstCos, 5));
  }
  QString head = QObject::tr("Accuracy against the %1 build on the same inputs; %2 measured runs per gear.")
                     .arg(qs(m.referenceLabel))
                     .arg(m.loops);
  if (m.cancelled) head += QObject::tr(" Cancelled: the rows shown finished.");
  return head + (parts.isEmpty() ? QString() : QStringLiteral("\n") + parts.join(QStringLiteral("\n")));
}

PrecisionView::PrecisionView(QWidget* parent) : QWidget(parent) {
  m_summary = new QLabel(tr("Compare precisions to see latency, memory and accuracy per gear."), this);
  m_summary->setObjectName(QStringLiteral("precisionSummary"));
  m_summary->setWordWrap(true);
  m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
  m_metric = new QComboBox(this);
  m_metric->setObjectName(QStringLiteral("precisionMetric"));
  m_metric->addItem(tr("Median latency (ms)"), static_cast<int>(Metric::Median));
  m_metric->addItem(tr("Latency against fp32"), static_cast<int>(Metric::VsReference));
  m_metric->addItem(tr("Memory (arena + packed weights)"), static_cast<int>(Metric::Arena));
  m_metric->addItem(tr("Cosine (worst output)"), static_cast<int>(Metric::Cosine));
  m_metric->addItem(tr("Max relative error"), static_cast<int>(Metric::MaxRelError));
  m_metric->addItem(tr("Top-1 agreement"), static_cast<int>(Metric::Top1));
  m_table = new QTableWidget(this);
  m_table->setObjectName(QStringLiteral("precisionMatrix"));
  m_table->setSelectionMode(QAbstractItemView::SingleSelection);
  m_table->setSelectionBehavior(QAbstractItemView::SelectItems);
  m_layersTitle = new QLabel(this);
  m_layers = new QTableWidget(this);
  m_layers->setObjectName(QStringLiteral("precisionLayers"));
  m_layers->verticalHeader()->setVisible(false);
  m_layers->setSelectionBehavior(QAbstractItemView::SelectRows);
  m_layers->setToolTip(tr("Double-click a layer to show it in the graph"));
  m_chart = new GroupedBarChart(tr("Median latency per gear and precision"), QStringLiteral("precision_matrix"), this);
  m_chart->setMinimumHeight(280);

  auto* metricRow = new QHBoxLayout;
  metricRow->addWidget(new QLabel(tr("Show:"), this));
  metricRow->addWidget(m_metric);
  metricRow->addStretch(1);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(m_summary);
  layout->addLayout(metricRow);
  layout->addWidget(m_table);
  layout->addWidget(m_layersTitle);
  layout->addWidget(m_layers);
  layout->addWidget(m_chart);
  layout->addStretch(1);

  connect(m_metric, &QComboBox::currentIndexChanged, this,
          [this](int i) { setMetric(static_cast<Metric>(m_metric->itemData(i).toInt())); });
  connect(m_table, &QTableWidget::currentCellChanged, this, [this](int row, int column) { selectCell(row, column); });
  connect(m_layers, &QTableWidget::cellDoubleClicked, this, [this](int row, int) {
    if (auto* i = m_layers->item(row, 0)) emit layerActivated(i->text(), m_gear);
  });
  clear();
}

void PrecisionView::clear() {
  m_matrix.reset();
  m_row = m_gear = -1;
  m_table->clear();
  m_table->setRowCount(0);
  m_table->setColumnCount(0);
  m_layers->clear();
  m_layers->setRowCount(0);
  m_layersTitle->setVisible(false);
  m_layers->setVisible(false);
  m_chart->clearData(tr("Compare precisions to draw this chart."));
}

void PrecisionView::setMatrix(const PrecisionMatrix& matrix) {
  m_matrix = matrix;
  m_summary->setText(precisionSummary(matrix));
  fillTable();
  fillChart();
  // The largest gear of the first non-reference row is the usual first question.
  const int ref = referenceRow(matrix);
  int row = 0;
  while (row < static_cast<int>(matrix.rows.size()) &&
         (row == ref || matrix.rows[static_cast<std::size_t>(row)].cells.empty()))
    ++row;
  if (row >= static_cast<int>(matrix.rows.size())) row = 0;
  selectCell(row, static_cast<int>(matrix.gearLabels.size()) - 1);
}

void PrecisionView::setMetric(Metric metric) {
  m_current = metric;
  if (m_metric->currentData().toInt() != static_cast<int>(metric))
    m_metric->setCurrentIndex(m_metric->findData(static_cast<int>(metric)));
  if (m_matrix) fillTable();
}

void PrecisionView::fillTable() {
  const auto& m = *m_matrix;
  const QSignalBlocker block(m_table);
  m_table->clear();
  QStringList columns;
  for (const auto& g : m.gearLabels)
    columns << qs(g);
  QStringList rows;
  for (const auto& r : m.rows)
    rows << qs(r.label);
  m_table->setColumnCount(static_cast<int>(columns.size()));
  m_table->setRowCount(static_cast<int>(rows.size()));
  m_table->setHorizontalHeaderLabels(columns);
  m_table->setVerticalHeaderLabels(rows);
  const int ref = referenceRow(m);
  for (int r = 0; r < static_cast<int>(m.rows.size()); ++r) {
    const auto& row = m.rows[static_cast<std::size_t>(r)];
    if (auto* h = m_table->verticalHeaderItem(r))
      h->setToolTip(row.error.empty() ? qs(row.atcCommand) : tr("Failed: %1").arg(qs(row.error)));
    for (int g = 0; g < static_cast<int>(m.gearLabels.size()); ++g) {
      const auto* c = cellAt(m, r, g);
      QString text = cellText(m, r, g, m_current);
      if (!c) text = row.error.empty() ? QString() : tr("failed");
      auto* it = item(text);
      if (c) {
        QStringList tip;
        tip << tr("%1, gear %2").arg(qs(row.label), qs(c->gearLabel));
        tip << tr("median %1 ms, p90 %2 ms").arg(number(c->latency.median, 3), number(c->latency.p90, 3));
        tip << tr("arena %1, packed weights %2")
                   .arg(qs(profile::humanBytes(c->memory.gearArenaBytes)),
                        qs(profile::humanBytes(c->memory.packedWeightBytes)));
        if (c->error.empty()) {
          tip << tr("cosine %1, max abs error %2, max rel error %3")
                     .arg(number(c->accuracy.minCosine, 6))
                     .arg(c->accuracy.maxAbsError, 0, 'g', 3)
                     .arg(c->accuracy.maxRelError, 0, 'g', 3);
          if (c->accuracy.minTop1Agreement)
            tip << tr("top-1 agreement %1%").arg(number(*c->accuracy.minTop1Agreement * 100, 1));
          if (c->firstBadLayer) tip << tr("first bad layer: %1").arg(qs(c->firstBadLayer->node));
        } else {
          tip << tr("accuracy: %1").arg(qs(c->error));
        }
        it->setToolTip(tip.join(QLatin1Char('\n')));
        const bool accuracyMetric =
            m_current == Metric::Cosine || m_current == Metric::MaxRelError || m_current == Metric::Top1;
        if (accuracyMetric && c->error.empty()) {
          it->setBackground(accuracyTint(c->accuracy.minCosine));
        } else if (m_current == Metric::Median || m_current == Metric::VsReference) {
          const auto* rc = cellAt(m, ref, g);
          if (rc && r != ref && rc->latency.median > 0 && c->latency.median > 0)
            it->setBackground(speedTint(c->latency.median / rc->latency.median));
        }
      }
      m_table->setItem(r, g, it);
    }
  }
  m_table->resizeColumnsToContents();
  fitTableHeight(m_table);
  if (m_row >= 0 && m_gear >= 0) m_table->setCurrentCell(m_row, m_gear);
}

void PrecisionView::fillChart() {
  const auto& m = *m_matrix;
  QStringList categories, series;
  QVector<QVector<double>> values;
  QVector<QStringList> tips;
  for (const auto& g : m.gearLabels)
    categories << qs(g);
  for (const auto& row : m.rows) {
    if (row.cells.empty()) continue;
    series << qs(row.label);
    QVector<double> v;
    QStringList t;
    for (const auto& c : row.cells) {
      v << c.latency.median;
      t << tr("%1 %2: %3 ms, cosine %4")
               .arg(qs(row.label), qs(c.gearLabel), number(c.latency.median, 3), number(c.accuracy.minCosine, 5));
    }
    values << v;
    tips << t;
  }
  if (series.isEmpty())
    m_chart->clearData(tr("No precision was built."));
  else
    m_chart->setData(categories, series, values, tr("gear"), tr("median latency (ms)"), tips);
}

void PrecisionView::selectCell(int row, int gear) {
  m_row = row;
  m_gear = gear;
  if (m_matrix && m_table->currentRow() != row && row >= 0 && gear >= 0) {
    const QSignalBlocker block(m_table);
    m_table->setCurrentCell(row, gear);
  }
  fillLayers();
}

void PrecisionView::fillLayers() {
  m_layers->clear();
  m_layers->setRowCount(0);
  const auto* c = m_matrix ? cellAt(*m_matrix, m_row, m_gear) : nullptr;
  const bool show = c && !c->worstLayers.empty();
  m_layersTitle->setVisible(c != nullptr);
  m_layers->setVisible(show);
  if (!c) return;
  const auto& row = m_matrix->rows[static_cast<std::size_t>(m_row)];
  if (!show) {
    m_layersTitle->setText(
        c->error.empty() ? tr("%1, gear %2: no per-layer comparison in this run.").arg(qs(row.label), qs(c->gearLabel))
                         : tr("%1, gear %2: %3").arg(qs(row.label), qs(c->gearLabel), qs(c->error)));
    return;
  }
  m_layersTitle->setText(
      c->firstBadLayer
          ? tr("%1, gear %2: accuracy is first lost at <b>%3</b> (%4, cosine %5). The layers with the lowest cosine:")
                .arg(qs(row.label).toHtmlEscaped(), qs(c->gearLabel).toHtmlEscaped(),
                     qs(c->firstBadLayer->node).toHtmlEscaped(), qs(c->firstBadLayer->opType).toHtmlEscaped(),
                     number(c->firstBadLayer->cosine, 5))
          : tr("%1, gear %2: every layer stays above the threshold. The layers with the lowest cosine:")
                .arg(qs(row.label).toHtmlEscaped(), qs(c->gearLabel).toHtmlEscaped()));
  const QStringList headers{tr("Layer"), tr("Op"), tr("Cosine"), tr("Max abs error"), tr("Max rel error")};
  m_layers->setColumnCount(static_cast<int>(headers.size()));
  m_layers->setHorizontalHeaderLabels(headers);
  m_layers->setRowCount(static_cast<int>(c->worstLayers.size()));
  for (int i = 0; i < static_cast<int>(c->worstLayers.size()); ++i) {
    const auto& l = c->worstLayers[static_cast<std::size_t>(i)];
    auto* name = item(qs(l.node), false);
    if (c->firstBadLayer && c->firstBadLayer->node == l.node) {
      auto f = name->font();
      f.setBold(true);
      name->setFont(f);
    }
    m_layers->setItem(i, 0, name);
    m_layers->setItem(i, 1, item(qs(l.opType), false));
    auto* cos = item(number(l.cosine, 6));
    cos->setBackground(accuracyTint(l.cosine));
    m_layers->setItem(i, 2, cos);
    m_layers->setItem(i, 3, item(QString::number(l.maxAbsError, 'g', 3)));
    m_layers->setItem(i, 4, item(QString::number(l.maxRelError, 'g', 3)));
  }
  m_layers->resizeColumnsToContents();
  fitTableHeight(m_layers);
}

} // namespace gs::ui
