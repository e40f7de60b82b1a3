// ATC shape options: argv and pasted command lines, every ATC error code of the contract with its
// message, each strategy's valid forms, canonical printing and round trips, gear expansion, ranges,
// checks against models built in code (and the PP-OCRv4 detection model when the importer exists).
#include <QtTest>

#include <map>
#include <random>

#include <spdlog/sinks/ringbuffer_sink.h>

#include "core/common/log.h"
#include "core/compiler/onnx/importer.h"
#include "core/compiler/shape_config/atc_options.h"
#include "core/compiler/shape_config/shape_config.h"

using namespace gs;
using namespace gs::shape_config;

namespace {

QString q(const std::string& s) { return QString::fromStdString(s); }

// A model whose graph inputs are given as (name, shape, dtype); each input feeds a Relu named
// "relu_<name>" whose output "<name>_out" is a graph output.
ir::Model makeModel(const std::vector<std::pair<std::string, ir::Shape>>& inputs,
                    ir::DataType dtype = ir::DataType::Float32) {
  ir::Model m;
  auto& g = m.graph;
  for (const auto& [name, shape] : inputs) {
    const auto in = g.addValue(name, dtype, shape);
    g.inputs.push_back(in);
    const auto out = g.addValue(name + "_out", dtype);
    g.addNode(ir::Node{"relu_" + name, "Relu", "", {in}, {out}, {}});
    g.outputs.push_back(out);
  }
  m.opsets[""] = 17;
  return m;
}

ir::Dim sym(const char* s) { return ir::Dim::symbolic(s); }
ir::Dim known(int64_t v) { return ir::Dim::known(v); }

// The models the tests refer to by name.
ir::Model modelByName(const QString& name) {
  if (name == "dyn") // x [N,3,H,W] (an image input), y [1,16] (static)
    return makeModel(
        {{"x", ir::Shape({sym("N"), known(3), sym("H"), sym("W")})}, {"y", ir::Shape({known(1), known(16)})}});
  if (name == "nhwc") return makeModel({{"x", ir::Shape({sym("N"), sym("H"), sym("W"), known(3)})}});
  if (name == "tokens") // graph order: ids, mask
    return makeModel({{"ids", ir::Shape({sym("B"), sym("S")})}, {"mask", ir::Shape({sym("B"), sym("S")})}},
                     ir::DataType::Int64);
  if (name == "zero") return makeModel({{"x", ir::Shape({known(0), known(3)})}});
  if (name == "norank") return makeModel({{"x", ir::Shape::unknownRank()}});
  if (name == "scalar") return makeModel({{"x", ir::Shape({known(2), known(4)})}, {"t", ir::Shape()}});
  qFatal("unknown model");
  return {};
}

Expected<ShapeConfig> configFromLine(const QString& line) {
  GS_ASSIGN_OR_RETURN(auto opts, parseCommandLine(line.toStdString()));
  return fromOptions(opts);
}

// "x:1,3,224,224;y:1,16|x:2,..." - one group per gear.
QString gearsText(const std::vector<GearShapes>& gears) {
  QStringList groups;
  for (const auto& g : gears) {
    QStringList inputs;
    for (const auto& [name, dims] : g.inputs) {
      QStringList d;
      for (auto v : dims)
        d << QString::number(v);
      inputs << q(name) + ":" + d.join(',');
    }
    groups << inputs.join(';');
  }
  return groups.join('|');
}

// "x:1~8,3~3;y:..." - every dim as lo~hi.
QString rangesText(const std::vector<om::InputRange>& ranges) {
  QStringList inputs;
  for (const auto& r : ranges) {
    QStringList d;
    for (const auto& dim : r.dims)
      d << QString("%1~%2").arg(dim.lo).arg(dim.hi);
    inputs << q(r.name) + ":" + d.join(',');
  }
  return inputs.join(';');
}

QString errorText(const Error& e) { return q(e.str()); }

} // namespace

class TestShapeConfig : public QObject {
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
    QTest::newRow("unsupported precision_mode") << "--model=a.onnx --precision_mode=force_fp16"
                                                << "GS0003"
                                                << "[--precision_mode] is an ATC option";
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

