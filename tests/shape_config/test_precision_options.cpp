// Precision options: --precision_mode, --keep_dtype, --quantize/--calibration*: parse, print, round
// trip through a pasted command line, the combination rules and their codes, --keep_dtype files, and
// the real-atc script leaving GearStudio's extensions out.
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>

#include "core/compiler/shape_config/atc_checks.h"
#include "core/compiler/shape_config/precision_config.h"
#include "core/compiler/shape_config/shape_config.h"
#include "tests/shape_config/test_util.h"

using namespace gs;
using namespace gs::shape_config;
using namespace shape_config_test;

class TestPrecisionOptions : public QObject {
  Q_OBJECT

  QTemporaryDir m_dir;
  std::string writeFile(const std::string& name, const std::string& text) {
    const auto path = m_dir.filePath(QString::fromStdString(name)).toStdString();
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }

private slots:
  void everyModeRoundTrips() {
    for (auto mode : {PrecisionMode::ForceFp32, PrecisionMode::ForceFp16, PrecisionMode::AllowFp32ToFp16,
                      PrecisionMode::MustKeepOriginDtype, PrecisionMode::AllowMixPrecision, PrecisionMode::Bf16}) {
      const auto name = std::string(precisionModeName(mode));
      QVERIFY(!name.empty());
      QCOMPARE(parsePrecisionMode(name), std::optional(mode));
      const auto c = configFromLine(q("--input_shape=x:1,3 --precision_mode=" + name));
      QVERIFY2(c, c ? "" : c.error().str().c_str());
      QCOMPARE(c->precision.mode, mode);
      const auto line = toCommandLine(toOptions(*c));
      QVERIFY2(line.find("--precision_mode=" + name) != std::string::npos, line.c_str());
      const auto back = configFromLine(q(line));
      QVERIFY(back);
      QVERIFY(*back == *c);
    }
    const auto none = configFromLine("--input_shape=x:1,3");
    QVERIFY(none && none->precision.isDefault());
    QVERIFY(toCommandLine(toOptions(*none)).find("precision") == std::string::npos);
  }

  void quantizeRoundTrips() {
    const auto line = q("--input_shape=x:-1,3,224,224 --dynamic_batch_size=1,8 --quantize=int8 --calibration=\"" +
                        m_dir.path().toStdString() +
                        "/cal set\" --calibration_method=entropy --calibration_mean=123.675,116.28,103.53 "
                        "--calibration_scale=0.0171,0.0175,0.0174");
    const auto c = configFromLine(line);
    QVERIFY2(c, c ? "" : c.error().str().c_str());
    QVERIFY(c->precision.quantizeInt8);
    QCOMPARE(c->precision.method, CalibrationMethod::Entropy);
    QCOMPARE(c->precision.mean.size(), std::size_t{3});
    QCOMPARE(c->precision.scale[1], 0.0175f);
    QVERIFY(c->precision.calibrationDir.ends_with("/cal set"));
    const auto printed = toCommandLine(toOptions(*c));
    const auto back = configFromLine(q(printed));
    QVERIFY2(back, printed.c_str());
    QVERIFY2(*back == *c, printed.c_str());
    // The default method is not printed.
    const auto minmax = configFromLine(q("--input_shape=x:1 --quantize=int8 --calibration=d"));
    QVERIFY(minmax);
    QCOMPARE(minmax->precision.method, CalibrationMethod::MinMax);
    QVERIFY(toCommandLine(toOptions(*minmax)).find("calibration_method") == std::string::npos);
  }

  void errors_data() {
    QTest::addColumn<QString>("line");
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("fragment");
    QTest::newRow("unknown mode") << "--precision_mode=fp16"
                                  << "E10001"
                                  << "[--precision_mode]";
    QTest::newRow("mode with spaces") << "--precision_mode=\"force_fp16 \""
                                      << "E10001"
                                      << "expected force_fp32";
    QTest::newRow("quantize int4") << "--quantize=int4 --calibration=d"
                                   << "E10001"
                                   << "int8 only";
    QTest::newRow("quantize without samples") << "--quantize=int8"
                                              << "E10007"
                                              << "[--calibration] is required";
    QTest::newRow("samples without quantize") << "--calibration=d"
                                              << "E10007"
                                              << "[--quantize] is required";
    QTest::newRow("method without samples") << "--calibration_method=entropy"
                                            << "E10007"
                                            << "calibration_method";
    QTest::newRow("unknown method") << "--quantize=int8 --calibration=d --calibration_method=kl"
                                    << "E10001"
                                    << "minmax, percentile or entropy";
    QTest::newRow("mean not numbers") << "--quantize=int8 --calibration=d --calibration_mean=a,b"
                                      << "E10001"
                                      << "[--calibration_mean]";
    QTest::newRow("mean empty item") << "--quantize=int8 --calibration=d --calibration_mean=1,,2"
                                     << "E10001"
                                     << "finite numbers";
    QTest::newRow("scale zero") << "--quantize=int8 --calibration=d --calibration_scale=0"
                                << "E10001"
                                << "scale of 0";
    QTest::newRow("too many channels") << "--quantize=int8 --calibration=d --calibration_mean=1,2,3,4,5"
                                       << "E10001"
                                       << "at most 4";
    QTest::newRow("mean/scale lengths") << "--quantize=int8 --calibration=d --calibration_mean=1,2,3 "
                                           "--calibration_scale=1,2"
                                        << "E10001"
                                        << "give the same number";
    QTest::newRow("int8 with fp16") << "--quantize=int8 --calibration=d --precision_mode=force_fp16"
                                    << "E10001"
                                    << "ops int8 does not cover";
    QTest::newRow("int8 with bf16") << "--quantize=int8 --calibration=d --precision_mode=bf16"
                                    << "E10001"
                                    << "ops int8 does not cover";
    QTest::newRow("keep file missing") << "--keep_dtype=/nonexistent/keep.cfg"
                                       << "E10001"
                                       << "does not exist";
    QTest::newRow("keep file is a dir") << "--keep_dtype=/tmp"
                                        << "E10001"
                                        << "not a regular file";
    QTest::newRow("precision_mode_v2") << "--precision_mode_v2=fp16"
                                       << "GS0003"
                                       << "use --precision_mode";
  }
  void errors() {
    QFETCH(QString, line);
    QFETCH(QString, code);
    QFETCH(QString, fragment);
    const auto c = configFromLine("--input_shape=x:1,3 " + line);
    QVERIFY2(!c, qPrintable(line));
    QCOMPARE(q(c.error().code), code);
    QVERIFY2(errorText(c.error()).contains(fragment), qPrintable(errorText(c.error())));
  }

