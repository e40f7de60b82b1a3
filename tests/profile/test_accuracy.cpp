// Accuracy per gear: the tensor metrics on hand-computed tensors, the runtime's node observer (every
// node once, in order; nothing when unset), per-layer comparison finding a deliberately perturbed
// layer, channels-last values compared in NCHW, gearbench --accuracy / --precision-matrix in-process,
// and the precision x gear matrix.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <new>
#include <sstream>

#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include "accuracy_models.h"
#include "app/gearbench/bench_cli.h"
#include "core/compiler/onnx/importer.h"
#include "core/compiler/shape_config/shape_config.h"
#include "core/profile/accuracy.h"
#include "core/profile/accuracy_inputs.h"
#include "core/profile/layer_compare.h"
#include "core/profile/precision_matrix.h"
#include "core/profile/profile_export.h"
#include "core/runtime/npy.h"
#include "core/runtime/session.h"
#include "core/session/compile_onnx.h"

// Counts operator new calls, to show a run without an observer allocates nothing.
static std::atomic<long> g_news{0};
void* operator new(std::size_t n) {
  g_news.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

using namespace gs;
using runtime::HostTensor;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

HostTensor f32(std::vector<int64_t> dims, std::vector<float> v) {
  HostTensor t(ir::DataType::Float32, std::move(dims));
  std::memcpy(t.data(), v.data(), v.size() * sizeof(float));
  return t;
}

profile::TensorAccuracy cmp(const HostTensor& ref, const HostTensor& cand) {
  return profile::compareTensors("t", ref.ref(), cand.ref());
}

shape_config::AtcOptions options(std::initializer_list<std::pair<const char*, const char*>> kv) {
  shape_config::AtcOptions o;
  for (const auto& [k, v] : kv)
    (void)shape_config::setOption(o, k, v);
  return o;
}

std::unique_ptr<runtime::Session> sessionFor(const std::string& path, const shape_config::AtcOptions& o,
                                             std::vector<std::string> disabled = {}) {
  auto m = session::compileOnnx(path, o, {}, std::move(disabled));
  if (!m) {
    qWarning("%s", m.error().str().c_str());
    return nullptr;
  }
  auto s = runtime::Session::create(std::make_shared<const om::Model>(std::move(*m)));
  if (!s) {
    qWarning("%s", s.error().str().c_str());
    return nullptr;
  }
  return std::move(*s);
}

std::vector<HostTensor> randomInputs(const runtime::Session& s, int gear, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<HostTensor> out;
  for (const auto& d : s.inputDescs(gear))
    out.push_back(runtime::randomTensor(d.dtype, d.dims, rng));
  return out;
}

int runGearbench(std::vector<std::string> args, std::string* outText = nullptr, std::string* errText = nullptr) {
  std::ostringstream out, err;
  const int rc = gs::gearbench::run(args, out, err);
  if (outText) *outText = out.str();
  if (errText) *errText = err.str();
  return rc;
}

nlohmann::json readJson(const std::string& path) {
  std::ifstream f(path);
  return nlohmann::json::parse(f, nullptr, false);
}

} // namespace

class TestAccuracy : public QObject {
  Q_OBJECT

private:
  QTemporaryDir m_dir;
  std::string path(const char* name) { return m_dir.filePath(name).toStdString(); }

private slots:
  void initTestCase() { QVERIFY(m_dir.isValid()); }

  // ---- metrics on hand-computed tensors ----

  void identicalScaledOrthogonal() {
    const auto a = f32({4}, {1, -2, 3, 0.5f});
    auto same = cmp(a, a);
    QVERIFY(same.compared());
    QCOMPARE(same.cosine, 1.0);
    QCOMPARE(same.maxAbsError, 0.0);
    QCOMPARE(same.maxRelError, 0.0);
    // 2x: cosine 1, the error is |x| itself: max 3 against a largest reference magnitude of 3.
    auto scaled = cmp(a, f32({4}, {2, -4, 6, 1}));
    QVERIFY(std::abs(scaled.cosine - 1.0) < 1e-12);
    QCOMPARE(scaled.maxAbsError, 3.0);
    QCOMPARE(scaled.maxRelError, 1.0);
    auto negated = cmp(a, f32({4}, {-1, 2, -3, -0.5f}));
    QVERIFY(std::abs(negated.cosine + 1.0) < 1e-12);
    QCOMPARE(negated.maxAbsError, 6.0);
    auto orthogonal = cmp(f32({2}, {1, 0}), f32({2}, {0, 1}));
    QVERIFY(std::abs(orthogonal.cosine) < 1e-12);
    QCOMPARE(orthogonal.maxAbsError, 1.0);
    // A hand-computed case: ref (1,2,2), cand (2,1,2): dot 8, |r| = |c| = 3 -> 8/9.
    auto hand = cmp(f32({3}, {1, 2, 2}), f32({3}, {2, 1, 2}));
    QVERIFY(std::abs(hand.cosine - 8.0 / 9.0) < 1e-12);
    QCOMPARE(hand.maxAbsError, 1.0);
    QCOMPARE(hand.maxRelError, 0.5);
  }