  // ---- every error code of the contract, from options (syntax, then combinations) -----------
  void optionErrors_data() {
    QTest::addColumn<QString>("line");
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("needle");
    QTest::newRow("E10001 input_format") << "--input_format=NC1HWC0 --input_shape=x:1,3"
                                         << "E10001"
                                         << "Value [NC1HWC0] for parameter [--input_format] is invalid";
    QTest::newRow("E10001 dynamic_dims without -1") << "--input_shape=x:1,3 --dynamic_dims=1;2"
                                                    << "E10001"
                                                    << "at least one dim should be -1 when --dynamic_dims is set";
    QTest::newRow("E10001 input twice") << "--input_shape=x:1;x:2"
                                        << "E10001"
                                        << "input [x] is given more than once";
    QTest::newRow("E10002 not a digit") << "--input_shape=x:1,a,3"
                                        << "E10002"
                                        << "Value [x:1,a,3] for parameter [--input_shape] is invalid. Reason: dim 1 "
                                           "of input [x] is [a]: it is not a digit";
    QTest::newRow("E10002 float") << "--input_shape=\"x:1,3;y:1,2.5\""
                                  << "E10002"
                                  << "Value [y:1,2.5] for parameter [--input_shape] is invalid. Reason: dim 1 of "
                                     "input [y] is [2.5]: float numbers are not supported";
    QTest::newRow("E10002 no name part") << "--input_shape=x1,3"
                                         << "E10002"
                                         << "two parts: name and value";
    QTest::newRow("E10002 empty name") << "--input_shape=:1,3"
                                       << "E10002"
                                       << "the input name is empty";
    QTest::newRow("E10002 empty dim") << "--input_shape=x:1,,3"
                                      << "E10002"
                                      << "dim 1 of input [x] is empty";
    QTest::newRow("E10002 inverted range") << "--input_shape=x:8~2,3"
                                           << "E10002"
                                           << "lower bound exceeds the upper";
    QTest::newRow("E10002 range to -1") << "--input_shape=x:1~-1,3"
                                        << "E10002"
                                        << "write -1 alone";
    QTest::newRow("E10002 range option brackets") << "--input_shape_range=x:1~3,3"
                                                  << "E10002"
                                                  << "parameter [--input_shape_range] is invalid. Reason: the value "
                                                     "of input [x] must be one pair of '[]'";
    QTest::newRow("E10003 batch separator") << "--input_shape=x:-1,3 --dynamic_batch_size=1;2"
                                            << "E10003"
                                            << "Value [1;2] for parameter [--dynamic_batch_size] is invalid. "
                                               "Reason: it can only contain digits and \",\"; found [;]";
    QTest::newRow("E10003 negative dims gear") << "--input_shape=x:-1 --dynamic_dims=\"-1;2\""
                                               << "E10003"
                                               << "[--dynamic_dims] is invalid. Reason: it can only contain digits, "
                                                  "\",\", \" \" and \";\"; found [-]";
    QTest::newRow("E10003 image letter") << "--input_shape=x:1,3,-1,-1 --dynamic_image_size=2,2;4,h"
                                         << "E10003"
                                         << "found [h]";
    QTest::newRow("E10003 dims count")
        << "--input_shape=x:-1,-1 --dynamic_dims=1;2"
        << "E10003"
        << "Value [1;2] for parameter [--dynamic_dims] is invalid. Reason: gear 0 [1] has 1 value; each gear "
           "needs one value for each of the 2 -1";
    QTest::newRow("E10003 empty gear value") << "--input_shape=x:-1,3 --dynamic_batch_size=1,,2"
                                             << "E10003"
                                             << "gear 1 has an empty value";
    QTest::newRow("E10004") << "--dynamic_batch_size=1,2"
                            << "E10004"
                            << "[--input_shape] is required when --dynamic_batch_size is set";
    QTest::newRow("E10009 two gear options") << "--input_shape=x:-1,3 --dynamic_batch_size=1,2 --dynamic_dims=1;2"
                                             << "E10009"
                                             << "--dynamic_batch_size and --dynamic_dims are set";
    QTest::newRow("E10009 with range") << "--input_shape_range=x:[1~2] --dynamic_image_size=1,1;2,2"
                                       << "E10009"
                                       << "--dynamic_image_size and --input_shape_range are set";
    QTest::newRow("E10011 zero") << "--input_shape=x:1,0,3"
                                 << "E10011"
                                 << "Value [x:1,0,3] for parameter [--input_shape] is invalid. Reason: dim 1 of "
                                    "input [x] is 0";
    QTest::newRow("E10011 negative") << "--input_shape=x:1,-3"
                                     << "E10011"
                                     << "dim 1 of input [x] is -3";
    QTest::newRow("E10018 two -1 in one input") << "--input_shape=x:-1,3,-1,-1 --dynamic_batch_size=1,2"
                                                << "E10018"
                                                << "dim 2 of input [x] is -1; when --dynamic_batch_size is set, "
                                                   "only batch N (dim 0) can be -1";
    QTest::newRow("E10018 other input") << "--input_shape=x:-1,3;y:1,-1 --dynamic_batch_size=1,2"
                                        << "E10018"
                                        << "dim 1 of input [y] is -1";
    QTest::newRow("E10019 wrong positions") << "--input_shape=x:1,-1,-1,3 --dynamic_image_size=2,2;4,4"
                                            << "E10019"
                                            << "Value [x:1,-1,-1,3] for parameter [--input_shape]";
    QTest::newRow("E10019 not 4-D") << "--input_shape=x:-1,-1 --dynamic_image_size=2,2;4,4"
                                    << "E10019"
                                    << "dims 2 and 3 for NCHW";
    QTest::newRow("E10019 one -1") << "--input_shape=x:1,3,224,-1 --dynamic_image_size=2,2;4,4"
                                   << "E10019"
                                   << "exactly two -1";
    QTest::newRow("E10019 ND") << "--input_format=ND --input_shape=x:1,3,-1,-1 --dynamic_image_size=2,2;4,4"
                               << "E10019"
                               << "--input_format=ND has no height and width";
    QTest::newRow("E10020") << "--input_shape=x:1,3,-1,-1 --dynamic_image_size=448,448;224"
                            << "E10020"
                            << "gear 1 [224] has 1 value; each gear must be \"height,width\"";
    QTest::newRow("E10031") << "--input_shape=x:1,3,-1,-1 --dynamic_batch_size=1,2"
                            << "E10031"
                            << "batch N (dim 0) equal to -1";
    QTest::newRow("E10035") << "--input_shape=x:-1,3 --dynamic_batch_size=4"
                            << "E10035"
                            << "[--dynamic_batch_size] has [1] gears, which is less than the minimum [2]";
    QString many;
    for (int i = 1; i <= 101; ++i)
      many += (i > 1 ? "," : "") + QString::number(i);
    QTest::newRow("E10036") << "--input_shape=x:-1,3 --dynamic_batch_size=" + many << "E10036"
                            << "[--dynamic_batch_size] has [101] gears, which is more than the maximum [100]";
    QTest::newRow("E10037") << "--input_shape=x:-1,-1 --dynamic_dims=\"1,2;3;4,5\""
                            << "E10037"
                            << "gear 0 [1,2] has 2 values, gear 1 [3] has 1";
    QTest::newRow("E10038 zero") << "--input_shape=x:-1,3 --dynamic_batch_size=0,2"
                                 << "E10038"
                                 << "gear 0 [0] has the value [0]";
    QTest::newRow("E10039") << "--input_shape=x:-1,-1 --dynamic_dims=\"1,2;3,4;1,2\""
                            << "E10039"
                            << "gear 0 and gear 2 are both [1,2]";
    QTest::newRow("E10040 range with gears") << "--input_shape=x:1~4,3,-1,-1 --dynamic_image_size=2,2;4,4"
                                             << "E10040"
                                             << "cannot contain '~' ranges when --dynamic_image_size";
    QTest::newRow("E10040 no -1") << "--input_shape=x:1,3 --dynamic_batch_size=1,2"
                                  << "E10040"
                                  << "must have -1 dims when --dynamic_batch_size is set";
    // Check order: syntax before combinations.
    QTest::newRow("order: E10002 before E10009") << "--input_shape=x:1,a --dynamic_batch_size=1,2 --dynamic_dims=1;2"
                                                 << "E10002"
                                                 << "[a]";
    QTest::newRow("order: E10035 before E10040") << "--input_shape=x:1,3 --dynamic_batch_size=4"
                                                 << "E10035"
                                                 << "[1] gears";
    QTest::newRow("order: E10003 before E10004") << "--dynamic_batch_size=1,x"
                                                 << "E10003"
                                                 << "found [x]";
  }
  void optionErrors() {
    QFETCH(QString, line);
    QFETCH(QString, code);
    QFETCH(QString, needle);
    const auto c = configFromLine(line);
    QVERIFY2(!c, "accepted");
    QCOMPARE(q(c.error().code), code);
    QVERIFY2(errorText(c.error()).contains(needle), qPrintable(errorText(c.error())));
  }

