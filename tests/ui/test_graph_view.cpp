// The graph view (offscreen): layout invariants on random DAGs and the PP-OCR models, find, PNG/SVG
// export, node properties with weight statistics, gear shape labels, and superseding a layout.
#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <random>
#include <set>

#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>

#include "bench/graph_layout/chain_graph.h"
#include "core/compiler/onnx/importer.h"
#include "ui/views/display_graph.h"
#include "ui/views/graph_export.h"
#include "ui/views/graph_items.h"
#include "ui/views/graph_layout.h"
#include "ui/views/graph_scene.h"
#include "ui/views/graph_view.h"
#include "ui/views/node_properties.h"
#include "ui/views/weight_stats.h"

using namespace gs;
using namespace gs::ui;

namespace {

// Checks what every layered layout must satisfy: finite positions inside the box, edges pointing
// down the ranks (for edges that were not reversed to break a cycle), nodes of one rank disjoint and
// on one line, routes joining the right boxes. Returns the first violation, or an empty string.
QString layoutViolation(const layout::LayoutGraph& g, const layout::LayoutResult& r, bool acyclic) {
  const int n = g.nodeCount();
  if (static_cast<int>(r.centers.size()) != n || static_cast<int>(r.ranks.size()) != n) return "size";
  for (int v = 0; v < n; ++v) {
    const auto& c = r.centers[static_cast<std::size_t>(v)];
    const double hw = g.widths[static_cast<std::size_t>(v)] / 2, hh = g.heights[static_cast<std::size_t>(v)] / 2;
    if (!std::isfinite(c.x) || !std::isfinite(c.y)) return QString("node %1 not placed").arg(v);
    if (c.x - hw < -1e-6 || c.x + hw > r.width + 1e-6 || c.y - hh < -1e-6 || c.y + hh > r.height + 1e-6)
      return QString("node %1 outside the box").arg(v);
  }
  for (std::size_t e = 0; e < g.edges.size(); ++e) {
    const auto [a, b] = g.edges[e];
    if (a == b) continue;
    const int ra = r.ranks[static_cast<std::size_t>(a)], rb = r.ranks[static_cast<std::size_t>(b)];
    if (acyclic && ra >= rb) return QString("edge %1->%2 goes from rank %3 to %4").arg(a).arg(b).arg(ra).arg(rb);
    if (ra == rb) return QString("edge %1->%2 within one rank").arg(a).arg(b);
    const auto& route = r.edgeRoutes[e];
    if (route.size() < 2) return QString("edge %1 has no route").arg(e);
    const int top = ra < rb ? a : b, bottom = ra < rb ? b : a;
    const auto& first = ra < rb ? route.front() : route.back();
    const auto& last = ra < rb ? route.back() : route.front();
    const auto& ct = r.centers[static_cast<std::size_t>(top)];
    const auto& cb = r.centers[static_cast<std::size_t>(bottom)];
    if (std::abs(first.y - (ct.y + g.heights[static_cast<std::size_t>(top)] / 2)) > 1e-6 ||
        std::abs(last.y - (cb.y - g.heights[static_cast<std::size_t>(bottom)] / 2)) > 1e-6 ||
        std::abs(first.x - ct.x) > g.widths[static_cast<std::size_t>(top)] / 2 + 1e-6 ||
        std::abs(last.x - cb.x) > g.widths[static_cast<std::size_t>(bottom)] / 2 + 1e-6)
      return QString("route of edge %1 does not join its nodes").arg(e);
  }
  std::map<int, std::vector<int>> byRank;
  for (int v = 0; v < n; ++v)
    byRank[r.ranks[static_cast<std::size_t>(v)]].push_back(v);
  for (auto& [rank, vs] : byRank) {
    std::sort(vs.begin(), vs.end(), [&](int a, int b) {
      return r.centers[static_cast<std::size_t>(a)].x < r.centers[static_cast<std::size_t>(b)].x;
    });
    for (std::size_t i = 0; i < vs.size(); ++i) {
      const auto a = static_cast<std::size_t>(vs[i]);
      if (std::abs(r.centers[a].y - r.centers[static_cast<std::size_t>(vs[0])].y) > 1e-6)
        return QString("rank %1 not on one line").arg(rank);
      if (i == 0) continue;
      const auto p = static_cast<std::size_t>(vs[i - 1]);
      if (r.centers[p].x + g.widths[p] / 2 > r.centers[a].x - g.widths[a] / 2 + 1e-6)
        return QString("nodes %1 and %2 overlap in rank %3").arg(vs[i - 1]).arg(vs[i]).arg(rank);
    }
  }
  return {};
}

layout::LayoutGraph randomDag(std::mt19937& rng, int n, bool withCycle) {
  layout::LayoutGraph g;
  std::uniform_real_distribution<double> width(10, 220), height(16, 90);
  for (int v = 0; v < n; ++v)
    g.addNode(std::round(width(rng)), std::round(height(rng)));
  for (int v = 1; v < n; ++v) {
    const int preds = std::uniform_int_distribution<int>(0, 3)(rng);
    for (int k = 0; k < preds; ++k) {
      // Mostly near predecessors, sometimes far ones (long edges, many virtual nodes).
      const int span = std::uniform_int_distribution<int>(0, 9)(rng) < 8
                           ? std::uniform_int_distribution<int>(1, 4)(rng)
                           : std::uniform_int_distribution<int>(1, v)(rng);
      g.edges.push_back({std::max(0, v - span), v});
    }
  }
  if (!g.edges.empty()) g.edges.push_back(g.edges.front()); // a duplicate
  if (withCycle && n > 3) {
    g.edges.push_back({n - 1, 0});
    g.edges.push_back({2, 2}); // self-loop
  }
  return g;
}

void checkDisplayGraph(const DisplayGraph& dg) {
  const ir::Graph& g = *dg.graph;
  QCOMPARE(dg.nodes.size(), g.nodes.size() + g.inputs.size() + g.outputs.size());
  std::map<int, std::vector<const DisplayNode*>> byRank;
  for (const auto& n : dg.nodes) {
    QVERIFY(std::isfinite(n.x) && std::isfinite(n.y) && n.width > 0 && n.height > 0);
    byRank[n.rank].push_back(&n);
  }
  for (const auto& e : dg.edges) {
    QVERIFY2(dg.nodes[static_cast<std::size_t>(e.from)].rank < dg.nodes[static_cast<std::size_t>(e.to)].rank,
             qPrintable(QString("edge into %1").arg(dg.nodes[static_cast<std::size_t>(e.to)].name)));
    QVERIFY(e.route.size() >= 2);
  }
  for (auto& [rank, ns] : byRank) {
    std::sort(ns.begin(), ns.end(), [](auto* a, auto* b) { return a->x < b->x; });
    for (std::size_t i = 1; i < ns.size(); ++i)
      QVERIFY2(ns[i - 1]->x + ns[i - 1]->width / 2 <= ns[i]->x - ns[i]->width / 2 + 1e-6,
               qPrintable(ns[i - 1]->name + " overlaps " + ns[i]->name));
  }
  // Every non-constant input of every op arrives on an edge.
  std::set<std::pair<int, ir::ValueId>> into;
  for (const auto& e : dg.edges)
    into.insert({e.to, e.value});
  for (std::size_t i = 0; i < dg.nodes.size(); ++i) {
    if (dg.nodes[i].kind != DisplayNode::Kind::Op) continue;
    for (ir::ValueId v : g.nodes[static_cast<std::size_t>(dg.nodes[i].irIndex)].inputs)
      if (v != ir::kNone && !g.values[static_cast<std::size_t>(v)].isConstant() &&
          !g.values[static_cast<std::size_t>(v)].outerScope)
        QVERIFY(into.count({static_cast<int>(i), v}));
  }
}

// A small model: x -> conv_a (W random, B) -> relu_a -> feature_map -> conv_b -> sum (+ skip from conv_a)
// -> reshape -> y. Only node names contain "conv", so find's expected hits are plain to see.
struct SmallModel {
  std::shared_ptr<ir::Graph> graph = std::make_shared<ir::Graph>();
  std::vector<float> weights;
};

SmallModel makeSmallModel() {
  SmallModel m;
  ir::Graph& g = *m.graph;
  std::mt19937 rng(7);
  std::normal_distribution<float> dist(0.0f, 0.5f);
  m.weights.resize(8 * 3 * 3 * 3);
  for (std::size_t i = 0; i < m.weights.size(); ++i)
    m.weights[i] = i % 5 == 0 ? 0.0f : dist(rng); // some exact zeros for the sparsity
  const ir::Shape act({ir::Dim::symbolic("N"), ir::Dim::known(8), ir::Dim::known(16), ir::Dim::known(16)});
  const auto x =
      g.addValue("x", ir::DataType::Float32,
                 ir::Shape({ir::Dim::symbolic("N"), ir::Dim::known(3), ir::Dim::known(16), ir::Dim::known(16)}));
  g.inputs.push_back(x);
  const auto w = g.addConstant("kernel_a", ir::Tensor::fromVector(m.weights, {8, 3, 3, 3}));
  const auto b = g.addConstant("bias_a", ir::Tensor::fromVector(std::vector<float>(8, 0.25f), {8}));
  const auto w2 = g.addConstant("kernel_b", ir::Tensor::fromVector(std::vector<float>(8 * 8 * 9, 0.1f), {8, 8, 3, 3}));
  const auto shape = g.addConstant("new_shape", ir::Tensor::fromVector(std::vector<int64_t>{0, -1, 4, 2}, {4}));
  const auto a = g.addValue("t_a", ir::DataType::Float32, act);
  const auto f = g.addValue("feature_map", ir::DataType::Float32, act);
  const auto c = g.addValue("t_b", ir::DataType::Float32, act);
  const auto s = g.addValue("t_sum", ir::DataType::Float32, act);
  const auto y = g.addValue("y", ir::DataType::Float32);
  auto node = [&](std::string name, std::string op, std::vector<ir::ValueId> in, std::vector<ir::ValueId> out) {
    ir::Node n;
    n.name = std::move(name);
    n.opType = std::move(op);
    n.inputs = std::move(in);
    n.outputs = std::move(out);
    return n;
  };
  ir::Node convA = node("conv_a", "Conv", {x, w, b}, {a});
  convA.attrs.set("kernel_shape", ir::Attribute::ofInts({3, 3}));
  convA.attrs.set("pads", ir::Attribute::ofInts({1, 1, 1, 1}));
  g.addNode(std::move(convA));
  g.addNode(node("relu_a", "Relu", {a}, {f}));
  ir::Node convB = node("conv_b", "Conv", {f, w2}, {c});
  convB.attrs.set("kernel_shape", ir::Attribute::ofInts({3, 3}));
  convB.attrs.set("pads", ir::Attribute::ofInts({1, 1, 1, 1}));
  g.addNode(std::move(convB));
  g.addNode(node("sum", "Add", {c, a}, {s}));
  g.addNode(node("reshape", "Reshape", {s, shape}, {y}));
  g.outputs.push_back(y);
  return m;
}

double waitLaidOut(QSignalSpy& spy) {
  if (spy.isEmpty() && !spy.wait(30000)) return -1;
  return spy.takeFirst().at(1).toDouble();
}

QTreeWidgetItem* childItem(QTreeWidgetItem* parent, const QString& text) {
  for (int i = 0; i < parent->childCount(); ++i)
    if (parent->child(i)->text(0) == text) return parent->child(i);
  return nullptr;
}

QTreeWidgetItem* findTop(QTreeWidget* tree, const QString& text) {
  for (int i = 0; i < tree->topLevelItemCount(); ++i)
    if (tree->topLevelItem(i)->text(0) == text) return tree->topLevelItem(i);
  return nullptr;
}

QString modelPath(const char* file) { return QStringLiteral(GS_MODELS_DIR "/") + QString::fromLatin1(file); }

} // namespace