  void allZeroTensors() {
    const auto z = f32({3}, {0, 0, 0});
    auto both = cmp(z, z);
    QCOMPARE(both.cosine, 1.0);
    QCOMPARE(both.maxRelError, 0.0);
    auto refZero = cmp(z, f32({3}, {0, 1, 0}));
    QCOMPARE(refZero.cosine, 0.0);
    QVERIFY(std::isinf(refZero.maxRelError));
    QVERIFY(profile::toJson(refZero)["max_rel_error"].is_null()); // JSON has no infinity
    auto candZero = cmp(f32({3}, {0, 1, 0}), z);
    QCOMPARE(candZero.cosine, 0.0);
    QCOMPARE(candZero.maxRelError, 1.0);
    // Empty tensors compare as equal.
    auto empty = cmp(HostTensor(ir::DataType::Float32, {0, 4}), HostTensor(ir::DataType::Float32, {0, 4}));
    QVERIFY(empty.compared());
    QCOMPARE(empty.cosine, 1.0);
  }

  void top1Counting() {
    // Rank 2 [3 rows, 4 classes]: logits are class scores. Rows 0 and 2 agree, row 1 does not.
    const auto ref = f32({3, 4}, {0.1f, 0.9f, 0.2f, 0.3f, /**/ 5, 1, 2, 3, /**/ -1, -2, -3, -0.5f});
    const auto cand = f32({3, 4}, {0.2f, 0.8f, 0.1f, 0.3f, /**/ 1, 5, 2, 3, /**/ -1, -2, -3, -0.7f});
    auto a = cmp(ref, cand);
    QVERIFY(a.top1Agreement.has_value());
    QCOMPARE(a.top1Rows, int64_t{3});
    QVERIFY(std::abs(*a.top1Agreement - 2.0 / 3.0) < 1e-12);
    // Ties: the first maximum wins on both sides.
    auto tie = cmp(f32({1, 3}, {1, 1, 0}), f32({1, 3}, {1, 1, 0}));
    QCOMPARE(*tie.top1Agreement, 1.0);
    // Rank 3 softmax rows ([batch, time, classes], a recogniser): class scores.
    const auto soft = f32({1, 2, 3}, {0.2f, 0.5f, 0.3f, 0.6f, 0.3f, 0.1f});
    QVERIFY(profile::looksLikeClassScores(soft.ref()));
    auto s = cmp(soft, f32({1, 2, 3}, {0.2f, 0.3f, 0.5f, 0.6f, 0.3f, 0.1f}));
    QCOMPARE(s.top1Rows, int64_t{2});
    QCOMPARE(*s.top1Agreement, 0.5);
    // Rank 3 rows that are not distributions, a [N,1,H,W] sigmoid map, rank 1 and a last dim of 1:
    // not class scores.
    QVERIFY(!profile::looksLikeClassScores(f32({1, 2, 3}, {1, 2, 3, 4, 5, 6}).ref()));
    QVERIFY(!profile::looksLikeClassScores(f32({1, 1, 2, 2}, {0.1f, 0.7f, 0.5f, 0.2f}).ref()));
    QVERIFY(!profile::looksLikeClassScores(f32({4}, {0.25f, 0.25f, 0.25f, 0.25f}).ref()));
    QVERIFY(!profile::looksLikeClassScores(f32({4, 1}, {1, 2, 3, 4}).ref()));
    QVERIFY(!cmp(f32({1, 2, 3}, {1, 2, 3, 4, 5, 6}), f32({1, 2, 3}, {1, 2, 3, 4, 5, 6})).top1Agreement);
    // Integer outputs (indices) are never class scores.
    HostTensor idx(ir::DataType::Int64, {2, 3});
    QVERIFY(!profile::looksLikeClassScores(idx.ref()));
  }

  void nanAndInfinity() {
    // Same NaN / same infinity: they agree and stay out of the metrics. A NaN where the reference is
    // finite and an infinity of the other sign disagree; the metrics cover the finite pairs.
    const std::vector<double> ref{1, kNaN, kInf, 2, 3, -kInf};
    const std::vector<double> cand{1, kNaN, kInf, kNaN, 3, kInf};
    auto a = profile::compareValues("v", ref, cand, {6}, false);
    QVERIFY(a.compared());
    QCOMPARE(a.referenceNonFinite, int64_t{3});
    QCOMPARE(a.candidateNonFinite, int64_t{4});
    QCOMPARE(a.nonFiniteMismatches, int64_t{2});
    QCOMPARE(a.maxAbsError, 0.0);
    QCOMPARE(a.cosine, 1.0);
    QVERIFY(std::isfinite(a.maxRelError));
    auto j = profile::toJson(a);
    QCOMPARE(j["nonfinite"]["mismatches"].get<int>(), 2);
    // Through a float32 tensor, and summarised.
    const float nan = std::numeric_limits<float>::quiet_NaN();
    auto t = cmp(f32({2, 2}, {1, 2, 3, 4}), f32({2, 2}, {1, nan, 3, 4}));
    QCOMPARE(t.nonFiniteMismatches, int64_t{1});
    QVERIFY(!t.top1Agreement || *t.top1Agreement == 0.5); // row 0: NaN never wins, arg-max 0 vs 1
    std::vector<profile::TensorAccuracy> all{a, t};
    QCOMPARE(profile::summarize(all).nonFiniteMismatches, int64_t{3});
    QVERIFY(profile::accuracyText(t).find("disagree") != std::string::npos);
  }

