// ONNX importer on missing, truncated, random and hostile files: every case must end in an error
// with the right code and a message that names the file and the problem (and must not crash, which
// the asan preset checks under the sanitizers).
#include <QtTest>

#include <filesystem>
#include <fstream>
#include <random>

#include "core/compiler/onnx/importer.h"
#include "onnx_fixtures.h"

using namespace gs;
using namespace gs::onnx_import;

class TestImporterMalformed : public QObject {
  Q_OBJECT

private:
  QTemporaryDir m_dir;

  std::string path(const std::string& name) const { return m_dir.path().toStdString() + "/" + name; }

  std::string write(const std::string& name, const std::string& bytes) const {
    const auto p = path(name);
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return p;
  }

  std::string writeModel(const std::string& name, const onnx::ModelProto& m) const {
    std::string bytes;
    m.SerializeToString(&bytes);
    return write(name, bytes);
  }

  // Imports a file that must fail with code, with a message naming the file and containing what.
  static void expectError(const std::string& file, const char* code, const std::string& what,
                          const ImportOptions& options = {}) {
    auto r = importModel(file, options);
    QVERIFY2(!r, ("importing " + file + " should fail with: " + what).c_str());
    const auto msg = r.error().str();
    qInfo("%s", msg.c_str());
    QVERIFY2(r.error().code == code, msg.c_str());
    QVERIFY2(r.error().message.find(file) != std::string::npos, msg.c_str());
    QVERIFY2(r.error().message.find(what) != std::string::npos, msg.c_str());
  }

  static std::string readFile(const std::string& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }

  // The add/relu model with its initializer 'w' stored externally.
  static onnx::ModelProto externalModel(const std::string& location, const std::string& offset,
                                        const std::string& length) {
    auto m = test::addReluModel();
    auto* w = m.mutable_graph()->mutable_initializer(0);
    w->clear_raw_data();
    w->set_data_location(onnx::TensorProto::EXTERNAL);
    for (auto [k, v] : {std::pair{"location", location}, {"offset", offset}, {"length", length}}) {
      if (v.empty()) continue;
      auto* e = w->add_external_data();
      e->set_key(k);
      e->set_value(v);
    }
    return m;
  }

private slots:
  void initTestCase() {
    QVERIFY(m_dir.isValid());
    // 24 bytes of weights for the [2,3] float initializer, inside the model's folder.
    write("weights.bin", std::string(24, '\1'));
  }

  void missingFile() { expectError(path("no_such_model.onnx"), codes::kIo, "No such file"); }

  void directoryInsteadOfFile() { expectError(m_dir.path().toStdString(), codes::kIo, "not a regular file"); }

  void emptyFile() { expectError(write("empty.onnx", ""), codes::kFormat, "is empty"); }

  void truncatedFiles() {
    const auto det = readFile(std::string(GS_MODELS_DIR) + "/ch_PP-OCRv4_det_infer.onnx");
    QVERIFY(det.size() > 100000);
    for (std::size_t size : {std::size_t{1}, std::size_t{100}, std::size_t{1000}, det.size() / 2, det.size() - 1}) {
      const auto file = write("det_" + std::to_string(size) + ".onnx", det.substr(0, size));
      expectError(file, codes::kFormat, "truncated");
    }
  }

  void randomBytes() {
    std::mt19937 rng(1234);
    std::string bytes(4096, '\0');
    for (auto& c : bytes)
      c = static_cast<char>(rng() & 0xFF);
    expectError(write("random.onnx", bytes), codes::kFormat, "cannot be parsed as an ONNX model");
    auto t = tensorFromProtoFile(write("random.pb", bytes));
    QVERIFY(!t);
    QCOMPARE(t.error().code, std::string(codes::kFormat));
  }

  void fileOverTheSizeLimit() {
    ImportOptions small;
    small.maxFileBytes = 1000;
    expectError(std::string(GS_MODELS_DIR) + "/ch_ppocr_mobile_v2.0_cls_infer.onnx", codes::kFormat,
                "more than the 1000 bytes", small);
  }

