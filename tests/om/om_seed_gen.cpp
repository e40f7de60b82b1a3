// Writes a few valid .om files built from the test fixture into a folder: the seed corpus of the
// .om reader fuzzer (scripts/fuzz-om.sh). Usage: om_seed_gen <folder>
#include <filesystem>
#include <iostream>

#include "core/om/om_file.h"
#include "om_fixture.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: om_seed_gen <folder>\n";
    return 2;
  }
  namespace fs = std::filesystem;
  const fs::path dir(argv[1]);
  std::error_code ec;
  fs::create_directories(dir, ec);
  using gs::om::fixture::Options;
  // Small variants: the fuzzer mutates faster when seeds are a few KiB.
  const Options variants[] = {{1, false, 1, false}, {2, false, 2, true}, {3, true, 2, false}, {0, true, 1, false}};
  int i = 0;
  for (const auto& o : variants) {
    const auto path = (dir / ("seed" + std::to_string(i++) + ".om")).string();
    if (auto st = gs::om::writeFile(gs::om::fixture::makeModel(o), path); !st) {
      std::cerr << st.error().str() << "\n";
      return 1;
    }
    std::cout << path << " (" << fs::file_size(path) << " bytes)\n";
  }
  return 0;
}
