// Pad-to-gear dispatch end to end on small models built in the IR: crop maps (exact for conv / pool /
// elementwise chains, flagged for global reductions), padding values, batch splitting and reassembly,
// the dynamic fallback, the .om round trip of both, trace replay figures and the padding check.
#include <cmath>
#include <filesystem>
#include <random>

#include <QTemporaryDir>
#include <QtTest>

#include "core/compiler/compile.h"
#include "core/compiler/shape_config/shape_config.h"
#include "core/om/om_file.h"
#include "core/om/om_json.h"
#include "core/runtime/dispatch.h"
#include "core/traffic/padding_check.h"
#include "core/traffic/replay.h"
#include "tests/compiler/graph_builder.h"

using namespace gs;
using gs::test::GraphBuilder;
using runtime::HostTensor;

namespace {

ir::Attribute ints(std::vector<int64_t> v) { return ir::Attribute::ofInts(std::move(v)); }

ir::ValueId weight(GraphBuilder& b, const std::string& name, std::vector<int64_t> dims, unsigned seed) {
  int64_t n = 1;
  for (auto d : dims)
    n *= d;
  return b.floats(name, test::randomFloats(static_cast<std::size_t>(n), seed, -0.5f, 0.5f), std::move(dims));
}

// x [1,2,6,W] with a symbolic W.
ir::ValueId imageInput(GraphBuilder& b, const char* batch = nullptr) {
  return b.input("x", {batch ? ir::Dim::symbolic(batch) : ir::Dim::known(1), ir::Dim::known(2), ir::Dim::known(6),
                       ir::Dim::symbolic("W")});
}

std::shared_ptr<const om::Model> compileGraph(const ir::Graph& g, const std::string& inputShape,
                                              const std::string& gearKey, const std::string& gears, bool fallback) {
  ir::Model m;
  m.graph = g;
  m.opsets[""] = 17;
  shape_config::AtcOptions o;
  if (!shape_config::setOption(o, "input_shape", inputShape)) return nullptr;
  if (!gearKey.empty() && !shape_config::setOption(o, gearKey, gears)) return nullptr;
  if (gearKey == "dynamic_dims") (void)shape_config::setOption(o, "input_format", "ND");
  auto config = shape_config::fromOptions(o);
  if (!config) {
    qWarning("%s", config.error().message.c_str());
    return nullptr;
  }
  compiler::CompileOptions co;
  co.dynamicFallback = fallback;
  auto om = compiler::compile(m, *config, co, {});
  if (!om) {
    qWarning("%s", om.error().str().c_str());
    return nullptr;
  }
  return std::make_shared<const om::Model>(std::move(*om));
}

std::unique_ptr<runtime::Dispatcher> dispatcher(std::shared_ptr<const om::Model> m, runtime::DispatchMode mode,
                                                std::map<std::string, double> pad = {}) {
  runtime::DispatchOptions o;
  o.mode = mode;
  o.padValues = std::move(pad);
  auto d = runtime::Dispatcher::create(std::move(m), runtime::SessionOptions{"cpu", 1}, o);
  if (!d) qWarning("%s", d.error().str().c_str());
  return d ? std::move(*d) : nullptr;
}

HostTensor randomInput(std::vector<int64_t> dims, std::mt19937& rng, float lo = -1, float hi = 1) {
  HostTensor t(ir::DataType::Float32, std::move(dims));
  std::uniform_real_distribution<float> u(lo, hi);
  for (int64_t i = 0; i < t.numel(); ++i)
    t.as<float>()[i] = u(rng);
  return t;
}

double maxDiff(const HostTensor& a, const HostTensor& b) {
  if (a.dims() != b.dims()) return INFINITY;
  double m = 0;
  for (int64_t i = 0; i < a.numel(); ++i)
    m = std::max(m, static_cast<double>(std::abs(a.as<float>()[i] - b.as<float>()[i])));
  return m;
}

// Conv 3x3 pad 1 without bias -> Relu -> MaxPool 2/2 -> Conv 3x3 valid stride 2 with bias -> Sigmoid:
// only the first conv reads past the request's end, and it reads zeros there as an exact run does.
ir::Graph exactChain() {
  GraphBuilder b;
  const auto x = imageInput(b);
  auto c1 =
      b.node("c1", "Conv", {x, weight(b, "w1", {4, 2, 3, 3}, 1)}, GraphBuilder::attrs({{"pads", ints({1, 1, 1, 1})}}));
  auto r = b.node("r", "Relu", {c1});
  auto p =
      b.node("p", "MaxPool", {r}, GraphBuilder::attrs({{"kernel_shape", ints({2, 2})}, {"strides", ints({2, 2})}}));
  auto c2 = b.node("c2", "Conv", {p, weight(b, "w2", {3, 4, 3, 3}, 2), weight(b, "b2", {3}, 3)},
                   GraphBuilder::attrs({{"strides", ints({1, 2})}}));
  b.output(b.node("s", "Sigmoid", {c2}));
  return b.g;
}

} // namespace