  void lowPrecisionDtypes() {
    // float16 / bfloat16 / int8 compare in wide precision: values exact in the narrow type give 0 error.
    const auto ref = f32({2, 3}, {0.5f, -1.25f, 2, 0, 3.5f, -0.75f});
    for (auto dt : {ir::DataType::Float16, ir::DataType::BFloat16, ir::DataType::Float64}) {
      auto narrow = profile::convertFloat(ref, dt);
      QVERIFY(narrow);
      QCOMPARE(narrow->dtype(), dt);
      auto a = cmp(ref, *narrow);
      QVERIFY2(a.compared(), a.skipped.c_str());
      QCOMPARE(a.maxAbsError, 0.0);
      QCOMPARE(a.candidateType, dt);
      auto back = profile::convertFloat(*narrow, ir::DataType::Float32);
      QVERIFY(back);
      QCOMPARE(std::memcmp(back->data(), ref.data(), ref.byteSize()), 0);
    }
    // Rounding shows: 1/3 in float16 is off by about 1e-4.
    auto third = profile::convertFloat(f32({1}, {1.0f / 3}), ir::DataType::Float16);
    auto t = cmp(f32({1}, {1.0f / 3}), *third);
    QVERIFY(t.maxAbsError > 1e-5 && t.maxAbsError < 2e-4);
    // int8 against int8, and against float (a dtype-class mismatch is skipped with a reason).
    HostTensor q(ir::DataType::Int8, {4}), r(ir::DataType::Int8, {4});
    const int8_t qv[] = {-128, -1, 0, 127}, rv[] = {-128, 0, 0, 126};
    std::memcpy(q.data(), qv, 4);
    std::memcpy(r.data(), rv, 4);
    auto i8 = cmp(q, r);
    QVERIFY(i8.compared());
    QCOMPARE(i8.maxAbsError, 1.0);
    QCOMPARE(i8.maxRelError, 1.0 / 128.0);
    QVERIFY(!cmp(q, f32({4}, {1, 2, 3, 4})).compared());
    QVERIFY(!profile::convertFloat(q, ir::DataType::Float32));
    // Shape mismatch: skipped, naming both shapes.
    auto shapes = cmp(f32({2, 2}, {1, 2, 3, 4}), f32({4}, {1, 2, 3, 4}));
    QVERIFY(!shapes.compared());
    QVERIFY(shapes.skipped.find("[2,2]") != std::string::npos);
  }

  // ---- the runtime's node observer ----

  void observerSeesEveryNodeOnceInOrder() {
    const auto p = path("chain.onnx");
    QVERIFY(test::writeModel(test::convChain({}), p));
    for (bool dynamic : {false, true}) {
      auto s = dynamic ? sessionFor(p, options({{"input_shape_range", "x:[1~4,3,8,8]"}}))
                       : sessionFor(p, options({{"input_shape", "x:-1,3,8,8"}, {"dynamic_batch_size", "1,2"}}));
      QVERIFY(s);
      QCOMPARE(s->isDynamic(), dynamic);
      std::vector<HostTensor> x;
      std::mt19937 rng(3);
      x.push_back(runtime::randomTensor(ir::DataType::Float32, {2, 3, 8, 8}, rng));
      // Steady state before any observer is set: what 10 runs allocate.
      runtime::RunResult result;
      for (int i = 0; i < 3; ++i)
        QVERIFY(s->run(x, result));
      const long news0 = g_news.load();
      const auto aligned0 = runtime::alignedAllocCount();
      for (int i = 0; i < 10; ++i)
        QVERIFY(s->run(x, result));
      const long newsUnobserved = g_news.load() - news0;
      const auto alignedUnobserved = runtime::alignedAllocCount() - aligned0;
      if (!dynamic) QCOMPARE(alignedUnobserved, uint64_t{0}); // static plans: no tensor memory per run
      // The node list of a profiled run is the plan's execution order.
      auto profiled = s->run(x, runtime::RunOptions{-1, true});
      QVERIFY(profiled);
      std::vector<std::size_t> indices;
      std::vector<std::string> names;
      std::vector<float> last;
      std::size_t outputs = 0;
      runtime::NodeObserver obs = [&](const runtime::NodeEvent& e) {
        indices.push_back(e.index);
        names.push_back(e.node->name);
        outputs += e.outputs.size();
        for (const auto& v : e.outputs) {
          QVERIFY(v.tensor.data != nullptr);
          if (v.name == "y") last.assign(v.tensor.as<float>(), v.tensor.as<float>() + v.tensor.numel());
        }
      };
      runtime::RunOptions ro;
      ro.observer = &obs;
      auto r = s->run(x, ro);
      QVERIFY2(r, r ? "" : r.error().str().c_str());
      QCOMPARE(indices.size(), profiled->opTimes.size());
      for (std::size_t i = 0; i < indices.size(); ++i) {
        QCOMPARE(indices[i], i);
        QCOMPARE(names[i], profiled->opTimes[i].node);
      }
      QVERIFY(outputs >= indices.size());
      // What the observer saw of the graph output is what the run returned.
      QCOMPARE(last.size(), static_cast<std::size_t>(r->outputs[0].numel()));
      QCOMPARE(std::memcmp(last.data(), r->outputs[0].data(), r->outputs[0].byteSize()), 0);
      // Unset again: no call, and a run allocates exactly what it did before any observer was set.
      const auto calls = indices.size();
      QVERIFY(s->run(x, result));
      QCOMPARE(indices.size(), calls);
      const long before = g_news.load();
      const auto alignedBefore = runtime::alignedAllocCount();
      for (int i = 0; i < 10; ++i)
        QVERIFY(s->run(x, result));
      QCOMPARE(g_news.load() - before, newsUnobserved);
      QCOMPARE(runtime::alignedAllocCount() - alignedBefore, alignedUnobserved);
      // The counter does see an observer's work (this one copies names and values).
      const long beforeObserved = g_news.load();
      QVERIFY(s->run(x, result, ro));
      QVERIFY(g_news.load() - beforeObserved > newsUnobserved / 10);
    }
  }