class TestGraphView : public QObject {
  Q_OBJECT
private slots:
  void crossingsMatchBruteForce();
  void layoutInvariantsOnRandomDags();
  void layoutOfGraphsWithCyclesStillPlacesEveryNode();
  void layoutInvariantsOnPpOcrModels_data();
  void layoutInvariantsOnPpOcrModels();
  void findCyclesThroughHits();
  void exportPngAndSvg();
  void headlessExport();
  void exportHoldsEveryEdgeLabel();
  void propertiesShowWeightStatistics();
  void gearShapesRelabelEdges();
  void newerGraphSupersedesOlderLayout();
  void ppOcrRecInTheView();
};

void TestGraphView::crossingsMatchBruteForce() {
  std::mt19937 rng(3);
  for (int round = 0; round < 50; ++round) {
    const int upper = std::uniform_int_distribution<int>(1, 12)(rng);
    const int lower = std::uniform_int_distribution<int>(1, 12)(rng);
    std::vector<std::pair<int, int>> edges;
    const int count = std::uniform_int_distribution<int>(0, 30)(rng);
    for (int i = 0; i < count; ++i)
      edges.push_back({std::uniform_int_distribution<int>(0, upper - 1)(rng),
                       std::uniform_int_distribution<int>(0, lower - 1)(rng)});
    int64_t brute = 0;
    for (std::size_t i = 0; i < edges.size(); ++i)
      for (std::size_t j = i + 1; j < edges.size(); ++j) {
        const auto [a1, b1] = edges[i];
        const auto [a2, b2] = edges[j];
        if ((a1 < a2 && b1 > b2) || (a1 > a2 && b1 < b2)) ++brute;
      }
    QCOMPARE(layout::countCrossings(edges, lower), brute);
  }
}

