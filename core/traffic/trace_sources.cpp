// Traces from folders of .npy files and images. Image headers are parsed here (a few dozen lines per
// format) rather than through an image library: only the size is needed, and no pixel data is read.
#include "core/traffic/trace_sources.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "core/runtime/npy.h"

namespace fs = std::filesystem;

namespace gs::traffic {
namespace {

constexpr std::size_t kMaxHeaderRead = 64u << 20; // JPEG APPn segments can precede SOF by a lot

Expected<std::string> readPrefix(const std::string& path, std::size_t limit) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return makeError(codes::kIo, "cannot open '" + path + "'");
  std::string out;
  char buf[1 << 16];
  while (out.size() < limit && f) {
    f.read(buf, static_cast<std::streamsize>(std::min(sizeof buf, limit - out.size())));
    out.append(buf, static_cast<std::size_t>(f.gcount()));
  }
  if (f.bad()) return makeError(codes::kIo, "error while reading '" + path + "'");
  return out;
}

uint32_t be32(const unsigned char* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}
uint32_t be16(const unsigned char* p) { return (uint32_t{p[0]} << 8) | p[1]; }
uint32_t le16(const unsigned char* p) { return (uint32_t{p[1]} << 8) | p[0]; }
int32_t le32s(const unsigned char* p) {
  return static_cast<int32_t>((uint32_t{p[3]} << 24) | (uint32_t{p[2]} << 16) | (uint32_t{p[1]} << 8) | p[0]);
}

Error bad(const std::string& m) { return Error{codes::kFormat, m}; }

Expected<ImageSize> checked(int64_t w, int64_t h, const char* format) {
  if (w < 1 || h < 1 || w > kMaxDim || h > kMaxDim)
    return std::unexpected(
        bad(std::string(format) + " header gives an impossible size " + std::to_string(w) + "x" + std::to_string(h)));
  return ImageSize{w, h};
}

Expected<ImageSize> jpegSize(const unsigned char* p, std::size_t n) {
  std::size_t i = 2;
  while (i + 4 <= n) {
    if (p[i] != 0xFF) return std::unexpected(bad("JPEG: expected a marker at byte " + std::to_string(i)));
    while (i < n && p[i] == 0xFF) // fill bytes
      ++i;
    if (i >= n) break;
    const unsigned char m = p[i++];
    if (m == 0xD8 || m == 0x01 || (m >= 0xD0 && m <= 0xD7)) continue; // no length
    if (m == 0xD9 || m == 0xDA) return std::unexpected(bad("JPEG: no frame header (SOFn) before the image data"));
    if (i + 2 > n) break;
    const std::size_t len = be16(p + i);
    if (len < 2) return std::unexpected(bad("JPEG: a segment length below 2"));
    const bool sof = m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
    if (sof) {
      if (len < 7 || i + 7 > n) break;
      const auto h = static_cast<int64_t>(be16(p + i + 3));
      const auto w = static_cast<int64_t>(be16(p + i + 5));
      if (h == 0) return std::unexpected(bad("JPEG: the height is given later (DNL marker), not supported"));
      return checked(w, h, "JPEG");
    }
    i += len;
  }
  return std::unexpected(bad("JPEG: truncated before the frame header"));
}

} // namespace

