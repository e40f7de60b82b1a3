// QDQ-quantized models end to end: a model as ONNX Runtime's quantizer writes them (QuantizeLinear ->
// DequantizeLinear around Conv, depthwise Conv, Gemm and MatMul; int8 per-channel and per-tensor
// weights, int32 biases, uint8 activations) compiled with the fuse-qdq pass (QuantConv / QuantMatMul on
// oneDNN's int8 primitives) and without it (the reference QDQ kernels): the fused graph holds no float
// Conv/Gemm/MatMul, and its outputs equal the unfused ones within one quantisation step.
#include <QtTest>

#include <cmath>
#include <map>
#include <random>

#include "core/compiler/compile.h"
#include "core/compiler/onnx/importer.h"
#include "core/compiler/shape_config/atc_options.h"
#include "core/compiler/shape_config/shape_config.h"
#include "core/ir/gs_ops.h"
#include "core/runtime/cpu/cpu_device.h"
#include "core/session/compile_target.h"
#include "onnx_models.h"

using namespace gs;
using runtime::HostTensor;

namespace {

template <class T>
onnx::TensorProto rawProto(const std::string& name, int type, const std::vector<int64_t>& dims,
                           const std::vector<T>& values) {
  onnx::TensorProto t;
  t.set_name(name);
  t.set_data_type(type);
  for (auto d : dims)
    t.add_dims(d);
  t.set_raw_data(std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(T)));
  return t;
}

class QdqBuilder {
public:
  explicit QdqBuilder(onnx::GraphProto* g) : m_g(g) {}

  // name -> Q -> DQ with a per-tensor uint8 scale / zero point; returns the DQ output.
  std::string qdq(const std::string& x, float scale, uint8_t zero) {
    const auto s = x + "_s", z = x + "_z";
    *m_g->add_initializer() = test::floatProto(s, {}, {scale});
    *m_g->add_initializer() = rawProto<uint8_t>(z, onnx::TensorProto::UINT8, {}, {zero});
    test::addNode(m_g, "QuantizeLinear", {x, s, z}, {x + "_q"});
    test::addNode(m_g, "DequantizeLinear", {x + "_q", s, z}, {x + "_dq"});
    return x + "_dq";
  }
  // Constant int8 weights behind a DequantizeLinear (per-axis when scales has more than one value).
  std::string weights(const std::string& name, const std::vector<int64_t>& dims, const std::vector<float>& scales,
                      int64_t axis, std::mt19937& rng) {
    int64_t n = 1;
    for (auto d : dims)
      n *= d;
    std::uniform_int_distribution<int> u(-127, 127);
    std::vector<int8_t> q(static_cast<std::size_t>(n));
    for (auto& v : q)
      v = static_cast<int8_t>(u(rng));
    *m_g->add_initializer() = rawProto<int8_t>(name + "_q", onnx::TensorProto::INT8, dims, q);
    *m_g->add_initializer() = test::floatProto(
        name + "_s", scales.size() > 1 ? std::vector<int64_t>{int64_t(scales.size())} : std::vector<int64_t>{}, scales);
    auto* dq = test::addNode(m_g, "DequantizeLinear", {name + "_q", name + "_s"}, {name});
    if (scales.size() > 1) {
      auto* a = dq->add_attribute();
      a->set_name("axis");
      a->set_type(onnx::AttributeProto::INT);
      a->set_i(axis);
    }
    return name;
  }
  std::string bias(const std::string& name, const std::vector<float>& scales, std::mt19937& rng) {
    std::uniform_int_distribution<int32_t> u(-3000, 3000);
    std::vector<int32_t> q(scales.size());
    for (auto& v : q)
      v = u(rng);
    *m_g->add_initializer() = rawProto<int32_t>(name + "_q", onnx::TensorProto::INT32, {int64_t(scales.size())}, q);
    *m_g->add_initializer() = test::floatProto(name + "_s", {int64_t(scales.size())}, scales);
    auto* dq = test::addNode(m_g, "DequantizeLinear", {name + "_q", name + "_s"}, {name});
    auto* a = dq->add_attribute();
    a->set_name("axis");
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(0);
    return name;
  }

private:
  onnx::GraphProto* m_g;
};

void intAttr(onnx::NodeProto* n, const std::string& name, int64_t v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(v);
}
void intsAttr(onnx::NodeProto* n, const std::string& name, std::vector<int64_t> v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INTS);
  for (auto x : v)
    a->add_ints(x);
}

// The scales of the quantized tensors (the outputs' steps are what the comparison allows).
constexpr float kXs = 4.0f / 255, kY1 = 6.0f / 255, kR1 = 3.0f / 255, kY2 = 5.0f / 255, kF = 2.0f / 255,
                kG = 4.0f / 255;