  void int8WithFp32ModesIsFine() {
    for (auto mode : {"force_fp32", "must_keep_origin_dtype"}) {
      const auto c = configFromLine(q(std::string("--quantize=int8 --calibration=d --precision_mode=") + mode));
      QVERIFY2(c, c ? "" : c.error().str().c_str());
    }
  }

  void keepListParses() {
    const auto k =
        parseKeepList("# comment\nconv_1\n\n  OpType::Softmax \r\nOpType:LayerNormalization\nnode/with/slash\n");
    QVERIFY2(k, k ? "" : k.error().str().c_str());
    QCOMPARE(k->nodes, (std::vector<std::string>{"conv_1", "node/with/slash"}));
    QCOMPARE(k->opTypes, (std::vector<std::string>{"Softmax", "LayerNormalization"}));
    const auto empty = parseKeepList("");
    QVERIFY(empty && empty->empty());
    const auto spaced = parseKeepList("a\nconv 1\n");
    QVERIFY(!spaced);
    QVERIFY2(errorText(spaced.error()).contains("line 2"), qPrintable(errorText(spaced.error())));
    const auto noType = parseKeepList("OpType::\n");
    QVERIFY(!noType);
    QVERIFY(errorText(noType.error()).contains("names no operator type"));
    const auto bytes = parseKeepList(std::string("conv\xff\xfe\n"));
    QVERIFY(!bytes);
    QVERIFY(errorText(bytes.error()).contains("not UTF-8"));
  }

  void keepFileLoadsAndRoundTrips() {
    const auto path = writeFile("keep.cfg", "Conv_3\nOpType::Softmax\n");
    const auto c = configFromLine(q("--input_shape=x:1,3 --precision_mode=force_fp16 --keep_dtype=" + path));
    QVERIFY2(c, c ? "" : c.error().str().c_str());
    QCOMPARE(c->precision.keep.nodes, std::vector<std::string>{"Conv_3"});
    QCOMPARE(c->precision.keep.opTypes, std::vector<std::string>{"Softmax"});
    const auto back = configFromLine(q(toCommandLine(toOptions(*c))));
    QVERIFY(back && *back == *c);
    const auto big = writeFile("big.cfg", std::string((1 << 20) + 10, 'a'));
    const auto tooBig = configFromLine(q("--keep_dtype=" + big));
    QVERIFY(!tooBig);
    QVERIFY(errorText(tooBig.error()).contains("larger than 1 MiB"));
  }

  void realAtcScriptLeavesExtensionsOut() {
    auto opts = parseCommandLine("atc --model=m.onnx --framework=5 --output=o --input_shape=x:1,3 "
                                 "--precision_mode=bf16 --quantize=int8 --calibration=cal");
    // (bf16 with int8 is rejected by fromOptions; the script is written from options as given.)
    QVERIFY(opts);
    const auto script = atcScript(*opts, "m.onnx", nullptr);
    const auto command = script.substr(script.rfind("\natc ") + 1);
    QVERIFY2(command.find("bf16") == std::string::npos, script.c_str());
    QVERIFY2(command.find("quantize") == std::string::npos, script.c_str());
    QVERIFY2(command.find("--input_shape=x:1,3") != std::string::npos, script.c_str());
    QVERIFY2(script.find("# Left out, GearStudio extensions real atc does not take: --precision_mode=bf16 "
                         "--quantize=int8 --calibration=cal") != std::string::npos,
             script.c_str());
    // An ATC mode is kept in the script.
    auto fp16 = parseCommandLine("atc --model=m.onnx --framework=5 --output=o --precision_mode=force_fp16");
    QVERIFY(fp16);
    QVERIFY(atcScript(*fp16, "m.onnx", nullptr).find("--precision_mode=force_fp16") != std::string::npos);
    QVERIFY(isGearStudioExtension("precision_mode", "bf16"));
    QVERIFY(!isGearStudioExtension("precision_mode", "force_fp16"));
    QVERIFY(!isGearStudioExtension("keep_dtype", "x"));
  }

  void labels() {
    PrecisionConfig c;
    QCOMPARE(precisionLabel(c), std::string("origin"));
    c.mode = PrecisionMode::AllowMixPrecision;
    c.keep.nodes = {"a"};
    QCOMPARE(precisionLabel(c), std::string("allow_mix_precision keep 1"));
    PrecisionConfig q8;
    q8.quantizeInt8 = true;
    q8.method = CalibrationMethod::Percentile;
    QCOMPARE(precisionLabel(q8), std::string("int8 (percentile)"));
  }
};

int runPrecisionOptionsTests(int argc, char** argv) {
  TestPrecisionOptions t;
  return QTest::qExec(&t, argc, argv);
}

#include "test_precision_options.moc"
