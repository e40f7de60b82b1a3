// The studio's profile panel: runs every gear of the model on a device in the background ("Profile
// all gears", with progress and Cancel) and charts latency, throughput, memory, the latency
// distribution and the per-operator breakdown; compares the static / multi-gear / dynamic strategies;
// keeps a run history (stored with the project) and exports charts and reports.
//
// The main window feeds it the imported model, the shape configuration and, when the user has
// compiled, the compiled model; it connects nodeClicked() to the graph view.
#pragma once

#include <memory>
#include <optional>

#include <QFutureWatcher>
#include <QJsonArray>
#include <QJsonObject>
#include <QWidget>

#include "core/common/progress.h"
#include "core/compiler/shape_config/shape_config.h"
#include "core/ir/graph.h"
#include "core/om/model.h"
#include "core/profile/precision_matrix.h"
#include "core/profile/profile_types.h"
#include "core/session/compile_onnx.h"

class QComboBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTabWidget;
class QTableWidget;
class QToolButton;

namespace gs::ui {

class GroupedBarChart;
class HistogramChart;
class LatencyChart;
class MemoryChart;
class OpChart;
class PrecisionView;
class ProfileChart;
class RunHistoryView;
class StrategyView;
class ThroughputChart;
class TimeSeriesChart;

// Fixes a table's height to its rows (no empty area under short tables).
void fitTableHeight(QTableWidget* table);

class ProfilePanel : public QWidget {
  Q_OBJECT
public:
  explicit ProfilePanel(QWidget* parent = nullptr);
  ~ProfilePanel() override; // cancels a running job and waits for it

  // The imported model and its file (the comparison and compiles start from it).
  void setModel(std::shared_ptr<const ir::Model> model, QString onnxPath);
  // What to build (the user's whole form: shapes, gears, disabled passes); "Profile all gears" and
  // "Compare strategies" build through the one entry point with it.
  void setBuildRequest(const session::BuildRequest& request);
  // Only the shapes (no disabled passes): a request with this config.
  void setShapeConfig(const shape_config::ShapeConfig& config);
  // The project's current build and the key of the request it was made from. "Profile all gears"
  // reuses it when the key matches the request (an empty key: the caller vouches that it does);
  // otherwise it builds the request first and hands the model out with modelBuilt().
  void setCompiledModel(std::shared_ptr<const om::Model> model, const std::string& key = {});
  // The loop settings (device, threads, warm-up, loops) kept with a project.
  QJsonObject settingsJson() const;
  void setSettingsJson(const QJsonObject& settings);

  // Run history for the project file (one JSON object per run); setHistoryJson skips bad entries.
  QJsonArray historyJson() const;
  void setHistoryJson(const QJsonArray& runs);

  // The buttons' actions. False (with statusText() saying why) when busy or nothing to run.
  bool startProfile();
  bool startComparison();
  // "Compare precisions": builds the model at each checked precision (the form's shapes, gears, keep
  // list and calibration), profiles every gear and compares its outputs and layers with fp32.
  bool startPrecisionMatrix();
  // The precision choices "Compare precisions" runs ("fp32", "force_fp16", ..., "int8").
  QStringList precisionChoices() const;
  void setPrecisionChoices(const QStringList& choices);
  void cancel();
  bool isBusy() const;

  const std::optional<profile::ProfileReport>& report() const { return m_report; }
  const std::optional<profile::StrategyComparison>& comparison() const { return m_comparison; }
  const std::optional<profile::PrecisionMatrix>& precisionMatrix() const { return m_matrix; }
  QString statusText() const;
  QString lastError() const { return m_lastError; }
  // The compiled model profiles run on: the project's build, or the one the panel built itself.
  std::shared_ptr<const om::Model> compiledModel() const { return m_compiled; }
  // Whether the compiled model is the current request's (a profile would reuse it).
  bool compiledMatchesRequest() const;

  // Exports (the Export menu asks for a path and calls these). Markdown writes PNG charts next to it.
  bool exportJson(const QString& path, QString* error = nullptr) const;
  bool exportCsv(const QString& path, QString* error = nullptr) const;
  bool exportMarkdown(const QString& path, QString* error = nullptr, QStringList* written = nullptr) const;
  QList<ProfileChart*> charts() const;

  // Selects the gear shown by the histogram, time series and operator charts.
  void selectGear(int index);

