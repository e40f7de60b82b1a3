// ProfilePanel: controls, background jobs (QtConcurrent + a QFutureWatcher owned by the panel), result
// display, history and exports.
#include "ui/profile/profile_panel.h"

#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSpinBox>
#include <QTabWidget>
#include <QTableWidget>
#include <QThread>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include "core/common/log.h"
#include "core/profile/profile_export.h"
#include "core/profile/profile_runner.h"
#include "core/profile/run_history.h"
#include "core/profile/strategy_compare.h"
#include "core/runtime/device.h"
#include "core/session/compile_onnx.h"
#include "ui/profile/grouped_bar_chart.h"
#include "ui/profile/histogram_chart.h"
#include "ui/profile/latency_chart.h"
#include "ui/profile/memory_chart.h"
#include "ui/profile/op_chart.h"
#include "ui/profile/precision_view.h"
#include "ui/profile/report_export.h"
#include "ui/profile/run_history_view.h"
#include "ui/profile/strategy_view.h"
#include "ui/profile/throughput_chart.h"
#include "ui/profile/timeseries_chart.h"

namespace gs::ui {
namespace {

QString qs(const std::string& s) { return QString::fromStdString(s); }

QTableWidgetItem* cell(const QString& text, bool number = true) {
  auto* i = new QTableWidgetItem(text);
  i->setFlags(Qt::ItemIsSelectable | Qt::ItemIsEnabled);
  if (number) i->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
  return i;
}

} // namespace

void fitTableHeight(QTableWidget* table) {
  int h = table->horizontalHeader()->height() + 2 * table->frameWidth() + 2;
  for (int r = 0; r < table->rowCount(); ++r)
    h += table->rowHeight(r);
  if (table->horizontalScrollBar()->isVisible()) h += table->horizontalScrollBar()->height();
  table->setFixedHeight(std::max(h, 60));
}

ProfilePanel::ProfilePanel(QWidget* parent) : QWidget(parent) {
  setObjectName(QStringLiteral("profilePanel"));
  buildUi();
  connect(&m_watcher, &QFutureWatcher<JobOutput>::finished, this, &ProfilePanel::onJobFinished);
  connect(m_ops, &OpChart::nodeClicked, this, [this](const QString& node) {
    const int row = m_gear->currentIndex();
    const bool known = m_report && row >= 0 && row < static_cast<int>(m_report->gears.size());
    emit nodeClicked(node, known ? m_report->gears[static_cast<std::size_t>(row)].gear : -1);
  });
  connect(m_history, &RunHistoryView::historyChanged, this, &ProfilePanel::historyChanged);
  setBusy(false);
}

ProfilePanel::~ProfilePanel() {
  // The job posts progress to this panel: stop it before the panel goes (cancel takes effect
  // between runs, so this returns within one inference).
  if (m_cancel) m_cancel->cancel();
  m_watcher.waitForFinished();
}

void ProfilePanel::buildUi() {
  m_device = new QComboBox(this);
  for (const auto* d : runtime::devices())
    m_device->addItem(qs(std::string(d->name())));
  m_device->setToolTip(tr("Where the gears run (the devices of this build)"));
  m_threads = new QSpinBox(this);
  m_threads->setRange(0, std::max(1, QThread::idealThreadCount()) * 2);
  m_threads->setSpecialValueText(tr("default"));
  m_threads->setToolTip(tr("Kernel threads (OpenMP); default uses every core"));
  m_warmup = new QSpinBox(this);
  m_warmup->setRange(0, 10000);
  m_warmup->setValue(5);
  m_warmup->setToolTip(tr("Untimed runs per gear before measuring"));
  m_loops = new QSpinBox(this);
  m_loops->setRange(1, 1000000);
  m_loops->setValue(50);
  m_loops->setToolTip(tr("Measured runs per gear"));
  m_profileButton = new QPushButton(tr("Profile all gears"), this);
  m_compareButton = new QPushButton(tr("Compare strategies"), this);
  m_compareButton->setToolTip(tr("Build the gears as separate static models, one multi-gear model and one "
                                 "dynamic-shape model, and measure each"));
  m_cancelButton = new QPushButton(tr("Cancel"), this);
  m_exportButton = new QToolButton(this);
  m_exportButton->setText(tr("Export"));
  m_exportButton->setPopupMode(QToolButton::InstantPopup);
  auto* menu = new QMenu(m_exportButton);
  menu->addAction(tr("Profile as JSON…"), this, [this] { exportWithDialog(QStringLiteral("json")); });
  menu->addAction(tr("Profile as CSV…"), this, [this] { exportWithDialog(QStringLiteral("csv")); });
  menu->addAction(tr("Markdown report with charts…"), this, [this] { exportWithDialog(QStringLiteral("md")); });
  menu->addSeparator();
  menu->addAction(tr("Every chart (PNG, SVG and PDF) to a folder…"), this, [this] {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Export charts"));
    if (dir.isEmpty()) return;
    QStringList failed;
    for (auto* c : charts())
      for (const char* suffix : {"png", "svg", "pdf"})
        if (c->hasData() && !c->exportTo(dir + "/" + c->chartId() + "." + suffix)) failed << c->chartId();
    setStatus(failed.isEmpty() ? tr("Charts written to %1").arg(dir) : tr("Failed: %1").arg(failed.join(", ")));
  });
  m_exportButton->setMenu(menu);

  m_progress = new QProgressBar(this);
  m_progress->setRange(0, 1000);
  m_progress->setTextVisible(false);
  m_status = new QLabel(tr("Open a model to profile its gears."), this);
  m_status->setObjectName(QStringLiteral("profileStatus"));
  m_status->setWordWrap(true);
  // The contention check's warning: visible whenever the last measurement saw other work competing.
  m_warning = new QLabel(this);
  m_warning->setObjectName(QStringLiteral("profileWarning"));
  m_warning->setWordWrap(true);
  m_warning->setStyleSheet(QStringLiteral("QLabel { background: #fff4ce; color: #5c4400; border: 1px solid #e0c060; "
                                          "border-radius: 3px; padding: 4px; }"));
  m_warning->setVisible(false);

  // Two rows (settings, then actions) so the panel stays narrow beside the docks.
  auto* settings = new QHBoxLayout;
  for (auto [label, widget] : {std::pair{tr("Device"), static_cast<QWidget*>(m_device)},
                               std::pair{tr("Threads"), static_cast<QWidget*>(m_threads)},
                               std::pair{tr("Warm-up"), static_cast<QWidget*>(m_warmup)},
                               std::pair{tr("Loops"), static_cast<QWidget*>(m_loops)}}) {
    settings->addWidget(new QLabel(label, this));
    settings->addWidget(widget);
    settings->addSpacing(6);
  }
  settings->addStretch(1);
  auto* actions = new QHBoxLayout;
  actions->addWidget(m_profileButton);
  actions->addWidget(m_compareButton);
  m_precisionButton = buildPrecisionButton();
  actions->addWidget(m_precisionButton);
  actions->addWidget(m_cancelButton);
  actions->addStretch(1);
  actions->addWidget(m_exportButton);
  auto* progress = new QHBoxLayout;
  progress->addWidget(m_progress, 1);
  progress->addWidget(m_status, 2);

  // The panel scrolls as one page (the main window puts it in a scroll area): no scroll areas inside,
  // so charts keep their size instead of being squeezed into a nested viewport.
  m_strategies = new StrategyView(this);
  m_strategies->setObjectName(QStringLiteral("profileStrategies"));
  m_precisionView = new PrecisionView(this);
  m_precisionView->setObjectName(QStringLiteral("profilePrecision"));
  connect(m_precisionView, &PrecisionView::layerActivated, this, &ProfilePanel::nodeClicked);
  m_history = new RunHistoryView(this);
  m_history->setObjectName(QStringLiteral("profileHistory"));
  m_tabs = new QTabWidget(this);
  m_tabs->addTab(buildGearsTab(), tr("Gears"));
  m_tabs->addTab(m_strategies, tr("Strategies"));
  m_tabs->addTab(m_precisionView, tr("Precision"));
  m_tabs->addTab(m_history, tr("History"));
  connect(m_tabs, &QTabWidget::currentChanged, this, &ProfilePanel::fitTabsToPage);
  fitTabsToPage();

  auto* layout = new QVBoxLayout(this);
  layout->addLayout(settings);
  layout->addLayout(actions);
  layout->addLayout(progress);
  layout->addWidget(m_warning);
  layout->addWidget(m_tabs, 1);

  connect(m_profileButton, &QPushButton::clicked, this, [this] { startProfile(); });
  connect(m_compareButton, &QPushButton::clicked, this, [this] { startComparison(); });
  connect(m_cancelButton, &QPushButton::clicked, this, &ProfilePanel::cancel);
}

QWidget* ProfilePanel::buildGearsTab() {
  auto* content = new QWidget;
  content->setObjectName(QStringLiteral("profileGears"));
  m_latency = new LatencyChart(content);
  m_throughput = new ThroughputChart(content);
  m_memory = new MemoryChart(content);
  m_histogram = new HistogramChart(content);
  m_timeSeries = new TimeSeriesChart(content);
  m_ops = new OpChart(content);
  m_ops->setMinimumHeight(300);
  m_gearTable = new QTableWidget(content);
  m_gearTable->setObjectName(QStringLiteral("gearTable"));
  m_gearTable->verticalHeader()->setVisible(false);
  m_gearTable->setFixedHeight(60);
  m_gear = new QComboBox(content);
  m_gear->setMinimumContentsLength(16);
  connect(m_gear, &QComboBox::currentIndexChanged, this, &ProfilePanel::selectGear);

  auto* gearRow = new QHBoxLayout;
  gearRow->addWidget(new QLabel(tr("Gear for the distribution and operator charts:"), content));
  gearRow->addWidget(m_gear);
  gearRow->addStretch(1);
  // Overview table, then the charts comparing gears, then the selected gear's details.
  auto* grid = new QGridLayout(content);
  grid->addWidget(m_gearTable, 0, 0, 1, 2);
  grid->addWidget(m_latency, 1, 0);
  grid->addWidget(m_throughput, 1, 1);
  grid->addWidget(m_memory, 2, 0, 1, 2);
  grid->addLayout(gearRow, 3, 0, 1, 2);
  grid->addWidget(m_histogram, 4, 0);
  grid->addWidget(m_timeSeries, 4, 1);
  grid->addWidget(m_ops, 5, 0, 1, 2);
  grid->setColumnStretch(0, 1);
  grid->setColumnStretch(1, 1);
  for (auto* chart : std::initializer_list<QWidget*>{m_latency, m_throughput, m_memory, m_histogram, m_timeSeries})
    chart->setMinimumHeight(300);
  m_gearsPage = content;
  return content;
}

// A QTabWidget is as tall as its tallest page; the page shown decides the height instead, so a short
// tab (History) does not leave the tall Gears page's height empty below it.
void ProfilePanel::fitTabsToPage() {
  for (int i = 0; i < m_tabs->count(); ++i) {
    auto* page = m_tabs->widget(i);
    page->setSizePolicy(QSizePolicy::Preferred,
                        i == m_tabs->currentIndex() ? QSizePolicy::Preferred : QSizePolicy::Ignored);
    page->updateGeometry();
  }
  m_tabs->updateGeometry();
}

void ProfilePanel::setModel(std::shared_ptr<const ir::Model> model, QString onnxPath) {
  m_model = std::move(model);
  m_onnxPath = std::move(onnxPath);
  m_compiled.reset();
  m_compiledKey.clear();
  m_request.reset();
  m_config.reset();
  if (!isBusy()) setStatus(m_model ? tr("Ready: %1").arg(QFileInfo(m_onnxPath).fileName()) : tr("No model."));
}

void ProfilePanel::setBuildRequest(const session::BuildRequest& request) {
  if (m_request && *m_request == request) return;
  m_request = request;
  m_config = request.config;
}

void ProfilePanel::setShapeConfig(const shape_config::ShapeConfig& config) {
  session::BuildRequest r = m_request.value_or(session::BuildRequest{});
  r.config = config;
  setBuildRequest(r);
}

void ProfilePanel::setCompiledModel(std::shared_ptr<const om::Model> model, const std::string& key) {
  m_compiled = std::move(model);
  m_compiledKey = m_compiled ? key : std::string();
}

bool ProfilePanel::compiledMatchesRequest() const {
  if (!m_compiled) return false;
  if (m_compiledKey.empty()) return true; // handed in without a key: the caller vouches for it
  return m_model && m_request && session::buildKey(*m_model, *m_request) == m_compiledKey;
}

QJsonObject ProfilePanel::settingsJson() const {
  return QJsonObject{{QStringLiteral("device"), m_device->currentText()},
                     {QStringLiteral("threads"), m_threads->value()},
                     {QStringLiteral("warmup"), m_warmup->value()},
                     {QStringLiteral("loops"), m_loops->value()}};
}

void ProfilePanel::setSettingsJson(const QJsonObject& settings) {
  if (settings.isEmpty()) return;
  const int device = m_device->findText(settings.value(QStringLiteral("device")).toString());
  if (device >= 0) m_device->setCurrentIndex(device);
  // Out-of-range values (a hand-edited file) are clamped by the spin boxes.
  m_threads->setValue(settings.value(QStringLiteral("threads")).toInt(m_threads->value()));
  m_warmup->setValue(settings.value(QStringLiteral("warmup")).toInt(m_warmup->value()));
  m_loops->setValue(settings.value(QStringLiteral("loops")).toInt(m_loops->value()));
}

QJsonArray ProfilePanel::historyJson() const {
  QJsonArray out;
  for (const auto& r : m_history->runs()) {
    const auto doc = QJsonDocument::fromJson(QByteArray::fromStdString(profile::toJson(r).dump()));
    out.append(doc.object());
  }
  return out;
}

void ProfilePanel::setHistoryJson(const QJsonArray& runs) {
  std::vector<profile::RunRecord> records;
  for (const auto& v : runs) {
    const auto text = QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact).toStdString();
    auto j = nlohmann::json::parse(text, nullptr, false);
    auto r = profile::runRecordFromJson(j);
    if (!r) {
      log::get("ui")->warn("profile history: skipped a run: {}", r.error().str());
      continue;
    }
    records.push_back(std::move(*r));
  }
  m_runCounter = static_cast<int>(records.size());
  m_history->setRuns(std::move(records));
}