  // ---- per-layer comparison ----

  void perLayerFindsThePerturbedLayer() {
    // Conv chains and MatMul chains, each layer perturbed in turn: the first bad layer is that one,
    // every layer before it matches exactly.
    for (bool conv : {true, false}) {
      const int layers = 4;
      test::ChainOptions base;
      base.layers = layers;
      const auto refPath = path(conv ? "conv_ref.onnx" : "mm_ref.onnx");
      QVERIFY(test::writeModel(conv ? test::convChain(base) : test::matmulChain(base), refPath));
      const auto opts = conv ? options({{"input_shape", "x:2,3,8,8"}}) : options({{"input_shape", "x:3,16"}});
      auto ref = sessionFor(refPath, opts, profile::perLayerDisabledPasses());
      QVERIFY(ref);
      for (int k = 0; k < layers; ++k) {
        auto o = base;
        o.perturbLayer = k;
        const auto candPath = path(conv ? "conv_cand.onnx" : "mm_cand.onnx");
        QVERIFY(test::writeModel(conv ? test::convChain(o) : test::matmulChain(o), candPath));
        auto cand = sessionFor(candPath, opts, profile::perLayerDisabledPasses());
        QVERIFY(cand);
        auto inputs = randomInputs(*ref, 0, 42);
        auto c = profile::compareLayers(*ref, 0, *cand, 0, inputs);
        QVERIFY2(c, c ? "" : c.error().str().c_str());
        QVERIFY(c->firstBad.has_value());
        const auto& bad = c->layers[*c->firstBad];
        const auto want = (conv ? "conv" : "mm") + std::to_string(k);
        QVERIFY2(bad.node == want, (bad.node + " instead of " + want).c_str());
        QVERIFY(bad.cosine < 0.99);
        if (conv) {
          // The shipped pipeline (FusedConv in NHWC) keeps the conv's name: the same layer is named.
          auto fusedRef = sessionFor(refPath, opts);
          auto fusedCand = sessionFor(candPath, opts);
          QVERIFY(fusedRef && fusedCand);
          auto f = profile::compareLayers(*fusedRef, 0, *fusedCand, 0, inputs);
          QVERIFY(f && f->firstBad);
          QCOMPARE(f->layers[*f->firstBad].node, want);
          QCOMPARE(f->layers[*f->firstBad].opType, std::string("FusedConv"));
        }
        for (std::size_t i = 0; i < *c->firstBad; ++i) {
          QCOMPARE(c->layers[i].cosine, 1.0);
          QCOMPARE(c->layers[i].maxAbsError, 0.0);
        }
        // Unfused builds compare every tensor; layers in execution order.
        QCOMPARE(c->comparedTensors, c->candidateTensors);
        QVERIFY(c->skipped.empty());
        for (std::size_t i = 1; i < c->layers.size(); ++i)
          QVERIFY(c->layers[i].index > c->layers[i - 1].index);
        QCOMPARE(c->outputs.size(), std::size_t{1});
        auto worst = profile::worstLayers(*c, 2);
        QCOMPARE(worst.size(), std::size_t{2});
        QVERIFY(worst[0].cosine <= worst[1].cosine);
        QVERIFY(worst[0].cosine <= bad.cosine);
        auto j = profile::toJson(*c);
        QCOMPARE(j["first_bad_layer"]["node"].get<std::string>(), want);
      }
    }
  }

  void perLayerWithFusionsAndChannelsLast() {
    // The reference without layout passes, the candidate with the whole pipeline (FusedConv in NHWC):
    // the values that survive compare in NCHW and agree; the fused-away ones are listed as skipped.
    const auto p = path("chain_nhwc.onnx");
    test::ChainOptions o;
    o.channels = 16;
    QVERIFY(test::writeModel(test::convChain(o), p));
    const auto opts = options({{"input_shape", "x:1,3,8,8"}});
    auto ref = sessionFor(p, opts, profile::perLayerDisabledPasses());
    auto cand = sessionFor(p, opts);
    QVERIFY(ref && cand);
    const auto nhwc = profile::channelsLastValues(profile::runGraph(*cand, 0));
    QVERIFY2(!nhwc.empty(), "the candidate build has no channels-last value");
    QVERIFY(profile::channelsLastValues(profile::runGraph(*ref, 0)).empty());
    auto c = profile::compareLayers(*ref, 0, *cand, 0, randomInputs(*ref, 0, 5));
    QVERIFY2(c, c ? "" : c.error().str().c_str());
    QVERIFY(!c->firstBad);
    bool sawChannelsLast = false;
    for (const auto& l : c->layers) {
      QVERIFY2(l.cosine > 0.99999, l.node.c_str());
      sawChannelsLast = sawChannelsLast || l.channelsLast;
    }
    QVERIFY(sawChannelsLast);
    QVERIFY(c->comparedTensors >= 3);
    QVERIFY(c->outputs.at(0).cosine > 0.99999);
  }

