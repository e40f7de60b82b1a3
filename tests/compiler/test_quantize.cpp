// The int8 quantizer (core/compiler/quantize): range methods on known distributions, quantization
// parameters, per-channel weights, and the QDQ model's structure (opset raised, BatchNormalization
// folded, per-channel scales, symmetric weights, int32 biases, keep list, refusals).
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <random>

#include <onnx/checker.h>
#include <onnx/onnx_pb.h>

#include "core/compiler/onnx/importer.h"
#include "core/compiler/quantize/quantize_model.h"
#include "core/compiler/quantize/range_statistics.h"

using namespace gs;
using namespace gs::quantize;

namespace {

onnx::ValueInfoProto valueInfo(const std::string& name, int elem, const std::vector<int64_t>& dims) {
  onnx::ValueInfoProto v;
  v.set_name(name);
  auto* t = v.mutable_type()->mutable_tensor_type();
  t->set_elem_type(elem);
  for (auto d : dims) {
    auto* dim = t->mutable_shape()->add_dim();
    if (d < 0)
      dim->set_dim_param("N");
    else
      dim->set_dim_value(d);
  }
  return v;
}

onnx::TensorProto floats(const std::string& name, const std::vector<int64_t>& dims, std::mt19937& rng, float lo = -0.5f,
                         float hi = 0.5f) {
  int64_t n = 1;
  for (auto d : dims)
    n *= d;
  std::uniform_real_distribution<float> u(lo, hi);
  std::vector<float> v(static_cast<std::size_t>(n));
  for (auto& x : v)
    x = u(rng);
  onnx::TensorProto t;
  t.set_name(name);
  t.set_data_type(onnx::TensorProto::FLOAT);
  for (auto d : dims)
    t.add_dims(d);
  t.set_raw_data(std::string(reinterpret_cast<const char*>(v.data()), v.size() * 4));
  return t;
}

onnx::NodeProto* node(onnx::GraphProto* g, const std::string& op, const std::string& name, std::vector<std::string> in,
                      std::vector<std::string> out) {
  auto* n = g->add_node();
  n->set_op_type(op);
  n->set_name(name);
  for (auto& s : in)
    n->add_input(s);
  for (auto& s : out)
    n->add_output(s);
  return n;
}

void intAttr(onnx::NodeProto* n, const std::string& name, int64_t v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(v);
}

// x[N,3,8,8] -> Conv(c1) -> BatchNormalization -> Relu -> Conv(c2, no bias) -> GlobalAveragePool ->
// Flatten -> Gemm(gm, transB) -> MatMul(mm) -> Softmax(axis 1) -> y. Opset 11; the first weights are
// a Constant node.
onnx::ModelProto smallNet(int64_t opset = 11) {
  std::mt19937 rng(5);
  onnx::ModelProto m;
  m.set_ir_version(6);
  m.add_opset_import()->set_version(opset);
  auto* g = m.mutable_graph();
  g->set_name("small");
  *g->add_input() = valueInfo("x", onnx::TensorProto::FLOAT, {-1, 3, 8, 8});
  *g->add_output() = valueInfo("y", onnx::TensorProto::FLOAT, {-1, 6});
  auto* k = node(g, "Constant", "w1_const", {}, {"w1"});
  auto* a = k->add_attribute();
  a->set_name("value");
  a->set_type(onnx::AttributeProto::TENSOR);
  *a->mutable_t() = floats("", {8, 3, 3, 3}, rng);
  *g->add_initializer() = floats("b1", {8}, rng);
  *g->add_initializer() = floats("bn_s", {8}, rng, 0.5f, 1.5f);
  *g->add_initializer() = floats("bn_b", {8}, rng);
  *g->add_initializer() = floats("bn_m", {8}, rng);
  *g->add_initializer() = floats("bn_v", {8}, rng, 0.5f, 1.0f);
  *g->add_initializer() = floats("w2", {8, 8, 3, 3}, rng);
  *g->add_initializer() = floats("w3", {5, 8}, rng);
  *g->add_initializer() = floats("b3", {5}, rng);
  *g->add_initializer() = floats("w4", {5, 6}, rng);
  auto* c1 = node(g, "Conv", "c1", {"x", "w1", "b1"}, {"c1_out"});
  (void)c1;
  node(g, "BatchNormalization", "bn", {"c1_out", "bn_s", "bn_b", "bn_m", "bn_v"}, {"bn_out"});
  node(g, "Relu", "relu", {"bn_out"}, {"r"});
  node(g, "Conv", "c2", {"r", "w2"}, {"c2_out"});
  node(g, "GlobalAveragePool", "gap", {"c2_out"}, {"p"});
  node(g, "Flatten", "flat", {"p"}, {"f"});
  intAttr(node(g, "Gemm", "gm", {"f", "w3", "b3"}, {"g"}), "transB", 1);
  node(g, "MatMul", "mm", {"g", "w4"}, {"z"});
  intAttr(node(g, "Softmax", "sm", {"z"}, {"y"}), "axis", 1);
  return m;
}

std::string bytesOf(const onnx::ModelProto& m) {
  std::string s;
  m.SerializeToString(&s);
  return s;
}

const onnx::TensorProto* findInit(const onnx::GraphProto& g, const std::string& name) {
  for (const auto& t : g.initializer())
    if (t.name() == name) return &t;
  return nullptr;
}

std::vector<float> floatData(const onnx::TensorProto& t) {
  std::vector<float> v(t.raw_data().size() / 4);
  std::memcpy(v.data(), t.raw_data().data(), v.size() * 4);
  return v;
}

const onnx::NodeProto* producerOf(const onnx::GraphProto& g, const std::string& out) {
  for (const auto& n : g.node())
    for (const auto& o : n.output())
      if (o == out) return &n;
  return nullptr;
}

const onnx::NodeProto* nodeNamed(const onnx::GraphProto& g, const std::string& name) {
  for (const auto& n : g.node())
    if (n.name() == name) return &n;
  return nullptr;
}

} // namespace

