// Byte-level access to .om files for the corruption tests, written from docs/om-format.md (not
// from the reader's code), so the tests also check that the document matches the files.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <zlib.h>

namespace gs::om::bytes {

template <class T> T getLe(const std::string& s, std::size_t at) {
  uint64_t v = 0;
  for (std::size_t i = 0; i < sizeof(T); ++i)
    v |= static_cast<uint64_t>(static_cast<unsigned char>(s[at + i])) << (8 * i);
  return static_cast<T>(v);
}

template <class T> void putLe(std::string& s, std::size_t at, T v) {
  for (std::size_t i = 0; i < sizeof(T); ++i)
    s[at + i] = static_cast<char>((static_cast<uint64_t>(v) >> (8 * i)) & 0xff);
}

inline uint32_t crc(const std::string& s, std::size_t at, std::size_t n) {
  return static_cast<uint32_t>(crc32_z(0, reinterpret_cast<const Bytef*>(s.data() + at), n));
}

// Header fields (docs/om-format.md, "Header").
inline constexpr std::size_t kHeaderSizeAt = 12, kCountAt = 16, kEntrySizeAt = 20, kTableAt = 24, kFileSizeAt = 32,
                             kTableCrcAt = 40;

struct Entry {
  std::size_t at; // where the entry starts in the file
  uint32_t id;
  uint64_t offset;
  uint64_t size;
};

// The section table of a well-formed file.
inline std::vector<Entry> entries(const std::string& f) {
  std::vector<Entry> out;
  const auto count = getLe<uint32_t>(f, kCountAt);
  const auto esize = getLe<uint32_t>(f, kEntrySizeAt);
  const auto table = getLe<uint64_t>(f, kTableAt);
  for (uint32_t i = 0; i < count; ++i) {
    const std::size_t at = table + std::size_t{i} * esize;
    out.push_back(Entry{at, getLe<uint32_t>(f, at), getLe<uint64_t>(f, at + 8), getLe<uint64_t>(f, at + 16)});
  }
  return out;
}

inline Entry section(const std::string& f, uint32_t id) {
  for (const auto& e : entries(f))
    if (e.id == id) return e;
  return Entry{0, 0, 0, 0};
}

// Recomputes section, table and header CRCs (as far as the fields stay inside the file), so that a
// corruption reaches the checks behind the checksums.
inline void refreshChecksums(std::string& f) {
  if (f.size() < 64) return;
  const auto headerSize = getLe<uint32_t>(f, kHeaderSizeAt);
  const auto count = getLe<uint32_t>(f, kCountAt);
  const auto esize = getLe<uint32_t>(f, kEntrySizeAt);
  const auto table = getLe<uint64_t>(f, kTableAt);
  if (count <= 64 && esize >= 32 && esize <= 256 && table <= f.size() && uint64_t{count} * esize <= f.size() - table) {
    for (uint32_t i = 0; i < count; ++i) {
      const std::size_t at = table + std::size_t{i} * esize;
      const auto off = getLe<uint64_t>(f, at + 8);
      const auto size = getLe<uint64_t>(f, at + 16);
      if (off <= f.size() && size <= f.size() - off) putLe<uint32_t>(f, at + 24, crc(f, off, size));
    }
    putLe<uint32_t>(f, kTableCrcAt, crc(f, table, std::size_t{count} * esize));
  }
  if (headerSize >= 64 && headerSize <= f.size()) putLe<uint32_t>(f, headerSize - 4, crc(f, 0, headerSize - 4));
}

inline std::string sectionBytes(const std::string& f, uint32_t id) {
  const auto e = section(f, id);
  return f.substr(e.offset, e.size);
}

// A complete file from section contents, laid out as the document describes: header (64 bytes),
// table of three 32-byte entries, MODEL_DESC, GRAPHS, zero padding, 64-byte aligned WEIGHTS; format
// version `major`.`minor` (2.1: the current one).
inline std::string assemble(const std::string& desc, const std::string& graphs, const std::string& weights,
                            uint16_t major = 2, uint16_t minor = 1) {
  const std::size_t descAt = 64 + 3 * 32;
  const std::size_t graphsAt = descAt + desc.size();
  const std::size_t weightsAt = (graphsAt + graphs.size() + 63) / 64 * 64;
  std::string f(weightsAt + weights.size(), '\0');
  const char magic[8] = {'G', 'E', 'A', 'R', 'O', 'M', 0, 0};
  f.replace(0, 8, magic, 8);
  putLe<uint16_t>(f, 8, major);
  putLe<uint16_t>(f, 10, minor);
  putLe<uint32_t>(f, kHeaderSizeAt, 64);
  putLe<uint32_t>(f, kCountAt, 3);
  putLe<uint32_t>(f, kEntrySizeAt, 32);
  putLe<uint64_t>(f, kTableAt, 64);
  putLe<uint64_t>(f, kFileSizeAt, f.size());
  const std::size_t at[3] = {descAt, graphsAt, weightsAt};
  const std::size_t size[3] = {desc.size(), graphs.size(), weights.size()};
  for (uint32_t i = 0; i < 3; ++i) {
    const std::size_t e = 64 + i * 32;
    putLe<uint32_t>(f, e, i + 1);
    putLe<uint32_t>(f, e + 4, 1); // required
    putLe<uint64_t>(f, e + 8, at[i]);
    putLe<uint64_t>(f, e + 16, size[i]);
  }
  f.replace(descAt, desc.size(), desc);
  f.replace(graphsAt, graphs.size(), graphs);
  f.replace(weightsAt, weights.size(), weights);
  refreshChecksums(f);
  return f;
}

} // namespace gs::om::bytes