void TestGraphView::layoutInvariantsOnRandomDags() {
  std::mt19937 rng(11);
  for (int round = 0; round < 40; ++round) {
    const int n = round == 0 ? 0 : std::uniform_int_distribution<int>(1, 400)(rng);
    const auto g = randomDag(rng, n, false);
    const auto r = layout::computeLayout(g);
    QVERIFY2(r.has_value(), r ? "" : r.error().str().c_str());
    const QString violation = layoutViolation(g, *r, true);
    QVERIFY2(violation.isEmpty(), qPrintable(QString("round %1 (%2 nodes): %3").arg(round).arg(n).arg(violation)));
  }
}

void TestGraphView::layoutOfGraphsWithCyclesStillPlacesEveryNode() {
  std::mt19937 rng(5);
  for (int round = 0; round < 10; ++round) {
    const auto g = randomDag(rng, std::uniform_int_distribution<int>(4, 200)(rng), true);
    const auto r = layout::computeLayout(g);
    QVERIFY(r.has_value());
    const QString violation = layoutViolation(g, *r, false);
    QVERIFY2(violation.isEmpty(), qPrintable(violation));
  }
  layout::LayoutGraph bad;
  bad.addNode(10, 10);
  bad.edges.push_back({0, 3});
  const auto r = layout::computeLayout(bad);
  QVERIFY(!r.has_value());
  QCOMPARE(QString::fromStdString(r.error().code), QString(codes::kInvalid));
}

