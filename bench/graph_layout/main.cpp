// bench_graph_layout: figures for the studio's graph view.
//  (a) layout alone (display graph + Sugiyama layout) of a generated N-node chain with skip connections;
//  (b) PP-OCRv4 rec from open (ONNX import) to laid-out graph in a GraphView (items in the scene);
//  (c) the longest GUI-thread stall while the N-node graph is laid out and drawn, measured by a 10 ms
//      QTimer in the GUI thread recording the largest gap between its ticks.
// Usage: bench_graph_layout [--nodes=10000] [--repeat=3] [--model=FILE.onnx] [--grab=FILE.png [--grab-op=Conv]]
//                          [--grab-fit=FILE.png]
// --grab saves a picture of the model's view (with the properties panel, a node of that op selected);
// --grab-fit=FILE.png one of the whole graph fitted to the view.
// Without a display it runs on Qt's offscreen platform.
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <memory>
#include <vector>

#include <QApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFileInfo>
#include <QSplitter>
#include <QTimer>

#include "bench/graph_layout/chain_graph.h"
#include "core/compiler/onnx/importer.h"
#include "ui/views/display_graph.h"
#include "ui/views/graph_canvas.h"
#include "ui/views/graph_view.h"
#include "ui/views/node_properties.h"

namespace {

using gs::ui::GraphView;

// Times every event the GUI thread delivers, so a stall can be traced to what caused it.
class TimingApp : public QApplication {
public:
  using QApplication::QApplication;
  bool notify(QObject* receiver, QEvent* event) override {
    if (!m_recording) return QApplication::notify(receiver, event);
    QElapsedTimer t;
    t.start();
    const auto type = event->type();
    const bool result = QApplication::notify(receiver, event);
    const double ms = static_cast<double>(t.nsecsElapsed()) / 1e6;
    if (ms > m_slowest.ms) m_slowest = {ms, type, receiver->metaObject()->className()};
    return result;
  }
  struct Slow {
    double ms = 0;
    QEvent::Type type = QEvent::None;
    const char* receiver = "";
  };
  void record(bool on) {
    m_recording = on;
    if (on) m_slowest = {};
  }
  Slow slowest() const { return m_slowest; }

private:
  bool m_recording = false;
  Slow m_slowest;
};

struct Args {
  int nodes = 10000;
  int repeat = 3;
  QString model = QStringLiteral(GS_MODELS_DIR "/ch_PP-OCRv4_rec_infer.onnx");
  QString grab;
  QString grabOp = QStringLiteral("Conv");
  QString grabFit;
};

Args parseArgs(const QStringList& list) {
  Args a;
  for (const QString& s : list.mid(1)) {
    if (s.startsWith(QLatin1String("--nodes=")))
      a.nodes = s.mid(8).toInt();
    else if (s.startsWith(QLatin1String("--repeat=")))
      a.repeat = std::max(1, s.mid(9).toInt());
    else if (s.startsWith(QLatin1String("--model=")))
      a.model = s.mid(8);
    else if (s.startsWith(QLatin1String("--grab=")))
      a.grab = s.mid(7);
    else if (s.startsWith(QLatin1String("--grab-op=")))
      a.grabOp = s.mid(10);
    else if (s.startsWith(QLatin1String("--grab-fit=")))
      a.grabFit = s.mid(11);
    else
      std::cerr << "ignoring unknown argument " << s.toStdString() << "\n";
  }
  return a;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// Runs the event loop until the view reports a finished layout; returns its millis (-1 on failure).
double waitForLayout(GraphView& view) {
  QEventLoop loop;
  double millis = -1;
  auto c1 = QObject::connect(&view, &GraphView::layoutFinished, &loop, [&](int, double ms) {
    millis = ms;
    loop.quit();
  });
  auto c2 = QObject::connect(&view, &GraphView::layoutFailed, &loop, [&](const QString& m) {
    std::cerr << "layout failed: " << m.toStdString() << "\n";
    loop.quit();
  });
  loop.exec();
  QObject::disconnect(c1);
  QObject::disconnect(c2);
  return millis;
}

void layoutAlone(const std::shared_ptr<const gs::ir::Graph>& graph, int repeat, const char* what, int64_t opset) {
  const auto metrics = gs::ui::TextMetrics::measure();
  gs::ui::DisplayOptions options;
  options.inferOpset = opset;
  std::vector<double> total, layout;
  gs::ui::layout::LayoutStats stats;
  for (int r = 0; r < repeat; ++r) {
    QElapsedTimer t;
    t.start();
    auto dg = gs::ui::buildDisplayGraph(graph, metrics, options);
    total.push_back(static_cast<double>(t.nsecsElapsed()) / 1e6);
    if (!dg) {
      std::cerr << dg.error().str() << "\n";
      return;
    }
    stats = (*dg)->stats;
    layout.push_back(stats.msRank + stats.msOrder + stats.msPosition + stats.msRoute);
  }
  std::printf("%s: %zu nodes, display graph + layout %.1f ms (median of %d; Sugiyama alone %.1f ms: rank %.1f, "
              "order %.1f, x/y %.1f, routes %.1f); %d layers, %d virtual nodes, %lld crossings, %d sweeps\n",
              what, graph->nodes.size(), median(total), repeat, median(layout), stats.msRank, stats.msOrder,
              stats.msPosition, stats.msRoute, stats.layers, stats.virtualNodes,
              static_cast<long long>(stats.crossings), stats.sweeps);
}

} // namespace

int main(int argc, char** argv) {
  if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM") && qEnvironmentVariableIsEmpty("DISPLAY"))
    qputenv("QT_QPA_PLATFORM", "offscreen");
  TimingApp app(argc, argv);
  const Args args = parseArgs(app.arguments());
  std::printf("platform: %s, %d threads in the global pool\n", qPrintable(QGuiApplication::platformName()),
              QThreadPool::globalInstance()->maxThreadCount());

  // (a) layout alone.
  auto chain = std::make_shared<const gs::ir::Graph>(gs::bench::makeChainWithSkips(args.nodes));
  layoutAlone(chain, args.repeat, "chain with skips", 0);

  // (b) PP-OCRv4 rec: open -> laid out, in a shown GraphView (beside a properties panel, as in the studio).
  {
    QSplitter window;
    auto* view = new GraphView(&window);
    auto* panel = new gs::ui::NodePropertiesPanel(&window);
    panel->follow(view);
    window.addWidget(view);
    window.addWidget(panel);
    window.resize(1400, 900);
    window.setSizes({1040, 360});
    window.show();
    QElapsedTimer t;
    t.start();
    auto model = gs::onnx_import::importModel(args.model.toStdString());
    if (!model) {
      std::cerr << model.error().str() << "\n";
      return 1;
    }
    const double importMs = static_cast<double>(t.nsecsElapsed()) / 1e6;
    auto shared = std::make_shared<const gs::ir::Model>(std::move(*model));
    view->setModel(shared, QFileInfo(args.model).fileName());
    const double layoutMs = waitForLayout(*view);
    const double totalMs = static_cast<double>(t.nsecsElapsed()) / 1e6;
    std::printf("%s: %zu nodes, open -> laid out %.1f ms (import %.1f ms, shape inference + layout + scene %.1f ms)\n",
                qPrintable(QFileInfo(args.model).fileName()), shared->graph.nodes.size(), totalMs, importMs, layoutMs);
    layoutAlone(std::shared_ptr<const gs::ir::Graph>(shared, &shared->graph), args.repeat, "  the same, layout alone",
                shared->onnxOpset());
    if (!args.grab.isEmpty()) {
      // A node a third of the way down with a few constant inputs makes a representative picture.
      const auto& nodes = shared->graph.nodes;
      std::size_t pick = nodes.size() / 3;
      while (pick < nodes.size() && nodes[pick].opType != args.grabOp.toStdString())
        ++pick;
      if (pick == nodes.size()) pick = nodes.size() / 3;
      view->selectNode(gs::ui::nodeDisplayName(shared->graph, static_cast<gs::ir::NodeId>(pick)));
      view->canvas()->setZoomCentered(1.0, view->canvas()->mapToScene(view->canvas()->viewport()->rect().center()));
      QEventLoop settle;
      QTimer::singleShot(300, &settle, &QEventLoop::quit);
      settle.exec();
      std::printf("grab: %s %s\n", qPrintable(args.grab), window.grab().save(args.grab) ? "written" : "FAILED");
    }
    if (!args.grabFit.isEmpty()) {
      view->fitToView();
      QEventLoop settle;
      QTimer::singleShot(300, &settle, &QEventLoop::quit);
      settle.exec();
      std::printf("grab: %s %s\n", qPrintable(args.grabFit), window.grab().save(args.grabFit) ? "written" : "FAILED");
    }
  }

  // (c) GUI-thread stall while the chain is laid out (worker) and drawn (slices).
  {
    GraphView view;
    view.resize(1400, 900);
    view.show();
    app.processEvents();
    QElapsedTimer clock;
    qint64 last = 0, maxGap = 0;
    int ticks = 0;
    QTimer ticker;
    ticker.setTimerType(Qt::PreciseTimer);
    QObject::connect(&ticker, &QTimer::timeout, [&] {
      const qint64 now = clock.nsecsElapsed();
      maxGap = std::max(maxGap, now - last);
      last = now;
      ++ticks;
    });
    clock.start();
    app.record(true);
    ticker.start(10);
    view.setGraph(chain, QStringLiteral("chain"));
    const double layoutMs = waitForLayout(view);
    // Keep ticking a while: the first paints of the laid-out graph happen now.
    QEventLoop settle;
    QTimer::singleShot(1000, &settle, &QEventLoop::quit);
    settle.exec();
    ticker.stop();
    app.record(false);
    const auto slow = app.slowest();
    std::printf("GUI stall while laying out and drawing %d nodes: max gap between 10 ms ticks %.1f ms (%d ticks; "
                "setGraph -> laid out %.1f ms)\n",
                args.nodes, static_cast<double>(maxGap) / 1e6, ticks, layoutMs);
    std::printf("slowest GUI event meanwhile: %.1f ms (event type %d to a %s)\n", slow.ms, static_cast<int>(slow.type),
                slow.receiver);
    QElapsedTimer paint;
    paint.start();
    view.fitToView();
    view.canvas()->viewport()->repaint();
    std::printf("fit to view + one full repaint of all %d nodes: %.1f ms\n", args.nodes,
                static_cast<double>(paint.nsecsElapsed()) / 1e6);
  }
  return 0;
}
