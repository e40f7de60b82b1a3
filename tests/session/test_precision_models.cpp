// --precision_mode and --keep_dtype end to end, on ONNX models written here:
// - every mode on a Conv/Relu/Softmax/ReduceSum/Resize/Shape/Reshape/Gemm/MatMul network: the dtype
//   each node computes in follows the mode (and the keep list, by name and by op type), the model's
//   inputs and outputs keep their dtypes, and the model runs close to the float32 run;
// - the precision recorded in the .om, read back from the file, is what the runtime runs: each node's
//   kernel row (chosen by its input types) is of the recorded dtype;
// - a large ReduceSum overflows float16 under force_fp16 and stays accurate under allow_mix_precision;
// - a float16 model: force_fp16 adds nothing, force_fp32 computes in float32 and matches the float32
//   model; an integer-only model is unchanged by every mode;
// - a keep entry naming no node is an E10016 error; must_keep_origin_dtype ignores the keep list.
#include <QtTest>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>

#include "core/compiler/compile.h"
#include "core/compiler/onnx/importer.h"
#include "core/compiler/shape_config/shape_config.h"
#include "core/om/om_file.h"
#include "core/om/om_json.h"
#include "core/runtime/cpu/cpu_device.h"
#include "core/runtime/cpu/kernels/basic/half.h"
#include "core/runtime/session.h"
#include "onnx_models.h"

using namespace gs;
using runtime::HostTensor;
using Options = std::vector<std::pair<std::string, std::string>>;

namespace {

void setInts(onnx::NodeProto* n, const char* name, std::vector<int64_t> v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INTS);
  for (auto x : v)
    a->add_ints(x);
}
void setInt(onnx::NodeProto* n, const char* name, int64_t v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(v);
}

std::vector<float> randoms(std::size_t n, uint32_t seed, float lo = -0.5f, float hi = 0.5f) {
  std::vector<float> v(n);
  uint32_t s = seed * 2654435761u + 7u;
  for (auto& x : v) {
    s = s * 1664525u + 1013904223u;
    x = lo + (hi - lo) * static_cast<float>(s >> 8) / static_cast<float>(1u << 24);
  }
  return v;
}

void init(onnx::GraphProto* g, const std::string& name, std::vector<int64_t> dims, uint32_t seed) {
  int64_t n = 1;
  for (auto d : dims)
    n *= d;
  *g->add_initializer() = test::floatProto(name, dims, randoms(static_cast<std::size_t>(n), seed));
}

// A graph output with an element type and no shape (shape inference gives it).
onnx::ValueInfoProto untyped(const std::string& name, int elemType) {
  onnx::ValueInfoProto v;
  v.set_name(name);
  v.mutable_type()->mutable_tensor_type()->set_elem_type(elemType);
  return v;
}

onnx::NodeProto* named(onnx::NodeProto* n, const std::string& name) {
  n->set_name(name);
  return n;
}