void TestGraphView::layoutInvariantsOnPpOcrModels_data() {
  QTest::addColumn<QString>("file");
  QTest::newRow("rec") << modelPath("ch_PP-OCRv4_rec_infer.onnx");
  QTest::newRow("det") << modelPath("ch_PP-OCRv4_det_infer.onnx");
  QTest::newRow("cls") << modelPath("ch_ppocr_mobile_v2.0_cls_infer.onnx");
}

void TestGraphView::layoutInvariantsOnPpOcrModels() {
  QFETCH(QString, file);
  if (!QFileInfo::exists(file)) QSKIP("sample model not fetched");
  auto model = onnx_import::importModel(file.toStdString());
  QVERIFY2(model.has_value(), model ? "" : model.error().str().c_str());
  auto shared = std::make_shared<const ir::Model>(std::move(*model));
  const auto metrics = TextMetrics::measure();
  DisplayOptions options;
  options.inferOpset = shared->onnxOpset();
  auto dg = buildDisplayGraph(std::shared_ptr<const ir::Graph>(shared, &shared->graph), metrics, options);
  QVERIFY2(dg.has_value(), dg ? "" : dg.error().str().c_str());
  checkDisplayGraph(**dg);
  // Shape inference filled the edges' shapes: the first op's output has a known rank.
  const auto& g = *(*dg)->graph;
  QVERIFY(g.values[static_cast<std::size_t>(g.nodes.front().outputs.front())].shape.rankKnown);

  // The same graph through the layout API directly, with the generic invariant checker.
  layout::LayoutGraph lg;
  for (const auto& n : (*dg)->nodes)
    lg.addNode(n.width, n.height);
  for (const auto& e : (*dg)->edges)
    lg.edges.push_back({e.from, e.to});
  const auto r = layout::computeLayout(lg);
  QVERIFY(r.has_value());
  const QString violation = layoutViolation(lg, *r, true);
  QVERIFY2(violation.isEmpty(), qPrintable(violation));
}

