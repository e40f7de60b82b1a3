// Each compiler pass on small graphs built in code: node counts before/after, what the rewritten
// nodes look like, and the folded numbers against their formulas.
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "core/compiler/passes/constant_nodes.h"
#include "core/compiler/passes/dead_code.h"
#include "core/compiler/passes/eliminate_identity.h"
#include "core/compiler/passes/fold_affine_into_conv.h"
#include "core/compiler/passes/fold_constants.h"
#include "core/compiler/passes/fold_conv_affine.h"
#include "core/compiler/passes/fold_conv_batchnorm.h"
#include "core/compiler/passes/fuse_activation.h"
#include "core/compiler/passes/fuse_conv_add.h"
#include "core/compiler/passes/fuse_hardswish.h"
#include "core/compiler/passes/pipeline.h"
#include "core/compiler/passes/select_outputs.h"
#include "core/compiler/passes/simplify_arithmetic.h"
#include "tests/compiler/graph_builder.h"

using namespace gs;
using namespace gs::compiler;
using gs::test::GraphBuilder;
using ir::Attribute;

namespace {

PassContext context(int64_t opset = 13) {
  PassContext c;
  c.opset = opset;
  return c;
}

// The node producing v (must exist).
const ir::Node& producer(const ir::Graph& g, ir::ValueId v) { return g.nodes.at(g.values.at(v).producer); }

std::vector<float> constantFloats(const ir::Graph& g, ir::ValueId v) {
  return g.values.at(v).constant->toVector<float>();
}

// Runs the per-gear pipeline with these input shapes.
Status runPerGear(ir::Graph& g, std::map<std::string, ir::Shape> shapes, int64_t opset = 13) {
  PassContext ctx = context(opset);
  ctx.inputShapes = std::move(shapes);
  std::vector<om::PassStat> stats;
  return runPipeline(perGearPipeline(), g, ctx, {}, stats);
}

// x[1,C,4,4] -> Conv(W[Cout,C,k,k], b) with the given kernel size and pads.
ir::ValueId addConv(GraphBuilder& b, ir::ValueId x, int64_t cin, int64_t cout, int64_t k, int64_t pad,
                    const std::string& name, unsigned seed) {
  const auto w =
      b.floats(name + "_w", test::randomFloats(static_cast<std::size_t>(cout * cin * k * k), seed), {cout, cin, k, k});
  const auto bias = b.floats(name + "_b", test::randomFloats(static_cast<std::size_t>(cout), seed + 1), {cout});
  return b.node(name, "Conv", {x, w, bias},
                GraphBuilder::attrs(
                    {{"kernel_shape", Attribute::ofInts({k, k})}, {"pads", Attribute::ofInts({pad, pad, pad, pad})}}));
}

} // namespace

class TestPasses : public QObject {
  Q_OBJECT

private slots:
  void passTableIsConsistent() {
    QVERIFY(passTable().size() >= 10);
    for (const auto* p : {&gearIndependentPipeline(), &perGearPipeline()})
      for (const auto& step : p->steps)
        for (auto name : step.passes)
          QVERIFY2(findPass(name), std::string(name).c_str());
    const auto text = printPipelines(Target{});
    for (const auto& p : passTable())
      QVERIFY2(text.find(std::string(p.name)) != std::string::npos, std::string(p.name).c_str());
    QVERIFY(!checkDisabledPasses({"nope"}));
    QVERIFY(!checkDisabledPasses({"topo-sort"})); // required
    QVERIFY(checkDisabledPasses({"fuse-activation"}).has_value());
  }

  void constantNodesBecomeValues() {
    GraphBuilder b;
    const auto x = b.input("x", std::vector<int64_t>{2});
    const auto c =
        b.node("c", "Constant", {},
               GraphBuilder::attrs({{"value", Attribute::ofTensor(ir::Tensor::fromVector<float>({1, 2}, {2}))}}));
    const auto f = b.node("f", "Constant", {}, GraphBuilder::attrs({{"value_float", Attribute::ofFloat(3)}}));
    const auto y = b.node("add", "Add", {x, c});
    b.output(b.node("mul", "Mul", {y, f}));
    auto ctx = context();
    QVERIFY(*passes::constantNodes(b.g, ctx));
    QCOMPARE(b.g.nodes.size(), std::size_t{2});
    QCOMPARE(ctx.counters["converted"], int64_t{2});
    QVERIFY(ir::verify(b.g).has_value());
    QCOMPARE(constantFloats(b.g, b.g.nodes[0].inputs[1]), (std::vector<float>{1, 2}));
    QCOMPARE(constantFloats(b.g, b.g.nodes[1].inputs[1]), (std::vector<float>{3}));
  }

