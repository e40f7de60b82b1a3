// MainWindow's menus, toolbar and shortcuts (createActions). See mainwindow.h.
#include "ui/mainwindow.h"

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

namespace gs::ui {

void MainWindow::createActions() {
  auto* file = menuBar()->addMenu(tr("&File"));
  auto* open = file->addAction(tr("&Open…"), this, &MainWindow::openDialog);
  open->setShortcut(QKeySequence::Open);
  m_recent = new RecentFiles(file->addMenu(tr("Open &Recent")), this);
  connect(m_recent, &RecentFiles::openRequested, this, &MainWindow::openFile);
  auto* close = file->addAction(tr("&Close"), this, [this] { closeModel(); });
  close->setShortcut(QKeySequence::Close);
  file->addSeparator();
  m_saveProjectAction = file->addAction(tr("&Save Project"), this, &MainWindow::saveProject);
  m_saveProjectAction->setShortcut(QKeySequence::Save);
  m_saveProjectAsAction = file->addAction(tr("Save Project &As…"), this, &MainWindow::saveProjectAs);
  m_saveProjectAsAction->setShortcut(QKeySequence::SaveAs);
  file->addSeparator();
  m_saveOmAction = file->addAction(tr("Save &Model (.om) As…"), this, &MainWindow::saveOm);
  m_exportScriptAction = file->addAction(tr("Export ATC Scrip&t…"), this, &MainWindow::exportScript);
  m_exportGraphAction = file->addAction(tr("Export &Graph Image…"), this, &MainWindow::exportGraph);
  file->addSeparator();
  auto* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
  quit->setShortcut(QKeySequence::Quit);

  auto* edit = menuBar()->addMenu(tr("&Edit"));
  auto* undo = m_project->undoStack()->createUndoAction(this, tr("&Undo"));
  undo->setShortcut(QKeySequence::Undo);
  auto* redo = m_project->undoStack()->createRedoAction(this, tr("&Redo"));
  redo->setShortcut(QKeySequence::Redo);
  edit->addAction(undo);
  edit->addAction(redo);
  edit->addSeparator();
  edit->addAction(tr("&Copy ATC Command"), m_atc, &AtcCommandPanel::copyToClipboard);
  edit->addAction(tr("&Paste ATC Command"), m_atc, &AtcCommandPanel::pasteFromClipboard);
  edit->addSeparator();
  auto* find = edit->addAction(tr("&Find in Graph"), this, [this] {
    m_centre->setCurrentWidget(m_graph);
    m_find->setFocus();
    m_find->selectAll();
  });
  find->setShortcut(QKeySequence::Find);
  // F3 / Shift+F3 as in browsers and editors; with nothing typed yet they go to the box.
  auto* next = edit->addAction(tr("Find &Next"), this, [this] { findInGraph(true); });
  next->setShortcut(QKeySequence(Qt::Key_F3));
  auto* previous = edit->addAction(tr("Find Pre&vious"), this, [this] { findInGraph(false); });
  previous->setShortcut(QKeySequence(Qt::SHIFT | Qt::Key_F3));

  auto* build = menuBar()->addMenu(tr("&Build"));
  m_buildAction = build->addAction(tr("&Build"), this, &MainWindow::startBuild);
  m_buildAction->setShortcut(Qt::CTRL | Qt::Key_B);
  m_cancelAction = build->addAction(tr("&Cancel Build"), this, &MainWindow::cancelBuild);
  m_cancelAction->setShortcut(Qt::Key_Escape);
  build->addSeparator();
  m_passesMenu = build->addMenu(tr("&Passes"));
  for (const auto& pass : compiler::passRegistry()) {
    const auto name = QString::fromUtf8(pass.name.data(), static_cast<qsizetype>(pass.name.size()));
    auto* action = m_passesMenu->addAction(name);
    action->setToolTip(QString::fromUtf8(pass.summary.data(), static_cast<qsizetype>(pass.summary.size())));
    action->setStatusTip(action->toolTip());
    action->setCheckable(true);
    action->setChecked(true);
    action->setEnabled(!pass.required);
    connect(action, &QAction::triggered, this,
            [this, name](bool enabled) { m_project->setPassDisabled(name, !enabled); });
  }
  m_passesMenu->setToolTipsVisible(true);
  connect(m_project, &Project::formChanged, this, [this] {
    for (auto* a : m_passesMenu->actions())
      a->setChecked(!m_project->form().disabledPasses.contains(a->text()));
  });

  auto* view = menuBar()->addMenu(tr("&View"));
  for (auto* dock : findChildren<QDockWidget*>()) {
    view->addAction(dock->toggleViewAction());
    // The action's text is the dock's title, where '&' would mark a mnemonic ("Inputs _Gears").
    dock->toggleViewAction()->setText(menuText(dock->windowTitle()));
  }
  view->addSeparator();
  auto* showGraph = view->addAction(tr("&Graph"), this, [this] { m_centre->setCurrentWidget(m_graph); });
  showGraph->setShortcut(Qt::CTRL | Qt::Key_1);
  auto* showProfile = view->addAction(tr("&Profile"), this, [this] { m_centre->setCurrentIndex(1); });
  showProfile->setShortcut(Qt::CTRL | Qt::Key_2);
  auto* fit = view->addAction(tr("&Fit Graph"), this, [this] { m_graph->fitToView(); });
  fit->setShortcut(Qt::Key_F);
  fit->setShortcutContext(Qt::WidgetWithChildrenShortcut);
  m_graph->addAction(fit);

  view->addSeparator();
  view->addAction(tr("&Reset Layout"), this, &MainWindow::resetLayout);
  createHelpMenu();

  // Toolbar undo/redo with short labels; the menu's actions name the command.
  auto* undoButton = new QAction(tr("Undo"), this);
  auto* redoButton = new QAction(tr("Redo"), this);
  auto* stack = m_project->undoStack();
  connect(undoButton, &QAction::triggered, stack, &QUndoStack::undo);
  connect(redoButton, &QAction::triggered, stack, &QUndoStack::redo);
  connect(stack, &QUndoStack::canUndoChanged, undoButton, &QAction::setEnabled);
  connect(stack, &QUndoStack::canRedoChanged, redoButton, &QAction::setEnabled);
  connect(stack, &QUndoStack::undoTextChanged, undoButton,
          [undoButton](const QString& t) { undoButton->setToolTip(tr("Undo %1").arg(t)); });
  connect(stack, &QUndoStack::redoTextChanged, redoButton,
          [redoButton](const QString& t) { redoButton->setToolTip(tr("Redo %1").arg(t)); });
  undoButton->setEnabled(false);
  redoButton->setEnabled(false);

  auto* bar = addToolBar(tr("Main"));
  bar->setObjectName(QStringLiteral("mainToolBar"));
  bar->setMovable(false);
  bar->setToolButtonStyle(Qt::ToolButtonTextOnly);
  bar->addAction(open);
  bar->addAction(m_saveProjectAction);
  bar->addSeparator();
  bar->addAction(undoButton);
  bar->addAction(redoButton);
  bar->addSeparator();
  bar->addAction(m_buildAction);
  bar->addAction(m_cancelAction);
  bar->addAction(m_saveOmAction);
  bar->addSeparator();
  m_find = new QLineEdit(bar);
  m_find->setPlaceholderText(tr("Find: name, op:Conv, tensor:x (Ctrl+F)"));
  m_find->setToolTip(tr("Words filter together: op:Conv (op type), name:stage1 (node name), tensor:x (an input or "
                        "output tensor), or a plain word (any of these). Hits in collapsed scopes open them."));
  m_find->setClearButtonEnabled(true);
  m_find->setMaximumWidth(260);
  m_find->setObjectName(QStringLiteral("findBox"));
  m_find->installEventFilter(this); // Shift+Enter: QLineEdit reports it as a plain returnPressed
  connect(m_find, &QLineEdit::returnPressed, this, [this] { findInGraph(true); });
  connect(m_find, &QLineEdit::textChanged, this, [this] { m_findCounter->clear(); });
  bar->addWidget(m_find);
  m_findCounter = new QLabel(bar);
  m_findCounter->setObjectName(QStringLiteral("findCounter"));
  m_findCounter->setMinimumWidth(m_findCounter->fontMetrics().horizontalAdvance(QStringLiteral(" 9999 of 9999 ")));
  m_findCounter->setToolTip(tr("Enter or F3: next match; Shift+Enter or Shift+F3: previous"));
  bar->addWidget(m_findCounter);
}

} // namespace gs::ui
