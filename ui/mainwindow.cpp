// See mainwindow.h.
#include "ui/mainwindow.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMimeData>
#include <QProgressBar>
#include <QSaveFile>
#include <QScrollArea>
#include <QSettings>
#include <QShowEvent>
#include <QStatusBar>
#include <QTabWidget>
#include <QTimer>
#include <QToolBar>
#include <QUndoStack>

#include "core/common/log.h"
#include "core/compiler/compile.h"
#include "core/om/om_file.h"
#include "ui/autosaver.h"
#include "ui/jobs/compile_job.h"
#include "ui/jobs/load_job.h"
#include "ui/models/gear_result_model.h"
#include "ui/profile/profile_panel.h"
#include "ui/project.h"
#include "ui/recent_files.h"
#include "ui/traffic/traffic_panel.h"
#include "ui/views/display_graph.h"
#include "ui/views/node_properties.h"
#include "ui/widgets/atc_command_panel.h"
#include "ui/widgets/compile_panel.h"
#include "ui/widgets/dialogs.h"
#include "ui/widgets/graph_area.h"
#include "ui/widgets/inputs_editor.h"
#include "ui/widgets/log_panel.h"

namespace gs::ui {
namespace {

bool isProjectFile(const QString& path) { return path.endsWith(QLatin1String(".gearproj"), Qt::CaseInsensitive); }

bool isOmFile(const QString& path) { return path.endsWith(QLatin1String(".om"), Qt::CaseInsensitive); }

bool isOpenable(const QString& path) {
  return isProjectFile(path) || isOmFile(path) || path.endsWith(QLatin1String(".onnx"), Qt::CaseInsensitive);
}

std::string str(const QString& s) { return s.toStdString(); }

QString shapeText(const std::vector<int64_t>& dims) {
  QStringList parts;
  for (auto d : dims)
    parts << QString::number(d);
  return QLatin1Char('[') + parts.join(QLatin1Char(',')) + QLatin1Char(']');
}

QDockWidget* makeDock(const QString& title, const QString& name, QWidget* content, QMainWindow* window) {
  auto* dock = new QDockWidget(title, window);
  dock->setObjectName(name);
  dock->setWidget(content);
  dock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetClosable |
                    QDockWidget::DockWidgetFloatable);
  return dock;
}

} // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
  setObjectName(QStringLiteral("GearStudioMainWindow"));
  setAcceptDrops(true);
  setDockOptions(QMainWindow::AnimatedDocks | QMainWindow::AllowTabbedDocks);
  // The editor and the properties run the full height; results and log sit under the graph.
  setCorner(Qt::BottomLeftCorner, Qt::LeftDockWidgetArea);
  setCorner(Qt::TopLeftCorner, Qt::LeftDockWidgetArea);
  setCorner(Qt::BottomRightCorner, Qt::RightDockWidgetArea);
  setCorner(Qt::TopRightCorner, Qt::RightDockWidgetArea);
  m_project = new Project(this);
  m_autosaver = new Autosaver(m_project, this);
  m_loader = new LoadJob(this);
  m_compiler = new CompileJob(this);

  // The centre: the graph, and the profile with its charts (they need the room a dock lacks).
  m_centre = new QTabWidget(this);
  m_centre->setObjectName(QStringLiteral("centreTabs"));
  m_centre->setDocumentMode(true);
  m_graph = new GraphArea(m_centre);
  m_centre->addTab(m_graph, tr("Graph"));
  setCentralWidget(m_centre);
  createDocks();
  createActions();

  m_statusModel = new QLabel(this);
  m_statusNodes = new QLabel(this);
  m_statusInputs = new QLabel(this);
  m_busy = new QProgressBar(this);
  m_busy->setRange(0, 0);
  m_busy->setMaximumWidth(120);
  m_busy->setMaximumHeight(14);
  m_busy->setVisible(false);
  statusBar()->addWidget(m_statusModel);
  statusBar()->addWidget(m_statusNodes);
  statusBar()->addWidget(m_statusInputs, 1);
  statusBar()->addPermanentWidget(m_busy);

  connect(m_loader, &LoadJob::started, this, [this](const QString& path) {
    m_busy->setVisible(true);
    statusBar()->showMessage(tr("Opening %1…").arg(QFileInfo(path).fileName()));
  });
  connect(m_loader, &LoadJob::finished, this, &MainWindow::loadFinishedInternal);
  connect(m_compiler, &CompileJob::progress, m_compile, &CompilePanel::compileProgress);
  connect(m_compiler, &CompileJob::finished, this, &MainWindow::compileFinishedInternal);
  connect(m_compile, &CompilePanel::cancelRequested, this, &MainWindow::cancelBuild);
  connect(m_compile, &CompilePanel::saveRequested, this, &MainWindow::saveOm);
  connect(m_compile, &CompilePanel::gearSelected, m_graph, &GraphArea::showGear);
  connect(m_editor, &InputsEditor::buildRequested, this, &MainWindow::startBuild);
  connect(m_project, &Project::formChanged, this, [this] {
    m_compile->markStale(m_project->build() && !m_project->buildMatchesForm());
    updateActions();
  });
  connect(m_project, &Project::modifiedChanged, this, &MainWindow::updateTitle);
  // The profile panel: the open model, the valid configuration, the compiled model, its history.
  connect(m_project, &Project::formChanged, this, [this] {
    if (auto request = m_project->buildRequest()) m_profile->setBuildRequest(*request);
  });
  // The project owns the build; the profile panel reuses it when it matches the form, and a model
  // the panel had to compile itself becomes the project's build.
  connect(m_project, &Project::buildChanged, this, [this] {
    m_profile->setCompiledModel(m_project->build(), m_project->buildKey());
    updateActions();
  });
  connect(m_profile, &ProfilePanel::modelBuilt, this,
          [this](std::shared_ptr<const om::Model> model, const std::string& key) {
            if (m_project->buildMatchesForm()) return;
            m_project->setBuild(std::move(model), key);
            m_graph->setCompiled(m_project->build());
            // The Profile tab built the form as it is: its gears are the build the results panel shows.
            m_compile->compileFinished(m_project->build(), QString(), false, 0);
            m_compile->markStale(false);
          });
  // A bar of the profile's operator chart selects that node in the graph view (the compiled graph of
  // the gear when the passes made the node). A model the panel compiled itself serves when the user
  // has not built: it was compiled from the same configuration.
  connect(m_profile, &ProfilePanel::nodeClicked, this, [this](const QString& node, int gear) {
    if (!m_graph->compiled() && m_project->build()) m_graph->setCompiled(m_project->build());
    m_centre->setCurrentWidget(m_graph);
    if (m_graph->revealNode(node, gear))
      statusBar()->showMessage(tr("Selected %1 in the graph.").arg(node), 4000);
    else
      statusBar()->showMessage(tr("%1 is in no graph on screen.").arg(node), 6000);
  });
  connect(m_profile, &ProfilePanel::historyChanged, this, [this] {
    m_project->markOtherChange();
    m_autosaver->changed();
  });
  m_autosaver->setExtra([this](ProjectData& data) {
    data.profileRuns = m_profile->historyJson();
    data.profileSettings = m_profile->settingsJson();
  });
  connect(m_project, &Project::modelChanged, this, &MainWindow::updateStatus);

  readSettings();
  updateStatus();
  updateTitle();
  updateActions();
}