class TestDispatch : public QObject {
  Q_OBJECT

private slots:
  void cropIsExactForConvPoolElementwiseChains() {
    auto m = compileGraph(exactChain(), "x:1,2,6,-1", "dynamic_dims", "16;24;40", true);
    QVERIFY(m);
    for (const auto& g : m->gears) {
      QCOMPARE(g.crops.size(), std::size_t{1});
      QVERIFY2(g.crops[0].unsafe.empty(), g.crops[0].unsafe.c_str());
      QVERIFY2(g.crops[0].edge.empty(), g.crops[0].edge.c_str());
      QVERIFY(g.crops[0].dims[3].follows()); // output W follows input W
      QVERIFY(!g.crops[0].dims[1].follows());
    }
    auto d = dispatcher(m, runtime::DispatchMode::PadOrDynamic);
    QVERIFY(d);
    std::mt19937 rng(3);
    for (int64_t w = 8; w <= 40; ++w) {
      std::vector<HostTensor> in;
      in.push_back(randomInput({1, 2, 6, w}, rng));
      auto padded = d->run(in);
      QVERIFY2(padded.has_value(), padded ? "" : padded.error().str().c_str());
      QVERIFY(!padded->plan.fallback);
      auto exact = d->runFallback(in);
      QVERIFY(exact.has_value());
      QVERIFY2(padded->flags[0].empty(), padded->flags[0].c_str());
      QCOMPARE(padded->outputs[0].dims(), exact->outputs[0].dims());
      QVERIFY2(maxDiff(padded->outputs[0], exact->outputs[0]) < 1e-5, std::to_string(w).c_str());
    }
  }

