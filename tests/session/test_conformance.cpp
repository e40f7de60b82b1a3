// A deterministic subset of the ONNX backend node cases (every k-th of the sorted list, 150 cases)
// through the forked conformance runner: the run must finish (no crash of the runner), and every case
// of the subset that tests/conformance/expected-pass-node.txt lists must pass (the whole folder runs
// against the list in the `conformance` label: gearbench --check --expect-pass, see CMakeLists.txt).
#include <QtTest>

#include <filesystem>
#include <fstream>
#include <set>

#include "core/session/conformance.h"

using namespace gs;

namespace {

std::set<std::string> expectedPass(const std::string& path) {
  std::set<std::string> names;
  std::ifstream f(path);
  std::string line;
  while (std::getline(f, line)) {
    if (const auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back())))
      line.pop_back();
    if (!line.empty()) names.insert(line);
  }
  return names;
}

} // namespace

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
    const auto expected = expectedPass(std::string(GS_CONFORMANCE_LISTS) + "/expected-pass-node.txt");
    QVERIFY2(expected.size() > 500, "tests/conformance/expected-pass-node.txt is missing or short");
    std::size_t listed = 0;
    QStringList regressed;
    for (const auto& c : report.cases) {
      if (!expected.contains(c.name)) continue;
      ++listed;
      if (c.status != session::CaseStatus::Passed)
        regressed << QString::fromStdString(c.name + " (" + session::caseStatusName(c.status) + ": " + c.reason + ")");
    }
    QVERIFY(listed > 100);
    QVERIFY2(regressed.isEmpty(), qPrintable("listed as passing but did not pass: " + regressed.join("; ")));
  }
};

QTEST_GUILESS_MAIN(TestConformance)
#include "test_conformance.moc"
