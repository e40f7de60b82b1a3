// The graph view's levels (offscreen): If/Loop bodies opened from the properties panel's link and by
// double-click, the breadcrumb and Back, values read from the enclosing graph shown as pills; the
// previous picture kept while a new graph is laid out, and graphs seen before shown again without a
// new layout.
#include <algorithm>
#include <memory>

#include <QHeaderView>
#include <QSignalSpy>
#include <QTest>
#include <QTreeWidget>

#include "bench/graph_layout/chain_graph.h"
#include "ui/views/display_graph.h"
#include "ui/views/graph_canvas.h"
#include "ui/views/graph_items.h"
#include "ui/views/graph_scene.h"
#include "ui/views/graph_view.h"
#include "ui/views/node_properties.h"

using namespace gs;
using namespace gs::ui;

namespace {

ir::Node makeNode(std::string name, std::string op, std::vector<ir::ValueId> in, std::vector<ir::ValueId> out) {
  ir::Node n;
  n.name = std::move(name);
  n.opType = std::move(op);
  n.inputs = std::move(in);
  n.outputs = std::move(out);
  return n;
}

// A body graph with one node `op` reading `outer` from the enclosing graph (outerScope) and, when
// `input` is set, a body input of its own.
std::shared_ptr<ir::Graph> makeBody(const std::string& prefix, const std::string& op, bool input) {
  auto body = std::make_shared<ir::Graph>();
  const auto outer = body->addValue("x", ir::DataType::Float32);
  body->values[static_cast<std::size_t>(outer)].outerScope = true;
  std::vector<ir::ValueId> ins{outer};
  if (input) {
    const auto i = body->addValue(prefix + "_iter", ir::DataType::Int64);
    body->inputs.push_back(i);
    ins.push_back(i);
  }
  const auto out = body->addValue(prefix + "_out", ir::DataType::Float32);
  body->addNode(makeNode(prefix + "_" + op, op, ins, {out}));
  body->outputs.push_back(out);
  return body;
}

// x, cond -> If "branch" (then: Relu of x, else: Neg of x) -> y; x -> Loop "repeat" (body: Add) -> z.
struct BodiesModel {
  std::shared_ptr<ir::Graph> graph = std::make_shared<ir::Graph>();
  std::shared_ptr<ir::Graph> thenBody, elseBody, loopBody;
};

BodiesModel makeBodiesModel() {
  BodiesModel m;
  ir::Graph& g = *m.graph;
  const auto x = g.addValue("x", ir::DataType::Float32);
  const auto cond = g.addValue("cond", ir::DataType::Bool);
  const auto y = g.addValue("y", ir::DataType::Float32);
  const auto z = g.addValue("z", ir::DataType::Float32);
  g.inputs = {x, cond};
  m.thenBody = makeBody("then", "Relu", false);
  m.elseBody = makeBody("else", "Neg", false);
  m.loopBody = makeBody("loop", "Add", true);
  ir::Node branch = makeNode("branch", "If", {cond}, {y});
  ir::Attribute thenAttr, elseAttr, bodyAttr;
  thenAttr.kind = elseAttr.kind = bodyAttr.kind = ir::Attribute::Kind::Graph;
  thenAttr.g = m.thenBody;
  elseAttr.g = m.elseBody;
  bodyAttr.g = m.loopBody;
  branch.attrs.set("then_branch", thenAttr);
  branch.attrs.set("else_branch", elseAttr);
  g.addNode(std::move(branch));
  ir::Node repeat = makeNode("repeat", "Loop", {x}, {z});
  repeat.attrs.set("body", bodyAttr);
  g.addNode(std::move(repeat));
  g.outputs = {y, z};
  return m;
}

bool waitLaidOut(QSignalSpy& spy) {
  if (spy.isEmpty() && !spy.wait(30000)) return false;
  spy.clear();
  return true;
}

QTreeWidgetItem* attributeRow(QTreeWidget* tree, const QString& name) {
  for (int i = 0; i < tree->topLevelItemCount(); ++i) {
    auto* top = tree->topLevelItem(i);
    if (top->text(0) != QLatin1String("Attributes")) continue;
    for (int c = 0; c < top->childCount(); ++c)
      if (top->child(c)->text(0) == name) return top->child(c);
  }
  return nullptr;
}

} // namespace

