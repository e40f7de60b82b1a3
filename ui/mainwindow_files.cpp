// MainWindow's save and export actions: the project (.gearproj), the compiled model (.om), the
// ATC command as a shell script and the graph image. Split from mainwindow.cpp to keep files short.
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QSaveFile>
#include <QStatusBar>

#include "core/common/log.h"
#include "core/om/om_file.h"
#include "ui/mainwindow.h"
#include "ui/profile/profile_panel.h"
#include "ui/project.h"
#include "ui/recent_files.h"
#include "ui/widgets/graph_area.h"

namespace gs::ui {
namespace {

std::string str(const QString& s) { return s.toStdString(); }
bool isProjectFile(const QString& path) { return path.endsWith(QLatin1String(".gearproj"), Qt::CaseInsensitive); }

} // namespace

// ---- saving -------------------------------------------------------------------------------------

Status MainWindow::saveProjectTo(const QString& path) {
  if (!m_project->hasModel()) return makeError(codes::kInvalid, "no model is open");
  auto data = projectData(m_project->form(), m_project->modelPath(), m_project->modelSha256());
  data.profileRuns = m_profile->historyJson();
  data.profileSettings = m_profile->settingsJson();
  // The build travels with the project when it is the form's: an .om beside the project file.
  if (m_project->buildMatchesForm()) {
    const auto omPath = buildOmPathFor(QFileInfo(path).absoluteFilePath());
    GS_RETURN_IF_ERROR(om::writeFile(*m_project->build(), str(omPath)));
    data.buildOmPath = omPath;
    data.buildKey = QString::fromStdString(m_project->buildKey());
    data.buildMillis = m_project->buildMillis();
  }
  GS_RETURN_IF_ERROR(writeProject(data, path));
  m_project->setProjectPath(QFileInfo(path).absoluteFilePath());
  m_project->markSaved();
  m_recent->add(path);
  updateTitle();
  log::get("ui")->info("saved project {}", str(path));
  return ok();
}

void MainWindow::saveProject() {
  if (m_project->projectPath().isEmpty()) {
    saveProjectAs();
    return;
  }
  if (auto s = saveProjectTo(m_project->projectPath()); !s)
    showError(tr("Cannot save project"), QString::fromStdString(s.error().str()));
}

void MainWindow::saveProjectAs() {
  const auto suggestion = m_project->projectPath().isEmpty()
                              ? m_project->form().outputPath + QStringLiteral(".gearproj")
                              : m_project->projectPath();
  auto path =
      QFileDialog::getSaveFileName(this, tr("Save project"), suggestion, tr("GearStudio projects (*.gearproj)"));
  if (path.isEmpty()) return;
  if (!isProjectFile(path)) path += QStringLiteral(".gearproj");
  if (auto s = saveProjectTo(path); !s) showError(tr("Cannot save project"), QString::fromStdString(s.error().str()));
}

Status MainWindow::saveOmTo(const QString& path) {
  const auto build = m_project->build();
  if (!build) return makeError(codes::kInvalid, "nothing is compiled yet: build first");
  GS_RETURN_IF_ERROR(om::writeFile(*build, str(path)));
  log::get("ui")->info("saved {}", str(path));
  return ok();
}

void MainWindow::saveOm() {
  if (!m_project->build()) return;
  auto path = QFileDialog::getSaveFileName(this, tr("Save offline model"), m_project->form().outputPath + ".om",
                                           tr("Offline models (*.om)"));
  if (path.isEmpty()) return;
  if (!path.endsWith(QLatin1String(".om"))) path += QStringLiteral(".om");
  if (auto s = saveOmTo(path); !s)
    showError(tr("Cannot save model"), QString::fromStdString(s.error().str()));
  else
    statusBar()->showMessage(tr("Saved %1").arg(path), 5000);
}

Status MainWindow::exportScriptTo(const QString& path) {
  QSaveFile file(path);
  if (!file.open(QIODevice::WriteOnly | QIODevice::Text))
    return makeError(codes::kIo, "cannot write '" + str(path) + "': " + str(file.errorString()));
  const auto text = QStringLiteral("#!/bin/sh\n# Converts %1 with ATC (written by GearStudio).\n%2\n")
                        .arg(QFileInfo(m_project->modelPath()).fileName(), m_project->check().commandLine);
  file.write(text.toUtf8());
  if (!file.commit()) return makeError(codes::kIo, "cannot write '" + str(path) + "': " + str(file.errorString()));
  QFile::setPermissions(path, QFile::permissions(path) | QFileDevice::ExeOwner | QFileDevice::ExeGroup |
                                  QFileDevice::ExeOther);
  return ok();
}

void MainWindow::exportScript() {
  const auto path = QFileDialog::getSaveFileName(this, tr("Export ATC script"),
                                                 m_project->form().outputPath + QStringLiteral("_atc.sh"),
                                                 tr("Shell scripts (*.sh)"));
  if (path.isEmpty()) return;
  if (auto s = exportScriptTo(path); !s) showError(tr("Cannot export script"), QString::fromStdString(s.error().str()));
}

void MainWindow::exportGraph() {
  const auto path = QFileDialog::getSaveFileName(this, tr("Export graph image"),
                                                 m_project->form().outputPath + QStringLiteral(".svg"),
                                                 tr("SVG images (*.svg);;PNG images (*.png)"));
  if (path.isEmpty()) return;
  QString error;
  if (!m_graph->exportImage(path, &error)) showError(tr("Cannot export graph"), error);
}

} // namespace gs::ui