void TestGraphView::findCyclesThroughHits() {
  const SmallModel m = makeSmallModel();
  GraphView view;
  view.resize(800, 600);
  QSignalSpy laid(&view, &GraphView::layoutFinished);
  QSignalSpy selected(&view, &GraphView::nodeSelected);
  view.setGraph(m.graph, "small");
  QVERIFY(waitLaidOut(laid) >= 0);

  // By name and op type: conv_a and conv_b, top to bottom, wrapping around.
  QCOMPARE(view.findNext("CONV"), 2);
  QCOMPARE(view.selectedNodeName(), QString("conv_a"));
  QCOMPARE(view.findNext("CONV"), 2);
  QCOMPARE(view.selectedNodeName(), QString("conv_b"));
  QCOMPARE(view.findNext("CONV"), 2);
  QCOMPARE(view.selectedNodeName(), QString("conv_a"));
  QVERIFY(!selected.isEmpty());
  QCOMPARE(selected.last().at(0).toString(), QString("conv_a"));
  // By op type only.
  QCOMPARE(view.findNext("relu"), 1);
  QCOMPARE(view.selectedNodeName(), QString("relu_a"));
  // By tensor name: relu_a produces feature_map, conv_b reads it.
  QCOMPARE(view.findNext("feature_map"), 2);
  QCOMPARE(view.selectedNodeName(), QString("relu_a"));
  QCOMPARE(view.findNext("feature_map"), 2);
  QCOMPARE(view.selectedNodeName(), QString("conv_b"));
  // A constant's name finds its consumer; graph inputs are nodes too.
  QCOMPARE(view.findNext("new_shape"), 1);
  QCOMPARE(view.selectedNodeName(), QString("reshape"));
  // Backwards, wrapping: "_a" is conv_a (its name), relu_a, sum (reads t_a), top to bottom; a new text
  // searched backwards starts at the last hit.
  QCOMPARE(view.findPrevious("_A"), 3);
  QCOMPARE(view.selectedNodeName(), QString("sum"));
  QCOMPARE(view.findPosition(), 3);
  QCOMPARE(view.findPrevious("_A"), 3);
  QCOMPARE(view.selectedNodeName(), QString("relu_a"));
  QCOMPARE(view.findPosition(), 2);
  QCOMPARE(view.findPrevious("_A"), 3);
  QCOMPARE(view.findPosition(), 1);
  QCOMPARE(view.findPrevious("_A"), 3);
  QCOMPARE(view.selectedNodeName(), QString("sum"));
  QCOMPARE(view.findPosition(), 3);
  QCOMPARE(view.findNext("_A"), 3);
  QCOMPARE(view.selectedNodeName(), QString("conv_a"));
  QCOMPARE(view.findPosition(), 1);
  QCOMPARE(view.findNext("_A"), 3);
  QCOMPARE(view.findPosition(), 2);
  QCOMPARE(view.findPrevious("_A"), 3);
  QCOMPARE(view.findPosition(), 1);
  QCOMPARE(view.findHitCount(), 3);
  QCOMPARE(view.findNext("nothing like this"), 0);
  QCOMPARE(view.findPosition(), 0);
  QVERIFY(view.selectNode("x"));
  QCOMPARE(view.selectedNodeName(), QString("x"));
  QVERIFY(!view.selectNode("no_such_node"));
}