// x [N, 4, H, W] -> conv1 -> relu1 -> conv2 -> softmax (axis 1) -> "prob"
//                                   relu1 -> Resize x2 -> "up"
//                                   conv2 -> ReduceSum (H, W) -> "sum"
//                     Shape(relu1) -> Reshape(conv2, shape) -> GlobalAveragePool -> Flatten -> gemm -> "vec"
//                                                                                  Flatten -> matmul -> "mm"
onnx::ModelProto network() {
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.add_opset_import()->set_version(17);
  auto* g = m.mutable_graph();
  g->set_name("precision_net");
  *g->add_input() = test::valueInfo("x", onnx::TensorProto::FLOAT, {"N", "4", "H", "W"});
  for (const char* out : {"prob", "up", "sum", "vec", "mm"})
    *g->add_output() = untyped(out, onnx::TensorProto::FLOAT);
  init(g, "w1", {8, 4, 3, 3}, 1);
  init(g, "b1", {8}, 2);
  init(g, "w2", {8, 8, 3, 3}, 3);
  init(g, "wg", {6, 8}, 4);
  init(g, "bg", {6}, 5);
  init(g, "wm", {8, 5}, 6);
  *g->add_initializer() = test::floatProto("scales", {4}, {1.0f, 1.0f, 2.0f, 2.0f});
  *g->add_initializer() = test::int64Proto("axes", {2}, {2, 3});
  setInts(named(test::addNode(g, "Conv", {"x", "w1", "b1"}, {"c1"}), "conv1"), "pads", {1, 1, 1, 1});
  named(test::addNode(g, "Relu", {"c1"}, {"r1"}), "relu1");
  setInts(named(test::addNode(g, "Conv", {"r1", "w2"}, {"c2"}), "conv2"), "pads", {1, 1, 1, 1});
  setInt(named(test::addNode(g, "Softmax", {"c2"}, {"prob"}), "softmax"), "axis", 1);
  auto* up = named(test::addNode(g, "Resize", {"r1", "", "scales"}, {"up"}), "resize");
  auto* a = up->add_attribute();
  a->set_name("mode");
  a->set_type(onnx::AttributeProto::STRING);
  a->set_s("nearest");
  named(test::addNode(g, "ReduceSum", {"c2", "axes"}, {"sum"}), "reducesum");
  named(test::addNode(g, "Shape", {"r1"}, {"shp"}), "shape");
  named(test::addNode(g, "Reshape", {"c2", "shp"}, {"c2r"}), "reshape");
  named(test::addNode(g, "GlobalAveragePool", {"c2r"}, {"gap"}), "gap");
  named(test::addNode(g, "Flatten", {"gap"}, {"flat"}), "flatten");
  setInt(named(test::addNode(g, "Gemm", {"flat", "wg", "bg"}, {"vec"}), "gemm"), "transB", 1);
  named(test::addNode(g, "MatMul", {"flat", "wm"}, {"mm"}), "matmul");
  return m;
}

// x [1, 64] -> MatMul [64, 4096] -> ReduceSum (axis 1) -> "total" [1, 1]: with inputs near 1 and
// weights near 0.75 each MatMul output is about 48 (exact enough in float16) and the sum about 2e5,
// beyond float16's 65504.
onnx::ModelProto largeSum() {
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.add_opset_import()->set_version(17);
  auto* g = m.mutable_graph();
  g->set_name("large_sum");
  *g->add_input() = test::valueInfo("x", onnx::TensorProto::FLOAT, {"1", "64"});
  *g->add_output() = test::valueInfo("total", onnx::TensorProto::FLOAT, {"1", "1"});
  *g->add_initializer() = test::floatProto("w", {64, 4096}, randoms(64 * 4096, 9, 0.5f, 1.0f));
  *g->add_initializer() = test::int64Proto("axes", {1}, {1});
  named(test::addNode(g, "MatMul", {"x", "w"}, {"h"}), "matmul");
  named(test::addNode(g, "ReduceSum", {"h", "axes"}, {"total"}), "total");
  return m;
}

// A float16 model (float16 inputs, weights and outputs, no Casts): x [N, 16] -> MatMul -> Add -> Relu
// -> Gemm -> Softmax -> "y". `elem` FLOAT gives the same model in float32 (weights rounded to float16
// first, so both hold the same values).
onnx::ModelProto denseModel(int elem) {
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.add_opset_import()->set_version(17);
  auto* g = m.mutable_graph();
  g->set_name("dense");
  *g->add_input() = test::valueInfo("x", elem, {"N", "16"});
  *g->add_output() = test::valueInfo("y", elem, {"N", "10"});
  auto weight = [&](const std::string& name, std::vector<int64_t> dims, uint32_t seed) {
    int64_t n = 1;
    for (auto d : dims)
      n *= d;
    auto v = randoms(static_cast<std::size_t>(n), seed, -1.0f, 1.0f);
    onnx::TensorProto t;
    t.set_name(name);
    for (auto d : dims)
      t.add_dims(d);
    std::string raw;
    for (auto& f : v) {
      const uint16_t h = runtime::cpu::basic::Half::fromFloat(f);
      f = runtime::cpu::basic::Half::toFloat(h);
      raw.append(elem == onnx::TensorProto::FLOAT ? std::string(reinterpret_cast<const char*>(&f), 4)
                                                  : std::string(reinterpret_cast<const char*>(&h), 2));
    }
    t.set_data_type(elem);
    t.set_raw_data(raw);
    *g->add_initializer() = t;
  };
  weight("w1", {16, 32}, 11);
  weight("b1", {32}, 12);
  weight("w2", {10, 32}, 13);
  weight("b2", {10}, 14);
  named(test::addNode(g, "MatMul", {"x", "w1"}, {"m1"}), "m1");
  named(test::addNode(g, "Add", {"m1", "b1"}, {"a1"}), "a1");
  named(test::addNode(g, "Relu", {"a1"}, {"r1"}), "r1");
  setInt(named(test::addNode(g, "Gemm", {"r1", "w2", "b2"}, {"g1"}), "g1"), "transB", 1);
  named(test::addNode(g, "Softmax", {"g1"}, {"y"}), "softmax");
  return m;
}