  void identityAndDropoutRemovedKeepingOutputNames() {
    GraphBuilder b;
    const auto x = b.input("x", std::vector<int64_t>{4});
    const auto a = b.node("id1", "Identity", {x});
    const auto r = b.node("relu", "Relu", {a});
    const auto d = b.node("drop", "Dropout", {r}, {}, 2); // mask output unused
    const auto y = b.node("id2", "Identity", {d});
    b.output(y);
    auto ctx = context();
    QCOMPARE(b.g.nodes.size(), std::size_t{4});
    QVERIFY(*passes::eliminateIdentity(b.g, ctx));
    QCOMPARE(b.g.nodes.size(), std::size_t{1});
    QCOMPARE(b.g.nodes[0].opType, std::string("Relu"));
    QCOMPARE(b.g.values[b.g.outputs[0]].name, std::string("id2_out0")); // the graph output keeps its name
    QCOMPARE(b.g.nodes[0].inputs[0], b.g.inputs[0]);
    QVERIFY(ir::verify(b.g).has_value());
  }

  void identityOfInputToOutputStays() {
    GraphBuilder b;
    const auto x = b.input("x", std::vector<int64_t>{4});
    b.output(b.node("id", "Identity", {x}));
    auto ctx = context();
    QVERIFY(!*passes::eliminateIdentity(b.g, ctx));
    QCOMPARE(b.g.nodes.size(), std::size_t{1});
  }

  void deadCodeRemovesUnreadNodes() {
    GraphBuilder b;
    const auto x = b.input("x", std::vector<int64_t>{4});
    const auto used = b.node("relu", "Relu", {x});
    const auto unused = b.node("sig", "Sigmoid", {x});
    b.node("tanh", "Tanh", {unused});
    b.output(used);
    auto ctx = context();
    QVERIFY(*passes::deadCode(b.g, ctx));
    QCOMPARE(b.g.nodes.size(), std::size_t{1});
    QCOMPARE(ctx.counters["nodes"], int64_t{2});
    QVERIFY(ir::verify(b.g).has_value());
  }

  void selectOutputsByNodeIndexAndName() {
    GraphBuilder b;
    const auto x = b.input("x", std::vector<int64_t>{4});
    const auto r = b.node("relu", "Relu", {x});
    const auto s = b.node("sig", "Sigmoid", {r});
    b.output(s);
    auto ctx = context();
    ctx.outNodes = {"relu:0"};
    QVERIFY(*passes::selectOutputs(b.g, ctx));
    QCOMPARE(b.g.outputs, std::vector<ir::ValueId>{r});
    ctx.outNodes = {"sig_out0"};
    QVERIFY(*passes::selectOutputs(b.g, ctx));
    QCOMPARE(b.g.outputs, std::vector<ir::ValueId>{s});
    ctx.outNodes = {"nothing:3"};
    auto bad = passes::selectOutputs(b.g, ctx);
    QVERIFY(!bad);
    QCOMPARE(QString::fromStdString(bad.error().code), QString("E10016"));
  }

  void foldConstantsEvaluatesArithmetic() {
    GraphBuilder b;
    const auto x = b.input("x", std::vector<int64_t>{2, 3});
    const auto c1 = b.floats("c1", {1, 2, 3}, {3});
    const auto c2 = b.floats("c2", {10, 20}, {2, 1});
    const auto sum = b.node("add", "Add", {c1, c2}); // broadcast [2,3]
    const auto root = b.node("sqrt", "Sqrt", {b.floats("c3", {4, 9}, {2})});
    const auto y = b.node("mul", "Mul", {x, sum});
    b.output(b.node("mul2", "Mul", {y, root}));
    auto ctx = context();
    QCOMPARE(b.g.nodes.size(), std::size_t{4});
    QVERIFY(*passes::foldConstants(b.g, ctx));
    QCOMPARE(b.g.nodes.size(), std::size_t{2});
    QCOMPARE(ctx.counters["folded"], int64_t{2});
    const auto& mul = b.g.nodes[0];
    QCOMPARE(constantFloats(b.g, mul.inputs[1]), (std::vector<float>{11, 12, 13, 21, 22, 23}));
    QCOMPARE(b.g.values[mul.inputs[1]].constant->dims, (std::vector<int64_t>{2, 3}));
    QCOMPARE(constantFloats(b.g, b.g.nodes[1].inputs[1]), (std::vector<float>{2, 3}));
    QVERIFY(ir::verify(b.g).has_value());
  }

