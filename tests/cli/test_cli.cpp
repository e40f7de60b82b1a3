// gearatc as users run it: the built binary in every mode, its error exits (E-codes on stderr,
// non-zero status), and golden JSON for a tiny ONNX model made here with the ONNX protobuf types.
#include <QtTest>

#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include <nlohmann/json.hpp>
#include <onnx/onnx_pb.h>

namespace fs = std::filesystem;

namespace {

struct Result {
  int status = -1;
  QString out;
  QString err;
};

Result runAtc(const QStringList& args, const QString& cwd = {}) {
  QProcess p;
  if (!cwd.isEmpty()) p.setWorkingDirectory(cwd);
  // GS_TEST_GEARATC runs these cases against another build (e.g. an older one, to see them fail).
  p.start(qEnvironmentVariable("GS_TEST_GEARATC", QStringLiteral(GEARATC_PATH)), args);
  Result r;
  if (!p.waitForFinished(90000)) {
    p.kill();
    return r;
  }
  r.status = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
  r.out = QString::fromUtf8(p.readAllStandardOutput());
  r.err = QString::fromUtf8(p.readAllStandardError());
  return r;
}

std::string slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

// Runs gearatc with arguments as raw bytes (QProcess would re-encode them as UTF-8); stdout and
// stderr are captured to files in cwd. status is -1 when the process died of a signal (abort).
struct RawResult {
  int status = -1;
  int signal = 0;
  std::string out;
  std::string err;
};
RawResult runAtcRaw(const std::vector<std::string>& args, const fs::path& cwd) {
  const auto outFile = cwd / "raw.out";
  const auto errFile = cwd / "raw.err";
  std::string program = qEnvironmentVariable("GS_TEST_GEARATC", QStringLiteral(GEARATC_PATH)).toStdString();
  std::vector<std::string> copy = args;
  std::vector<char*> argv{program.data()};
  for (auto& a : copy)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    if (::chdir(cwd.c_str()) != 0) ::_exit(126);
    if (!std::freopen(outFile.c_str(), "w", stdout) || !std::freopen(errFile.c_str(), "w", stderr)) ::_exit(126);
    ::execv(program.c_str(), argv.data());
    ::_exit(127);
  }
  RawResult r;
  int ws = 0;
  if (pid < 0 || ::waitpid(pid, &ws, 0) != pid) return r;
  if (WIFEXITED(ws)) r.status = WEXITSTATUS(ws);
  if (WIFSIGNALED(ws)) r.signal = WTERMSIG(ws);
  r.out = slurp(outFile);
  r.err = slurp(errFile);
  return r;
}

// Strict UTF-8 check through nlohmann's own validator (dump() throws on anything else).
bool isUtf8(const std::string& s) {
  try {
    (void)nlohmann::json(s).dump();
    return true;
  } catch (const nlohmann::json::exception&) {
    return false;
  }
}

void addFloatInit(onnx::GraphProto* g, const std::string& name, std::vector<int64_t> dims, std::vector<float> v) {
  auto* t = g->add_initializer();
  t->set_name(name);
  t->set_data_type(onnx::TensorProto::FLOAT);
  for (auto d : dims)
    t->add_dims(d);
  for (auto x : v)
    t->add_float_data(x);
}

void addValueInfo(onnx::ValueInfoProto* vi, const std::string& name, std::vector<std::string> dims) {
  vi->set_name(name);
  auto* tt = vi->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(onnx::TensorProto::FLOAT);
  for (const auto& d : dims) {
    auto* dim = tt->mutable_shape()->add_dim();
    if (d.find_first_not_of("0123456789") == std::string::npos)
      dim->set_dim_value(std::stoll(d));
    else
      dim->set_dim_param(d);
  }
}

