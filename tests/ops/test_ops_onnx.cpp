// Cross-checks of the op registry against ONNX itself:
// 1. the ONNX backend node tests: our inferred output shapes and dtypes against the outputs each test
//    model declares (the shapes of its reference outputs), and against onnx::shape_inference;
// 2. PP-OCRv4 det / rec and the cls model with fixed input shapes: every value becomes static, and
//    every shape agrees with what onnx::shape_inference infers for the same input dims.
#include <QtTest>

#include <filesystem>
#include <fstream>
#include <map>

#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>

#include "core/compiler/onnx/importer.h"
#include "core/ops/registry.h"

using namespace gs;

namespace fs = std::filesystem;

namespace {

bool allOpsRegistered(const ir::Graph& g, int64_t opset, std::string* missing) {
  for (const auto& n : g.nodes) {
    if (!ops::findOp(n.domain, n.opType, opset)) {
      *missing = (n.domain.empty() ? "" : n.domain + ".") + n.opType;
      return false;
    }
    for (const auto& [name, a] : n.attrs) {
      if (a.g && !allOpsRegistered(*a.g, opset, missing)) return false;
      for (const auto& sg : a.graphs)
        if (sg && !allOpsRegistered(*sg, opset, missing)) return false;
    }
  }
  return true;
}

std::optional<onnx::ModelProto> loadProto(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  onnx::ModelProto m;
  if (!m.ParseFromString(bytes)) return std::nullopt;
  return m;
}

// Static dims of a TypeProto, or nullopt when any dim (or the shape) is not a number.
std::optional<std::vector<int64_t>> staticDims(const onnx::TypeProto& t) {
  if (!t.has_tensor_type() || !t.tensor_type().has_shape()) return std::nullopt;
  std::vector<int64_t> dims;
  for (const auto& d : t.tensor_type().shape().dim()) {
    if (!d.has_dim_value()) return std::nullopt;
    dims.push_back(d.dim_value());
  }
  return dims;
}

// Runs ONNX's shape inference (with data propagation) and returns name -> static dims.
std::map<std::string, std::vector<int64_t>> onnxInferred(onnx::ModelProto m) {
  std::map<std::string, std::vector<int64_t>> out;
  try {
    onnx::ShapeInferenceOptions opts(false, 0, true);
    onnx::shape_inference::InferShapes(m, onnx::OpSchemaRegistry::Instance(), opts);
  } catch (const std::exception&) {
    return out;
  }
  auto take = [&](const onnx::ValueInfoProto& v) {
    if (auto d = staticDims(v.type())) out[v.name()] = *d;
  };
  for (const auto& v : m.graph().value_info())
    take(v);
  for (const auto& v : m.graph().output())
    take(v);
  return out;
}

std::string dimsStr(const std::vector<int64_t>& d) { return ir::Shape::fromValues(d).str(); }

struct Tally {
  int agree = 0, disagree = 0;
  std::vector<std::string> mismatches;
  void add(bool ok, const std::string& what) {
    if (ok)
      ++agree;
    else {
      ++disagree;
      mismatches.push_back(what);
    }
  }
};

} // namespace

