// Sample folders for accuracy runs.
#include "core/profile/accuracy_inputs.h"

#include <algorithm>
#include <filesystem>

#include "core/profile/accuracy.h"
#include "core/runtime/npy.h"

namespace gs::profile {
namespace {

namespace fs = std::filesystem;

fs::path fileOf(const fs::path& dir, const om::TensorDesc& d) {
  return dir / (runtime::npy::fileStem(d.name) + ".npy");
}

// One sample folder: nullopt when its shapes are not `descs`' dims.
Expected<std::optional<Sample>> loadOne(const fs::path& dir, const std::vector<om::TensorDesc>& descs) {
  for (const auto& d : descs) {
    const auto file = fileOf(dir, d);
    std::error_code ec;
    if (!fs::is_regular_file(file, ec))
      return makeError(codes::kIo, "sample '" + dir.string() + "' has no " + file.filename().string() + " for input '" +
                                       d.name + "'");
    GS_ASSIGN_OR_RETURN(auto h, runtime::npy::readHeader(file.string()));
    if (h.dims != d.dims) return std::optional<Sample>{};
  }
  Sample s;
  for (const auto& d : descs) {
    GS_ASSIGN_OR_RETURN(auto t, runtime::npy::read(fileOf(dir, d).string()));
    if (t.dtype() != d.dtype) {
      auto c = convertFloat(t, d.dtype);
      if (!c)
        return makeError(codes::kInvalid, fileOf(dir, d).string() + " is " + std::string(ir::dtypeName(t.dtype())) +
                                              "; input '" + d.name + "' takes " + std::string(ir::dtypeName(d.dtype)));
      t = std::move(*c);
    }
    s.push_back(std::move(t));
  }
  return std::optional<Sample>(std::move(s));
}

} // namespace

bool isSampleFolder(const std::string& dir, const std::vector<om::TensorDesc>& descs) {
  std::error_code ec;
  if (dir.empty() || !fs::is_directory(dir, ec)) return false;
  if (!descs.empty() && fs::exists(fileOf(dir, descs.front()), ec)) return false;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.is_directory(ec)) return true;
  return false;
}

Expected<std::vector<Sample>> loadSamples(const std::string& dir, const std::vector<om::TensorDesc>& descs,
                                          int* skipped) {
  if (skipped) *skipped = 0;
  std::vector<Sample> out;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return makeError(codes::kIo, "'" + dir + "' is not a folder");
  std::vector<fs::path> folders;
  if (isSampleFolder(dir, descs)) {
    for (const auto& e : fs::directory_iterator(dir, ec))
      if (e.is_directory(ec)) folders.push_back(e.path());
    std::sort(folders.begin(), folders.end());
  } else {
    folders.push_back(dir);
  }
  for (const auto& f : folders) {
    GS_ASSIGN_OR_RETURN(auto s, loadOne(f, descs));
    if (s)
      out.push_back(std::move(*s));
    else if (skipped)
      ++*skipped;
  }
  return out;
}

} // namespace gs::profile