profile::ProfileRequest ProfilePanel::request() const {
  profile::ProfileRequest r;
  r.modelPath = m_onnxPath.toStdString();
  r.device = m_device->currentText().toStdString();
  r.threads = m_threads->value();
  r.warmup = m_warmup->value();
  r.loops = m_loops->value();
  if (m_request) {
    r.disabledPasses = m_request->disabledPasses;
    r.reproducibleBuilds = m_request->reproducible;
    r.atcCommand = m_request->atcCommand;
  }
  return r;
}

Progress ProfilePanel::jobProgress() {
  Progress p;
  p.cancel = m_cancel.get();
  // Runs on the worker thread: hand the numbers to the GUI thread. The destructor waits for the job,
  // so `this` outlives every call; events still queued when the panel goes are dropped with it.
  p.report = [this](double fraction, const std::string& what) {
    QMetaObject::invokeMethod(
        this, [this, fraction, text = qs(what)] { onProgress(fraction, text); }, Qt::QueuedConnection);
  };
  return p;
}

void ProfilePanel::startJob(Job job, std::function<JobOutput()> work) {
  m_job = job;
  m_lastError.clear();
  m_progress->setValue(0);
  setBusy(true);
  // No exception leaves the worker: QtConcurrent would rethrow it in the GUI thread and end the app.
  m_watcher.setFuture(QtConcurrent::run([work = std::move(work)]() -> JobOutput {
    JobOutput failed;
    try {
      return work();
    } catch (const std::exception& e) {
      failed.error = QStringLiteral("The job failed: %1").arg(QString::fromLocal8Bit(e.what()));
    } catch (...) {
      failed.error = QStringLiteral("The job failed with an unknown error.");
    }
    return failed;
  }));
}