class TestQuantize : public QObject {
  Q_OBJECT

private slots:
  void minMaxIsExact() {
    TensorStatistics s;
    const std::vector<float> a{0.25f, -3.5f, 1.0f}, b{7.125f, 0.0f};
    QVERIFY(s.addMinMax(a));
    QVERIFY(s.addMinMax(b));
    auto r = s.range(RangeMethod::MinMax);
    QVERIFY(r);
    QCOMPARE(r->lo, -3.5f);
    QCOMPARE(r->hi, 7.125f);
    // Non-finite values are refused (the caller names tensor and sample).
    const std::vector<float> bad{1.0f, std::numeric_limits<float>::quiet_NaN()};
    QVERIFY(!s.addMinMax(bad));
    const std::vector<float> inf{std::numeric_limits<float>::infinity()};
    QVERIFY(!s.addMinMax(inf));
    TensorStatistics empty;
    QVERIFY(!empty.range(RangeMethod::MinMax));
  }

  void percentileClipsAnOutlier() {
    std::mt19937 rng(1);
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    std::vector<float> x(200000);
    for (auto& v : x)
      v = u(rng);
    x[777] = 50.0f; // one outlier
    TensorStatistics s;
    QVERIFY(s.addMinMax(x));
    s.startHistogram();
    s.addHistogram(x);
    const auto mm = *s.range(RangeMethod::MinMax);
    QCOMPARE(mm.hi, 50.0f);
    const auto p = *s.range(RangeMethod::Percentile, 99.99);
    QVERIFY2(p.hi > 0.97f && p.hi < 1.06f, qPrintable(QString::number(p.hi)));
    QVERIFY2(p.lo < -0.97f && p.lo >= mm.lo, qPrintable(QString::number(p.lo)));
    // A lower percentile clips more.
    const auto p90 = *s.range(RangeMethod::Percentile, 90.0);
    QVERIFY2(p90.hi > 0.85f && p90.hi < 0.95f, qPrintable(QString::number(p90.hi)));
  }

