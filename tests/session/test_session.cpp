// Session glue tests: compileOnnx + Session over static, multi-gear and dynamic-shape compiles of a
// model written in code; .om round trip through loadModel; PP-OCR det/rec/cls at three gears each;
// the conformance runner on single cases (pass, a wrong expected output, a skip, a time-out).
#include <QtTest>

#include <cmath>
#include <csignal>
#include <cstdio>
#include <filesystem>

#include "core/om/om_file.h"
#include "core/runtime/session.h"
#include "core/session/compile_onnx.h"
#include "core/session/conformance.h"
#include "onnx_models.h"

using namespace gs;
using runtime::HostTensor;
namespace fs = std::filesystem;

namespace {

shape_config::AtcOptions atcOf(std::initializer_list<std::pair<const char*, std::string>> kv) {
  shape_config::AtcOptions o;
  for (const auto& [k, v] : kv) {
    auto st = shape_config::setOption(o, k, v);
    if (!st) qWarning("%s", st.error().str().c_str());
  }
  return o;
}

HostTensor ramp(std::vector<int64_t> dims, float start, float step) {
  HostTensor t(ir::DataType::Float32, std::move(dims));
  for (int64_t i = 0; i < t.numel(); ++i)
    t.as<float>()[i] = start + step * static_cast<float>(i);
  return t;
}

// Pseudo-random image-like input in [0, 1), fixed seed.
HostTensor noise(std::vector<int64_t> dims, uint32_t seed) {
  HostTensor t(ir::DataType::Float32, std::move(dims));
  uint32_t s = seed;
  for (int64_t i = 0; i < t.numel(); ++i) {
    s = s * 1664525u + 1013904223u;
    t.as<float>()[i] = static_cast<float>(s >> 8) / static_cast<float>(1u << 24);
  }
  return t;
}

void checkReluAdd(const HostTensor& x, const HostTensor& y) {
  QCOMPARE(y.dims(), x.dims());
  for (int64_t i = 0; i < x.numel(); ++i)
    QCOMPARE(y.as<float>()[i], std::max(x.as<float>()[i], 0.0f) + test::reluAddBias()[static_cast<std::size_t>(i % 4)]);
}

std::unique_ptr<runtime::Session> open(om::Model m) {
  auto s = runtime::Session::create(std::make_shared<const om::Model>(std::move(m)), runtime::SessionOptions{"cpu", 2});
  if (!s) qWarning("%s", s.error().str().c_str());
  return s ? std::move(*s) : nullptr;
}

} // namespace

class TestSession : public QObject {
  Q_OBJECT

  QTemporaryDir m_tmp;
  std::string m_reluAdd;

private slots:
  void initTestCase() {
    QVERIFY(m_tmp.isValid());
    m_reluAdd = m_tmp.filePath("relu_add.onnx").toStdString();
    QVERIFY(test::writeProto(test::reluAddModel(), m_reluAdd));
  }

  void compileGearsAndRun() {
    auto m = session::compileOnnx(m_reluAdd, atcOf({{"input_shape", "x:-1,4"}, {"dynamic_batch_size", "1,2,4"}}));
    QVERIFY2(m, m ? "" : m.error().str().c_str());
    QCOMPARE(m->gears.size(), std::size_t{3});
    auto s = open(std::move(*m));
    QVERIFY(s);
    QCOMPARE(s->largestGear(), 2);
    const int64_t batches[] = {1, 2, 4};
    for (int g = 0; g < 3; ++g) {
      auto x = ramp({batches[g], 4}, -2.0f, 0.3f);
      auto r = s->run(std::span(&x, 1));
      QVERIFY2(r, r ? "" : r.error().str().c_str());
      QCOMPARE(r->gear, g);
      checkReluAdd(x, r->outputs[0]);
    }
    auto x3 = ramp({3, 4}, 0, 1);
    auto r = s->run(std::span(&x3, 1));
    QVERIFY(!r);
    QVERIFY(r.error().message.find("gear 2: x:4,4") != std::string::npos);
  }