// x[N,2,4,4] -> Conv(1x1) -> BatchNormalization -> Relu -> Add(x) -> y. Deterministic bytes.
void writeTinyModel(const fs::path& path) {
  onnx::ModelProto m;
  m.set_ir_version(7);
  m.set_producer_name("gearstudio-test");
  m.add_opset_import()->set_version(13);
  auto* g = m.mutable_graph();
  g->set_name("tiny");
  addValueInfo(g->add_input(), "x", {"N", "2", "4", "4"});
  addValueInfo(g->add_output(), "y", {"N", "2", "4", "4"});
  addFloatInit(g, "w", {2, 2, 1, 1}, {0.5f, -0.25f, 1.0f, 0.75f});
  addFloatInit(g, "b", {2}, {0.1f, -0.2f});
  addFloatInit(g, "scale", {2}, {1.5f, 0.5f});
  addFloatInit(g, "shift", {2}, {0.0f, 0.3f});
  addFloatInit(g, "mean", {2}, {0.2f, -0.1f});
  addFloatInit(g, "var", {2}, {1.0f, 4.0f});
  auto node = [&](const std::string& name, const std::string& op, std::vector<std::string> in, std::string out) {
    auto* n = g->add_node();
    n->set_name(name);
    n->set_op_type(op);
    for (const auto& i : in)
      n->add_input(i);
    n->add_output(out);
    return n;
  };
  auto* conv = node("conv", "Conv", {"x", "w", "b"}, "c");
  auto* ks = conv->add_attribute();
  ks->set_name("kernel_shape");
  ks->set_type(onnx::AttributeProto::INTS);
  ks->add_ints(1);
  ks->add_ints(1);
  node("bn", "BatchNormalization", {"c", "scale", "shift", "mean", "var"}, "n");
  node("relu", "Relu", {"n"}, "r");
  node("add", "Add", {"r", "x"}, "y");
  std::ofstream f(path, std::ios::binary);
  m.SerializeToOstream(&f);
}

// A float32 .npy file (version 1 header).
void writeNpy(const fs::path& path, const std::vector<int64_t>& dims, const std::vector<float>& v) {
  std::string shape = "(";
  for (auto d : dims)
    shape += std::to_string(d) + ",";
  shape += ")";
  std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }";
  while ((10 + dict.size() + 1) % 64 != 0)
    dict += ' ';
  dict += '\n';
  std::ofstream f(path, std::ios::binary);
  f.write("\x93NUMPY\x01\x00", 8);
  const uint16_t len = static_cast<uint16_t>(dict.size());
  f.write(reinterpret_cast<const char*>(&len), 2);
  f << dict;
  f.write(reinterpret_cast<const char*>(v.data()), static_cast<std::streamsize>(v.size() * 4));
}

// Replaces what changes from run to run (times, temporary paths) so the JSON can be compared.
void normalise(nlohmann::json& j, const std::string& tmp) {
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      const auto& key = it.key();
      if (key.find("millis") != std::string::npos || key.find("created") != std::string::npos ||
          key == "producer_version")
        it.value() = "<volatile>";
      else
        normalise(it.value(), tmp);
    }
  } else if (j.is_array()) {
    for (auto& e : j)
      normalise(e, tmp);
  } else if (j.is_string()) {
    auto s = j.get<std::string>();
    for (auto pos = s.find(tmp); pos != std::string::npos; pos = s.find(tmp))
      s.replace(pos, tmp.size(), "<tmp>");
    j = s;
  }
}

nlohmann::json readJson(const fs::path& p) {
  std::ifstream f(p);
  return nlohmann::json::parse(f, nullptr, false);
}