bool ProfilePanel::startProfile() {
  if (isBusy()) return false;
  const bool reuse = compiledMatchesRequest();
  if (!reuse && (!m_model || !m_request)) {
    setStatus(tr("Open a model and set its shapes (or compile it) before profiling."));
    return false;
  }
  m_cancel = std::make_shared<CancelToken>();
  auto progress = jobProgress();
  auto model = m_model;
  auto build = m_request;
  auto compiled = reuse ? m_compiled : nullptr;
  auto req = request();
  auto token = m_cancel; // keeps the token alive for the job
  setStatus(compiled ? tr("Profiling…") : tr("Building the gears, then profiling…"));
  startJob(Job::Profile, [=]() -> JobOutput {
    (void)token;
    JobOutput out;
    auto om = compiled;
    if (!om) {
      // The same entry point and request as Build: what is profiled is what Build would make.
      auto m = session::buildModel(*model, *build, progress.sub(0.0, 0.3));
      if (!m) {
        out.error = qs(m.error().str());
        return out;
      }
      om = std::make_shared<const om::Model>(std::move(*m));
      out.compiled = om;
      out.compiledKey = session::buildKey(*model, *build);
    }
    const double base = out.compiled ? 0.3 : 0.0;
    auto r = profile::profileAllGears(*om, req, progress.sub(base, 1.0));
    if (!r)
      out.error = qs(r.error().str());
    else
      out.report = std::move(*r);
    return out;
  });
  return true;
}

