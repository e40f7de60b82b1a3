// Error values and ATC log levels.
#include <QtTest>

#include "core/common/log.h"
#include "core/common/progress.h"
#include "core/common/status.h"
#include "core/common/strategy.h"

class TestCommon : public QObject {
  Q_OBJECT

  static gs::Expected<int> half(int v) {
    if (v % 2) return gs::makeError("E10001", "odd value " + std::to_string(v));
    return v / 2;
  }
  static gs::Expected<int> quarter(int v) {
    GS_ASSIGN_OR_RETURN(int h, half(v));
    return half(h);
  }

private slots:
  void errorsPropagate() {
    QCOMPARE(*quarter(8), 2);
    auto bad = quarter(6);
    QVERIFY(!bad);
    QCOMPARE(QString::fromStdString(bad.error().str()), QString("E10001: odd value 3"));
  }
  void logLevels() {
    for (auto l : {"debug", "info", "warning", "error", "null"})
      QVERIFY(gs::log::setLevel(l).has_value());
    auto bad = gs::log::setLevel("verbose");
    QVERIFY(!bad);
    QCOMPARE(QString::fromStdString(bad.error().code), QString("E10001"));
    QVERIFY(gs::log::get("test") == gs::log::get("test"));
  }
  void strategies() {
    QCOMPARE(*gs::strategyFromName("dynamic_dims"), gs::Strategy::DynamicDims);
    QVERIFY(!gs::strategyFromName("gears"));
    QVERIFY(gs::isGearStrategy(gs::Strategy::DynamicBatch));
    QVERIFY(!gs::isGearStrategy(gs::Strategy::DynamicShape));
  }
  void cancelToken() {
    gs::CancelToken t;
    gs::Progress p;
    p.cancel = &t;
    QVERIFY(!p.cancelled());
    t.cancel();
    QVERIFY(p.cancelled());
    QVERIFY(p.sub(0, 0.5).cancelled()); // a step of the job sees the same token
  }
  void progressEvents() {
    // Structured events keep their fields through a sub-step; only the fraction is mapped.
    std::vector<gs::ProgressEvent> seen;
    std::vector<std::string> texts;
    gs::Progress p;
    p.onEvent = [&](const gs::ProgressEvent& e) { seen.push_back(e); };
    p.report = [&](double, const std::string& what) { texts.push_back(what); };
    const auto step = p.sub(0.5, 1.0);
    gs::ProgressEvent e;
    e.fraction = 0.5;
    e.what = "gear 3/3: run 4/10";
    e.stage = "measure";
    e.gear = 2;
    e.gearCount = 3;
    e.run = 4;
    e.runs = 10;
    step(e);
    QCOMPARE(seen.size(), std::size_t{1});
    QCOMPARE(seen[0].fraction, 0.75);
    QCOMPARE(seen[0].stage, std::string("measure"));
    QCOMPARE(seen[0].gear, 2);
    QCOMPARE(seen[0].gearCount, 3);
    QCOMPARE(seen[0].run, 4);
    QCOMPARE(seen[0].runs, 10);
    QCOMPARE(texts, std::vector<std::string>{"gear 3/3: run 4/10"});
    // A plain (fraction, text) step reaches both callbacks as an event without a stage.
    p(0.25, "load");
    QCOMPARE(seen.back().fraction, 0.25);
    QVERIFY(seen.back().stage.empty());
    QCOMPARE(seen.back().gear, -1);
    QCOMPARE(texts.back(), std::string("load"));
  }
};

QTEST_GUILESS_MAIN(TestCommon)
#include "test_common.moc"
