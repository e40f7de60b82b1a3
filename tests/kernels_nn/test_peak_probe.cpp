// The FMA peak probe and its cache file: a positive measurement, a written cache that the next call
// reads back unchanged, and a cache for another CPU (or a broken file) that is measured again.
#include <QtTest>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "core/runtime/cpu/peak_probe.h"

using gs::runtime::cpu::cachedPeak;
using gs::runtime::cpu::measurePeak;

class TestPeakProbe : public QObject {
  Q_OBJECT

  std::filesystem::path m_dir;

private slots:
  void init() {
    m_dir = std::filesystem::temp_directory_path() /
            ("gs_peak_probe_" + std::to_string(QCoreApplication::applicationPid()));
    std::filesystem::remove_all(m_dir);
  }
  void cleanup() { std::filesystem::remove_all(m_dir); }

  void measuresSomething() {
    const auto p = measurePeak(3, 5.0);
    QVERIFY(p.coreGflops > 0.1);
    QVERIFY(p.isa == "avx512" || p.isa == "avx2+fma" || p.isa == "sse");
    QVERIFY(!p.cpu.empty());
    QCOMPARE(p.machineGflops(4), p.coreGflops * 4);
  }

  void cacheIsWrittenThenRead() {
    const auto path = (m_dir / "peak.json").string();
    auto first = cachedPeak(path);
    QVERIFY(first.has_value());
    QVERIFY(!first->fromCache);
    QVERIFY(std::filesystem::exists(path));
    auto second = cachedPeak(path);
    QVERIFY(second.has_value());
    QVERIFY(second->fromCache);
    QCOMPARE(second->coreGflops, first->coreGflops);
  }

  void foreignOrBrokenCacheIsReplaced() {
    const auto path = (m_dir / "peak.json").string();
    std::filesystem::create_directories(m_dir);
    std::ofstream(path) << nlohmann::json{{"cpu", "some other cpu"}, {"isa", "sse"}, {"core_gflops", 12345.0}}.dump();
    auto p = cachedPeak(path);
    QVERIFY(p.has_value());
    QVERIFY(!p->fromCache);
    QVERIFY(p->coreGflops != 12345.0);
    std::ofstream(path, std::ios::trunc) << "{not json";
    p = cachedPeak(path);
    QVERIFY(p.has_value());
    QVERIFY(!p->fromCache);
    QVERIFY(cachedPeak(path)->fromCache); // rewritten
  }
};

QTEST_GUILESS_MAIN(TestPeakProbe)
#include "test_peak_probe.moc"