bool ProfilePanel::startComparison() {
  if (isBusy()) return false;
  if (!m_model || !m_config) {
    setStatus(tr("Open a model and set its gears before comparing strategies."));
    return false;
  }
  if (!isGearStrategy(m_config->strategy)) {
    setStatus(tr("Comparing strategies needs gears: choose dynamic batch, image size or dims."));
    return false;
  }
  m_cancel = std::make_shared<CancelToken>();
  auto progress = jobProgress();
  auto model = m_model;
  auto config = *m_config;
  auto req = request();
  auto token = m_cancel;
  setStatus(tr("Building and measuring three strategies…"));
  startJob(Job::Compare, [=]() -> JobOutput {
    (void)token;
    JobOutput out;
    auto c = profile::compareStrategies(*model, config, req, progress);
    if (!c)
      out.error = qs(c.error().str());
    else
      out.comparison = std::move(*c);
    return out;
  });
  return true;
}

void ProfilePanel::cancel() {
  if (!isBusy() || !m_cancel) return;
  m_cancel->cancel();
  setStatus(tr("Cancelling…"));
}

bool ProfilePanel::isBusy() const { return m_job != Job::None; }

QString ProfilePanel::statusText() const { return m_status->text(); }

void ProfilePanel::onProgress(double fraction, const QString& what) {
  if (!isBusy()) return;
  m_progress->setValue(static_cast<int>(std::clamp(fraction, 0.0, 1.0) * 1000));
  if (!m_cancel || !m_cancel->cancelled()) setStatus(what);
}

