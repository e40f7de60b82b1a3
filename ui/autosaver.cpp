// See autosaver.h.
#include "ui/autosaver.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QStandardPaths>

#include "core/common/log.h"
#include "ui/project.h"
#include "ui/project_file.h"

namespace gs::ui {

Autosaver::Autosaver(Project* project, QObject* parent) : QObject(parent), m_project(project) {
  m_timer.setSingleShot(true);
  m_timer.setInterval(3000);
  connect(&m_timer, &QTimer::timeout, this, &Autosaver::saveNow);
  connect(project, &Project::formChanged, this, &Autosaver::changed);
  connect(project, &Project::modelChanged, this, &Autosaver::changed);
}

QString Autosaver::recoveryPath() {
  const auto dir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
  return QDir(dir).filePath(QStringLiteral("recovery.gearproj"));
}

bool Autosaver::recoveryExists() { return QFile::exists(recoveryPath()); }

void Autosaver::setEnabled(bool enabled) {
  m_enabled = enabled;
  if (!enabled) m_timer.stop();
}

void Autosaver::changed() {
  if (!m_enabled) return;
  // Started, not restarted: continuous typing still gets saved every few seconds.
  if (!m_timer.isActive()) m_timer.start();
}

bool Autosaver::saveNow() {
  m_timer.stop();
  if (!m_enabled || !m_project->hasModel()) return true;
  const auto path = recoveryPath();
  QDir().mkpath(QFileInfo(path).absolutePath());
  auto data = projectData(m_project->form(), m_project->modelPath(), m_project->modelSha256());
  data.projectPath = m_project->projectPath();
  if (m_extra) m_extra(data);
  if (auto s = writeProject(data, path); !s) {
    log::get("ui")->warn("cannot write the recovery file: {}", s.error().str());
    return false;
  }
  return true;
}

void Autosaver::discard() {
  m_timer.stop();
  if (m_enabled) QFile::remove(recoveryPath());
}

} // namespace gs::ui
