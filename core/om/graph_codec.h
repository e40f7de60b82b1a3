// Conversion between ir::Graph / ir::Tensor and their protobuf form in the GRAPHS section, and the
// pool that stores each distinct constant once in the WEIGHTS section. Internal to gs_om.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "core/common/status.h"
#include "core/ir/graph.h"
#include "core/om/om.pb.h"

namespace gs::om::detail {

// Distinct constant bytes, laid out 64-byte aligned. Identical bytes are stored once whether they
// come from the same buffer (the usual case: gears share storage) or from separate copies (found
// by content: CRC-32 and size as the hash, then a full compare).
class WeightPool {
public:
  struct Chunk {
    const std::byte* data = nullptr; // borrowed from the model being written
    uint64_t size = 0;
    uint64_t offset = 0; // from the start of the WEIGHTS section
  };

  // The id of the weight holding these bytes (adding them when new).
  uint32_t add(const std::shared_ptr<const ir::Buffer>& buffer, const std::byte* data, uint64_t size);

  const std::vector<Chunk>& chunks() const { return m_chunks; }
  uint64_t sectionSize() const { return m_end; }
  uint64_t distinctBytes() const { return m_distinct; }

private:
  std::map<std::tuple<const ir::Buffer*, const std::byte*, uint64_t>, uint32_t> m_byLocation;
  std::unordered_multimap<uint64_t, uint32_t> m_byContent; // (crc << 32 ^ size) -> weight id
  std::vector<Chunk> m_chunks;
  uint64_t m_end = 0;
  uint64_t m_distinct = 0;
};

// Where decoded constants point: the whole file buffer and the WEIGHTS section inside it.
struct WeightTable {
  std::shared_ptr<const ir::Buffer> file;
  uint64_t sectionOffset = 0;
  uint64_t sectionSize = 0;
  std::vector<pb::WeightEntry> entries; // each checked to lie inside the section
};

// The model must have passed validate(): every tensor is backed by enough bytes.
void encodeGraph(const ir::Graph& g, WeightPool& pool, pb::Graph* out);
void encodeTensor(const ir::Tensor& t, WeightPool& pool, bool allowInline, pb::Tensor* out);

// Decoding checks what it needs to build the IR safely (ids, dtypes, kinds, weight references and
// their sizes, nesting depth); validate() checks the rest afterwards. Errors are codes::kFormat.
Expected<ir::Graph> decodeGraph(const pb::Graph& pg, const WeightTable& weights, int depth, const std::string& where);
Expected<ir::Tensor> decodeTensor(const pb::Tensor& pt, const WeightTable& weights, bool allowInline,
                                  const std::string& where);
Expected<ir::DataType> decodeDtype(int32_t value, const std::string& where);

} // namespace gs::om::detail