MainWindow::~MainWindow() = default;

void MainWindow::createDocks() {
  m_editor = new InputsEditor(m_project, this);
  auto* scroll = new QScrollArea(this);
  scroll->setWidget(m_editor);
  scroll->setWidgetResizable(true);
  scroll->setFrameShape(QFrame::NoFrame);
  scroll->setMinimumWidth(380);
  auto* editorDock = makeDock(tr("Inputs & Gears"), QStringLiteral("inputsDock"), scroll, this);
  addDockWidget(Qt::LeftDockWidgetArea, editorDock);

  m_atc = new AtcCommandPanel(m_project, this);
  auto* atcDock = makeDock(tr("ATC command"), QStringLiteral("atcDock"), m_atc, this);
  addDockWidget(Qt::BottomDockWidgetArea, atcDock, Qt::Vertical);

  m_compile = new CompilePanel(this);
  auto* compileDock = makeDock(tr("Compile results"), QStringLiteral("compileDock"), m_compile, this);
  addDockWidget(Qt::BottomDockWidgetArea, compileDock, Qt::Vertical);

  m_log = new LogPanel(this);
  auto* logDock = makeDock(tr("Log"), QStringLiteral("logDock"), m_log, this);
  tabifyDockWidget(compileDock, logDock);

  m_profile = new ProfilePanel(m_centre);
  // Scrolled, so the panel's minimum width does not squeeze the editor and properties docks.
  auto* profileScroll = new QScrollArea(m_centre);
  profileScroll->setObjectName(QStringLiteral("profileScroll"));
  profileScroll->setWidget(m_profile);
  profileScroll->setWidgetResizable(true);
  profileScroll->setFrameShape(QFrame::NoFrame);
  m_centre->addTab(profileScroll, tr("Profile"));
  // The Traffic panel: traces, recommended gears (applied to the form as one undo step), replays.
  m_traffic = new TrafficPanel(m_centre);
  auto* trafficScroll = new QScrollArea(m_centre);
  trafficScroll->setObjectName(QStringLiteral("trafficScroll"));
  trafficScroll->setWidget(m_traffic);
  trafficScroll->setWidgetResizable(true);
  trafficScroll->setFrameShape(QFrame::NoFrame);
  m_centre->addTab(trafficScroll, tr("Traffic"));
  connect(m_project, &Project::formChanged, this, [this] { m_traffic->setForm(m_project->form()); });
  connect(m_traffic, &TrafficPanel::applyGearsRequested, this, [this](Strategy strategy, const QStringList& gears) {
    auto form = m_project->form();
    form.strategy = strategy;
    form.gears = gears;
    m_project->applyForm(form, tr("Apply recommended gears"));
  });
  compileDock->raise();

  m_nodeProps = m_graph->createPropertiesPanel(this);
  auto* propsDock = makeDock(tr("Node properties"), QStringLiteral("propertiesDock"), m_nodeProps, this);
  addDockWidget(Qt::RightDockWidgetArea, propsDock);
  resizeDocks({editorDock, propsDock}, {420, 320}, Qt::Horizontal);
  resizeDocks({atcDock, compileDock}, {110, 240}, Qt::Vertical);
}