  void cropShapesFollowStridesCeilSameAndUpsampling() {
    // Strided / ceil-mode / SAME / transposed / resized windows: the cropped shape equals the exact run's
    // for every width; a transposed conv after strided ones has no size rule (flagged), and a pool that
    // reads past the request's end leaves an edge note.
    GraphBuilder b;
    const auto x = imageInput(b);
    auto c1 = b.node("c1", "Conv", {x, weight(b, "w1", {3, 2, 5, 5}, 4), weight(b, "b1", {3}, 5)},
                     GraphBuilder::attrs({{"pads", ints({2, 2, 2, 2})}, {"strides", ints({1, 3})}}));
    auto a = b.node(
        "a", "AveragePool", {c1},
        GraphBuilder::attrs(
            {{"kernel_shape", ints({2, 3})}, {"strides", ints({2, 2})}, {"ceil_mode", ir::Attribute::ofInt(1)}}));
    auto s =
        b.node("s", "Conv", {a, weight(b, "w2", {3, 3, 3, 3}, 6)},
               GraphBuilder::attrs({{"auto_pad", ir::Attribute::ofString("SAME_UPPER")}, {"strides", ints({1, 2})}}));
    auto t = b.node("t", "ConvTranspose", {s, weight(b, "w3", {3, 2, 2, 3}, 7)},
                    GraphBuilder::attrs({{"strides", ints({2, 2})}}));
    b.output(t);
    auto m = compileGraph(b.g, "x:1,2,6,-1", "dynamic_dims", "20;33;57", true);
    QVERIFY(m);
    auto d = dispatcher(m, runtime::DispatchMode::PadOrDynamic);
    QVERIFY(d);
    std::mt19937 rng(5);
    // From 7: narrower inputs leave the strided conv fewer columns than the pool's kernel (an exact run
    // rejects them; padded into a gear they would run, so there is nothing to compare with).
    for (int64_t w = 7; w <= 57; ++w) {
      std::vector<HostTensor> in;
      in.push_back(randomInput({1, 2, 6, w}, rng));
      auto padded = d->run(in);
      auto exact = d->runFallback(in);
      QVERIFY2(padded.has_value(), padded ? "" : padded.error().str().c_str());
      QVERIFY2(exact.has_value(), exact ? "" : (std::to_string(w) + ": " + exact.error().str()).c_str());
      // A ConvTranspose after strided ops has no exact size rule: then the output is returned whole and
      // flagged; otherwise the crop matches the exact shape.
      if (padded->flags[0].empty())
        QCOMPARE(padded->outputs[0].dims(), exact->outputs[0].dims());
      else
        QVERIFY(padded->flags[0].find("ConvTranspose") != std::string::npos);
    }

    // Without the transposed conv, an upsampling resize followed by strided windows has a size rule
    // (floor((2x + b) / s)); a resize after a strided op would not (2 * floor(...)) and is flagged.
    GraphBuilder b2;
    const auto x2 = imageInput(b2);
    auto r = b2.node("r", "Resize", {x2, ir::kNone, b2.floats("sc", {1, 1, 1, 2}, {4})},
                     GraphBuilder::attrs({{"mode", ir::Attribute::ofString("nearest")}}));
    auto c = b2.node("c", "Conv", {r, weight(b2, "w", {3, 2, 5, 5}, 8)},
                     GraphBuilder::attrs({{"pads", ints({2, 2, 2, 2})}, {"strides", ints({1, 3})}}));
    auto p = b2.node(
        "p", "MaxPool", {c},
        GraphBuilder::attrs(
            {{"kernel_shape", ints({1, 3})}, {"strides", ints({1, 2})}, {"ceil_mode", ir::Attribute::ofInt(1)}}));
    b2.output(b2.node("e", "Relu", {p}));
    auto m2 = compileGraph(b2.g, "x:1,2,6,-1", "dynamic_dims", "20;33;57", true);
    QVERIFY(m2);
    auto d2 = dispatcher(m2, runtime::DispatchMode::PadOrDynamic);
    QVERIFY(d2);
    int withEdgeNote = 0;
    for (int64_t w = 7; w <= 57; ++w) {
      std::vector<HostTensor> in;
      in.push_back(randomInput({1, 2, 6, w}, rng));
      auto padded = d2->run(in);
      auto exact = d2->runFallback(in);
      QVERIFY2(padded.has_value(), padded ? "" : padded.error().str().c_str());
      QVERIFY2(exact.has_value(), exact ? "" : exact.error().str().c_str());
      QVERIFY2(padded->flags[0].empty(), padded->flags[0].c_str());
      QCOMPARE(padded->outputs[0].dims(), exact->outputs[0].dims());
      withEdgeNote += padded->notes[0].empty() ? 0 : 1;
    }
    // The ceil-mode MaxPool reads past a padded request's end: its cropped output carries the note.
    QVERIFY(withEdgeNote > 0);
  }