onnx::ModelProto qdqModel() {
  std::mt19937 rng(17);
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.add_opset_import()->set_version(13);
  auto* g = m.mutable_graph();
  g->set_name("qdq");
  *g->add_input() = test::valueInfo("x", onnx::TensorProto::FLOAT, {"1", "4", "10", "10"});
  QdqBuilder b(g);
  std::vector<float> ws1(8), ws2(8);
  std::uniform_real_distribution<float> us(0.004f, 0.02f);
  for (auto& s : ws1)
    s = us(rng);
  for (auto& s : ws2)
    s = us(rng);
  std::vector<float> bs1(8);
  for (std::size_t i = 0; i < 8; ++i)
    bs1[i] = kXs * ws1[i];
  // Conv 4 -> 8 (3x3, pads 1), per-channel weights, int32 bias; output Q -> DQ -> Relu.
  auto* c1 = test::addNode(
      g, "Conv", {b.qdq("x", kXs, 128), b.weights("w1", {8, 4, 3, 3}, ws1, 0, rng), b.bias("b1", bs1, rng)}, {"y1"});
  intsAttr(c1, "pads", {1, 1, 1, 1});
  test::addNode(g, "Relu", {b.qdq("y1", kY1, 128)}, {"r1"});
  // Depthwise conv, stride 2, no bias; its output Q -> DQ is a graph output.
  auto* c2 = test::addNode(g, "Conv", {b.qdq("r1", kR1, 0), b.weights("w2", {8, 1, 3, 3}, ws2, 0, rng)}, {"y2"});
  intAttr(c2, "group", 8);
  intsAttr(c2, "strides", {2, 2});
  intsAttr(c2, "pads", {1, 1, 1, 1});
  const auto y2 = b.qdq("y2", kY2, 100);
  test::addNode(g, "GlobalAveragePool", {y2}, {"p"});
  test::addNode(g, "Flatten", {"p"}, {"f"});
  const auto f = b.qdq("f", kF, 60);
  // Gemm with transposed per-tensor weights and an int32 bias, output Q -> DQ (graph output).
  auto* gm = test::addNode(
      g, "Gemm", {f, b.weights("w3", {5, 8}, {0.01f}, 0, rng), b.bias("b3", std::vector<float>(5, kF * 0.01f), rng)},
      {"gm"});
  intAttr(gm, "transB", 1);
  const auto gq = b.qdq("gm", kG, 128);
  // MatMul with per-column weights, float output.
  std::vector<float> ws4(6);
  for (auto& s : ws4)
    s = us(rng);
  test::addNode(g, "MatMul", {f, b.weights("w4", {8, 6}, ws4, 1, rng)}, {"mm"});
  test::addNode(g, "Identity", {y2}, {"out_conv"});
  test::addNode(g, "Identity", {gq}, {"out_gemm"});
  *g->add_output() = test::valueInfo("out_conv", onnx::TensorProto::FLOAT, {"1", "8", "5", "5"});
  *g->add_output() = test::valueInfo("out_gemm", onnx::TensorProto::FLOAT, {"1", "5"});
  *g->add_output() = test::valueInfo("mm", onnx::TensorProto::FLOAT, {"1", "6"});
  return m;
}

std::map<std::string, int> opCounts(const ir::Graph& g) {
  std::map<std::string, int> ops;
  for (const auto& n : g.nodes)
    ops[(n.domain.empty() ? "" : n.domain + ".") + n.opType]++;
  return ops;
}

} // namespace

class TestQuantModels : public QObject {
  Q_OBJECT