// Compares with the checked-in golden file; GS_UPDATE_GOLDEN=1 rewrites it instead.
void compareGolden(const nlohmann::json& actual, const std::string& goldenName) {
  const fs::path golden = fs::path(GS_SOURCE_DIR) / "tests/cli/data" / goldenName;
  if (qEnvironmentVariableIsSet("GS_UPDATE_GOLDEN")) {
    std::ofstream(golden) << actual.dump(2) << "\n";
    QSKIP("golden file rewritten");
  }
  QVERIFY2(fs::exists(golden), golden.c_str());
  const auto expected = readJson(golden);
  if (expected != actual) {
    const auto diff = nlohmann::json::diff(expected, actual);
    QFAIL(("differs from " + golden.string() + ": " + diff.dump().substr(0, 2000)).c_str());
  }
}

} // namespace

class TestCli : public QObject {
  Q_OBJECT

private:
  QTemporaryDir m_dir;
  std::string m_tmp;
  QString m_model;

  QString path(const QString& name) const { return m_dir.filePath(name); }

private slots:
  void initTestCase() {
    QVERIFY(m_dir.isValid());
    m_tmp = m_dir.path().toStdString();
    m_model = path("tiny.onnx");
    writeTinyModel(m_model.toStdString());
    QVERIFY(fs::file_size(m_model.toStdString()) < 10 * 1024);
  }

  void helpListsOptionsAndExamples() {
    const auto r = runAtc({"--help"});
    QCOMPARE(r.status, 0);
    for (const char* needle : {"--input_shape", "--dynamic_batch_size", "--dynamic_image_size", "--dynamic_dims",
                               "--mode", "--print-pipeline", "dynamic shape", "--precision_mode", "--keep_dtype",
                               "allow_mix_precision", "bf16 [GearStudio extension]", "--quantize", "--calibration"})
      QVERIFY2(r.out.contains(needle), needle);
  }

  // --precision_mode builds, and the dtype of every node shows in --mode=1 JSON and --mode=6.
  void precisionRecorded() {
    std::ofstream(path("keep.txt").toStdString()) << "# kept float32\nadd\n";
    const auto r =
        runAtc({"--model=" + m_model, "--framework=5", "--output=" + path("tiny_fp16"), "--input_shape=x:-1,2,4,4",
                "--dynamic_batch_size=1,2", "--precision_mode=force_fp16", "--keep_dtype=" + path("keep.txt")});
    QVERIFY2(r.status == 0, qPrintable(r.err));
    const auto j = runAtc({"--mode=1", "--om=" + path("tiny_fp16.om"), "--json=" + path("tiny_fp16.json")});
    QVERIFY2(j.status == 0, qPrintable(j.err));
    const auto json = readJson(path("tiny_fp16.json").toStdString());
    QCOMPARE(QString::fromStdString(json["metadata"]["extra"].value("precision_mode", "")),
             QString("force_fp16 keep 1"));
    QVERIFY(QString::fromStdString(json["metadata"].value("atc_command", "")).contains("--precision_mode=force_fp16"));
    for (const auto& gear : json["gears"]) {
      QVERIFY(gear["precision"].value("float16", 0) >= 1); // the Conv (BatchNormalization and Relu folded in)
      QCOMPARE(gear["precision"].value("float32", 0), 1);  // the kept Add
      for (const auto& n : gear["graph"]["nodes"]) {
        QVERIFY(n.contains("precision"));
        if (n["name"] == "add") QCOMPARE(QString::fromStdString(n["precision"].get<std::string>()), QString("float32"));
      }
    }
    const auto info = runAtc({"--mode=6", "--om=" + path("tiny_fp16.om")});
    QVERIFY2(info.status == 0, qPrintable(info.err));
    QVERIFY2(info.out.contains("precision: float16 ") && info.out.contains("float32 1 (nodes per compute dtype)"),
             qPrintable(info.out));
    QVERIFY2(info.out.contains("precision_mode: force_fp16 keep 1"), qPrintable(info.out));
    std::ofstream(path("keep_bad.txt").toStdString()) << "nosuch\n";
    const auto bad =
        runAtc({"--model=" + m_model, "--framework=5", "--output=" + path("tiny_bad16"), "--input_shape=x:1,2,4,4",
                "--precision_mode=force_fp16", "--keep_dtype=" + path("keep_bad.txt")});
    QCOMPARE(bad.status, 1);
    QVERIFY2(bad.err.contains("E10016") && bad.err.contains("nosuch") && bad.err.contains("keep_bad.txt"),
             qPrintable(bad.err));
  }

