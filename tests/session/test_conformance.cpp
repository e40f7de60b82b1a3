// A deterministic subset of the ONNX backend node cases (every k-th of the sorted list, 150 cases)
// through the forked conformance runner: the run must finish (no crash of the runner) and at least
// 75% of the cases that are not skipped must pass. The whole folder runs in the `conformance` label
// (gearbench --check, see CMakeLists.txt).
#include <QtTest>

#include <filesystem>
#include <map>

#include "core/session/conformance.h"

using namespace gs;

class TestConformance : public QObject {
  Q_OBJECT

private slots:
  void nodeSubset() {
    const std::string root = std::string(GS_ONNX_TESTDATA) + "/node";
    if (!std::filesystem::exists(root)) QSKIP("ONNX backend test data not present");
    const auto all = session::findCases(root);
    QVERIFY(all.size() > 150);
    std::vector<std::string> subset;
    for (std::size_t i = 0; i < 150; ++i)
      subset.push_back(all[i * all.size() / 150]);
    session::ConformanceOptions opt;
    opt.jobs = 2;
    auto report = session::runConformance(subset, opt);
    QCOMPARE(report.cases.size(), subset.size());
    QCOMPARE(report.passed + report.failed + report.skipped, subset.size());
    for (const auto& c : report.cases)
      if (c.status == session::CaseStatus::Failed) qInfo("FAIL %s: %s", c.name.c_str(), c.reason.c_str());
    qInfo("%zu passed, %zu failed, %zu skipped", report.passed, report.failed, report.skipped);
    const double attempted = static_cast<double>(report.passed + report.failed);
    QVERIFY(attempted > 0);
    QVERIFY2(static_cast<double>(report.passed) / attempted >= 0.75, "pass rate below 75%");
  }
};

QTEST_GUILESS_MAIN(TestConformance)
#include "test_conformance.moc"