  void compileStaticAndOmRoundTrip() {
    auto m = session::compileOnnx(m_reluAdd, atcOf({{"input_shape", "x:2,4"}}));
    QVERIFY2(m, m ? "" : m.error().str().c_str());
    const auto path = m_tmp.filePath("relu_add.om").toStdString();
    QVERIFY(om::writeFile(*m, path));
    auto loaded = session::loadModel(path);
    QVERIFY2(loaded, loaded ? "" : loaded.error().str().c_str());
    auto s = runtime::Session::create(*loaded);
    QVERIFY(s);
    auto x = ramp({2, 4}, -1.0f, 0.25f);
    auto r = (*s)->run(std::span(&x, 1));
    QVERIFY2(r, r ? "" : r.error().str().c_str());
    checkReluAdd(x, r->outputs[0]);
  }

  void compileDynamicShape() {
    auto m = session::compileOnnx(m_reluAdd, atcOf({{"input_shape", "x:1~8,4"}}));
    QVERIFY2(m, m ? "" : m.error().str().c_str());
    QVERIFY(m->dynamic.has_value());
    auto s = open(std::move(*m));
    QVERIFY(s);
    for (int n : {5, 1, 8}) {
      auto x = ramp({n, 4}, -3.0f, 0.2f);
      auto r = s->run(std::span(&x, 1));
      QVERIFY2(r, r ? "" : r.error().str().c_str());
      checkReluAdd(x, r->outputs[0]);
    }
    auto x9 = ramp({9, 4}, 0, 1);
    auto r = s->run(std::span(&x9, 1));
    QVERIFY(!r);
    QVERIFY(r.error().message.find("dim 0") != std::string::npos);
  }

  void ppocrThreeGearsEach_data() {
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("inputShape");
    QTest::addColumn<QString>("gearKey");
    QTest::addColumn<QString>("gears");
    QTest::newRow("det") << "ch_PP-OCRv4_det_infer.onnx"
                         << "x:1,3,-1,-1"
                         << "dynamic_image_size"
                         << "160,160;224,320;320,320";
    QTest::newRow("rec") << "ch_PP-OCRv4_rec_infer.onnx"
                         << "x:-1,3,48,-1"
                         << "dynamic_dims"
                         << "1,160;1,320;2,320";
    QTest::newRow("cls") << "ch_ppocr_mobile_v2.0_cls_infer.onnx"
                         << "x:-1,3,48,192"
                         << "dynamic_batch_size"
                         << "1,2,4";
  }
  void ppocrThreeGearsEach() {
    QFETCH(QString, file);
    QFETCH(QString, inputShape);
    QFETCH(QString, gearKey);
    QFETCH(QString, gears);
    const auto path = fs::path(GS_MODELS_DIR) / file.toStdString();
    if (!fs::exists(path)) QSKIP("sample model not present");
    auto opts = atcOf({{"input_shape", inputShape.toStdString()}});
    QVERIFY(shape_config::setOption(opts, gearKey.toStdString(), gears.toStdString()));
    auto m = session::compileOnnx(path.string(), opts);
    QVERIFY2(m, m ? "" : m.error().str().c_str());
    QCOMPARE(m->gears.size(), std::size_t{3});
    auto s = open(std::move(*m));
    QVERIFY(s);
    for (int g = 0; g < 3; ++g) {
      const auto& desc = s->model().gears[static_cast<std::size_t>(g)];
      auto x = noise(desc.inputs[0].dims, 7u + static_cast<uint32_t>(g));
      auto r = s->run(std::span(&x, 1));
      QVERIFY2(r, r ? "" : r.error().str().c_str());
      QCOMPARE(r->gear, g);
      QCOMPARE(r->outputs.size(), desc.outputs.size());
      for (std::size_t o = 0; o < desc.outputs.size(); ++o) {
        QCOMPARE(r->outputs[o].dims(), desc.outputs[o].dims);
        const auto& t = r->outputs[o];
        QCOMPARE(t.dtype(), ir::DataType::Float32);
        double sum = 0;
        for (int64_t i = 0; i < t.numel(); ++i) {
          QVERIFY2(std::isfinite(t.as<float>()[i]), "non-finite output");
          sum += std::abs(t.as<float>()[i]);
        }
        QVERIFY2(sum > 0, "all-zero output");
      }
    }
  }