  void perLayerDynamicModel() {
    test::ChainOptions o;
    o.layers = 3;
    const auto refPath = path("dyn_ref.onnx"), candPath = path("dyn_cand.onnx");
    QVERIFY(test::writeModel(test::convChain(o), refPath));
    o.perturbLayer = 1;
    QVERIFY(test::writeModel(test::convChain(o), candPath));
    const auto opts = options({{"input_shape_range", "x:[1~3,3,8,8]"}});
    auto ref = sessionFor(refPath, opts, profile::perLayerDisabledPasses());
    auto cand = sessionFor(candPath, opts, profile::perLayerDisabledPasses());
    QVERIFY(ref && cand);
    std::mt19937 rng(9);
    std::vector<HostTensor> x;
    x.push_back(runtime::randomTensor(ir::DataType::Float32, {3, 3, 8, 8}, rng));
    auto c = profile::compareLayers(*ref, -1, *cand, -1, x);
    QVERIFY2(c, c ? "" : c.error().str().c_str());
    QVERIFY(c->firstBad);
    QCOMPARE(c->layers[*c->firstBad].node, std::string("conv1"));
  }

  void adaptInputsConvertsAndRefuses() {
    std::vector<HostTensor> in;
    in.push_back(f32({2}, {1.5f, -2}));
    std::vector<om::TensorDesc> from{{"x", ir::DataType::Float32, {2}}};
    auto ok16 = profile::adaptInputs(in, from, {{"x", ir::DataType::Float16, {2}}});
    QVERIFY(ok16);
    QCOMPARE(ok16->at(0).dtype(), ir::DataType::Float16);
    auto bad = profile::adaptInputs(in, from, {{"x", ir::DataType::Int64, {2}}});
    QVERIFY(!bad);
    QVERIFY(bad.error().message.find("'x'") != std::string::npos);
    QVERIFY(!profile::adaptInputs(in, from, {{"a", ir::DataType::Float32, {2}}, {"b", ir::DataType::Float32, {2}}}));
  }

  // ---- gearbench ----

  void gearbenchAccuracyJson() {
    test::ChainOptions o;
    const auto fp32 = path("bench_fp32.onnx"), fp16 = path("bench_fp16.onnx");
    QVERIFY(test::writeModel(test::convChain(o), fp32));
    o.fp16 = true;
    QVERIFY(test::writeModel(test::convChain(o), fp16));
    const auto json = path("acc.json");
    std::string out, err;
    const int rc = runGearbench({"--accuracy", "--model=" + fp16, "--reference=" + fp32, "--input_shape=x:-1,3,8,8",
                                 "--dynamic_batch_size=1,3", "--json=" + json},
                                &out, &err);
    QVERIFY2(rc == 0, err.c_str());
    QVERIFY(out.find("gear 1") != std::string::npos);
    auto j = readJson(json);
    QVERIFY(!j.is_discarded());
    QCOMPARE(j["mode"].get<std::string>(), std::string("accuracy"));
    QCOMPARE(j["gears"].size(), std::size_t{2});
    for (const auto& g : j["gears"]) {
      QVERIFY(g.contains("precision"));
      const auto& a = g["accuracy"];
      for (const char* key : {"max_abs_error", "max_rel_error", "cosine", "top1_agreement"})
        QVERIFY2(a.contains(key), key);
      // fp16 weights and activations: close to fp32, but not identical.
      const double cosine = a["cosine"].get<double>();
      QVERIFY2(cosine > 0.999 && cosine <= 1.0, std::to_string(cosine).c_str());
      QVERIFY(a["max_abs_error"].get<double>() > 0);
      QVERIFY(a["max_abs_error"].get<double>() < 0.1);
      QVERIFY(a["max_rel_error"].get<double>() < 0.05);
      // y [N, 4] is a class-score output: top-1 agreement is a fraction.
      QVERIFY(a["top1_agreement"].is_number());
      QVERIFY(a["top1_agreement"].get<double>() >= 0.0 && a["top1_agreement"].get<double>() <= 1.0);
      QCOMPARE(a["outputs"].size(), std::size_t{1});
      QCOMPARE(a["outputs"][0]["name"].get<std::string>(), std::string("y"));
      QCOMPARE(a["outputs"][0]["top1_rows"].get<int>(), g["inputs"][0]["dims"][0].get<int>());
    }
    QVERIFY(j["summary"]["cosine"].is_number());

    // --per-layer with a threshold of 1: some fp16 layer is below it, and it is named.
    const auto json2 = path("acc_layers.json");
    QVERIFY(runGearbench({"--accuracy", "--per-layer", "--per-layer-threshold=1", "--model=" + fp16,
                          "--reference=" + fp32, "--input_shape=x:2,3,8,8", "--json=" + json2},
                         &out, &err) == 0);
    auto k = readJson(json2);
    const auto& pl = k["gears"][0]["per_layer"];
    QVERIFY(pl["first_bad_layer"].is_object());
    QVERIFY(pl["compared_tensors"].get<int>() >= 8);
    QVERIFY(out.find("first layer below 1") != std::string::npos);
    // Same files, the default threshold: nothing below 0.99.
    QVERIFY(runGearbench({"--accuracy", "--per-layer", "--model=" + fp16, "--reference=" + fp32,
                          "--input_shape=x:2,3,8,8", "--json=" + json2}) == 0);
    QVERIFY(readJson(json2)["gears"][0]["per_layer"]["first_bad_layer"].is_null());
  }