  // Configs built in code (as the studio's form does) go through the same rules.
  void configErrors() {
    const auto expectCode = [](const ShapeConfig& c, const char* code, const char* needle) {
      const auto st = checkConfig(c);
      QVERIFY(!st);
      QCOMPARE(q(st.error().code), QString(code));
      QVERIFY2(errorText(st.error()).contains(needle), qPrintable(errorText(st.error())));
    };
    ShapeConfig batch;
    batch.strategy = Strategy::DynamicBatch;
    batch.inputs = {InputSpec{"x", {DimSpec::gear(), DimSpec::fixed(3)}, false}};
    batch.gears = {{-2}, {4}};
    expectCode(batch, "E10038", "gear 0 [-2] has the value [-2]; gear values must be positive integers");
    batch.gears = {{2}, {4}};
    QVERIFY(checkConfig(batch));
    batch.inputs.clear();
    expectCode(batch, "E10004", "[--input_shape] is required");

    ShapeConfig fixed;
    fixed.inputs = {InputSpec{"x", {DimSpec::gear()}, false}};
    expectCode(fixed, "E10001", "which the static strategy does not allow");
    fixed.inputs = {InputSpec{"x", {DimSpec::fixed(0)}, false}};
    expectCode(fixed, "E10011", "dim 0 of input [x] is 0");
    fixed.inputs = {InputSpec{"x", {}, false}};
    expectCode(fixed, "E10001", "write \"x:\" for a scalar");

    ShapeConfig dyn;
    dyn.strategy = Strategy::DynamicShape;
    dyn.inputs = {InputSpec{"x", {DimSpec::range(4, 2)}, false}};
    expectCode(dyn, "E10002", "[4~2]");
    dyn.inputs = {InputSpec{"x", {DimSpec::fixed(2)}, false}};
    expectCode(dyn, "E10001", "needs at least one -1 or lo~hi dim");
  }

