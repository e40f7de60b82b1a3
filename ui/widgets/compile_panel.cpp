// See compile_panel.h.
#include "ui/widgets/compile_panel.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

namespace gs::ui {

CompilePanel::CompilePanel(QWidget* parent) : QWidget(parent) {
  m_model = new GearResultModel(this);
  m_table = new QTableView(this);
  m_table->setObjectName(QStringLiteral("gearResults"));
  m_table->setModel(m_model);
  m_table->verticalHeader()->hide();
  m_table->setAlternatingRowColors(true);
  m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
  m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
  m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  m_table->horizontalHeader()->setStretchLastSection(true);
  m_progress = new QProgressBar(this);
  m_progress->setRange(0, 1000);
  m_progress->setTextVisible(false);
  m_progress->setMaximumHeight(14);
  m_step = new QLabel(this);
  m_summary = new QLabel(tr("Build to see per-gear results."), this);
  m_summary->setWordWrap(true);
  m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
  m_cancel = new QPushButton(tr("Cancel"), this);
  m_cancel->setObjectName(QStringLiteral("cancelButton"));
  m_save = new QPushButton(tr("Save .om…"), this);
  m_save->setEnabled(false);

  auto* progressRow = new QHBoxLayout;
  progressRow->addWidget(m_progress, 1);
  progressRow->addWidget(m_step);
  progressRow->addWidget(m_cancel);
  auto* summaryRow = new QHBoxLayout;
  summaryRow->addWidget(m_summary, 1);
  summaryRow->addWidget(m_save);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(8, 6, 8, 6);
  layout->setSpacing(6);
  layout->addLayout(progressRow);
  layout->addWidget(m_table, 1);
  layout->addLayout(summaryRow);

  connect(m_cancel, &QPushButton::clicked, this, &CompilePanel::cancelRequested);
  connect(m_save, &QPushButton::clicked, this, &CompilePanel::saveRequested);
  connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this](const QModelIndex& current) {
    if (!m_hasModel || !current.isValid()) return;
    bool isNumber = false;
    const int gear = m_model->row(current.row()).gear.toInt(&isNumber);
    emit gearSelected(isNumber ? gear : -1);
  });
  clear();
}

void CompilePanel::clear() {
  m_model->clear();
  m_progress->setValue(0);
  m_progress->setVisible(false);
  m_cancel->setVisible(false);
  m_step->clear();
  m_summary->setText(tr("Build to see per-gear results."));
  m_save->setEnabled(false);
  m_hasModel = false;
}

void CompilePanel::compileStarted(std::vector<GearResultModel::Row> planned) {
  m_model->setPlanned(std::move(planned));
  m_progress->setValue(0);
  m_progress->setVisible(true);
  m_cancel->setVisible(true);
  m_cancel->setEnabled(true);
  m_step->setText(tr("starting…"));
  m_summary->setText(tr("Compiling…"));
  m_save->setEnabled(false);
}

void CompilePanel::compileProgress(double fraction, const QString& what, int gear) {
  m_progress->setValue(static_cast<int>(fraction * 1000.0));
  m_step->setText(what);
  if (gear >= 0) m_model->setCompiling(gear);
}

void CompilePanel::compileFinished(std::shared_ptr<const om::Model> model, const QString& error, bool cancelled,
                                   double millis) {
  m_progress->setVisible(false);
  m_cancel->setVisible(false);
  m_step->clear();
  if (!model) {
    m_model->setStopped(cancelled);
    m_summary->setText(cancelled
                           ? tr("Cancelled after %1 ms.").arg(millis, 0, 'f', 0)
                           : tr("<span style='color:#a61b1b'>Build failed: %1</span>").arg(error.toHtmlEscaped()));
    m_hasModel = false;
    m_save->setEnabled(false);
    return;
  }
  m_model->setResult(*model);
  const auto strategy = QString::fromUtf8(strategyName(model->meta.strategy).data());
  const auto weights = GearResultModel::formatBytes(model->weightBytes);
  const auto millisText = QString::number(model->meta.compileMillis, 'f', 0);
  if (model->dynamic)
    m_summary->setText(tr("<b>%1</b> · 1 dynamic graph (memory planned at run time) · weights %2 · compiled in %3 ms")
                           .arg(strategy, weights, millisText));
  else
    m_summary->setText(tr("<b>%1</b> · %2 · shared arena %3 · weights %4 · compiled in %5 ms")
                           .arg(strategy, tr("%n gear(s)", nullptr, static_cast<int>(model->gears.size())),
                                GearResultModel::formatBytes(model->sharedArenaBytes), weights, millisText));
  m_hasModel = true;
  m_save->setEnabled(true);
}

void CompilePanel::markStale(bool stale) {
  if (!m_hasModel) return;
  m_table->setEnabled(!stale);
  m_save->setText(stale ? tr("Save .om (older settings)…") : tr("Save .om…"));
}

} // namespace gs::ui
