// Replays every input the import fuzzer (scripts/fuzz-import.sh) once crashed on, kept in
// tests/importer/data/fuzz, through the same path: import, JSON view, shape inference and compile
// of one static gear. Each must now end in a result or a described error (labelled asan: the asan
// preset runs it under the sanitizers, where the original findings were made).
#include <QtTest>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "core/common/log.h"
#include "import_pipeline.h"

namespace fs = std::filesystem;

class TestImportFuzzRegressions : public QObject {
  Q_OBJECT

private slots:
  void initTestCase() { (void)gs::log::setLevel("null"); }

  void replayFindings() {
    const fs::path dir = fs::path(GS_SOURCE_DIR) / "tests/importer/data/fuzz";
    QVERIFY(fs::is_directory(dir));
    int replayed = 0;
    for (const auto& e : fs::directory_iterator(dir)) {
      if (!e.is_regular_file() || e.path().extension() == ".md") continue;
      std::ifstream f(e.path(), std::ios::binary);
      std::string bytes{std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
      std::string violated;
      try {
        violated = gs::test::runImportPipeline(std::move(bytes));
      } catch (const std::exception& ex) {
        violated = std::string("exception: ") + ex.what();
      }
      QVERIFY2(violated.empty(), (e.path().filename().string() + ": " + violated).c_str());
      ++replayed;
    }
    qInfo("%d fuzzer findings replayed", replayed);
    QVERIFY(replayed > 0);
  }
};

QTEST_GUILESS_MAIN(TestImportFuzzRegressions)
#include "test_import_fuzz_regressions.moc"
