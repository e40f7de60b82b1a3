// Navigating big graphs in the graph view (offscreen): find filters ("op:Conv", "name:", "tensor:"),
// name scopes that collapse into boxes and expand again, the overview map, the picture at Fit on a
// fully expanded 11,000-node graph, and a generated 11,000-node model with PyTorch-style scopes that
// opens as a handful of boxes and lets find walk into its scopes. The models are written at test time
// by tests/ui/make_scoped_model.py (python3-onnx).
#include <algorithm>
#include <functional>
#include <memory>
#include <set>

#include <QApplication>
#include <QFile>
#include <QImage>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include "core/compiler/onnx/importer.h"
#include "ui/views/display_graph.h"
#include "ui/views/graph_canvas.h"
#include "ui/views/graph_find.h"
#include "ui/views/graph_items.h"
#include "ui/views/graph_overview.h"
#include "ui/views/graph_scene.h"
#include "ui/views/graph_scopes.h"
#include "ui/views/graph_view.h"

using namespace gs;
using namespace gs::ui;

class TestGraphNavigation : public QObject {
  Q_OBJECT

private:
  QTemporaryDir m_dir;
  std::shared_ptr<const ir::Model> m_small; // 70 nodes: 4 stages x 3 blocks + neck and head of 1 block
  std::shared_ptr<const ir::Model> m_large; // 11,000 nodes

  static std::shared_ptr<const ir::Model> makeModel(const QString& path, int blocks) {
    QProcess p;
    // Debian's interpreter, where python3-onnx is installed (a python3 earlier on PATH may lack it).
    const QString python = QFile::exists(QStringLiteral("/usr/bin/python3")) ? QStringLiteral("/usr/bin/python3")
                                                                             : QStringLiteral("python3");
    p.start(python, {QStringLiteral(GS_SCOPED_MODEL_SCRIPT), path, QStringLiteral("--blocks-per-stage"),
                     QString::number(blocks)});
    if (!p.waitForFinished(120000) || p.exitCode() != 0) {
      qWarning("make_scoped_model.py failed: %s", p.readAllStandardError().constData());
      return nullptr;
    }
    auto model = onnx_import::importModel(path.toStdString());
    if (!model) {
      qWarning("%s", model.error().str().c_str());
      return nullptr;
    }
    return std::make_shared<const ir::Model>(std::move(*model));
  }

  // Shows a model and waits until it is drawn; the view is shown so that fit and the overview work.
  static bool showModel(GraphView& view, std::shared_ptr<const ir::Model> model, int timeoutMs = 120000) {
    QSignalSpy done(&view, &GraphView::layoutFinished);
    view.setModel(std::move(model), QStringLiteral("scoped"));
    return done.wait(timeoutMs);
  }
  static bool relaidOut(GraphView& view, const std::function<void()>& action, int timeoutMs = 120000) {
    QSignalSpy done(&view, &GraphView::layoutFinished);
    action();
    return done.wait(timeoutMs);
  }
  static int countKind(const DisplayGraph& g, DisplayNode::Kind kind) {
    int n = 0;
    for (const auto& node : g.nodes)
      n += node.kind == kind ? 1 : 0;
    return n;
  }
  static const DisplayNode* findDisplay(const DisplayGraph& g, const QString& name) {
    for (const auto& n : g.nodes)
      if (n.name == name) return &n;
    return nullptr;
  }

private slots:
  void initTestCase() {
    QVERIFY(m_dir.isValid());
    m_small = makeModel(m_dir.filePath(QStringLiteral("small.onnx")), 3);
    QVERIFY2(m_small, "the scoped test model could not be written (python3-onnx missing?)");
    QCOMPARE(m_small->graph.nodes.size(), std::size_t{70});
  }

  void scopeNames() {
    QCOMPARE(scopeOf("/backbone/stage1/conv/Conv"), std::string("/backbone/stage1/conv"));
    QCOMPARE(scopeOf("model/layer/Relu"), std::string("model/layer"));
    QCOMPARE(scopeOf("Conv_12"), std::string());
    QCOMPARE(scopeOf("/Add"), std::string());
    QCOMPARE(scopeChain("/a/b/c"), (std::vector<std::string>{"/a", "/a/b", "/a/b/c"}));
    QCOMPARE(scopeChain("a/b"), (std::vector<std::string>{"a", "a/b"}));
    QCOMPARE(scopeLeaf("/backbone/stage1"), std::string("stage1"));
  }