  void printPipeline() {
    const auto r = runAtc({"--print-pipeline"});
    QCOMPARE(r.status, 0);
    QVERIFY(r.out.contains("fold-conv-batchnorm"));
    QVERIFY(r.out.contains("per-gear"));
    QVERIFY(r.out.contains("target device: cpu"));
    QVERIFY(!r.out.contains("[skipped")); // the CPU has every GearStudio op
    const auto bad = runAtc({"--print-pipeline", "--target=npu0"});
    QCOMPARE(bad.status, 1);
    QVERIFY2(bad.err.contains("unknown target device 'npu0'") && bad.err.contains("available: cpu"),
             qPrintable(bad.err));
  }

  void quantizeInt8WritesTheQdqModel() {
    const fs::path cal = m_tmp + "/cal";
    for (int i = 0; i < 4; ++i) {
      fs::create_directories(cal / std::to_string(i));
      std::vector<float> v(32);
      for (std::size_t k = 0; k < v.size(); ++k)
        v[k] = static_cast<float>((static_cast<int>(k) * 7 + i * 3) % 11) / 5.0f - 1.0f;
      writeNpy(cal / std::to_string(i) / "x.npy", {1, 2, 4, 4}, v);
    }
    const auto r =
        runAtc({"--model=" + m_model, "--framework=5", "--output=" + path("tiny_q"), "--input_shape=x:1,2,4,4",
                "--quantize=int8", "--calibration=" + QString::fromStdString(cal.string())});
    QVERIFY2(r.status == 0, qPrintable(r.err));
    QVERIFY2(r.out.contains("wrote quantized model " + path("tiny_q_int8.onnx")), qPrintable(r.out));
    QVERIFY(QFile::exists(path("tiny_q_int8.onnx")));
    QVERIFY(r.err.contains("calibrate: sample 4/4"));
    const auto j = runAtc({"--mode=1", "--om=" + path("tiny_q.om"), "--json=" + path("tiny_q.json")});
    QCOMPARE(j.status, 0);
    const auto om = readJson(path("tiny_q.json").toStdString());
    bool quantConv = false;
    for (const auto& n : om["gears"][0]["graph"]["nodes"])
      quantConv |= n["op_type"] == "QuantConv";
    QVERIFY(quantConv);
    QVERIFY(om["metadata"]["atc_command"].get<std::string>().find("--quantize=int8") != std::string::npos);
    // The quantized model compiles again as it is.
    const auto again = runAtc({"--model=" + path("tiny_q_int8.onnx"), "--framework=5",
                               "--output=" + path("tiny_q_again"), "--input_shape=x:1,2,4,4"});
    QVERIFY2(again.status == 0, qPrintable(again.err));
    // An empty calibration folder: a clear error, exit 1, nothing written.
    fs::create_directories(m_tmp + "/cal_empty");
    const auto bad =
        runAtc({"--model=" + m_model, "--framework=5", "--output=" + path("tiny_bad"), "--input_shape=x:1,2,4,4",
                "--quantize=int8", "--calibration=" + QString::fromStdString(m_tmp + "/cal_empty")});
    QCOMPARE(bad.status, 1);
    QVERIFY2(bad.err.contains("holds no samples"), qPrintable(bad.err));
    QVERIFY(!QFile::exists(path("tiny_bad.om")) && !QFile::exists(path("tiny_bad_int8.onnx")));
  }