// x int64 [N, 4] -> Add(c) -> Mul(c) -> ReduceSum -> "y".
onnx::ModelProto integerModel() {
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.add_opset_import()->set_version(17);
  auto* g = m.mutable_graph();
  g->set_name("ints");
  *g->add_input() = test::valueInfo("x", onnx::TensorProto::INT64, {"N", "4"});
  *g->add_output() = untyped("y", onnx::TensorProto::INT64);
  *g->add_initializer() = test::int64Proto("c", {4}, {1, 2, 3, 4});
  test::addNode(g, "Add", {"x", "c"}, {"a"});
  test::addNode(g, "Mul", {"a", "c"}, {"b"});
  test::addNode(g, "ReduceSum", {"b"}, {"y"});
  return m;
}

Expected<ir::Model> importProto(const onnx::ModelProto& m) {
  std::string bytes;
  if (!m.SerializeToString(&bytes)) return makeError(codes::kIo, "serialize");
  return onnx_import::importModelFromBytes(std::move(bytes), ".");
}

std::string tempDir() {
  static const std::string dir = [] {
    auto d = std::filesystem::temp_directory_path() / ("gs_precision_" + std::to_string(::getpid()));
    std::filesystem::create_directories(d);
    return d.string();
  }();
  return dir;
}

std::string writeKeep(const std::string& name, const std::string& text) {
  const auto path = tempDir() + "/" + name;
  std::ofstream(path) << text;
  return path;
}

Expected<om::Model> build(const ir::Model& model, const std::string& inputShape, const Options& extra,
                          const std::string& batches = "") {
  shape_config::AtcOptions o;
  GS_RETURN_IF_ERROR(shape_config::setOption(o, "input_shape", inputShape));
  if (!batches.empty()) GS_RETURN_IF_ERROR(shape_config::setOption(o, "dynamic_batch_size", batches));
  for (const auto& [k, v] : extra)
    GS_RETURN_IF_ERROR(shape_config::setOption(o, k, v));
  GS_ASSIGN_OR_RETURN(auto config, shape_config::fromOptions(o));
  compiler::CompileOptions co;
  co.verifyEachPass = true;
  return compiler::compile(model, config, co, {});
}

Options mode(const std::string& m) { return {{"precision_mode", m}}; }

std::unique_ptr<runtime::Session> open(om::Model m) {
  auto s = runtime::Session::create(std::make_shared<const om::Model>(std::move(m)), runtime::SessionOptions{"cpu", 2});
  if (!s) qWarning("%s", s.error().str().c_str());
  return s ? std::move(*s) : nullptr;
}

HostTensor noise(std::vector<int64_t> dims, uint32_t seed, ir::DataType t = ir::DataType::Float32) {
  HostTensor x(t, std::move(dims));
  const auto v = randoms(static_cast<std::size_t>(x.numel()), seed, -1.0f, 1.0f);
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (t == ir::DataType::Float32)
      x.as<float>()[i] = v[i];
    else
      x.as<uint16_t>()[i] = runtime::cpu::basic::Half::fromFloat(v[i]);
  }
  return x;
}

std::vector<double> floats(const HostTensor& t) {
  std::vector<double> out(static_cast<std::size_t>(t.numel()));
  for (std::size_t i = 0; i < out.size(); ++i)
    out[i] =
        t.dtype() == ir::DataType::Float32 ? t.as<float>()[i] : runtime::cpu::basic::Half::toFloat(t.as<uint16_t>()[i]);
  return out;
}

// max |a - b| / max |b| (inf when a has a non-finite value b has not).
double relDiff(const HostTensor& a, const HostTensor& b) {
  const auto x = floats(a), y = floats(b);
  double diff = 0, ref = 1e-6;
  for (std::size_t i = 0; i < y.size(); ++i) {
    if (!std::isfinite(x[i])) return INFINITY;
    diff = std::max(diff, std::abs(x[i] - y[i]));
    ref = std::max(ref, std::abs(y[i]));
  }
  return diff / ref;
}