int MainWindow::findInGraph(bool forward) {
  if (m_find->text().isEmpty()) {
    m_centre->setCurrentWidget(m_graph);
    m_find->setFocus();
    m_findCounter->clear();
    return 0;
  }
  m_centre->setCurrentWidget(m_graph);
  const int hits = forward ? m_graph->findNext(m_find->text()) : m_graph->findPrevious(m_find->text());
  m_findCounter->setText(hits > 0 ? tr("%1 of %2").arg(m_graph->findPosition()).arg(hits) : tr("No match"));
  return hits;
}

QString MainWindow::findCounterText() const { return m_findCounter->text(); }

bool MainWindow::eventFilter(QObject* watched, QEvent* event) {
  if (watched == m_find && event->type() == QEvent::KeyPress) {
    const auto* key = static_cast<QKeyEvent*>(event);
    if ((key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter) && (key->modifiers() & Qt::ShiftModifier)) {
      findInGraph(false);
      return true;
    }
  }
  return QMainWindow::eventFilter(watched, event);
}

// ---- opening -------------------------------------------------------------------------------------

void MainWindow::openDialog() {
  const auto dir = QFileInfo(m_project->modelPath()).absolutePath();
  const auto path = QFileDialog::getOpenFileName(this, tr("Open model or project"), dir,
                                                 tr("Models and projects (*.onnx *.gearproj *.om);;ONNX models "
                                                    "(*.onnx);;GearStudio projects (*.gearproj);;Compiled models "
                                                    "(*.om);;All files (*)"));
  if (!path.isEmpty()) openFile(path);
}

void MainWindow::openFile(const QString& path) {
  if (m_project->isModified() && !confirmDiscard()) return;
  m_pending.reset();
  if (isOmFile(path)) {
    openOm(path);
    return;
  }
  if (isProjectFile(path)) {
    auto data = readProject(path);
    if (!data) {
      showError(tr("Cannot open project"), QString::fromStdString(data.error().str()));
      return;
    }
    m_pending = Pending{*data, QFileInfo(path).absoluteFilePath(), false};
    m_loader->start(data->modelPath);
    return;
  }
  m_loader->start(QFileInfo(path).absoluteFilePath());
}

