// Pass precision-policy on small graphs: which inputs are converted (data) and which keep their dtype
// (Resize scales, Shape reads anything), where Casts go (once per value, none before Shape), names
// and dtypes of graph inputs and outputs, constants converted once, force_fp32 turning a model's
// Casts to float16 into no-ops, and the float16/bfloat16 rounding of converted constants.
#include <QtTest>

#include <cmath>
#include <limits>
#include <memory>

#include "core/compiler/passes/dead_code.h"
#include "core/compiler/passes/eliminate_identity.h"
#include "core/compiler/passes/precision_ops.h"
#include "core/compiler/passes/precision_policy.h"
#include "core/ops/registry.h"
#include "tests/compiler/graph_builder.h"

using namespace gs;
using namespace gs::compiler;
using gs::test::GraphBuilder;
using ir::Attribute;
using ir::DataType;
using shape_config::PrecisionMode;

namespace {

PassContext context(PrecisionMode mode, shape_config::KeepList keep = {}) {
  PassContext c;
  c.opset = 17;
  c.precision.mode = mode;
  c.precision.keep = std::move(keep);
  return c;
}

void infer(GraphBuilder& b) {
  auto st = ops::inferGraph(b.g, 17);
  QVERIFY2(st, st ? "" : st.error().str().c_str());
}

const ir::Node* node(const ir::Graph& g, const std::string& name) {
  for (const auto& n : g.nodes)
    if (n.name == name) return &n;
  return nullptr;
}

DataType inType(const ir::Graph& g, const std::string& name, std::size_t i) {
  const auto* n = node(g, name);
  return n ? g.values[static_cast<std::size_t>(n->inputs[i])].dtype : DataType::Undefined;
}

int count(const ir::Graph& g, const std::string& op) {
  int c = 0;
  for (const auto& n : g.nodes)
    c += n.opType == op ? 1 : 0;
  return c;
}

// x [1,2,4,4] -> conv (w, b) -> relu -> resize (scales) -> "up";  relu -> Shape -> Reshape(conv) -> "flat"
GraphBuilder network() {
  GraphBuilder b;
  const auto x = b.input("x", {1, 2, 4, 4});
  const auto w = b.floats("w", gs::test::randomFloats(2 * 2 * 1 * 1, 1), {2, 2, 1, 1});
  const auto bias = b.floats("b", {0.25f, -0.5f}, {2});
  const auto c = b.node("conv", "Conv", {x, w, bias});
  const auto r = b.node("relu", "Relu", {c});
  const auto roi = b.floats("roi", {}, {0});
  const auto scales = b.floats("scales", {1, 1, 2, 2}, {4});
  const auto up =
      b.node("resize", "Resize", {r, roi, scales}, GraphBuilder::attrs({{"mode", Attribute::ofString("nearest")}}));
  const auto shp = b.node("shape", "Shape", {r});
  const auto flat = b.node("reshape", "Reshape", {c, shp});
  b.output(up);
  b.output(flat);
  return b;
}

} // namespace

