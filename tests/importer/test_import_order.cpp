// Import of graphs that are not in topological order (fp16 converters and other tools emit them;
// ONNX Runtime sorts them itself): they are sorted, with a warning; a cycle is a clear error naming
// its nodes; and ONNX checker findings that ONNX Runtime tolerates are warnings, not refusals.
// Unsorted models are made here by shuffling the nodes of real fp32 networks (the PP-OCR samples
// and the ONNX conformance models) with a fixed seed.
#include <QtTest>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>

#include <spdlog/sinks/ringbuffer_sink.h>

#include "core/common/log.h"
#include "core/compiler/compile.h"
#include "core/compiler/onnx/importer.h"
#include "onnx_fixtures.h"

using namespace gs;
using namespace gs::onnx_import;
namespace fs = std::filesystem;

namespace {

onnx::ModelProto readProto(const std::string& path) {
  onnx::ModelProto m;
  std::ifstream in(path, std::ios::binary);
  if (!m.ParseFromIstream(&in)) qFatal("cannot parse %s with protobuf", path.c_str());
  return m;
}

std::string serialize(const onnx::ModelProto& m) {
  std::string s;
  m.SerializeToString(&s);
  return s;
}

// The main graph's nodes in a random order (fixed seed), so that most land after their users.
onnx::ModelProto shuffled(onnx::ModelProto m, unsigned seed) {
  auto* nodes = m.mutable_graph()->mutable_node();
  std::vector<onnx::NodeProto> v(nodes->begin(), nodes->end());
  std::mt19937 rng(seed);
  std::shuffle(v.begin(), v.end(), rng);
  nodes->Clear();
  for (auto& n : v)
    *nodes->Add() = std::move(n);
  return m;
}

bool inOrder(const onnx::GraphProto& g) {
  std::set<std::string> defined;
  for (const auto& i : g.input())
    defined.insert(i.name());
  for (const auto& t : g.initializer())
    defined.insert(t.name());
  for (const auto& n : g.node()) {
    for (const auto& in : n.input())
      if (!in.empty() && !defined.contains(in)) return false;
    for (const auto& o : n.output())
      defined.insert(o);
  }
  return true;
}

// Every node reads only graph inputs, constants and outputs of nodes before it.
bool irInOrder(const ir::Graph& g) {
  std::vector<bool> produced(g.values.size(), false);
  for (const auto& n : g.nodes) {
    for (auto in : n.inputs) {
      if (in == ir::kNone) continue;
      const auto& v = g.values[static_cast<std::size_t>(in)];
      if (v.producer != ir::kNone && !produced[static_cast<std::size_t>(in)]) return false;
    }
    for (auto o : n.outputs)
      if (o != ir::kNone) produced[static_cast<std::size_t>(o)] = true;
  }
  return true;
}

std::multiset<std::string> nodeKeys(const ir::Graph& g) {
  std::multiset<std::string> keys;
  for (const auto& n : g.nodes) {
    std::string k = n.opType + "|" + n.name;
    for (auto in : n.inputs)
      k += "|" + (in == ir::kNone ? std::string() : g.values[static_cast<std::size_t>(in)].name);
    keys.insert(k);
  }
  return keys;
}

class LogCapture {
public:
  LogCapture() : m_sink(std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(64)) {
    (void)log::setLevel("warning");
    log::addSink(m_sink);
  }
  ~LogCapture() { m_sink->set_level(spdlog::level::off); }
  bool contains(const std::string& text) const {
    for (const auto& line : m_sink->last_formatted())
      if (line.find(text) != std::string::npos) return true;
    return false;
  }

private:
  std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> m_sink;
};

onnx::NodeProto* addNode(onnx::GraphProto* g, const std::string& name, const std::string& op,
                         std::vector<std::string> in, std::vector<std::string> out) {
  auto* n = g->add_node();
  n->set_name(name);
  n->set_op_type(op);
  for (const auto& i : in)
    n->add_input(i);
  for (const auto& o : out)
    n->add_output(o);
  return n;
}

} // namespace

class TestImportOrder : public QObject {
  Q_OBJECT

  QTemporaryDir m_dir;