void ProfilePanel::onJobFinished() {
  const Job job = m_job;
  JobOutput out = m_watcher.result();
  m_job = Job::None;
  setBusy(false);
  m_progress->setValue(1000);
  bool ok = out.error.isEmpty();
  if (!ok) {
    m_lastError = out.error;
    setStatus(tr("Failed: %1").arg(out.error));
  }
  if (out.compiled) {
    m_compiled = out.compiled;
    m_compiledKey = out.compiledKey;
    emit modelBuilt(out.compiled, out.compiledKey);
  }
  if (job == Job::Profile && out.report) {
    m_report = std::move(out.report);
    ok = !m_report->cancelled;
    showReport();
    showMeasurement(m_report->measurement);
    // A finished profile shows its results: the Gears tab, scrolled so that the results start at the
    // top of the page, with the contention warning (when there is one) just above them.
    m_tabs->setCurrentIndex(0);
    for (QWidget* w = parentWidget(); w; w = w->parentWidget())
      if (auto* scroll = qobject_cast<QScrollArea*>(w)) {
        QWidget* top = m_warning->isVisibleTo(this) ? static_cast<QWidget*>(m_warning) : m_tabs;
        QTimer::singleShot(0, scroll, [scroll, top] { // after the layout placed the warning
          if (scroll->widget()) scroll->verticalScrollBar()->setValue(top->mapTo(scroll->widget(), QPoint(0, 0)).y());
        });
        break;
      }
    if (m_report->cancelled) {
      setStatus(tr("Cancelled: %1 of the gears finished.").arg(m_report->gears.size()));
    } else {
      ++m_runCounter;
      const QString label = tr("Run %1 (%2, %3 thread(s))")
                                .arg(m_runCounter)
                                .arg(qs(m_report->device))
                                .arg(m_report->threads > 0 ? QString::number(m_report->threads) : tr("default"));
      m_history->addRun(profile::makeRunRecord(*m_report, label.toStdString()));
      setStatus(tr("Profiled %1 gear(s) with %2 runs each.").arg(m_report->gears.size()).arg(m_report->loops));
    }
  }
  if (job == Job::Compare && out.comparison) {
    m_comparison = std::move(out.comparison);
    ok = !m_comparison->cancelled;
    m_strategies->setComparison(*m_comparison);
    showMeasurement(m_comparison->measurement);
    m_tabs->setCurrentIndex(1);
    setStatus(m_comparison->cancelled ? tr("Comparison cancelled.") : tr("Compared three strategies."));
  }
  if (job == Job::Precision && out.matrix) {
    ok = !out.matrix->cancelled;
    showPrecisionMatrix(std::move(*out.matrix));
  }
  if (job == Job::Profile) emit profileFinished(ok);
  if (job == Job::Precision) emit precisionMatrixFinished(ok);
  if (job == Job::Compare) emit comparisonFinished(ok);
}

