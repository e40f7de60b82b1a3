// Runtime tests: .npy I/O, the pool allocator, latency statistics, gear selection, static execution
// without run-path allocation, dynamic islands, dynamic-shape mode with ranges, and If/Loop/Scan.
// Models are built in code with hand-made memory plans (tests/runtime/graph_fixtures.h).
#include <QtTest>

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <new>

#include "core/runtime/arena.h"
#include "core/runtime/npy.h"
#include "core/runtime/profiler.h"
#include "core/runtime/session.h"
#include "graph_fixtures.h"

// Counts every operator new in this process, to prove a static run allocates nothing.
static std::atomic<long> g_newCount{0};
void* operator new(std::size_t n) {
  g_newCount.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

using namespace gs;
using runtime::HostTensor;

namespace {

HostTensor ramp(std::vector<int64_t> dims, float start, float step) {
  HostTensor t(ir::DataType::Float32, std::move(dims));
  for (int64_t i = 0; i < t.numel(); ++i)
    t.as<float>()[i] = start + step * static_cast<float>(i);
  return t;
}

const std::vector<float> kBias{0.5f, -1.0f, 2.0f, 0.0f};

// y = Relu(x) + bias, x: [batch, 4] (batch < 0: symbolic "N").
ir::Graph reluAddGraph(int64_t batch) {
  ir::Graph g;
  const ir::Shape s = batch > 0 ? test::shapeOf({batch, 4}) : ir::Shape({ir::Dim::symbolic("N"), ir::Dim::known(4)});
  const auto x = g.addValue("x", ir::DataType::Float32, s);
  const auto c = g.addConstant("bias", ir::Tensor::fromVector(kBias, {4}));
  const auto r = g.addValue("r", ir::DataType::Float32, s);
  const auto y = g.addValue("y", ir::DataType::Float32, s);
  g.inputs = {x};
  test::addNode(g, "Relu", {x}, {r});
  test::addNode(g, "Add", {r, c}, {y});
  g.outputs = {y};
  return g;
}

void checkReluAdd(const HostTensor& x, const HostTensor& y) {
  QCOMPARE(y.dims(), x.dims());
  for (int64_t i = 0; i < x.numel(); ++i)
    QCOMPARE(y.as<float>()[i], std::max(x.as<float>()[i], 0.0f) + kBias[static_cast<std::size_t>(i % 4)]);
}

std::shared_ptr<om::Model> threeGearModel() {
  std::vector<om::GearPlan> gears;
  for (int b = 1; b <= 3; ++b)
    gears.push_back(test::planGear(reluAddGraph(b), b - 1));
  return test::modelOf(std::move(gears));
}

std::unique_ptr<runtime::Session> sessionOf(std::shared_ptr<const om::Model> m, int threads = 1) {
  auto s = runtime::Session::create(std::move(m), runtime::SessionOptions{"cpu", threads});
  if (!s) qWarning("%s", s.error().str().c_str());
  return s ? std::move(*s) : nullptr;
}

std::string npyWithHeader(const std::string& dict, std::size_t dataBytes, int version = 1) {
  std::string out("\x93NUMPY", 6);
  out.push_back(static_cast<char>(version));
  out.push_back(0);
  const std::size_t len = dict.size();
  out.push_back(static_cast<char>(len & 0xff));
  out.push_back(static_cast<char>((len >> 8) & 0xff));
  if (version >= 2) {
    out.push_back(static_cast<char>((len >> 16) & 0xff));
    out.push_back(static_cast<char>((len >> 24) & 0xff));
  }
  return out + dict + std::string(dataBytes, '\0');
}

} // namespace

class TestRuntime : public QObject {
  Q_OBJECT

private slots:
  void npyRoundTrip() {
    for (auto dt : {ir::DataType::Float32, ir::DataType::Float64, ir::DataType::Int64, ir::DataType::Int32,
                    ir::DataType::Int8, ir::DataType::UInt8, ir::DataType::Bool}) {
      for (const std::vector<int64_t>& dims : {std::vector<int64_t>{}, {5}, {2, 3, 4}, {0, 3}}) {
        HostTensor t(dt, dims);
        auto* b = static_cast<unsigned char*>(t.data());
        for (std::size_t i = 0; i < t.byteSize(); ++i)
          b[i] = dt == ir::DataType::Bool ? static_cast<unsigned char>(i % 2) : static_cast<unsigned char>(i * 7 + 1);
        auto bytes = runtime::npy::toBytes(t);
        QVERIFY(bytes);
        QCOMPARE((10 + static_cast<std::size_t>(static_cast<unsigned char>((*bytes)[8]))) % 64, std::size_t{0});
        auto back = runtime::npy::fromBytes(*bytes);
        QVERIFY2(back, back ? "" : back.error().str().c_str());
        QCOMPARE(back->dtype(), dt);
        QCOMPARE(back->dims(), dims);
        QVERIFY(std::memcmp(back->data(), t.data(), t.byteSize()) == 0);
      }
    }
    // Through a file, and a version-2 header written by hand.
    const QString path = QDir::temp().filePath("gs_rt_test.npy");
    auto t = ramp({3, 2}, -1.0f, 0.25f);
    QVERIFY(runtime::npy::write(path.toStdString(), t));
    auto r = runtime::npy::read(path.toStdString());
    QVERIFY(r);
    QVERIFY(std::memcmp(r->data(), t.data(), t.byteSize()) == 0);
    QFile::remove(path);
    auto v2 =
        runtime::npy::fromBytes(npyWithHeader("{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }\n", 16, 2));
    QVERIFY2(v2, v2 ? "" : v2.error().str().c_str());
    QCOMPARE(v2->dims(), (std::vector<int64_t>{2}));
    QCOMPARE(runtime::npy::fileStem("a/b:0"), std::string("a_b_0"));
  }

  void npyHostileHeaders() {
    const std::vector<std::string> bad = {
        std::string("\x93NUMPZ\x01\x00", 8),                                            // magic
        std::string("\x93NUMPY\x01\x00\xff\xff", 10),                                   // header past end
        std::string("\x93NUMPY\x09\x00\x00\x00", 10),                                   // version
        npyWithHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }", 8),  // data short
        npyWithHeader("{'descr': '<f4', 'fortran_order': True, 'shape': (2,), }", 8),   // Fortran
        npyWithHeader("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", 8),  // big-endian
        npyWithHeader("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", 8),  // complex
        npyWithHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }", 8), // negative dim
        npyWithHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296, 4294967296), }",
                      8), // overflow
        npyWithHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,), }", 8),
        npyWithHeader("{'descr': '<f4', 'fortran_order': False}", 8),                        // no shape
        npyWithHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 1}", 8), // unknown key
        npyWithHeader("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,)}", 8),
        npyWithHeader("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,)}", 8), // structured
        npyWithHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (2,)} trailing", 8),
        npyWithHeader("{'descr': '<f4\0', 'fortran_order': False, 'shape': (2,)}", 8),
        npyWithHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (2,", 8), // unclosed
        std::string("\x93NUMPY\x02\x00\xff\xff\xff\x7f", 12),                      // 2 GiB header
        std::string(),
    };
    for (std::size_t i = 0; i < bad.size(); ++i) {
      auto r = runtime::npy::fromBytes(bad[i]);
      QVERIFY2(!r, ("hostile header " + std::to_string(i) + " was accepted").c_str());
      QVERIFY(!r.error().message.empty());
    }
  }

  void poolReusesBlocks() {
    runtime::PoolAllocator pool;
    auto* a = pool.allocate(1000);
    auto* b = pool.allocate(1000);
    QVERIFY(a != b);
    pool.release(a, 1000);
    QCOMPARE(pool.allocate(900), a); // same size class, reused
    const auto reserved = pool.reservedBytes();
    pool.release(a, 900);
    pool.release(b, 1000);
    for (int i = 0; i < 10; ++i)
      pool.release(pool.allocate(1000), 1000);
    QCOMPARE(pool.reservedBytes(), reserved);
    QCOMPARE(pool.inUseBytes(), std::size_t{0});
    for (std::size_t n : {1ul, 64ul, 65ul, 100ul, 1000ul, 4096ul, 5000ul, 1ul << 20}) {
      QVERIFY(runtime::PoolAllocator::classBytes(n) >= n);
      QVERIFY(runtime::PoolAllocator::classBytes(n) <= std::max<std::size_t>(64, n + n / 2));
    }
  }

  void latencyStatistics() {
    std::vector<double> v;
    for (int i = 100; i >= 1; --i)
      v.push_back(i);
    const auto s = runtime::latencyStats(v);
    QCOMPARE(s.count, std::size_t{100});
    QCOMPARE(s.min, 1.0);
    QCOMPARE(s.max, 100.0);
    QCOMPARE(s.mean, 50.5);
    QCOMPARE(s.median, 50.5);
    QVERIFY(std::abs(s.p90 - 90.1) < 1e-9); // numpy.percentile(range(1,101), 90)
    QVERIFY(s.p95 > s.p90 && s.p99 > s.p95 && s.p99 < s.max);
    QVERIFY(runtime::peakResidentBytes() > 0);
  }

  void gearSelection() {
    auto s = sessionOf(threeGearModel());
    QVERIFY(s);
    QCOMPARE(s->gearCount(), 3);
    QCOMPARE(s->largestGear(), 2);
    for (int b = 1; b <= 3; ++b) {
      auto x = ramp({b, 4}, -3.0f, 0.5f);
      auto r = s->run(std::span(&x, 1));
      QVERIFY2(r, r ? "" : r.error().str().c_str());
      QCOMPARE(r->gear, b - 1);
      QCOMPARE(r->outputs.size(), std::size_t{1});
      checkReluAdd(x, r->outputs[0]);
    }
    // By index.
    auto x2 = ramp({2, 4}, 1.0f, -0.3f);
    auto r = s->run(std::span(&x2, 1), runtime::RunOptions{1, false});
    QVERIFY(r);
    QCOMPARE(r->gear, 1);
    checkReluAdd(x2, r->outputs[0]);
    // Index that disagrees with the shapes.
    r = s->run(std::span(&x2, 1), runtime::RunOptions{0, false});
    QVERIFY(!r);
    QCOMPARE(r.error().code, std::string(codes::kRuntime));
    // No gear matches: the error lists every gear.
    auto x5 = ramp({5, 4}, 0, 1);
    r = s->run(std::span(&x5, 1));
    QVERIFY(!r);
    QCOMPARE(r.error().code, std::string(codes::kRuntime));
    for (const char* g : {"gear 0: x:1,4", "gear 1: x:2,4", "gear 2: x:3,4", "x:5,4"})
      QVERIFY2(r.error().message.find(g) != std::string::npos, r.error().message.c_str());
    // Wrong dtype.
    HostTensor xi(ir::DataType::Int64, {1, 4});
    QVERIFY(!s->run(std::span(&xi, 1)));
    // matchGear directly.
    std::vector<std::vector<int64_t>> dims{{3, 4}};
    QCOMPARE(*s->matchGear(dims), 2);
    // Unknown device.
    auto bad = runtime::Session::create(threeGearModel(), runtime::SessionOptions{"npu", 1});
    QVERIFY(!bad);
    QVERIFY(bad.error().message.find("cpu") != std::string::npos);
  }

  void staticRunAllocatesNothing() {
    auto s = sessionOf(threeGearModel());
    QVERIFY(s);
    auto x = ramp({3, 4}, -2.0f, 0.4f);
    runtime::RunResult result;
    for (int i = 0; i < 3; ++i)
      QVERIFY(s->run(std::span(&x, 1), result));
    const long newsBefore = g_newCount.load();
    const auto alignedBefore = runtime::alignedAllocCount();
    bool allOk = true;
    for (int i = 0; i < 20; ++i)
      allOk = s->run(std::span(&x, 1), result).has_value() && allOk;
    const long news = g_newCount.load() - newsBefore;
    const auto aligned = runtime::alignedAllocCount() - alignedBefore;
    QVERIFY(allOk);
    QCOMPARE(aligned, uint64_t{0});
    QCOMPARE(news, 0L);
    // The counters do see allocations: fresh outputs and a profile (names copied per node) allocate.
    runtime::RunResult fresh;
    QVERIFY(s->run(std::span(&x, 1), fresh, runtime::RunOptions{-1, true}));
    QVERIFY(runtime::alignedAllocCount() > alignedBefore);
    QVERIFY(g_newCount.load() > newsBefore);
    checkReluAdd(x, result.outputs[0]);
    const auto mem = s->memory();
    QVERIFY(mem.arenaBytes >= s->model().gears[2].arenaBytes);
    QCOMPARE(mem.constantBytes, s->model().weightBytes);
  }

  void profileHasEveryNode() {
    auto s = sessionOf(threeGearModel());
    QVERIFY(s);
    auto x = ramp({1, 4}, -2.0f, 1.0f);
    auto r = s->run(std::span(&x, 1), runtime::RunOptions{-1, true});
    QVERIFY(r);
    QCOMPARE(r->opTimes.size(), std::size_t{2});
    QCOMPARE(r->opTimes[0].opType, std::string("Relu"));
    QCOMPARE(r->opTimes[1].opType, std::string("Add"));
    runtime::OpProfiler prof;
    prof.add(r->opTimes);
    prof.add(r->opTimes);
    double share = 0;
    for (const auto& n : prof.byNode())
      share += n.share;
    QVERIFY(std::abs(share - 100.0) < 1e-6 || share == 0);
  }

  void dynamicIslandInStaticGear() {
    // nz = NonZero(x) has a data-dependent shape; shp = Shape(nz) is static again.
    ir::Graph g;
    const auto x = g.addValue("x", ir::DataType::Float32, test::shapeOf({6}));
    const auto nz = g.addValue("nz", ir::DataType::Int64, ir::Shape({ir::Dim::known(1), ir::Dim::symbolic("nnz")}));
    const auto shp = g.addValue("shp", ir::DataType::Int64, test::shapeOf({2}));
    g.inputs = {x};
    test::addNode(g, "NonZero", {x}, {nz});
    test::addNode(g, "Shape", {nz}, {shp});
    g.outputs = {nz, shp};
    auto s = sessionOf(test::modelOf({test::planGear(std::move(g), 0)}));
    QVERIFY(s);
    for (int round = 0; round < 2; ++round) {
      HostTensor in(ir::DataType::Float32, {6});
      std::vector<int64_t> expect;
      for (int i = 0; i < 6; ++i) {
        const bool on = (i + round) % 3 != 0;
        in.as<float>()[i] = on ? 1.5f : 0.0f;
        if (on) expect.push_back(i);
      }
      auto r = s->run(std::span(&in, 1));
      QVERIFY2(r, r ? "" : r.error().str().c_str());
      QCOMPARE(r->outputs[0].dims(), (std::vector<int64_t>{1, static_cast<int64_t>(expect.size())}));
      for (std::size_t i = 0; i < expect.size(); ++i)
        QCOMPARE(r->outputs[0].as<int64_t>()[i], expect[i]);
      QCOMPARE(r->outputs[1].as<int64_t>()[0], int64_t{1});
      QCOMPARE(r->outputs[1].as<int64_t>()[1], static_cast<int64_t>(expect.size()));
    }
  }

  void dynamicShapeMode() {
    auto m = std::make_shared<om::Model>();
    m->meta.opset = 17;
    m->meta.strategy = Strategy::DynamicShape;
    om::DynamicModel dyn;
    dyn.graph = reluAddGraph(-1);
    // z = Reshape(y, Shape(x)): the shape operand is a run-time tensor.
    auto& g = dyn.graph;
    const auto sx = g.addValue("sx", ir::DataType::Int64, test::shapeOf({2}));
    const auto z = g.addValue("z", ir::DataType::Float32, ir::Shape({ir::Dim::symbolic("N"), ir::Dim::known(4)}));
    test::addNode(g, "Shape", {g.inputs[0]}, {sx});
    test::addNode(g, "Reshape", {g.outputs[0], sx}, {z});
    g.outputs.push_back(z);
    dyn.ranges.push_back(om::InputRange{"x", ir::DataType::Float32, {om::DimRange{1, 8}, om::DimRange{4, 4}}});
    m->dynamic = std::move(dyn);
    auto s = sessionOf(m);
    QVERIFY(s);
    QVERIFY(s->isDynamic());
    for (int n : {3, 8, 1, 3}) {
      auto x = ramp({n, 4}, -4.0f, 0.7f);
      auto r = s->run(std::span(&x, 1));
      QVERIFY2(r, r ? "" : r.error().str().c_str());
      checkReluAdd(x, r->outputs[0]);
      checkReluAdd(x, r->outputs[1]);
    }
    const auto reservedAfter = s->memory().dynamicBytes;
    auto x3 = ramp({3, 4}, 0, 1);
    QVERIFY(s->run(std::span(&x3, 1)));
    QCOMPARE(s->memory().dynamicBytes, reservedAfter); // blocks reused
    // Outside the range: the error names the input, the dim and the range.
    auto x9 = ramp({9, 4}, 0, 1);
    auto r = s->run(std::span(&x9, 1));
    QVERIFY(!r);
    QCOMPARE(r.error().code, std::string(codes::kRuntime));
    for (const char* part : {"'x'", "dim 0", "9", "[1~8]"})
      QVERIFY2(r.error().message.find(part) != std::string::npos, r.error().message.c_str());
    auto x35 = ramp({3, 5}, 0, 1);
    QVERIFY(!s->run(std::span(&x35, 1)));
  }

  void ifThenElse() {
    ir::Graph g;
    const auto cond = g.addValue("cond", ir::DataType::Bool, test::shapeOf({}));
    const auto x = g.addValue("x", ir::DataType::Float32, test::shapeOf({3}));
    const auto y = g.addValue("y", ir::DataType::Float32, test::shapeOf({3}));
    g.inputs = {cond, x};
    auto branch = [](const std::string& op) {
      auto b = std::make_shared<ir::Graph>();
      b->name = op + "_branch";
      const auto xo = b->addValue("x", ir::DataType::Float32, test::shapeOf({3}));
      b->values[static_cast<std::size_t>(xo)].outerScope = true;
      const auto o = b->addValue(op + "_out", ir::DataType::Float32, test::shapeOf({3}));
      test::addNode(*b, op, {xo, xo}, {o});
      b->outputs = {o};
      return b;
    };
    ir::Attributes a;
    a.set("then_branch", ir::Attribute::ofGraph(branch("Add")));
    a.set("else_branch", ir::Attribute::ofGraph(branch("Mul")));
    test::addNode(g, "If", {cond}, {y}, a); // the branches read x from the outer scope
    g.outputs = {y};
    auto s = sessionOf(test::modelOf({test::planGear(std::move(g), 0)}));
    QVERIFY(s);
    for (bool c : {true, false, true}) {
      std::vector<HostTensor> in;
      in.emplace_back(ir::DataType::Bool, std::vector<int64_t>{});
      *in[0].as<uint8_t>() = c ? 1 : 0;
      in.push_back(ramp({3}, -1.0f, 1.5f));
      auto r = s->run(in);
      QVERIFY2(r, r ? "" : r.error().str().c_str());
      for (int i = 0; i < 3; ++i) {
        const float v = in[1].as<float>()[i];
        QCOMPARE(r->outputs[0].as<float>()[i], c ? v + v : v * v);
      }
    }
  }

  void loopWithScanOutputs() {
    ir::Graph g;
    const auto m = g.addValue("M", ir::DataType::Int64, test::shapeOf({}));
    const auto v0 = g.addValue("v0", ir::DataType::Float32, test::shapeOf({2}));
    const auto x = g.addValue("x", ir::DataType::Float32, test::shapeOf({2}));
    const auto vf = g.addValue("v_final", ir::DataType::Float32, test::shapeOf({2}));
    const auto sc = g.addValue("scans", ir::DataType::Float32, ir::Shape({ir::Dim::symbolic("T"), ir::Dim::known(2)}));
    g.inputs = {m, v0, x};
    auto body = std::make_shared<ir::Graph>();
    body->name = "loop_body";
    const auto it = body->addValue("iter", ir::DataType::Int64, test::shapeOf({}));
    const auto ci = body->addValue("cond_in", ir::DataType::Bool, test::shapeOf({}));
    const auto vi = body->addValue("v_in", ir::DataType::Float32, test::shapeOf({2}));
    const auto xo = body->addValue("x", ir::DataType::Float32, test::shapeOf({2}));
    body->values[static_cast<std::size_t>(xo)].outerScope = true;
    const auto co = body->addValue("cond_out", ir::DataType::Bool, test::shapeOf({}));
    const auto vo = body->addValue("v_out", ir::DataType::Float32, test::shapeOf({2}));
    const auto so = body->addValue("sq", ir::DataType::Float32, test::shapeOf({2}));
    body->inputs = {it, ci, vi};
    test::addNode(*body, "Identity", {ci}, {co});
    test::addNode(*body, "Add", {vi, xo}, {vo});
    test::addNode(*body, "Mul", {vo, vo}, {so});
    body->outputs = {co, vo, so};
    ir::Attributes a;
    a.set("body", ir::Attribute::ofGraph(body));
    test::addNode(g, "Loop", {m, ir::kNone, v0}, {vf, sc}, a);
    g.outputs = {vf, sc};
    auto s = sessionOf(test::modelOf({test::planGear(std::move(g), 0)}));
    QVERIFY(s);
    for (int64_t trips : {3, 0, 5}) {
      std::vector<HostTensor> in;
      in.emplace_back(ir::DataType::Int64, std::vector<int64_t>{});
      *in[0].as<int64_t>() = trips;
      in.push_back(ramp({2}, 0.5f, 1.0f));
      in.push_back(ramp({2}, -0.25f, 0.5f));
      auto r = s->run(in);
      QVERIFY2(r, r ? "" : r.error().str().c_str());
      QCOMPARE(r->outputs[1].dims(), (std::vector<int64_t>{trips, 2}));
      float v[2] = {in[1].as<float>()[0], in[1].as<float>()[1]};
      for (int64_t t = 0; t < trips; ++t)
        for (int j = 0; j < 2; ++j) {
          v[j] += in[2].as<float>()[j];
          QCOMPARE(r->outputs[1].as<float>()[t * 2 + j], v[j] * v[j]);
        }
      QCOMPARE(r->outputs[0].as<float>()[0], v[0]);
      QCOMPARE(r->outputs[0].as<float>()[1], v[1]);
    }
  }

  void scanForwardAndReverse() {
    for (int64_t direction : {0, 1}) {
      ir::Graph g;
      const auto s0 = g.addValue("s0", ir::DataType::Float32, test::shapeOf({2}));
      const auto xs = g.addValue("xs", ir::DataType::Float32, test::shapeOf({3, 2}));
      const auto sf = g.addValue("s_final", ir::DataType::Float32, test::shapeOf({2}));
      const auto ys = g.addValue("ys", ir::DataType::Float32, test::shapeOf({3, 2}));
      g.inputs = {s0, xs};
      auto body = std::make_shared<ir::Graph>();
      body->name = "scan_body";
      const auto si = body->addValue("s_in", ir::DataType::Float32, test::shapeOf({2}));
      const auto xt = body->addValue("x_t", ir::DataType::Float32, test::shapeOf({2}));
      const auto so = body->addValue("s_out", ir::DataType::Float32, test::shapeOf({2}));
      const auto yt = body->addValue("y_t", ir::DataType::Float32, test::shapeOf({2}));
      body->inputs = {si, xt};
      test::addNode(*body, "Add", {si, xt}, {so});
      test::addNode(*body, "Identity", {so}, {yt});
      body->outputs = {so, yt};
      ir::Attributes a;
      a.set("body", ir::Attribute::ofGraph(body));
      a.set("num_scan_inputs", ir::Attribute::ofInt(1));
      a.set("scan_input_directions", ir::Attribute::ofInts({direction}));
      test::addNode(g, "Scan", {s0, xs}, {sf, ys}, a);
      g.outputs = {sf, ys};
      auto s = sessionOf(test::modelOf({test::planGear(std::move(g), 0)}));
      QVERIFY(s);
      std::vector<HostTensor> in;
      in.push_back(ramp({2}, 1.0f, 1.0f));
      in.push_back(ramp({3, 2}, -1.0f, 0.5f));
      auto r = s->run(in);
      QVERIFY2(r, r ? "" : r.error().str().c_str());
      float acc[2] = {in[0].as<float>()[0], in[0].as<float>()[1]};
      for (int t = 0; t < 3; ++t) {
        const int src = direction ? 2 - t : t;
        for (int j = 0; j < 2; ++j) {
          acc[j] += in[1].as<float>()[src * 2 + j];
          QCOMPARE(r->outputs[1].as<float>()[t * 2 + j], acc[j]);
        }
      }
      QCOMPARE(r->outputs[0].as<float>()[0], acc[0]);
      QCOMPARE(r->outputs[0].as<float>()[1], acc[1]);
    }
  }

  void unsupportedOpIsNamed() {
    ir::Graph g;
    const auto x = g.addValue("x", ir::DataType::Float32, test::shapeOf({2}));
    const auto y = g.addValue("y", ir::DataType::Float32, test::shapeOf({2}));
    g.inputs = {x};
    test::addNode(g, "NoSuchOpXyz", {x}, {y});
    g.outputs = {y};
    auto s = runtime::Session::create(test::modelOf({test::planGear(std::move(g), 0)}));
    QVERIFY(!s);
    QCOMPARE(s.error().code, std::string(codes::kUnsupported));
    QVERIFY(s.error().message.find("NoSuchOpXyz") != std::string::npos);
  }

  void corruptPlanIsRejected() {
    auto plan = test::planGear(reluAddGraph(2), 0);
    plan.offsets[static_cast<std::size_t>(plan.graph.outputs[0])] =
        static_cast<int64_t>(plan.arenaBytes); // past the end
    auto s = runtime::Session::create(test::modelOf({std::move(plan)}));
    QVERIFY(!s);
    QCOMPARE(s.error().code, std::string(codes::kFormat));
  }
};

QTEST_GUILESS_MAIN(TestRuntime)
#include "test_runtime.moc"
