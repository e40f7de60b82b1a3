// Canonical printing and round trips: toOptions(fromOptions(x)) is canonical and
// fromOptions(toOptions(c)) == c, on hand-picked lines and on many generated configs.
#include <QtTest>

#include <map>
#include <random>

#include "core/common/log.h"
#include "core/compiler/shape_config/shape_config.h"
#include "tests/shape_config/test_util.h"

using namespace gs;
using namespace gs::shape_config;
using namespace shape_config_test;

class TestRoundTrip : public QObject {
  Q_OBJECT

private slots:
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
    QTest::newRow("NCDHW") << "--input_format=NCDHW --input_shape=x:1,3,4,-1,-1"
                           << "atc --input_format=NCDHW --input_shape=x:1,3,4,-1,-1";
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
      c.inputFormat = std::array{"NCHW", "ND", "NCDHW"}[pick(3)];
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
            if (d == 2 || d == 3) dim = DimSpec::gear();
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
};

int runRoundTripTests(int argc, char** argv) {
  TestRoundTrip t;
  return QTest::qExec(&t, argc, argv);
}

#include "test_round_trip.moc"