  void entropyFindsAThresholdBelowOutliers() {
    std::mt19937 rng(2);
    std::normal_distribution<float> n(0.0f, 1.0f);
    std::vector<float> x(400000);
    for (auto& v : x)
      v = n(rng);
    for (int i = 0; i < 40; ++i)
      x[static_cast<std::size_t>(i * 997)] = (i % 2 ? 60.0f : -60.0f);
    TensorStatistics s;
    QVERIFY(s.addMinMax(x));
    s.startHistogram();
    s.addHistogram(x);
    const auto e = *s.range(RangeMethod::Entropy);
    // A Gaussian's KL-optimal int8 threshold lies a few sigma out, far inside the outliers.
    QVERIFY2(e.hi > 2.0f && e.hi < 8.0f, qPrintable(QString::number(e.hi)));
    QVERIFY2(e.lo < -2.0f && e.lo > -8.0f, qPrintable(QString::number(e.lo)));
    QCOMPARE(e.lo, -e.hi); // symmetric threshold on |x|
    // Without negatives (a Relu's output), 256 levels: a threshold again below the outliers.
    std::vector<float> relu(x.size());
    std::transform(x.begin(), x.end(), relu.begin(), [](float v) { return std::max(v, 0.0f); });
    TensorStatistics r;
    QVERIFY(r.addMinMax(relu));
    r.startHistogram();
    r.addHistogram(relu);
    const auto er = *r.range(RangeMethod::Entropy);
    QCOMPARE(er.lo, 0.0f);
    QVERIFY2(er.hi > 2.0f && er.hi < 8.0f, qPrintable(QString::number(er.hi)));
  }

  void entropyOnAUniformTensorKeepsTheRange() {
    // Nothing to clip: the threshold stays at (nearly) the whole range.
    std::vector<float> x(100000);
    for (std::size_t i = 0; i < x.size(); ++i)
      x[i] = static_cast<float>(i) / static_cast<float>(x.size()) * 4.0f - 2.0f;
    TensorStatistics s;
    QVERIFY(s.addMinMax(x));
    s.startHistogram();
    s.addHistogram(x);
    const auto e = *s.range(RangeMethod::Entropy);
    QVERIFY2(e.hi > 1.8f, qPrintable(QString::number(e.hi)));
  }

  void statisticsDoNotDependOnOrder() {
    std::mt19937 rng(3);
    std::normal_distribution<float> n(0.5f, 2.0f);
    std::vector<float> x(50000);
    for (auto& v : x)
      v = n(rng);
    auto collect = [&](bool reversed) {
      TensorStatistics s;
      std::vector<float> a(x.begin(), x.begin() + 20000), b(x.begin() + 20000, x.end());
      if (reversed) std::swap(a, b);
      s.addMinMax(a);
      s.addMinMax(b);
      s.startHistogram();
      s.addHistogram(a);
      s.addHistogram(b);
      return s;
    };
    const auto s1 = collect(false), s2 = collect(true);
    QCOMPARE(s1.histogram(), s2.histogram());
    for (auto m : {RangeMethod::MinMax, RangeMethod::Percentile, RangeMethod::Entropy}) {
      const auto r1 = *s1.range(m), r2 = *s2.range(m);
      QCOMPARE(std::bit_cast<uint32_t>(r1.lo), std::bit_cast<uint32_t>(r2.lo));
      QCOMPARE(std::bit_cast<uint32_t>(r1.hi), std::bit_cast<uint32_t>(r2.hi));
    }
  }