  void neutralArithmeticRemoved() {
    GraphBuilder b;
    const auto x = b.input("x", std::vector<int64_t>{2, 3});
    const auto m = b.node("mul1", "Mul", {b.floats("one", {1.0f}, {}), x});
    const auto a = b.node("add0", "Add", {m, b.floats("zero", {0.0f}, {1})});
    const auto widen = b.node("widen", "Mul", {a, b.floats("one3", {1.0f}, {1, 1, 1})}); // rank 3 > 2: stays
    const auto s = b.node("sub1", "Sub", {b.floats("one_", {1.0f}, {}), widen});         // 1 - x: stays
    b.output(b.node("div1", "Div", {s, b.floats("one__", {1.0f}, {})}));
    for (const auto& n : b.g.nodes)
      for (auto o : n.outputs) {
        b.g.values[o].dtype = ir::DataType::Float32;
        b.g.values[o].shape = ir::Shape::fromValues({2, 3});
      }
    auto ctx = context();
    QVERIFY(*passes::simplifyArithmetic(b.g, ctx));
    QCOMPARE(b.g.nodes.size(), std::size_t{2});
    QCOMPARE(b.g.nodes[0].opType, std::string("Mul"));
    QCOMPARE(b.g.nodes[0].inputs[0], b.g.inputs[0]);
    QCOMPARE(b.g.nodes[1].opType, std::string("Sub"));
    QCOMPARE(b.g.values[b.g.outputs[0]].name, std::string("div1_out0"));
    QVERIFY(ir::verify(b.g).has_value());
  }

  void convBatchNormFoldMatchesFormula() {
    GraphBuilder b;
    const int64_t cin = 3, cout = 4;
    const auto x = b.input("x", std::vector<int64_t>{1, cin, 5, 5});
    const auto conv = addConv(b, x, cin, cout, 3, 1, "conv", 7);
    const auto scale = test::randomFloats(cout, 11, 0.5f, 2.0f);
    const auto shift = test::randomFloats(cout, 12);
    const auto mean = test::randomFloats(cout, 13);
    const auto var = test::randomFloats(cout, 14, 0.1f, 3.0f);
    const float eps = 1e-3f;
    const auto bn = b.node("bn", "BatchNormalization",
                           {conv, b.floats("s", scale, {cout}), b.floats("sh", shift, {cout}),
                            b.floats("m", mean, {cout}), b.floats("v", var, {cout})},
                           GraphBuilder::attrs({{"epsilon", Attribute::ofFloat(eps)}}));
    b.output(bn);
    const auto w0 = constantFloats(b.g, b.g.findValue("conv_w"));
    const auto b0 = constantFloats(b.g, b.g.findValue("conv_b"));
    auto ctx = context();
    QVERIFY(*passes::foldConvBatchNorm(b.g, ctx));
    QCOMPARE(b.g.nodes.size(), std::size_t{1});
    QVERIFY(ir::verify(b.g).has_value());
    const auto& n = b.g.nodes[0];
    QCOMPARE(b.g.values[n.outputs[0]].name, std::string("bn_out0"));
    const auto w1 = constantFloats(b.g, n.inputs[1]);
    const auto b1 = constantFloats(b.g, n.inputs[2]);
    const std::size_t block = static_cast<std::size_t>(cin * 9);
    for (std::size_t oc = 0; oc < static_cast<std::size_t>(cout); ++oc) {
      const double f = scale[oc] / std::sqrt(static_cast<double>(var[oc]) + eps);
      QVERIFY(std::fabs(b1[oc] - ((b0[oc] - mean[oc]) * f + shift[oc])) < 1e-5);
      for (std::size_t j = 0; j < block; ++j)
        QVERIFY(std::fabs(w1[oc * block + j] - w0[oc * block + j] * f) < 1e-5);
    }
    // The original weights are untouched (they may be shared).
    QCOMPARE(b.g.findValue("conv_w"), ir::kNone);
  }