  // ---- valid forms of every strategy ---------------------------------------------------------
  void validConfigs_data() {
    QTest::addColumn<QString>("line");
    QTest::addColumn<QString>("strategy");
    QTest::addColumn<QString>("inputShape"); // formatInputShape
    QTest::addColumn<QString>("gears");      // formatGears
    QTest::newRow("no shape options") << "--model=a.onnx"
                                      << "static"
                                      << ""
                                      << "";
    QTest::newRow("static") << "--input_shape=x:1,3,224,224"
                            << "static"
                            << "x:1,3,224,224"
                            << "";
    QTest::newRow("static, spaces and trailing ;") << "--input_shape=\" x : 1, 3 ;y:2 ;\""
                                                   << "static"
                                                   << "x:1,3;y:2"
                                                   << "";
    QTest::newRow("scalar") << "--input_shape=x:2,4;t:"
                            << "static"
                            << "x:2,4;t:"
                            << "";
    QTest::newRow("name with colons") << "--input_shape=\"ns:x:0:1,3\""
                                      << "static"
                                      << "ns:x:0:1,3"
                                      << "";
    QTest::newRow("dynamic batch") << "--input_shape=x:-1,3,224,224 --dynamic_batch_size=1,2,4,8,"
                                   << "dynamic_batch"
                                   << "x:-1,3,224,224"
                                   << "1,2,4,8";
    QTest::newRow("dynamic image size") << "--input_shape=x:1,3,-1,-1 --dynamic_image_size=\"224,224; 448,320;\""
                                        << "dynamic_image_size"
                                        << "x:1,3,-1,-1"
                                        << "224,224;448,320";
    QTest::newRow("dynamic image size NHWC")
        << "--input_format=NHWC --input_shape=x:1,-1,-1,3 --dynamic_image_size=32,64;64,32"
        << "dynamic_image_size"
        << "x:1,-1,-1,3"
        << "32,64;64,32";
    QTest::newRow("dynamic dims") << "--input_format=ND --input_shape=ids:-1,-1;mask:-1,-1 "
                                     "--dynamic_dims=1,128,1,128;4,256,4,256;8,512,8,512"
                                  << "dynamic_dims"
                                  << "ids:-1,-1;mask:-1,-1"
                                  << "1,128,1,128;4,256,4,256;8,512,8,512";
    QTest::newRow("ranges") << "--input_shape=x:1~8,3,32~64,-1"
                            << "dynamic_shape"
                            << "x:1~8,3,32~64,-1"
                            << "";
    QTest::newRow("-1 without gears") << "--input_shape=x:-1,3,-1,-1"
                                      << "dynamic_shape"
                                      << "x:-1,3,-1,-1"
                                      << "";
    QTest::newRow("range 0~4") << "--input_shape=x:0~4"
                               << "dynamic_shape"
                               << "x:0~4"
                               << "";
    QTest::newRow("deprecated range") << "--input_shape_range=\"x:[1~8,3,-1,-1];y:[]\""
                                      << "dynamic_shape"
                                      << "x:[1~8,3,-1,-1];y:[]"
                                      << "";
    QTest::newRow("deprecated range overrides") << "--input_shape=x:1,3,8,8 --input_shape_range=\"x:[1~8,3,8,8]\""
                                                << "dynamic_shape"
                                                << "x:[1~8,3,8,8]"
                                                << "";
  }
  void validConfigs() {
    QFETCH(QString, line);
    QFETCH(QString, strategy);
    QFETCH(QString, inputShape);
    QFETCH(QString, gears);
    const auto c = configFromLine(line);
    QVERIFY2(c, c ? "" : c.error().str().c_str());
    QCOMPARE(q(std::string(strategyName(c->strategy))), strategy);
    QCOMPARE(q(formatInputShape(*c)), inputShape);
    QCOMPARE(q(formatGears(*c)), gears);
  }

  void dimKinds() {
    const auto c = configFromLine("--input_shape=\"x:1~8,3,-1;y:-1,2\"");
    QVERIFY(c);
    QCOMPARE(c->inputs[0].dims[0], DimSpec::range(1, 8));
    QCOMPARE(c->inputs[0].dims[1], DimSpec::fixed(3));
    QCOMPARE(c->inputs[0].dims[2], DimSpec::unbounded());
    QVERIFY(c->inputs[0].dims[2].isUnbounded());
    const auto g = configFromLine("--input_shape=\"x:-1,2\" --dynamic_batch_size=1,2");
    QVERIFY(g);
    QCOMPARE(g->inputs[0].dims[0].kind, DimSpec::Kind::Gear);
    QCOMPARE(g->gearDimCount(), std::size_t{1});
    // A hand-written spec compares by meaning, not by unused fields.
    QCOMPARE((DimSpec{DimSpec::Kind::Fixed, 3, 0, 0}), DimSpec::fixed(3));
    QVERIFY(!(DimSpec::fixed(3) == DimSpec::range(3, 3)));
  }