  void assignScopesRules() {
    const ir::Graph& g = m_small->graph;
    // Below the threshold nothing is collapsed, and open scopes with two or more things are outlined.
    ScopeOptions none;
    auto a = assignScopes(g, none);
    QVERIFY(a.groups.empty());
    QVERIFY(std::count(a.groupOf.begin(), a.groupOf.end(), -1) == 70);
    const std::set<std::string> outlined(a.outlined.begin(), a.outlined.end());
    QVERIFY(outlined.count("/backbone"));
    QVERIFY(outlined.count("/backbone/stage2/block1"));
    // "/neck" holds only "/neck/fpn", which holds only its one block: wrappers, no outline of their own;
    // the block, with its five nodes, has one.
    QVERIFY(!outlined.count("/neck"));
    QVERIFY(!outlined.count("/neck/fpn"));
    QVERIFY(outlined.count("/neck/fpn/block0"));
    // Always collapse: the top scopes become boxes (the wrappers' single child instead of them).
    ScopeOptions all;
    all.autoCollapseNodes = 0;
    a = assignScopes(g, all);
    std::set<std::string> paths;
    for (const auto& grp : a.groups)
      paths.insert(grp.path);
    QCOMPARE(paths,
             (std::set<std::string>{"/backbone", "/neck/fpn/block0", "/head/cls/block0"})); // small: one block each
    for (const auto& grp : a.groups)
      if (grp.path == "/backbone") {
        QCOMPARE(grp.members, 60);
        QCOMPARE(grp.commonestOps.front(), (std::pair<std::string, int>{"Conv", 24}));
      }
    // Expanded: its stages collapse instead.
    all.expanded.insert("/backbone");
    a = assignScopes(g, all);
    paths.clear();
    for (const auto& grp : a.groups)
      paths.insert(grp.path);
    QVERIFY(paths.count("/backbone/stage1") && paths.count("/backbone/stage4") && !paths.count("/backbone"));
    // An explicit collapse wins below the threshold too.
    ScopeOptions one;
    one.collapsed.insert("/backbone/stage3/block2");
    a = assignScopes(g, one);
    QCOMPARE(a.groups.size(), std::size_t{1});
    QCOMPARE(a.groups.front().members, 5);
  }

  void findFiltersByOpNameAndTensor() {
    GraphView view;
    view.resize(900, 700);
    view.show();
    QVERIFY(showModel(view, m_small));
    const DisplayGraph& dg = *view.displayGraph();
    auto count = [&dg](const char* q) {
      return static_cast<int>(findNodes(dg, parseFindQuery(QString::fromLatin1(q))).size());
    };
    QCOMPARE(count("op:Conv"), 28); // two per block, 14 blocks
    QCOMPARE(count("op:conv"), 28); // any case
    QCOMPARE(count("op:Con"), 0);   // the op type exactly: not a prefix
    QCOMPARE(count("op:Sigmoid"), 14);
    QCOMPARE(count("name:stage2"), 15);
    QCOMPARE(count("op:Conv name:stage1"), 6);    // filters combine
    QCOMPARE(count("tensor:block1/relu_out"), 8); // its producer and consumer in four stages
    QCOMPARE(count("sigmoid"), 14);               // a plain word: the op type contains it
    QCOMPARE(count("images"), 1 + 2);             // the graph input and the two nodes reading it
    QCOMPARE(count("op:Conv name:nowhere"), 0);
    // Stepping selects the hits top to bottom and marks them all.
    QCOMPARE(view.findNext(QStringLiteral("op:Conv name:stage1")), 6);
    QCOMPARE(view.selectedNodeName(), QStringLiteral("/backbone/stage1/block0/conv1/Conv"));
    QCOMPARE(view.findNext(QStringLiteral("op:Conv name:stage1")), 6);
    QCOMPARE(view.selectedNodeName(), QStringLiteral("/backbone/stage1/block0/conv2/Conv"));
    QCOMPARE(view.findPrevious(QStringLiteral("op:Conv name:stage1")), 6);
    QCOMPARE(view.selectedNodeName(), QStringLiteral("/backbone/stage1/block0/conv1/Conv"));
    int marked = 0;
    for (std::size_t i = 0; i < dg.nodes.size(); ++i)
      marked += view.scene()->isMarked(static_cast<int>(i)) ? 1 : 0;
    QCOMPARE(marked, 6);
    QVERIFY(view.scene()
                ->nodeItem(view.scene()->nodeIndex(QStringLiteral("/backbone/stage1/block2/conv2/Conv")))
                ->isMarked());
    view.findNext(QString());
    QVERIFY(!view.scene()->isMarked(view.scene()->nodeIndex(QStringLiteral("/backbone/stage1/block2/conv2/Conv"))));
  }