  void gearbenchAccuracyWithInputFolder() {
    const auto fp32 = path("in_fp32.onnx");
    QVERIFY(test::writeModel(test::convChain({}), fp32));
    QDir(m_dir.path()).mkdir("inputs");
    const auto dir = path("inputs");
    std::mt19937 rng(1);
    QVERIFY(runtime::npy::write(dir + "/x.npy", runtime::randomTensor(ir::DataType::Float32, {3, 3, 8, 8}, rng)));
    const auto json = path("in.json");
    std::string out, err;
    // The .npy shapes choose gear 1; the model against itself is exact.
    QVERIFY2(runGearbench({"--accuracy", "--model=" + fp32, "--input_shape=x:-1,3,8,8", "--dynamic_batch_size=1,3",
                           "--input=" + dir, "--json=" + json},
                          &out, &err) == 0,
             err.c_str());
    auto j = readJson(json);
    QCOMPARE(j["gears"].size(), std::size_t{1});
    QCOMPARE(j["gears"][0]["index"].get<int>(), 1);
    QCOMPARE(j["gears"][0]["input_source"].get<std::string>(), dir);
    QCOMPARE(j["gears"][0]["accuracy"]["cosine"].get<double>(), 1.0);
    QCOMPARE(j["gears"][0]["accuracy"]["max_abs_error"].get<double>(), 0.0);
  }

  void gearbenchAccuracyErrors() {
    const auto fp32 = path("err_fp32.onnx");
    QVERIFY(test::writeModel(test::convChain({}), fp32));
    std::string err;
    QCOMPARE(runGearbench({"--accuracy", "--model=m.om"}, nullptr, &err), 2);
    QVERIFY(err.find("--reference") != std::string::npos);
    QCOMPARE(runGearbench({"--per-layer", "--model=" + fp32}, nullptr, &err), 2);
    QVERIFY(err.find("--accuracy") != std::string::npos);
    QCOMPARE(runGearbench({"--accuracy", "--per-layer-threshold=0.9", "--model=" + fp32}, nullptr, &err), 2);
    QCOMPARE(runGearbench({"--accuracy", "--per-layer", "--per-layer-threshold=abc", "--model=" + fp32}, nullptr, &err),
             2);
    QCOMPARE(runGearbench({"--accuracy", "--precision-matrix=fp32", "--model=" + fp32}, nullptr, &err), 2);
    QCOMPARE(
        runGearbench({"--precision-matrix=fp32,int8", "--model=" + fp32, "--input_shape=x:1,3,8,8"}, nullptr, &err), 2);
    QVERIFY(err.find("--calibration") != std::string::npos);
    QCOMPARE(runGearbench({"--precision-matrix=fp64", "--model=" + fp32, "--input_shape=x:1,3,8,8"}, nullptr, &err), 2);
    QVERIFY(err.find("fp64") != std::string::npos);
    QCOMPARE(runGearbench({"--precision-matrix=fp32", "--model=" + fp32, "--reference=" + fp32}, nullptr, &err), 2);
    QCOMPARE(
        runGearbench({"--accuracy", "--model=" + fp32, "--input_shape=x:1,3,8,8", "--output=/tmp/x"}, nullptr, &err),
        2);
    // A reference that does not exist, and one whose inputs do not fit.
    QCOMPARE(
        runGearbench({"--accuracy", "--model=" + fp32, "--input_shape=x:1,3,8,8", "--reference=" + path("no.onnx")},
                     nullptr, &err),
        1);
    QVERIFY(err.find("reference") != std::string::npos);
    const auto mm = path("err_mm.onnx");
    QVERIFY(test::writeModel(test::matmulChain({}), mm));
    QVERIFY(runGearbench({"--accuracy", "--model=" + fp32, "--input_shape=x:1,3,8,8", "--reference=" + mm}, nullptr,
                         &err) != 0);
    QVERIFY(!err.empty());
    // A shape the model does not take: the build's error names the node.
    QVERIFY(runGearbench({"--accuracy", "--model=" + fp32, "--input_shape=x:1,5,8,8"}, nullptr, &err) != 0);
    QVERIFY(err.find("conv0") != std::string::npos);
  }

