// gearbench as users run it, at its edges: a model too big to load (refused against physical memory
// or --max-memory, never an uncaught bad_alloc), .npy inputs that are devices, pipes, truncated or
// followed by junk (refused before any data is read), and options pasted from an atc line
// (--framework, --soc_version, --output, --log) checked as gearatc checks them.
#include <QtTest>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include <onnx/onnx_pb.h>

#include "core/runtime/npy.h"

namespace fs = std::filesystem;
using namespace gs;

namespace {

struct Result {
  int status = -1; // -1: crashed (a signal) or timed out
  QString out;
  QString err;
  qint64 millis = 0;
};

Result runBench(const QStringList& args, int timeoutMs = 60000) {
  QProcess p;
  QElapsedTimer t;
  t.start();
  // GS_TEST_GEARBENCH runs these cases against another build (e.g. an older one, to see them fail).
  p.start(qEnvironmentVariable("GS_TEST_GEARBENCH", QStringLiteral(GEARBENCH_PATH)), args);
  Result r;
  if (!p.waitForFinished(timeoutMs)) {
    p.kill();
    p.waitForFinished();
    r.err = QStringLiteral("timed out");
    return r;
  }
  r.millis = t.elapsed();
  r.status = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
  r.out = QString::fromUtf8(p.readAllStandardOutput());
  r.err = QString::fromUtf8(p.readAllStandardError());
  return r;
}

// GCC 12 warns falsely (-Wrestrict) on protobuf's inlined string assignment in add_input("x").
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wrestrict"
// y = Relu(x), x float32 of the given dims.
void writeReluModel(const fs::path& path, const std::vector<int64_t>& dims) {
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.add_opset_import()->set_version(13);
  auto* g = m.mutable_graph();
  g->set_name("relu");
  for (auto [vi, name] : {std::pair{g->add_input(), "x"}, std::pair{g->add_output(), "y"}}) {
    vi->set_name(name);
    auto* tt = vi->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(onnx::TensorProto::FLOAT);
    for (auto d : dims)
      tt->mutable_shape()->add_dim()->set_dim_value(d);
  }
  auto* n = g->add_node();
  n->set_name("relu");
  n->set_op_type("Relu");
  n->add_input(std::string("x"));
  n->add_output(std::string("y"));
  std::ofstream f(path, std::ios::binary);
  m.SerializeToOstream(&f);
}

// A float32 tensor file of a backend-test case (input_N.pb / output_N.pb).
void writeTensorFile(const fs::path& path, const std::string& name, const std::vector<int64_t>& dims,
                     const std::vector<float>& values) {
  onnx::TensorProto t;
  t.set_name(name);
  t.set_data_type(onnx::TensorProto::FLOAT);
  for (auto d : dims)
    t.add_dims(d);
  for (auto v : values)
    t.add_float_data(v);
  std::ofstream f(path, std::ios::binary);
  t.SerializeToOstream(&f);
}
#pragma GCC diagnostic pop

// A backend-test case folder: Relu over 4 values, expected output right (passes) or wrong (fails).
void writeReluCase(const fs::path& dir, bool correct) {
  fs::create_directories(dir / "test_data_set_0");
  writeReluModel(dir / "model.onnx", {4});
  writeTensorFile(dir / "test_data_set_0" / "input_0.pb", "x", {4}, {-1.f, 2.f, -3.f, 4.f});
  writeTensorFile(dir / "test_data_set_0" / "output_0.pb", "y", {4},
                  correct ? std::vector<float>{0.f, 2.f, 0.f, 4.f} : std::vector<float>{0.f, 2.f, 0.f, 5.f});
}

} // namespace

class TestBenchCli : public QObject {
  Q_OBJECT

  QTemporaryDir m_dir;
  fs::path m_root;
  QString m_small; // x [1,16]

  QString path(const std::string& name) const { return QString::fromStdString((m_root / name).string()); }

private slots:
  void initTestCase() {
    QVERIFY(m_dir.isValid());
    m_root = m_dir.path().toStdString();
    writeReluModel(m_root / "small.onnx", {1, 16});
    m_small = path("small.onnx");
  }

