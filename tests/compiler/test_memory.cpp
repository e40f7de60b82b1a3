// The arena planner over allocation traces: hand-made lifetimes with known optimal answers, random
// traces (no two live buffers overlap, arena >= lower bound), and graph lifetimes.
#include <QtTest>

#include <random>

#include "core/compiler/memory/allocator.h"
#include "core/compiler/memory/graph_plan.h"
#include "tests/compiler/graph_builder.h"

using namespace gs;
using namespace gs::compiler::memory;

class TestMemory : public QObject {
  Q_OBJECT

private slots:
  void alignment() {
    QCOMPARE(alignUp(0), uint64_t{0});
    QCOMPARE(alignUp(1), uint64_t{64});
    QCOMPARE(alignUp(64), uint64_t{64});
    QCOMPARE(alignUp(65), uint64_t{128});
  }

  void chainReusesMemory() {
    // a -> b -> c -> d, each read only by the next: two buffers suffice at every step.
    const std::vector<BufferRequest> trace = {{0, 1, 1024}, {1, 2, 1024}, {2, 3, 1024}, {3, 4, 1024}};
    const auto plan = planArena(trace);
    QVERIFY(checkPlan(trace, plan).has_value());
    QCOMPARE(plan.lowerBoundBytes, uint64_t{2048});
    QCOMPARE(plan.arenaBytes, uint64_t{2048});
    QCOMPARE(plan.offsets[0], plan.offsets[2]); // a's memory is reused by c
  }

  void knownOptimalMixedSizes() {
    // Step 0: A(512) B(256); step 1: B C(256); step 2: C D(512). Optimal = 768 = lower bound:
    // A and D share one 512 block, B and C the other 256.
    const std::vector<BufferRequest> trace = {{0, 0, 512}, {0, 1, 256}, {1, 2, 256}, {2, 2, 512}};
    const auto plan = planArena(trace);
    QVERIFY(checkPlan(trace, plan).has_value());
    QCOMPARE(plan.lowerBoundBytes, uint64_t{768});
    QCOMPARE(plan.arenaBytes, uint64_t{768});
  }

  void bestFitPicksSmallestGap() {
    // Two long-lived buffers leave a 128-byte gap and a 512-byte gap; a 128-byte buffer must take
    // the small one so that the 512 one stays free for the later 512-byte buffer.
    const std::vector<BufferRequest> trace = {
        {0, 9, 1024}, // X at 0
        {0, 0, 128},  // short, makes a gap at [1024, 1152)
        {0, 9, 256},  // Y
        {0, 0, 512},  // short, makes a gap
        {0, 9, 64},   // Z
        {5, 6, 128},  // should go to the 128 gap
        {5, 6, 512},  // should go to the 512 gap
    };
    const auto plan = planArena(trace);
    QVERIFY(checkPlan(trace, plan).has_value());
    QCOMPARE(plan.arenaBytes, plan.lowerBoundBytes);
  }

  void zeroSizedBuffersTakeNoSpace() {
    const std::vector<BufferRequest> trace = {{0, 3, 0}, {0, 3, 64}, {1, 2, 0}};
    const auto plan = planArena(trace);
    QVERIFY(checkPlan(trace, plan).has_value());
    QCOMPARE(plan.arenaBytes, uint64_t{64});
  }

  void checkPlanFindsOverlap() {
    const std::vector<BufferRequest> trace = {{0, 2, 128}, {1, 3, 128}};
    ArenaPlan bad;
    bad.offsets = {0, 64};
    bad.arenaBytes = 192;
    QVERIFY(!checkPlan(trace, bad));
    bad.offsets = {0, 128};
    bad.arenaBytes = 256;
    QVERIFY(checkPlan(trace, bad).has_value());
  }

  void randomTracesAreValid() {
    std::mt19937 rng(1234);
    double worst = 1.0;
    for (int trial = 0; trial < 300; ++trial) {
      const int steps = 5 + static_cast<int>(rng() % 60);
      const int count = 1 + static_cast<int>(rng() % 80);
      std::vector<BufferRequest> trace;
      for (int i = 0; i < count; ++i) {
        const int64_t first = rng() % steps;
        const int64_t len = (rng() % 4 == 0) ? rng() % steps : rng() % 4; // mostly short, some long
        trace.push_back({first, std::min<int64_t>(steps - 1, first + len), alignUp(1 + rng() % 100000)});
      }
      for (const auto& plan :
           {planGreedyBySize(trace), planGreedyByStart(trace), planGreedyByBreadth(trace), planArena(trace)}) {
        const auto s = checkPlan(trace, plan);
        QVERIFY2(s.has_value(), s ? "" : s.error().message.c_str());
        QVERIFY(plan.arenaBytes >= plan.lowerBoundBytes);
      }
      const auto best = planArena(trace);
      uint64_t total = 0;
      for (const auto& r : trace)
        total += r.bytes;
      QVERIFY(best.arenaBytes <= total);
      worst = std::max(worst, static_cast<double>(best.arenaBytes) / static_cast<double>(best.lowerBoundBytes));
    }
    qInfo("worst arena / lower bound over random traces: %.3f", worst);
  }

  void graphLifetimes() {
    // x -> Relu -> a -> Sigmoid -> b(out); x is live from step 0; b to the end; NonZero's output,
    // whose shape is data dependent, stays out of the arena.
    test::GraphBuilder gb;
    const auto x = gb.input("x", std::vector<int64_t>{1, 100});
    const auto a = gb.node("relu", "Relu", {x});
    const auto b = gb.node("sig", "Sigmoid", {a});
    const auto nz = gb.node("nz", "NonZero", {a});
    const auto c = gb.node("tanh", "Tanh", {a});
    gb.output(b);
    gb.output(c);
    gb.output(nz);
    for (auto v : {a, b, c}) {
      gb.g.values[v].dtype = ir::DataType::Float32;
      gb.g.values[v].shape = ir::Shape::fromValues({1, 100});
    }
    gb.g.values[nz].dtype = ir::DataType::Int64;
    gb.g.values[nz].shape = ir::Shape({ir::Dim::known(2), ir::Dim::symbolic("nnz")});
    auto plan = planGraphMemory(gb.g);
    QVERIFY(plan.has_value());
    QCOMPARE(plan->offsets[nz], int64_t{-1});
    QCOMPARE(plan->dataDependent, int64_t{1});
    QCOMPARE(plan->planned, int64_t{4});
    // 400 bytes -> 448 aligned. x is read only by relu (step 0), then a, b, c live together at step 3.
    QCOMPARE(plan->lowerBoundBytes, uint64_t{3 * 448});
    QVERIFY(plan->arenaBytes <= 4 * 448);
    for (auto v : {x, a, b, c})
      QVERIFY(plan->offsets[v] >= 0 && plan->offsets[v] % 64 == 0);
    QVERIFY(plan->offsets[a] != plan->offsets[b]);
  }
};

std::unique_ptr<QObject> makeMemoryTests() { return std::make_unique<TestMemory>(); }

#include "test_memory.moc"
