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
  }
};

QTEST_GUILESS_MAIN(TestCommon)
#include "test_common.moc"