class TestOpsOnnx : public QObject {
  Q_OBJECT

private:
  // Imports model.onnx, fixes inputs to `dims` (by name), infers, and checks against onnx inference.
  void checkPpOcr(const std::string& file, const std::map<std::string, std::vector<int64_t>>& dims) {
    const std::string path = std::string(GS_MODELS_DIR) + "/" + file;
    if (!fs::exists(path)) QSKIP(qPrintable(QString::fromStdString("model not present: " + path)));
    onnx_import::ImportOptions io;
    io.runChecker = false;
    auto model = onnx_import::importModel(path, io);
    QVERIFY2(model, model ? "" : model.error().message.c_str());
    auto& g = model->graph;
    for (auto id : g.inputs) {
      auto it = dims.find(g.values[id].name);
      QVERIFY2(it != dims.end(), g.values[id].name.c_str());
      g.values[id].shape = ir::Shape::fromValues(it->second);
    }
    ops::GraphInferOptions opt;
    opt.requireStatic = true;
    std::vector<std::optional<ir::Tensor>> known;
    auto st = ops::inferGraph(g, model->onnxOpset(), opt, &known);
    QVERIFY2(st, st ? "" : st.error().message.c_str());

    // The same model and input dims through ONNX's inference.
    auto proto = loadProto(path);
    QVERIFY(proto.has_value());
    for (auto& in : *proto->mutable_graph()->mutable_input()) {
      auto it = dims.find(in.name());
      if (it == dims.end()) continue; // an initializer listed as input
      auto* shape = in.mutable_type()->mutable_tensor_type()->mutable_shape();
      shape->clear_dim();
      for (auto d : it->second)
        shape->add_dim()->set_dim_value(d);
    }
    proto->mutable_graph()->clear_value_info();
    for (auto& o : *proto->mutable_graph()->mutable_output())
      o.mutable_type()->mutable_tensor_type()->clear_shape();
    const auto ref = onnxInferred(*proto);
    Tally t;
    int onnxUnknown = 0;
    for (const auto& n : g.nodes)
      for (auto id : n.outputs) {
        if (id == ir::kNone) continue;
        const auto& v = g.values[id];
        auto it = ref.find(v.name);
        if (it == ref.end()) {
          ++onnxUnknown;
          continue;
        }
        t.add(v.shape.values() == it->second, v.name + ": ours " + v.shape.str() + ", onnx " + dimsStr(it->second));
      }
    qInfo("%s: %zu nodes, all static; onnx agrees on %d values, disagrees on %d, leaves %d not static", file.c_str(),
          g.nodes.size(), t.agree, t.disagree, onnxUnknown);
    for (std::size_t i = 0; i < t.mismatches.size() && i < 10; ++i)
      qInfo("  mismatch %s", t.mismatches[i].c_str());
    QCOMPARE(t.disagree, 0);
    QVERIFY(t.agree > 0);
  }

private slots:
  void backendNodeTests() {
    const fs::path root = fs::path(GS_ONNX_TESTDATA) / "node";
    if (!fs::exists(root)) QSKIP("ONNX backend test data not installed");
    std::vector<fs::path> cases;
    for (const auto& e : fs::directory_iterator(root))
      if (fs::exists(e.path() / "model.onnx")) cases.push_back(e.path());
    std::sort(cases.begin(), cases.end());
    int notImported = 0, unregistered = 0, claimed = 0, passed = 0;
    Tally declared, onnxRef;
    std::map<std::string, int> missingOps;
    std::vector<std::string> failures;
    onnx_import::ImportOptions io;
    io.runChecker = false;
    for (const auto& dir : cases) {
      const std::string name = dir.filename().string();
      auto model = onnx_import::importModel((dir / "model.onnx").string(), io);
      if (!model) {
        ++notImported;
        continue;
      }
      auto& g = model->graph;
      const auto opset = model->onnxOpset();
      std::string missing;
      if (!allOpsRegistered(g, opset, &missing)) {
        ++unregistered;
        ++missingOps[missing];
        continue;
      }
      ++claimed;
      // The reference outputs were computed from test_data_set_0: give small inputs their data, as a
      // compiler does for inputs that hold shapes, axes, sizes or scales.
      for (std::size_t i = 0; i < g.inputs.size(); ++i) {
        const auto pb = dir / "test_data_set_0" / ("input_" + std::to_string(i) + ".pb");
        if (!fs::exists(pb)) continue;
        auto t = onnx_import::tensorFromProtoFile(pb.string());
        if (!t || t->dtype == ir::DataType::String) continue;
        const bool isFloat =
            t->dtype == ir::DataType::Float32 || t->dtype == ir::DataType::Float64 || t->dtype == ir::DataType::Float16;
        if (t->numel() > (isFloat ? 16 : 1024)) continue;
        g.values[g.inputs[i]].constant = std::move(*t);
      }
      // Expected: the declared outputs. Then forget every non-input shape and dtype so that nothing
      // declared leaks into what we infer.
      std::vector<std::pair<ir::DataType, ir::Shape>> expected;
      for (auto id : g.outputs)
        expected.emplace_back(g.values[id].dtype, g.values[id].shape);
      for (auto& v : g.values)
        if (v.producer != ir::kNone) {
          v.shape = ir::Shape::unknownRank();
          v.dtype = ir::DataType::Undefined;
        }
      ops::GraphInferOptions opt;
      opt.keepDeclaredShapes = false;
      auto st = ops::inferGraph(g, opset, opt);
      bool ok = st.has_value();
      std::string why = ok ? "" : st.error().message;
      for (std::size_t i = 0; ok && i < g.outputs.size(); ++i) {
        const auto& v = g.values[g.outputs[i]];
        if (!expected[i].second.isStatic()) continue;
        if (!(v.shape == expected[i].second) || v.dtype != expected[i].first) {
          ok = false;
          why = "output '" + v.name + "': ours " + v.shape.str() + " " + std::string(ir::dtypeName(v.dtype)) +
                ", expected " + expected[i].second.str() + " " + std::string(ir::dtypeName(expected[i].first));
        }
      }
      declared.add(ok, name + ": " + why);
      if (std::getenv("GS_OPS_CASE") && name == std::getenv("GS_OPS_CASE"))
        for (const auto& v : g.values)
          qInfo("  %s: %s %s", v.name.c_str(), std::string(ir::dtypeName(v.dtype)).c_str(), v.shape.str().c_str());
      passed += ok;
      // ONNX's own inference on the original model, where it infers a static output shape.
      if (st) {
        if (auto proto = loadProto((dir / "model.onnx").string())) {
          for (auto& o : *proto->mutable_graph()->mutable_output())
            o.mutable_type()->mutable_tensor_type()->clear_shape();
          const auto ref = onnxInferred(*proto);
          for (auto id : g.outputs) {
            const auto& v = g.values[id];
            auto it = ref.find(v.name);
            if (it != ref.end())
              onnxRef.add(v.shape.values() == it->second,
                          name + ": '" + v.name + "' ours " + v.shape.str() + ", onnx " + dimsStr(it->second));
          }
        }
      }
    }
    qInfo("backend node tests: %zu cases, %d not importable, %d with ops we do not register, %d claimed", cases.size(),
          notImported, unregistered, claimed);
    qInfo("declared outputs: %d of %d claimed cases agree (%.1f%%)", passed, claimed,
          claimed ? 100.0 * passed / claimed : 0.0);
    qInfo("onnx::shape_inference: %d outputs agree, %d disagree", onnxRef.agree, onnxRef.disagree);
    for (const auto& m : declared.mismatches)
      qInfo("  mismatch %s", m.c_str());
    for (const auto& m : onnxRef.mismatches)
      qInfo("  onnx mismatch %s", m.c_str());
    std::string ops;
    for (const auto& [op, n] : missingOps)
      ops += op + "(" + std::to_string(n) + ") ";
    qInfo("unregistered ops: %s", ops.c_str());
    QVERIFY(claimed > 500);
    QVERIFY2(passed >= 0.95 * claimed, qPrintable(QString("only %1 of %2 agree").arg(passed).arg(claimed)));
  }

