// libFuzzer target for the front door: ONNX bytes -> import -> JSON view -> shape inference ->
// compile of one static gear (scripts/fuzz-import.sh builds and runs it with clang, ASan and UBSan).
// Properties: nothing crashes, reads out of bounds, overflows or allocates without bound; every
// refusal is an Error with a code and a message; the JSON view of an imported model can be dumped
// (names are not trusted to be UTF-8); a compile that succeeds gives exactly one gear. Findings
// become files in tests/importer/data/fuzz, replayed by test_import_fuzz_regressions.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "core/common/log.h"
#include "import_pipeline.h"

namespace {

const bool g_quiet = [] {
  (void)gs::log::setLevel("null");
  return true;
}();

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  (void)g_quiet;
  const auto violated = gs::test::runImportPipeline(std::string(reinterpret_cast<const char*>(data), size));
  if (!violated.empty()) {
    std::fprintf(stderr, "property violated: %s\n", violated.c_str());
    std::abort();
  }
  return 0;
}