  void deprecatedRangeWarns() {
    auto sink = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(16);
    log::addSink(sink);
    const auto c = configFromLine("--input_shape=x:1,2 --input_shape_range=x:[1~4,2]");
    QVERIFY(c);
    QVERIFY(c->fromDeprecatedRange);
    QString all;
    for (const auto& line : sink->last_formatted())
      all += q(line);
    QVERIFY2(all.contains("--input_shape_range is deprecated"), qPrintable(all));
    QVERIFY2(all.contains("--input_shape is overridden by --input_shape_range"), qPrintable(all));
  }

  // ---- canonical printing and round trips ----------------------------------------------------
  void roundTrip_data() {
    QTest::addColumn<QString>("line");
    QTest::addColumn<QString>("canonical"); // toCommandLine(toOptions(fromOptions(line)))
    QTest::newRow("static") << "--input_shape=x:1,3,224,224 --input_format=NCHW"
                            << "atc --input_shape=x:1,3,224,224";
    QTest::newRow("two inputs") << "--input_shape=\"x:1,3 ; y:2;\""
                                << "atc --input_shape=\"x:1,3;y:2\"";
    QTest::newRow("batch") << "--dynamic_batch_size=\"1,2,4,\" --input_shape=x:-1,3"
                           << "atc --input_shape=x:-1,3 --dynamic_batch_size=1,2,4";
    QTest::newRow("image") << "--input_shape=x:1,3,-1,-1 --dynamic_image_size=\"224,224;448,448;\""
                           << "atc --input_shape=x:1,3,-1,-1 --dynamic_image_size=\"224,224;448,448\"";
    QTest::newRow("image NHWC") << "--input_format=NHWC --input_shape=x:1,-1,-1,3 --dynamic_image_size=\"8,8;16,16\""
                                << "atc --input_format=NHWC --input_shape=x:1,-1,-1,3 "
                                   "--dynamic_image_size=\"8,8;16,16\"";
    QTest::newRow("dims") << "--input_format=ND --input_shape=\"a:-1,4;b:-1\" --dynamic_dims=\"1,2;3,4\""
                          << "atc --input_format=ND --input_shape=\"a:-1,4;b:-1\" --dynamic_dims=\"1,2;3,4\"";
    QTest::newRow("ranges") << "--input_shape=\"x:1~8,3,-1\""
                            << "atc --input_shape=\"x:1~8,3,-1\"";
    QTest::newRow("deprecated ranges") << "--input_shape_range=\"x:[1~8,3,-1];s:[]\""
                                       << "atc --input_shape_range=\"x:[1~8,3,-1];s:[]\"";
    QTest::newRow("out nodes and soc") << "--soc_version=Ascend310P3 --out_nodes=\"conv1:0; y\" --input_shape=x:1"
                                       << "atc --soc_version=Ascend310P3 --input_shape=x:1 --out_nodes=\"conv1:0;y\"";
    QTest::newRow("scalar") << "--input_shape=t:"
                            << "atc --input_shape=t:";
  }
  void roundTrip() {
    QFETCH(QString, line);
    QFETCH(QString, canonical);
    const auto c = configFromLine(line);
    QVERIFY2(c, c ? "" : c.error().str().c_str());
    const auto opts = toOptions(*c);
    const auto text = toCommandLine(opts);
    QCOMPARE(q(text), canonical);
    const auto again = fromOptions(opts);
    QVERIFY2(again, again ? "" : again.error().str().c_str());
    QVERIFY(*again == *c);
    const auto reparsed = configFromLine(q(text));
    QVERIFY2(reparsed, reparsed ? "" : reparsed.error().str().c_str());
    QVERIFY(*reparsed == *c);
    QCOMPARE(q(toCommandLine(toOptions(*reparsed))), canonical);
  }

