// See gear_list_editor.h.
#include "ui/widgets/gear_list_editor.h"

#include <QBrush>
#include <QColor>
#include <QHBoxLayout>
#include <QListWidget>
#include <QMenu>
#include <QToolButton>
#include <QVBoxLayout>

#include "core/compiler/shape_config/shape_config.h"
#include "ui/models/form_fixes.h"

namespace gs::ui {
namespace {

QToolButton* toolButton(const QString& text, const QString& tip, QWidget* parent) {
  auto* b = new QToolButton(parent);
  b->setText(text);
  b->setToolTip(tip);
  b->setAutoRaise(false);
  b->setMinimumWidth(28);
  return b;
}

QChar separator(Strategy s) { return s == Strategy::DynamicBatch ? QChar(',') : QChar(';'); }

} // namespace

GearListEditor::GearListEditor(QWidget* parent) : QWidget(parent) {
  m_list = new QListWidget(this);
  m_list->setObjectName(QStringLiteral("gearList"));
  m_list->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed |
                          QAbstractItemView::AnyKeyPressed);
  m_list->setMinimumHeight(90);
  m_list->setMaximumHeight(140);
  m_list->setAlternatingRowColors(true);
  m_add = toolButton(tr("+"), tr("Add a gear"), this);
  m_remove = toolButton(tr("−"), tr("Remove the selected gear"), this);
  m_up = toolButton(tr("↑"), tr("Move the selected gear up (gear index = position)"), this);
  m_down = toolButton(tr("↓"), tr("Move the selected gear down"), this);
  m_presets = toolButton(tr("Presets"), tr("Replace the list with a recommended gear set"), this);
  m_presetMenu = new QMenu(m_presets);
  m_presets->setMenu(m_presetMenu);
  m_presets->setPopupMode(QToolButton::InstantPopup);

  auto* buttons = new QVBoxLayout;
  buttons->setSpacing(4);
  for (auto* b : {m_add, m_remove, m_up, m_down})
    buttons->addWidget(b);
  buttons->addStretch();
  auto* top = new QHBoxLayout;
  top->setContentsMargins(0, 0, 0, 0);
  top->addWidget(m_list, 1);
  top->addLayout(buttons);
  auto* outer = new QVBoxLayout(this);
  outer->setContentsMargins(0, 0, 0, 0);
  outer->setSpacing(4);
  outer->addLayout(top);
  auto* presetRow = new QHBoxLayout;
  presetRow->addWidget(m_presets);
  presetRow->addStretch();
  outer->addLayout(presetRow);

  connect(m_add, &QToolButton::clicked, this, &GearListEditor::addGear);
  connect(m_remove, &QToolButton::clicked, this, &GearListEditor::removeCurrent);
  connect(m_up, &QToolButton::clicked, this, [this] { moveCurrent(-1); });
  connect(m_down, &QToolButton::clicked, this, [this] { moveCurrent(1); });
  connect(m_list, &QListWidget::itemChanged, this, &GearListEditor::itemEdited);
  connect(m_list, &QListWidget::currentRowChanged, this, &GearListEditor::updateButtons);
  setStrategy(Strategy::Static);
}

QListWidgetItem* GearListEditor::makeItem(const QString& text) const {
  auto* item = new QListWidgetItem(text);
  item->setFlags(item->flags() | Qt::ItemIsEditable);
  return item;
}

void GearListEditor::setStrategy(Strategy strategy) {
  m_strategy = strategy;
  const bool gears = isGearStrategy(strategy);
  setEnabled(gears);
  m_list->setToolTip(strategy == Strategy::DynamicBatch       ? tr("One batch size per row, e.g. 8")
                     : strategy == Strategy::DynamicImageSize ? tr("One height,width pair per row, e.g. 640,640")
                     : strategy == Strategy::DynamicDims
                         ? tr("One value per -1 dim per row, in input order, e.g. 1,128")
                         : tr("This strategy has no gears"));
  fillPresets();
  updateButtons();
}