  void globalReductionsAreFlagged_data() {
    QTest::addColumn<QString>("op");
    QTest::newRow("GlobalAveragePool") << "GlobalAveragePool";
    QTest::newRow("ReduceMean over W") << "ReduceMean";
    QTest::newRow("Softmax over W") << "Softmax";
    QTest::newRow("MatMul over W") << "MatMul";
    QTest::newRow("LayerNormalization over W") << "LayerNormalization";
  }
  void globalReductionsAreFlagged() {
    QFETCH(QString, op);
    GraphBuilder b;
    const auto x = imageInput(b);
    auto c = b.node("c", "Conv", {x, weight(b, "w", {2, 2, 1, 1}, 9)});
    ir::ValueId y;
    const auto o = op.toStdString();
    if (o == "GlobalAveragePool")
      y = b.node("g", o, {c});
    else if (o == "ReduceMean")
      y = b.node("g", o, {c}, GraphBuilder::attrs({{"axes", ints({3})}}));
    else if (o == "Softmax")
      y = b.node("g", o, {c}, GraphBuilder::attrs({{"axis", ir::Attribute::ofInt(-1)}}));
    else if (o == "LayerNormalization")
      y = b.node("g", o, {c, b.floats("ls", {1}, {1}), b.floats("lb", {0}, {1})},
                 GraphBuilder::attrs({{"axis", ir::Attribute::ofInt(-1)}}));
    else
      y = b.node("g", o, {c, b.node("tr", "Transpose", {c}, GraphBuilder::attrs({{"perm", ints({0, 1, 3, 2})}}))});
    b.output(y);
    auto m = compileGraph(b.g, "x:1,2,6,-1", "dynamic_dims", "8;16", true);
    QVERIFY(m);
    QVERIFY(!m->gears[0].crops[0].unsafe.empty());
    auto d = dispatcher(m, runtime::DispatchMode::PadOrDynamic);
    std::mt19937 rng(1);
    std::vector<HostTensor> in;
    in.push_back(randomInput({1, 2, 6, 11}, rng));
    auto padded = d->run(in);
    QVERIFY2(padded.has_value(), padded ? "" : padded.error().str().c_str());
    QVERIFY(!padded->flags[0].empty());
    QCOMPARE(padded->outputs[0].dims(), m->gears[1].outputs[0].dims); // whole, at the gear's shape
    // The padding check reports it.
    auto rows = traffic::checkPadding(*d, {1, 1e-4, 7});
    QVERIFY(rows.has_value());
    QVERIFY(!rows->empty());
    for (const auto& r : *rows)
      QVERIFY(r.warn && r.flagged);
  }

  void softmaxOverChannelsIsNotFlagged() {
    GraphBuilder b;
    const auto x = imageInput(b);
    b.output(b.node("sm", "Softmax", {x}, GraphBuilder::attrs({{"axis", ir::Attribute::ofInt(1)}})));
    auto m = compileGraph(b.g, "x:1,2,6,-1", "dynamic_dims", "8;16", true);
    QVERIFY(m);
    QVERIFY(m->gears[0].crops[0].unsafe.empty());
    auto d = dispatcher(m, runtime::DispatchMode::PadOrDynamic);
    auto rows = traffic::checkPadding(*d, {2, 1e-5, 7});
    QVERIFY(rows.has_value());
    for (const auto& r : *rows)
      QVERIFY2(!r.warn, r.why.c_str());
  }

  void padValueIsPerInput() {
    GraphBuilder b;
    const auto x = imageInput(b);
    b.output(b.node("g", "GlobalMaxPool", {x}));
    auto m = compileGraph(b.g, "x:1,2,6,-1", "dynamic_dims", "8;16", false);
    QVERIFY(m);
    std::mt19937 rng(2);
    std::vector<HostTensor> in;
    in.push_back(randomInput({1, 2, 6, 5}, rng, 0, 1));
    auto d = dispatcher(m, runtime::DispatchMode::Pad, {{"x", 7.5}});
    auto r = d->run(in);
    QVERIFY(r.has_value());
    QVERIFY(!r->flags[0].empty());
    QCOMPARE(r->outputs[0].as<float>()[0], 7.5f); // the padding won the max: flagged for a reason
    auto z = dispatcher(m, runtime::DispatchMode::Pad)->run(in);
    QVERIFY(z.has_value());
    QVERIFY(z->outputs[0].as<float>()[0] < 1.0f);
    runtime::DispatchOptions bad;
    bad.mode = runtime::DispatchMode::Pad;
    bad.padValues["nope"] = 1;
    QVERIFY(!runtime::Dispatcher::create(m, {}, bad));
    std::map<std::string, double> pv;
    QVERIFY(runtime::parsePadValues("x:1.5;y:-2", pv).has_value());
    QCOMPARE(pv["y"], -2.0);
    QVERIFY(!runtime::parsePadValues("x=1", pv));
    QVERIFY(!runtime::parsePadValues("x:abc", pv));
  }

