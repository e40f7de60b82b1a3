// The compiler on 16-bit float graphs: fold-cast-pairs drops a Cast pair only where the result is
// unchanged (float16 -> float32 -> float16 is the identity, float32 -> float16 -> float32 rounds),
// and the exactness table it relies on.
#include <QtTest>

#include <memory>

#include "core/compiler/passes/dead_code.h"
#include "core/compiler/passes/eliminate_identity.h"
#include "core/compiler/passes/fold_cast_pairs.h"
#include "tests/compiler/graph_builder.h"

using namespace gs;
using namespace gs::compiler;
using gs::test::GraphBuilder;
using ir::Attribute;
using ir::DataType;

namespace {

PassContext context() {
  PassContext c;
  c.opset = 17;
  return c;
}

// x (type a) -> Cast(to b) -> Cast(to c) -> Relu -> graph output; returns the builder.
GraphBuilder castPair(DataType a, DataType b, DataType c) {
  GraphBuilder g;
  const auto x = g.input("x", {ir::Dim::known(4)}, a);
  const auto m = g.node("c1", "Cast", {x}, GraphBuilder::attrs({{"to", Attribute::ofInt(static_cast<int64_t>(b))}}));
  g.g.values[m].dtype = b;
  const auto y = g.node("c2", "Cast", {m}, GraphBuilder::attrs({{"to", Attribute::ofInt(static_cast<int64_t>(c))}}));
  g.g.values[y].dtype = c;
  const auto r = g.node("relu", "Relu", {y});
  g.g.values[r].dtype = c;
  g.output(r);
  return g;
}

// fold-cast-pairs, then eliminate-identity and dead-code as the pipeline runs them.
bool simplify(GraphBuilder& b, PassContext& ctx) {
  const bool folded = *passes::foldCastPairs(b.g, ctx);
  (void)*passes::eliminateIdentity(b.g, ctx);
  (void)*passes::deadCode(b.g, ctx);
  return folded;
}

} // namespace

class HalfPassTests : public QObject {
  Q_OBJECT

private slots:
  void exactCastTable() {
    QVERIFY(passes::castIsExact(DataType::Float16, DataType::Float32));
    QVERIFY(passes::castIsExact(DataType::BFloat16, DataType::Float32));
    QVERIFY(passes::castIsExact(DataType::Float16, DataType::Float64));
    QVERIFY(passes::castIsExact(DataType::Float32, DataType::Float64));
    QVERIFY(!passes::castIsExact(DataType::Float32, DataType::Float16));
    QVERIFY(!passes::castIsExact(DataType::Float32, DataType::BFloat16));
    QVERIFY(!passes::castIsExact(DataType::Float16, DataType::BFloat16)); // range
    QVERIFY(!passes::castIsExact(DataType::BFloat16, DataType::Float16)); // range and precision
    QVERIFY(!passes::castIsExact(DataType::Float64, DataType::Float32));
    QVERIFY(passes::castIsExact(DataType::Int8, DataType::Float16));
    QVERIFY(passes::castIsExact(DataType::UInt8, DataType::BFloat16));
    QVERIFY(!passes::castIsExact(DataType::Int16, DataType::Float16));
    QVERIFY(passes::castIsExact(DataType::Int16, DataType::Float32));
    QVERIFY(!passes::castIsExact(DataType::Int32, DataType::Float32));
    QVERIFY(passes::castIsExact(DataType::Int32, DataType::Float64));
    QVERIFY(!passes::castIsExact(DataType::Int64, DataType::Float64));
    QVERIFY(passes::castIsExact(DataType::Int8, DataType::Int64));
    QVERIFY(passes::castIsExact(DataType::UInt32, DataType::Int64));
    QVERIFY(!passes::castIsExact(DataType::Int8, DataType::UInt64)); // negative values
    QVERIFY(!passes::castIsExact(DataType::UInt8, DataType::Int8));
    QVERIFY(passes::castIsExact(DataType::Bool, DataType::Float16));
    QVERIFY(!passes::castIsExact(DataType::Int32, DataType::Bool));
    QVERIFY(!passes::castIsExact(DataType::Float32, DataType::Int64));
  }

  void halfRoundTripIsDropped() {
    for (DataType h : {DataType::Float16, DataType::BFloat16}) {
      auto b = castPair(h, DataType::Float32, h);
      auto ctx = context();
      QVERIFY(simplify(b, ctx));
      QCOMPARE(b.count("Cast"), 0);
      QVERIFY(ir::verify(b.g).has_value());
    }
  }

  void roundingPairIsKept() {
    // float32 -> float16 -> float32 rounds to float16: not the identity, both Casts stay.
    for (auto [a, m] :
         {std::pair{DataType::Float32, DataType::Float16}, std::pair{DataType::Float32, DataType::BFloat16},
          std::pair{DataType::Float16, DataType::BFloat16}, std::pair{DataType::Float64, DataType::Float32},
          std::pair{DataType::Float32, DataType::Int32}}) {
      auto b = castPair(a, m, a);
      auto ctx = context();
      QVERIFY(!simplify(b, ctx));
      QCOMPARE(b.count("Cast"), 2);
    }
  }

  void exactFirstCastIsShortened() {
    // float16 -> float32 -> float64 is float16 -> float64; the float32 value has another reader,
    // so its Cast stays.
    GraphBuilder b;
    const auto x = b.input("x", {ir::Dim::known(4)}, DataType::Float16);
    const auto m = b.node("c1", "Cast", {x}, GraphBuilder::attrs({{"to", Attribute::ofInt(1)}}));
    b.g.values[m].dtype = DataType::Float32;
    const auto y = b.node("c2", "Cast", {m}, GraphBuilder::attrs({{"to", Attribute::ofInt(11)}}));
    b.g.values[y].dtype = DataType::Float64;
    const auto r = b.node("relu", "Relu", {m});
    b.g.values[r].dtype = DataType::Float32;
    b.output(y);
    b.output(r);
    auto ctx = context();
    QVERIFY(simplify(b, ctx));
    QCOMPARE(b.count("Cast"), 2);
    QCOMPARE(ctx.counters["shortened"], int64_t{1});
    const auto& c2 = b.g.nodes.at(static_cast<std::size_t>(b.g.values[y].producer));
    QCOMPARE(c2.inputs[0], x);
    QVERIFY(ir::verify(b.g).has_value());
  }

  void castWithSaturateIsLeftAlone() {
    auto b = castPair(DataType::Float16, DataType::Float32, DataType::Float16);
    b.g.nodes[1].attrs.set("saturate", Attribute::ofInt(0));
    auto ctx = context();
    QVERIFY(!*passes::foldCastPairs(b.g, ctx));
  }
};

std::unique_ptr<QObject> makeHalfPassTests() { return std::make_unique<HalfPassTests>(); }

#include "test_half_passes.moc"