  // --quantize=int8 reaches the on-the-fly compile: calibration runs, and a model without Conv /
  // MatMul / Gemm weights is refused with that reason (exit 1, no crash).
  void quantizeOptionsReachTheCompile() {
    fs::create_directories(m_root / "cal" / "s0");
    runtime::HostTensor t(ir::DataType::Float32, {1, 16});
    QVERIFY(runtime::npy::write((m_root / "cal" / "s0" / "x.npy").string(), t));
    const auto r =
        runBench({"--model=" + m_small, "--quantize=int8", "--calibration=" + path("cal"), "--loop=1", "--warmup=0"});
    QVERIFY2(r.status == 1, qPrintable(r.out + r.err));
    QVERIFY2(r.err.contains("no Conv, MatMul or Gemm with constant weights"), qPrintable(r.err));
    const auto bad = runBench({"--model=" + m_small, "--calibration=" + path("cal"), "--loop=1"});
    QCOMPARE(bad.status, 2); // --calibration without --quantize=int8: the option check refuses it
    QVERIFY2(bad.err.startsWith("E10007: "), qPrintable(bad.err));
  }

  // Issue 11: an input dim of 2^40 compiles (the plan is addressable) but loading it would need
  // terabytes: refused against the physical memory with a message, not a bad_alloc abort.
  void hugeModelIsRefusedAtLoad() {
    writeReluModel(m_root / "huge.onnx", {1, int64_t{1} << 40});
    const auto r = runBench({"--model=" + path("huge.onnx"), "--loop=1", "--warmup=0"});
    QVERIFY2(r.status == 1, qPrintable(r.err));
    QVERIFY2(r.err.startsWith(QStringLiteral("GS0007: ")), qPrintable(r.err));
    QVERIFY2(r.err.contains("more than the physical memory"), qPrintable(r.err));
    QVERIFY2(!r.err.contains("bad_alloc"), qPrintable(r.err));
  }

  void maxMemoryLimitsTheLoad() {
    writeReluModel(m_root / "mid.onnx", {1, 1 << 20}); // 4 MiB in + 4 MiB out
    const auto refused = runBench({"--model=" + path("mid.onnx"), "--loop=1", "--warmup=0", "--max-memory=4"});
    QVERIFY2(refused.status == 1, qPrintable(refused.err));
    QVERIFY2(refused.err.contains("more than --max-memory (4.0 MiB)"), qPrintable(refused.err));
    const auto runs = runBench({"--model=" + path("mid.onnx"), "--loop=1", "--warmup=0", "--max-memory=64"});
    QVERIFY2(runs.status == 0, qPrintable(runs.err));
    for (const char* bad : {"--max-memory=0", "--max-memory=lots", "--max-memory="}) {
      const auto r = runBench({"--model=" + m_small, bad});
      QVERIFY2(r.status == 2, qPrintable(QString(bad) + ": " + r.err));
    }
  }

  // Issue 11: x.npy -> /dev/zero (an endless stream) is refused at once, as are pipes, folders,
  // truncated files and files with bytes after the data.
  void npyInputsAreCheckedBeforeReading_data() {
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("needle");
    QTest::newRow("/dev/zero") << "devzero"
                               << "not a regular file";
    QTest::newRow("fifo") << "fifo"
                          << "not a regular file";
    QTest::newRow("folder") << "folder"
                            << "it is a folder";
    QTest::newRow("trailing bytes") << "trailing"
                                    << "7 trailing bytes after the data of 64 bytes";
    QTest::newRow("truncated") << "truncated"
                               << "runs past the end";
    QTest::newRow("huge header shape") << "hugeshape"
                                       << "runs past the end";
  }
  void npyInputsAreCheckedBeforeReading() {
    QFETCH(QString, kind);
    QFETCH(QString, needle);
    const auto dir = m_root / ("in_" + kind.toStdString());
    fs::create_directories(dir);
    const auto x = dir / "x.npy";
    runtime::HostTensor t(ir::DataType::Float32, {1, 16});
    auto bytes = runtime::npy::toBytes(t);
    QVERIFY(bytes);
    if (kind == "devzero") fs::create_symlink("/dev/zero", x);
    if (kind == "fifo") QCOMPARE(::mkfifo(x.c_str(), 0600), 0);
    if (kind == "folder") fs::create_directory(x);
    if (kind == "trailing") std::ofstream(x, std::ios::binary) << *bytes << "garbage";
    if (kind == "truncated") std::ofstream(x, std::ios::binary) << bytes->substr(0, bytes->size() - 5);
    if (kind == "hugeshape") {
      auto h = *bytes;
      const std::string small = "(1,16)", huge = "(1099511627776,)";
      const auto at = h.find(small);
      QVERIFY(at != std::string::npos);
      h.replace(at, small.size(), huge);
      // Keep the header length: take the extra characters from its padding.
      h.erase(h.find('\n') - (huge.size() - small.size()), huge.size() - small.size());
      std::ofstream(x, std::ios::binary) << h;
    }
    const auto r = runBench(
        {"--model=" + m_small, "--input=" + QString::fromStdString(dir.string()), "--loop=1", "--warmup=0"}, 20000);
    QVERIFY2(r.status == 1, qPrintable(r.err));
    QVERIFY2(r.err.contains(needle), qPrintable(r.err));
    QVERIFY2(r.err.contains(QString::fromStdString(x.string())), qPrintable(r.err));
    QVERIFY2(r.millis < 10000, qPrintable(QString::number(r.millis)));
  }