std::vector<HostTensor> runOnce(const om::Model& m, const std::vector<HostTensor>& inputs) {
  auto s = open(m);
  if (!s) return {};
  auto r = s->run(inputs);
  if (!r) {
    qWarning("%s", r.error().str().c_str());
    return {};
  }
  return std::move(r->outputs);
}

// Compute dtype per original node name (fused nodes keep the name of the op they absorbed into).
std::map<std::string, ir::DataType> precisionByName(const om::GearPlan& gear) {
  std::map<std::string, ir::DataType> out;
  for (std::size_t i = 0; i < gear.graph.nodes.size(); ++i)
    out[gear.graph.nodes[i].name] = gear.nodePrecision.at(i);
  return out;
}

int castCount(const ir::Graph& g) {
  return static_cast<int>(
      std::count_if(g.nodes.begin(), g.nodes.end(), [](const ir::Node& n) { return n.opType == "Cast"; }));
}

constexpr auto F16 = ir::DataType::Float16;
constexpr auto F32 = ir::DataType::Float32;
constexpr auto BF16 = ir::DataType::BFloat16;

} // namespace

class TestPrecisionModels : public QObject {
  Q_OBJECT

private slots:
  void modesOnNetwork_data() {
    QTest::addColumn<QString>("mode");
    QTest::addColumn<QString>("keep");
    // Expected compute dtype of conv1 (fused with relu1), conv2, softmax, reducesum, resize, gemm, matmul.
    QTest::addColumn<QList<int>>("expected");
    QTest::addColumn<double>("tolerance");
    const int h = static_cast<int>(F16), f = static_cast<int>(F32), b = static_cast<int>(BF16);
    QTest::newRow("default") << ""
                             << "" << QList<int>{f, f, f, f, f, f, f} << 1e-6;
    QTest::newRow("must_keep_origin_dtype") << "must_keep_origin_dtype"
                                            << "conv1\n"
                                            << QList<int>{f, f, f, f, f, f, f} << 1e-6;
    QTest::newRow("force_fp32") << "force_fp32"
                                << "" << QList<int>{f, f, f, f, f, f, f} << 1e-6;
    QTest::newRow("force_fp16") << "force_fp16"
                                << "" << QList<int>{h, h, h, h, h, h, h} << 4e-3;
    QTest::newRow("allow_fp32_to_fp16") << "allow_fp32_to_fp16"
                                        << "" << QList<int>{h, h, f, f, f, h, h} << 4e-3;
    QTest::newRow("allow_mix_precision") << "allow_mix_precision"
                                         << "" << QList<int>{h, h, f, f, h, h, h} << 4e-3;
    QTest::newRow("bf16") << "bf16"
                          << "" << QList<int>{b, b, b, b, b, b, b} << 3e-2;
    QTest::newRow("force_fp16 keep by name") << "force_fp16"
                                             << "conv2\n# a comment\n\nresize\n"
                                             << QList<int>{h, f, h, h, f, h, h} << 4e-3;
    QTest::newRow("force_fp16 keep by type") << "force_fp16"
                                             << "OpType::Softmax\nOpType:Gemm\n"
                                             << QList<int>{h, h, f, h, h, f, h} << 4e-3;
    QTest::newRow("allow_mix_precision keep") << "allow_mix_precision"
                                              << "matmul\n"
                                              << QList<int>{h, h, f, f, h, h, f} << 4e-3;
  }
  void modesOnNetwork() {
    QFETCH(QString, mode);
    QFETCH(QString, keep);
    QFETCH(QList<int>, expected);
    QFETCH(double, tolerance);
    auto model = importProto(network());
    QVERIFY2(model, model ? "" : model.error().str().c_str());
    Options opts;
    if (!mode.isEmpty()) opts.emplace_back("precision_mode", mode.toStdString());
    if (!keep.isEmpty())
      opts.emplace_back("keep_dtype",
                        writeKeep(std::string(QTest::currentDataTag()).substr(0, 12) + ".txt", keep.toStdString()));
    auto om = build(*model, "x:-1,4,10,12", opts, "1,3");
    QVERIFY2(om, om ? "" : om.error().str().c_str());
    auto ref = build(*model, "x:-1,4,10,12", {}, "1,3");
    QVERIFY(ref);
    QCOMPARE(om->meta.extra.at("precision_mode").empty(), false);
    const char* names[] = {"conv1", "conv2", "softmax", "reducesum", "resize", "gemm", "matmul"};
    for (const auto& gear : om->gears) {
      QCOMPARE(gear.nodePrecision.size(), gear.graph.nodes.size());
      const auto byName = precisionByName(gear);
      for (std::size_t k = 0; k < std::size(names); ++k) {
        const auto it = byName.find(names[k]);
        QVERIFY2(it != byName.end(), names[k]);
        if (static_cast<int>(it->second) != expected[static_cast<qsizetype>(k)])
          QFAIL(qPrintable(QString("%1: %2 instead of %3")
                               .arg(names[k])
                               .arg(QString::fromStdString(std::string(ir::dtypeName(it->second))))
                               .arg(expected[static_cast<qsizetype>(k)])));
      }
      // Shape reads the converted tensor as it is; inputs and outputs keep float32.
      for (const auto& in : gear.inputs)
        QCOMPARE(in.dtype, F32);
      for (const auto& out : gear.outputs)
        QCOMPARE(out.dtype, F32);
      QCOMPARE(gear.outputs.size(), std::size_t{5});
      if (mode.isEmpty() || mode == "must_keep_origin_dtype" || mode == "force_fp32")
        QCOMPARE(castCount(gear.graph), 0);
      else
        QVERIFY(castCount(gear.graph) > 0);
    }
    // It runs, close to float32 on every output.
    for (int64_t n : {1, 3}) {
      std::vector<HostTensor> in;
      in.push_back(noise({n, 4, 10, 12}, 21 + static_cast<uint32_t>(n)));
      const auto y = runOnce(*om, in), want = runOnce(*ref, in);
      QCOMPARE(y.size(), std::size_t{5});
      QCOMPARE(want.size(), std::size_t{5});
      for (std::size_t o = 0; o < y.size(); ++o) {
        QCOMPARE(y[o].dtype(), F32);
        const double d = relDiff(y[o], want[o]);
        if (!(d <= tolerance)) QFAIL(qPrintable(QString("output %1: relative error %2").arg(o).arg(d)));
      }
    }
  }

