// The binary container of a .om file: fixed little-endian header, section table, per-section CRC-32.
// docs/om-format.md describes every byte; the constants here are the format, so changing one means
// a new format version. parseContainer() checks everything the container promises before any
// section is looked at, so a caller only ever sees in-bounds, checksum-verified, non-overlapping
// sections.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/status.h"

namespace gs::om::format {

inline constexpr std::array<char, 8> kMagic{'G', 'E', 'A', 'R', 'O', 'M', '\0', '\0'};
// Format history: 1 = fusions as gs_* attributes on ONNX ops; 2 = fusions and channels-last ops as
// ai.gearstudio ops (core/ir/gs_ops.h). This reader reads 1 (translating it, core/om/upgrade.h) and 2.
inline constexpr uint16_t kVersionMajor = 2; // a reader rejects files with a newer major
inline constexpr uint16_t kVersionMinor = 1; // newer minors only add what older readers may ignore
inline constexpr uint16_t kOldestReadableMajor = 1;

inline constexpr uint32_t kHeaderSize = 64; // written by this version; readers accept larger
inline constexpr uint32_t kEntrySize = 32;  // one section table entry; readers accept larger
inline constexpr uint32_t kMaxHeaderSize = 4096;
inline constexpr uint32_t kMaxEntrySize = 256;
inline constexpr uint32_t kMaxSections = 64;
inline constexpr uint64_t kAlignment = 64; // WEIGHTS section start and every weight in it

inline constexpr uint32_t kFlagRequired = 1u; // section flag: a reader that lacks the id must fail

enum SectionId : uint32_t { kModelDesc = 1, kGraphs = 2, kWeights = 3 };

// Limits a reader enforces so that a hostile file cannot make it allocate or recurse without bound.
inline constexpr uint64_t kMaxModelDescBytes = uint64_t{16} << 20; // 16 MiB
inline constexpr uint64_t kMaxGraphsBytes = uint64_t{256} << 20;   // 256 MiB of plans
inline constexpr int kMaxSubgraphDepth = 32;                       // If/Loop bodies nested this deep
inline constexpr int kMaxProtoRecursion = 3 * kMaxSubgraphDepth + 16;
inline constexpr std::size_t kMaxNameBytes = std::size_t{64} << 10; // value/node/op/attribute names
inline constexpr std::size_t kMaxTextBytes = std::size_t{16} << 20; // metadata and string attributes
inline constexpr int64_t kMaxElements = int64_t{1} << 48;           // elements of one tensor
inline constexpr uint64_t kMaxArenaBytes = uint64_t{1} << 44;       // 16 TiB: anything above is corrupt
inline constexpr std::size_t kInlineTensorBytes = 256; // attribute tensors up to this size are stored inline

struct Header {
  uint16_t major = kVersionMajor;
  uint16_t minor = kVersionMinor;
  uint32_t headerSize = kHeaderSize;
  uint32_t sectionCount = 0;
  uint32_t flags = 0;
  uint64_t tableOffset = 0;
  uint64_t fileSize = 0;
  uint32_t tableCrc = 0;
  uint32_t entrySize = kEntrySize;
};

struct SectionEntry {
  uint32_t id = 0;
  uint32_t flags = 0;
  uint64_t offset = 0;
  uint64_t size = 0;
  uint32_t crc = 0;
};

// A checked view of a file's container.
struct Layout {
  Header header;
  std::vector<SectionEntry> sections; // in table order
  const SectionEntry* find(uint32_t id) const;
};

// "MODEL_DESC", "GRAPHS", "WEIGHTS", or "section #<id>".
std::string sectionName(uint32_t id);

// CRC-32 (zlib) of any length.
uint32_t crc32(const std::byte* data, std::size_t size, uint32_t seed = 0);

// Header and table bytes as written (header.tableCrc and the header CRC are filled in here).
std::string encodeHeaderAndTable(Header header, const std::vector<SectionEntry>& sections);

// Checks magic, version, header/table bounds and CRCs, file size, section bounds, overlap,
// duplicate ids, unknown required sections and every section's CRC. Errors are codes::kFormat.
Expected<Layout> parseContainer(const std::byte* data, std::size_t size);

} // namespace gs::om::format
