// ATC shape options: every error code of the contract with its message and the check order, each
// strategy's valid forms, checks against models built in code and the real PP-OCRv4 detection
// model, gear expansion and ranges, and the studio's strategy texts. main() also runs the option
// and round-trip test classes of this folder.
#include <QtTest>

#include <spdlog/sinks/ringbuffer_sink.h>

#include "core/common/log.h"
#include "core/compiler/onnx/importer.h"
#include "core/compiler/shape_config/shape_config.h"
#include "tests/shape_config/test_util.h"

using namespace gs;
using namespace gs::shape_config;
using namespace shape_config_test;

int runAtcOptionsTests(int argc, char** argv);
int runRoundTripTests(int argc, char** argv);
int runPrecisionOptionsTests(int argc, char** argv);

namespace {

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

} // namespace

class TestShapeConfig : public QObject {
  Q_OBJECT

private slots:
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
    QTest::newRow("E10040 no -1") << "--input_shape=x:1,3 --dynamic_image_size=2,2;4,4"
                                  << "E10040"
                                  << "must have -1 dims when --dynamic_image_size is set";
    // Issue 11: a static --input_shape with a batch gear list names what is missing (no -1 at dim 0).
    QTest::newRow("E10031 static shape with batch gears") << "--input_shape=x:1,3,640,640 --dynamic_batch_size=1,2"
                                                          << "E10031"
                                                          << "batch N (dim 0) equal to -1";
    // Dims ATC cannot hold: 2^31 and more, in dims and in range bounds.
    QTest::newRow("E10002 dim 2^31") << "--input_shape=x:1,2147483648"
                                     << "E10002"
                                     << "dim 1 of input [x] is [2147483648]: out of range (at most 2147483647)";
    QTest::newRow("E10002 dim 2^63-1") << "--input_shape=x:9223372036854775807,3"
                                       << "E10002"
                                       << "dim 0 of input [x] is [9223372036854775807]: out of range";
    QTest::newRow("E10002 dim above int64") << "--input_shape=x:99999999999999999999"
                                            << "E10002"
                                            << "out of range";
    QTest::newRow("E10002 range to 2^63-1") << "--input_shape=x:1~9223372036854775807,3"
                                            << "E10002"
                                            << "the range [1~9223372036854775807]: a bound is out of range";
    QTest::newRow("E10002 range from 2^31") << "--input_shape=x:2147483648~2147483649"
                                            << "E10002"
                                            << "a bound is out of range";
    QTest::newRow("E10002 range in deprecated form") << "--input_shape_range=x:[1~4294967296]"
                                                     << "E10002"
                                                     << "a bound is out of range";
    QTest::newRow("2^31-1 is the largest dim") << "--input_shape=x:2147483647,2147483648"
                                               << "E10002"
                                               << "dim 1 of input [x]";
    // Formats: ATC takes NCHW, ND and NCDHW for ONNX; NCDHW describes 5-D inputs.
    QTest::newRow("E10001 NHWC for ONNX") << "--input_format=NHWC --input_shape=x:1,3"
                                          << "E10001"
                                          << "ONNX models support NCHW, ND and NCDHW";
    QTest::newRow("E10001 NCDHW on 4-D") << "--input_format=NCDHW --input_shape=x:1,3,224,224"
                                         << "E10001"
                                         << "input [x] has 4 dims, but --input_format=NCDHW describes 5-D inputs";
    QTest::newRow("E10001 format with a trailing space") << "--input_format=\"NCHW \" --input_shape=x:1,3"
                                                         << "E10001"
                                                         << "Value [NCHW ] for parameter [--input_format] is invalid. "
                                                            "Reason: the value has leading or trailing spaces";
    QTest::newRow("E10001 format with a leading space") << "--input_format=\" ND\""
                                                        << "E10001"
                                                        << "leading or trailing spaces";
    QTest::newRow("E10001 soc with a space") << "--soc_version=\"Ascend310P3 \""
                                             << "E10001"
                                             << "Value [Ascend310P3 ] for parameter [--soc_version]";
    QTest::newRow("E10001 out_nodes ;;;") << "--input_shape=x:1,3 --out_nodes=\";;;\""
                                          << "E10001"
                                          << "an item between ';' is empty";
    QTest::newRow("E10001 out_nodes empty middle item") << "--out_nodes=\"a:0;;b:0\""
                                                        << "E10001"
                                                        << "Value [a:0;;b:0] for parameter [--out_nodes]";
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
    // Issue 13: shapes taken from real tensors (the conformance runner) may be empty; never from options.
    fixed.allowEmptyDims = true;
    QVERIFY(checkConfig(fixed));
    fixed.inputs = {InputSpec{"x", {DimSpec::fixed(-3)}, false}};
    expectCode(fixed, "E10011", "dim 0 of input [x] is -3");
    fixed.allowEmptyDims = false;
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
    QTest::newRow("NCDHW") << "--input_format=NCDHW --input_shape=x:1,3,8,-1,-1"
                           << "dynamic_shape"
                           << "x:1,3,8,-1,-1"
                           << "";
    QTest::newRow("largest dim 2^31-1") << "--input_shape=x:2147483647,1~2147483647"
                                        << "dynamic_shape"
                                        << "x:2147483647,1~2147483647"
                                        << "";
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
    QTest::newRow("E10016 out node is a graph input") << "dyn"
                                                      << "--input_shape=x:1,3,8,8 --out_nodes=x"
                                                      << "E10016"
                                                      << "Output [x] in parameter [--out_nodes] is an input of the "
                                                         "model, not the output of a node";
    QTest::newRow("E10001 NCDHW on a 4-D model input") << "dyn"
                                                       << "--input_format=NCDHW --input_shape=y:1,16,1,1,1"
                                                       << "E10001"
                                                       << "has 2 dims in the model";
    QTest::newRow("E10001 NCDHW, unlisted 4-D input") << "nhwc"
                                                      << "--input_format=NCDHW"
                                                      << "E10001"
                                                      << "Input [x] has the shape [N,H,W,3] in the model (4 dims), but "
                                                         "--input_format=NCDHW describes 5-D inputs";
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

int main(int argc, char** argv) {
  QCoreApplication app(argc, argv);
  int failed = runAtcOptionsTests(argc, argv);
  failed += runRoundTripTests(argc, argv);
  failed += runPrecisionOptionsTests(argc, argv);
  TestShapeConfig t;
  failed += QTest::qExec(&t, argc, argv);
  return failed;
}

#include "test_shape_config.moc"