  void recordMatchesRuntimeKernels() {
    auto model = importProto(network());
    QVERIFY(model);
    const auto& table = runtime::cpu::cpuDevice().kernels();
    for (const char* m : {"force_fp16", "allow_mix_precision", "allow_fp32_to_fp16", "bf16", ""}) {
      auto om = build(*model, "x:-1,4,10,12", m[0] ? mode(m) : Options{}, "1,3");
      QVERIFY2(om, om ? "" : om.error().str().c_str());
      const auto path = tempDir() + "/net_" + std::string(m) + ".om";
      QVERIFY(om::writeFile(*om, path));
      auto back = om::readFile(path);
      QVERIFY2(back, back ? "" : back.error().str().c_str());
      const auto json = om::toJson(*back);
      for (std::size_t gi = 0; gi < back->gears.size(); ++gi) {
        const auto& gear = back->gears[gi];
        QCOMPARE(gear.nodePrecision, om->gears[gi].nodePrecision);
        int counted = 0;
        for (std::size_t i = 0; i < gear.graph.nodes.size(); ++i) {
          const auto& n = gear.graph.nodes[i];
          const auto p = gear.nodePrecision[i];
          std::vector<ir::DataType> types;
          for (auto v : n.inputs)
            types.push_back(v == ir::kNone ? ir::DataType::Undefined
                                           : gear.graph.values[static_cast<std::size_t>(v)].dtype);
          std::string why;
          const auto* row = table.find(n, runtime::cpu::domainOpset(n.domain, back->meta.opset), types, &why);
          QVERIFY2(row, why.c_str());
          const auto& jn = json["gears"][gi]["graph"]["nodes"][i];
          if (p == ir::DataType::Undefined) {
            QVERIFY(jn["precision"].is_null());
            continue;
          }
          ++counted;
          QCOMPARE(jn["precision"].get<std::string>(), std::string(ir::dtypeName(p)));
          if (!types.empty() && ir::isFloat(types[0])) {
            // The kernel the runtime picks computes on tensors of the recorded type: a float16 node
            // gets a float16 row (widened: float32 arithmetic, rounded to float16 per output).
            QCOMPARE(types[0], p);
            QVERIFY2(row->types.has(p), qPrintable(QString::fromStdString(n.name)));
            QCOMPARE(row->widensHalf, p != F32 && !row->types.has(F32));
          }
        }
        int summed = 0;
        for (const auto& [k, v] : json["gears"][gi]["precision"].items())
          summed += v.get<int>();
        QCOMPARE(summed, counted);
      }
      const auto info = om::infoText(*back);
      QVERIFY2(info.find("precision: ") != std::string::npos, info.c_str());
      QVERIFY2(info.find("precision_mode: ") != std::string::npos, info.c_str());
    }
  }