  void conformanceCaseVerdicts() {
    // A real backend case passes.
    const std::string abs = std::string(GS_ONNX_TESTDATA) + "/node/test_abs";
    if (!fs::exists(abs)) QSKIP("ONNX backend test data not present");
    session::ConformanceOptions opt;
    auto ok = session::runCase(abs, opt);
    QVERIFY2(ok.status == session::CaseStatus::Passed, ok.reason.c_str());

    // The same model with a wrong expected output fails, with a reason.
    const fs::path bad = fs::path(m_tmp.path().toStdString()) / "cases" / "test_wrong";
    fs::create_directories(bad / "test_data_set_0");
    fs::copy_file(fs::path(abs) / "model.onnx", bad / "model.onnx");
    fs::copy_file(fs::path(abs) / "test_data_set_0" / "input_0.pb", bad / "test_data_set_0" / "input_0.pb");
    auto in = ramp({3, 4, 5}, 0, 0);
    onnx::TensorProto wrong = test::floatProto("y", {3, 4, 5}, std::vector<float>(60, 123.0f));
    QVERIFY(test::writeProto(wrong, (bad / "test_data_set_0" / "output_0.pb").string()));
    auto f = session::runCase(bad.string(), opt);
    QCOMPARE(f.status, session::CaseStatus::Failed);
    QVERIFY2(f.reason.find("differ") != std::string::npos, f.reason.c_str());

    // An op outside the supported set is skipped, and the reason names it.
    const fs::path unsup = fs::path(m_tmp.path().toStdString()) / "cases" / "test_unsupported";
    fs::create_directories(unsup / "test_data_set_0");
    auto model = test::reluAddModel();
    model.mutable_graph()->mutable_node(0)->set_op_type("GsNoSuchOp");
    model.mutable_graph()->mutable_node(0)->set_domain("com.example");
    model.add_opset_import()->set_domain("com.example");
    model.mutable_opset_import(1)->set_version(1);
    QVERIFY(test::writeProto(model, (unsup / "model.onnx").string()));
    QVERIFY(test::writeProto(test::floatProto("x", {1, 4}, {1, 2, 3, 4}),
                             (unsup / "test_data_set_0" / "input_0.pb").string()));
    QVERIFY(test::writeProto(test::floatProto("y", {1, 4}, {1, 2, 3, 4}),
                             (unsup / "test_data_set_0" / "output_0.pb").string()));
    auto sk = session::runCase(unsup.string(), opt);
    QVERIFY2(sk.status == session::CaseStatus::Skipped, sk.reason.c_str());
    QVERIFY2(sk.reason.find("GsNoSuchOp") != std::string::npos, sk.reason.c_str());

    // findCases sees all three under one root.
    fs::create_directories(fs::path(m_tmp.path().toStdString()) / "cases" / "not_a_case");
    QCOMPARE(session::findCases((fs::path(m_tmp.path().toStdString()) / "cases").string()).size(), std::size_t{2});
  }

