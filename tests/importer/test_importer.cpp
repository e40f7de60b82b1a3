// ONNX importer: the ONNX backend test models, the PP-OCR sample models, model JSON, TensorProto
// files, and the semantics of constants, subgraphs, types and weight storage on small models.
#include <QtTest>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>

#include "core/compiler/onnx/importer.h"
#include "core/compiler/onnx/model_json.h"
#include "core/compiler/onnx/tensor_proto.h"
#include "onnx_fixtures.h"

using namespace gs;
using namespace gs::onnx_import;
namespace fs = std::filesystem;

namespace {

onnx::ModelProto readProto(const std::string& path) {
  onnx::ModelProto m;
  std::ifstream in(path, std::ios::binary);
  if (!m.ParseFromIstream(&in)) qFatal("cannot parse %s with protobuf", path.c_str());
  return m;
}

[[maybe_unused]] std::string serialize(const onnx::ModelProto& m) {
  std::string s;
  m.SerializeToString(&s);
  return s;
}

// A failure's reason with the names taken out, so that failures can be grouped.
std::string reasonOf(const Error& e) {
  static const std::regex quoted("'[^']*'");
  static const std::regex number("[0-9]+");
  auto msg = e.message;
  if (const auto p = msg.find("': "); p != std::string::npos && msg.starts_with("'")) msg = msg.substr(p + 3);
  msg = std::regex_replace(msg, quoted, "'*'");
  msg = std::regex_replace(msg, number, "N");
  if (msg.size() > 140) msg = msg.substr(0, 140);
  return e.code + " " + msg;
}

struct SweepResult {
  int ok = 0;
  int failed = 0;
  int crashedOrInternal = 0;
  std::map<std::string, std::vector<std::string>> byReason;
};

// Imports every <folder>/<case>/model.onnx; an importer crash ends the test binary, so reaching the
// end means none crashed. Errors must carry a code the importer documents.
SweepResult sweep(const std::string& folder) {
  SweepResult r;
  std::vector<fs::path> cases;
  for (const auto& e : fs::directory_iterator(folder))
    if (fs::exists(e.path() / "model.onnx")) cases.push_back(e.path());
  std::sort(cases.begin(), cases.end());
  for (const auto& c : cases) {
    auto m = importModel((c / "model.onnx").string());
    if (m) {
      ++r.ok;
      continue;
    }
    ++r.failed;
    const auto& code = m.error().code;
    if (code != codes::kFormat && code != codes::kUnsupported) ++r.crashedOrInternal;
    r.byReason[reasonOf(m.error())].push_back(c.filename().string());
  }
  qInfo("%s: %d imported, %d failed", folder.c_str(), r.ok, r.failed);
  for (const auto& [reason, names] : r.byReason) {
    std::string list;
    for (std::size_t i = 0; i < names.size() && i < 6; ++i)
      list += (i ? ", " : "") + names[i];
    if (names.size() > 6) list += ", ...";
    qInfo("  %3zu x %s  [%s]", names.size(), reason.c_str(), list.c_str());
  }
  return r;
}

const ir::Value& valueNamed(const ir::Graph& g, const std::string& name) {
  const auto id = g.findValue(name);
  if (id == ir::kNone) qFatal("no value named %s", name.c_str());
  return g.values[static_cast<std::size_t>(id)];
}

} // namespace

class TestImporter : public QObject {
  Q_OBJECT

private:
  // Checks an imported sample model against counts taken from the protobuf directly.
  static void checkSampleModel(const std::string& file, const ir::Model& m) {
    const auto proto = readProto(file);
    int nodes = 0;
    int constants = 0;
    test::countNodes(proto.graph(), nodes, constants);
    QCOMPARE(m.graph.totalNodeCount(), static_cast<std::size_t>(nodes - constants));
    std::size_t constantValues = 0;
    for (const auto& v : m.graph.values)
      if (v.isConstant()) ++constantValues;
    // Initializers listed as inputs (IR < 4) are constants too, so count distinct names.
    std::set<std::string> initNames;
    for (const auto& t : proto.graph().initializer())
      initNames.insert(t.name());
    QCOMPARE(constantValues, initNames.size() + static_cast<std::size_t>(constants));
    for (const auto& n : proto.graph().node())
      if (n.op_type() == "Constant") QVERIFY(valueNamed(m.graph, n.output(0)).isConstant());
    std::vector<std::string> inputs;
    for (const auto& in : proto.graph().input())
      if (!initNames.count(in.name())) inputs.push_back(in.name());
    QCOMPARE(m.graph.inputs.size(), inputs.size());
    for (std::size_t i = 0; i < inputs.size(); ++i)
      QCOMPARE(m.graph.values[static_cast<std::size_t>(m.graph.inputs[i])].name, inputs[i]);
    QCOMPARE(m.graph.outputs.size(), static_cast<std::size_t>(proto.graph().output_size()));
    for (int i = 0; i < proto.graph().output_size(); ++i)
      QCOMPARE(m.graph.values[static_cast<std::size_t>(m.graph.outputs[static_cast<std::size_t>(i)])].name,
               proto.graph().output(i).name());
    QCOMPARE(m.irVersion, proto.ir_version());
    QCOMPARE(m.producerName, proto.producer_name());
    QCOMPARE(m.onnxOpset(), proto.opset_import(0).version());
  }

private slots:
  void nodeTestModelsImport() {
    const auto r = sweep(std::string(GS_ONNX_TESTDATA) + "/node");
    QVERIFY(r.ok + r.failed >= 900);
    QCOMPARE(r.crashedOrInternal, 0);
    // The failures are models whose graph inputs/outputs are sequences, optionals or maps.
    for (const auto& [reason, names] : r.byReason)
      QVERIFY2(reason.find("which GearStudio does not support") != std::string::npos, reason.c_str());
    QVERIFY2(r.ok * 100 >= (r.ok + r.failed) * 97, "fewer than 97% of the node test models import");
  }

  void otherTestModelsImport() {
    for (const char* folder : {"simple", "pytorch-converted", "pytorch-operator"}) {
      const auto r = sweep(std::string(GS_ONNX_TESTDATA) + "/" + folder);
      QVERIFY(r.ok + r.failed > 0);
      QCOMPARE(r.crashedOrInternal, 0);
      for (const auto& [reason, names] : r.byReason)
        QVERIFY2(reason.find("which GearStudio does not support") != std::string::npos, reason.c_str());
      QVERIFY2(r.ok * 100 >= (r.ok + r.failed) * 60, folder);
    }
  }
};

QTEST_GUILESS_MAIN(TestImporter)
#include "test_importer.moc"