void TestGraphView::exportPngAndSvg() {
  const SmallModel m = makeSmallModel();
  GraphView view;
  view.resize(800, 600);
  QSignalSpy laid(&view, &GraphView::layoutFinished);
  view.setGraph(m.graph, "small");
  QVERIFY(waitLaidOut(laid) >= 0);
  QTemporaryDir dir;
  QString error;
  const QString png = dir.filePath("graph.png");
  QVERIFY2(view.exportImage(png, &error), qPrintable(error));
  const QImage image(png);
  QVERIFY(!image.isNull());
  // Rendered at twice the exported part's size for sharp text.
  const QSizeF scene = exportSourceRect(*view.scene()).size();
  QCOMPARE(image.width(), static_cast<int>(std::floor(scene.width() * 2)));
  // The Conv boxes' header colour is in there.
  const QColor layer = graph_style::categoryColor(graph_style::Category::Layer);
  bool found = false;
  for (int y = 0; y < image.height() && !found; ++y)
    for (int x = 0; x < image.width() && !found; ++x)
      found = image.pixelColor(x, y) == layer;
  QVERIFY(found);

  const QString svg = dir.filePath("graph.SVG");
  QVERIFY2(view.exportImage(svg, &error), qPrintable(error));
  QFile f(svg);
  QVERIFY(f.open(QIODevice::ReadOnly));
  const QByteArray text = f.readAll();
  QVERIFY(text.contains("<svg"));
  QVERIFY(text.contains(">Conv<") || text.contains(">Conv "));
  QVERIFY(!text.contains("<image")); // vector, not cached bitmaps

  QVERIFY(!view.exportImage(dir.filePath("graph.bmpx"), &error));
  QVERIFY(error.contains("bmpx"));
}

void TestGraphView::headlessExport() {
  const SmallModel m = makeSmallModel();
  QTemporaryDir dir;
  QString error;
  const QString png = dir.filePath("headless.png");
  QVERIFY2(exportGraphImage(*m.graph, png, &error), qPrintable(error));
  QVERIFY(!QImage(png).isNull());
  const QString svg = dir.filePath("headless.svg");
  QVERIFY2(exportGraphImage(*m.graph, svg, &error), qPrintable(error));
  QFile f(svg);
  QVERIFY(f.open(QIODevice::ReadOnly));
  QVERIFY(f.readAll().contains("<svg"));
  // Huge scenes are scaled down to a bitmap that can be allocated.
  const QSize big = pngExportSize(QSizeF(2000, 600000));
  QVERIFY(big.height() <= 32000 && big.width() >= 1);
  QVERIFY(static_cast<double>(big.width()) * big.height() <= 32.0e6 + 1);
}

// x -> relu_a -> relu_b -> y, every value of rank 8 with six-digit dims: the shape labels are far wider
// than the boxes, so the labels right of the edges reach past the layout's extent.
std::shared_ptr<ir::Graph> makeLongLabelGraph() {
  auto graph = std::make_shared<ir::Graph>();
  ir::Graph& g = *graph;
  std::vector<ir::Dim> dims;
  for (int i = 0; i < 8; ++i)
    dims.push_back(ir::Dim::known(123450 + i));
  const ir::Shape wide(dims);
  const auto x = g.addValue("x", ir::DataType::Float32, wide);
  const auto a = g.addValue("a", ir::DataType::Float32, wide);
  const auto y = g.addValue("y", ir::DataType::Float32, wide);
  g.inputs.push_back(x);
  g.outputs.push_back(y);
  ir::Node ra;
  ra.name = "relu_a";
  ra.opType = "Relu";
  ra.inputs = {x};
  ra.outputs = {a};
  ir::Node rb = ra;
  rb.name = "relu_b";
  rb.inputs = {a};
  rb.outputs = {y};
  g.nodes.push_back(ra);
  g.nodes.push_back(rb);
  return graph;
}

