// See compile_job.h.
#include "ui/jobs/compile_job.h"

#include <QElapsedTimer>
#include <QRegularExpression>
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

void CompileJob::start(std::shared_ptr<const ir::Model> model, shape_config::ShapeConfig config,
                       compiler::CompileOptions options) {
  cancel();
  if (m_watcher) {
    m_watcher->disconnect(this);
    m_watcher->deleteLater();
  }
  m_cancel = std::make_shared<CancelToken>();
  // deleteLater: the last owner may be the worker thread; the relay lives in the GUI thread.
  m_relay = std::shared_ptr<ProgressRelay>(new ProgressRelay, [](ProgressRelay* r) { r->deleteLater(); });
  connect(m_relay.get(), &ProgressRelay::progress, this, [this](double fraction, const QString& what) {
    static const QRegularExpression gearRe(QStringLiteral("^gear (\\d+)/(\\d+)"));
    const auto m = gearRe.match(what);
    emit progress(fraction, what, m.hasMatch() ? m.captured(1).toInt() - 1 : -1);
  });

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
  watcher->setFuture(QtConcurrent::run(
      [model = std::move(model), config = std::move(config), options = std::move(options), cancelToken, relay]() {
        QElapsedTimer timer;
        timer.start();
        Progress progress;
        progress.cancel = cancelToken.get();
        progress.report = [relay](double fraction, const std::string& what) {
          emit relay->progress(fraction, QString::fromStdString(what));
        };
        CompileOutcome outcome;
        // No exception leaves the worker: QtConcurrent would rethrow it in the GUI thread.
        try {
          auto result = compiler::compile(*model, config, options, progress);
          if (result) {
            outcome.model = std::make_shared<const om::Model>(std::move(*result));
            outcome.sourceShapes = inferGearShapes(*model, config);
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
