// 16-bit float models end to end, in the form converters emit them (onnxconverter-common's
// keep_io_types): float32 graph inputs and outputs with Casts at the boundaries, float16 weights, ops
// converters keep in float32 (Resize) wrapped in Casts, and the added Casts appended after the other
// nodes, so the graph is not topologically sorted. The model of test_layout (every op kind the layout
// pass moves: Conv + activations, depthwise Conv, residual Add, per-channel Mul, pools, Concat,
// Resize, ConvTranspose, GlobalAveragePool + Flatten) is converted here in code and must
// - import (sorted with a warning), compile for static gears and fully dynamic shape, and run;
// - give the same outputs (to a few 16-bit ulps: NHWC convolutions sum in another order) with every
//   pass and with the fusing/layout passes disabled: the passes that touch 16-bit graphs
//   (fuse-activation for Relu/Clip, layout-nhwc, fold-cast-pairs) skip no rounding;
// - stay within 1e-2 of the largest float32 output of the original model.
// A MatMul/Gemm/Softmax model (ops ONNX allows bfloat16 in at opset 13+) checks bfloat16 the same way.
#include <QtTest>

#include <cmath>
#include <map>
#include <set>

#include "core/compiler/compile.h"
#include "core/compiler/onnx/importer.h"
#include "core/compiler/shape_config/shape_config.h"
#include "core/ir/layout.h"
#include "core/runtime/cpu/kernels/basic/half.h"
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

void init(onnx::GraphProto* g, const std::string& name, std::vector<int64_t> dims, uint32_t seed, float scale = 0.5f) {
  int64_t n = 1;
  for (auto d : dims)
    n *= d;
  *g->add_initializer() = test::floatProto(name, dims, randoms(static_cast<std::size_t>(n), seed, scale));
}

