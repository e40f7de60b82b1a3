// The channels-last (layout-nhwc) and fuse-post-affine passes checked end to end: a model written in
// code with every op kind the layout pass moves into NHWC (Conv with fused activation and residual,
// depthwise Conv, MaxPool, AveragePool, GlobalAveragePool, unary and binary ops with broadcast
// constants, Concat, Resize, ConvTranspose) is compiled with the passes and without them; both run on
// the CPU device, static gears and fully dynamic mode, and must agree. The compiled graph must show
// the passes at work (channels-last nodes, one Transpose per region edge, no affine Mul/Add left).
#include <QtTest>

#include <cmath>

#include "core/compiler/compile.h"
#include "core/compiler/onnx/importer.h"
#include "core/compiler/shape_config/shape_config.h"
#include "core/ir/layout.h"
#include "core/runtime/session.h"
#include "onnx_models.h"

using namespace gs;
using runtime::HostTensor;

namespace {

void setInts(onnx::NodeProto* n, const char* name, std::vector<int64_t> v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INTS);
  for (auto x : v)
    a->add_ints(x);
}
void setInt(onnx::NodeProto* n, const char* name, int64_t v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(v);
}
void setString(onnx::NodeProto* n, const char* name, const std::string& v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::STRING);
  a->set_s(v);
}

std::vector<float> randoms(std::size_t n, uint32_t seed, float scale = 0.5f) {
  std::vector<float> v(n);
  uint32_t s = seed * 2654435761u + 7u;
  for (auto& x : v) {
    s = s * 1664525u + 1013904223u;
    x = scale * (static_cast<float>(s >> 8) / static_cast<float>(1u << 24) * 2.0f - 1.0f);
  }
  return v;
}

// x [N, 3, H, W] -> two outputs: "map" [N, 1, 2H, 2W] (a 4-D output leaving the NHWC region) and
// "vec" [N, 16] (GlobalAveragePool -> Flatten, an NCHW-only consumer).
onnx::ModelProto layoutModel() {
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.add_opset_import()->set_version(17);
  auto* g = m.mutable_graph();
  g->set_name("layout");
  *g->add_input() = test::valueInfo("x", onnx::TensorProto::FLOAT, {"N", "3", "H", "W"});
  *g->add_output() = test::valueInfo("map", onnx::TensorProto::FLOAT, {"N", "1", "H2", "W2"});
  *g->add_output() = test::valueInfo("vec", onnx::TensorProto::FLOAT, {"N", "16"});
  auto init = [&](const std::string& name, std::vector<int64_t> dims, uint32_t seed, float scale = 0.5f) {
    int64_t n = 1;
    for (auto d : dims)
      n *= d;
    *g->add_initializer() = test::floatProto(name, dims, randoms(static_cast<std::size_t>(n), seed, scale));
  };
  init("w1", {8, 3, 3, 3}, 1);
  init("b1", {8}, 2);
  init("wdw", {8, 1, 3, 3}, 3);
  init("w2", {8, 8, 1, 1}, 4);
  init("chan", {8, 1, 1}, 5, 1.0f);
  init("w3", {8, 8, 3, 3}, 6, 0.3f);
  init("wt", {16, 1, 2, 2}, 7);
  init("bt", {1}, 8);
  *g->add_initializer() = test::floatProto("s", {1}, {1.5f});
  *g->add_initializer() = test::floatProto("t", {1}, {-0.25f});
  *g->add_initializer() = test::floatProto("scales", {4}, {1.0f, 1.0f, 2.0f, 2.0f});

  auto* c1 = test::addNode(g, "Conv", {"x", "w1", "b1"}, {"c1"});
  setInts(c1, "pads", {1, 1, 1, 1});
  test::addNode(g, "HardSwish", {"c1"}, {"a1"});
  test::addNode(g, "Mul", {"a1", "s"}, {"m1"}); // learnable affine after the activation
  test::addNode(g, "Add", {"m1", "t"}, {"p1"});
  auto* dw = test::addNode(g, "Conv", {"p1", "wdw"}, {"d1"});
  setInts(dw, "pads", {1, 1, 1, 1});
  setInt(dw, "group", 8);
  test::addNode(g, "Relu", {"d1"}, {"r1"});
  test::addNode(g, "Conv", {"r1", "w2"}, {"c2"});
  test::addNode(g, "Add", {"c2", "p1"}, {"res"});   // residual: fused into the 1x1 conv
  test::addNode(g, "Mul", {"res", "chan"}, {"pc"}); // per-channel broadcast constant [8,1,1]
  auto* mp = test::addNode(g, "MaxPool", {"pc"}, {"mp"});
  setInts(mp, "kernel_shape", {2, 2});
  setInts(mp, "strides", {2, 2});
  auto* ap = test::addNode(g, "AveragePool", {"mp"}, {"ap"});
  setInts(ap, "kernel_shape", {3, 3});
  setInts(ap, "pads", {1, 1, 1, 1});
  auto* c3 = test::addNode(g, "Conv", {"ap", "w3"}, {"c3"});
  setInts(c3, "pads", {1, 1, 1, 1});
  test::addNode(g, "Sigmoid", {"c3"}, {"sg"});
  auto* up = test::addNode(g, "Resize", {"sg", "", "scales"}, {"up"});
  setString(up, "mode", "nearest");
  auto* cat = test::addNode(g, "Concat", {"up", "pc"}, {"cat"});
  setInt(cat, "axis", 1);
  auto* ct = test::addNode(g, "ConvTranspose", {"cat", "wt", "bt"}, {"ct"});
  setInts(ct, "kernel_shape", {2, 2});
  setInts(ct, "strides", {2, 2});
  test::addNode(g, "Tanh", {"ct"}, {"map"});
  test::addNode(g, "GlobalAveragePool", {"cat"}, {"gap"});
  test::addNode(g, "Flatten", {"gap"}, {"vec"});
  return m;
}