  void convTransposeBatchNormFoldUsesOutputChannelLayout() {
    GraphBuilder b;
    const int64_t cin = 4, coutPerGroup = 3, group = 2;
    const auto x = b.input("x", std::vector<int64_t>{1, cin, 3, 3});
    const auto w0 = test::randomFloats(static_cast<std::size_t>(cin * coutPerGroup * 4), 21);
    const auto w = b.floats("w", w0, {cin, coutPerGroup, 2, 2});
    const auto ct = b.node("ct", "ConvTranspose", {x, w}, GraphBuilder::attrs({{"group", Attribute::ofInt(group)}}));
    const int64_t cout = coutPerGroup * group;
    const std::vector<float> ones(static_cast<std::size_t>(cout), 1.0f), zeros(static_cast<std::size_t>(cout), 0.0f);
    const auto scale = test::randomFloats(static_cast<std::size_t>(cout), 22, 0.5f, 2.0f);
    b.output(b.node("bn", "BatchNormalization",
                    {ct, b.floats("s", scale, {cout}), b.floats("sh", zeros, {cout}), b.floats("m", zeros, {cout}),
                     b.floats("v", ones, {cout})},
                    GraphBuilder::attrs({{"epsilon", Attribute::ofFloat(0.0f)}})));
    auto ctx = context();
    QVERIFY(*passes::foldConvBatchNorm(b.g, ctx));
    const auto w1 = constantFloats(b.g, b.g.nodes[0].inputs[1]);
    for (int64_t ci = 0; ci < cin; ++ci)
      for (int64_t j = 0; j < coutPerGroup; ++j) {
        const auto oc = (ci / (cin / group)) * coutPerGroup + j;
        for (int64_t k = 0; k < 4; ++k) {
          const auto i = static_cast<std::size_t>((ci * coutPerGroup + j) * 4 + k);
          QVERIFY(std::fabs(w1[i] - w0[i] * scale[static_cast<std::size_t>(oc)]) < 1e-5);
        }
      }
    QCOMPARE(b.g.values[b.g.nodes[0].inputs[2]].constant->numel(), cout); // a bias was created
  }

  void convAffineFoldsScaleAndShift() {
    GraphBuilder b;
    const auto x = b.input("x", std::vector<int64_t>{1, 2, 4, 4});
    const auto conv = addConv(b, x, 2, 3, 1, 0, "conv", 31);
    const auto w0 = constantFloats(b.g, b.g.findValue("conv_w"));
    const auto b0 = constantFloats(b.g, b.g.findValue("conv_b"));
    const auto m = b.node("mul", "Mul", {b.floats("s", {2.0f}, {1}), conv});
    b.output(b.node("add", "Add", {m, b.floats("t", {1, 2, 3}, {3, 1, 1})}));
    auto ctx = context();
    QVERIFY(*passes::foldConvAffine(b.g, ctx));
    QCOMPARE(b.g.nodes.size(), std::size_t{1});
    const auto w1 = constantFloats(b.g, b.g.nodes[0].inputs[1]);
    const auto b1 = constantFloats(b.g, b.g.nodes[0].inputs[2]);
    for (std::size_t i = 0; i < w0.size(); ++i)
      QCOMPARE(w1[i], w0[i] * 2.0f);
    for (std::size_t oc = 0; oc < 3; ++oc)
      QCOMPARE(b1[oc], b0[oc] * 2.0f + static_cast<float>(oc + 1));
    QVERIFY(ir::verify(b.g).has_value());
  }

  void convAffineLeavesNonChannelConstants() {
    GraphBuilder b;
    const auto x = b.input("x", std::vector<int64_t>{1, 2, 4, 4});
    const auto conv = addConv(b, x, 2, 3, 1, 0, "conv", 41);
    b.output(b.node("add", "Add", {conv, b.floats("t", {1, 2, 3, 4}, {4})})); // along W, not C
    auto ctx = context();
    QVERIFY(!*passes::foldConvAffine(b.g, ctx));
    QCOMPARE(b.g.nodes.size(), std::size_t{2});
  }