// The conv network of test_layout (x [N, 3, H, W] -> "map" [N, 1, 2H, 2W], "vec" [N, 16]), with Clip
// and Relu after convolutions (fusable in 16-bit) and HardSwish / Sigmoid (not fusable in 16-bit).
onnx::ModelProto convModel() {
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.add_opset_import()->set_version(17);
  auto* g = m.mutable_graph();
  g->set_name("half_conv");
  *g->add_input() = test::valueInfo("x", onnx::TensorProto::FLOAT, {"N", "3", "H", "W"});
  *g->add_output() = test::valueInfo("map", onnx::TensorProto::FLOAT, {"N", "1", "H2", "W2"});
  *g->add_output() = test::valueInfo("vec", onnx::TensorProto::FLOAT, {"N", "16"});
  init(g, "w1", {8, 3, 3, 3}, 1);
  init(g, "b1", {8}, 2);
  init(g, "wdw", {8, 1, 3, 3}, 3);
  init(g, "w2", {8, 8, 1, 1}, 4);
  init(g, "chan", {8, 1, 1}, 5, 1.0f);
  init(g, "w3", {8, 8, 3, 3}, 6, 0.3f);
  init(g, "wt", {16, 1, 2, 2}, 7);
  init(g, "bt", {1}, 8);
  *g->add_initializer() = test::floatProto("lo", {}, {0.0f});
  *g->add_initializer() = test::floatProto("hi", {}, {6.0f});
  *g->add_initializer() = test::floatProto("s", {1}, {1.5f});
  *g->add_initializer() = test::floatProto("scales", {4}, {1.0f, 1.0f, 2.0f, 2.0f});

  auto* c1 = test::addNode(g, "Conv", {"x", "w1", "b1"}, {"c1"});
  setInts(c1, "pads", {1, 1, 1, 1});
  test::addNode(g, "Clip", {"c1", "lo", "hi"}, {"k1"});
  test::addNode(g, "HardSwish", {"k1"}, {"a1"});
  test::addNode(g, "Mul", {"a1", "s"}, {"p1"});
  auto* dw = test::addNode(g, "Conv", {"p1", "wdw"}, {"d1"});
  setInts(dw, "pads", {1, 1, 1, 1});
  setInt(dw, "group", 8);
  test::addNode(g, "Relu", {"d1"}, {"r1"});
  test::addNode(g, "Conv", {"r1", "w2"}, {"c2"});
  test::addNode(g, "Add", {"c2", "p1"}, {"res"});
  test::addNode(g, "Mul", {"res", "chan"}, {"pc"});
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

// x [N, 16] -> MatMul -> Add -> Relu -> Gemm -> Softmax -> "y" [N, 10].
onnx::ModelProto denseModel() {
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.add_opset_import()->set_version(17);
  auto* g = m.mutable_graph();
  g->set_name("half_dense");
  *g->add_input() = test::valueInfo("x", onnx::TensorProto::FLOAT, {"N", "16"});
  *g->add_output() = test::valueInfo("y", onnx::TensorProto::FLOAT, {"N", "10"});
  init(g, "w1", {16, 64}, 11);
  init(g, "b1", {64}, 12);
  init(g, "w2", {10, 64}, 13);
  init(g, "b2", {10}, 14);
  test::addNode(g, "MatMul", {"x", "w1"}, {"m1"});
  test::addNode(g, "Add", {"m1", "b1"}, {"a1"});
  test::addNode(g, "Relu", {"a1"}, {"r1"});
  auto* gm = test::addNode(g, "Gemm", {"r1", "w2", "b2"}, {"g1"});
  setInt(gm, "transB", 1);
  test::addNode(g, "Softmax", {"g1"}, {"y"});
  return m;
}

uint16_t narrow(float f, int elem) {
  return elem == onnx::TensorProto::FLOAT16 ? runtime::cpu::basic::Half::fromFloat(f)
                                            : runtime::cpu::basic::BFloat16::fromFloat(f);
}

onnx::NodeProto makeCast(const std::string& in, const std::string& out, int to) {
  onnx::NodeProto n;
  n.set_name(out + "_cast");
  n.set_op_type("Cast");
  n.add_input(in);
  n.add_output(out);
  auto* a = n.add_attribute();
  a->set_name("to");
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(to);
  return n;
}

// The 16-bit model a converter makes (keep_io_types): see the file comment. `exactPair` also puts a
// float16 -> float32 -> float16 Cast pair on the first convolution's output (fold-cast-pairs' case).
onnx::ModelProto toHalf(onnx::ModelProto m, int elem, bool exactPair) {
  auto* g = m.mutable_graph();
  std::vector<onnx::NodeProto> appended;
  std::set<std::string> keepFloat; // Resize scales
  for (const auto& n : g->node())
    if (n.op_type() == "Resize" && n.input_size() > 2) keepFloat.insert(n.input(2));
  for (auto& t : *g->mutable_initializer()) {
    if (t.data_type() != onnx::TensorProto::FLOAT || keepFloat.count(t.name())) continue;
    const auto* f = reinterpret_cast<const float*>(t.raw_data().data());
    std::string raw(t.raw_data().size() / 2, '\0');
    for (std::size_t i = 0; i < raw.size() / 2; ++i) {
      const uint16_t h = narrow(f[i], elem);
      std::memcpy(raw.data() + 2 * i, &h, 2);
    }
    t.set_data_type(elem);
    t.set_raw_data(raw);
  }
  for (auto& n : *g->mutable_node()) {
    if (n.op_type() != "Resize") continue;
    const std::string in = n.input(0) + "_f32";
    appended.push_back(makeCast(n.input(0), in, onnx::TensorProto::FLOAT));
    n.set_input(0, in);
    const std::string out = n.output(0);
    n.set_output(0, out + "_f32");
    appended.push_back(makeCast(out + "_f32", out, elem));
  }
  if (exactPair) {
    for (auto& n : *g->mutable_node())
      for (int i = 0; i < n.input_size(); ++i)
        if (n.input(i) == "c1") n.set_input(i, "c1_rt");
    appended.push_back(makeCast("c1", "c1_wide", onnx::TensorProto::FLOAT));
    appended.push_back(makeCast("c1_wide", "c1_rt", elem));
  }
  for (const auto& in : g->input()) {
    for (auto& n : *g->mutable_node())
      for (int i = 0; i < n.input_size(); ++i)
        if (n.input(i) == in.name()) n.set_input(i, in.name() + "_h");
    appended.push_back(makeCast(in.name(), in.name() + "_h", elem));
  }
  for (const auto& out : g->output()) {
    for (auto& n : *g->mutable_node())
      for (int i = 0; i < n.output_size(); ++i)
        if (n.output(i) == out.name()) n.set_output(i, out.name() + "_h");
    for (auto& n : appended)
      for (int i = 0; i < n.output_size(); ++i)
        if (n.output(i) == out.name()) n.set_output(i, out.name() + "_h");
    appended.push_back(makeCast(out.name() + "_h", out.name(), onnx::TensorProto::FLOAT));
  }
  for (auto& n : appended)
    *g->add_node() = std::move(n);
  return m;
}

HostTensor noise(std::vector<int64_t> dims, uint32_t seed) {
  HostTensor t(ir::DataType::Float32, std::move(dims));
  const auto v = randoms(static_cast<std::size_t>(t.numel()), seed, 1.0f);
  std::copy(v.begin(), v.end(), t.as<float>());
  return t;
}

// max |a - b| / max |b|.
double relDiff(const HostTensor& a, const HostTensor& b) {
  double diff = 0, ref = 1e-6;
  for (int64_t i = 0; i < b.numel(); ++i) {
    diff = std::max(diff, static_cast<double>(std::abs(a.as<float>()[i] - b.as<float>()[i])));
    ref = std::max(ref, static_cast<double>(std::abs(b.as<float>()[i])));
  }
  return diff / ref;
}

Expected<ir::Model> importProto(const onnx::ModelProto& m) {
  std::string bytes;
  if (!m.SerializeToString(&bytes)) return makeError(codes::kIo, "serialize");
  return onnx_import::importModelFromBytes(std::move(bytes), ".");
}

// The passes that change nothing in a 16-bit graph's values, disabled for the reference compile.
const std::vector<std::string> kExactPasses = {"layout-nhwc",   "fuse-activation",  "fold-cast-pairs",
                                               "fuse-conv-add", "fuse-post-affine", "fuse-hardswish"};

Expected<om::Model> compile(const ir::Model& model, const std::string& inputShape, const std::string& gearKey,
                            const std::string& gears, bool passes) {
  shape_config::AtcOptions o;
  if (auto st = shape_config::setOption(o, "input_shape", inputShape); !st) return std::unexpected(st.error());
  if (!gears.empty())
    if (auto st = shape_config::setOption(o, gearKey, gears); !st) return std::unexpected(st.error());
  GS_ASSIGN_OR_RETURN(auto config, shape_config::fromOptions(o));
  GS_RETURN_IF_ERROR(shape_config::validate(config, model));
  compiler::CompileOptions co;
  co.verifyEachPass = true;
  if (!passes) co.disabledPasses = kExactPasses;
  return compiler::compile(model, config, co, {});
}

std::unique_ptr<runtime::Session> open(om::Model m) {
  auto s = runtime::Session::create(std::make_shared<const om::Model>(std::move(m)), runtime::SessionOptions{"cpu", 2});
  if (!s) qWarning("%s", s.error().str().c_str());
  return s ? std::move(*s) : nullptr;
}

std::map<std::string, int> opCounts(const ir::Graph& g) {
  std::map<std::string, int> c;
  for (const auto& n : g.nodes)
    ++c[n.opType];
  return c;
}

} // namespace