  void sampleFolders() {
    // Five samples: three of batch 1, two of batch 3; the comparison pools each gear's samples.
    QDir(m_dir.path()).mkpath("samples");
    const auto dir = path("samples");
    std::mt19937 rng(8);
    for (int i = 0; i < 5; ++i) {
      const auto sub = dir + "/s" + std::to_string(i);
      QDir().mkpath(QString::fromStdString(sub));
      QVERIFY(runtime::npy::write(sub + "/x.npy",
                                  runtime::randomTensor(ir::DataType::Float32, {i < 3 ? 1 : 3, 3, 8, 8}, rng)));
    }
    const std::vector<om::TensorDesc> batch1{{"x", ir::DataType::Float32, {1, 3, 8, 8}}};
    QVERIFY(profile::isSampleFolder(dir, batch1));
    int other = -1;
    auto s1 = profile::loadSamples(dir, batch1, &other);
    QVERIFY(s1);
    QCOMPARE(s1->size(), std::size_t{3});
    QCOMPARE(other, 2);
    // float16 inputs: the samples are converted.
    auto s16 = profile::loadSamples(dir, {{"x", ir::DataType::Float16, {3, 3, 8, 8}}});
    QVERIFY(s16);
    QCOMPARE(s16->size(), std::size_t{2});
    QCOMPARE(s16->at(0).at(0).dtype(), ir::DataType::Float16);
    // An input no sample has, and an int64 input the float files do not convert to.
    auto missing = profile::loadSamples(dir, {{"y", ir::DataType::Float32, {1, 3, 8, 8}}});
    QVERIFY(!missing);
    QVERIFY(missing.error().message.find("y.npy") != std::string::npos);
    QVERIFY(!profile::loadSamples(dir, {{"x", ir::DataType::Int64, {1, 3, 8, 8}}}));
    QVERIFY(!profile::loadSamples(path("no_such_dir"), batch1));

    // Pooled comparison over samples: an fp16 model against its fp32 original.
    test::ChainOptions o;
    const auto fp32 = path("samples_fp32.onnx"), fp16 = path("samples_fp16.onnx");
    QVERIFY(test::writeModel(test::convChain(o), fp32));
    o.fp16 = true;
    QVERIFY(test::writeModel(test::convChain(o), fp16));
    const auto opts = options({{"input_shape", "x:-1,3,8,8"}, {"dynamic_batch_size", "1,3"}});
    auto ref = sessionFor(fp32, opts);
    auto cand = sessionFor(fp16, opts);
    QVERIFY(ref && cand);
    auto pooled = profile::compareOutputs(*ref, 0, *cand, 0, *s1);
    QVERIFY2(pooled, pooled ? "" : pooled.error().str().c_str());
    const auto& y = pooled->at(0);
    QVERIFY(y.compared());
    QCOMPARE(y.samples, 3);
    QCOMPARE(y.top1Rows, int64_t{3});
    QCOMPARE(y.elements, int64_t{12});
    double worst = 1, maxAbs = 0;
    for (const auto& sample : *s1) {
      auto one = profile::compareOutputs(*ref, 0, *cand, 0, sample);
      QVERIFY(one);
      worst = std::min(worst, one->at(0).cosine);
      maxAbs = std::max(maxAbs, one->at(0).maxAbsError);
    }
    QCOMPARE(y.worstSampleCosine, worst);
    QCOMPARE(y.maxAbsError, maxAbs);
    QVERIFY(y.maxAbsError > 0);

    // gearbench: each gear runs the samples of its shapes.
    const auto json = path("samples.json");
    std::string out, err;
    QVERIFY2(runGearbench({"--accuracy", "--model=" + fp16, "--reference=" + fp32, "--input_shape=x:-1,3,8,8",
                           "--dynamic_batch_size=1,3,4", "--input=" + dir, "--json=" + json},
                          &out, &err) == 0,
             err.c_str());
    auto j = readJson(json);
    QCOMPARE(j["gears"].size(), std::size_t{2}); // batch 4 has no sample
    QCOMPARE(j["gears"][0]["accuracy"]["outputs"][0]["samples"].get<int>(), 3);
    QCOMPARE(j["gears"][1]["accuracy"]["outputs"][0]["samples"].get<int>(), 2);
    QCOMPARE(j["gears"][1]["accuracy"]["outputs"][0]["top1_rows"].get<int>(), 6);
    QVERIFY(j["gears"][0]["input_source"].get<std::string>().find("3 sample(s)") != std::string::npos);
    QVERIFY(out.find("no sample has this gear's input shapes") != std::string::npos);
  }

  // ---- the precision x gear matrix ----