class PrecisionPolicyTests : public QObject {
  Q_OBJECT

private slots:
  void forceFp16Network() {
    auto b = network();
    infer(b);
    auto ctx = context(PrecisionMode::ForceFp16);
    auto changed = passes::applyPrecisionPolicy(b.g, ctx);
    QVERIFY2(changed, changed ? "" : changed.error().str().c_str());
    QVERIFY(*changed);
    QVERIFY(ir::verify(b.g));
    QCOMPARE(inType(b.g, "conv", 0), DataType::Float16); // a Cast of the graph input
    QCOMPARE(inType(b.g, "conv", 1), DataType::Float16); // converted constants
    QCOMPARE(inType(b.g, "conv", 2), DataType::Float16);
    QCOMPARE(inType(b.g, "resize", 0), DataType::Float16);
    QCOMPARE(inType(b.g, "resize", 2), DataType::Float32); // scales are a parameter
    QCOMPARE(inType(b.g, "shape", 0), DataType::Float16);  // Shape reads the float16 tensor directly
    QCOMPARE(inType(b.g, "reshape", 0), DataType::Float16);
    QCOMPARE(inType(b.g, "reshape", 1), DataType::Int64);
    // The graph input and outputs keep their names and float32; internal values keep their names.
    QCOMPARE(b.g.values[static_cast<std::size_t>(b.g.inputs[0])].dtype, DataType::Float32);
    QCOMPARE(b.g.values[static_cast<std::size_t>(b.g.inputs[0])].name, std::string("x"));
    for (auto o : b.g.outputs)
      QCOMPARE(b.g.values[static_cast<std::size_t>(o)].dtype, DataType::Float32);
    QCOMPARE(b.g.values[static_cast<std::size_t>(b.g.outputs[0])].name, std::string("resize_out0"));
    QCOMPARE(b.g.values[static_cast<std::size_t>(b.g.findValue("relu_out0"))].dtype, DataType::Float16);
    // One Cast in (x), two out (the outputs): none before Shape.
    QCOMPARE(count(b.g, "Cast"), 3);
    QCOMPARE(ctx.counters["casts"], int64_t{3});
    QCOMPARE(ctx.counters["constants"], int64_t{2});
    // The graph still infers to the same dtypes (the per-gear shape inference re-runs it).
    infer(b);
    for (auto o : b.g.outputs)
      QCOMPARE(b.g.values[static_cast<std::size_t>(o)].dtype, DataType::Float32);
    // A second run changes nothing: nothing float32 is left to convert.
    auto again = passes::applyPrecisionPolicy(b.g, ctx);
    QVERIFY(again);
    QVERIFY(!*again);
  }

  void castOncePerValueAndSharedConstants() {
    GraphBuilder b;
    const auto x = b.input("x", {4, 8});
    const auto w = b.floats("w", gs::test::randomFloats(64, 2), {8, 8});
    const auto m1 = b.node("mm1", "MatMul", {x, w});
    const auto m2 = b.node("mm2", "MatMul", {x, w});
    const auto s = b.node("soft", "Softmax", {w}); // reads the constant: kept float32 under mix
    const auto a = b.node("add", "Add", {m1, m2});
    b.output(a);
    b.output(s);
    infer(b);
    auto ctx = context(PrecisionMode::AllowMixPrecision);
    QVERIFY(*passes::applyPrecisionPolicy(b.g, ctx));
    QVERIFY(ir::verify(b.g));
    QCOMPARE(count(b.g, "Cast"), 2); // x once; the Add output back to float32
    QCOMPARE(inType(b.g, "mm1", 0), DataType::Float16);
    QCOMPARE(node(b.g, "mm1")->inputs[0], node(b.g, "mm2")->inputs[0]);
    QCOMPARE(node(b.g, "mm1")->inputs[1], node(b.g, "mm2")->inputs[1]); // one converted copy of w
    QCOMPARE(inType(b.g, "soft", 0), DataType::Float32);                // the original w
    QCOMPARE(inType(b.g, "add", 0), DataType::Float16);                 // a follower whose inputs are float16
    QCOMPARE(ctx.counters["constants"], int64_t{1});
  }