  void largeSumOverflowsFloat16Only() {
    auto model = importProto(largeSum());
    QVERIFY(model);
    auto ref = build(*model, "x:1,64", {});
    auto fp16 = build(*model, "x:1,64", mode("force_fp16"));
    auto mix = build(*model, "x:1,64", mode("allow_mix_precision"));
    QVERIFY(ref && fp16 && mix);
    std::vector<HostTensor> in;
    in.emplace_back(F32, std::vector<int64_t>{1, 64});
    const auto v = randoms(64, 3, 0.5f, 1.5f);
    std::copy(v.begin(), v.end(), in[0].as<float>());
    const auto want = runOnce(*ref, in), a = runOnce(*fp16, in), b = runOnce(*mix, in);
    QVERIFY(!want.empty() && !a.empty() && !b.empty());
    const double total = want[0].as<float>()[0];
    QVERIFY2(total > 65504.0 * 2, qPrintable(QString::number(total)));
    QVERIFY2(!std::isfinite(a[0].as<float>()[0]), "force_fp16 should overflow float16 in the sum");
    const double d = relDiff(b[0], want[0]);
    QVERIFY2(d < 2e-3, qPrintable(QString("mix: relative error %1").arg(d)));
    QCOMPARE(precisionByName(mix->gears[0]).at("total"), F32);
    QCOMPARE(precisionByName(mix->gears[0]).at("matmul"), F16);
  }

  void float16Model() {
    auto h = importProto(denseModel(onnx::TensorProto::FLOAT16));
    auto f = importProto(denseModel(onnx::TensorProto::FLOAT));
    QVERIFY2(h, h ? "" : h.error().str().c_str());
    QVERIFY(f);
    auto origin = build(*h, "x:-1,16", {}, "2,5");
    auto again = build(*h, "x:-1,16", mode("force_fp16"), "2,5");
    auto wide = build(*h, "x:-1,16", mode("force_fp32"), "2,5");
    auto ref = build(*f, "x:-1,16", {}, "2,5");
    QVERIFY(origin && again && wide && ref);
    for (std::size_t g = 0; g < origin->gears.size(); ++g) {
      // Already 16-bit: force_fp16 converts nothing twice.
      QCOMPARE(again->gears[g].graph.nodes.size(), origin->gears[g].graph.nodes.size());
      QCOMPARE(castCount(again->gears[g].graph), 0);
      QCOMPARE(again->gears[g].nodePrecision, origin->gears[g].nodePrecision);
      // force_fp32: every op in float32, Casts only at the float16 input and output.
      for (auto p : wide->gears[g].nodePrecision)
        QVERIFY(p == F32 || p == ir::DataType::Undefined);
      QCOMPARE(castCount(wide->gears[g].graph), 2);
      QCOMPARE(wide->gears[g].inputs[0].dtype, F16);
      QCOMPARE(wide->gears[g].outputs[0].dtype, F16);
    }
    std::vector<HostTensor> in16;
    in16.push_back(noise({5, 16}, 5, F16));
    HostTensor in32(F32, {5, 16});
    for (int64_t i = 0; i < 80; ++i)
      in32.as<float>()[i] = runtime::cpu::basic::Half::toFloat(in16[0].as<uint16_t>()[i]);
    std::vector<HostTensor> in32v;
    in32v.push_back(std::move(in32));
    const auto y32 = runOnce(*ref, in32v), yw = runOnce(*wide, in16), yh = runOnce(*origin, in16);
    QVERIFY(!y32.empty() && !yw.empty() && !yh.empty());
    QCOMPARE(yw[0].dtype(), F16);
    // force_fp32 is the float32 model's result rounded once to float16.
    const auto want = floats(y32[0]), got = floats(yw[0]), half = floats(yh[0]);
    double worstWide = 0, worstHalf = 0;
    for (std::size_t i = 0; i < want.size(); ++i) {
      const double once =
          runtime::cpu::basic::Half::toFloat(runtime::cpu::basic::Half::fromFloat(static_cast<float>(want[i])));
      QCOMPARE(got[i], once);
      worstWide = std::max(worstWide, std::abs(got[i] - want[i]));
      worstHalf = std::max(worstHalf, std::abs(half[i] - want[i]));
    }
    QVERIFY2(worstWide <= worstHalf, qPrintable(QString("%1 > %2").arg(worstWide).arg(worstHalf)));
  }