  void activationParameters() {
    auto a = activationParams({-1.0f, 3.0f}, ActivationScheme::Asymmetric);
    QCOMPARE(a.scale, 4.0f / 255.0f);
    QCOMPARE(a.zeroPoint, 64); // round(1 / (4/255)) = round(63.75)
    QVERIFY(!a.isSigned);
    // A range that leaves 0 out is widened to hold it.
    a = activationParams({2.0f, 5.0f}, ActivationScheme::Asymmetric);
    QCOMPARE(a.scale, 5.0f / 255.0f);
    QCOMPARE(a.zeroPoint, 0);
    a = activationParams({-4.0f, -1.0f}, ActivationScheme::Asymmetric);
    QCOMPARE(a.zeroPoint, 255);
    auto s = activationParams({-1.0f, 3.0f}, ActivationScheme::Symmetric);
    QVERIFY(s.isSigned);
    QCOMPARE(s.zeroPoint, 0);
    QCOMPARE(s.scale, static_cast<float>(3.0 / 127.0));
    s = activationParams({0.0f, 2.0f}, ActivationScheme::Symmetric);
    QVERIFY(!s.isSigned);
    QCOMPARE(s.scale, static_cast<float>(2.0 / 255.0));
    // All zeros: a usable scale.
    QCOMPARE(activationParams({0.0f, 0.0f}, ActivationScheme::Asymmetric).scale, 1.0f);
  }

  void weightsPerChannelSymmetric_data() {
    QTest::addColumn<QVector<qint64>>("dims");
    QTest::addColumn<int>("axis");
    QTest::newRow("conv") << QVector<qint64>{6, 3, 3, 3} << 0;
    QTest::newRow("depthwise") << QVector<qint64>{8, 1, 3, 3} << 0;
    QTest::newRow("matmul") << QVector<qint64>{16, 7} << 1;
    QTest::newRow("gemm-transB") << QVector<qint64>{7, 16} << 0;
  }
  void weightsPerChannelSymmetric() {
    QFETCH(QVector<qint64>, dims);
    QFETCH(int, axis);
    std::vector<int64_t> d(dims.begin(), dims.end());
    int64_t n = 1;
    for (auto v : d)
      n *= v;
    std::mt19937 rng(9);
    std::normal_distribution<float> nd(0.0f, 0.3f);
    std::vector<float> w(static_cast<std::size_t>(n));
    for (auto& v : w)
      v = nd(rng);
    const auto channels = static_cast<std::size_t>(d[static_cast<std::size_t>(axis)]);
    std::size_t inner = 1;
    for (std::size_t k = static_cast<std::size_t>(axis) + 1; k < d.size(); ++k)
      inner *= static_cast<std::size_t>(d[k]);
    // One all-zero channel.
    for (std::size_t i = 0; i < w.size(); ++i)
      if ((i / inner) % channels == 1) w[i] = 0.0f;
    const auto q = quantizeWeights(w, d, axis);
    QCOMPARE(q.scales.size(), channels);
    QCOMPARE(q.values.size(), w.size());
    QCOMPARE(q.scales[1], 1.0f);
    std::vector<int> peak(channels, 0);
    for (std::size_t i = 0; i < w.size(); ++i) {
      const auto c = (i / inner) % channels;
      QVERIFY(q.values[i] >= -127);
      QVERIFY(std::abs(q.values[i] * q.scales[c] - w[i]) <= q.scales[c] * 0.5f + 1e-7f);
      peak[c] = std::max(peak[c], std::abs(static_cast<int>(q.values[i])));
    }
    for (std::size_t c = 0; c < channels; ++c)
      QCOMPARE(peak[c], c == 1 ? 0 : 127); // each channel's largest weight uses the full range
  }