  void mixFollowersStayFloat32AfterKeptOps() {
    // x -> ReduceMean -> Add(eps) -> Sqrt -> Div(x, .) -> MatMul: the arithmetic on the kept
    // reduction's output stays float32; the MatMul is float16.
    GraphBuilder b;
    const auto x = b.input("x", {2, 16});
    const auto mean = b.node("mean", "ReduceMean", {x}, GraphBuilder::attrs({{"axes", Attribute::ofInts({1})}}));
    const auto eps = b.floats("eps", {1e-5f}, {});
    const auto v = b.node("addeps", "Add", {mean, eps});
    const auto sq = b.node("sqrt", "Sqrt", {v});
    const auto d = b.node("div", "Div", {x, sq});
    const auto w = b.floats("w", gs::test::randomFloats(16 * 4, 3), {16, 4});
    const auto y = b.node("mm", "MatMul", {d, w});
    b.output(y);
    infer(b);
    auto ctx = context(PrecisionMode::AllowMixPrecision);
    QVERIFY(*passes::applyPrecisionPolicy(b.g, ctx));
    QCOMPARE(inType(b.g, "mean", 0), DataType::Float32);
    QCOMPARE(inType(b.g, "addeps", 0), DataType::Float32);
    QCOMPARE(inType(b.g, "sqrt", 0), DataType::Float32);
    QCOMPARE(inType(b.g, "div", 0), DataType::Float32);
    QCOMPARE(inType(b.g, "mm", 0), DataType::Float16);
    QCOMPARE(inType(b.g, "mm", 1), DataType::Float16);
  }

  void forceFp32MakesHalfCastsNoOps() {
    // x (float32) -> Cast(to float16) -> Relu (float16) -> Cast(to float32) -> y: a converter's graph.
    GraphBuilder b;
    const auto x = b.input("x", {ir::Dim::known(4)});
    const auto h = b.node("to16", "Cast", {x}, GraphBuilder::attrs({{"to", Attribute::ofInt(10)}}));
    const auto w = b.constant(
        "w", *passes::convertFloatTensor(ir::Tensor::fromVector<float>({1, 2, 3, 4}, {4}), DataType::Float16));
    const auto r = b.node("mul", "Mul", {h, w});
    const auto y = b.node("to32", "Cast", {r}, GraphBuilder::attrs({{"to", Attribute::ofInt(1)}}));
    b.output(y);
    infer(b);
    QCOMPARE(b.g.values[static_cast<std::size_t>(r)].dtype, DataType::Float16);
    auto ctx = context(PrecisionMode::ForceFp32);
    QVERIFY(*passes::applyPrecisionPolicy(b.g, ctx));
    QVERIFY(ir::verify(b.g));
    QCOMPARE(inType(b.g, "mul", 0), DataType::Float32);
    QCOMPARE(inType(b.g, "mul", 1), DataType::Float32);
    QCOMPARE(node(b.g, "to16")->attrs.getInt("to", 0), int64_t{1});
    QCOMPARE(count(b.g, "Cast"), 2); // both now float32 -> float32
    (void)*passes::eliminateIdentity(b.g, ctx);
    (void)*passes::deadCode(b.g, ctx);
    QCOMPARE(count(b.g, "Cast"), 0);
    QCOMPARE(b.g.values[static_cast<std::size_t>(b.g.outputs[0])].dtype, DataType::Float32);
  }

  void keepAndMatrixOnly() {
    auto b = network();
    infer(b);
    auto ctx = context(PrecisionMode::AllowFp32ToFp16);
    QVERIFY(*passes::applyPrecisionPolicy(b.g, ctx));
    QCOMPARE(inType(b.g, "conv", 0), DataType::Float16);
    QCOMPARE(inType(b.g, "relu", 0), DataType::Float32);
    QCOMPARE(inType(b.g, "resize", 0), DataType::Float32);
    auto k = network();
    infer(k);
    auto kctx = context(PrecisionMode::ForceFp16, {{"conv"}, {"Resize"}});
    QVERIFY(*passes::applyPrecisionPolicy(k.g, kctx));
    QCOMPARE(inType(k.g, "conv", 0), DataType::Float32);
    QCOMPARE(inType(k.g, "relu", 0), DataType::Float16);
    QCOMPARE(inType(k.g, "resize", 0), DataType::Float32);
    auto none = network();
    infer(none);
    for (auto mode : {PrecisionMode::Default, PrecisionMode::MustKeepOriginDtype}) {
      auto nctx = context(mode);
      QVERIFY(!*passes::applyPrecisionPolicy(none.g, nctx));
    }
  }

