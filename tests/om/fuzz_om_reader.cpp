// libFuzzer target for the .om reader (scripts/fuzz-om.sh builds and runs it with clang).
// Properties: deserialize() never crashes, reads out of bounds or allocates without bound; a model
// it accepts passes validate() and ir::verify(), can be viewed as JSON and text, every constant
// lies inside the input, and writing it again gives bytes that read back to the same model.
// Each input is read twice: as is, and with its checksums recomputed, so that mutations also reach
// the protobuf and model checks behind the CRCs instead of stopping at the first mismatch.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "core/om/om_file.h"
#include "core/om/om_json.h"
#include "om_bytes.h"

namespace {

// Exactly-sized copy of the input so AddressSanitizer sees any read past its end.
class InputBuffer final : public gs::ir::Buffer {
public:
  InputBuffer(const uint8_t* data, std::size_t size) : m_size(size), m_data(new std::byte[size ? size : 1]) {
    if (size) std::memcpy(m_data.get(), data, size);
  }
  const std::byte* data() const override { return m_data.get(); }
  std::size_t size() const override { return m_size; }

private:
  std::size_t m_size;
  std::unique_ptr<std::byte[]> m_data;
};

volatile unsigned g_sink = 0;

// A violated property: say which, then abort so that libFuzzer records the input.
#define OM_FUZZ_CHECK(cond)                                                                                            \
  do {                                                                                                                 \
    if (!(cond)) {                                                                                                     \
      std::fprintf(stderr, "property violated: %s (line %d)\n", #cond, __LINE__);                                      \
      std::abort();                                                                                                    \
    }                                                                                                                  \
  } while (0)

void readOnce(const std::string& input) {
  auto buffer = std::make_shared<InputBuffer>(reinterpret_cast<const uint8_t*>(input.data()), input.size());
  auto model = gs::om::deserialize(buffer);
  if (!model) {
    OM_FUZZ_CHECK(model.error().code == gs::codes::kFormat && !model.error().message.empty());
    return;
  }
  OM_FUZZ_CHECK(gs::om::validate(*model).has_value());
  unsigned sum = 0;
  for (const auto& g : model->gears) {
    OM_FUZZ_CHECK(gs::ir::verify(g.graph).has_value());
    for (const auto& v : g.graph.values)
      if (v.constant && v.constant->data()) {
        const auto* p = v.constant->data();
        OM_FUZZ_CHECK(p >= buffer->data() && p + v.constant->byteSize() <= buffer->data() + buffer->size());
        for (std::size_t i = 0; i < v.constant->byteSize(); ++i)
          sum += std::to_integer<unsigned>(p[i]);
      }
  }
  if (model->dynamic) OM_FUZZ_CHECK(gs::ir::verify(model->dynamic->graph).has_value());
  (void)gs::om::toJson(*model).dump();
  (void)gs::om::infoText(*model);
  auto again = gs::om::serialize(*model);
  OM_FUZZ_CHECK(again.has_value());
  auto back = gs::om::deserialize(std::make_shared<gs::ir::StringBuffer>(*again));
  if (!back) std::fprintf(stderr, "re-read failed: %s\n", back.error().str().c_str());
  OM_FUZZ_CHECK(back.has_value());
  OM_FUZZ_CHECK(back->gears.size() == model->gears.size());
  OM_FUZZ_CHECK(back->weightBytes <= model->weightBytes); // the writer drops duplicate and unused entries
  g_sink = sum;                                           // keeps the reads of every constant byte
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);
  readOnce(input);
  gs::om::bytes::refreshChecksums(input);
  readOnce(input);
  return 0;
}