bool MainWindow::isLoading() const { return m_loader->isRunning(); }

void MainWindow::loadFinishedInternal(const LoadResult& result) {
  m_busy->setVisible(false);
  statusBar()->clearMessage();
  if (result.error) {
    m_pending.reset();
    showError(tr("Cannot open model"), QString::fromStdString(result.error->str()));
    emit loadFinished(false);
    return;
  }
  m_compiler->cancel();
  m_omPath.clear();
  m_compile->clear();
  m_project->setModel(result.model, result.path, result.sha256);
  m_graph->setModel(result.model, QFileInfo(result.path).fileName());
  m_profile->setModel(result.model, result.path);
  m_profile->setHistoryJson({});
  m_traffic->setModel(result.model);
  m_traffic->setForm(m_project->form());
  if (auto request = m_project->buildRequest()) m_profile->setBuildRequest(*request);
  if (m_pending) {
    if (!m_pending->data.modelSha256.isEmpty() && m_pending->data.modelSha256 != result.sha256) {
      log::get("ui")->warn("{} changed since the project was saved (SHA-256 differs)", str(result.path));
      statusBar()->showMessage(tr("The model file changed since the project was saved."), 8000);
    }
    applyPendingProject();
  } else {
    m_recent->add(result.path);
  }
  updateTitle();
  updateActions();
  emit loadFinished(true);
}

void MainWindow::applyPendingProject() {
  const auto pending = *m_pending;
  m_pending.reset();
  auto form = projectForm(pending.data, m_project->baseForm());
  if (!form) {
    showError(tr("Cannot apply project"), QString::fromStdString(form.error().str()));
    return;
  }
  m_profile->setHistoryJson(pending.data.profileRuns);
  m_profile->setSettingsJson(pending.data.profileSettings);
  if (pending.recovery) {
    // Restored edits stay unsaved (and undoable) until the user saves.
    m_project->setProjectPath(pending.data.projectPath);
    m_project->applyForm(*form, tr("Restore unsaved session"));
    log::get("ui")->info("restored the unsaved session of {}", str(pending.data.modelPath));
  } else {
    m_project->resetForm(*form);
    m_project->setProjectPath(pending.projectPath);
    m_project->markSaved();
    m_recent->add(pending.projectPath);
  }
  restoreBuild(pending.data);
}

void MainWindow::restoreBuild(const ProjectData& data) {
  // The saved build is the project's again when it was made from this form (same key).
  if (data.buildOmPath.isEmpty() || data.buildKey.toStdString() != m_project->formBuildKey()) return;
  auto om = om::readFile(data.buildOmPath.toStdString());
  if (!om) {
    log::get("ui")->warn("the project's build {} cannot be read: {}", data.buildOmPath.toStdString(), om.error().str());
    return;
  }
  m_project->setBuild(std::make_shared<const om::Model>(std::move(*om)), data.buildKey.toStdString(), data.buildMillis);
  m_graph->setCompiled(m_project->build());
  m_compile->compileFinished(m_project->build(), QString(), false, data.buildMillis);
  m_compile->markStale(false);
  updateActions();
}

bool MainWindow::checkRecovery() {
  if (!Autosaver::recoveryExists()) return false;
  auto data = readProject(Autosaver::recoveryPath());
  if (!data) {
    log::get("ui")->warn("ignoring an unreadable recovery file: {}", data.error().str());
    m_autosaver->discard();
    return false;
  }
  const auto answer = dialogs::ask(this, tr("Restore unsaved work?"),
                                   tr("GearStudio did not close cleanly last time. Restore the unsaved session of %1?")
                                       .arg(QFileInfo(data->modelPath).fileName()),
                                   QMessageBox::Yes | QMessageBox::No, QMessageBox::Yes);
  if (answer != QMessageBox::Yes) {
    m_autosaver->discard();
    return false;
  }
  m_pending = Pending{*data, QString(), true};
  m_loader->start(data->modelPath);
  return true;
}

// ---- building ------------------------------------------------------------------------------------