  void precisionMatrixOneCellPerPrecisionAndGear() {
    const auto p = path("matrix.onnx");
    QVERIFY(test::writeModel(test::convChain({}), p));
    auto model = onnx_import::importModel(p);
    QVERIFY(model);
    auto build = session::requestFromOptions(options({{"input_shape", "x:-1,3,8,8"}, {"dynamic_batch_size", "1,2"}}));
    QVERIFY(build);
    profile::PrecisionMatrixRequest r;
    r.profile.warmup = 1;
    r.profile.loops = 3;
    r.profile.threads = 1;
    r.profile.profileOps = false;
    auto list = profile::parsePrecisionList("fp32,force_fp16,bf16", {});
    QVERIFY(list);
    QCOMPARE(list->size(), std::size_t{3});
    r.precisions = *list;
    r.worstLayers = 2;
    std::vector<double> fractions;
    Progress progress;
    progress.report = [&](double f, const std::string&) { fractions.push_back(f); };
    auto m = profile::precisionMatrix(*model, *build, r, progress);
    QVERIFY2(m, m ? "" : m.error().str().c_str());
    QVERIFY(!m->cancelled);
    QCOMPARE(m->gearLabels.size(), std::size_t{2});
    QCOMPARE(m->rows.size(), std::size_t{3});
    QCOMPARE(m->rows[0].label, std::string("force_fp32"));
    QCOMPARE(m->rows[1].label, std::string("force_fp16"));
    for (const auto& row : m->rows) {
      QVERIFY2(row.error.empty(), row.error.c_str());
      QCOMPARE(row.cells.size(), std::size_t{2});
      for (std::size_t g = 0; g < row.cells.size(); ++g) {
        const auto& c = row.cells[g];
        QVERIFY2(c.error.empty(), c.error.c_str());
        QCOMPARE(c.gear, static_cast<int>(g));
        QVERIFY(c.latency.median > 0);
        QVERIFY(c.memory.gearArenaBytes > 0);
        QCOMPARE(c.accuracy.tensors, 1);
        QVERIFY(c.accuracy.minCosine > 0.99 && c.accuracy.minCosine <= 1.0);
        QCOMPARE(c.worstLayers.size(), std::size_t{2});
      }
    }
    // The reference's own row is exact.
    QCOMPARE(m->rows[0].cells[0].accuracy.maxAbsError, 0.0);
    QVERIFY(std::is_sorted(fractions.begin(), fractions.end()));
    QCOMPARE(fractions.back(), 1.0);

    auto j = profile::toJson(*m);
    QCOMPARE(j["rows"].size(), std::size_t{3});
    QCOMPARE(j["rows"][1]["cells"].size(), std::size_t{2});
    QVERIFY(j["rows"][1]["cells"][0]["accuracy"].contains("cosine"));
    QCOMPARE(j["rows"][1]["cells"][0]["precision"].get<std::string>(), std::string("force_fp16"));
    const auto csv = profile::precisionMatrixCsv(*m);
    QCOMPARE(std::count(csv.begin(), csv.end(), '\n'), 1 + 3 * 2);
    const auto md = profile::precisionMatrixMarkdown(*m);
    QVERIFY(md.find("## Precision x gear") != std::string::npos);
    QVERIFY(md.find("| bf16 |") != std::string::npos);
    QVERIFY(md.find("Worst layers") != std::string::npos);
    // In the report exporter: a section of the Markdown report, with its chart.
    const auto report = profile::toMarkdown(nullptr, nullptr, nullptr, &*m, {{"precision_matrix", "pm.png"}});
    QVERIFY(report.find("# Profile report: matrix.onnx") != std::string::npos);
    QVERIFY(report.find("## Precision x gear") != std::string::npos);
    QVERIFY(report.find("(pm.png)") != std::string::npos);
    QVERIFY(report.find("Other charts") == std::string::npos);
  }

  void precisionMatrixCancelsAndRefuses() {
    const auto p = path("matrix_cancel.onnx");
    QVERIFY(test::writeModel(test::convChain({}), p));
    auto model = onnx_import::importModel(p);
    QVERIFY(model);
    auto build = session::requestFromOptions(options({{"input_shape", "x:1,3,8,8"}}));
    QVERIFY(build);
    profile::PrecisionMatrixRequest r;
    r.profile.warmup = 0;
    r.profile.loops = 2;
    QVERIFY(!profile::precisionMatrix(*model, *build, r)); // no precision
    r.precisions = *profile::parsePrecisionList("fp32,fp16", {});
    CancelToken cancel;
    cancel.cancel();
    Progress progress;
    progress.cancel = &cancel;
    auto m = profile::precisionMatrix(*model, *build, r, progress);
    QVERIFY(m);
    QVERIFY(m->cancelled);
    QVERIFY(m->rows.empty());
    // Cancelled after the first row's build: that row is not reported half done.
    CancelToken later;
    Progress p2;
    p2.cancel = &later;
    p2.report = [&](double, const std::string& what) {
      if (what.find("force_fp16") != std::string::npos) later.cancel();
    };
    auto m2 = profile::precisionMatrix(*model, *build, r, p2);
    QVERIFY(m2);
    QVERIFY(m2->cancelled);
    QCOMPARE(m2->rows.size(), std::size_t{1});
    QCOMPARE(m2->rows[0].label, std::string("force_fp32"));
    // int8 needs a calibration folder; a base config with one carries it to the row.
    QVERIFY(!profile::parsePrecisionList("int8", {}));
    shape_config::PrecisionConfig base;
    base.calibrationDir = "/some/dir";
    auto i8 = profile::parsePrecisionList("int8", base);
    QVERIFY(i8);
    QVERIFY(i8->at(0).quantizeInt8);
    QCOMPARE(i8->at(0).calibrationDir, std::string("/some/dir"));
  }

  void gearbenchPrecisionMatrix() {
    const auto p = path("bench_matrix.onnx");
    QVERIFY(test::writeModel(test::convChain({}), p));
    const auto json = path("matrix.json");
    std::string out, err;
    const int rc =
        runGearbench({"--precision-matrix=fp32,allow_mix_precision", "--model=" + p, "--input_shape=x:-1,3,8,8",
                      "--dynamic_batch_size=1,2", "--loop=3", "--warmup=0", "--threads=1", "--json=" + json},
                     &out, &err);
    QVERIFY2(rc == 0, err.c_str());
    QVERIFY(out.find("allow_mix_precision") != std::string::npos);
    auto j = readJson(json);
    QCOMPARE(j["mode"].get<std::string>(), std::string("precision_matrix"));
    QCOMPARE(j["matrix"]["rows"].size(), std::size_t{2});
    for (const auto& row : j["matrix"]["rows"])
      QCOMPARE(row["cells"].size(), std::size_t{2});
  }
};

QTEST_GUILESS_MAIN(TestAccuracy)
#include "test_accuracy.moc"
