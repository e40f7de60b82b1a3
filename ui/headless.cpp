// See headless.h.
#include "ui/headless.h"

#include <iostream>

#include <QApplication>
#include <QDockWidget>
#include <QFileInfo>
#include <QPixmap>
#include <QTimer>

#include "ui/autosaver.h"
#include "ui/jobs/load_job.h"
#include "ui/mainwindow.h"
#include "ui/views/graph_view.h"
#include "ui/widgets/atc_command_panel.h"
#include "ui/widgets/dialogs.h"
#include "ui/widgets/graph_area.h"

namespace gs::ui {
namespace {

void grabAndQuit(MainWindow* window, const QString& path) {
  // A short delay lets layouts, the graph layout and pending paints settle.
  QTimer::singleShot(800, window, [window, path] {
    const bool saved = window->grab().save(path);
    if (saved)
      std::cout << "screenshot: " << path.toStdString() << "\n";
    else
      std::cerr << "error: cannot write screenshot '" << path.toStdString() << "'\n";
    window->autosaver()->discard(); // a scripted run leaves nothing to recover
    QApplication::exit(saved ? 0 : 1);
  });
}

} // namespace

int exportGraphFile(const QString& modelPath, const QString& imagePath) {
  const auto loaded = loadModelFile(QFileInfo(modelPath).absoluteFilePath());
  if (loaded.error) {
    std::cerr << loaded.error->str() << "\n";
    return 1;
  }
  QString error;
  if (!exportGraphImage(*loaded.model, imagePath, &error)) {
    std::cerr << "error: cannot export the graph to '" << imagePath.toStdString() << "': " << error.toStdString()
              << "\n";
    return 1;
  }
  std::cout << "graph: " << imagePath.toStdString() << "\n";
  return 0;
}

void runScriptedSession(MainWindow* window, const ScriptedSession& session) {
  if (!session.screenshotPath.isEmpty()) {
    // Nobody is there to answer a dialog: report it and go on.
    dialogs::setHandler([](dialogs::Kind, const QString& title, const QString& text) {
      std::cerr << title.toStdString() << ": " << text.toStdString() << "\n";
      return QMessageBox::No;
    });
  }
  auto finish = [window, session] {
    if (!session.find.isEmpty()) window->graphArea()->findNext(session.find);
    if (!session.dock.isEmpty())
      for (auto* dock : window->findChildren<QDockWidget*>())
        if (dock->objectName() == session.dock || dock->windowTitle() == session.dock) dock->raise();
    if (!session.screenshotPath.isEmpty()) grabAndQuit(window, session.screenshotPath);
  };
  QObject::connect(window, &MainWindow::loadFinished, window, [window, session, finish](bool ok) {
    if (!ok) {
      if (!session.screenshotPath.isEmpty()) QApplication::exit(1);
      return;
    }
    if (!session.atcCommand.isEmpty()) window->atcPanel()->applyCommand(session.atcCommand);
    if (session.compile && !window->isCompiling()) {
      QObject::connect(window, &MainWindow::compileFinished, window, [finish](bool) { finish(); });
      window->startBuild();
      if (window->isCompiling()) return;
    }
    finish();
  });
}

} // namespace gs::ui