  void affineIntoUnpaddedConvOnly() {
    GraphBuilder b;
    const auto x = b.input("x", std::vector<int64_t>{1, 2, 4, 4});
    const auto m = b.node("mul", "Mul", {x, b.floats("s", {0.5f}, {})});
    const auto a = b.node("add", "Add", {m, b.floats("t", {3.0f}, {1})});
    const auto conv = addConv(b, a, 2, 3, 1, 0, "conv", 51);
    const auto w0 = constantFloats(b.g, b.g.findValue("conv_w"));
    const auto b0 = constantFloats(b.g, b.g.findValue("conv_b"));
    b.output(conv);
    auto ctx = context();
    QVERIFY(*passes::foldAffineIntoConv(b.g, ctx));
    QCOMPARE(b.g.nodes.size(), std::size_t{1});
    QCOMPARE(b.g.nodes[0].inputs[0], b.g.inputs[0]);
    // conv(s*x + t) = (s*W) x + (b + t * sum(W))
    const auto w1 = constantFloats(b.g, b.g.nodes[0].inputs[1]);
    const auto b1 = constantFloats(b.g, b.g.nodes[0].inputs[2]);
    for (std::size_t oc = 0; oc < 3; ++oc) {
      double sum = 0;
      for (std::size_t k = 0; k < 2; ++k) {
        sum += w0[oc * 2 + k];
        QVERIFY(std::fabs(w1[oc * 2 + k] - 0.5f * w0[oc * 2 + k]) < 1e-6);
      }
      QVERIFY(std::fabs(b1[oc] - (b0[oc] + 3.0 * sum)) < 1e-5);
    }

    GraphBuilder padded;
    const auto px = padded.input("x", std::vector<int64_t>{1, 2, 4, 4});
    const auto pa = padded.node("add", "Add", {px, padded.floats("t", {3.0f}, {1})});
    padded.output(addConv(padded, pa, 2, 3, 3, 1, "conv", 52));
    QVERIFY(!*passes::foldAffineIntoConv(padded.g, ctx));
    QCOMPARE(padded.g.nodes.size(), std::size_t{2});
  }

  void activationFusionSetsAttributes() {
    GraphBuilder b;
    const auto x = b.input("x", std::vector<int64_t>{1, 2, 4, 4});
    const auto c1 = addConv(b, x, 2, 2, 1, 0, "c1", 61);
    const auto r = b.node("clip", "Clip", {c1, b.floats("lo", {0.0f}, {}), b.floats("hi", {6.0f}, {})});
    const auto c2 = addConv(b, r, 2, 2, 1, 0, "c2", 62);
    const auto l = b.node("leaky", "LeakyRelu", {c2}, GraphBuilder::attrs({{"alpha", Attribute::ofFloat(0.1f)}}));
    const auto c3 = addConv(b, l, 2, 2, 1, 0, "c3", 63);
    const auto s1 = b.node("sig", "Sigmoid", {c3}); // c3 has two readers: not fused
    const auto s2 = b.node("tanh", "Tanh", {c3});
    b.output(s1);
    b.output(s2);
    auto ctx = context();
    QCOMPARE(b.g.nodes.size(), std::size_t{7});
    QVERIFY(*passes::fuseActivation(b.g, ctx));
    QCOMPARE(b.g.nodes.size(), std::size_t{5});
    QVERIFY(ir::verify(b.g).has_value());
    const auto& conv1 = producer(b.g, b.g.findValue("clip_out0"));
    QCOMPARE(conv1.name, std::string("c1"));
    QCOMPARE(conv1.domain, std::string("ai.gearstudio"));
    QCOMPARE(conv1.opType, std::string("FusedConv"));
    QCOMPARE(conv1.attrs.getString("activation", ""), std::string("Clip"));
    QCOMPARE(conv1.attrs.getFloats("activation_params"), (std::vector<float>{0.0f, 6.0f}));
    const auto& conv2 = producer(b.g, b.g.findValue("leaky_out0"));
    QCOMPARE(conv2.attrs.getString("activation", ""), std::string("LeakyRelu"));
    QCOMPARE(conv2.attrs.getFloats("activation_params"), (std::vector<float>{0.1f}));
    const auto& conv3 = producer(b.g, b.g.findValue("c3_out0"));
    QVERIFY(!conv3.attrs.has("activation"));
    QCOMPARE(conv3.opType, std::string("Conv")); // unfused: stays the ONNX op
    QVERIFY(conv3.domain.empty());
  }

