// Crash recovery: a few seconds after the open project changes, it is written to a recovery file
// in QStandardPaths::AppDataLocation (atomically, as a .gearproj that also names the project it
// belongs to). A clean exit removes the file; finding it at start means the last session did not
// end cleanly, and the main window offers to restore it.
#pragma once

#include <functional>

#include <QObject>
#include <QString>
#include <QTimer>

namespace gs::ui {

class Project;
struct ProjectData;

class Autosaver : public QObject {
  Q_OBJECT
public:
  explicit Autosaver(Project* project, QObject* parent = nullptr);

  static QString recoveryPath();
  static bool recoveryExists();

  // Writes the recovery file now (when a model is open); false on an I/O error (logged).
  bool saveNow();
  // Removes the recovery file (clean exit, or the user declined to restore it).
  void discard();
  // A disabled saver never writes nor removes the recovery file: a scripted run (screenshots,
  // reports) must leave the recovery of an interrupted user session exactly as it found it.
  void setEnabled(bool enabled);
  bool isEnabled() const { return m_enabled; }
  // Delay between a change and the write.
  void setDelayMs(int ms) { m_timer.setInterval(ms); }
  bool isPending() const { return m_timer.isActive(); }
  // Adds state kept outside the form (the profile history) to what is written.
  void setExtra(std::function<void(ProjectData&)> extra) { m_extra = std::move(extra); }
  // Something outside the form changed: write it a few seconds from now.
  void changed();

private:
  Project* m_project;
  std::function<void(ProjectData&)> m_extra;
  QTimer m_timer;
  bool m_enabled = true;
};

} // namespace gs::ui
