// The studio's Traffic panel: load or generate a shape trace, see its histogram (one dynamic dim) or
// heat map (two) with the form's gears drawn over it and each gear's padding waste, recommend gears
// under budgets (calibrates a cost model by measuring candidate gears, then core/traffic's optimizer),
// show the Pareto front (gear count vs expected latency vs arena) and apply a point to the form (one
// undo step, through applyGearsRequested), and replay the strategies on the trace. Long work runs in
// the background with progress and Cancel; the GUI thread never waits.
#pragma once

#include <atomic>
#include <memory>
#include <optional>

#include <QFutureWatcher>
#include <QStringList>
#include <QWidget>

#include "core/common/progress.h"
#include "core/ir/graph.h"
#include "core/traffic/gear_models.h"
#include "core/traffic/planner.h"
#include "core/traffic/trace.h"
#include "ui/models/form_state.h"

class QCustomPlot;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTableWidget;
class QTimer;

namespace gs::ui {

class TrafficPanel : public QWidget {
  Q_OBJECT
public:
  explicit TrafficPanel(QWidget* parent = nullptr);
  ~TrafficPanel() override; // cancels running work and waits for it

  void setModel(std::shared_ptr<const ir::Model> model);
  // The form: its -1 dims are the dims to plan, its gears are drawn over the trace.
  void setForm(const FormState& form);

  bool loadTrace(const QString& path, QString* error = nullptr);
  bool generate(QString* error = nullptr); // from the distribution field, requests and seed
  void setTrace(traffic::Trace trace);
  const std::optional<traffic::Trace>& trace() const { return m_trace; }

  bool startRecommend(); // false (statusText says why) when busy or nothing to plan
  bool startCompare();
  void cancel();
  bool isBusy() const;
  QString statusText() const;

  const std::vector<traffic::GearSet>& pareto() const { return m_pareto; }
  // Applies Pareto point `row` (emits applyGearsRequested).
  bool applyPoint(int row);
  // The per-gear padding waste of the form's gears on the trace, in gear order (for tests and labels).
  std::vector<double> gearWaste() const;

  QCustomPlot* tracePlot() const { return m_plot; }
  QCustomPlot* paretoPlot() const { return m_paretoPlot; }
  QTableWidget* paretoTable() const { return m_paretoTable; }
  QTableWidget* compareTable() const { return m_compareTable; }

  // Test hook: measure fewer loops when calibrating and replay fewer requests.
  void setMeasureBudget(int loops, int requests);

signals:
  // Strategy and gear rows as the form holds them ("320" per row for one dim, "h,w" for two).
  void applyGearsRequested(Strategy strategy, const QStringList& gears);
  void busyChanged(bool busy);
  void finished(); // a background job ended (successfully or not)

private:
  struct PlanResult {
    std::vector<traffic::GearSet> sets;
    traffic::Calibration calibration;
  };
  std::optional<traffic::GearSpec> spec(QString* why) const;
  std::vector<std::vector<int64_t>> formGears() const;
  std::vector<std::pair<std::size_t, std::size_t>> traceDims(const traffic::GearSpec& spec) const;
  void redrawTrace();
  void redrawPareto();
  void setBusy(bool busy, const QString& what);
  void onPlanFinished();
  void onCompareFinished();

  std::shared_ptr<const ir::Model> m_model;
  FormState m_form;
  std::optional<traffic::Trace> m_trace;
  std::vector<traffic::GearSet> m_pareto;
  std::optional<traffic::GearSpec> m_planSpec;
  QString m_status;
  int m_loops = 10;
  int m_requests = 200;

  CancelToken m_cancel;
  std::shared_ptr<std::atomic<double>> m_progress;
  QFutureWatcher<Expected<PlanResult>> m_planWatcher;
  QFutureWatcher<Expected<std::vector<traffic::StrategyRun>>> m_compareWatcher;
  QTimer* m_progressTimer = nullptr;

  QLineEdit* m_dist = nullptr;
  QSpinBox* m_genRequests = nullptr;
  QSpinBox* m_seed = nullptr;
  QLabel* m_summary = nullptr;
  QCustomPlot* m_plot = nullptr;
  QSpinBox* m_maxGears = nullptr;
  QSpinBox* m_step = nullptr;
  QDoubleSpinBox* m_maxMemory = nullptr;
  QPushButton* m_recommend = nullptr;
  QPushButton* m_compare = nullptr;
  QPushButton* m_cancelButton = nullptr;
  QPushButton* m_apply = nullptr;
  QProgressBar* m_progressBar = nullptr;
  QLabel* m_statusLabel = nullptr;
  QCustomPlot* m_paretoPlot = nullptr;
  QTableWidget* m_paretoTable = nullptr;
  QTableWidget* m_compareTable = nullptr;
};

} // namespace gs::ui