  // A target without a GearStudio op: the passes that create it are skipped (and say so in the
  // printed pipeline), the others still run; a target that has every op gates nothing.
  void passesGatedByTarget() {
    Target noFusedGemm{"npu", [](std::string_view domain, std::string_view op, int64_t) {
                         return !(domain == "ai.gearstudio" && op == "FusedGemm");
                       }};
    Target noNhwcPool{"npu", [](std::string_view domain, std::string_view op, int64_t) {
                        return !(domain == "ai.gearstudio" && op.starts_with("Nhwc"));
                      }};
    Target everything{"cpu", [](std::string_view, std::string_view, int64_t) { return true; }};
    const auto* fuseAct = findPass("fuse-activation");
    const auto* layout = findPass("layout-nhwc");
    const auto* fuseAdd = findPass("fuse-conv-add");
    QVERIFY(fuseAct && layout && fuseAdd);
    QCOMPARE(gatedReason(*fuseAct, noFusedGemm, 13),
             std::string("target 'npu' has no kernel for ai.gearstudio.FusedGemm"));
    QCOMPARE(gatedReason(*fuseAdd, noFusedGemm, 13), std::string());
    QCOMPARE(gatedReason(*layout, noFusedGemm, 13), std::string());
    QCOMPARE(gatedReason(*layout, noNhwcPool, 13),
             std::string("target 'npu' has no kernel for ai.gearstudio.NhwcMaxPool"));
    QCOMPARE(gatedReason(*fuseAct, noNhwcPool, 13), std::string());
    for (const auto& p : passTable()) {
      QCOMPARE(gatedReason(p, everything, 13), std::string());
      QCOMPARE(gatedReason(p, Target{}, 13), std::string()); // ops unknown: nothing gated
    }
    const auto text = printPipelines(noNhwcPool);
    QVERIFY2(text.find("target device: npu\n") != std::string::npos, text.c_str());
    const auto line =
        text.substr(text.find("layout-nhwc"), text.find('\n', text.find("layout-nhwc")) - text.find("layout-nhwc"));
    QVERIFY2(line.find("[skipped: target 'npu' has no kernel for ai.gearstudio.NhwcMaxPool]") != std::string::npos,
             line.c_str());
    const auto all = printPipelines(everything);
    QCOMPARE(all.find("[skipped"), std::string::npos);
    QCOMPARE(std::count(text.begin(), text.end(), '['), std::count(all.begin(), all.end(), '[') + 1);

    // Run: Conv -> Relu -> MaxPool -> Gemm -> Relu. Without FusedGemm no activation is fused (the
    // Conv still goes channels-last); without channels-last pools the activations are fused and no
    // node is channels-last.
    auto build = [] {
      GraphBuilder b;
      const auto x = b.input("x", std::vector<int64_t>{1, 2, 4, 4});
      const auto c = addConv(b, x, 2, 3, 3, 1, "c", 91);
      const auto r = b.node("relu", "Relu", {c});
      const auto p = b.node(
          "pool", "MaxPool", {r},
          GraphBuilder::attrs({{"kernel_shape", Attribute::ofInts({2, 2})}, {"strides", Attribute::ofInts({2, 2})}}));
      const auto f = b.node("flat", "Flatten", {p});
      const auto w = b.floats("gw", test::randomFloats(12 * 5, 92), {12, 5});
      const auto gemm = b.node("gemm", "Gemm", {f, w});
      b.output(b.node("relu2", "Relu", {gemm}));
      return b;
    };
    auto run = [&](const Target& target) {
      auto b = build();
      PassContext ctx = context();
      ctx.inputShapes = {{"x", ir::Shape::fromValues({1, 2, 4, 4})}};
      std::vector<om::PassStat> stats;
      PipelineRunOptions o;
      o.target = &target;
      o.verifyEachPass = true;
      const auto st = runPipeline(perGearPipeline(), b.g, ctx, o, stats);
      if (!st) qWarning("%s", st.error().str().c_str());
      std::map<std::string, int> ops;
      for (const auto& n : b.g.nodes) {
        ops[(n.domain.empty() ? "" : n.domain + ".") + n.opType]++;
        if (n.attrs.has("activation")) ops["activation"]++;
      }
      std::set<std::string> ran;
      for (const auto& s : stats)
        ran.insert(s.pass);
      return std::pair(ops, ran);
    };
    {
      auto [ops, ran] = run(noFusedGemm);
      QVERIFY(!ran.count("fuse-activation"));
      QVERIFY(ran.count("layout-nhwc"));
      QCOMPARE(ops["activation"], 0);
      QCOMPARE(ops["ai.gearstudio.FusedGemm"], 0);
      QCOMPARE(ops["Gemm"], 1);
      QCOMPARE(ops["Relu"], 2);
    }
    {
      auto [ops, ran] = run(noNhwcPool);
      QVERIFY(ran.count("fuse-activation"));
      QVERIFY(!ran.count("layout-nhwc"));
      QCOMPARE(ops["ai.gearstudio.FusedConv"], 1);
      QCOMPARE(ops["ai.gearstudio.FusedGemm"], 1);
      QCOMPARE(ops["activation"], 2);
      QCOMPARE(ops["MaxPool"], 1);
      QCOMPARE(ops["Transpose"], 0);
      QCOMPARE(ops["Relu"], 0);
    }
    {
      auto [ops, ran] = run(everything);
      QVERIFY(ran.count("fuse-activation") && ran.count("layout-nhwc"));
      QCOMPARE(ops["ai.gearstudio.FusedConv"], 1);
      QCOMPARE(ops["ai.gearstudio.FusedGemm"], 1);
      QCOMPARE(ops["ai.gearstudio.NhwcMaxPool"], 1);
      QCOMPARE(ops["MaxPool"], 0);
      QCOMPARE(ops["Relu"], 0);
    }
  }

