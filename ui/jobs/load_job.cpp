// See load_job.h.
#include "ui/jobs/load_job.h"

#include <QElapsedTimer>
#include <QtConcurrent/QtConcurrentRun>

#include "core/common/log.h"
#include "core/compiler/compile.h"
#include "core/compiler/onnx/importer.h"

namespace gs::ui {

LoadResult loadModelFile(const QString& path) {
  QElapsedTimer timer;
  timer.start();
  LoadResult r;
  r.path = path;
  auto model = onnx_import::importModel(path.toStdString());
  if (!model) {
    r.error = model.error();
  } else {
    auto hash = compiler::sha256File(path.toStdString());
    if (!hash) {
      r.error = hash.error();
    } else {
      r.sha256 = QString::fromStdString(*hash);
      r.model = std::make_shared<const ir::Model>(std::move(*model));
    }
  }
  r.millis = static_cast<double>(timer.nsecsElapsed()) / 1e6;
  return r;
}

LoadJob::LoadJob(QObject* parent) : QObject(parent) {}

LoadJob::~LoadJob() {
  // The worker holds only its own copies; dropping the watcher lets it finish on its own.
  if (m_watcher) m_watcher->disconnect(this);
}

void LoadJob::start(const QString& path) {
  if (m_watcher) {
    m_watcher->disconnect(this);
    m_watcher->deleteLater();
  }
  m_path = path;
  m_watcher = new QFutureWatcher<LoadResult>(this);
  auto* watcher = m_watcher;
  connect(watcher, &QFutureWatcher<LoadResult>::finished, this, [this, watcher] {
    if (watcher != m_watcher) return;
    const auto result = watcher->result();
    m_watcher = nullptr;
    watcher->deleteLater();
    if (result.error)
      log::get("ui")->error("cannot open {}: {}", result.path.toStdString(), result.error->str());
    else
      log::get("ui")->info("opened {} ({} nodes) in {:.0f} ms", result.path.toStdString(),
                           result.model->graph.nodes.size(), result.millis);
    emit finished(result);
  });
  emit started(path);
  watcher->setFuture(QtConcurrent::run([path] {
    // No exception leaves the worker: QtConcurrent would rethrow it in the GUI thread.
    try {
      return loadModelFile(path);
    } catch (const std::exception& e) {
      LoadResult r;
      r.path = path;
      r.error = Error{codes::kInternal, std::string("loading failed: ") + e.what()};
      return r;
    }
  }));
}

} // namespace gs::ui