  // Many generated configs: every one checkConfig accepts survives print and parse. Dims are drawn
  // mostly from the kinds the strategy allows, sometimes from any kind, so both sides are reached.
  void roundTripGenerated() {
    std::mt19937 rng(1234);
    const auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
    const auto anyDim = [&]() {
      switch (pick(3)) {
      case 0:
        return DimSpec::gear();
      case 1:
        return pick(2) ? DimSpec::unbounded() : DimSpec::range(pick(3), 3 + pick(20));
      default:
        return DimSpec::fixed(1 + pick(64));
      }
    };
    std::map<Strategy, int> valid;
    // Thousands of deprecation warnings otherwise; restored however the test ends.
    QVERIFY(log::setLevel("error"));
    struct RestoreLevel {
      ~RestoreLevel() { (void)log::setLevel("warning"); }
    } restore;
    for (int iter = 0; iter < 2000; ++iter) {
      ShapeConfig c;
      c.strategy = static_cast<Strategy>(pick(5));
      c.inputFormat = std::array{"NCHW", "NHWC", "ND", "NCDHW"}[pick(4)];
      c.fromDeprecatedRange = c.strategy == Strategy::DynamicShape && pick(2) == 0;
      const int nInputs = 1 + pick(3);
      for (int i = 0; i < nInputs; ++i) {
        InputSpec in{"in" + std::to_string(i) + (pick(4) == 0 ? ":a" : ""), {}, false};
        const int rank = c.strategy == Strategy::DynamicImageSize ? 4 : pick(5);
        in.scalar = rank == 0;
        const bool hw = pick(2) == 0;
        for (int d = 0; d < rank; ++d) {
          DimSpec dim = DimSpec::fixed(1 + pick(64));
          if (pick(10) == 0) {
            dim = anyDim();
          } else if (c.strategy == Strategy::DynamicShape && pick(2)) {
            dim = anyDim().kind == DimSpec::Kind::Fixed ? dim : DimSpec::range(1 + pick(2), 4 + pick(8));
          } else if (c.strategy == Strategy::DynamicBatch && d == 0 && pick(2)) {
            dim = DimSpec::gear();
          } else if (c.strategy == Strategy::DynamicImageSize && hw) {
            const int h = c.inputFormat == "NHWC" ? 1 : 2;
            if (d == h || d == h + 1) dim = DimSpec::gear();
          } else if (c.strategy == Strategy::DynamicDims && pick(3) == 0) {
            dim = DimSpec::gear();
          }
          in.dims.push_back(dim);
        }
        c.inputs.push_back(std::move(in));
      }
      if (isGearStrategy(c.strategy)) {
        const auto width = c.strategy == Strategy::DynamicBatch       ? 1u
                           : c.strategy == Strategy::DynamicImageSize ? 2u
                                                                      : static_cast<unsigned>(c.gearDimCount());
        const int nGears = 1 + pick(5);
        for (int g = 0; g < nGears; ++g) {
          std::vector<int64_t> gear;
          for (unsigned k = 0; k < width; ++k)
            gear.push_back(1 + pick(512));
          c.gears.push_back(std::move(gear));
        }
      }
      if (!checkConfig(c)) continue;
      ++valid[c.strategy];
      const auto opts = toOptions(c);
      const auto back = fromOptions(opts);
      QVERIFY2(back, back ? "" : (back.error().str() + " for " + toCommandLine(opts)).c_str());
      QVERIFY2(*back == c, toCommandLine(opts).c_str());
      const auto viaText = parseCommandLine(toCommandLine(opts));
      QVERIFY(viaText);
      QVERIFY(*fromOptions(*viaText) == c);
    }
    for (auto s : {Strategy::Static, Strategy::DynamicBatch, Strategy::DynamicImageSize, Strategy::DynamicDims,
                   Strategy::DynamicShape})
      QVERIFY2(valid[s] >= 20, strategyName(s).data());
  }

  // ---- against a model -----------------------------------------------------------------------
  void modelChecks_data() {
    QTest::addColumn<QString>("model");
    QTest::addColumn<QString>("line");
    QTest::addColumn<QString>("code"); // empty: valid
    QTest::addColumn<QString>("needle");
    QTest::newRow("valid static") << "dyn"
                                  << "--input_shape=x:1,3,64,64"
                                  << ""
                                  << "";
    QTest::newRow("valid out nodes") << "dyn"
                                     << "--input_shape=x:1,3,64,64 --out_nodes=\"relu_x:0;y_out\""
                                     << ""
                                     << "";
    QTest::newRow("valid scalar") << "scalar"
                                  << "--input_shape=t:"
                                  << ""
                                  << "";
    QTest::newRow("valid unknown rank given") << "norank"
                                              << "--input_shape=x:2,2"
                                              << ""
                                              << "";
    QTest::newRow("E10016 input") << "dyn"
                                  << "--input_shape=z:1,3"
                                  << "E10016"
                                  << "Input [z] in parameter [--input_shape] is not an input of the model. The "
                                     "model's inputs are: x [N,3,H,W], y [1,16]";
    QTest::newRow("E10016 range input") << "dyn"
                                        << "--input_shape_range=z:[1~2]"
                                        << "E10016"
                                        << "parameter [--input_shape_range]";
    QTest::newRow("E10016 out node") << "dyn"
                                     << "--input_shape=x:1,3,8,8 --out_nodes=relu_x:1"
                                     << "E10016"
                                     << "Output [relu_x:1] in parameter [--out_nodes] is not in the model";
    QTest::newRow("E10001 rank") << "dyn"
                                 << "--input_shape=x:1,3,224"
                                 << "E10001"
                                 << "input [x] has 4 dims in the model [N,3,H,W] but 3 here";
    QTest::newRow("E10001 scalar vs rank 2") << "scalar"
                                             << "--input_shape=x:"
                                             << "E10001"
                                             << "has 2 dims";
    QTest::newRow("E10001 no input_shape") << "dyn"
                                           << ""
                                           << "E10001"
                                           << "Input [x] has the dynamic shape [N,3,H,W] in the model and is not "
                                              "given in --input_shape";
    QTest::newRow("E10001 unlisted with gears") << "dyn"
                                                << "--input_shape=y:-1,16 --dynamic_batch_size=1,2"
                                                << "E10001"
                                                << "Input [x] has the dynamic shape";
    QTest::newRow("E10001 unknown rank") << "norank"
                                         << ""
                                         << "E10001"
                                         << "[?...]";
    QTest::newRow("E10011 model dim 0") << "zero"
                                        << ""
                                        << "E10011"
                                        << "Input [x] has the shape [0,3] in the model";
    QTest::newRow("order: config before model") << "dyn"
                                                << "--input_shape=z:1,0"
                                                << "E10011"
                                                << "input [z] is 0";
  }
  void modelChecks() {
    QFETCH(QString, model);
    QFETCH(QString, line);
    QFETCH(QString, code);
    QFETCH(QString, needle);
    const auto m = modelByName(model);
    QVERIFY(ir::verify(m.graph));
    const auto c = configFromLine(line);
    Status st = c ? validate(*c, m) : Status(std::unexpected(c.error()));
    if (code.isEmpty()) {
      QVERIFY2(st, st ? "" : st.error().str().c_str());
      return;
    }
    QVERIFY(!st);
    QCOMPARE(q(st.error().code), code);
    QVERIFY2(errorText(st.error()).contains(needle), qPrintable(errorText(st.error())));
  }