void MainWindow::startBuild() {
  const auto& check = m_project->check();
  if (!m_project->hasModel() || !check.valid() || isCompiling()) return;
  const auto& config = *check.config;
  std::vector<GearResultModel::Row> planned;
  if (config.strategy == Strategy::DynamicShape) {
    GearResultModel::Row row;
    row.gear = tr("dynamic");
    row.inputs = QString::fromStdString(shape_config::formatInputShape(config));
    planned.push_back(row);
  } else if (auto gears = shape_config::expandGears(config, *m_project->graph())) {
    for (std::size_t i = 0; i < gears->size(); ++i) {
      GearResultModel::Row row;
      row.gear = QString::number(i);
      QStringList inputs;
      for (const auto& [name, dims] : (*gears)[i].inputs)
        inputs << QString::fromStdString(name) + shapeText(dims);
      row.inputs = inputs.join(QStringLiteral("; "));
      planned.push_back(row);
    }
  }
  auto request = m_project->buildRequest();
  if (!request) return;
  m_compile->compileStarted(std::move(planned));
  if (auto* dock = findChild<QDockWidget*>(QStringLiteral("compileDock"))) dock->raise();
  m_compiler->start(m_project->model(), std::move(*request));
  m_editor->setBuildEnabled(false);
  updateActions();
}

void MainWindow::cancelBuild() { m_compiler->cancel(); }

bool MainWindow::isCompiling() const { return m_compiler->isRunning(); }

std::shared_ptr<const om::Model> MainWindow::compiledModel() const { return m_project->build(); }

void MainWindow::compileFinishedInternal(const CompileOutcome& outcome) {
  if (outcome.model) m_project->setBuild(outcome.model, outcome.key, outcome.millis);
  m_graph->setCompiled(m_project->build(), outcome.sourceShapes);
  m_compile->compileFinished(outcome.model, outcome.error ? QString::fromStdString(outcome.error->str()) : QString(),
                             outcome.cancelled(), outcome.millis);
  m_compile->markStale(m_project->build() && !m_project->buildMatchesForm());
  m_editor->setBuildEnabled(true);
  statusBar()->showMessage(outcome.model ? tr("Build finished.")
                           : outcome.cancelled()
                               ? tr("Build cancelled.")
                               : tr("Build failed: %1").arg(QString::fromStdString(outcome.error->str())),
                           8000);
  updateActions();
  emit compileFinished(outcome.model != nullptr);
}

// ---- window state --------------------------------------------------------------------------------

QString MainWindow::statusText() const {
  return QStringList{m_statusModel->text(), m_statusNodes->text(), m_statusInputs->text()}.join(QStringLiteral(" | "));
}

void MainWindow::updateStatus() {
  if (const auto om = m_project->build(); !m_project->hasModel() && om && !m_omPath.isEmpty()) {
    m_statusModel->setText(QFileInfo(m_omPath).fileName());
    const auto gears = om->gears.size();
    m_statusNodes->setText(om->dynamic ? tr("dynamic shape") : gears == 1 ? tr("1 gear") : tr("%1 gears").arg(gears));
    m_statusInputs->setText(
        tr("shared arena %1 · weights %2")
            .arg(GearResultModel::formatBytes(om->sharedArenaBytes), GearResultModel::formatBytes(om->weightBytes)));
    m_statusInputs->setToolTip(QString::fromStdString(om->meta.atcCommand));
    return;
  }
  if (!m_project->hasModel()) {
    m_statusModel->setText(tr("No model"));
    m_statusNodes->clear();
    m_statusInputs->clear();
    return;
  }
  const auto& g = *m_project->graph();
  m_statusModel->setText(QFileInfo(m_project->modelPath()).fileName());
  const auto total = g.totalNodeCount();
  m_statusNodes->setText(total == g.nodes.size() ? tr("%1 nodes").arg(g.nodes.size())
                                                 : tr("%1 nodes (%2 with subgraphs)").arg(g.nodes.size()).arg(total));
  // Compact shapes as in the inputs table ("x: ?×3×48×192"): a generated symbol such as
  // "p2o.DynamicDimension.0" would crowd out the dims. The tooltip has dtypes and full shapes.
  QStringList inputs, full;
  for (auto id : g.inputs) {
    const ir::Value& v = g.values[id];
    const QString name = QString::fromStdString(v.name);
    inputs << name + QStringLiteral(": ") + shortShapeLabel(v.shape);
    full << name + QLatin1Char(' ') + QString::fromUtf8(ir::dtypeName(v.dtype).data()) +
                QString::fromStdString(v.shape.str());
  }
  m_statusInputs->setText(tr("inputs: %1").arg(inputs.join(QStringLiteral(", "))));
  m_statusInputs->setToolTip(full.join(QLatin1Char('\n')));
}