void ProfilePanel::showReport() {
  m_latency->setReport(*m_report);
  m_throughput->setReport(*m_report);
  m_memory->setReport(*m_report);
  fillGearTable();
  const QSignalBlocker block(m_gear);
  m_gear->clear();
  for (const auto& g : m_report->gears)
    m_gear->addItem(qs(g.label));
  // The largest gear is the usual first question.
  selectGear(m_report->gears.empty() ? -1 : static_cast<int>(m_report->gears.size()) - 1);
}

void ProfilePanel::showMeasurement(const profile::MeasurementInfo& m) {
  const auto warning = profile::contentionWarning(m);
  m_warning->setText(warning.empty() ? QString() : tr("⚠ %1").arg(qs(warning)));
  m_warning->setVisible(!warning.empty());
}

void ProfilePanel::fillGearTable() {
  const QStringList headers{tr("Gear"),       tr("Median (ms)"),   tr("Median 95% CI"),  tr("p99 (ms)"),
                            tr("Samples/s"),  tr("GFLOP/s"),       tr("Preempted runs"), tr("Arena"),
                            tr("RSS growth"), tr("First run (ms)")};
  m_gearTable->clear();
  m_gearTable->setColumnCount(static_cast<int>(headers.size()));
  m_gearTable->setHorizontalHeaderLabels(headers);
  m_gearTable->setRowCount(static_cast<int>(m_report->gears.size()));
  for (int r = 0; r < static_cast<int>(m_report->gears.size()); ++r) {
    const auto& g = m_report->gears[static_cast<std::size_t>(r)];
    auto* label = cell(qs(g.label), false);
    label->setToolTip(qs(profile::shapesText(g.inputs)));
    m_gearTable->setItem(r, 0, label);
    m_gearTable->setItem(r, 1, cell(QString::number(g.latency.median, 'f', 3)));
    m_gearTable->setItem(r, 2,
                         cell(QStringLiteral("[%1, %2]").arg(g.medianCi.lo, 0, 'f', 3).arg(g.medianCi.hi, 0, 'f', 3)));
    m_gearTable->setItem(r, 3, cell(QString::number(g.latency.p99, 'f', 3)));
    m_gearTable->setItem(r, 4, cell(QString::number(g.samplesPerSec, 'f', 1)));
    m_gearTable->setItem(r, 5, cell(QString::number(g.gflopsPerSec, 'f', 2)));
    m_gearTable->setItem(r, 6, cell(QStringLiteral("%1 / %2").arg(g.preemptedRuns).arg(g.samples.size())));
    m_gearTable->setItem(r, 7, cell(qs(profile::humanBytes(g.memory.gearArenaBytes))));
    m_gearTable->setItem(r, 8, cell(qs(profile::humanBytes(g.memory.rssGrowthBytes))));
    m_gearTable->setItem(r, 9, cell(QString::number(g.firstMillis, 'f', 3)));
  }
  m_gearTable->resizeColumnsToContents();
  fitTableHeight(m_gearTable);
}