  std::string write(const std::string& name, const onnx::ModelProto& m) const {
    const auto p = m_dir.path().toStdString() + "/" + name;
    std::ofstream f(p, std::ios::binary | std::ios::trunc);
    m.SerializeToOstream(&f);
    return p;
  }

private slots:
  // The PP-OCR networks with their nodes shuffled import as the same graph, sorted, with a warning;
  // the classifier also compiles to the same gear as its original.
  void shuffledSampleModelsImportSorted_data() {
    QTest::addColumn<QString>("file");
    QTest::newRow("cls") << "ch_ppocr_mobile_v2.0_cls_infer.onnx";
    QTest::newRow("det") << "ch_PP-OCRv4_det_infer.onnx";
    QTest::newRow("rec") << "ch_PP-OCRv4_rec_infer.onnx";
  }
  void shuffledSampleModelsImportSorted() {
    QFETCH(QString, file);
    const auto path = std::string(GS_MODELS_DIR) + "/" + file.toStdString();
    if (!fs::exists(path)) QSKIP("sample model not fetched");
    const auto original = readProto(path);
    const auto mixed = shuffled(original, 7);
    QVERIFY(!inOrder(mixed.graph()));
    LogCapture logs;
    auto a = importModel(path);
    QVERIFY2(a, a ? "" : a.error().str().c_str());
    auto b = importModel(write("shuffled_" + file.toStdString(), mixed));
    QVERIFY2(b, b ? "" : b.error().str().c_str());
    QVERIFY(logs.contains("not in topological order"));
    QVERIFY(irInOrder(b->graph));
    QCOMPARE(b->graph.nodes.size(), a->graph.nodes.size());
    QVERIFY(nodeKeys(a->graph) == nodeKeys(b->graph));
    if (file.startsWith("ch_ppocr_mobile")) {
      shape_config::ShapeConfig config;
      config.inputs = {{"x",
                        {shape_config::DimSpec::fixed(1), shape_config::DimSpec::fixed(3),
                         shape_config::DimSpec::fixed(48), shape_config::DimSpec::fixed(192)}}};
      auto ca = compiler::compile(*a, config, {}, {});
      auto cb = compiler::compile(*b, config, {}, {});
      QVERIFY2(ca && cb, ca ? (cb ? "" : cb.error().str().c_str()) : ca.error().str().c_str());
      QCOMPARE(cb->gears[0].graph.nodes.size(), ca->gears[0].graph.nodes.size());
      QCOMPARE(cb->sharedArenaBytes, ca->sharedArenaBytes);
      QCOMPARE(cb->weightBytes, ca->weightBytes);
    }
  }

  // Every conformance model of more than two nodes, with its node order reversed, imports like the
  // original (the originals that import at all).
  void reversedConformanceModelsImportSorted() {
    int tried = 0;
    for (const char* folder : {"node", "simple", "pytorch-converted", "pytorch-operator"}) {
      const fs::path root = fs::path(GS_ONNX_TESTDATA) / folder;
      if (!fs::exists(root)) continue;
      for (const auto& e : fs::recursive_directory_iterator(root)) {
        if (e.path().filename() != "model.onnx") continue;
        auto proto = readProto(e.path().string());
        if (proto.graph().node_size() < 3) continue;
        auto a = importModel(e.path().string());
        if (!a) continue;
        std::reverse(proto.mutable_graph()->mutable_node()->begin(), proto.mutable_graph()->mutable_node()->end());
        auto b = importModelFromBytes(serialize(proto), e.path().parent_path().string());
        QVERIFY2(b, (e.path().string() + ": " + (b ? "" : b.error().str())).c_str());
        QVERIFY2(nodeKeys(a->graph) == nodeKeys(b->graph), e.path().c_str());
        QVERIFY2(irInOrder(b->graph), e.path().c_str());
        ++tried;
      }
    }
    qInfo("%d reversed conformance models", tried);
    if (tried == 0) QSKIP("no conformance models");
  }

  // A node placed before the producer of a value its subgraph reads (an outer-scope read) moves
  // after that producer.
  void subgraphOuterReadsOrderTheirNode() {
    onnx::ModelProto m;
    m.set_ir_version(8);
    m.add_opset_import()->set_version(13);
    auto* g = m.mutable_graph();
    g->set_name("outer");
    *g->add_input() = test::tensorInfo("x", onnx::TensorProto::FLOAT, {"2"});
    *g->add_input() = test::tensorInfo("c", onnx::TensorProto::BOOL, {});
    *g->add_output() = test::tensorInfo("y", onnx::TensorProto::FLOAT, {"2"});
    auto* iff = addNode(g, "if", "If", {"c"}, {"y"});
    for (const char* branch : {"then_branch", "else_branch"}) {
      auto* a = iff->add_attribute();
      a->set_name(branch);
      a->set_type(onnx::AttributeProto::GRAPH);
      auto* body = a->mutable_g();
      body->set_name(branch);
      *body->add_output() = test::tensorInfo(std::string(branch) + "_y", onnx::TensorProto::FLOAT, {"2"});
      addNode(body, std::string(branch) + "_id", "Identity", {"r"}, {std::string(branch) + "_y"}); // reads r
    }
    addNode(g, "relu", "Relu", {"x"}, {"r"}); // after the If that reads it
    auto r = importModel(write("if_unsorted.onnx", m));
    QVERIFY2(r, r ? "" : r.error().str().c_str());
    QCOMPARE(r->graph.nodes.size(), std::size_t{2});
    QCOMPARE(QString::fromStdString(r->graph.nodes[0].name), QString("relu"));
    QCOMPARE(QString::fromStdString(r->graph.nodes[1].name), QString("if"));
  }