  void batchSplittingReassemblesInOrder() {
    GraphBuilder b;
    const auto x = b.input("x", {ir::Dim::symbolic("N"), ir::Dim::known(3), ir::Dim::known(5), ir::Dim::known(5)});
    auto c = b.node("c", "Conv", {x, weight(b, "w", {4, 3, 3, 3}, 11), weight(b, "bb", {4}, 12)},
                    GraphBuilder::attrs({{"pads", ints({1, 1, 1, 1})}}));
    b.output(b.node("r", "Relu", {c}));
    auto m = compileGraph(b.g, "x:-1,3,5,5", "dynamic_batch_size", "1,2,4", false);
    QVERIFY(m);
    auto d = dispatcher(m, runtime::DispatchMode::Pad);
    std::mt19937 rng(4);
    for (int64_t n : {3, 4, 5, 11}) {
      std::vector<HostTensor> in;
      in.push_back(randomInput({n, 3, 5, 5}, rng));
      auto r = d->run(in);
      QVERIFY2(r.has_value(), r ? "" : r.error().str().c_str());
      QCOMPARE(r->outputs[0].dims(), (std::vector<int64_t>{n, 4, 5, 5}));
      QCOMPARE(r->plan.split, n > 4);
      if (n == 11) QCOMPARE(r->plan.chunkBatch, (std::vector<int64_t>{4, 4, 3}));
      // Each sample alone at batch 1 gives the same rows, in order.
      auto exact = dispatcher(m, runtime::DispatchMode::Exact);
      const int64_t per = 3 * 5 * 5, outPer = 4 * 5 * 5;
      for (int64_t s = 0; s < n; ++s) {
        std::vector<HostTensor> one;
        one.emplace_back(ir::DataType::Float32, std::vector<int64_t>{1, 3, 5, 5});
        std::copy_n(in[0].as<float>() + s * per, per, one[0].as<float>());
        auto e = exact->run(one);
        QVERIFY(e.has_value());
        for (int64_t i = 0; i < outPer; ++i)
          QVERIFY(std::abs(e->outputs[0].as<float>()[i] - r->outputs[0].as<float>()[s * outPer + i]) < 1e-5);
      }
    }
  }

  void exactModeAndFallback() {
    auto m = compileGraph(exactChain(), "x:1,2,6,-1", "dynamic_dims", "16;24", true);
    QVERIFY(m);
    std::mt19937 rng(6);
    std::vector<HostTensor> in;
    in.push_back(randomInput({1, 2, 6, 30}, rng));
    auto exact = dispatcher(m, runtime::DispatchMode::Exact)->run(in);
    QVERIFY(!exact.has_value());
    QVERIFY2(exact.error().message.find("x:1,2,6,24") != std::string::npos, exact.error().message.c_str());
    auto pad = dispatcher(m, runtime::DispatchMode::Pad)->run(in);
    QVERIFY(!pad.has_value());
    QVERIFY(pad.error().message.find("no gear encloses") != std::string::npos);
    auto d = dispatcher(m, runtime::DispatchMode::PadOrDynamic);
    auto fb = d->run(in);
    QVERIFY2(fb.has_value(), fb ? "" : fb.error().str().c_str());
    QVERIFY(fb->plan.fallback);
    QCOMPARE(fb->outputs[0].dims()[3], int64_t{(30 / 2 - 3) / 2 + 1});
    // Without a fallback graph pad-or-dynamic says how to get one.
    auto noFb = compileGraph(exactChain(), "x:1,2,6,-1", "dynamic_dims", "16;24", false);
    auto e = dispatcher(noFb, runtime::DispatchMode::PadOrDynamic)->run(in);
    QVERIFY(!e.has_value());
    QVERIFY(e.error().message.find("--dynamic_fallback") != std::string::npos);
  }