  void prepareRaisesOpsetFoldsBatchNormAndFindsTargets() {
    QuantizeOptions o;
    o.ranks = {{"z", 2}};
    auto p = prepareModel(bytesOf(smallNet()), "", o);
    QVERIFY2(p, p ? "" : p.error().message.c_str());
    QCOMPARE(p->opsetBefore, int64_t{11});
    QCOMPARE(p->opsetAfter, int64_t{14});
    QCOMPARE(p->foldedAffine, 1);
    QCOMPARE(p->targets.size(), std::size_t{4});
    QCOMPARE(p->targets[0].node, std::string("c1"));
    QCOMPARE(p->targets[0].weightAxis, int64_t{0});
    QCOMPARE(p->targets[2].opType, std::string("Gemm"));
    QCOMPARE(p->targets[2].weightAxis, int64_t{0}); // transB: B is [N, K]
    QCOMPARE(p->targets[3].weightAxis, int64_t{1}); // MatMul: B is [K, N]
    QCOMPARE(p->activations, (std::vector<std::string>{"x", "r", "f", "g"}));
    onnx::ModelProto m;
    QVERIFY(m.ParseFromString(p->bytes));
    for (const auto& n : m.graph().node()) {
      QVERIFY(n.op_type() != "BatchNormalization");
      QVERIFY(n.op_type() != "Constant");
    }
    // The Softmax kept its axis (it travelled through the converter as Identity).
    const auto* sm = nodeNamed(m.graph(), "sm");
    QVERIFY(sm && sm->op_type() == "Softmax");
    // Without the rank, a Softmax over a non-last axis cannot be raised safely: refused by name.
    auto refused = prepareModel(bytesOf(smallNet()), "", {});
    QVERIFY(!refused);
    QVERIFY2(refused.error().message.find("'sm'") != std::string::npos, refused.error().message.c_str());
  }

  void qdqModelStructure() {
    QuantizeOptions o;
    o.ranks = {{"z", 2}};
    auto p = prepareModel(bytesOf(smallNet()), "", o);
    QVERIFY(p);
    std::map<std::string, ActivationRange> ranges{
        {"x", {-2.0f, 2.0f}}, {"r", {0.0f, 6.0f}}, {"f", {0.0f, 3.0f}}, {"g", {-1.5f, 4.0f}}};
    auto q = writeQdqModel(*p, ranges, o);
    QVERIFY2(q, q ? "" : q.error().message.c_str());
    onnx::ModelProto m;
    QVERIFY(m.ParseFromString(*q));
    try {
      onnx::checker::check_model(m);
    } catch (const std::exception& e) {
      QFAIL(e.what());
    }
    QVERIFY(onnx_import::importModelFromBytes(*q, ""));
    const auto& g = m.graph();
    std::map<std::string, int> ops;
    for (const auto& n : g.node())
      ops[n.op_type()]++;
    QCOMPARE(ops["QuantizeLinear"], 4);
    QCOMPARE(ops["DequantizeLinear"], 4 + 4 + 2); // activations, weights, biases (c1 from the fold, gm)
    for (const auto& t : p->targets) {
      const auto* n = nodeNamed(g, t.node);
      QVERIFY(n);
      // Activation: Q -> DQ, uint8 zero point, scalar scale.
      const auto* dqx = producerOf(g, n->input(0));
      QVERIFY(dqx && dqx->op_type() == "DequantizeLinear");
      const auto* qx = producerOf(g, dqx->input(0));
      QVERIFY(qx && qx->op_type() == "QuantizeLinear" && qx->input(0) == t.activation);
      const auto* xs = findInit(g, dqx->input(1));
      const auto* xz = findInit(g, dqx->input(2));
      QVERIFY(xs && xz && xs->dims_size() == 0 && xz->data_type() == onnx::TensorProto::UINT8);
      const float xScale = floatData(*xs)[0];
      const auto p2 = activationParams(ranges[t.activation], ActivationScheme::Asymmetric);
      QCOMPARE(xScale, p2.scale);
      // Weights: int8 per output channel, no zero point (symmetric 0), axis as the op needs.
      const auto* dqw = producerOf(g, n->input(1));
      QVERIFY(dqw && dqw->op_type() == "DequantizeLinear" && dqw->input_size() == 2);
      const auto* wq = findInit(g, dqw->input(0));
      const auto* ws = findInit(g, dqw->input(1));
      QVERIFY(wq && ws && wq->data_type() == onnx::TensorProto::INT8);
      QCOMPARE(ws->dims_size(), 1);
      QCOMPARE(ws->dims(0), wq->dims(static_cast<int>(t.weightAxis)));
      int64_t axis = -100;
      for (const auto& a : dqw->attribute())
        if (a.name() == "axis") axis = a.i();
      QCOMPARE(axis, t.weightAxis);
      // Bias: int32, scale x_scale * w_scale per channel.
      if (n->input_size() > 2) {
        const auto* dqb = producerOf(g, n->input(2));
        QVERIFY(dqb && dqb->op_type() == "DequantizeLinear");
        const auto* bq = findInit(g, dqb->input(0));
        const auto* bs = findInit(g, dqb->input(1));
        QVERIFY(bq && bs && bq->data_type() == onnx::TensorProto::INT32);
        const auto wsv = floatData(*ws), bsv = floatData(*bs);
        QCOMPARE(bsv.size(), wsv.size());
        for (std::size_t c = 0; c < wsv.size(); ++c)
          QCOMPARE(bsv[c], xScale * wsv[c]);
      }
    }
    QVERIFY(findInit(g, "w2") == nullptr); // float weights replaced, not kept next to the int8 copy
  }

