// MainWindow's File > Close, opening a compiled .om, View > Reset layout, keeping the window on a
// screen, Help > About and Help > Documentation. Split from mainwindow.cpp to keep files short.
//
// The documentation is the README and docs/ of the source tree, compiled into the program as Qt
// resources (ui/CMakeLists.txt), so the studio shows the docs of its own version wherever it runs:
// from the build tree, installed from the .deb, or copied elsewhere.
#include <algorithm>

#include <QDialog>
#include <QDockWidget>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QListWidget>
#include <QMenuBar>
#include <QProgressBar>
#include <QScreen>
#include <QStatusBar>
#include <QTextBrowser>
#include <QToolBar>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include "core/common/log.h"
#include "core/om/om_file.h"
#include "ui/autosaver.h"
#include "ui/jobs/compile_job.h"
#include "ui/mainwindow.h"
#include "ui/models/gear_result_model.h"
#include "ui/profile/profile_panel.h"
#include "ui/project.h"
#include "ui/recent_files.h"
#include "ui/traffic/traffic_panel.h"
#include "ui/widgets/compile_panel.h"
#include "ui/widgets/dialogs.h"
#include "ui/widgets/graph_area.h"

namespace gs::ui {
namespace {

constexpr auto kHelpRoot = "qrc:/gearstudio/help/";

struct OmLoad {
  QString path;
  std::shared_ptr<const om::Model> model;
  QString error;
};

// The pages of Help > Documentation, in the order the list shows them.
struct HelpPage {
  const char* file;
  const char* title;
};
constexpr HelpPage kHelpPages[] = {{"README.md", "Overview (README)"},
                                   {"docs/gearbench.md", "gearbench: measuring"},
                                   {"docs/om-format.md", "The .om format"},
                                   {"docs/architecture.md", "Architecture"}};

} // namespace

QString MainWindow::menuText(const QString& title) {
  QString out = title;
  return out.replace(QLatin1Char('&'), QStringLiteral("&&"));
}

QRect MainWindow::clampToScreens(const QRect& frame, const QList<QRect>& available) {
  if (available.isEmpty() || frame.isEmpty()) return frame;
  // The screen the window overlaps most, else the one nearest its centre.
  const QRect* best = nullptr;
  qint64 bestArea = -1;
  for (const QRect& a : available) {
    const QRect overlap = a.intersected(frame);
    const qint64 area = overlap.isEmpty() ? 0 : qint64(overlap.width()) * overlap.height();
    if (area > bestArea) {
      bestArea = area;
      best = &a;
    }
  }
  if (bestArea == 0) {
    auto distance = [&frame](const QRect& a) {
      const QPoint d = a.center() - frame.center();
      return qint64(d.x()) * d.x() + qint64(d.y()) * d.y();
    };
    best = &*std::min_element(available.begin(), available.end(),
                              [&](const QRect& a, const QRect& b) { return distance(a) < distance(b); });
  }
  QRect out = frame;
  out.setWidth(std::min(frame.width(), best->width()));
  out.setHeight(std::min(frame.height(), best->height()));
  out.moveLeft(std::clamp(out.left(), best->left(), best->right() - out.width() + 1));
  out.moveTop(std::clamp(out.top(), best->top(), best->bottom() - out.height() + 1));
  return out;
}

void MainWindow::keepOnScreen() {
  QList<QRect> available;
  for (const QScreen* screen : QGuiApplication::screens())
    available << screen->availableGeometry();
  if (available.isEmpty()) return;
  const QRect frame = frameGeometry();
  const QRect fitted = clampToScreens(frame, available);
  if (fitted == frame) return;
  // frameGeometry includes the title bar; resize() and move() take the client size and frame position.
  const QSize decoration = frame.size() - size();
  resize(fitted.size() - decoration);
  move(fitted.topLeft());
}

void MainWindow::createHelpMenu() {
  auto* help = menuBar()->addMenu(tr("&Help"));
  auto* docs = help->addAction(tr("&Documentation"), this, [this] { showDocumentation(); });
  docs->setShortcut(QKeySequence::HelpContents);
  help->addSeparator();
  help->addAction(tr("&About GearStudio"), this,
                  [this] { dialogs::ask(this, tr("About GearStudio"), aboutText(), QMessageBox::Ok); });
}

QString MainWindow::aboutText() const {
  return tr("<h3>GearStudio %1</h3>"
            "<p>Converts ONNX models to .om for static, multi-gear and dynamic input shapes, with the options "
            "and error codes of ATC, and measures every gear on the CPU.</p>"
            "<p><b>Licence:</b> none chosen yet. The GearStudio developers have not chosen a licence for this "
            "software; until they do, all rights are reserved by its authors (as the package's copyright file "
            "says).</p>"
            "<p>Built with Qt %2 (running on Qt %3).</p>")
      .arg(QStringLiteral(GS_VERSION), QStringLiteral(QT_VERSION_STR), QString::fromLatin1(qVersion()));
}

QWidget* MainWindow::showDocumentation(const QString& page) {
  auto* dialog = findChild<QDialog*>(QStringLiteral("helpWindow"));
  QTextBrowser* browser = nullptr;
  if (!dialog) {
    dialog = new QDialog(this);
    dialog->setObjectName(QStringLiteral("helpWindow"));
    dialog->setWindowTitle(tr("GearStudio documentation"));
    auto* pages = new QListWidget(dialog);
    pages->setObjectName(QStringLiteral("helpPages"));
    browser = new QTextBrowser(dialog);
    browser->setObjectName(QStringLiteral("helpBrowser"));
    browser->setOpenExternalLinks(true);
    for (const auto& p : kHelpPages) {
      auto* item = new QListWidgetItem(tr(p.title), pages);
      item->setData(Qt::UserRole, QString::fromLatin1(kHelpRoot) + QLatin1String(p.file));
    }
    pages->setFixedWidth(pages->sizeHintForColumn(0) + 2 * pages->frameWidth() + 8);
    connect(pages, &QListWidget::currentItemChanged, browser, [browser](QListWidgetItem* item) {
      if (item) browser->setSource(QUrl(item->data(Qt::UserRole).toString()), QTextDocument::MarkdownResource);
    });
    auto* layout = new QHBoxLayout(dialog);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addWidget(pages);
    layout->addWidget(browser, 1);
    dialog->resize(1000, 720);
    pages->setCurrentRow(0);
  } else {
    browser = dialog->findChild<QTextBrowser*>(QStringLiteral("helpBrowser"));
  }
  if (!page.isEmpty()) browser->setSource(QUrl(QString::fromLatin1(kHelpRoot) + page), QTextDocument::MarkdownResource);
  dialog->show();
  dialog->raise();
  return dialog;
}

// ---- File > Close, View > Reset layout -------------------------------------------------------------

bool MainWindow::closeModel() {
  if (m_project->isModified() && !confirmDiscard()) return false;
  m_pending.reset();
  m_compiler->cancel();
  m_profile->cancel();
  m_traffic->cancel();
  m_omPath.clear();
  m_compile->clear();
  m_project->setModel(nullptr, QString(), QString()); // drops the build too
  m_graph->setModel(nullptr, QString());
  m_profile->setModel(nullptr, QString());
  m_profile->setHistoryJson({});
  m_traffic->setModel(nullptr); // the trace stays: it belongs to the service, not to the model
  m_autosaver->discard();
  updateStatus();
  updateTitle();
  updateActions();
  return true;
}

void MainWindow::resetLayout() {
  for (auto* dock : findChildren<QDockWidget*>()) {
    dock->setFloating(false);
    dock->show();
  }
  restoreState(m_defaultState);
}

// ---- a compiled .om ---------------------------------------------------------------------------------

void MainWindow::openOm(const QString& path) {
  auto* watcher = new QFutureWatcher<OmLoad>(this);
  delete m_omLoader; // a newer open supersedes an older one
  m_omLoader = watcher;
  m_busy->setVisible(true);
  statusBar()->showMessage(tr("Opening %1…").arg(QFileInfo(path).fileName()));
  connect(watcher, &QFutureWatcher<OmLoad>::finished, this, &MainWindow::omLoaded);
  watcher->setFuture(QtConcurrent::run([path]() {
    OmLoad out{path, nullptr, {}};
    auto model = om::readFile(path.toStdString());
    if (model)
      out.model = std::make_shared<const om::Model>(std::move(*model));
    else
      out.error = QString::fromStdString(model.error().str());
    return out;
  }));
}

void MainWindow::omLoaded() {
  auto* watcher = static_cast<QFutureWatcher<OmLoad>*>(m_omLoader);
  const OmLoad result = watcher->result();
  watcher->deleteLater();
  m_omLoader = nullptr;
  m_busy->setVisible(false);
  statusBar()->clearMessage();
  if (!result.model) {
    showError(tr("Cannot open model"), result.error);
    emit loadFinished(false);
    return;
  }
  // The .om stands alone: its source model is not needed to look at its gears, memory and graphs.
  m_pending.reset();
  m_compiler->cancel();
  m_project->setModel(nullptr, QString(), QString());
  m_profile->setModel(nullptr, QString());
  m_profile->setHistoryJson({});
  m_omPath = QFileInfo(result.path).absoluteFilePath();
  // The .om is the build; with no source model there is no form it could match (empty key).
  m_project->setBuild(result.model, {}, result.model->meta.compileMillis);
  const QString name = QFileInfo(result.path).fileName();
  m_graph->setOmModel(result.model, name);
  m_compile->clear();
  m_compile->compileFinished(result.model, QString(), false, result.model->meta.compileMillis);
  if (auto* dock = findChild<QDockWidget*>(QStringLiteral("compileDock"))) dock->raise();
  m_recent->add(m_omPath);
  log::get("ui")->info("opened {}: {} gear(s), shared arena {} bytes", m_omPath.toStdString(),
                       result.model->gears.size(), result.model->sharedArenaBytes);
  updateStatus();
  updateTitle();
  updateActions();
  emit loadFinished(true);
}

} // namespace gs::ui