void ProfilePanel::selectGear(int index) {
  if (!m_report || index < 0 || index >= static_cast<int>(m_report->gears.size())) {
    m_histogram->clearGear();
    m_timeSeries->clearGear();
    m_ops->clearGear();
    return;
  }
  if (m_gear->currentIndex() != index) {
    const QSignalBlocker block(m_gear);
    m_gear->setCurrentIndex(index);
  }
  const auto& g = m_report->gears[static_cast<std::size_t>(index)];
  m_histogram->setGear(g);
  m_timeSeries->setGear(g);
  m_ops->setGear(g);
}

void ProfilePanel::setBusy(bool busy) {
  m_profileButton->setEnabled(!busy);
  m_compareButton->setEnabled(!busy);
  m_precisionButton->setEnabled(!busy);
  m_cancelButton->setEnabled(busy);
  m_exportButton->setEnabled(!busy);
  for (QWidget* w : {static_cast<QWidget*>(m_device), static_cast<QWidget*>(m_threads), static_cast<QWidget*>(m_warmup),
                     static_cast<QWidget*>(m_loops)})
    w->setEnabled(!busy);
  m_progress->setVisible(busy);
  emit busyChanged(busy);
}

void ProfilePanel::setStatus(const QString& text) { m_status->setText(text); }

QList<ProfileChart*> ProfilePanel::charts() const {
  return {m_latency,
          m_throughput,
          m_memory,
          m_histogram,
          m_timeSeries,
          m_ops,
          m_strategies->latencyChart(),
          m_strategies->memoryChart(),
          m_strategies->compileChart(),
          m_strategies->sizeChart(),
          m_precisionView->latencyChart()};
}

bool ProfilePanel::exportJson(const QString& path, QString* error) const {
  ProfileExportData d;
  d.report = m_report ? &*m_report : nullptr;
  d.comparison = m_comparison ? &*m_comparison : nullptr;
  d.matrix = m_matrix ? &*m_matrix : nullptr;
  d.history = m_history->runs();
  return writeProfileJson(path, d, error);
}

bool ProfilePanel::exportCsv(const QString& path, QString* error) const {
  ProfileExportData d;
  d.report = m_report ? &*m_report : nullptr;
  d.comparison = m_comparison ? &*m_comparison : nullptr;
  d.matrix = m_matrix ? &*m_matrix : nullptr;
  return writeProfileCsv(path, d, error);
}

bool ProfilePanel::exportMarkdown(const QString& path, QString* error, QStringList* written) const {
  ProfileExportData d;
  d.report = m_report ? &*m_report : nullptr;
  d.comparison = m_comparison ? &*m_comparison : nullptr;
  d.matrix = m_matrix ? &*m_matrix : nullptr;
  d.runDelta = m_history->delta() ? &*m_history->delta() : nullptr;
  d.history = m_history->runs();
  d.charts = charts();
  return writeMarkdownReport(path, d, error, written);
}

void ProfilePanel::exportWithDialog(const QString& format) {
  const QString filter = format == "json"  ? tr("JSON (*.json)")
                         : format == "csv" ? tr("CSV (*.csv)")
                                           : tr("Markdown (*.md)");
  const QString path = QFileDialog::getSaveFileName(this, tr("Export profile"), "profile." + format, filter);
  if (path.isEmpty()) return;
  QString error;
  const bool ok = format == "json"  ? exportJson(path, &error)
                  : format == "csv" ? exportCsv(path, &error)
                                    : exportMarkdown(path, &error);
  if (!ok)
    QMessageBox::warning(this, tr("Export profile"), error);
  else
    setStatus(tr("Exported %1").arg(path));
}

} // namespace gs::ui