  // The reader itself: a valid file reads back; fromBytes refuses trailing bytes too.
  void npyReaderRoundTripAndTrailingBytes() {
    runtime::HostTensor t(ir::DataType::Int32, {2, 3});
    for (int i = 0; i < 6; ++i)
      t.as<int32_t>()[i] = i * 7 - 3;
    const auto file = (m_root / "ok.npy").string();
    QVERIFY(runtime::npy::write(file, t));
    auto back = runtime::npy::read(file);
    QVERIFY2(back, back ? "" : back.error().str().c_str());
    QCOMPARE(back->dims(), t.dims());
    QCOMPARE(std::memcmp(back->data(), t.data(), t.byteSize()), 0);
    auto header = runtime::npy::readHeader(file);
    QVERIFY(header);
    QCOMPARE(header->dims, t.dims());
    auto bytes = runtime::npy::toBytes(t);
    QVERIFY(runtime::npy::fromBytes(*bytes));
    auto extra = runtime::npy::fromBytes(*bytes + "x");
    QVERIFY(!extra);
    QVERIFY2(extra.error().message.find("1 trailing bytes") != std::string::npos, extra.error().str().c_str());
  }

  // Issue 11: options pasted from an atc line are accepted and checked as gearatc checks them.
  void pastedAtcOptions() {
    const auto out = path("outs");
    const auto r = runBench({"--model=" + m_small, "--framework=5", "--soc_version=Ascend310P3", "--log=error",
                             "--output=" + out, "--input_shape=x:1,16", "--loop=1", "--warmup=0"});
    QVERIFY2(r.status == 0, qPrintable(r.err));
    QVERIFY(QFile::exists(out + "/y.npy"));
    // The precision options reach the on-the-fly compile: float16 here, recorded in the JSON report's build.
    const auto half = runBench({"--model=" + m_small, "--input_shape=x:1,16", "--precision_mode=force_fp16", "--loop=1",
                                "--warmup=0", "--output=" + path("outs16")});
    QVERIFY2(half.status == 0, qPrintable(half.err));
    QVERIFY(QFile::exists(path("outs16") + "/y.npy"));
  }
  void pastedAtcOptionErrors_data() {
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("code");
    QTest::newRow("framework caffe") << QStringList{"--framework=0"} << "GS0003";
    QTest::newRow("framework tensorflow") << QStringList{"--framework=3"} << "GS0003";
    QTest::newRow("framework not a number") << QStringList{"--framework=onnx"} << "E10001";
    QTest::newRow("framework with a space") << QStringList{"--framework=5 "} << "E10001";
    QTest::newRow("log level") << QStringList{"--log=loud"} << "E10001";
    QTest::newRow("soc with a space") << QStringList{"--soc_version=Ascend310P3 "} << "E10001";
    QTest::newRow("output empty") << QStringList{"--output="} << "E10001";
    QTest::newRow("NHWC") << QStringList{"--input_format=NHWC", "--input_shape=x:1,16"} << "E10001";
    QTest::newRow("one gear") << QStringList{"--input_shape=x:-1,16", "--dynamic_batch_size=4"} << "E10035";
    QTest::newRow("static shape with batch gears")
        << QStringList{"--input_shape=x:1,16", "--dynamic_batch_size=1,2"} << "E10031";
    QTest::newRow("unsupported atc option") << QStringList{"--insert_op_conf=aipp.cfg"} << "GS0004";
    QTest::newRow("unsupported atc option, implementation mode")
        << QStringList{"--op_select_implmode=high_precision"} << "GS0004";
    QTest::newRow("precision mode") << QStringList{"--precision_mode=fp8"} << "E10001";
  }
  void pastedAtcOptionErrors() {
    QFETCH(QStringList, args);
    QFETCH(QString, code);
    const auto r = runBench(QStringList{"--model=" + m_small, "--loop=1", "--warmup=0"} + args);
    QVERIFY2(r.status == 2, qPrintable(QString::number(r.status) + " " + r.err));
    QVERIFY2(r.err.startsWith(code + ": "), qPrintable(r.err));
  }