  QComboBox* deviceBox() const { return m_device; }
  QSpinBox* threadsBox() const { return m_threads; }
  QSpinBox* warmupBox() const { return m_warmup; }
  QSpinBox* loopsBox() const { return m_loops; }
  QComboBox* gearBox() const { return m_gear; }
  QProgressBar* progressBar() const { return m_progress; }
  LatencyChart* latencyChart() const { return m_latency; }
  ThroughputChart* throughputChart() const { return m_throughput; }
  MemoryChart* memoryChart() const { return m_memory; }
  HistogramChart* histogramChart() const { return m_histogram; }
  TimeSeriesChart* timeSeriesChart() const { return m_timeSeries; }
  OpChart* opChart() const { return m_ops; }
  QTableWidget* gearTable() const { return m_gearTable; }
  StrategyView* strategyView() const { return m_strategies; }
  PrecisionView* precisionView() const { return m_precisionView; }
  RunHistoryView* historyView() const { return m_history; }
  QTabWidget* tabs() const { return m_tabs; }
  QLabel* warningLabel() const { return m_warning; }
  QWidget* gearsPage() const { return m_gearsPage; }

signals:
  // A bar of the operator chart was clicked: a node of the compiled graph of `gear` (the report's gear
  // index; -1 for a dynamic-shape model), which keeps the imported node's name where the node survived.
  void nodeClicked(const QString& nodeName, int gear);
  void profileFinished(bool ok); // also after a cancel (ok false) or a failure
  void comparisonFinished(bool ok);
  void precisionMatrixFinished(bool ok);
  void historyChanged(); // a run was added, renamed or deleted: the project is modified
  void busyChanged(bool busy);
  // The panel had to build the request itself (no matching build): the model and its build key.
  void modelBuilt(std::shared_ptr<const om::Model> model, const std::string& key);

private:
  struct JobOutput {
    std::optional<profile::ProfileReport> report;
    std::optional<profile::StrategyComparison> comparison;
    std::optional<profile::PrecisionMatrix> matrix;
    std::shared_ptr<const om::Model> compiled; // what the panel compiled itself
    std::string compiledKey;
    QString error;
  };
  enum class Job { None, Profile, Compare, Precision };

  void buildUi();
  QWidget* buildGearsTab();
  QToolButton* buildPrecisionButton(); // profile_panel_precision.cpp
  void showPrecisionMatrix(profile::PrecisionMatrix matrix);
  profile::ProfileRequest request() const;
  Progress jobProgress();
  void startJob(Job job, std::function<JobOutput()> work);
  void onProgress(double fraction, const QString& what);
  void onJobFinished();
  void showReport();
  void fillGearTable();
  void showMeasurement(const profile::MeasurementInfo& m);
  void fitTabsToPage();
  void setBusy(bool busy);
  void setStatus(const QString& text);
  void exportWithDialog(const QString& format);

  std::shared_ptr<const ir::Model> m_model;
  QString m_onnxPath;
  std::optional<shape_config::ShapeConfig> m_config;
  std::optional<session::BuildRequest> m_request;
  std::shared_ptr<const om::Model> m_compiled;
  std::string m_compiledKey;

  std::optional<profile::ProfileReport> m_report;
  std::optional<profile::StrategyComparison> m_comparison;
  std::optional<profile::PrecisionMatrix> m_matrix;
  QString m_lastError;

  QFutureWatcher<JobOutput> m_watcher;
  std::shared_ptr<CancelToken> m_cancel;
  Job m_job = Job::None;
  int m_runCounter = 0;

  QComboBox* m_device = nullptr;
  QSpinBox* m_threads = nullptr;
  QSpinBox* m_warmup = nullptr;
  QSpinBox* m_loops = nullptr;
  QPushButton* m_profileButton = nullptr;
  QPushButton* m_compareButton = nullptr;
  QToolButton* m_precisionButton = nullptr;
  QPushButton* m_cancelButton = nullptr;
  QToolButton* m_exportButton = nullptr;
  QProgressBar* m_progress = nullptr;
  QLabel* m_status = nullptr;
  QLabel* m_warning = nullptr;
  QTabWidget* m_tabs = nullptr;
  QWidget* m_gearsPage = nullptr;
  QComboBox* m_gear = nullptr;
  QTableWidget* m_gearTable = nullptr;
  LatencyChart* m_latency = nullptr;
  ThroughputChart* m_throughput = nullptr;
  MemoryChart* m_memory = nullptr;
  HistogramChart* m_histogram = nullptr;
  TimeSeriesChart* m_timeSeries = nullptr;
  OpChart* m_ops = nullptr;
  StrategyView* m_strategies = nullptr;
  PrecisionView* m_precisionView = nullptr;
  RunHistoryView* m_history = nullptr;
};

} // namespace gs::ui
