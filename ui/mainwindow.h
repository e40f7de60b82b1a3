// GearStudio's main window: the graph view and the profile panel as tabs in the centre; docks for
// the Inputs & Gears editor, the ATC command, compile results, the log and node properties; a status bar with the
// model's name, node count and inputs. Opening (dialog, drag and drop, recent files, command line), building, saving
// and crash recovery are driven from here; the work itself runs in jobs off the GUI thread.
#pragma once

#include <memory>
#include <optional>

#include <QList>
#include <QMainWindow>
#include <QRect>

#include "core/common/status.h"
#include "core/om/model.h"
#include "ui/project_file.h"

class QAction;
class QDockWidget;
class QLabel;
class QLineEdit;
class QProgressBar;
class QTabWidget;

namespace gs::ui {

class AtcCommandPanel;
class Autosaver;
class CompileJob;
class CompilePanel;
class GraphArea;
class InputsEditor;
class LoadJob;
class LogPanel;
class ProfilePanel;
class Project;
class RecentFiles;
struct CompileOutcome;
struct LoadResult;

class MainWindow : public QMainWindow {
  Q_OBJECT
public:
  explicit MainWindow(QWidget* parent = nullptr);
  ~MainWindow() override;

  // An .onnx model, a .gearproj project or a compiled .om (its gears, memory and each gear's graph);
  // loads in the background (see loadFinished).
  void openFile(const QString& path);
  // File > Close: back to the empty window (asks first about unsaved changes); false when refused.
  bool closeModel();
  // View > Reset layout: the docks and toolbar as on first start.
  void resetLayout();
  // The .om open without its ONNX model (empty otherwise).
  QString omPath() const { return m_omPath; }
  // Help > About's text (version, licence) and Help > Documentation's window (bundled docs).
  QString aboutText() const;
  QWidget* showDocumentation(const QString& page = {});
  // A window frame moved wholly onto the nearest available screen area (restore after a monitor went away).
  static QRect clampToScreens(const QRect& frame, const QList<QRect>& available);
  // Escapes '&' for a menu, tab or action text ("Inputs & Gears" must not become "Inputs _Gears").
  static QString menuText(const QString& title);
  bool isLoading() const;
  // Offers to restore the recovery file of a session that did not end cleanly; returns whether a
  // restore was started.
  bool checkRecovery();

  void startBuild();
  void cancelBuild();
  bool isCompiling() const;
  // The project's current build (Build, or a compile the profile panel made for the same form).
  std::shared_ptr<const om::Model> compiledModel() const;

  // Writers behind the Save / Export actions (atomic; errors name the path).
  Status saveProjectTo(const QString& path);
  Status saveOmTo(const QString& path);
  Status exportScriptTo(const QString& path);

  Project* project() const { return m_project; }
  InputsEditor* editor() const { return m_editor; }
  AtcCommandPanel* atcPanel() const { return m_atc; }
  CompilePanel* compilePanel() const { return m_compile; }
  LogPanel* logPanel() const { return m_log; }
  ProfilePanel* profilePanel() const { return m_profile; }
  GraphArea* graphArea() const { return m_graph; }
  QTabWidget* centreTabs() const { return m_centre; }
  Autosaver* autosaver() const { return m_autosaver; }
  QString lastError() const { return m_lastError; }
  QString statusText() const;
  // Find in the graph (the toolbar's box; Enter / F3 next, Shift+Enter / Shift+F3 previous, wrapping
  // around): the hits for the box's text; the counter beside the box says "3 of 12".
  int findInGraph(bool forward);
  QString findCounterText() const;

signals:
  void loadFinished(bool ok);
  void compileFinished(bool ok);

protected:
  bool eventFilter(QObject* watched, QEvent* event) override;
  void closeEvent(QCloseEvent* event) override;
  void dragEnterEvent(QDragEnterEvent* event) override;
  void dropEvent(QDropEvent* event) override;

private:
  void createDocks();
  void createActions();
  void openDialog();
  void saveProject();
  void saveProjectAs();
  void saveOm();
  void exportScript();
  void exportGraph();
  void loadFinishedInternal(const LoadResult& result);
  void compileFinishedInternal(const CompileOutcome& outcome);
  void applyPendingProject();
  void restoreBuild(const ProjectData& data);
  void updateStatus();
  void updateTitle();
  void updateActions();
  void showError(const QString& title, const QString& text);
  bool confirmDiscard();
  void readSettings();
  void writeSettings();
  void createHelpMenu();
  void openOm(const QString& path);
  void omLoaded();
  void keepOnScreen();

  Project* m_project;
  Autosaver* m_autosaver;
  LoadJob* m_loader;
  CompileJob* m_compiler;
  RecentFiles* m_recent = nullptr;
  QTabWidget* m_centre = nullptr; // Graph | Profile
  GraphArea* m_graph = nullptr;
  InputsEditor* m_editor = nullptr;
  AtcCommandPanel* m_atc = nullptr;
  CompilePanel* m_compile = nullptr;
  LogPanel* m_log = nullptr;
  ProfilePanel* m_profile = nullptr;
  QWidget* m_nodeProps = nullptr;
  QLabel* m_statusModel = nullptr;
  QLabel* m_statusNodes = nullptr;
  QLabel* m_statusInputs = nullptr;
  QProgressBar* m_busy = nullptr;
  QLineEdit* m_find = nullptr;
  QLabel* m_findCounter = nullptr;
  QAction* m_buildAction = nullptr;
  QAction* m_cancelAction = nullptr;
  QAction* m_saveOmAction = nullptr;
  QAction* m_saveProjectAction = nullptr;
  QAction* m_saveProjectAsAction = nullptr;
  QAction* m_exportScriptAction = nullptr;
  QAction* m_exportGraphAction = nullptr;
  QMenu* m_passesMenu = nullptr;

  // A project (or recovery file) waiting for its model to load.
  struct Pending {
    ProjectData data;
    QString projectPath; // empty for a recovery
    bool recovery = false;
  };
  std::optional<Pending> m_pending;
  QString m_lastError;
  QByteArray m_defaultState; // the dock layout before settings are restored (View > Reset layout)
  QString m_omPath;
  QObject* m_omLoader = nullptr; // the watcher of a .om being read
};

} // namespace gs::ui