  void keepListCheck() {
    auto b = network();
    shape_config::PrecisionConfig c;
    c.mode = PrecisionMode::ForceFp16;
    c.keepDtypeFile = "keep.txt";
    c.keep.nodes = {"relu"};
    QVERIFY(passes::checkKeepList(c, b.g));
    c.keep.nodes.push_back("relu2");
    auto st = passes::checkKeepList(c, b.g);
    QVERIFY(!st);
    QCOMPARE(st.error().code, std::string("E10016"));
    QVERIFY(st.error().message.find("relu2") != std::string::npos);
    QVERIFY(st.error().message.find("keep.txt") != std::string::npos);
  }

  void halfRounding() {
    using passes::floatToBFloat16Bits;
    using passes::floatToHalfBits;
    QCOMPARE(floatToHalfBits(1.0f), uint16_t{0x3c00});
    QCOMPARE(floatToHalfBits(65504.0f), uint16_t{0x7bff});
    QCOMPARE(floatToHalfBits(65519.0f), uint16_t{0x7bff});
    QCOMPARE(floatToHalfBits(65520.0f), uint16_t{0x7c00});                         // rounds to infinity
    QCOMPARE(floatToHalfBits(1.0f + std::ldexp(1.0f, -11)), uint16_t{0x3c00});     // tie -> even
    QCOMPARE(floatToHalfBits(1.0f + 3 * std::ldexp(1.0f, -11)), uint16_t{0x3c02}); // tie -> even (up)
    QCOMPARE(floatToHalfBits(std::ldexp(1.0f, -24)), uint16_t{0x0001});            // smallest subnormal
    QCOMPARE(floatToHalfBits(-0.0f), uint16_t{0x8000});
    QVERIFY((floatToHalfBits(std::numeric_limits<float>::quiet_NaN()) & 0x7fff) > 0x7c00);
    QCOMPARE(floatToBFloat16Bits(1.0f), uint16_t{0x3f80});
    QCOMPARE(floatToBFloat16Bits(1.0f + std::ldexp(1.0f, -8)), uint16_t{0x3f80}); // tie -> even
    QCOMPARE(floatToBFloat16Bits(1.0f + 3 * std::ldexp(1.0f, -8)), uint16_t{0x3f82});
    for (float f : {0.1f, -3.75f, 1e-6f, 12345.678f}) {
      QCOMPARE(passes::halfBitsToFloat(floatToHalfBits(f)), static_cast<float>(static_cast<_Float16>(f)));
      QVERIFY(std::abs(passes::bfloat16BitsToFloat(floatToBFloat16Bits(f)) - f) <= std::abs(f) * 0.004f);
    }
    auto t = passes::convertFloatTensor(ir::Tensor::fromVector<float>({1.0f, 70000.0f}, {2}), DataType::Float16);
    QVERIFY(t);
    QCOMPARE(t->dtype, DataType::Float16);
    QCOMPARE(t->as<uint16_t>()[1], uint16_t{0x7c00});
    auto back = passes::convertFloatTensor(*t, DataType::Float32);
    QVERIFY(back);
    QCOMPARE(back->as<float>()[0], 1.0f);
    QVERIFY(!passes::convertFloatTensor(ir::Tensor::fromVector<int64_t>({1}, {1}), DataType::Float16));
  }

  void sensitiveListIsDocumented() {
    // Every op allow_mix_precision keeps has a reason (docs/precision.md copies the list).
    for (const auto& s : precision::sensitiveOps()) {
      QVERIFY(!s.opType.empty());
      QVERIFY2(s.reason.size() > 10, std::string(s.opType).c_str());
    }
    ir::Node n;
    n.opType = "Softmax";
    QVERIFY(precision::isSensitive(n));
    n.opType = "Conv";
    QVERIFY(!precision::isSensitive(n));
    QVERIFY(precision::isMatrixOp(n));
    n.opType = "Cast";
    QVERIFY(!precision::isConvertible(n));
  }
};

std::unique_ptr<QObject> makePrecisionPolicyTests() { return std::make_unique<PrecisionPolicyTests>(); }

#include "test_precision_policy.moc"