  void scopesCollapseAndExpand() {
    GraphView view;
    view.resize(900, 700);
    view.show();
    QVERIFY(showModel(view, m_small));
    const auto open = view.displayGraph();
    QCOMPARE(countKind(*open, DisplayNode::Kind::Group), 0);
    QVERIFY(view.scene()->outlineCount() > 10);
    QVERIFY(!open->outlines.empty());
    // Every open scope's outline holds its nodes.
    for (const auto& o : open->outlines)
      if (o.path == QLatin1String("/backbone/stage2"))
        for (const auto& n : open->nodes)
          if (n.scope.startsWith(o.path + QLatin1Char('/')))
            QVERIFY(n.x - n.width / 2 >= o.left && n.x + n.width / 2 <= o.right && n.y - n.height / 2 >= o.top &&
                    n.y + n.height / 2 <= o.bottom);
    // Collapse a stage: one box of 15 nodes, wired to its neighbours, and selected.
    QVERIFY(relaidOut(view, [&] { view.setScopeCollapsed(QStringLiteral("/backbone/stage2"), true); }));
    auto shut = view.displayGraph();
    QCOMPARE(shut->nodes.size(), open->nodes.size() - 14);
    const DisplayNode* box = findDisplay(*shut, QStringLiteral("/backbone/stage2"));
    QVERIFY(box);
    QCOMPARE(box->kind, DisplayNode::Kind::Group);
    QCOMPARE(box->members, 15);
    QCOMPARE(view.selectedNodeName(), QStringLiteral("/backbone/stage2"));
    const int boxIndex = view.scene()->nodeIndex(QStringLiteral("/backbone/stage2"));
    int in = 0, out = 0;
    for (const auto& e : shut->edges) {
      in += e.to == boxIndex ? 1 : 0;
      out += e.from == boxIndex ? 1 : 0;
    }
    QCOMPARE(in, 1);  // one edge per neighbour, whatever values it carries: stage1's last gate in,
    QCOMPARE(out, 2); // stage3's first block's conv1 and its residual Add out
    for (const auto& o : shut->outlines)
      QVERIFY(!o.path.startsWith(QStringLiteral("/backbone/stage2")));
    // Find looks inside the box and opens it for a hit.
    QVERIFY(relaidOut(view, [&] { view.findNext(QStringLiteral("op:Relu name:stage2/block1")); }));
    QTRY_COMPARE(view.selectedNodeName(), QStringLiteral("/backbone/stage2/block1/relu/Relu"));
    QVERIFY(!findDisplay(*view.displayGraph(), QStringLiteral("/backbone/stage2")));
    // Double-click on a box expands it (as the canvas reports it).
    QVERIFY(relaidOut(view, [&] { view.setScopeCollapsed(QStringLiteral("/head/cls"), true); }));
    const int head = view.scene()->nodeIndex(QStringLiteral("/head/cls"));
    QVERIFY(head >= 0);
    QVERIFY(relaidOut(view, [&] { emit view.canvas()->nodeDoubleClicked(head, QPoint()); }));
    QCOMPARE(view.displayGraph()->nodes.size(), open->nodes.size());
    // Collapse all / expand all.
    QVERIFY(relaidOut(view, [&] { view.collapseAllScopes(); }));
    QCOMPARE(countKind(*view.displayGraph(), DisplayNode::Kind::Group), 3);
    QVERIFY(relaidOut(view, [&] { view.expandAllScopes(); }));
    QCOMPARE(countKind(*view.displayGraph(), DisplayNode::Kind::Group), 0);
  }