  void activationOnGraphOutputNotFused() {
    GraphBuilder b;
    const auto x = b.input("x", std::vector<int64_t>{1, 2, 4, 4});
    const auto c = addConv(b, x, 2, 2, 1, 0, "c", 71);
    b.output(c);
    b.output(b.node("relu", "Relu", {c}));
    auto ctx = context();
    QVERIFY(!*passes::fuseActivation(b.g, ctx));
  }

  void hardSwishPatternFusedIntoConv() {
    for (int variant = 0; variant < 2; ++variant) {
      GraphBuilder b;
      const auto x = b.input("x", std::vector<int64_t>{1, 2, 4, 4});
      const auto c = addConv(b, x, 2, 2, 1, 0, "c", 81);
      ir::ValueId y;
      if (variant == 0) { // x * Clip(x + 3, 0, 6) / 6
        const auto a = b.node("add3", "Add", {c, b.floats("three", {3}, {1})});
        const auto cl = b.node("clip", "Clip", {a, b.floats("zero", {0}, {}), b.floats("six", {6}, {})});
        const auto m = b.node("mul", "Mul", {c, cl});
        y = b.node("div", "Div", {m, b.floats("six2", {6}, {1})});
      } else { // x * HardSigmoid(x), alpha 1/6
        const auto h = b.node(
            "hs", "HardSigmoid", {c},
            GraphBuilder::attrs({{"alpha", Attribute::ofFloat(1.0f / 6.0f)}, {"beta", Attribute::ofFloat(0.5f)}}));
        y = b.node("mul", "Mul", {h, c});
      }
      b.output(y);
      auto ctx = context(11);
      QVERIFY(*passes::fuseHardSwish(b.g, ctx));
      QCOMPARE(b.g.nodes.size(), std::size_t{1});
      QCOMPARE(b.g.nodes[0].opType, std::string("FusedConv"));
      QCOMPARE(b.g.nodes[0].attrs.getString("activation", ""), std::string("HardSwish"));
      QCOMPARE(b.g.outputs[0], b.g.nodes[0].outputs[0]);
      QVERIFY(ir::verify(b.g).has_value());
    }
  }

  void hardSigmoidWithOtherInputIsNotHardSwish() {
    GraphBuilder b;
    const auto x = b.input("x", std::vector<int64_t>{1, 2, 4, 4});
    const auto c = addConv(b, x, 2, 2, 1, 0, "c", 91);
    const auto h = b.node("hs", "HardSigmoid", {x}, // SE-style gate on another tensor
                          GraphBuilder::attrs({{"alpha", Attribute::ofFloat(1.0f / 6.0f)}}));
    b.output(b.node("mul", "Mul", {c, h}));
    auto ctx = context(11);
    QVERIFY(!*passes::fuseHardSwish(b.g, ctx));
    QCOMPARE(b.g.nodes.size(), std::size_t{3});
  }