  void omKeepsCropMapsAndFallback() {
    QTemporaryDir dir;
    auto m = compileGraph(exactChain(), "x:1,2,6,-1", "dynamic_dims", "16;24", true);
    QVERIFY(m);
    const auto path = dir.filePath("m.om").toStdString();
    QVERIFY(om::writeFile(*m, path).has_value());
    auto back = om::readFile(path);
    QVERIFY2(back.has_value(), back ? "" : back.error().str().c_str());
    QVERIFY(back->fallback.has_value());
    for (std::size_t g = 0; g < m->gears.size(); ++g)
      QCOMPARE(back->gears[g].crops, m->gears[g].crops);
    const auto j = om::toJson(*back);
    QVERIFY(j["gears"][0].contains("crops"));
    QVERIFY(j.contains("dynamic_fallback"));
    // A crop map that names a missing input is rejected by the checking reader's validation.
    om::Model bad = *m;
    bad.gears[0].crops[0].dims[3].input = 5;
    QVERIFY(!om::writeFile(bad, dir.filePath("bad.om").toStdString()).has_value());
  }

  void replayFigures() {
    auto m = compileGraph(exactChain(), "x:1,2,6,-1", "dynamic_dims", "16;24;40", false);
    QVERIFY(m);
    auto d = dispatcher(m, runtime::DispatchMode::Pad);
    traffic::Trace t;
    t.inputs = {"x"};
    const std::vector<int64_t> widths{10, 16, 17, 30, 40, 3};
    for (auto w : widths)
      t.requests.push_back(traffic::Request{{{1, 2, 6, w}}, 2});
    auto r = traffic::replay(*d, t, {});
    QVERIFY2(r.has_value(), r ? "" : r.error().str().c_str());
    QCOMPARE(r->requests, int64_t{12});
    QCOMPARE(r->errors, int64_t{0});
    int64_t hits = 0;
    for (const auto& [k, v] : r->gearHits)
      hits += v;
    QCOMPARE(hits, int64_t{12});
    QCOMPARE(r->gearHits["gear 0"], int64_t{6}); // 10, 16, 3 (twice each)
    // Waste: 1 - sum(w) / sum(gear w), the other dims being equal.
    const double useful = 2.0 * (10 + 16 + 17 + 30 + 40 + 3), computed = 2.0 * (16 + 16 + 24 + 40 + 40 + 16);
    QVERIFY(std::abs(r->paddingWaste - (1 - useful / computed)) < 1e-12);
    QVERIFY(r->latency.p99 >= r->latency.median);
    const auto j = traffic::replayJson(*r);
    for (const char* key :
         {"requests", "mean_ms", "p50_ms", "p90_ms", "p99_ms", "padding_waste", "fallbacks", "gear_hits"})
      QVERIFY2(j.contains(key), key);
    // A trace for another input is an error naming it.
    traffic::Trace other;
    other.inputs = {"y"};
    other.requests.push_back(traffic::Request{{{1, 2, 6, 8}}, 1});
    QVERIFY(!traffic::replay(*d, other, {}));
    // Counts that expand past the replay bound: an error asking for a prefix, not an 8 GB allocation;
    // a prefix of the same trace replays.
    traffic::Trace huge;
    huge.inputs = {"x"};
    huge.requests.push_back(traffic::Request{{{1, 2, 6, 12}}, traffic::kMaxCount});
    const auto refused = traffic::replay(*d, huge, {});
    QVERIFY(!refused.has_value());
    QVERIFY2(refused.error().message.find("--requests") != std::string::npos, refused.error().message.c_str());
    traffic::ReplayOptions prefix;
    prefix.requests = 5;
    const auto few = traffic::replay(*d, huge, prefix);
    QVERIFY(few.has_value());
    QCOMPARE(few->requests, int64_t{5});
    // Requests of another dtype than the model's are errors, counted per request.
    auto dd = dispatcher(m, runtime::DispatchMode::Pad);
    std::mt19937 rng(9);
    std::vector<HostTensor> wrong;
    wrong.push_back(runtime::randomTensor(ir::DataType::Int64, {1, 2, 6, 12}, rng));
    const auto bad = dd->run(wrong);
    QVERIFY(!bad.has_value());
    QVERIFY2(bad.error().message.find("int64") != std::string::npos, bad.error().message.c_str());
  }
};

QTEST_GUILESS_MAIN(TestDispatch)
#include "test_dispatch.moc"