  void rawDataLengthDisagreesWithDims() {
    auto m = test::addReluModel();
    m.mutable_graph()->mutable_initializer(0)->mutable_raw_data()->resize(20);
    expectError(writeModel("short_raw.onnx", m), codes::kFormat,
                "tensor 'w' has dims [2,3] and element type float32, which need 24 bytes, but its raw_data holds 20");
  }

  void typedDataCountDisagreesWithDims() {
    auto m = test::addReluModel();
    auto* w = m.mutable_graph()->mutable_initializer(0);
    w->clear_raw_data();
    for (int i = 0; i < 5; ++i)
      w->add_float_data(1.0f);
    expectError(writeModel("short_floats.onnx", m), codes::kFormat, "its float_data holds 5 values");
  }

  void tensorWithoutData() {
    auto m = test::addReluModel();
    m.mutable_graph()->mutable_initializer(0)->clear_raw_data();
    expectError(writeModel("no_data.onnx", m), codes::kFormat, "(6 elements) but no data");
  }

  void negativeAndAbsurdDims() {
    auto m = test::addReluModel();
    m.mutable_graph()->mutable_initializer(0)->set_dims(0, -2);
    expectError(writeModel("negative_dims.onnx", m), codes::kFormat, "negative dimension");
    m.mutable_graph()->mutable_initializer(0)->set_dims(0, int64_t{1} << 40);
    m.mutable_graph()->mutable_initializer(0)->set_dims(1, int64_t{1} << 40);
    expectError(writeModel("absurd_dims.onnx", m), codes::kFormat, "element count is absurdly large");
  }

  void unknownElementType() {
    auto m = test::addReluModel();
    m.mutable_graph()->mutable_initializer(0)->set_data_type(99);
    auto r = importModel(writeModel("elem99.onnx", m));
    QVERIFY(!r);
    QVERIFY2(r.error().message.find("'w'") != std::string::npos, r.error().str().c_str());
  }

  void externalDataEscapingTheFolder() {
    write("../escape.bin", std::string(24, '\0')); // exists, so only the path rule can refuse it
    expectError(writeModel("escape.onnx", externalModel("../escape.bin", "0", "24")), codes::kFormat,
                "'../escape.bin', which escapes the model's folder");
    expectError(writeModel("absolute.onnx", externalModel(path("weights.bin"), "0", "24")), codes::kFormat,
                "absolute path");
    std::filesystem::remove(path("../escape.bin"));
  }

  void externalDataThroughSymlinkOutside() {
    QTemporaryDir outside;
    const auto target = outside.path().toStdString() + "/secret.bin";
    std::ofstream(target, std::ios::binary) << std::string(24, '\0');
    std::filesystem::create_symlink(target, path("link.bin"));
    expectError(writeModel("symlink.onnx", externalModel("link.bin", "0", "24")), codes::kFormat,
                "outside the model's folder");
  }

  void externalDataOffsetsAndLengths() {
    expectError(writeModel("offset_beyond.onnx", externalModel("weights.bin", "4096", "24")), codes::kFormat,
                "offset 4096 is beyond the end of 'weights.bin' (24 bytes)");
    expectError(writeModel("length_beyond.onnx", externalModel("weights.bin", "8", "24")), codes::kFormat,
                "offset 8 + length 24 exceed the size of 'weights.bin'");
    expectError(writeModel("length_wrong.onnx", externalModel("weights.bin", "0", "20")), codes::kFormat,
                "needs 24 bytes for its dims and element type, but its external data length is 20");
    expectError(writeModel("offset_text.onnx", externalModel("weights.bin", "abc", "24")), codes::kFormat,
                "offset 'abc' that is not a non-negative number");
    expectError(writeModel("missing_data.onnx", externalModel("nowhere.bin", "0", "24")), codes::kIo, "nowhere.bin");
    auto ok = importModel(writeModel("external_ok.onnx", externalModel("weights.bin", "0", "24")));
    QVERIFY2(ok.has_value(), ok ? "" : ok.error().str().c_str());
    // Bytes without a folder cannot resolve external data at all.
    std::string bytes;
    externalModel("weights.bin", "0", "24").SerializeToString(&bytes);
    auto noBase = importModelFromBytes(bytes, "");
    QVERIFY(!noBase);
    QVERIFY2(noBase.error().message.find("no folder") != std::string::npos, noBase.error().str().c_str());
  }

