// Pass reduce-pow: which Pow nodes become Mul/Sqrt/Reciprocal chains, that the graph stays valid and
// the outputs keep their names, and that the rewritten arithmetic gives std::pow's values (the
// rewritten graph evaluated by fold-constants on a constant input).
#include <QtTest>

#include <cmath>

#include "core/compiler/passes/fold_constants.h"
#include "core/compiler/passes/pipeline.h"
#include "core/compiler/passes/reduce_pow.h"
#include "tests/compiler/graph_builder.h"

using namespace gs;
using namespace gs::compiler;
using gs::test::GraphBuilder;

namespace {

struct Built {
  GraphBuilder b;
  std::vector<float> x;
  std::vector<double> exponents; // per output; NaN: the Pow must stay
};

const std::vector<int64_t> kDims{2, 3, 4};

Built build() {
  Built r;
  r.x = test::randomFloats(24, 5, 0.1f, 3.0f);
  const auto x = r.b.input("x", kDims);
  r.b.g.values[x].dtype = ir::DataType::Float32;
  auto add = [&](const std::string& name, ir::ValueId e, double expect) {
    const auto y = r.b.node(name, "Pow", {x, e});
    r.b.g.values[y].dtype = ir::DataType::Float32;
    r.b.g.values[y].shape = ir::Shape::fromValues(kDims);
    r.b.output(y);
    r.exponents.push_back(expect);
  };
  const double nan = std::nan("");
  const std::pair<const char*, double> recipes[] = {{"pow_20", 2.0},  {"pow_30", 3.0},   {"pow_40", 4.0},
                                                    {"pow_05", 0.5},  {"pow_m05", -0.5}, {"pow_m10", -1.0},
                                                    {"pow_m20", -2.0}};
  for (const auto& [name, e] : recipes) {
    std::string constName(name);
    constName += "_e";
    add(name, r.b.floats(constName, {static_cast<float>(e)}, {}), e);
  }
  add("pow_rank1", r.b.floats("e2r1", {2.0f}, {1}), 2.0);                // [1] against rank 3: same shape
  add("pow_other", r.b.floats("e25", {2.5f}, {}), nan);                  // no recipe
  add("pow_widen", r.b.floats("e2r4", {2.0f}, {1, 1, 1, 1}), nan);       // would broadcast x to rank 4
  add("pow_int", r.b.ints("e2i", {2}, {}), nan);                         // integer exponent: kept
  add("pow_vec", r.b.floats("e2v", {2.0f, 2.0f, 2.0f, 2.0f}, {4}), nan); // not one element
  return r;
}

} // namespace

class TestReducePow : public QObject {
  Q_OBJECT

private slots:
  void rewritesConstantExponents() {
    auto r = build();
    PassContext ctx;
    ctx.opset = 13;
    QVERIFY(*passes::reducePow(r.b.g, ctx));
    QCOMPARE(r.b.count("Pow"), 4);
    QCOMPARE(r.b.count("Sqrt"), 2);                // 0.5, -0.5
    QCOMPARE(r.b.count("Reciprocal"), 3);          // -0.5, -1, -2
    QCOMPARE(r.b.count("Mul"), 1 + 2 + 2 + 1 + 1); // 2, 3, 4, -2, [1]-shaped 2
    QCOMPARE(ctx.counters["pow-square"], int64_t{2});
    QCOMPARE(ctx.counters["pow-rsqrt"], int64_t{1});
    QVERIFY(ir::verify(r.b.g).has_value());
    // Outputs keep their names and stay in order; producers come before readers.
    QCOMPARE(r.b.g.values[r.b.g.outputs[0]].name, std::string("pow_20_out0"));
    QVERIFY(r.b.g.topoOrder().has_value());
    auto order = *r.b.g.topoOrder();
    for (std::size_t i = 0; i < order.size(); ++i)
      QCOMPARE(order[i], static_cast<ir::NodeId>(i));
    // A second run finds nothing.
    QVERIFY(!*passes::reducePow(r.b.g, ctx));
  }

  void valuesMatchPow() {
    auto r = build();
    PassContext ctx;
    ctx.opset = 13;
    QVERIFY(*passes::reducePow(r.b.g, ctx));
    // Make x a constant and let fold-constants evaluate every output.
    const auto x = r.b.g.inputs[0];
    r.b.g.values[x].constant = ir::Tensor::fromVector<float>(r.x, kDims);
    r.b.g.inputs.clear();
    // Graph outputs are never folded: read each result through a Neg that becomes the output.
    const auto results = r.b.g.outputs;
    r.b.g.outputs.clear();
    for (auto y : results)
      r.b.output(r.b.node(r.b.g.values[y].name + "_neg", "Neg", {y}));
    QVERIFY(*passes::foldConstants(r.b.g, ctx));
    for (std::size_t k = 0; k < r.exponents.size(); ++k) {
      if (std::isnan(r.exponents[k])) continue;
      // Value ids are renumbered by the fold: find the result as the input of the output's Neg.
      const auto neg = r.b.g.values[r.b.g.outputs[k]].producer;
      QVERIFY(neg != ir::kNone);
      const auto& v = r.b.g.values[r.b.g.nodes[neg].inputs[0]];
      const auto* c = v.constant ? &*v.constant : nullptr;
      QVERIFY2(c, qPrintable(QString("output %1 not folded").arg(k)));
      const auto got = c->toVector<float>();
      QCOMPARE(got.size(), r.x.size());
      for (std::size_t i = 0; i < got.size(); ++i) {
        const double want = std::pow(static_cast<double>(r.x[i]), r.exponents[k]);
        QVERIFY2(std::abs(got[i] - want) <= 3e-7 * std::abs(want),
                 qPrintable(QString("x=%1 ^ %2: %3 vs %4").arg(r.x[i]).arg(r.exponents[k]).arg(got[i]).arg(want)));
      }
    }
  }

  void inPerGearPipeline() {
    // The pass is part of the per-gear pipeline, after the shapes are known.
    bool found = false;
    for (const auto& step : perGearPipeline().steps)
      for (auto name : step.passes)
        found = found || name == "reduce-pow";
    QVERIFY(found);
    QVERIFY(findPass("reduce-pow") != nullptr);
  }
};

std::unique_ptr<QObject> makeReducePowTests() { return std::make_unique<TestReducePow>(); }

#include "test_reduce_pow.moc"