  void cycleIsAClearError_data() {
    QTest::addColumn<int>("length");
    QTest::newRow("self loop") << 1;
    QTest::newRow("two nodes") << 2;
    QTest::newRow("five nodes") << 5;
  }
  void cycleIsAClearError() {
    QFETCH(int, length);
    onnx::ModelProto m;
    m.set_ir_version(8);
    m.add_opset_import()->set_version(13);
    auto* g = m.mutable_graph();
    g->set_name("cyclic");
    *g->add_input() = test::tensorInfo("x", onnx::TensorProto::FLOAT, {"2"});
    *g->add_output() = test::tensorInfo("y", onnx::TensorProto::FLOAT, {"2"});
    // add0 = x + t{n-1}; t_i = Relu(t_{i-1}) ... a ring through every node.
    const auto out = [](int i) { return "t" + std::to_string(i); };
    addNode(g, "add0", "Add", {"x", out(length - 1)}, {out(0)});
    for (int i = 1; i < length; ++i)
      addNode(g, "relu" + std::to_string(i), "Relu", {out(i - 1)}, {out(i)});
    addNode(g, "final", "Identity", {out(0)}, {"y"});
    const auto path = write("cycle.onnx", m);
    auto r = importModel(path);
    QVERIFY(!r);
    qInfo("%s", r.error().str().c_str());
    QCOMPARE(QString::fromStdString(r.error().code), QString(codes::kFormat));
    const auto msg = QString::fromStdString(r.error().message);
    QVERIFY2(msg.contains("has a cycle"), qPrintable(msg));
    QVERIFY2(msg.contains("node 'add0' (Add)"), qPrintable(msg));
    QVERIFY2(msg.contains(QString::fromStdString(path)), qPrintable(msg));
    for (int i = 1; i < length; ++i)
      QVERIFY2(msg.contains(QString("node 'relu%1' (Relu)").arg(i)), qPrintable(msg));
    QVERIFY2(!msg.contains("final"), qPrintable(msg)); // not on the cycle
  }

  // Checker findings that ONNX Runtime loads anyway are warnings; findings it refuses stay errors.
  void checkerFindingsOrtToleratesAreWarnings_data() {
    QTest::addColumn<QString>("change");
    QTest::addColumn<QString>("error"); // empty: imports, with warning
    QTest::addColumn<QString>("needle");
    QTest::newRow("empty graph name") << "noname"
                                      << ""
                                      << "the main graph has no name";
    QTest::newRow("output without a type") << "untyped_output"
                                           << ""
                                           << "graph output 'y'";
    QTest::newRow("duplicate metadata key") << "dup_metadata"
                                            << ""
                                            << "metadata_props has the key 'k' more than once";
    QTest::newRow("unknown attribute stays an error")
        << "bad_attribute" << QString(codes::kFormat) << "Unrecognized attribute";
    QTest::newRow("input without a type stays an error") << "untyped_input" << QString(codes::kFormat) << "type";
    QTest::newRow("wrong input count stays an error") << "arity" << QString(codes::kFormat) << "relu";
  }
  void checkerFindingsOrtToleratesAreWarnings() {
    QFETCH(QString, change);
    QFETCH(QString, error);
    QFETCH(QString, needle);
    auto m = test::addReluModel();
    auto* g = m.mutable_graph();
    if (change == "noname") g->clear_name();
    if (change == "untyped_output") g->mutable_output(0)->clear_type();
    if (change == "dup_metadata")
      for (const char* v : {"1", "2"}) {
        auto* p = m.add_metadata_props();
        p->set_key("k");
        p->set_value(v);
      }
    if (change == "bad_attribute") {
      auto* a = g->mutable_node(1)->add_attribute();
      a->set_name("frobnication");
      a->set_type(onnx::AttributeProto::INT);
      a->set_i(1);
    }
    if (change == "untyped_input") g->mutable_input(0)->clear_type();
    if (change == "arity") g->mutable_node(1)->add_input("x");
    LogCapture logs;
    auto r = importModel(write(change.toStdString() + ".onnx", m));
    if (error.isEmpty()) {
      QVERIFY2(r, r ? "" : r.error().str().c_str());
      QVERIFY2(logs.contains(needle.toStdString()), qPrintable(needle));
      QVERIFY(logs.contains("ONNX Runtime accepts this"));
      return;
    }
    QVERIFY(!r);
    qInfo("%s", r.error().str().c_str());
    QCOMPARE(QString::fromStdString(r.error().code), error);
    QVERIFY2(QString::fromStdString(r.error().message).contains(needle), r.error().str().c_str());
  }
};

QTEST_GUILESS_MAIN(TestImportOrder)
#include "test_import_order.moc"
