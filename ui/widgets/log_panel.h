// The log panel: every spdlog record of the studio and the core (import, compiler, shape_config,
// ui), newest at the bottom, with a level filter and Clear.
#pragma once

#include <QWidget>

class QComboBox;
class QSortFilterProxyModel;
class QTableView;

namespace gs::ui {

class LogModel;

class LogPanel : public QWidget {
  Q_OBJECT
public:
  explicit LogPanel(QWidget* parent = nullptr);
  LogModel* model() const { return m_model; }

private:
  LogModel* m_model;
  QSortFilterProxyModel* m_filter;
  QTableView* m_view;
  QComboBox* m_level;
};

} // namespace gs::ui