  void residualAddFusedBeforeActivation() {
    GraphBuilder b;
    const auto x = b.input("x", std::vector<int64_t>{1, 2, 4, 4});
    const auto w = b.floats("w", test::randomFloats(4, 101), {2, 2, 1, 1});
    const auto c = b.node("c", "Conv", {x, w}); // no bias: the bias slot becomes kNone
    const auto a = b.node("add", "Add", {x, c});
    b.output(b.node("relu", "Relu", {a}));
    // Shapes must be known for the residual check.
    for (auto v : {c, a})
      b.g.values[v].shape = ir::Shape::fromValues({1, 2, 4, 4});
    for (auto v : {c, a})
      b.g.values[v].dtype = ir::DataType::Float32;
    auto ctx = context();
    QVERIFY(*passes::fuseConvAdd(b.g, ctx));
    QVERIFY(*passes::fuseActivation(b.g, ctx));
    QCOMPARE(b.g.nodes.size(), std::size_t{1});
    const auto& n = b.g.nodes[0];
    QCOMPARE(n.domain, std::string("ai.gearstudio"));
    QCOMPARE(n.opType, std::string("FusedConv"));
    QCOMPARE(n.attrs.getString("activation", ""), std::string("Relu"));
    QCOMPARE(n.inputs.size(), std::size_t{4});
    QCOMPARE(n.inputs[2], ir::kNone);
    QCOMPARE(n.inputs[3], x);
    QVERIFY(ir::verify(b.g).has_value());
  }

  void residualAddNotFusedAfterActivationOrBroadcast() {
    GraphBuilder b;
    const auto x = b.input("x", std::vector<int64_t>{1, 2, 4, 4});
    const auto c = addConv(b, x, 2, 2, 1, 0, "c", 111);
    const auto bias = b.input("row", std::vector<int64_t>{1, 2, 1, 1});
    const auto a = b.node("add", "Add", {c, bias}); // broadcast: not a residual
    b.output(a);
    b.g.values[c].shape = ir::Shape::fromValues({1, 2, 4, 4});
    b.g.values[c].dtype = ir::DataType::Float32;
    auto ctx = context();
    QVERIFY(!*passes::fuseConvAdd(b.g, ctx));
  }

  void shapeChainsFoldPerGear() {
    // y = Reshape(x, Concat(Gather(Shape(x), 0), [-1])): per gear the shape operand is a constant.
    GraphBuilder b;
    const auto x = b.input("x", {ir::Dim::symbolic("N"), ir::Dim::known(3), ir::Dim::symbolic("H")});
    const auto s = b.node("shape", "Shape", {x});
    const auto g0 = b.node("gather", "Gather", {s, b.ints("zero", {0}, {1})});
    const auto cat = b.node("concat", "Concat", {g0, b.ints("minus1", {-1}, {1})},
                            GraphBuilder::attrs({{"axis", Attribute::ofInt(0)}}));
    b.output(b.node("reshape", "Reshape", {x, cat}));
    QVERIFY(runPerGear(b.g, {{"x", ir::Shape::fromValues({2, 3, 5})}}).has_value());
    QCOMPARE(b.g.nodes.size(), std::size_t{1});
    QCOMPARE(b.g.nodes[0].opType, std::string("Reshape"));
    QCOMPARE(b.g.values[b.g.nodes[0].inputs[1]].constant->toVector<int64_t>(), (std::vector<int64_t>{2, -1}));
    QCOMPARE(b.g.values[b.g.outputs[0]].shape, ir::Shape::fromValues({2, 15}));
  }

  void perGearPipelineRejectsUnknownOp() {
    GraphBuilder b;
    const auto x = b.input("x", std::vector<int64_t>{2});
    b.output(b.node("mystery_node", "NoSuchOp", {x}));
    auto s = runPerGear(b.g, {{"x", ir::Shape::fromValues({2})}});
    QVERIFY(!s);
    QCOMPARE(QString::fromStdString(s.error().code), QString(codes::kUnsupported));
    QVERIFY(s.error().message.find("mystery_node") != std::string::npos);
    QVERIFY(s.error().message.find("NoSuchOp") != std::string::npos);
  }
};

std::unique_ptr<QObject> makePassTests() { return std::make_unique<TestPasses>(); }

#include "test_passes.moc"