class TestHalfModels : public QObject {
  Q_OBJECT

private slots:
  void convNetworkFloat16() {
    auto f32 = importProto(convModel());
    auto f16 = importProto(toHalf(convModel(), onnx::TensorProto::FLOAT16, true));
    QVERIFY2(f32, f32 ? "" : f32.error().str().c_str());
    QVERIFY2(f16, f16 ? "" : f16.error().str().c_str());
    const std::string shape = "x:2,3,-1,-1", gears = "12,16;10,14";
    auto fast = compile(*f16, shape, "dynamic_image_size", gears, true);
    auto plain = compile(*f16, shape, "dynamic_image_size", gears, false);
    auto ref = compile(*f32, shape, "dynamic_image_size", gears, true);
    QVERIFY2(fast, fast ? "" : fast.error().str().c_str());
    QVERIFY2(plain, plain ? "" : plain.error().str().c_str());
    QVERIFY2(ref, ref ? "" : ref.error().str().c_str());
    // The passes worked on the 16-bit graph: channels-last convolutions, Clip and Relu fused, the
    // exact Cast pair gone (the boundary Casts and the Resize Casts stay); HardSwish not fused.
    for (const auto& gear : fast->gears) {
      auto c = opCounts(gear.graph);
      int channelsLast = 0;
      for (const auto& n : gear.graph.nodes)
        channelsLast += ir::isChannelsLast(n) ? 1 : 0;
      QVERIFY(channelsLast >= 4);
      QCOMPARE(c["Clip"], 0);
      QCOMPARE(c["Relu"], 0);
      QCOMPARE(c["HardSwish"], 1);
      QCOMPARE(c["Cast"], 5); // x in, map and vec out, around Resize
      QCOMPARE(opCounts(plain->gears[0].graph)["Cast"], 7);
    }
    auto a = open(std::move(*fast));
    auto b = open(std::move(*plain));
    auto r = open(std::move(*ref));
    QVERIFY(a && b && r);
    for (int g = 0; g < 2; ++g) {
      auto x = noise(a->model().gears[static_cast<std::size_t>(g)].inputs[0].dims, 21u + static_cast<uint32_t>(g));
      auto ra = a->run(std::span(&x, 1));
      auto rb = b->run(std::span(&x, 1));
      auto rr = r->run(std::span(&x, 1));
      QVERIFY2(ra, ra ? "" : ra.error().str().c_str());
      QVERIFY2(rb, rb ? "" : rb.error().str().c_str());
      QVERIFY2(rr, rr ? "" : rr.error().str().c_str());
      for (std::size_t o = 0; o < 2; ++o) {
        QCOMPARE(ra->outputs[o].dtype(), ir::DataType::Float32);
        QCOMPARE(ra->outputs[o].dims(), rb->outputs[o].dims());
        // Not bit for bit: NHWC and NCHW convolutions are different oneDNN kernels summing in different
        // orders, so a float32 result near a rounding boundary may round to the neighbouring 16-bit value.
        const double dp = relDiff(ra->outputs[o], rb->outputs[o]);
        QVERIFY2(dp < 4e-3,
                 qPrintable(QString("gear %1 output %2: passes changed values by %3").arg(g).arg(o).arg(dp)));
        const double d = relDiff(ra->outputs[o], rr->outputs[o]);
        QVERIFY2(d < 1e-2, qPrintable(QString("gear %1 output %2: %3 from float32").arg(g).arg(o).arg(d)));
        QVERIFY2(d > 0, "float16 results equal float32 ones: the 16-bit rounding did not happen");
      }
    }
  }