class TestGraphLevels : public QObject {
  Q_OBJECT
private slots:
  void bodiesOpenAndCloseWithBreadcrumb();
  void doubleClickOpensTheOnlyBody();
  void previousPictureStaysWhileLayingOut();
};

void TestGraphLevels::bodiesOpenAndCloseWithBreadcrumb() {
  const BodiesModel m = makeBodiesModel();
  GraphView view;
  NodePropertiesPanel panel;
  panel.follow(&view);
  panel.resize(400, 600);
  panel.show();
  QSignalSpy laid(&view, &GraphView::layoutFinished);
  QSignalSpy levels(&view, &GraphView::subgraphChanged);
  view.setGraph(m.graph, "bodies");
  QVERIFY(waitLaidOut(laid));
  QCOMPARE(view.bodyAttributes("branch"), QStringList({"else_branch", "then_branch"}));
  QCOMPARE(view.bodyAttributes("repeat"), QStringList({"body"}));
  QVERIFY(view.bodyAttributes("x").isEmpty());
  QVERIFY(!view.openSubgraph("branch", "body")); // If has no "body"
  QVERIFY(!view.openSubgraph("x"));
  QCOMPARE(view.subgraphDepth(), 0);
  QVERIFY(view.breadcrumb() == QStringList({"bodies"}));

  // The properties panel shows each body as a link; clicking it opens the body.
  QVERIFY(view.selectNode("branch"));
  QCOMPARE(panel.currentNode(), QString("branch"));
  QTreeWidgetItem* link = attributeRow(panel.tree(), "then_branch");
  QVERIFY(link);
  QVERIFY(link->text(1).contains("open"));
  QVERIFY(link->font(1).underline());
  QVERIFY(!attributeRow(panel.tree(), "else_branch")->text(1).isEmpty());
  const QRect cell = panel.tree()->visualItemRect(link);
  const int valueX = panel.tree()->header()->sectionViewportPosition(1) + 10;
  QTest::mouseClick(panel.tree()->viewport(), Qt::LeftButton, {}, QPoint(valueX, cell.center().y()));
  QVERIFY(waitLaidOut(laid));
  QCOMPARE(view.displayedGraph().get(), m.thenBody.get());
  QCOMPARE(view.subgraphDepth(), 1);
  QCOMPARE(levels.size(), 1);
  QCOMPARE(levels.takeFirst().at(0).toInt(), 1);
  QCOMPARE(view.breadcrumb(), QStringList({"bodies", QStringLiteral("branch \u203a then_branch")}));
  QVERIFY(view.title().endsWith(QStringLiteral("then_branch")));

  // The body reads x from the enclosing graph: a dashed pill with an edge into the Relu.
  const auto dg = view.displayGraph();
  const int pill = view.scene()->nodeIndex("x");
  const int relu = view.scene()->nodeIndex("then_Relu");
  QVERIFY(pill >= 0 && relu >= 0);
  QVERIFY(dg->nodes[static_cast<std::size_t>(pill)].outerScope);
  QVERIFY(std::any_of(dg->edges.begin(), dg->edges.end(),
                      [&](const DisplayEdge& e) { return e.from == pill && e.to == relu; }));
  // The panel follows the body.
  QVERIFY(view.selectNode("then_Relu"));
  QCOMPARE(panel.currentNode(), QString("then_Relu"));

  // Back: the enclosing graph again, without a new layout, with the If selected.
  QVERIFY(view.closeSubgraph());
  QCOMPARE(view.displayedGraph().get(), m.graph.get()); // at once: it was kept
  QVERIFY(waitLaidOut(laid));
  QCOMPARE(view.selectedNodeName(), QString("branch"));
  QCOMPARE(view.subgraphDepth(), 0);
  QCOMPARE(levels.takeFirst().at(0).toInt(), 0);
  QVERIFY(!view.closeSubgraph());

  // Two levels down and straight back to the top through the breadcrumb.
  QVERIFY(view.openSubgraph("branch", "else_branch"));
  QVERIFY(waitLaidOut(laid));
  QCOMPARE(view.displayedGraph().get(), m.elseBody.get());
  QVERIFY(view.selectNode("else_Neg"));
  QVERIFY(!view.openSubgraph("else_Neg")); // no body
  view.showLevel(0);
  QVERIFY(waitLaidOut(laid));
  QCOMPARE(view.displayedGraph().get(), m.graph.get());
  QCOMPARE(view.selectedNodeName(), QString("branch"));

  // A new top graph forgets the levels.
  QVERIFY(view.openSubgraph("repeat"));
  QVERIFY(waitLaidOut(laid));
  QCOMPARE(view.displayedGraph().get(), m.loopBody.get());
  levels.clear();
  view.setGraph(m.thenBody, "another");
  QVERIFY(waitLaidOut(laid));
  QCOMPARE(view.subgraphDepth(), 0);
  QCOMPARE(levels.size(), 1);
  QCOMPARE(view.breadcrumb(), QStringList({"another"}));
}