  void buildStaticModel() {
    const auto r = runAtc({"--model=" + m_model, "--framework=5", "--output=" + path("tiny_static"),
                           "--input_shape=x:1,2,4,4", "--soc_version=Ascend310P3"});
    QVERIFY2(r.status == 0, qPrintable(r.err));
    QVERIFY(QFile::exists(path("tiny_static.om")));
    QVERIFY(r.out.contains("ATC run success"));
  }

  void buildGearsAndGoldenOmJson() {
    const auto r = runAtc({"--model=" + m_model, "--framework=5", "--output=" + path("tiny_gears"),
                           "--input_shape=x:-1,2,4,4", "--dynamic_batch_size=1,2,4", "--soc_version=Ascend310P3"});
    QVERIFY2(r.status == 0, qPrintable(r.err));
    QVERIFY(r.err.contains("gear 3/3")); // progress per gear on stderr
    const auto j = runAtc({"--mode=1", "--om=" + path("tiny_gears.om"), "--json=" + path("tiny_gears.json")});
    QVERIFY2(j.status == 0, qPrintable(j.err));
    auto json = readJson(path("tiny_gears.json").toStdString());
    QVERIFY(!json.is_discarded());
    // Every gear lists its whole graph, node by node (ATC's mode 1 on an .om).
    for (const auto& gear : json["gears"]) {
      QCOMPARE(gear["graph"]["nodes"].size(), gear["node_count"].get<std::size_t>());
      for (const auto& n : gear["graph"]["nodes"])
        for (const char* key : {"name", "domain", "op_type", "attributes", "inputs", "outputs"})
          QVERIFY2(n.contains(key), key);
    }
    normalise(json, m_tmp);
    compareGolden(json, "tiny_gears.om.json");
  }

  void onnxToGoldenJson() {
    const auto r = runAtc({"--mode=1", "--framework=5", "--model=" + m_model, "--json=" + path("tiny.json")});
    QVERIFY2(r.status == 0, qPrintable(r.err));
    auto json = readJson(path("tiny.json").toStdString());
    QVERIFY(!json.is_discarded());
    normalise(json, m_tmp);
    compareGolden(json, "tiny.onnx.json");
  }

  void modelInfo() {
    const auto r = runAtc({"--mode=6", "--om=" + path("tiny_static.om")});
    QVERIFY2(r.status == 0, qPrintable(r.err));
    QVERIFY(r.out.contains("Ascend310P3"));
  }

  void precheckWritesResultNextToOutput() {
    QDir().mkpath(path("chk"));
    const auto again = runAtc({"--mode=3", "--model=" + m_model, "--framework=5", "--output=" + path("chk/tiny"),
                               "--input_shape=x:-1,2,4,4", "--dynamic_batch_size=1,8"});
    QVERIFY2(again.status == 0, qPrintable(again.err));
    auto json = readJson(path("chk/check_result.json").toStdString());
    QCOMPARE(QString::fromStdString(json.value("result", "")), QString("success"));
    QCOMPARE(json.value("gear_count", 0), 2);
    QVERIFY(!QFile::exists(path("chk/tiny.om"))); // a pre-check builds nothing
  }

  void precheckReportsErrors() {
    const auto r = runAtc({"--mode=3", "--model=" + m_model, "--framework=5", "--output=" + path("tiny_bad"),
                           "--input_shape=nosuch:1,2,4,4"});
    QVERIFY(r.status != 0);
    QVERIFY2(r.err.contains("E10016"), qPrintable(r.err));
    auto json = readJson(path("check_result.json").toStdString());
    QCOMPARE(QString::fromStdString(json.value("result", "")), QString("failed"));
    QCOMPARE(QString::fromStdString(json["errors"][0].value("code", "")), QString("E10016"));
  }