  void integerModelUnchanged() {
    auto model = importProto(integerModel());
    QVERIFY(model);
    auto origin = build(*model, "x:2,4", {});
    QVERIFY(origin);
    for (const char* m : {"force_fp16", "bf16", "allow_mix_precision", "allow_fp32_to_fp16", "force_fp32"}) {
      auto om = build(*model, "x:2,4", mode(m));
      QVERIFY2(om, m);
      QCOMPARE(om->gears[0].graph.nodes.size(), origin->gears[0].graph.nodes.size());
      QCOMPARE(castCount(om->gears[0].graph), 0);
      for (auto p : om->gears[0].nodePrecision)
        QCOMPARE(p, ir::DataType::Undefined);
    }
  }

  void keepListErrors() {
    auto model = importProto(network());
    QVERIFY(model);
    auto bad = build(*model, "x:1,4,10,12",
                     {{"precision_mode", "force_fp16"}, {"keep_dtype", writeKeep("bad.txt", "conv1\nno_such_node\n")}});
    QVERIFY(!bad);
    QCOMPARE(bad.error().code, std::string("E10016"));
    QVERIFY2(bad.error().message.find("no_such_node") != std::string::npos, bad.error().message.c_str());
    QVERIFY2(bad.error().message.find("bad.txt") != std::string::npos, bad.error().message.c_str());
    // An op type no node has is only a warning.
    auto type = build(*model, "x:1,4,10,12",
                      {{"precision_mode", "force_fp16"}, {"keep_dtype", writeKeep("type.txt", "OpType::LSTM\n")}});
    QVERIFY2(type, type ? "" : type.error().str().c_str());
    // must_keep_origin_dtype ignores the list (nothing is converted) but still names a missing node.
    auto keepAll =
        build(*model, "x:1,4,10,12",
              {{"precision_mode", "must_keep_origin_dtype"}, {"keep_dtype", writeKeep("ok.txt", "conv2\n")}});
    QVERIFY(keepAll);
    QCOMPARE(castCount(keepAll->gears[0].graph), 0);
  }

  void dynamicShapeRecordsPrecision() {
    auto model = importProto(network());
    QVERIFY(model);
    auto om = build(*model, "x:1~4,4,8~16,8~16", mode("allow_mix_precision"));
    QVERIFY2(om, om ? "" : om.error().str().c_str());
    QVERIFY(om->dynamic);
    QCOMPARE(om->dynamic->nodePrecision.size(), om->dynamic->graph.nodes.size());
    const auto json = om::toJson(*om);
    QVERIFY(json["dynamic"]["precision"]["float16"].get<int>() > 0);
    QVERIFY(json["dynamic"]["precision"]["float32"].get<int>() > 0);
    std::vector<HostTensor> in;
    in.push_back(noise({2, 4, 9, 13}, 4));
    auto ref = build(*model, "x:1~4,4,8~16,8~16", {});
    QVERIFY(ref);
    const auto y = runOnce(*om, in), want = runOnce(*ref, in);
    QCOMPARE(y.size(), want.size());
    for (std::size_t o = 0; o < y.size(); ++o)
      QVERIFY(relDiff(y[o], want[o]) < 4e-3);
  }

  void cleanupTestCase() { std::filesystem::remove_all(tempDir()); }
};

QTEST_GUILESS_MAIN(TestPrecisionModels)
#include "test_precision_models.moc"