void TestGraphView::exportHoldsEveryEdgeLabel() {
  GraphView view;
  view.resize(800, 600);
  QSignalSpy laid(&view, &GraphView::layoutFinished);
  view.setGraph(makeLongLabelGraph(), "long labels");
  QVERIFY(waitLaidOut(laid) >= 0);
  QTemporaryDir dir;
  QString error;
  const QString svg = dir.filePath("labels.svg");
  QVERIFY2(view.exportImage(svg, &error), qPrintable(error)); // populates the scene too
  const QRectF source = exportSourceRect(*view.scene());

  // The model does what it is for: some label sticks out of the layout's scene rect.
  int labels = 0;
  bool outside = false;
  for (QGraphicsItem* item : view.scene()->items()) {
    if (item->type() != EdgeItem::Type) continue;
    const auto* edge = static_cast<const EdgeItem*>(item);
    if (edge->label().isEmpty()) continue;
    ++labels;
    const QRectF box = edge->mapRectToScene(edge->labelBox());
    outside = outside || !view.scene()->sceneRect().contains(box);
    QVERIFY2(source.contains(box), qPrintable(QString("label '%1' at x %2..%3 outside the export's x %4..%5")
                                                  .arg(edge->label())
                                                  .arg(box.left())
                                                  .arg(box.right())
                                                  .arg(source.left())
                                                  .arg(source.right())));
    // With a margin to the border.
    QVERIFY(source.adjusted(4, 4, -4, -4).contains(box));
  }
  QVERIFY(labels >= 2);
  QVERIFY(outside);
  for (QGraphicsItem* item : view.scene()->items())
    QVERIFY(source.contains(item->sceneBoundingRect()));

  // The files are that rectangle: the SVG's size and view box, the PNG at twice it.
  QFile f(svg);
  QVERIFY(f.open(QIODevice::ReadOnly));
  const QString text = QString::fromUtf8(f.readAll());
  const QRegularExpression size(QStringLiteral(R"re(<svg[^>]*width="([0-9.]+)mm"[^>]*height="([0-9.]+)mm")re"));
  const QRegularExpression viewBox(QStringLiteral(R"re(viewBox="0 0 ([0-9.]+) ([0-9.]+)")re"));
  const auto vb = viewBox.match(text);
  QVERIFY2(vb.hasMatch(), qPrintable(text.left(600)));
  QCOMPARE(vb.captured(1).toDouble(), source.width());
  QCOMPARE(vb.captured(2).toDouble(), source.height());
  QVERIFY(size.match(text).hasMatch());
  const QString png = dir.filePath("labels.png");
  QVERIFY2(view.exportImage(png, &error), qPrintable(error));
  const QImage image(png);
  QCOMPARE(image.size(), pngExportSize(source.size()));
  QCOMPARE(image.width(), static_cast<int>(std::floor(source.width() * 2)));
}

void TestGraphView::propertiesShowWeightStatistics() {
  const SmallModel m = makeSmallModel();
  // Independent reference: two passes in long double.
  long double sum = 0;
  double lo = m.weights[0], hi = m.weights[0];
  int zeros = 0;
  for (float v : m.weights) {
    sum += v;
    lo = std::min(lo, static_cast<double>(v));
    hi = std::max(hi, static_cast<double>(v));
    zeros += v == 0.0f;
  }
  const long double mean = sum / m.weights.size();
  long double sq = 0;
  for (float v : m.weights)
    sq += (v - mean) * (v - mean);
  const double stddev = std::sqrt(static_cast<double>(sq / m.weights.size()));

  NodePropertiesPanel panel;
  panel.setGraph(m.graph);
  QVERIFY(panel.showNode("conv_a"));
  QTreeWidgetItem* inputs = findTop(panel.tree(), "Inputs");
  QVERIFY(inputs);
  QTreeWidgetItem* w = childItem(inputs, "W");
  QVERIFY(w);
  QCOMPARE(w->text(1), QString("kernel_a"));
  auto number = [w](const char* key) {
    QTreeWidgetItem* item = childItem(w, key);
    return item ? item->data(1, Qt::UserRole).toDouble() : std::nan("");
  };
  QCOMPARE(number("min"), lo);
  QCOMPARE(number("max"), hi);
  QVERIFY(std::abs(number("mean") - static_cast<double>(mean)) < 1e-9);
  QVERIFY(std::abs(number("std") - stddev) < 1e-9);
  QCOMPARE(number("sparsity"), static_cast<double>(zeros) / m.weights.size());
  QCOMPARE(number("elements"), static_cast<double>(m.weights.size()));
  QVERIFY(childItem(inputs, "X"));
  QVERIFY(childItem(childItem(inputs, "X"), "shape")->text(1).contains("N"));
  QTreeWidgetItem* attrs = findTop(panel.tree(), "Attributes");
  QVERIFY(attrs && childItem(attrs, "kernel_shape"));

  // An int64 constant: min and max only.
  QVERIFY(panel.showNode("reshape"));
  QTreeWidgetItem* shape = childItem(findTop(panel.tree(), "Inputs"), "shape");
  QVERIFY(shape);
  QCOMPARE(childItem(shape, "min")->data(1, Qt::UserRole).toDouble(), -1.0);
  QCOMPARE(childItem(shape, "max")->data(1, Qt::UserRole).toDouble(), 4.0);
  QVERIFY(!childItem(shape, "mean"));

  // Shapes per gear for the graph input.
  panel.setGearShapes({{{"x", "[1,3,16,16]"}}, {{"x", "[4,3,16,16]"}}});
  QVERIFY(panel.showNode("x"));
  QTreeWidgetItem* top = panel.tree()->topLevelItem(0);
  QTreeWidgetItem* value = top->child(0);
  QCOMPARE(childItem(value, "gear 0")->text(1), QString("1×3×16×16"));
  QCOMPARE(childItem(value, "gear 1")->text(1), QString("4×3×16×16"));
  QVERIFY(!panel.showNode("nope"));

  QVERIFY(!computeWeightStats(ir::Tensor{}).has_value());
}

