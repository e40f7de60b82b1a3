// RunHistoryView: list of runs, rename / delete, deltas of two selected runs.
#include "ui/profile/run_history_view.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

#include "core/profile/profile_export.h"

namespace gs::ui {
namespace {

QString qs(const std::string& s) { return QString::fromStdString(s); }

QTableWidgetItem* cell(const QString& text, QColor color = {}) {
  auto* i = new QTableWidgetItem(text);
  i->setFlags(Qt::ItemIsSelectable | Qt::ItemIsEnabled);
  i->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
  if (color.isValid()) i->setForeground(color);
  return i;
}

QString signedPct(double pct) { return QStringLiteral("%1%2%").arg(pct >= 0 ? "+" : "").arg(pct, 0, 'f', 1); }

QString signedBytes(int64_t b) {
  const QString s = qs(profile::humanBytes(static_cast<uint64_t>(b < 0 ? -b : b)));
  return (b < 0 ? QStringLiteral("-") : QStringLiteral("+")) + s;
}

// Green when better (lower latency, higher throughput), red when worse, beyond 2% either way.
QColor tone(double pct, bool higherIsBetter) {
  if (std::abs(pct) < 2) return {};
  const bool better = higherIsBetter ? pct > 0 : pct < 0;
  return better ? QColor(0, 130, 60) : QColor(190, 30, 30);
}

} // namespace

RunHistoryView::RunHistoryView(QWidget* parent) : QWidget(parent) {
  m_list = new QListWidget(this);
  m_list->setObjectName(QStringLiteral("runList"));
  m_list->setSelectionMode(QAbstractItemView::MultiSelection);
  m_list->setWordWrap(true);
  m_list->setAlternatingRowColors(true);
  m_rename = new QPushButton(tr("Rename…"), this);
  m_remove = new QPushButton(tr("Delete"), this);
  m_hint = new QLabel(tr("Select two runs to compare them gear by gear."), this);
  m_hint->setWordWrap(true);
  m_table = new QTableWidget(this);
  m_table->setObjectName(QStringLiteral("runDeltaTable"));
  m_table->verticalHeader()->setVisible(false);

  auto* buttons = new QHBoxLayout;
  buttons->addWidget(m_rename);
  buttons->addWidget(m_remove);
  buttons->addStretch(1);
  auto* left = new QVBoxLayout;
  left->addWidget(m_list, 1);
  left->addLayout(buttons);
  auto* right = new QVBoxLayout;
  right->addWidget(m_hint);
  right->addWidget(m_table, 1);
  auto* layout = new QHBoxLayout(this);
  layout->addLayout(left, 2);
  layout->addLayout(right, 3);

  connect(m_list, &QListWidget::itemSelectionChanged, this, &RunHistoryView::selectionChanged);
  connect(m_remove, &QPushButton::clicked, this, [this] {
    auto rows = m_list->selectionModel()->selectedRows();
    std::sort(rows.begin(), rows.end(), [](const QModelIndex& a, const QModelIndex& b) { return a.row() > b.row(); });
    for (const auto& r : rows)
      removeRun(r.row());
  });
  connect(m_rename, &QPushButton::clicked, this, [this] {
    const auto rows = m_list->selectionModel()->selectedRows();
    if (rows.size() != 1) return;
    const int row = rows.first().row();
    bool ok = false;
    const QString label = QInputDialog::getText(this, tr("Rename run"), tr("Label:"), QLineEdit::Normal,
                                                qs(m_runs[static_cast<std::size_t>(row)].label), &ok);
    if (ok && !label.trimmed().isEmpty()) renameRun(row, label.trimmed());
  });
  selectionChanged();
}

void RunHistoryView::setRuns(std::vector<profile::RunRecord> runs) {
  m_runs = std::move(runs);
  m_delta.reset();
  rebuildList();
  showDelta();
}

void RunHistoryView::addRun(profile::RunRecord run) {
  m_runs.push_back(std::move(run));
  rebuildList();
  // The usual question after profiling again: what changed since the previous run.
  const int n = static_cast<int>(m_runs.size());
  if (n >= 2) comparePair(n - 2, n - 1);
  emit historyChanged();
}

void RunHistoryView::removeRun(int index) {
  if (index < 0 || index >= static_cast<int>(m_runs.size())) return;
  m_runs.erase(m_runs.begin() + index);
  rebuildList();
  emit historyChanged();
}

void RunHistoryView::renameRun(int index, const QString& label) {
  if (index < 0 || index >= static_cast<int>(m_runs.size())) return;
  m_runs[static_cast<std::size_t>(index)].label = label.toStdString();
  rebuildList();
  emit historyChanged();
}

void RunHistoryView::rebuildList() {
  const QSignalBlocker block(m_list);
  m_list->clear();
  for (const auto& r : m_runs) {
    double best = 0;
    for (const auto& g : r.gears)
      best = std::max(best, g.samplesPerSec);
    auto* item = new QListWidgetItem(tr("%1 — %2\n%3, %4 gear(s), %5, up to %6 samples/s")
                                         .arg(qs(r.label), qs(r.timestamp), qs(r.modelName))
                                         .arg(r.gears.size())
                                         .arg(qs(r.strategy))
                                         .arg(best, 0, 'f', 1));
    item->setToolTip(qs(r.atcCommand));
    m_list->addItem(item);
  }
  m_delta.reset();
  selectionChanged();
}

void RunHistoryView::comparePair(int a, int b) {
  const QSignalBlocker block(m_list);
  m_list->clearSelection();
  if (a >= 0 && a < m_list->count()) m_list->item(a)->setSelected(true);
  if (b >= 0 && b < m_list->count()) m_list->item(b)->setSelected(true);
  if (a < 0 || b < 0 || a >= static_cast<int>(m_runs.size()) || b >= static_cast<int>(m_runs.size())) return;
  m_delta = profile::compareRuns(m_runs[static_cast<std::size_t>(a)], m_runs[static_cast<std::size_t>(b)]);
  m_rename->setEnabled(false);
  m_remove->setEnabled(true);
  showDelta();
}

void RunHistoryView::selectionChanged() {
  auto rows = m_list->selectionModel()->selectedRows();
  m_rename->setEnabled(rows.size() == 1);
  m_remove->setEnabled(!rows.isEmpty());
  if (rows.size() == 2) {
    std::sort(rows.begin(), rows.end(), [](const QModelIndex& a, const QModelIndex& b) { return a.row() < b.row(); });
    m_delta = profile::compareRuns(m_runs[static_cast<std::size_t>(rows[0].row())],
                                   m_runs[static_cast<std::size_t>(rows[1].row())]);
  } else {
    m_delta.reset();
  }
  showDelta();
}

void RunHistoryView::showDelta() {
  m_table->clear();
  m_table->setRowCount(0);
  if (!m_delta) {
    m_hint->setText(m_runs.size() < 2 ? tr("Each finished profile is kept here. Profile twice to compare runs.")
                                      : tr("Select two runs to compare them gear by gear."));
    m_table->setColumnCount(0);
    return;
  }
  const auto& d = *m_delta;
  m_hint->setText(tr("A = %1, B = %2 (B relative to A)").arg(qs(d.labelA), qs(d.labelB)));
  const QStringList headers{tr("Gear"),  tr("Median A (ms)"), tr("Median B (ms)"), tr("Median Δ"),
                            tr("p99 Δ"), tr("Samples/s Δ"),   tr("Arena Δ"),       tr("Peak RSS Δ")};
  m_table->setColumnCount(static_cast<int>(headers.size()));
  m_table->setHorizontalHeaderLabels(headers);
  m_table->setRowCount(static_cast<int>(d.gears.size()));
  for (int r = 0; r < static_cast<int>(d.gears.size()); ++r) {
    const auto& g = d.gears[static_cast<std::size_t>(r)];
    auto* label = new QTableWidgetItem(qs(g.label));
    label->setToolTip(qs(g.shapes));
    m_table->setItem(r, 0, label);
    m_table->setItem(r, 1, cell(g.inA ? QString::number(g.medianA, 'f', 3) : QStringLiteral("–")));
    m_table->setItem(r, 2, cell(g.inB ? QString::number(g.medianB, 'f', 3) : QStringLiteral("–")));
    if (!(g.inA && g.inB)) {
      m_table->setItem(r, 3, cell(g.inA ? tr("only in A") : tr("only in B")));
      continue;
    }
    m_table->setItem(r, 3, cell(signedPct(g.medianPct), tone(g.medianPct, false)));
    m_table->setItem(r, 4, cell(signedPct(g.p99Pct), tone(g.p99Pct, false)));
    m_table->setItem(r, 5, cell(signedPct(g.samplesPerSecPct), tone(g.samplesPerSecPct, true)));
    m_table->setItem(r, 6, cell(signedBytes(g.arenaDelta)));
    m_table->setItem(r, 7, cell(signedBytes(g.peakRssDelta)));
  }
  m_table->resizeColumnsToContents();
}

} // namespace gs::ui