Expected<ImageSize> imageSizeFromBytes(const void* data, std::size_t n) {
  const auto* p = static_cast<const unsigned char*>(data);
  static constexpr unsigned char kPng[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  if (n >= 8 && std::equal(kPng, kPng + 8, p)) {
    if (n < 24 || be32(p + 8) != 13 || std::string(reinterpret_cast<const char*>(p + 12), 4) != "IHDR")
      return std::unexpected(bad("PNG: the first chunk is not a 13-byte IHDR"));
    return checked(be32(p + 16), be32(p + 20), "PNG");
  }
  if (n >= 3 && p[0] == 0xFF && p[1] == 0xD8 && p[2] == 0xFF) return jpegSize(p, n);
  if (n >= 26 && p[0] == 'B' && p[1] == 'M') {
    const int32_t w = le32s(p + 18), h = le32s(p + 22);
    return checked(w, h == INT32_MIN ? 0 : std::abs(h), "BMP"); // negative height: top-down rows
  }
  if (n >= 10 && (std::string(reinterpret_cast<const char*>(p), 6) == "GIF87a" ||
                  std::string(reinterpret_cast<const char*>(p), 6) == "GIF89a"))
    return checked(le16(p + 6), le16(p + 8), "GIF");
  return std::unexpected(bad("not a PNG, JPEG, BMP or GIF file"));
}

Expected<ImageSize> readImageSize(const std::string& path) {
  GS_ASSIGN_OR_RETURN(auto bytes, readPrefix(path, kMaxHeaderRead));
  auto s = imageSizeFromBytes(bytes.data(), bytes.size());
  if (!s) return std::unexpected(withContext(s.error(), "'" + path + "'"));
  return s;
}

Expected<ResizeRule> parseResizeRule(const std::string& text) {
  ResizeRule r;
  if (text.empty() || text == "keep") return r;
  std::size_t start = 0;
  bool kindSet = false;
  auto setKind = [&](ResizeRule::Kind k) -> Status {
    if (kindSet)
      return makeError(codes::kInvalid, "resize rule '" + text + "': give one of height, width, fixed, long");
    kindSet = true;
    r.kind = k;
    return ok();
  };
  while (start <= text.size()) {
    auto end = std::min(text.find(',', start), text.size());
    const auto item = text.substr(start, end - start);
    start = end + 1;
    const auto eq = item.find('=');
    if (eq == std::string::npos)
      return makeError(codes::kInvalid, "resize rule '" + text + "': '" + item + "' is not key=value");
    const auto key = item.substr(0, eq), value = item.substr(eq + 1);
    auto num = [&](const std::string& v) -> Expected<int64_t> {
      int64_t x = 0;
      try {
        std::size_t used = 0;
        x = std::stoll(v, &used);
        if (used != v.size()) throw std::invalid_argument(v);
      } catch (...) {
        return makeError(codes::kInvalid, "resize rule: '" + key + "=" + v + "' is not a number");
      }
      if (x < 1 || x > kMaxDim)
        return makeError(codes::kInvalid, "resize rule: " + key + " must be in 1.." + std::to_string(kMaxDim));
      return x;
    };
    if (key == "height") {
      GS_RETURN_IF_ERROR(setKind(ResizeRule::Kind::FixedHeight));
      GS_ASSIGN_OR_RETURN(r.height, num(value));
    } else if (key == "width") {
      GS_RETURN_IF_ERROR(setKind(ResizeRule::Kind::FixedWidth));
      GS_ASSIGN_OR_RETURN(r.width, num(value));
    } else if (key == "long") {
      GS_RETURN_IF_ERROR(setKind(ResizeRule::Kind::LongSide));
      GS_ASSIGN_OR_RETURN(r.longSide, num(value));
    } else if (key == "fixed") {
      GS_RETURN_IF_ERROR(setKind(ResizeRule::Kind::Fixed));
      const auto x = value.find('x');
      if (x == std::string::npos) return makeError(codes::kInvalid, "resize rule: fixed=HxW, e.g. fixed=48x320");
      GS_ASSIGN_OR_RETURN(r.height, num(value.substr(0, x)));
      GS_ASSIGN_OR_RETURN(r.width, num(value.substr(x + 1)));
    } else if (key == "max_width") {
      GS_ASSIGN_OR_RETURN(r.maxWidth, num(value));
    } else if (key == "max_height") {
      GS_ASSIGN_OR_RETURN(r.maxHeight, num(value));
    } else if (key == "multiple") {
      GS_ASSIGN_OR_RETURN(r.multiple, num(value));
    } else {
      return makeError(codes::kInvalid, "resize rule: unknown key '" + key +
                                            "' (height, width, fixed, long, max_width, max_height, multiple)");
    }
  }
  return r;
}

ImageSize applyResize(const ResizeRule& r, ImageSize in) {
  auto scaled = [](int64_t side, int64_t num, int64_t den) {
    return std::max<int64_t>(1, static_cast<int64_t>(std::llround(static_cast<double>(side) * static_cast<double>(num) /
                                                                  static_cast<double>(den))));
  };
  ImageSize out = in;
  switch (r.kind) {
  case ResizeRule::Kind::Keep:
    break;
  case ResizeRule::Kind::FixedHeight:
    out = {scaled(in.width, r.height, in.height), r.height};
    break;
  case ResizeRule::Kind::FixedWidth:
    out = {r.width, scaled(in.height, r.width, in.width)};
    break;
  case ResizeRule::Kind::Fixed:
    out = {r.width, r.height};
    break;
  case ResizeRule::Kind::LongSide:
    out = in.width >= in.height ? ImageSize{r.longSide, scaled(in.height, r.longSide, in.width)}
                                : ImageSize{scaled(in.width, r.longSide, in.height), r.longSide};
    break;
  }
  auto roundUp = [&](int64_t v) { return r.multiple > 1 ? (v + r.multiple - 1) / r.multiple * r.multiple : v; };
  out.width = roundUp(out.width);
  out.height = roundUp(out.height);
  if (r.maxWidth > 0) out.width = std::min(out.width, r.maxWidth);
  if (r.maxHeight > 0) out.height = std::min(out.height, r.maxHeight);
  return out;
}

namespace {

Expected<std::vector<fs::path>> listFiles(const std::string& dir, const std::vector<std::string>& exts) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return makeError(codes::kIo, "'" + dir + "' is not a folder");
  std::vector<fs::path> files;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    auto ext = it->path().extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (std::find(exts.begin(), exts.end(), ext) != exts.end()) files.push_back(it->path());
  }
  if (ec) return makeError(codes::kIo, "cannot list '" + dir + "': " + ec.message());
  std::sort(files.begin(), files.end());
  return files;
}

} // namespace