void TestGraphView::gearShapesRelabelEdges() {
  const SmallModel m = makeSmallModel();
  GraphView view;
  QSignalSpy laid(&view, &GraphView::layoutFinished);
  view.setGraph(m.graph, "small");
  QVERIFY(waitLaidOut(laid) >= 0);
  const ir::ValueId f = m.graph->findValue("feature_map");
  QCOMPARE(view.scene()->edgeLabel(f), QString("N×8×16×16"));
  view.setValueShapes({{"feature_map", "[2,8,16,16]"}});
  QCOMPARE(view.scene()->edgeLabel(f), QString("2×8×16×16"));
  view.setValueShapes({});
  QCOMPARE(view.scene()->edgeLabel(f), QString("N×8×16×16"));
}

void TestGraphView::newerGraphSupersedesOlderLayout() {
  auto big = std::make_shared<const ir::Graph>(bench::makeChainWithSkips(4000));
  const SmallModel m = makeSmallModel();
  GraphView view;
  QSignalSpy laid(&view, &GraphView::layoutFinished);
  view.setGraph(big, "big");
  QVERIFY(view.isBusy());
  view.setGraph(m.graph, "small");
  QVERIFY(waitLaidOut(laid) >= 0);
  QTest::qWait(300); // give a superseded layout time to (wrongly) report
  QCOMPARE(laid.size(), 0);
  QCOMPARE(view.displayedGraph().get(), m.graph.get());
  // Cancel leaves an empty view and reports nothing.
  view.setGraph(big, "big");
  view.cancelLayout();
  QTest::qWait(300);
  QCOMPARE(laid.size(), 0);
  QVERIFY(!view.isBusy());
}

void TestGraphView::ppOcrRecInTheView() {
  const QString file = modelPath("ch_PP-OCRv4_rec_infer.onnx");
  if (!QFileInfo::exists(file)) QSKIP("sample model not fetched");
  auto model = onnx_import::importModel(file.toStdString());
  QVERIFY(model.has_value());
  auto shared = std::make_shared<const ir::Model>(std::move(*model));
  GraphView view;
  view.resize(1200, 800);
  view.show();
  QSignalSpy laid(&view, &GraphView::layoutFinished);
  QSignalSpy selected(&view, &GraphView::nodeSelected);
  view.setModel(shared, "rec");
  QVERIFY(laid.wait(30000));
  QCOMPARE(laid.first().at(0).toInt(), static_cast<int>(shared->graph.nodes.size()));
  const QString name = nodeDisplayName(shared->graph, static_cast<ir::NodeId>(shared->graph.nodes.size() / 2));
  QVERIFY(view.selectNode(name));
  QCOMPARE(selected.last().at(0).toString(), name);
  const int convs = view.findNext("Conv");
  const auto expected = std::count_if(shared->graph.nodes.begin(), shared->graph.nodes.end(), [](const ir::Node& n) {
    return QString::fromStdString(n.name).contains("conv", Qt::CaseInsensitive) ||
           QString::fromStdString(n.opType).contains("conv", Qt::CaseInsensitive);
  });
  QVERIFY(convs >= expected); // tensor names may add more
  NodePropertiesPanel panel;
  panel.follow(&view);
  panel.setGraph(view.displayedGraph());
  QVERIFY(view.selectNode(name));
  QCOMPARE(panel.currentNode(), name);
}

QTEST_MAIN(TestGraphView)
#include "test_graph_view.moc"