  // ---- gear expansion and ranges -------------------------------------------------------------
  void expand_data() {
    QTest::addColumn<QString>("model");
    QTest::addColumn<QString>("line");
    QTest::addColumn<QString>("gears");  // expandGears, or "" for dynamic shape
    QTest::addColumn<QString>("ranges"); // dynamicRanges
    QTest::newRow("static") << "dyn"
                            << "--input_shape=x:1,3,224,224"
                            << "x:1,3,224,224;y:1,16"
                            << "x:1~1,3~3,224~224,224~224;y:1~1,16~16";
    QTest::newRow("batch") << "dyn"
                           << "--input_shape=x:-1,3,32,32 --dynamic_batch_size=4,1,2"
                           << "x:4,3,32,32;y:1,16|x:1,3,32,32;y:1,16|x:2,3,32,32;y:1,16"
                           << "x:1~4,3~3,32~32,32~32;y:1~1,16~16";
    QTest::newRow("batch two inputs") << "dyn"
                                      << "--input_shape=\"y:-1,16;x:-1,3,8,8\" --dynamic_batch_size=2,8"
                                      << "x:2,3,8,8;y:2,16|x:8,3,8,8;y:8,16"
                                      << "x:2~8,3~3,8~8,8~8;y:2~8,16~16";
    QTest::newRow("image NCHW") << "dyn"
                                << "--input_shape=x:1,3,-1,-1 --dynamic_image_size=\"224,224;320,448\""
                                << "x:1,3,224,224;y:1,16|x:1,3,320,448;y:1,16"
                                << "x:1~1,3~3,224~320,224~448;y:1~1,16~16";
    QTest::newRow("image NHWC") << "nhwc"
                                << "--input_format=NHWC --input_shape=x:1,-1,-1,3 --dynamic_image_size=\"32,64;64,32\""
                                << "x:1,32,64,3|x:1,64,32,3"
                                << "x:1~1,32~64,32~64,3~3";
    // dynamic_dims fills the -1s in --input_shape order (mask first), results come in graph order.
    QTest::newRow("dims in option order")
        << "tokens"
        << "--input_format=ND --input_shape=\"mask:1,-1;ids:-1,-1\" --dynamic_dims=\"128,1,128;256,2,256\""
        << "ids:1,128;mask:1,128|ids:2,256;mask:1,256"
        << "ids:1~2,128~256;mask:1~1,128~256";
    QTest::newRow("ranges") << "dyn"
                            << "--input_shape=x:1~8,3,32~64,-1"
                            << ""
                            << "x:1~8,3~3,32~64,1~-1;y:1~1,16~16";
    QTest::newRow("deprecated ranges") << "dyn"
                                       << "--input_shape_range=\"x:[1~8,3,-1,-1];y:[1,16]\""
                                       << ""
                                       << "x:1~8,3~3,1~-1,1~-1;y:1~1,16~16";
  }
  void expand() {
    QFETCH(QString, model);
    QFETCH(QString, line);
    QFETCH(QString, gears);
    QFETCH(QString, ranges);
    const auto m = modelByName(model);
    const auto c = configFromLine(line);
    QVERIFY2(c, c ? "" : c.error().str().c_str());
    const auto g = expandGears(*c, m.graph);
    if (gears.isEmpty()) {
      QVERIFY(!g);
      QCOMPARE(q(g.error().code), QString(codes::kInvalid));
    } else {
      QVERIFY2(g, g ? "" : g.error().str().c_str());
      QCOMPARE(gearsText(*g), gears);
      QCOMPARE(g->size(), c->strategy == Strategy::Static ? std::size_t{1} : c->gears.size());
    }
    const auto r = dynamicRanges(*c, m.graph);
    QVERIFY2(r, r ? "" : r.error().str().c_str());
    QCOMPARE(rangesText(*r), ranges);
    QCOMPARE((*r)[0].dtype, m.graph.values[m.graph.inputs[0]].dtype);
  }