  void errorExits_data() {
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("code");
    const QString model = "--model=" + m_model;
    QTest::newRow("missing framework") << QStringList{model, "--output=" + path("o")} << "E10007";
    QTest::newRow("missing output") << QStringList{model, "--framework=5"} << "E10007";
    QTest::newRow("caffe") << QStringList{model, "--framework=0", "--output=" + path("o")} << "GS0003";
    QTest::newRow("unknown option") << QStringList{model, "--framework=5", "--bogus=1"} << "E10001";
    QTest::newRow("float dim") << QStringList{model, "--framework=5", "--output=" + path("o"),
                                              "--input_shape=x:1.5,2,4,4"}
                               << "E10002";
    QTest::newRow("one gear") << QStringList{model, "--framework=5", "--output=" + path("o"),
                                             "--input_shape=x:-1,2,4,4", "--dynamic_batch_size=4"}
                              << "E10035";
    QTest::newRow("no model file") << QStringList{"--model=" + path("absent.onnx"), "--framework=5",
                                                  "--output=" + path("o")}
                                   << "GS0001";
    QTest::newRow("om missing") << QStringList{"--mode=6"} << "E10007";
    QTest::newRow("om not an om") << QStringList{"--mode=6", "--om=" + m_model} << "GS0002";
  }

  void errorExits() {
    QFETCH(QStringList, args);
    QFETCH(QString, code);
    const auto r = runAtc(args);
    QVERIFY(r.status != 0);
    QVERIFY2(r.err.startsWith(code + ": "), qPrintable(r.err));
  }

  // Issue 11: arguments that are not UTF-8 (or cut a character in half) never abort; the message on
  // stderr and check_result.json are UTF-8 with the bad bytes written as \xHH.
  void nonUtf8Arguments_data() {
    QTest::addColumn<QByteArray>("option");
    QTest::addColumn<QString>("code");
    QTest::addColumn<QByteArray>("needle"); // in the message, as UTF-8
    QTest::newRow("emoji image size") << QByteArray("--dynamic_image_size=\xF0\x9F\x98\x80") << "E10003"
                                      << QByteArray("found [\xF0\x9F\x98\x80]");
    QTest::newRow("half an emoji") << QByteArray("--dynamic_image_size=1,1;\xF0\x9F") << "E10003"
                                   << QByteArray("found [\\xF0]");
    QTest::newRow("raw ff in input_shape")
        << QByteArray("--input_shape=x:1,\xFF,4,4") << "E10002" << QByteArray("[x:1,\\xFF,4,4]");
    QTest::newRow("raw ff in an input name")
        << QByteArray("--input_shape=x\xFF:1,2,4,4") << "E10016" << QByteArray("Input [x\\xFF]");
    QTest::newRow("batch with a lone continuation byte")
        << QByteArray("--dynamic_batch_size=1,\x80") << "E10003" << QByteArray("found [\\x80]");
    QTest::newRow("log level") << QByteArray("--log=\xC3") << "E10001" << QByteArray("Value [\\xC3]");
    QTest::newRow("framework") << QByteArray("--framework=\xFE") << "E10001" << QByteArray("Value [\\xFE]");
    QTest::newRow("unknown option name") << QByteArray("--bogus\xFF=1") << "E10001"
                                         << QByteArray("Parameter [--bogus\\xFF]");
    QTest::newRow("input_format") << QByteArray("--input_format=N\xC3HW") << "E10001" << QByteArray("Value [N\\xC3HW]");
    QTest::newRow("overlong slash") << QByteArray("--out_nodes=\xC0\xAF") << "E10016"
                                    << QByteArray("Output [\\xC0\\xAF]");
    QTest::newRow("surrogate") << QByteArray("--out_nodes=\xED\xA0\x80:0") << "E10016"
                               << QByteArray("Output [\\xED\\xA0\\x80:0]");
  }
  void nonUtf8Arguments() {
    QFETCH(QByteArray, option);
    QFETCH(QString, code);
    QFETCH(QByteArray, needle);
    static int run = 0;
    const fs::path dir = m_tmp + "/utf8-" + std::to_string(run++);
    fs::create_directories(dir);
    std::vector<std::string> args{"--mode=3", "--framework=5", "--model=" + m_model.toStdString(),
                                  "--output=" + (dir / "out").string(), option.toStdString()};
    if (!option.startsWith("--input_shape") && !option.startsWith("--dynamic_batch_size"))
      args.push_back("--input_shape=x:1,2,-1,-1");
    if (option.startsWith("--dynamic_batch_size")) args.push_back("--input_shape=x:-1,2,4,4");
    const auto r = runAtcRaw(args, dir);
    QVERIFY2(r.signal == 0, ("killed by signal " + std::to_string(r.signal) + ": " + r.err).c_str());
    QCOMPARE(r.status, 1);
    QVERIFY2(isUtf8(r.err), r.err.c_str());
    QVERIFY2(QString::fromStdString(r.err).startsWith(code + ": "), r.err.c_str());
    QVERIFY2(r.err.find(needle.toStdString()) != std::string::npos, r.err.c_str());
    const auto text = slurp(dir / "check_result.json");
    const auto json = nlohmann::json::parse(text, nullptr, false); // strict: fails on bytes that are not UTF-8
    QVERIFY2(!json.is_discarded(), text.c_str());
    QCOMPARE(QString::fromStdString(json.value("result", "")), QString("failed"));
    QCOMPARE(QString::fromStdString(json["errors"][0].value("code", "")), code);
    QVERIFY(isUtf8(json.value("atc_command", "")));
  }