void GearListEditor::fillPresets() {
  m_presetMenu->clear();
  for (const auto& p : shape_config::gearPresets()) {
    if (p.strategy != m_strategy) continue;
    const auto gearText = QString::fromUtf8(p.gears.data(), static_cast<qsizetype>(p.gears.size()));
    auto* action =
        m_presetMenu->addAction(gearText + QStringLiteral("  —  ") +
                                QString::fromUtf8(p.description.data(), static_cast<qsizetype>(p.description.size())));
    connect(action, &QAction::triggered, this, [this, gearText] { applyPreset(gearText); });
  }
  m_presets->setEnabled(!m_presetMenu->isEmpty());
}

void GearListEditor::setGears(const QStringList& gears) {
  if (gears == this->gears()) return;
  m_updating = true;
  const int current = m_list->currentRow();
  m_list->clear();
  for (const auto& g : gears)
    m_list->addItem(makeItem(g));
  if (current >= 0 && current < m_list->count()) m_list->setCurrentRow(current);
  m_updating = false;
  updateButtons();
}

QStringList GearListEditor::gears() const {
  QStringList out;
  for (int i = 0; i < m_list->count(); ++i)
    out << m_list->item(i)->text();
  return out;
}

void GearListEditor::setFaultyRow(int row, const QString& message) {
  m_updating = true;
  for (int i = 0; i < m_list->count(); ++i) {
    auto* item = m_list->item(i);
    const bool faulty = i == row;
    item->setBackground(faulty ? QBrush(QColor(0xfd, 0xe2, 0xe1)) : QBrush());
    item->setToolTip(faulty ? message : QString());
  }
  m_updating = false;
}

void GearListEditor::addGear() {
  auto list = gears();
  // The next step up (twice the largest batch, the next image size), never a copy of a gear: a
  // duplicate would be an error the moment it appears.
  const QString next = nextGear(list, m_strategy);
  list << next;
  emit gearsEdited(list, tr("Add gear %1").arg(next));
  m_list->setCurrentRow(m_list->count() - 1);
}

void GearListEditor::removeCurrent() {
  const int row = m_list->currentRow();
  auto list = gears();
  if (row < 0 || row >= list.size()) return;
  const auto removed = list.takeAt(row);
  emit gearsEdited(list, tr("Remove gear %1").arg(removed));
}

void GearListEditor::moveCurrent(int delta) {
  const int row = m_list->currentRow();
  auto list = gears();
  const int to = row + delta;
  if (row < 0 || to < 0 || to >= list.size()) return;
  list.move(row, to);
  emit gearsEdited(list, tr("Move gear %1").arg(list[to]));
  m_list->setCurrentRow(to);
}

void GearListEditor::applyPreset(const QString& gearText) {
  QStringList list;
  for (const auto& g : gearText.split(separator(m_strategy), Qt::SkipEmptyParts))
    list << g.trimmed();
  emit gearsEdited(list, tr("Gear preset %1").arg(gearText));
}

void GearListEditor::itemEdited(QListWidgetItem* item) {
  if (m_updating) return;
  auto list = gears();
  const int row = m_list->row(item);
  // A batch row typed as "1,2,4" becomes three gears (the option's own syntax).
  if (m_strategy == Strategy::DynamicBatch && item->text().contains(QLatin1Char(','))) {
    QStringList parts;
    for (const auto& p : item->text().split(QLatin1Char(','), Qt::SkipEmptyParts))
      parts << p.trimmed();
    list.removeAt(row);
    for (int i = 0; i < parts.size(); ++i)
      list.insert(row + i, parts[i]);
  }
  emit gearsEdited(list, tr("Edit gear %1").arg(row));
}

void GearListEditor::updateButtons() {
  const int row = m_list->currentRow();
  const bool gears = isGearStrategy(m_strategy);
  m_add->setEnabled(gears);
  m_remove->setEnabled(gears && row >= 0);
  m_up->setEnabled(gears && row > 0);
  m_down->setEnabled(gears && row >= 0 && row + 1 < m_list->count());
}

} // namespace gs::ui
