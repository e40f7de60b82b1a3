// ATC options: argv forms, rejected options, per-mode required options, shell words of a pasted
// command line, and canonical printing with shell quoting.
#include <QtTest>

#include "core/compiler/shape_config/atc_options.h"
#include "tests/shape_config/test_util.h"

using namespace gs;
using namespace gs::shape_config;
using namespace shape_config_test;

class TestAtcOptions : public QObject {
  Q_OBJECT

private slots:
  // ---- argv parsing ------------------------------------------------------------------------
  void parseArgsForms() {
    const std::vector<std::string> args = {"--model",       "det.onnx",      "--framework=5",     "-output=out/det",
                                           "--input_shape", "x:1,3,640,640", "--output=out/det2", "-h"};
    const auto opts = parseArgs(args);
    QVERIFY2(opts, opts ? "" : opts.error().str().c_str());
    QCOMPARE(q(*opts->model), QString("det.onnx"));
    QCOMPARE(*opts->framework, 5);
    QCOMPARE(q(*opts->output), QString("out/det2")); // the last one wins
    QCOMPARE(q(*opts->input_shape), QString("x:1,3,640,640"));
    QVERIFY(opts->help);
    QCOMPARE(opts->given.size(), std::size_t{6});
    QCOMPARE(q(opts->given[2].first), QString("output"));
    QCOMPARE(q(opts->given[2].second), QString("out/det"));
  }

  void parseArgsErrors_data() {
    QTest::addColumn<QString>("line");
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("needle");
    QTest::newRow("unknown option") << "--foo=1"
                                    << "E10001"
                                    << "[--foo] is invalid. Reason: unknown option";
    QTest::newRow("unsupported op_precision_mode") << "--model=a.onnx --op_precision_mode=a.ini"
                                                   << "GS0003"
                                                   << "[--op_precision_mode] is an ATC option";
    QTest::newRow("unsupported, space form") << "--insert_op_conf aipp.cfg"
                                             << "GS0003"
                                             << "AIPP";
    QTest::newRow("unsupported output_type") << "--output_type=FP16"
                                             << "GS0003"
                                             << "[--output_type]";
    QTest::newRow("unsupported fusion_switch_file") << "--fusion_switch_file=f.cfg"
                                                    << "GS0003"
                                                    << "fusion";
    QTest::newRow("framework out of set") << "--framework=7"
                                          << "E10001"
                                          << "Value [7] for parameter [--framework]";
    QTest::newRow("framework not a number") << "--framework=onnx"
                                            << "E10001"
                                            << "[onnx]";
    QTest::newRow("mode out of set") << "--mode=9"
                                     << "E10001"
                                     << "Value [9] for parameter [--mode]";
    QTest::newRow("mode 5") << "--mode=5"
                            << "GS0003"
                            << "[--mode]";
    QTest::newRow("log level") << "--log=verbose"
                               << "E10001"
                               << "Value [verbose] for parameter [--log]";
    QTest::newRow("missing value") << "--model"
                                   << "E10001"
                                   << "[--model] is invalid. Reason: it needs a value";
    QTest::newRow("positional") << "model.onnx"
                                << "E10001"
                                << "Argument [model.onnx]";
    QTest::newRow("unterminated quote") << "--input_shape=\"x:1"
                                        << "GS0004"
                                        << "double quote";
  }
  void parseArgsErrors() {
    QFETCH(QString, line);
    QFETCH(QString, code);
    QFETCH(QString, needle);
    const auto opts = parseCommandLine(line.toStdString());
    QVERIFY(!opts);
    QCOMPARE(q(opts.error().code), code);
    QVERIFY2(errorText(opts.error()).contains(needle), qPrintable(errorText(opts.error())));
  }

  void checkRequired_data() {
    QTest::addColumn<QString>("line");
    QTest::addColumn<QString>("code"); // empty: accepted
    QTest::addColumn<QString>("needle");
    QTest::newRow("build ok") << "--model=a.onnx --framework=5 --output=a"
                              << ""
                              << "";
    QTest::newRow("no model") << "--framework=5 --output=a"
                              << "E10007"
                              << "[--model] is required";
    QTest::newRow("empty model") << "--model= --framework=5 --output=a"
                                 << "E10007"
                                 << "[--model] is required";
    QTest::newRow("no framework") << "--model=a.onnx --output=a"
                                  << "E10007"
                                  << "[--framework] is required";
    QTest::newRow("no output") << "--model=a.onnx --framework=5"
                               << "E10007"
                               << "[--output] is required";
    QTest::newRow("tensorflow") << "--model=a.pb --framework=3 --output=a"
                                << "GS0003"
                                << "[3] for parameter [--framework] (TensorFlow) is not supported: GearStudio "
                                   "imports ONNX models only";
    QTest::newRow("caffe") << "--model=a.prototxt --framework=0 --output=a"
                           << "GS0003"
                           << "(Caffe)";
    QTest::newRow("precheck needs no output") << "--mode=3 --model=a.onnx --framework=5"
                                              << ""
                                              << "";
    QTest::newRow("precheck needs framework") << "--mode=3 --model=a.onnx"
                                              << "E10007"
                                              << "[--framework]";
    QTest::newRow("json needs json") << "--mode=1 --om=a.om"
                                     << "E10007"
                                     << "[--json] is required";
    QTest::newRow("json from om") << "--mode=1 --om=a.om --json=a.json"
                                  << ""
                                  << "";
    QTest::newRow("json from model needs framework") << "--mode=1 --model=a.onnx --json=a.json"
                                                     << "E10007"
                                                     << "[--framework]";
    QTest::newRow("info needs om") << "--mode=6"
                                   << "E10007"
                                   << "[--om] is required";
    QTest::newRow("help needs nothing") << "--help"
                                        << ""
                                        << "";
  }
  void checkRequired() {
    QFETCH(QString, line);
    QFETCH(QString, code);
    QFETCH(QString, needle);
    const auto opts = parseCommandLine(line.toStdString());
    QVERIFY2(opts, opts ? "" : opts.error().str().c_str());
    const auto st = shape_config::checkRequired(*opts);
    if (code.isEmpty()) {
      QVERIFY2(st, st ? "" : st.error().str().c_str());
      return;
    }
    QVERIFY(!st);
    QCOMPARE(q(st.error().code), code);
    QVERIFY2(errorText(st.error()).contains(needle), qPrintable(errorText(st.error())));
  }