  void graphWithoutOutputs() {
    auto m = test::addReluModel();
    m.mutable_graph()->clear_output();
    ImportOptions noChecker;
    noChecker.runChecker = false;
    expectError(writeModel("no_outputs.onnx", m), codes::kFormat, "graph 'add_relu' has no outputs", noChecker);
  }

  void subgraphsNestedTooDeep() {
    // 20 If nodes, each the then-branch of the one before.
    auto m = test::addReluModel();
    auto* g = m.mutable_graph();
    for (int depth = 0; depth < 20; ++depth) {
      auto* n = g->add_node();
      n->set_op_type("If");
      n->add_input("x");
      n->add_output("nested" + std::to_string(depth));
      auto* a = n->add_attribute();
      a->set_name("then_branch");
      a->set_type(onnx::AttributeProto::GRAPH);
      g = a->mutable_g();
      g->set_name("level" + std::to_string(depth + 1));
      *g->add_output() = test::tensorInfo("x", onnx::TensorProto::FLOAT, {"N", "3"});
    }
    expectError(writeModel("deep.onnx", m), codes::kFormat, "nested more than 16 levels deep");
  }

  void duplicateValueNames() {
    auto m = test::addReluModel();
    m.mutable_graph()->mutable_node(1)->set_output(0, "s"); // 's' produced twice
    m.mutable_graph()->mutable_output(0)->set_name("s");
    expectError(writeModel("dup_checked.onnx", m), codes::kFormat, "'s'");
    ImportOptions noChecker;
    noChecker.runChecker = false;
    expectError(writeModel("dup.onnx", m), codes::kFormat,
                "value 's' is defined twice: by node 'add' (Add) and by node 'relu' (Relu)", noChecker);
    auto twice = test::addReluModel();
    *twice.mutable_graph()->add_input() = test::tensorInfo("x", onnx::TensorProto::FLOAT, {"1"});
    expectError(writeModel("dup_input.onnx", twice), codes::kFormat, "'x'", noChecker);
  }

  void nodeReadsUndefinedValue() {
    auto m = test::addReluModel();
    m.mutable_graph()->mutable_node(1)->set_input(0, "ghost");
    expectError(writeModel("undefined_checked.onnx", m), codes::kFormat, "'ghost'");
    ImportOptions noChecker;
    noChecker.runChecker = false;
    expectError(writeModel("undefined.onnx", m), codes::kFormat,
                "node 'relu' (Relu) reads 'ghost', which is not defined", noChecker);
  }

  void checkerFindingsAreErrors() {
    auto m = test::addReluModel();
    m.mutable_graph()->mutable_node(1)->add_input("w"); // Relu takes one input
    expectError(writeModel("checker.onnx", m), codes::kFormat, "the ONNX checker rejects the model");
    ImportOptions noChecker;
    noChecker.runChecker = false;
    QVERIFY(importModel(path("checker.onnx"), noChecker).has_value()); // structurally fine
  }

  void sparseInitializerIsUnsupported() {
    auto m = test::addReluModel();
    auto* sparse = m.mutable_graph()->add_sparse_initializer();
    *sparse->mutable_values() = test::floatTensor("sp", {1}, {1.0f});
    sparse->add_dims(4);
    auto* idx = sparse->mutable_indices();
    idx->set_data_type(onnx::TensorProto::INT64);
    idx->add_dims(1);
    idx->add_int64_data(2);
    expectError(writeModel("sparse.onnx", m), codes::kUnsupported,
                "sparse initializer 'sp' is a sparse tensor, which GearStudio does not support");
  }

  void truncatedTensorFile() {
    const auto pb = readFile(std::string(GS_ONNX_TESTDATA) + "/node/test_abs/test_data_set_0/input_0.pb");
    const auto file = write("input_trunc.pb", pb.substr(0, pb.size() - 7));
    auto t = tensorFromProtoFile(file);
    QVERIFY(!t);
    QCOMPARE(t.error().code, std::string(codes::kFormat));
    QVERIFY2(t.error().message.find(file) != std::string::npos, t.error().str().c_str());
  }
};

QTEST_GUILESS_MAIN(TestImporterMalformed)
#include "test_importer_malformed.moc"