  // Issue 13: the conformance gate. Every case of --expect-pass must pass (each one that does not is
  // named, the run fails); passing cases not in the list are reported; --write-pass-list writes the
  // list that --expect-pass reads.
  void expectPassList() {
    const fs::path cases = m_root / "cases";
    writeReluCase(cases / "case_good", true);
    writeReluCase(cases / "case_bad", false);
    const QString dir = QString::fromStdString(cases.string());
    auto list = [&](const std::string& name, const std::string& text) {
      std::ofstream(m_root / name) << text;
      return path(name);
    };
    // A listed case that fails: named, exit 1.
    auto r = runBench({"--check=" + dir, "--expect-pass=" + list("both.txt", "# gate\ncase_good\n  case_bad  \n\n")});
    QVERIFY2(r.status == 1, qPrintable(r.out + r.err));
    QVERIFY2(r.out.contains("REGRESSED case_bad: failed: "), qPrintable(r.out));
    QVERIFY2(!r.out.contains("REGRESSED case_good"), qPrintable(r.out));
    QVERIFY2(r.out.contains("1 of 2 expected cases passed"), qPrintable(r.out));
    QVERIFY2(r.err.contains("1 case(s) of"), qPrintable(r.err));
    // A listed case that is not there at all: named, exit 1.
    r = runBench({"--check=" + dir, "--expect-pass=" + list("missing.txt", "case_good\ncase_gone\n")});
    QVERIFY2(r.status == 1, qPrintable(r.out + r.err));
    QVERIFY2(r.out.contains("REGRESSED case_gone: listed in"), qPrintable(r.out));
    // A case that passes but is not listed: reported, not a failure.
    r = runBench({"--check=" + dir, "--expect-pass=" + list("empty.txt", "# nothing yet\n")});
    QVERIFY2(r.status == 0, qPrintable(r.out + r.err));
    QVERIFY2(r.out.contains("NEW PASS case_good"), qPrintable(r.out));
    QVERIFY2(!r.out.contains("NEW PASS case_bad"), qPrintable(r.out));
    // The written list holds the passing cases only, and the gate accepts it.
    r = runBench({"--check=" + dir, "--write-pass-list=" + path("written.txt")});
    QVERIFY2(r.status == 0, qPrintable(r.out + r.err));
    std::ifstream f(m_root / "written.txt");
    const std::string written((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    QVERIFY2(written.find("\ncase_good\n") != std::string::npos, written.c_str());
    QVERIFY2(written.find("case_bad") == std::string::npos, written.c_str());
    r = runBench({"--check=" + dir, "--expect-pass=" + path("written.txt")});
    QVERIFY2(r.status == 0, qPrintable(r.out + r.err));
    QVERIFY2(r.out.contains("1 of 1 expected cases passed"), qPrintable(r.out));
    // Bad lists and options: usage errors.
    r = runBench({"--check=" + dir, "--expect-pass=" + list("slash.txt", "node/case_good\n")});
    QVERIFY2(r.status == 2 && r.err.contains("line 1"), qPrintable(r.err));
    r = runBench({"--check=" + dir, "--expect-pass=" + path("no-such-list.txt")});
    QVERIFY2(r.status == 2 && r.err.contains("cannot read"), qPrintable(r.err));
    r = runBench({"--model=" + m_small, "--expect-pass=" + path("written.txt")});
    QVERIFY2(r.status == 2 && r.err.contains("go with --check"), qPrintable(r.err));
  }
};

QTEST_GUILESS_MAIN(TestBenchCli)
#include "test_bench_cli.moc"