  void deadChannelKeepsItsBias() {
    // A channel with (almost) zero weights and a real bias, as BatchNormalization folds leave them:
    // the weight scale is raised so the int32 bias is not clipped.
    onnx::ModelProto m;
    m.set_ir_version(8);
    m.add_opset_import()->set_version(13);
    auto* g = m.mutable_graph();
    *g->add_input() = valueInfo("x", onnx::TensorProto::FLOAT, {1, 2, 4, 4});
    *g->add_output() = valueInfo("y", onnx::TensorProto::FLOAT, {1, 2, 4, 4});
    std::vector<float> w{0.5f, -0.25f, 1e-20f, -2e-20f}, b{0.1f, 0.75f};
    onnx::TensorProto wt, bt;
    wt.set_name("w");
    wt.set_data_type(onnx::TensorProto::FLOAT);
    for (auto d : {2, 2, 1, 1})
      wt.add_dims(d);
    wt.set_raw_data(std::string(reinterpret_cast<const char*>(w.data()), 16));
    bt.set_name("b");
    bt.set_data_type(onnx::TensorProto::FLOAT);
    bt.add_dims(2);
    bt.set_raw_data(std::string(reinterpret_cast<const char*>(b.data()), 8));
    *g->add_initializer() = wt;
    *g->add_initializer() = bt;
    node(g, "Conv", "conv", {"x", "w", "b"}, {"y"});
    auto p = prepareModel(bytesOf(m), "", {});
    QVERIFY(p);
    auto q = writeQdqModel(*p, {{"x", {-1.0f, 1.0f}}}, {});
    QVERIFY(q);
    onnx::ModelProto out;
    QVERIFY(out.ParseFromString(*q));
    const auto* conv = nodeNamed(out.graph(), "conv");
    const auto* dqb = producerOf(out.graph(), conv->input(2));
    const auto* bq = findInit(out.graph(), dqb->input(0));
    const auto* bs = findInit(out.graph(), dqb->input(1));
    std::vector<int32_t> ints(2);
    std::memcpy(ints.data(), bq->raw_data().data(), 8);
    const auto scales = floatData(*bs);
    for (int c = 0; c < 2; ++c) {
      QVERIFY(std::abs(static_cast<int64_t>(ints[c])) < (int64_t{1} << 31) - 1);
      QVERIFY(std::abs(ints[c] * scales[c] - b[c]) <= scales[c]);
      QVERIFY(std::isnormal(scales[c]));
    }
  }