HostTensor noise(std::vector<int64_t> dims, uint32_t seed) {
  HostTensor t(ir::DataType::Float32, std::move(dims));
  const auto v = randoms(static_cast<std::size_t>(t.numel()), seed, 1.0f);
  std::copy(v.begin(), v.end(), t.as<float>());
  return t;
}

// max |a - b| / max(|b|, 1e-6) over all elements.
double relDiff(const HostTensor& a, const HostTensor& b) {
  double diff = 0, ref = 1e-6;
  for (int64_t i = 0; i < b.numel(); ++i) {
    diff = std::max(diff, static_cast<double>(std::abs(a.as<float>()[i] - b.as<float>()[i])));
    ref = std::max(ref, static_cast<double>(std::abs(b.as<float>()[i])));
  }
  return diff / ref;
}

} // namespace

class TestLayout : public QObject {
  Q_OBJECT

  ir::Model m_model;

  Expected<om::Model> compile(const std::string& inputShape, const std::string& gears, bool passes) {
    shape_config::AtcOptions o;
    if (auto st = shape_config::setOption(o, "input_shape", inputShape); !st) return std::unexpected(st.error());
    if (!gears.empty())
      if (auto st = shape_config::setOption(o, "dynamic_image_size", gears); !st) return std::unexpected(st.error());
    GS_ASSIGN_OR_RETURN(auto config, shape_config::fromOptions(o));
    GS_RETURN_IF_ERROR(shape_config::validate(config, m_model));
    compiler::CompileOptions co;
    co.verifyEachPass = true;
    if (!passes) co.disabledPasses = {"layout-nhwc", "fuse-post-affine"};
    return compiler::compile(m_model, config, co, {});
  }

  static std::unique_ptr<runtime::Session> open(om::Model m) {
    auto s =
        runtime::Session::create(std::make_shared<const om::Model>(std::move(m)), runtime::SessionOptions{"cpu", 2});
    if (!s) qWarning("%s", s.error().str().c_str());
    return s ? std::move(*s) : nullptr;
  }

private slots:
  void initTestCase() {
    QTemporaryDir tmp;
    const auto path = tmp.filePath("layout.onnx").toStdString();
    QVERIFY(test::writeProto(layoutModel(), path));
    auto m = onnx_import::importModel(path);
    QVERIFY2(m, m ? "" : m.error().str().c_str());
    m_model = std::move(*m);
  }

