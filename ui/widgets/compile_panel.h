// Compile results: a progress bar with the current step and Cancel while a compile runs, then the
// per-gear table (shapes, arena vs lower bound, compile time) and a summary (shared arena, weights,
// total time), with Save .om. Results of an older form are marked as stale.
#pragma once

#include <memory>

#include <QWidget>

#include "core/om/model.h"
#include "ui/models/gear_result_model.h"

class QLabel;
class QProgressBar;
class QPushButton;
class QTableView;

namespace gs::ui {

class CompilePanel : public QWidget {
  Q_OBJECT
public:
  explicit CompilePanel(QWidget* parent = nullptr);

  GearResultModel* results() const { return m_model; }
  QTableView* table() const { return m_table; }
  QLabel* summaryLabel() const { return m_summary; }

  void compileStarted(std::vector<GearResultModel::Row> planned);
  void compileProgress(double fraction, const QString& what, int gear);
  void compileFinished(std::shared_ptr<const om::Model> model, const QString& error, bool cancelled, double millis);
  void markStale(bool stale);
  void clear();

signals:
  void cancelRequested();
  void saveRequested();
  // A gear row was selected (its index in the compiled model); -1 when none.
  void gearSelected(int index);

private:
  GearResultModel* m_model;
  QTableView* m_table;
  QProgressBar* m_progress;
  QLabel* m_step;
  QLabel* m_summary;
  QPushButton* m_cancel;
  QPushButton* m_save;
  bool m_hasModel = false;
};

} // namespace gs::ui
