// Runs a build (gs::session::buildModel, the one build entry point) off the GUI thread with progress
// and Cancel. The future watcher, the
// cancel token and the progress relay are owned by this guard object; the worker holds only shared
// copies of what it reads (the model snapshot, the config), so the GUI can go on while it runs.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <QFutureWatcher>
#include <QObject>
#include <QString>

#include "core/common/progress.h"
#include "core/common/status.h"
#include "core/compiler/shape_config/shape_config.h"
#include "core/ir/graph.h"
#include "core/om/model.h"
#include "core/session/compile_onnx.h"

namespace gs::ui {

struct CompileOutcome {
  std::shared_ptr<const om::Model> model; // null on error or cancel
  // Per gear: the shape of every value of the *source* graph ("[1,16,160,160]" by value name), from
  // shape inference with that gear's inputs; labels the graph the user sees (the compiled gears'
  // graphs are optimised, so many of their values no longer exist there).
  std::vector<std::map<std::string, std::string>> sourceShapes;
  std::optional<Error> error;
  std::string key; // session::buildKey of the request it was built from
  double millis = 0;
  bool cancelled() const { return error && error->code == codes::kCancelled; }
};

// Carries progress from the worker to the GUI thread (queued). Shared with the worker so that it
// outlives a job destroyed mid-compile.
// The source graph's value shapes for each gear of a valid gear config (empty for dynamic shape; a
// gear whose inference fails gets an empty map).
std::vector<std::map<std::string, std::string>> inferGearShapes(const ir::Model& model,
                                                                const shape_config::ShapeConfig& config);

class ProgressRelay : public QObject {
  Q_OBJECT
signals:
  void progress(double fraction, const QString& what, int gear);
};

class CompileJob : public QObject {
  Q_OBJECT
public:
  explicit CompileJob(QObject* parent = nullptr);
  ~CompileJob() override;

  // `key`: session::buildKey of the request, handed back with the outcome.
  void start(std::shared_ptr<const ir::Model> model, session::BuildRequest request);
  void cancel();
  bool isRunning() const { return m_watcher != nullptr; }

signals:
  // fraction in [0,1]; gear: the gear being compiled (the progress event's gear), -1 for shared work.
  void progress(double fraction, const QString& what, int gear);
  void finished(const gs::ui::CompileOutcome& outcome);

private:
  QFutureWatcher<CompileOutcome>* m_watcher = nullptr;
  std::shared_ptr<CancelToken> m_cancel;
  std::shared_ptr<ProgressRelay> m_relay;
};

} // namespace gs::ui
