// Encoding and checking of the .om container (header, section table, checksums).
#include "core/om/container.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <set>

#include <zlib.h>

namespace gs::om::format {
namespace {

// Byte offsets of the header fields (docs/om-format.md, "Header").
constexpr std::size_t kOffMagic = 0;
constexpr std::size_t kOffMajor = 8;
constexpr std::size_t kOffMinor = 10;
constexpr std::size_t kOffHeaderSize = 12;
constexpr std::size_t kOffSectionCount = 16;
constexpr std::size_t kOffEntrySize = 20;
constexpr std::size_t kOffTableOffset = 24;
constexpr std::size_t kOffFileSize = 32;
constexpr std::size_t kOffTableCrc = 40;
constexpr std::size_t kOffFlags = 44;

// Byte offsets inside one section table entry.
constexpr std::size_t kOffId = 0;
constexpr std::size_t kOffEntryFlags = 4;
constexpr std::size_t kOffOffset = 8;
constexpr std::size_t kOffSize = 16;
constexpr std::size_t kOffCrc = 24;

template <class T> void put(std::string& out, std::size_t at, T v) {
  for (std::size_t i = 0; i < sizeof(T); ++i)
    out[at + i] = static_cast<char>((static_cast<uint64_t>(v) >> (8 * i)) & 0xffu);
}

template <class T> T get(const std::byte* p) {
  uint64_t v = 0;
  for (std::size_t i = 0; i < sizeof(T); ++i)
    v |= static_cast<uint64_t>(std::to_integer<uint8_t>(p[i])) << (8 * i);
  return static_cast<T>(v);
}

Error formatError(std::string message) { return Error{codes::kFormat, std::move(message)}; }

} // namespace

const SectionEntry* Layout::find(uint32_t id) const {
  for (const auto& s : sections)
    if (s.id == id) return &s;
  return nullptr;
}

std::string sectionName(uint32_t id) {
  switch (id) {
  case kModelDesc:
    return "MODEL_DESC";
  case kGraphs:
    return "GRAPHS";
  case kWeights:
    return "WEIGHTS";
  default:
    return "section #" + std::to_string(id);
  }
}

uint32_t crc32(const std::byte* data, std::size_t size, uint32_t seed) {
  if (size == 0) return seed;
  return static_cast<uint32_t>(::crc32_z(seed, reinterpret_cast<const Bytef*>(data), size));
}

std::string encodeHeaderAndTable(Header header, const std::vector<SectionEntry>& sections) {
  header.headerSize = kHeaderSize;
  header.entrySize = kEntrySize;
  header.sectionCount = static_cast<uint32_t>(sections.size());
  std::string table(sections.size() * kEntrySize, '\0');
  for (std::size_t i = 0; i < sections.size(); ++i) {
    const auto base = i * kEntrySize;
    put<uint32_t>(table, base + kOffId, sections[i].id);
    put<uint32_t>(table, base + kOffEntryFlags, sections[i].flags);
    put<uint64_t>(table, base + kOffOffset, sections[i].offset);
    put<uint64_t>(table, base + kOffSize, sections[i].size);
    put<uint32_t>(table, base + kOffCrc, sections[i].crc);
  }
  header.tableCrc = crc32(reinterpret_cast<const std::byte*>(table.data()), table.size());

  std::string out(kHeaderSize, '\0');
  std::memcpy(out.data() + kOffMagic, kMagic.data(), kMagic.size());
  put<uint16_t>(out, kOffMajor, header.major);
  put<uint16_t>(out, kOffMinor, header.minor);
  put<uint32_t>(out, kOffHeaderSize, header.headerSize);
  put<uint32_t>(out, kOffSectionCount, header.sectionCount);
  put<uint32_t>(out, kOffEntrySize, header.entrySize);
  put<uint64_t>(out, kOffTableOffset, header.tableOffset);
  put<uint64_t>(out, kOffFileSize, header.fileSize);
  put<uint32_t>(out, kOffTableCrc, header.tableCrc);
  put<uint32_t>(out, kOffFlags, header.flags);
  const auto headerCrc = crc32(reinterpret_cast<const std::byte*>(out.data()), kHeaderSize - 4);
  put<uint32_t>(out, kHeaderSize - 4, headerCrc);
  // The table follows the header directly in files this version writes; the caller sets tableOffset.
  return out + table;
}

Expected<Layout> parseContainer(const std::byte* data, std::size_t size) {
  if (data == nullptr || size < kHeaderSize)
    return std::unexpected(formatError("file is too small to be a .om file (" + std::to_string(size) +
                                       " bytes; the header alone is " + std::to_string(kHeaderSize) + ")"));
  if (std::memcmp(data + kOffMagic, kMagic.data(), kMagic.size()) != 0)
    return std::unexpected(formatError("not a GearStudio .om file (bad magic)"));

  Layout layout;
  auto& h = layout.header;
  // Magic and version sit at fixed places in every version, so they are checked before anything
  // whose layout a newer major could have changed.
  h.major = get<uint16_t>(data + kOffMajor);
  h.minor = get<uint16_t>(data + kOffMinor);
  if (h.major < kOldestReadableMajor)
    return std::unexpected(
        formatError("invalid format version " + std::to_string(h.major) + "." + std::to_string(h.minor)));
  if (h.major > kVersionMajor)
    return std::unexpected(formatError("the file has .om format version " + std::to_string(h.major) + "." +
                                       std::to_string(h.minor) + ", newer than this reader's " +
                                       std::to_string(kVersionMajor) + "." + std::to_string(kVersionMinor) +
                                       " (files of a newer major version cannot be read; update GearStudio)"));

  h.headerSize = get<uint32_t>(data + kOffHeaderSize);
  if (h.headerSize < kHeaderSize || h.headerSize > kMaxHeaderSize || h.headerSize > size)
    return std::unexpected(formatError("invalid header size " + std::to_string(h.headerSize)));
  const auto storedHeaderCrc = get<uint32_t>(data + h.headerSize - 4);
  if (crc32(data, h.headerSize - 4) != storedHeaderCrc)
    return std::unexpected(formatError("header checksum mismatch (the header is corrupt)"));

  h.sectionCount = get<uint32_t>(data + kOffSectionCount);
  h.entrySize = get<uint32_t>(data + kOffEntrySize);
  h.tableOffset = get<uint64_t>(data + kOffTableOffset);
  h.fileSize = get<uint64_t>(data + kOffFileSize);
  h.tableCrc = get<uint32_t>(data + kOffTableCrc);
  h.flags = get<uint32_t>(data + kOffFlags);

  if (h.fileSize != size)
    return std::unexpected(formatError("file size mismatch: the header says " + std::to_string(h.fileSize) +
                                       " bytes, the file has " + std::to_string(size) +
                                       (size < h.fileSize ? " (truncated)" : "")));
  if (h.sectionCount == 0 || h.sectionCount > kMaxSections)
    return std::unexpected(formatError("invalid section count " + std::to_string(h.sectionCount)));
  if (h.entrySize < kEntrySize || h.entrySize > kMaxEntrySize)
    return std::unexpected(formatError("invalid section table entry size " + std::to_string(h.entrySize)));
  const uint64_t tableBytes = uint64_t{h.sectionCount} * h.entrySize; // both bounded: no overflow
  if (h.tableOffset < h.headerSize || h.tableOffset > size || tableBytes > size - h.tableOffset)
    return std::unexpected(formatError("section table (offset " + std::to_string(h.tableOffset) + ", " +
                                       std::to_string(tableBytes) + " bytes) lies outside the file"));
  const std::byte* table = data + h.tableOffset;
  if (crc32(table, tableBytes) != h.tableCrc)
    return std::unexpected(formatError("section table checksum mismatch (the table is corrupt)"));
  const uint64_t tableEnd = h.tableOffset + tableBytes;

  std::set<uint32_t> ids;
  for (uint32_t i = 0; i < h.sectionCount; ++i) {
    const std::byte* e = table + uint64_t{i} * h.entrySize;
    SectionEntry s;
    s.id = get<uint32_t>(e + kOffId);
    s.flags = get<uint32_t>(e + kOffEntryFlags);
    s.offset = get<uint64_t>(e + kOffOffset);
    s.size = get<uint64_t>(e + kOffSize);
    s.crc = get<uint32_t>(e + kOffCrc);
    const auto name = sectionName(s.id);
    if (!ids.insert(s.id).second) return std::unexpected(formatError("section " + name + " appears twice"));
    if (s.offset < h.headerSize || s.offset > size || s.size > size - s.offset)
      return std::unexpected(formatError("section " + name + " (offset " + std::to_string(s.offset) + ", " +
                                         std::to_string(s.size) + " bytes) lies outside the file's data area"));
    if (s.offset < tableEnd && s.offset + s.size > h.tableOffset)
      return std::unexpected(formatError("section " + name + " overlaps the section table"));
    const bool known = s.id == kModelDesc || s.id == kGraphs || s.id == kWeights;
    if (!known && (s.flags & kFlagRequired))
      return std::unexpected(
          formatError("the file needs " + name + ", which this reader does not know (written by a newer GearStudio?)"));
    layout.sections.push_back(s);
  }

  // No two sections may share bytes (a crafted table could otherwise alias weights and plans).
  std::vector<const SectionEntry*> byOffset;
  for (const auto& s : layout.sections)
    byOffset.push_back(&s);
  std::sort(byOffset.begin(), byOffset.end(),
            [](const SectionEntry* a, const SectionEntry* b) { return a->offset < b->offset; });
  for (std::size_t i = 1; i < byOffset.size(); ++i)
    if (byOffset[i - 1]->offset + byOffset[i - 1]->size > byOffset[i]->offset)
      return std::unexpected(formatError("sections " + sectionName(byOffset[i - 1]->id) + " and " +
                                         sectionName(byOffset[i]->id) + " overlap"));

  for (const auto& s : layout.sections)
    if (crc32(data + s.offset, s.size) != s.crc)
      return std::unexpected(
          formatError("checksum mismatch in section " + sectionName(s.id) + " (the file is corrupt)"));

  for (uint32_t id : {kModelDesc, kGraphs, kWeights})
    if (!layout.find(id)) return std::unexpected(formatError("the file has no " + sectionName(id) + " section"));
  if (layout.find(kWeights)->offset % kAlignment != 0)
    return std::unexpected(formatError("section WEIGHTS is not " + std::to_string(kAlignment) + "-byte aligned"));
  if (layout.find(kModelDesc)->size > kMaxModelDescBytes)
    return std::unexpected(
        formatError("section MODEL_DESC is larger than " + std::to_string(kMaxModelDescBytes) + " bytes"));
  if (layout.find(kGraphs)->size > kMaxGraphsBytes)
    return std::unexpected(formatError("section GRAPHS is larger than " + std::to_string(kMaxGraphsBytes) + " bytes"));
  return layout;
}

} // namespace gs::om::format
