// The gear list of a multi-gear strategy: one editable row per gear ("4" for a batch size,
// "640,640" for an image size, "1,128" for dynamic dims), with add, remove, reorder and presets
// (shape_config::gearPresets). Emits the whole new list on every change; the owner turns it into
// one undo command.
#pragma once

#include <QStringList>
#include <QWidget>

#include "core/common/strategy.h"

class QListWidget;
class QListWidgetItem;
class QToolButton;
class QMenu;

namespace gs::ui {

class GearListEditor : public QWidget {
  Q_OBJECT
public:
  explicit GearListEditor(QWidget* parent = nullptr);

  void setStrategy(Strategy strategy);
  // Shows `gears` without emitting gearsEdited.
  void setGears(const QStringList& gears);
  QStringList gears() const;
  // Tints the row the validator blames (-1: none).
  void setFaultyRow(int row, const QString& message);

  // The actions, also used by tests.
  void addGear();
  void removeCurrent();
  void moveCurrent(int delta);
  void applyPreset(const QString& gearText);

  QListWidget* list() const { return m_list; }

signals:
  void gearsEdited(const QStringList& gears, const QString& what);

private:
  void itemEdited(QListWidgetItem* item);
  void updateButtons();
  void fillPresets();
  QListWidgetItem* makeItem(const QString& text) const;

  Strategy m_strategy = Strategy::Static;
  QListWidget* m_list;
  QToolButton* m_add;
  QToolButton* m_remove;
  QToolButton* m_up;
  QToolButton* m_down;
  QToolButton* m_presets;
  QMenu* m_presetMenu;
  bool m_updating = false;
};

} // namespace gs::ui
