// Graph IR: building, ordering, editing, verification, shared tensor storage.
#include <QtTest>

#include "core/ir/graph.h"

using namespace gs::ir;

class TestIr : public QObject {
  Q_OBJECT

private:
  // x -> Relu -> a -> Add(a, w) -> y
  static Graph smallGraph() {
    Graph g;
    const auto x = g.addValue("x", DataType::Float32, Shape({Dim::symbolic("N"), Dim::known(4)}));
    g.inputs.push_back(x);
    const auto w = g.addConstant("w", Tensor::fromVector<float>({1, 2, 3, 4}, {4}));
    const auto a = g.addValue("a");
    const auto y = g.addValue("y");
    g.addNode(Node{"relu", "Relu", "", {x}, {a}, {}});
    g.addNode(Node{"add", "Add", "", {a, w}, {y}, {}});
    g.outputs.push_back(y);
    return g;
  }

private slots:
  void shapesPrintAndCount() {
    Shape s({Dim::known(1), Dim::symbolic("N"), Dim::unknown()});
    QCOMPARE(QString::fromStdString(s.str()), QString("[1,N,?]"));
    QVERIFY(!s.isStatic());
    QVERIFY(!s.numel());
    QCOMPARE(*Shape::fromValues({2, 3, 4}).numel(), int64_t{24});
    QCOMPARE(QString::fromStdString(Shape::unknownRank().str()), QString("[?...]"));
    QCOMPARE(QString::fromStdString(Shape().str()), QString("[]"));
  }

  void dtypeNamesRoundTrip() {
    for (int i = 1; i <= 16; ++i) {
      const auto t = static_cast<DataType>(i);
      QCOMPARE(*dtypeFromName(dtypeName(t)), t);
    }
    QCOMPARE(dtypeSize(DataType::Float16), std::size_t{2});
    QVERIFY(!dtypeFromOnnx(99));
  }

  void verifyAcceptsValidGraph() {
    auto g = smallGraph();
    QVERIFY(verify(g).has_value());
    QCOMPARE(g.findValue("w"), 1);
    QCOMPARE(g.findValue("nope"), kNone);
  }

  void topoOrderSortsReversedNodes() {
    auto g = smallGraph();
    std::swap(g.nodes[0], g.nodes[1]);
    for (auto& v : g.values)
      v.producer = kNone;
    for (std::size_t i = 0; i < g.nodes.size(); ++i)
      for (auto o : g.nodes[i].outputs)
        g.values[o].producer = static_cast<NodeId>(i);
    QVERIFY(g.sortTopologically().has_value());
    QCOMPARE(QString::fromStdString(g.nodes[0].opType), QString("Relu"));
  }

  void verifyReportsCycleAndUndefined() {
    auto g = smallGraph();
    // relu now reads y, produced by add, which reads relu's output: a cycle.
    g.nodes[0].inputs[0] = g.findValue("y");
    auto st = verify(g);
    QVERIFY(!st.has_value());
    QVERIFY(st.error().message.find("cycle") != std::string::npos);

    auto h = smallGraph();
    const auto ghost = h.addValue("ghost");
    h.nodes[1].inputs[1] = ghost;
    auto st2 = verify(h);
    QVERIFY(!st2.has_value());
    QVERIFY(st2.error().message.find("ghost") != std::string::npos);
  }

  void removeNodesAndUnusedValues() {
    auto g = smallGraph();
    // Bypass Relu: add reads x directly.
    g.replaceUses(g.findValue("a"), g.findValue("x"));
    g.removeNodes({true, false});
    g.removeUnusedValues();
    QVERIFY(verify(g).has_value());
    QCOMPARE(g.nodes.size(), std::size_t{1});
    QCOMPARE(g.findValue("a"), kNone);
    QCOMPARE(g.values[g.nodes[0].outputs[0]].producer, 0);
  }

  void clonesShareConstantStorage() {
    auto g = smallGraph();
    Graph copy = g;
    const auto& a = *g.values[g.findValue("w")].constant;
    const auto& b = *copy.values[copy.findValue("w")].constant;
    QCOMPARE(a.data(), b.data());
    QCOMPARE(b.toVector<int64_t>(), (std::vector<int64_t>{1, 2, 3, 4}));
  }

  void subgraphNodesAreCounted() {
    auto g = smallGraph();
    auto body = std::make_shared<Graph>(smallGraph());
    g.nodes[0].attrs.set("body", Attribute::ofGraph(body));
    QCOMPARE(g.totalNodeCount(), std::size_t{4});
    body->nodes[0].inputs[0] = 42; // out of range inside the subgraph
    QVERIFY(!verify(g).has_value());
  }
};

QTEST_GUILESS_MAIN(TestIr)
#include "test_ir.moc"
