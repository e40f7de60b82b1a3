// See headless.h.
#include "ui/headless.h"

#include <functional>
#include <iostream>
#include <memory>
#include <vector>

#include <QApplication>
#include <QDockWidget>
#include <QFileInfo>
#include <QPixmap>
#include <QSpinBox>
#include <QTabBar>
#include <QTabWidget>
#include <QTimer>

#include "ui/autosaver.h"
#include "ui/jobs/load_job.h"
#include "ui/mainwindow.h"
#include "ui/profile/profile_panel.h"
#include "ui/traffic/traffic_panel.h"
#include "ui/views/graph_view.h"
#include "ui/widgets/atc_command_panel.h"
#include "ui/widgets/dialogs.h"
#include "ui/widgets/graph_area.h"

namespace gs::ui {
namespace {

void grabAndQuit(MainWindow* window, const QString& path, const QString& widgetName) {
  // A short delay lets layouts, the graph layout and pending paints settle.
  QTimer::singleShot(800, window, [window, path, widgetName] {
    QWidget* target = window;
    if (!widgetName.isEmpty()) {
      target = window->findChild<QWidget*>(widgetName);
      if (!target) {
        std::cerr << "error: no widget named '" << widgetName.toStdString() << "'\n";
        QApplication::exit(1);
        return;
      }
    }
    const bool saved = target->grab().save(path);
    if (saved)
      std::cout << "screenshot: " << path.toStdString() << "\n";
    else
      std::cerr << "error: cannot write screenshot '" << path.toStdString() << "'\n";
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

namespace {

using Next = std::function<void()>;
using Step = std::function<void(Next)>;

// Runs `steps` in order; each calls its Next when done (at once, or from a signal).
void runSteps(std::shared_ptr<std::vector<Step>> steps, std::size_t i = 0) {
  if (i >= steps->size()) return;
  (*steps)[i]([steps, i] { runSteps(steps, i + 1); });
}

// Calls next once the graph view has its picture (now, when nothing is being laid out).
void whenGraphReady(MainWindow* window, const Next& next) {
  auto* view = window->graphArea()->view();
  if (!view->isBusy()) {
    next();
    return;
  }
  QObject::connect(
      view, &GraphView::layoutFinished, window, [next](int, double) { next(); }, Qt::SingleShotConnection);
}

void raiseTabs(MainWindow* window, const QString& titles) {
  for (const auto& title : titles.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
    for (auto* tabs : window->findChildren<QTabWidget*>())
      for (int i = 0; i < tabs->count(); ++i)
        if (tabs->tabText(i) == title) tabs->setCurrentIndex(i);
    for (auto* bar : window->findChildren<QTabBar*>())
      for (int i = 0; i < bar->count(); ++i)
        if (bar->tabText(i) == title) bar->setCurrentIndex(i);
  }
}

void showDock(MainWindow* window, const QString& spec) {
  const QString name = spec.section(QLatin1Char(':'), 0, 0);
  const QStringList size = spec.section(QLatin1Char(':'), 1).split(QLatin1Char('x'));
  for (auto* dock : window->findChildren<QDockWidget*>()) {
    if (dock->objectName() != name && dock->windowTitle() != name) continue;
    dock->show();
    dock->raise();
    if (size.size() == 2) {
      dock->setFloating(true);
      dock->resize(size[0].toInt(), size[1].toInt());
    }
  }
}

} // namespace

void runScriptedSession(MainWindow* window, const ScriptedSession& session) {
  if (session.endsByItself()) {
    window->autosaver()->setEnabled(false);
    // Nobody is there to answer a dialog: report it and go on.
    dialogs::setHandler([](dialogs::Kind, const QString& title, const QString& text) {
      std::cerr << title.toStdString() << ": " << text.toStdString() << "\n";
      return QMessageBox::No;
    });
  }
  auto steps = std::make_shared<std::vector<Step>>();
  if (!session.atcCommand.isEmpty())
    steps->push_back([window, session](Next next) {
      window->atcPanel()->applyCommand(session.atcCommand);
      next();
    });
  if (session.compile)
    steps->push_back([window](Next next) {
      QObject::connect(
          window, &MainWindow::compileFinished, window, [next](bool) { next(); }, Qt::SingleShotConnection);
      window->startBuild();
      if (!window->isCompiling()) {
        std::cerr << "error: the form is not valid, nothing to build\n";
        QApplication::exit(1);
      }
    });
  if (!session.graph.isEmpty())
    steps->push_back([window, session](Next next) {
      const QString g = session.graph;
      const int which = g == QLatin1String("dynamic")          ? GraphArea::kDynamic
                        : g.startsWith(QLatin1String("gear:")) ? g.mid(5).toInt()
                                                               : GraphArea::kImported;
      if (!window->graphArea()->showGraph(which)) std::cerr << "error: no graph '" << g.toStdString() << "'\n";
      whenGraphReady(window, next);
    });
  if (!session.openBody.isEmpty())
    steps->push_back([window, session](Next next) {
      // The graph must be on screen before one of its nodes' bodies can open.
      whenGraphReady(window, [window, session, next] {
        auto* view = window->graphArea()->view();
        const QString node = session.openBody.section(QLatin1Char(':'), 0, 0);
        if (!view->openSubgraph(node, session.openBody.section(QLatin1Char(':'), 1)))
          std::cerr << "error: no body to open at '" << session.openBody.toStdString() << "' (its bodies: '"
                    << view->bodyAttributes(node).join(QStringLiteral("', '")).toStdString() << "')\n";
        whenGraphReady(window, next);
      });
    });
  if (session.loops > 0 || session.threads >= 0)
    steps->push_back([window, session](Next next) {
      if (session.loops > 0) window->profilePanel()->loopsBox()->setValue(session.loops);
      if (session.threads >= 0) window->profilePanel()->threadsBox()->setValue(session.threads);
      next();
    });
  for (int run = 0; run < session.profileRuns; ++run)
    steps->push_back([window](Next next) {
      auto* panel = window->profilePanel();
      QObject::connect(
          panel, &ProfilePanel::profileFinished, window, [next](bool) { next(); }, Qt::SingleShotConnection);
      if (!panel->startProfile()) {
        std::cerr << "error: " << panel->statusText().toStdString() << "\n";
        next();
      }
    });
  if (session.compare)
    steps->push_back([window](Next next) {
      auto* panel = window->profilePanel();
      QObject::connect(
          panel, &ProfilePanel::comparisonFinished, window, [next](bool) { next(); }, Qt::SingleShotConnection);
      if (!panel->startComparison()) {
        std::cerr << "error: " << panel->statusText().toStdString() << "\n";
        next();
      }
    });
  if (!session.precisions.isEmpty())
    steps->push_back([window, session](Next next) {
      auto* panel = window->profilePanel();
      panel->setPrecisionChoices(session.precisions.split(QLatin1Char(','), Qt::SkipEmptyParts));
      QObject::connect(
          panel, &ProfilePanel::precisionMatrixFinished, window, [next](bool) { next(); }, Qt::SingleShotConnection);
      if (!panel->startPrecisionMatrix()) {
        std::cerr << "error: " << panel->statusText().toStdString() << "\n";
        next();
      }
    });
  if (!session.trace.isEmpty())
    steps->push_back([window, session](Next next) {
      QString error;
      if (!window->trafficPanel()->loadTrace(session.trace, &error))
        std::cerr << "error: " << error.toStdString() << "\n";
      next();
    });
  for (const bool recommend : {true, false}) {
    if (recommend ? !session.recommendGears : !session.replayTrace) continue;
    steps->push_back([window, recommend](Next next) {
      auto* panel = window->trafficPanel();
      QObject::connect(
          panel, &TrafficPanel::finished, window, [next] { next(); }, Qt::SingleShotConnection);
      if (!(recommend ? panel->startRecommend() : panel->startCompare())) {
        std::cerr << "error: " << panel->statusText().toStdString() << "\n";
        QObject::disconnect(panel, &TrafficPanel::finished, window, nullptr);
        next();
      }
    });
  }
  if (!session.openAfter.isEmpty())
    steps->push_back([window, session](Next next) {
      QObject::connect(
          window, &MainWindow::loadFinished, window, [next](bool) { next(); }, Qt::SingleShotConnection);
      window->openFile(session.openAfter);
    });
  auto reportFailed = std::make_shared<bool>(false);
  if (!session.reportPath.isEmpty())
    steps->push_back([window, session, reportFailed](Next next) {
      QString error;
      QStringList written;
      // The format follows the extension: .json and .csv as the Profile tab's Export menu writes them.
      auto* panel = window->profilePanel();
      const QString& path = session.reportPath;
      const bool ok = path.endsWith(QLatin1String(".json"), Qt::CaseInsensitive) ? panel->exportJson(path, &error)
                      : path.endsWith(QLatin1String(".csv"), Qt::CaseInsensitive)
                          ? panel->exportCsv(path, &error)
                          : panel->exportMarkdown(path, &error, &written);
      if (written.isEmpty()) written << path;
      if (ok) {
        std::cout << "report: " << session.reportPath.toStdString() << " (+" << written.size() - 1 << " files)\n";
      } else {
        std::cerr << "error: " << error.toStdString() << "\n";
        *reportFailed = true;
      }
      next();
    });
  steps->push_back([window](Next next) { whenGraphReady(window, next); });
  if (!session.find.isEmpty())
    steps->push_back([window, session](Next next) {
      // A hit inside a collapsed scope opens it: a new layout to wait for.
      window->graphArea()->findNext(session.find);
      whenGraphReady(window, next);
    });
  steps->push_back([window, session, reportFailed](Next) {
    if (!session.dock.isEmpty()) showDock(window, session.dock);
    raiseTabs(window, session.tabs);
    if (!session.screenshotPath.isEmpty())
      grabAndQuit(window, session.screenshotPath, session.grab);
    else if (session.endsByItself())
      QApplication::exit(*reportFailed ? 1 : 0);
  });
  QObject::connect(
      window, &MainWindow::loadFinished, window,
      [window, session, steps](bool ok) {
        if (!ok) {
          if (session.endsByItself()) QApplication::exit(1);
          return;
        }
        runSteps(steps);
      },
      Qt::SingleShotConnection);
}

} // namespace gs::ui
