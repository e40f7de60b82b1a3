// The run history tab: every finished profile is kept as a run record (stored with the project);
// selecting two runs shows the per-gear deltas (median, p99, samples/s, arena, peak RSS).
#pragma once

#include <optional>
#include <vector>

#include <QWidget>

#include "core/profile/run_history.h"

class QLabel;
class QListWidget;
class QPushButton;
class QTableWidget;

namespace gs::ui {

class RunHistoryView : public QWidget {
  Q_OBJECT
public:
  explicit RunHistoryView(QWidget* parent = nullptr);

  const std::vector<profile::RunRecord>& runs() const { return m_runs; }
  void setRuns(std::vector<profile::RunRecord> runs);
  void addRun(profile::RunRecord run);
  void removeRun(int index);
  void renameRun(int index, const QString& label);

  // Compares runs a and b (selects them in the list); the deltas appear in deltaTable().
  void comparePair(int a, int b);
  const std::optional<profile::RunComparison>& delta() const { return m_delta; }

  QListWidget* list() const { return m_list; }
  QTableWidget* deltaTable() const { return m_table; }

signals:
  void historyChanged();

private:
  void rebuildList();
  void selectionChanged();
  void showDelta();

  std::vector<profile::RunRecord> m_runs;
  std::optional<profile::RunComparison> m_delta;
  QListWidget* m_list;
  QTableWidget* m_table;
  QLabel* m_hint;
  QPushButton* m_rename;
  QPushButton* m_remove;
};

} // namespace gs::ui