  void expandReportsModelErrors() {
    const auto m = modelByName("dyn");
    const auto c = configFromLine("--input_shape=w:-1 --dynamic_batch_size=1,2");
    QVERIFY(c);
    const auto g = expandGears(*c, m.graph);
    QVERIFY(!g);
    QCOMPARE(q(g.error().code), QString("E10016"));
  }

  // ---- studio texts --------------------------------------------------------------------------
  void presets() {
    const auto pow2 = presetGears("1,2,4,8,16");
    QCOMPARE(pow2.size(), std::size_t{5});
    QCOMPARE(pow2.back(), std::vector<int64_t>{16});
    QCOMPARE(presetGears("batch_pow2"), pow2);
    QVERIFY(presetGears("no such preset").empty());
    for (const auto& p : gearPresets()) {
      const auto gears = presetGears(p.name);
      QVERIFY2(gears.size() >= 2, p.name.data());
      // Every preset must be a valid gear option for its strategy.
      ShapeConfig c;
      c.strategy = p.strategy;
      c.gears = gears;
      if (p.strategy == Strategy::DynamicImageSize)
        c.inputs = {InputSpec{"x", {DimSpec::fixed(1), DimSpec::fixed(3), DimSpec::gear(), DimSpec::gear()}, false}};
      else if (p.strategy == Strategy::DynamicBatch)
        c.inputs = {InputSpec{"x", {DimSpec::gear(), DimSpec::fixed(3)}, false}};
      else
        c.inputs = {InputSpec{"x", std::vector<DimSpec>(gears[0].size(), DimSpec::gear()), false}};
      const auto st = checkConfig(c);
      QVERIFY2(st, st ? p.name.data() : st.error().str().c_str());
    }
  }

  void strategyTexts() {
    QVERIFY(q(describeStrategy(Strategy::DynamicBatch)).contains("largest gear"));
    QVERIFY(q(describeStrategy(Strategy::DynamicBatch)).contains("8 or 16"));
    QVERIFY(q(describeStrategy(Strategy::DynamicDims)).contains("3-4 gears"));
    QVERIFY(q(describeStrategy(Strategy::DynamicShape)).contains("slowest"));
    QVERIFY(q(describeStrategy(Strategy::Static)).contains("Fastest"));

    const auto c = configFromLine("--input_shape=x:-1 --dynamic_dims=\"100;200;300;400;500;600\"");
    QVERIFY(c);
    const auto hints = adviseGears(*c);
    QStringList all;
    for (const auto& h : hints)
      all << q(h);
    QVERIFY2(all.join('\n').contains("6 gears for --dynamic_dims: 3-4 are recommended"), qPrintable(all.join('\n')));
    QVERIFY(all.join('\n').contains("Sizes 100,200,300,500,600 are not multiples of 16"));
    QVERIFY(all.join('\n').contains("largest gear [600] (gear 5)"));
    QVERIFY(adviseGears(*configFromLine("--input_shape=x:1")).empty());
  }

  // The real PP-OCRv4 detection model: input 'x' [?,3,?,?].
  void ppocrDetModel() {
    const std::string path = std::string(GS_MODELS_DIR) + "/ch_PP-OCRv4_det_infer.onnx";
    if (!QFile::exists(q(path))) QSKIP("PP-OCRv4 det model not present");
    const auto model = onnx_import::importModel(path);
    QVERIFY2(model, model ? "" : model.error().str().c_str());
    const auto none = validate(ShapeConfig{}, *model);
    QVERIFY(!none);
    QCOMPARE(q(none.error().code), QString("E10001"));
    QVERIFY(errorText(none.error()).contains("Input [x]"));

    const auto c = configFromLine("--input_shape=x:1,3,-1,-1 --dynamic_image_size=\"640,640;960,960\"");
    QVERIFY(c);
    const auto g = expandGears(*c, model->graph);
    QVERIFY2(g, g ? "" : g.error().str().c_str());
    QCOMPARE(gearsText(*g), QString("x:1,3,640,640|x:1,3,960,960"));
    const auto bad = configFromLine("--input_shape=image:1,3,640,640");
    QVERIFY(bad);
    QCOMPARE(q(validate(*bad, *model).error().code), QString("E10016"));
    const auto rank = configFromLine("--input_shape=x:1,3,640");
    QCOMPARE(q(validate(*rank, *model).error().code), QString("E10001"));
  }
};

QTEST_GUILESS_MAIN(TestShapeConfig)
#include "test_shape_config.moc"
