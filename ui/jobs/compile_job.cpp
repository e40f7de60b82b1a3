// See compile_job.h.
#include "ui/jobs/compile_job.h"

#include <QElapsedTimer>
#include <QtConcurrent/QtConcurrentRun>

#include "core/common/log.h"
#include "core/ops/registry.h"

namespace gs::ui {

std::vector<std::map<std::string, std::string>> inferGearShapes(const ir::Model& model,
                                                                const shape_config::ShapeConfig& config) {
  std::vector<std::map<std::string, std::string>> out;
  if (config.strategy == Strategy::DynamicShape) return out;
  auto gears = shape_config::expandGears(config, model.graph);
  if (!gears) return out;
  ops::GraphInferOptions options;
  options.keepDeclaredShapes = false;
  options.allowUnknownOps = true;
  for (const auto& gear : *gears) {
    ir::Graph g = model.graph; // constants share storage: cheap
    for (const auto& [name, dims] : gear.inputs)
      if (auto id = g.findValue(name); id != ir::kNone) g.values[id].shape = ir::Shape::fromValues(dims);
    std::map<std::string, std::string> shapes;
    if (ops::inferGraph(g, model.onnxOpset(), options))
      for (const auto& v : g.values)
        if (!v.isConstant() && v.shape.rankKnown) shapes.emplace(v.name, v.shape.str());
    out.push_back(std::move(shapes));
  }
  return out;
}

CompileJob::CompileJob(QObject* parent) : QObject(parent) {}

CompileJob::~CompileJob() {
  // Let a running compile stop at its next check; its result is dropped with the watcher.
  if (m_cancel) m_cancel->cancel();
  if (m_watcher) m_watcher->disconnect(this);
}

void CompileJob::cancel() {
  if (m_cancel) m_cancel->cancel();
}

void CompileJob::start(std::shared_ptr<const ir::Model> model, session::BuildRequest request) {
  cancel();
  if (m_watcher) {
    m_watcher->disconnect(this);
    m_watcher->deleteLater();
  }
  m_cancel = std::make_shared<CancelToken>();
  // deleteLater: the last owner may be the worker thread; the relay lives in the GUI thread.
  m_relay = std::shared_ptr<ProgressRelay>(new ProgressRelay, [](ProgressRelay* r) { r->deleteLater(); });
  connect(m_relay.get(), &ProgressRelay::progress, this, &CompileJob::progress);

  m_watcher = new QFutureWatcher<CompileOutcome>(this);
  auto* watcher = m_watcher;
  connect(watcher, &QFutureWatcher<CompileOutcome>::finished, this, [this, watcher] {
    if (watcher != m_watcher) return;
    const auto outcome = watcher->result();
    m_watcher = nullptr;
    watcher->deleteLater();
    emit finished(outcome);
  });

  auto cancelToken = m_cancel;
  auto relay = m_relay;
  watcher->setFuture(QtConcurrent::run([model = std::move(model), request = std::move(request), cancelToken, relay]() {
    QElapsedTimer timer;
    timer.start();
    Progress progress;
    progress.cancel = cancelToken.get();
    progress.onEvent = [relay](const ProgressEvent& e) {
      emit relay->progress(e.fraction, QString::fromStdString(e.what), e.gear);
    };
    CompileOutcome outcome;
    // No exception leaves the worker: QtConcurrent would rethrow it in the GUI thread.
    try {
      outcome.key = session::buildKey(*model, request);
      auto result = session::buildModel(*model, request, progress);
      if (result) {
        outcome.model = std::make_shared<const om::Model>(std::move(*result));
        outcome.sourceShapes = inferGearShapes(*model, request.config);
      } else {
        outcome.error = result.error();
      }
    } catch (const std::bad_alloc&) {
      outcome.model.reset();
      outcome.error = Error{codes::kInternal, "out of memory while compiling"};
    } catch (const std::exception& e) {
      outcome.model.reset();
      outcome.error = Error{codes::kInternal, std::string("compiling failed: ") + e.what()};
    }
    outcome.millis = static_cast<double>(timer.nsecsElapsed()) / 1e6;
    if (outcome.error)
      log::get("ui")->log(outcome.cancelled() ? spdlog::level::info : spdlog::level::err, "compile: {}",
                          outcome.error->str());
    return outcome;
  }));
}

} // namespace gs::ui