  void convNetworkFloat16DynamicShape() {
    auto f16 = importProto(toHalf(convModel(), onnx::TensorProto::FLOAT16, true));
    auto f32 = importProto(convModel());
    QVERIFY(f16 && f32);
    auto dyn = compile(*f16, "x:1~2,3,8~24,8~24", "", "", true);
    auto ref = compile(*f32, "x:1~2,3,8~24,8~24", "", "", true);
    QVERIFY2(dyn, dyn ? "" : dyn.error().str().c_str());
    QVERIFY2(ref, ref ? "" : ref.error().str().c_str());
    auto a = open(std::move(*dyn));
    auto r = open(std::move(*ref));
    QVERIFY(a && r);
    for (const auto& dims : {std::vector<int64_t>{2, 3, 12, 10}, std::vector<int64_t>{1, 3, 8, 24}}) {
      auto x = noise(dims, 9u);
      auto ra = a->run(std::span(&x, 1));
      auto rr = r->run(std::span(&x, 1));
      QVERIFY2(ra, ra ? "" : ra.error().str().c_str());
      QVERIFY2(rr, rr ? "" : rr.error().str().c_str());
      for (std::size_t o = 0; o < 2; ++o)
        QVERIFY(relDiff(ra->outputs[o], rr->outputs[o]) < 1e-2);
    }
  }

  void denseNetworkBothTypes() {
    auto f32 = importProto(denseModel());
    QVERIFY(f32);
    auto ref = compile(*f32, "x:-1,16", "dynamic_batch_size", "1,5", true);
    QVERIFY(ref);
    auto r = open(std::move(*ref));
    QVERIFY(r);
    for (int elem : {onnx::TensorProto::FLOAT16, onnx::TensorProto::BFLOAT16}) {
      auto half = importProto(toHalf(denseModel(), elem, false));
      QVERIFY2(half, half ? "" : half.error().str().c_str());
      auto fast = compile(*half, "x:-1,16", "dynamic_batch_size", "1,5", true);
      auto plain = compile(*half, "x:-1,16", "dynamic_batch_size", "1,5", false);
      QVERIFY2(fast, fast ? "" : fast.error().str().c_str());
      QVERIFY(plain);
      auto a = open(std::move(*fast));
      auto b = open(std::move(*plain));
      QVERIFY(a && b);
      const double tol = elem == onnx::TensorProto::FLOAT16 ? 1e-2 : 4e-2;
      for (int g = 0; g < 2; ++g) {
        auto x = noise(a->model().gears[static_cast<std::size_t>(g)].inputs[0].dims, 31u + static_cast<uint32_t>(g));
        auto ra = a->run(std::span(&x, 1));
        auto rb = b->run(std::span(&x, 1));
        auto rr = r->run(std::span(&x, 1));
        QVERIFY(ra && rb && rr);
        QVERIFY(std::memcmp(ra->outputs[0].data(), rb->outputs[0].data(), ra->outputs[0].byteSize()) == 0);
        const double d = relDiff(ra->outputs[0], rr->outputs[0]);
        QVERIFY2(d < tol && d > 0, qPrintable(QString("type %1 gear %2: %3 from float32").arg(elem).arg(g).arg(d)));
      }
    }
  }

  void halfModelRefusesNothingTheCpuLists() {
    // Every op of the converted model has a row for its 16-bit input types: nothing is refused.
    auto f16 = importProto(toHalf(convModel(), onnx::TensorProto::FLOAT16, false));
    QVERIFY(f16);
    auto om = compile(*f16, "x:1,3,16,16", "", "", false);
    QVERIFY2(om, om ? "" : om.error().str().c_str());
    QVERIFY(open(std::move(*om)) != nullptr);
  }
};

QTEST_GUILESS_MAIN(TestHalfModels)
#include "test_half_models.moc"