Expected<Trace> traceFromNpyFolder(const std::string& dir, const std::string& inputName) {
  GS_ASSIGN_OR_RETURN(auto files, listFiles(dir, {".npy"}));
  if (files.empty()) return makeError(codes::kInvalid, "'" + dir + "' holds no .npy files");
  Trace t;
  t.inputs = {inputName};
  for (const auto& f : files) {
    // Only the header is read: parseHeader bounds it to 1 MiB and reads nothing past it, and is given
    // the file's real size so that it can check the data fits.
    GS_ASSIGN_OR_RETURN(auto bytes, readPrefix(f.string(), (1u << 20) + 64));
    std::error_code ec;
    const auto size = fs::file_size(f, ec);
    if (ec) return makeError(codes::kIo, "cannot stat '" + f.string() + "'");
    if (size < bytes.size()) return makeError(codes::kIo, "'" + f.string() + "' changed while it was read");
    auto h = runtime::npy::parseHeader(bytes.data(), static_cast<std::size_t>(size));
    if (!h) return std::unexpected(withContext(h.error(), "'" + f.string() + "'"));
    Request r;
    for (auto d : h->dims)
      if (d < 1 || d > kMaxDim)
        return makeError(codes::kInvalid, std::string("'") + f.string() + "': dim " + std::to_string(d) +
                                              " is outside 1.." + std::to_string(kMaxDim));
    if (!t.requests.empty() && t.requests.front().dims[0].size() != h->dims.size())
      return makeError(codes::kInvalid, "'" + f.string() + "' has rank " + std::to_string(h->dims.size()) +
                                            ", the first file has rank " +
                                            std::to_string(t.requests.front().dims[0].size()));
    r.dims = {h->dims};
    t.requests.push_back(std::move(r));
  }
  return t;
}

Expected<Trace> traceFromImageFolder(const std::string& dir, const std::string& inputName,
                                     const std::vector<int64_t>& shapeTemplate, const ResizeRule& rule) {
  std::vector<std::size_t> holes;
  for (std::size_t i = 0; i < shapeTemplate.size(); ++i)
    if (shapeTemplate[i] < 0)
      holes.push_back(i);
    else if (shapeTemplate[i] == 0 || shapeTemplate[i] > kMaxDim)
      return makeError(codes::kInvalid, "input '" + inputName + "': template dim " + std::to_string(shapeTemplate[i]) +
                                            " is outside 1.." + std::to_string(kMaxDim));
  if (holes.size() != 2)
    return makeError(codes::kInvalid,
                     "input '" + inputName + "': the shape template needs exactly two -1 dims (height, then width)");
  GS_ASSIGN_OR_RETURN(auto files, listFiles(dir, {".png", ".jpg", ".jpeg", ".bmp", ".gif"}));
  if (files.empty()) return makeError(codes::kInvalid, "'" + dir + "' holds no PNG, JPEG, BMP or GIF images");
  Trace t;
  t.inputs = {inputName};
  for (const auto& f : files) {
    GS_ASSIGN_OR_RETURN(auto size, readImageSize(f.string()));
    const auto s = applyResize(rule, size);
    auto dims = shapeTemplate;
    dims[holes[0]] = s.height;
    dims[holes[1]] = s.width;
    Request r;
    r.dims = {std::move(dims)};
    t.requests.push_back(std::move(r));
  }
  return t;
}

} // namespace gs::traffic
