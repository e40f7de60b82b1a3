// Imports a model file off the GUI thread (QtConcurrent::run) and hashes it for the project file.
// The QFutureWatcher is owned by this guard object; a newer start() supersedes an older one, whose
// result is then dropped.
#pragma once

#include <memory>
#include <optional>

#include <QFutureWatcher>
#include <QObject>
#include <QString>

#include "core/common/status.h"
#include "core/ir/graph.h"

namespace gs::ui {

struct LoadResult {
  QString path;
  std::shared_ptr<const ir::Model> model; // null on error
  QString sha256;
  std::optional<Error> error;
  double millis = 0;
};

// The import and hash themselves (what the worker runs); usable synchronously.
LoadResult loadModelFile(const QString& path);

class LoadJob : public QObject {
  Q_OBJECT
public:
  explicit LoadJob(QObject* parent = nullptr);
  ~LoadJob() override;

  void start(const QString& path);
  bool isRunning() const { return m_watcher && m_watcher->isRunning(); }
  QString path() const { return m_path; }

signals:
  void started(const QString& path);
  void finished(const gs::ui::LoadResult& result);

private:
  QFutureWatcher<LoadResult>* m_watcher = nullptr;
  QString m_path;
};

} // namespace gs::ui