  // ---- shell words -------------------------------------------------------------------------
  void splitWords_data() {
    QTest::addColumn<QString>("line");
    QTest::addColumn<QString>("words"); // joined with '|'
    QTest::newRow("double quotes") << "atc --input_shape=\"x:1,3;y:2\" --model=a.onnx"
                                   << "atc|--input_shape=x:1,3;y:2|--model=a.onnx";
    QTest::newRow("single quotes") << "--a='x y;z' b"
                                   << "--a=x y;z|b";
    QTest::newRow("backslash space") << "--a=x\\ y"
                                     << "--a=x y";
    QTest::newRow("continuations") << "atc \\\n  --model=a \\\r\n --framework=5\n"
                                   << "atc|--model=a|--framework=5";
    QTest::newRow("escapes in double quotes") << "\"a\\\"b\\\\c\\$d\\n\""
                                              << "a\"b\\c$d\\n";
    QTest::newRow("empty words") << "'' --x=\"\""
                                 << "|--x=";
    QTest::newRow("adjacent quoting") << "--s=x:'1,'\"3\";y"
                                      << "--s=x:1,3;y";
    QTest::newRow("comment") << "atc --a=1 # the rest"
                             << "atc|--a=1";
    QTest::newRow("tabs and blanks") << " \t--a=1\t\t--b=2 "
                                     << "--a=1|--b=2";
  }
  void splitWords() {
    QFETCH(QString, line);
    QFETCH(QString, words);
    const auto w = splitShellWords(line.toStdString());
    QVERIFY2(w, w ? "" : w.error().str().c_str());
    QStringList got;
    for (const auto& s : *w)
      got << q(s);
    QCOMPARE(got.join('|'), words);
  }

  void parseCommandLineSkipsProgram_data() {
    QTest::addColumn<QString>("line");
    QTest::newRow("atc") << "atc --model=m.onnx --framework=5";
    QTest::newRow("path") << "/usr/local/Ascend/bin/atc --model=m.onnx --framework=5";
    QTest::newRow("none") << "--model=m.onnx --framework=5";
  }
  void parseCommandLineSkipsProgram() {
    QFETCH(QString, line);
    const auto opts = parseCommandLine(line.toStdString());
    QVERIFY2(opts, opts ? "" : opts.error().str().c_str());
    QCOMPARE(q(*opts->model), QString("m.onnx"));
    QCOMPARE(opts->given.size(), std::size_t{2});
  }

  void toCommandLineQuotes() {
    AtcOptions o;
    QVERIFY(setOption(o, "input_shape", "x:1,3;y:2"));
    QVERIFY(setOption(o, "output", "my out/$HOME"));
    QVERIFY(setOption(o, "model", "a.onnx"));
    QVERIFY(setOption(o, "framework", "5"));
    QVERIFY(setOption(o, "soc_version", "Ascend310P3"));
    const auto line = toCommandLine(o);
    QCOMPARE(q(line), QString("atc --model=a.onnx --framework=5 --output=\"my out/\\$HOME\" "
                              "--soc_version=Ascend310P3 --input_shape=\"x:1,3;y:2\""));
    const auto back = parseCommandLine(line);
    QVERIFY(back);
    QCOMPARE(q(*back->output), QString("my out/$HOME"));
    QCOMPARE(q(toCommandLine(*back)), q(line));
    QCOMPARE(q(shellQuote("a!b'c")), QString("'a!b'\\''c'"));
    QCOMPARE(q(shellQuote("x:1~4")), QString("\"x:1~4\""));
    QCOMPARE(q(shellQuote("")), QString("\"\""));
  }
};

int runAtcOptionsTests(int argc, char** argv) {
  TestAtcOptions t;
  return QTest::qExec(&t, argc, argv);
}

#include "test_atc_options.moc"