  Expected<std::vector<HostTensor>> compileAndRun(const ir::Model& model, std::vector<std::string> disabled,
                                                  const HostTensor& x, std::map<std::string, int>* ops) {
    shape_config::AtcOptions o;
    GS_RETURN_IF_ERROR(shape_config::setOption(o, "input_shape", "x:1,4,10,10"));
    GS_ASSIGN_OR_RETURN(auto config, shape_config::fromOptions(o));
    compiler::CompileOptions co;
    co.target = session::compileTarget(runtime::cpu::cpuDevice());
    co.verifyEachPass = true;
    co.disabledPasses = std::move(disabled);
    GS_ASSIGN_OR_RETURN(auto om, compiler::compile(model, config, co, {}));
    if (ops) *ops = opCounts(om.gears[0].graph);
    auto shared = std::make_shared<const om::Model>(std::move(om));
    GS_ASSIGN_OR_RETURN(auto dm, runtime::cpu::cpuDevice().load(shared, {}));
    GS_ASSIGN_OR_RETURN(auto plan, dm->prepare(0));
    std::vector<HostTensor> y;
    GS_RETURN_IF_ERROR(plan->run(std::span(&x, 1), y, nullptr));
    return y;
  }

private slots:
  void fusedMatchesUnfusedWithinOneStep() {
    std::string bytes;
    QVERIFY(qdqModel().SerializeToString(&bytes));
    auto model = onnx_import::importModelFromBytes(bytes, ".");
    QVERIFY2(model, model ? "" : model.error().str().c_str());
    for (uint32_t seed = 1; seed <= 5; ++seed) {
      HostTensor x(ir::DataType::Float32, {1, 4, 10, 10});
      std::mt19937 rng(seed);
      std::uniform_real_distribution<float> d(-2.5f, 2.5f);
      for (int64_t i = 0; i < x.numel(); ++i)
        x.as<float>()[i] = seed == 5 && i % 3 == 0 ? kXs * (float(i % 20) - 10.5f) : d(rng); // ties
      std::map<std::string, int> fusedOps, plainOps;
      auto fused = compileAndRun(*model, {}, x, &fusedOps);
      QVERIFY2(fused, fused ? "" : fused.error().str().c_str());
      auto plain = compileAndRun(*model, {"fuse-qdq"}, x, &plainOps);
      QVERIFY2(plain, plain ? "" : plain.error().str().c_str());
      QCOMPARE(fusedOps["ai.gearstudio.QuantConv"], 2);
      QCOMPARE(fusedOps["ai.gearstudio.QuantMatMul"], 2);
      QCOMPARE(fusedOps["Conv"] + fusedOps["Gemm"] + fusedOps["MatMul"], 0);
      QCOMPARE(plainOps["ai.gearstudio.QuantConv"], 0);
      QVERIFY(plainOps["DequantizeLinear"] >= 6);
      // Quantized outputs: exact but for values on a rounding boundary, one step off (ONNX divides by
      // the scale, the fused kernels multiply by its reciprocal and accumulate in another order).
      const float steps[] = {kY2, kG};
      for (int o = 0; o < 2; ++o) {
        const auto& a = (*fused)[std::size_t(o)];
        const auto& b = (*plain)[std::size_t(o)];
        QCOMPARE(a.dims(), b.dims());
        int off = 0;
        for (int64_t i = 0; i < a.numel(); ++i) {
          const float diff = std::abs(a.as<float>()[i] - b.as<float>()[i]);
          QVERIFY2(diff <= steps[o] * 1.01f, qPrintable(QString("seed %1 output %2 element %3: %4 vs %5")
                                                            .arg(seed)
                                                            .arg(o)
                                                            .arg(i)
                                                            .arg(a.as<float>()[i])
                                                            .arg(b.as<float>()[i])));
          off += diff > steps[o] * 0.5f;
        }
        QVERIFY2(off * 10 <= a.numel(), qPrintable(QString("%1 of %2 values one step off").arg(off).arg(a.numel())));
      }
      // Float output of the MatMul: float rounding only.
      const auto& a = (*fused)[2];
      const auto& b = (*plain)[2];
      for (int64_t i = 0; i < a.numel(); ++i)
        QVERIFY(std::abs(a.as<float>()[i] - b.as<float>()[i]) <= 1e-4f + 1e-4f * std::abs(b.as<float>()[i]));
    }
  }

  void unsupportedWeightsStayUnfused() {
    // A weight zero point that is not 0 (asymmetric int8 weights): fuse-qdq leaves the QDQ ops.
    auto m = qdqModel();
    auto* g = m.mutable_graph();
    for (auto& t : *g->mutable_initializer())
      if (t.name() == "w2_s") t = test::floatProto("w2_s", {}, {0.01f});
    *g->add_initializer() = rawProto<int8_t>("w2_z", onnx::TensorProto::INT8, {}, {3});
    for (auto& n : *g->mutable_node())
      if (n.op_type() == "DequantizeLinear" && n.output(0) == "w2") {
        n.add_input("w2_z");
        n.clear_attribute();
      }
    std::string bytes;
    QVERIFY(m.SerializeToString(&bytes));
    auto model = onnx_import::importModelFromBytes(bytes, ".");
    QVERIFY2(model, model ? "" : model.error().str().c_str());
    HostTensor x(ir::DataType::Float32, {1, 4, 10, 10});
    std::map<std::string, int> ops;
    auto fused = compileAndRun(*model, {}, x, &ops);
    QVERIFY2(fused, fused ? "" : fused.error().str().c_str());
    QCOMPARE(ops["ai.gearstudio.QuantConv"], 1);
    QCOMPARE(ops["Conv"] + ops["ai.gearstudio.FusedConv"], 1); // the float conv (maybe channels-last)
  }
};

QTEST_GUILESS_MAIN(TestQuantModels)
#include "test_quant_models.moc"