  void largeModelIsNavigable() {
    m_large = makeModel(m_dir.filePath(QStringLiteral("large.onnx")), 500);
    QVERIFY(m_large);
    QCOMPARE(m_large->graph.nodes.size(), std::size_t{11000});
    GraphView view;
    view.resize(1200, 800);
    view.show();
    QSignalSpy done(&view, &GraphView::layoutFinished);
    view.setModel(m_large, QStringLiteral("large"));
    QVERIFY(done.wait(120000));
    qInfo("11,000 nodes, top scopes collapsed: %.0f ms from setModel to drawn", done.front().at(1).toDouble());
    // Opens as its three top scopes (the neck and head wrappers give way to their one child).
    const auto top = view.displayGraph();
    QCOMPARE(countKind(*top, DisplayNode::Kind::Group), 3);
    QVERIFY(top->nodes.size() <= 6);
    QVERIFY(findDisplay(*top, QStringLiteral("/backbone")));
    QCOMPARE(findDisplay(*top, QStringLiteral("/backbone"))->members, 10000);
    // Fit shows readable boxes, not a band.
    view.fitToView();
    QVERIFY2(view.canvas()->zoom() >= 0.3, qPrintable(QString::number(view.canvas()->zoom())));
    QVERIFY(!view.overview()->isVisible()); // everything fits: no map needed

    // Find walks into the scopes: the first Conv opens /backbone, its stage and block.
    done.clear();
    QCOMPARE(view.findNext(QStringLiteral("op:Conv")), 4400); // 2,200 blocks of two Convs
    QVERIFY(done.wait(120000));
    QTRY_COMPARE(view.selectedNodeName(), QStringLiteral("/backbone/stage1/block0/conv1/Conv"));
    const auto opened = view.displayGraph();
    QVERIFY(findDisplay(*opened, QStringLiteral("/backbone/stage2"))); // the other stages stay boxes
    QVERIFY(findDisplay(*opened, QStringLiteral("/backbone/stage1/block1")));
    QVERIFY(opened->nodes.size() < 600);
    // Boxes holding hits are marked, so the next ones can be seen from afar.
    QVERIFY(view.scene()->isMarked(view.scene()->nodeIndex(QStringLiteral("/backbone/stage2"))));
    // A tall picture now: the overview map shows and moves the view.
    QTRY_VERIFY(view.overview()->isVisible());
    const QPointF before = view.canvas()->mapToScene(view.canvas()->viewport()->rect().center());
    const QPoint bottom(view.overview()->width() / 2, view.overview()->height() - 3);
    QTest::mouseClick(view.overview(), Qt::LeftButton, {}, bottom);
    const QPointF after = view.canvas()->mapToScene(view.canvas()->viewport()->rect().center());
    QVERIFY2(after.y() > before.y() + 1000, qPrintable(QStringLiteral("%1 -> %2").arg(before.y()).arg(after.y())));
    QVERIFY(view.overview()->frameRect().center().y() > view.overview()->height() / 2);
  }

  void fitOnEverythingExpandedDrawsStructure() {
    QVERIFY(m_large);
    GraphView view;
    view.resize(1200, 800);
    view.show();
    QVERIFY(showModel(view, m_large));
    QVERIFY(relaidOut(
        view, [&] { view.expandAllScopes(); }, 240000));
    const auto all = view.displayGraph();
    QCOMPARE(countKind(*all, DisplayNode::Kind::Op), 11000);
    QVERIFY(!all->outlines.empty());
    view.fitToView();
    QApplication::processEvents();
    // At that zoom the top scopes' outlines and their paths are what one sees: the picture has the
    // outline colour and dark text pixels, not only the edges' grey.
    const QImage shot = view.canvas()->viewport()->grab().toImage();
    int outlinePixels = 0, textPixels = 0;
    for (int y = 0; y < shot.height(); y += 2)
      for (int x = 0; x < shot.width(); x += 2) {
        const QColor c = shot.pixelColor(x, y);
        if (std::abs(c.red() - 0x7a) < 40 && std::abs(c.green() - 0x8b) < 40 && std::abs(c.blue() - 0xa6) < 40)
          ++outlinePixels;
        if (c.blue() > c.red() + 20 && c.value() < 120) ++textPixels;
      }
    QVERIFY2(outlinePixels > 50, qPrintable(QString::number(outlinePixels)));
    QVERIFY2(textPixels > 20, qPrintable(QString::number(textPixels)));
  }
};

QTEST_MAIN(TestGraphNavigation)
#include "test_graph_navigation.moc"