void TestGraphLevels::doubleClickOpensTheOnlyBody() {
  const BodiesModel m = makeBodiesModel();
  GraphView view;
  view.resize(900, 700);
  view.show();
  QSignalSpy laid(&view, &GraphView::layoutFinished);
  view.setGraph(m.graph, "bodies");
  QVERIFY(waitLaidOut(laid));
  NodeItem* repeat = view.scene()->nodeItem(view.scene()->nodeIndex("repeat"));
  QVERIFY(repeat);
  const QPoint at = view.canvas()->mapFromScene(repeat->sceneBoundingRect().center());
  QVERIFY(view.canvas()->viewport()->rect().contains(at));
  QTest::mouseDClick(view.canvas()->viewport(), Qt::LeftButton, {}, at);
  QVERIFY(waitLaidOut(laid));
  QCOMPARE(view.displayedGraph().get(), m.loopBody.get());
  QCOMPARE(view.subgraphDepth(), 1);
  // A double-click on a node without a body changes nothing.
  NodeItem* add = view.scene()->nodeItem(view.scene()->nodeIndex("loop_Add"));
  QVERIFY(add);
  QTest::mouseDClick(view.canvas()->viewport(), Qt::LeftButton, {},
                     view.canvas()->mapFromScene(add->sceneBoundingRect().center()));
  QTest::qWait(100);
  QCOMPARE(view.subgraphDepth(), 1);
  QVERIFY(!view.isBusy());
}

void TestGraphLevels::previousPictureStaysWhileLayingOut() {
  const BodiesModel m = makeBodiesModel();
  auto big = std::make_shared<const ir::Graph>(bench::makeChainWithSkips(3000));
  GraphView view;
  QSignalSpy laid(&view, &GraphView::layoutFinished);
  view.setGraph(m.graph, "small");
  QVERIFY(waitLaidOut(laid));
  QVERIFY(view.selectNode("branch"));
  view.setGraph(big, "big");
  QVERIFY(view.isBusy());
  // The small graph is still on screen, and usable, until the big one is ready.
  QCOMPARE(view.displayedGraph().get(), m.graph.get());
  QVERIFY(view.scene()->nodeIndex("branch") >= 0);
  QVERIFY(view.selectNode("repeat"));
  QVERIFY(waitLaidOut(laid));
  QCOMPARE(view.displayedGraph().get(), big.get());
  QVERIFY(view.scene()->nodeIndex("branch") < 0);

  // Shown before: back at once, no worker, no new layout.
  view.setGraph(m.graph, "small");
  QCOMPARE(view.displayedGraph().get(), m.graph.get());
  QVERIFY(waitLaidOut(laid));
  const auto first = view.displayGraph();
  view.setGraph(big, "big");
  QCOMPARE(view.displayedGraph().get(), big.get());
  QVERIFY(waitLaidOut(laid));
  view.setGraph(m.graph, "small");
  QCOMPARE(view.displayGraph().get(), first.get()); // the same laid-out picture
  // selectWhenReady waits for a pending layout, and selects at once otherwise.
  QVERIFY(waitLaidOut(laid));
  view.selectWhenReady("repeat");
  QCOMPARE(view.selectedNodeName(), QString("repeat"));
  auto other = std::make_shared<const ir::Graph>(bench::makeChainWithSkips(500));
  view.setGraph(other, "other");
  QVERIFY(view.isBusy());
  const QString target = nodeDisplayName(*other, 250);
  view.selectWhenReady(target);
  QVERIFY(waitLaidOut(laid));
  QCOMPARE(view.selectedNodeName(), target);
}

QTEST_MAIN(TestGraphLevels)
#include "test_graph_levels.moc"