  void conformanceTimeLimit() {
    // A case that loops for ever is stopped by the time limit and reported as a failure.
    const fs::path dir = fs::path(m_tmp.path().toStdString()) / "slow" / "test_endless";
    fs::create_directories(dir / "test_data_set_0");
    QVERIFY(test::writeProto(test::endlessLoopModel(), (dir / "model.onnx").string()));
    QVERIFY(test::writeProto(test::int64Proto("M", {}, {int64_t{1} << 60}),
                             (dir / "test_data_set_0" / "input_0.pb").string()));
    QVERIFY(test::writeProto(test::floatProto("v0", {1}, {1}), (dir / "test_data_set_0" / "input_1.pb").string()));
    QVERIFY(test::writeProto(test::floatProto("v", {1}, {1}), (dir / "test_data_set_0" / "output_0.pb").string()));
    const std::string abs = std::string(GS_ONNX_TESTDATA) + "/node/test_abs";
    std::vector<std::string> cases{dir.string()};
    if (fs::exists(abs)) cases.push_back(abs);
    session::ConformanceOptions opt;
    opt.timeoutSeconds = 2;
    opt.jobs = 2;
    std::size_t callbacks = 0;
    opt.onCase = [&](const session::CaseResult&, std::size_t, std::size_t total) {
      ++callbacks;
      QCOMPARE(total, cases.size());
    };
    auto report = session::runConformance(cases, opt);
    QCOMPARE(callbacks, cases.size());
    QCOMPARE(report.cases.size(), cases.size());
    QCOMPARE(report.cases[0].status, session::CaseStatus::Failed);
    QVERIFY2(report.cases[0].reason.find("timed out") != std::string::npos, report.cases[0].reason.c_str());
    if (cases.size() > 1)
      QVERIFY2(report.cases[1].status == session::CaseStatus::Passed, report.cases[1].reason.c_str());
  }

  void conformanceCrashesAreVisible() {
    // The runner's own child machinery, with a replaced case runner: a child killed by a signal, a
    // child that prints a sanitizer report and then passes, and a quiet passing child.
    std::vector<std::string> cases{"/cases/test_killed", "/cases/test_ubsan", "/cases/test_fine"};
    session::ConformanceOptions opt;
    opt.jobs = 2;
    opt.runOne = [](const std::string& dir) {
      session::CaseResult r;
      r.name = fs::path(dir).filename().string();
      r.status = session::CaseStatus::Passed;
      if (r.name == "test_killed") {
        std::fprintf(stderr, "last words before the crash\n");
        std::fflush(stderr);
        ::raise(SIGKILL);
      }
      if (r.name == "test_ubsan") std::fprintf(stderr, "noise\nkernel.cpp:12:5: runtime error: shift exponent 40\n");
      std::printf("ordinary output\n");
      return r;
    };
    auto report = session::runConformance(cases, opt);
    QCOMPARE(report.cases.size(), std::size_t{3});
    const auto& killed = report.cases[0];
    QCOMPARE(killed.status, session::CaseStatus::Failed);
    QVERIFY(killed.crashed);
    QVERIFY2(killed.reason.find("crashed") != std::string::npos, killed.reason.c_str());
    QVERIFY2(killed.log.find("last words before the crash") != std::string::npos, killed.log.c_str());
    const auto& ub = report.cases[1];
    QCOMPARE(ub.status, session::CaseStatus::Failed);
    QVERIFY(ub.crashed);
    QCOMPARE(ub.reason, std::string("sanitizer: kernel.cpp:12:5: runtime error: shift exponent 40"));
    QVERIFY2(ub.log.rfind("kernel.cpp:12:5", 0) == 0, ub.log.c_str()); // the excerpt starts at the report
    const auto& fine = report.cases[2];
    QCOMPARE(fine.status, session::CaseStatus::Passed);
    QVERIFY(!fine.crashed);
    QVERIFY(fine.log.empty());
    QCOMPARE(report.crashed, std::size_t{2});
    QCOMPARE(report.failed, std::size_t{2});
    QCOMPARE(report.passed, std::size_t{1});

    QCOMPARE(session::sanitizerReport("x\n==77==ERROR: AddressSanitizer: heap-buffer-overflow on address 0x1\n#0"),
             std::string("AddressSanitizer: heap-buffer-overflow on address 0x1"));
    QVERIFY(session::sanitizerReport("all fine\n").empty());
  }
};

QTEST_GUILESS_MAIN(TestSession)
#include "test_session.moc"