void MainWindow::updateTitle() {
  QString title = QStringLiteral("GearStudio");
  if (m_project->hasModel()) {
    const auto name = m_project->projectPath().isEmpty() ? QFileInfo(m_project->modelPath()).fileName()
                                                         : QFileInfo(m_project->projectPath()).fileName();
    title = name + QStringLiteral("[*] — GearStudio");
  } else if (!m_omPath.isEmpty()) {
    title = QFileInfo(m_omPath).fileName() + QStringLiteral("[*] — GearStudio");
  }
  setWindowTitle(title);
  setWindowModified(m_project->isModified());
}

void MainWindow::updateActions() {
  const bool model = m_project->hasModel();
  const bool compiling = isCompiling();
  m_buildAction->setEnabled(model && m_project->check().valid() && !compiling);
  m_cancelAction->setEnabled(compiling);
  m_saveOmAction->setEnabled(m_project->build() != nullptr);
  m_saveProjectAction->setEnabled(model);
  m_saveProjectAsAction->setEnabled(model);
  m_exportScriptAction->setEnabled(model);
  m_exportGraphAction->setEnabled(model || m_project->build());
  m_passesMenu->setEnabled(model);
}

void MainWindow::showError(const QString& title, const QString& text) {
  m_lastError = text;
  log::get("ui")->error("{}: {}", str(title), str(text));
  dialogs::error(this, title, text);
}

bool MainWindow::confirmDiscard() {
  const auto answer = dialogs::ask(this, tr("Unsaved changes"),
                                   tr("The configuration of %1 has unsaved changes. Save them first?")
                                       .arg(QFileInfo(m_project->modelPath()).fileName()),
                                   QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
  if (answer == QMessageBox::Cancel) return false;
  if (answer == QMessageBox::Save) {
    saveProject();
    return !m_project->isModified();
  }
  return true;
}

void MainWindow::closeEvent(QCloseEvent* event) {
  if (m_project->isModified() && !confirmDiscard()) {
    event->ignore();
    return;
  }
  m_compiler->cancel();
  m_profile->cancel();
  writeSettings();
  m_autosaver->discard();
  event->accept();
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
  for (const auto& url : event->mimeData()->urls())
    if (url.isLocalFile() && isOpenable(url.toLocalFile())) {
      event->acceptProposedAction();
      return;
    }
}

void MainWindow::dropEvent(QDropEvent* event) {
  for (const auto& url : event->mimeData()->urls())
    if (url.isLocalFile() && isOpenable(url.toLocalFile())) {
      event->acceptProposedAction();
      openFile(url.toLocalFile());
      return;
    }
}

void MainWindow::readSettings() {
  QSettings s;
  m_defaultState = saveState();
  if (!restoreGeometry(s.value(QStringLiteral("window/geometry")).toByteArray())) resize(1440, 900);
  restoreState(s.value(QStringLiteral("window/state")).toByteArray());
  // Saved on a screen that is gone (a monitor unplugged, a smaller display): keep the window on one.
  keepOnScreen();
}

void MainWindow::showEvent(QShowEvent* event) {
  QMainWindow::showEvent(event);
  if (m_shownOnce) return;
  m_shownOnce = true;
  // The window manager's frame is known only once the window is shown: fit the frame on a screen again.
  QTimer::singleShot(0, this, &MainWindow::keepOnScreen);
}

void MainWindow::writeSettings() {
  QSettings s;
  s.setValue(QStringLiteral("window/geometry"), saveGeometry());
  s.setValue(QStringLiteral("window/state"), saveState());
}

} // namespace gs::ui