  // Names in a model that are not UTF-8 reach the JSON views escaped, from the .onnx and the .om.
  void nonUtf8NamesInJson() {
    onnx::ModelProto m;
    m.set_ir_version(7);
    m.add_opset_import()->set_version(13);
    m.set_doc_string("doc \xFF");
    auto* g = m.mutable_graph();
    g->set_name("g\xC3");
    addValueInfo(g->add_input(), "in\xFF", {"1", "2"});
    addValueInfo(g->add_output(), "out\xE2\x82", {"1", "2"});
    auto* n = g->add_node();
    n->set_name("relu\xED\xA0\x80");
    n->set_op_type("Relu");
    n->add_input("in\xFF");
    n->add_output("out\xE2\x82");
    const auto model = m_tmp + "/bad_names.onnx";
    {
      std::ofstream f(model, std::ios::binary);
      m.SerializeToOstream(&f);
    }
    const auto j1 =
        runAtcRaw({"--mode=1", "--framework=5", "--model=" + model, "--json=" + m_tmp + "/bad1.json"}, m_tmp);
    QVERIFY2(j1.signal == 0 && j1.status == 0, j1.err.c_str());
    const auto onnxJson = nlohmann::json::parse(slurp(m_tmp + "/bad1.json"), nullptr, false);
    QVERIFY(!onnxJson.is_discarded());
    QCOMPARE(QString::fromStdString(onnxJson["nodes"][0].value("name", "")), QString("relu\\xED\\xA0\\x80"));
    const auto built = runAtcRaw({"--framework=5", "--model=" + model, "--output=" + m_tmp + "/bad_names"}, m_tmp);
    QVERIFY2(built.signal == 0 && built.status == 0, built.err.c_str());
    const auto j2 = runAtcRaw({"--mode=1", "--om=" + m_tmp + "/bad_names.om", "--json=" + m_tmp + "/bad2.json"}, m_tmp);
    QVERIFY2(j2.signal == 0 && j2.status == 0, j2.err.c_str());
    const auto text = slurp(m_tmp + "/bad2.json");
    QVERIFY(!nlohmann::json::parse(text, nullptr, false).is_discarded());
    // The .om view replaces invalid bytes with U+FFFD (om_json.cpp), as it always has.
    QVERIFY2(text.find("in\xEF\xBF\xBD") != std::string::npos, text.c_str());
  }
};

QTEST_GUILESS_MAIN(TestCli)

#include "test_cli.moc"