  void keepListKeepsNodesFloat() {
    QuantizeOptions o;
    o.ranks = {{"z", 2}};
    o.keepNodes = {"c2"};
    o.keepOpTypes = {"MatMul"};
    auto p = prepareModel(bytesOf(smallNet()), "", o);
    QVERIFY(p);
    QCOMPARE(p->kept, (std::vector<std::string>{"c2", "mm"}));
    QCOMPARE(p->targets.size(), std::size_t{2});
    auto q = writeQdqModel(*p, {{"x", {-2.0f, 2.0f}}, {"f", {0.0f, 3.0f}}}, o);
    QVERIFY(q);
    onnx::ModelProto m;
    QVERIFY(m.ParseFromString(*q));
    const auto* c2 = nodeNamed(m.graph(), "c2");
    QVERIFY(c2 && c2->input(0) == "r" && c2->input(1) == "w2");
    QVERIFY(findInit(m.graph(), "w2") && findInit(m.graph(), "w2")->data_type() == onnx::TensorProto::FLOAT);
    // Everything kept: nothing to do, said so.
    o.keepOpTypes = {"Conv", "Gemm", "MatMul"};
    auto none = prepareModel(bytesOf(smallNet()), "", o);
    QVERIFY(!none);
    QVERIFY(none.error().message.find("--keep_dtype") != std::string::npos);
  }

  void missingRangeIsAnError() {
    QuantizeOptions o;
    o.ranks = {{"z", 2}};
    auto p = prepareModel(bytesOf(smallNet()), "", o);
    QVERIFY(p);
    auto q = writeQdqModel(*p, {{"x", {-1.0f, 1.0f}}}, o);
    QVERIFY(!q);
    QVERIFY(q.error().message.find("'r'") != std::string::npos);
  }

  void refusesQuantizedAnd16BitModels() {
    // Already quantized: a QuantizeLinear anywhere.
    auto m = smallNet(13);
    auto* g = m.mutable_graph();
    *g->add_initializer() = [] {
      onnx::TensorProto t;
      t.set_name("qs");
      t.set_data_type(onnx::TensorProto::FLOAT);
      t.add_float_data(0.1f);
      return t;
    }();
    node(g, "QuantizeLinear", "already", {"y", "qs"}, {"yq"});
    auto r = prepareModel(bytesOf(m), "", {});
    QVERIFY(!r);
    QCOMPARE(r.error().code, std::string(codes::kUnsupported));
    QVERIFY2(r.error().message.find("already quantized") != std::string::npos, r.error().message.c_str());
    // float16 input.
    auto h = smallNet(13);
    h.mutable_graph()->mutable_input(0)->mutable_type()->mutable_tensor_type()->set_elem_type(
        onnx::TensorProto::FLOAT16);
    r = prepareModel(bytesOf(h), "", {});
    QVERIFY(!r);
    QVERIFY2(r.error().message.find("16-bit") != std::string::npos, r.error().message.c_str());
    // Not a model at all.
    r = prepareModel("not a model", "", {});
    QVERIFY(!r);
    QCOMPARE(r.error().code, std::string(codes::kFormat));
    // No Conv/MatMul/Gemm with constant weights.
    onnx::ModelProto plain;
    plain.set_ir_version(8);
    plain.add_opset_import()->set_version(13);
    *plain.mutable_graph()->add_input() = valueInfo("a", onnx::TensorProto::FLOAT, {2, 2});
    *plain.mutable_graph()->add_output() = valueInfo("b", onnx::TensorProto::FLOAT, {2, 2});
    node(plain.mutable_graph(), "Relu", "relu", {"a"}, {"b"});
    r = prepareModel(bytesOf(plain), "", {});
    QVERIFY(!r);
    QCOMPARE(r.error().code, std::string(codes::kInvalid));
  }

  void sameInputsSameBytes() {
    QuantizeOptions o;
    o.ranks = {{"z", 2}};
    const std::map<std::string, ActivationRange> ranges{
        {"x", {-2.0f, 2.0f}}, {"r", {0.0f, 6.0f}}, {"f", {0.0f, 3.0f}}, {"g", {-1.5f, 4.0f}}};
    auto a = writeQdqModel(*prepareModel(bytesOf(smallNet()), "", o), ranges, o);
    auto b = writeQdqModel(*prepareModel(bytesOf(smallNet()), "", o), ranges, o);
    QVERIFY(a && b);
    QVERIFY(*a == *b);
  }
};

QTEST_GUILESS_MAIN(TestQuantize)
#include "test_quantize.moc"