  void ppocrSymbolic() {
    // Without fixed inputs the models infer symbolically: ranks and channel counts known, no errors.
    for (const char* file : {"ch_PP-OCRv4_det_infer.onnx", "ch_PP-OCRv4_rec_infer.onnx"}) {
      const std::string path = std::string(GS_MODELS_DIR) + "/" + file;
      if (!fs::exists(path)) QSKIP("model not present");
      onnx_import::ImportOptions io;
      io.runChecker = false;
      auto model = onnx_import::importModel(path, io);
      QVERIFY(model);
      auto& g = model->graph;
      QVERIFY(!g.values[g.inputs[0]].shape.isStatic());
      ops::GraphInferOptions opt;
      opt.keepDeclaredShapes = false;
      auto st = ops::inferGraph(g, model->onnxOpset(), opt);
      QVERIFY2(st, st ? "" : st.error().message.c_str());
      int known = 0;
      for (const auto& v : g.values)
        known += v.producer != ir::kNone && v.shape.rankKnown;
      const auto& out = g.values[g.outputs[0]].shape;
      qInfo("%s symbolic: output %s, %d values of known rank", file, out.str().c_str(), known);
      QVERIFY(out.rankKnown);
      // The batch symbol of the input reaches the output.
      QCOMPARE(out.dims[0], g.values[g.inputs[0]].shape.dims[0]);
    }
  }

  void ppocrDet640() { checkPpOcr("ch_PP-OCRv4_det_infer.onnx", {{"x", {1, 3, 640, 640}}}); }
  void ppocrDet960() { checkPpOcr("ch_PP-OCRv4_det_infer.onnx", {{"x", {1, 3, 960, 960}}}); }
  void ppocrRec() { checkPpOcr("ch_PP-OCRv4_rec_infer.onnx", {{"x", {8, 3, 48, 320}}}); }
  void ppocrCls() { checkPpOcr("ch_ppocr_mobile_v2.0_cls_infer.onnx", {{"x", {16, 3, 48, 192}}}); }
};

QTEST_GUILESS_MAIN(TestOpsOnnx)
#include "test_ops_onnx.moc"