  void compiledGraphIsChannelsLast() {
    auto om = compile("x:1,3,-1,-1", "12,16;10,14", true);
    QVERIFY2(om, om ? "" : om.error().str().c_str());
    for (const auto& gear : om->gears) {
      int channelsLast = 0, transposes = 0, muls = 0, adds = 0;
      for (const auto& n : gear.graph.nodes) {
        channelsLast += ir::isChannelsLast(n) ? 1 : 0;
        transposes += n.opType == "Transpose" ? 1 : 0;
        muls += n.opType == "Mul" ? 1 : 0;
        adds += n.opType == "Add" ? 1 : 0;
        if (n.opType == "FusedConv" && n.attrs.has("post_scale")) {
          QCOMPARE(n.domain, std::string("ai.gearstudio"));
          QCOMPARE(n.attrs.getFloat("post_scale", 0), 1.5f);
          QCOMPARE(n.attrs.getFloat("post_shift", 0), -0.25f);
        }
        for (const auto& [name, a] : n.attrs) // compiled graphs hold no private attributes
          QVERIFY2(name.rfind("gs_", 0) != 0, name.c_str());
      }
      // 4 Conv + ConvTranspose + MaxPool + AveragePool + GlobalAveragePool.
      QCOMPARE(channelsLast, 8);
      // In: x. Out: "map" (graph output) and the GlobalAveragePool result read by Flatten.
      QCOMPARE(transposes, 3);
      QCOMPARE(muls, 1); // the per-channel Mul stays (in NHWC); the affine Mul is fused
      QCOMPARE(adds, 0); // the affine Add is fused, the residual Add too
      // Values in the region carry NHWC shapes: the first conv's output is [1, H, W, 8].
      const auto& in = gear.inputs[0].dims;
      bool found = false;
      for (const auto& n : gear.graph.nodes)
        if (n.opType == "FusedConv" && n.attrs.has("post_scale")) {
          const auto dims = gear.graph.values[static_cast<std::size_t>(n.outputs[0])].shape.values();
          QVERIFY(dims);
          QCOMPARE(*dims, (std::vector<int64_t>{1, in[2], in[3], 8}));
          found = true;
        }
      QVERIFY(found);
    }
  }

  void staticGearsMatchNchw() {
    auto fast = compile("x:2,3,-1,-1", "12,16;10,14;20,20", true);
    auto ref = compile("x:2,3,-1,-1", "12,16;10,14;20,20", false);
    QVERIFY2(fast, fast ? "" : fast.error().str().c_str());
    QVERIFY2(ref, ref ? "" : ref.error().str().c_str());
    auto a = open(std::move(*fast));
    auto b = open(std::move(*ref));
    QVERIFY(a && b);
    for (int g = 0; g < 3; ++g) {
      auto x = noise(a->model().gears[static_cast<std::size_t>(g)].inputs[0].dims, 11u + static_cast<uint32_t>(g));
      auto ra = a->run(std::span(&x, 1));
      auto rb = b->run(std::span(&x, 1));
      QVERIFY2(ra, ra ? "" : ra.error().str().c_str());
      QVERIFY2(rb, rb ? "" : rb.error().str().c_str());
      QCOMPARE(ra->outputs.size(), std::size_t{2});
      for (std::size_t o = 0; o < 2; ++o) {
        QCOMPARE(ra->outputs[o].dims(), rb->outputs[o].dims());
        const double d = relDiff(ra->outputs[o], rb->outputs[o]);
        QVERIFY2(d < 1e-5, qPrintable(QString("gear %1 output %2 differs: %3").arg(g).arg(o).arg(d)));
      }
    }
  }

  void dynamicModeMatchesNchw() {
    auto fast = compile("x:1~2,3,8~24,8~24", "", true);
    auto ref = compile("x:2,3,-1,-1", "12,10;8,24", false);
    QVERIFY2(fast, fast ? "" : fast.error().str().c_str());
    QVERIFY2(ref, ref ? "" : ref.error().str().c_str());
    QVERIFY(fast->dynamic);
    int channelsLast = 0;
    for (const auto& n : fast->dynamic->graph.nodes)
      channelsLast += ir::isChannelsLast(n) ? 1 : 0;
    QCOMPARE(channelsLast, 8);
    auto a = open(std::move(*fast));
    auto b = open(std::move(*ref));
    QVERIFY(a && b);
    for (const auto& dims : {std::vector<int64_t>{2, 3, 12, 10}, std::vector<int64_t>{2, 3, 8, 24}}) {
      auto x = noise(dims, 5u);
      auto ra = a->run(std::span(&x, 1));
      auto rb = b->run(std::span(&x, 1));
      QVERIFY2(ra, ra ? "" : ra.error().str().c_str());
      QVERIFY2(rb, rb ? "" : rb.error().str().c_str());
      for (std::size_t o = 0; o < 2; ++o) {
        QCOMPARE(ra->outputs[o].dims(), rb->outputs[o].dims());
        QVERIFY(relDiff(ra->outputs[o], rb->outputs[o]) < 1e-5);
      }
    }
  }
};

QTEST_GUILESS_MAIN(TestLayout)
#include "test_layout.moc"
