// What the studio tells the user about strategies and gears: the trade-off of each strategy, gear
// presets, and hints about a configuration (gear counts, sizes that are not multiples of 16).
#include <algorithm>
#include <array>

#include "core/compiler/shape_config/shape_config.h"
#include "core/compiler/shape_config/shape_parse.h"

namespace gs::shape_config {
namespace {

constexpr std::array<GearPreset, 6> kPresets = {{
    {"batch_pow2", Strategy::DynamicBatch, "1,2,4,8,16", "batch sizes 1 to 16 in powers of two"},
    {"batch_cv", Strategy::DynamicBatch, "1,8,16", "CV networks: single images plus batches of 8 and 16"},
    {"image_ocr_det", Strategy::DynamicImageSize, "320,320;640,640;960,960",
     "OCR detection: square images, sides multiples of 16"},
    {"dims_ocr_rec_width", Strategy::DynamicDims, "320;640;960;1280",
     "OCR recognition: line-image widths (one -1), multiples of 16"},
    {"dims_seq_len", Strategy::DynamicDims, "64;128;256;512", "NLP: sequence lengths (one -1), multiples of 16"},
    {"dims_batch_seq", Strategy::DynamicDims, "1,128;1,512;8,128;8,512", "NLP: batch and sequence length (two -1)"},
}};

// The product of a gear's values: which gear needs the most memory.
int64_t gearSize(const std::vector<int64_t>& g) {
  int64_t p = 1;
  for (auto v : g)
    p *= v;
  return p;
}

} // namespace

std::string describeStrategy(Strategy s) {
  switch (s) {
  case Strategy::Static:
    return "Static shape: one fully static graph, compiled once with every optimisation and prepared once "
           "before the first run. Fastest and most stable at run time; inputs must have exactly the configured "
           "shape. Use it when input sizes never change.";
  case Strategy::DynamicBatch:
    return "Dynamic batch (multi-gear): one static graph per batch size, weights shared. As fast as static at "
           "run time, but an input must match a gear exactly. Activation memory follows the largest gear and "
           "compile time grows with the number of gears. For CV networks, batch gears such as 8 or 16.";
  case Strategy::DynamicImageSize:
    return "Dynamic image size (multi-gear): one static graph per height,width pair, weights shared. As fast as "
           "static at run time, but an image must match a gear exactly. Activation memory follows the largest "
           "gear and compile time grows with the number of gears. For OCR, sizes that are multiples of 16.";
  case Strategy::DynamicDims:
    return "Dynamic dims (multi-gear): one static graph per set of values for the -1 dims, weights shared. As "
           "fast as static at run time, but inputs must match a gear exactly. Activation memory follows the "
           "largest gear and compile time grows with the number of gears: 3-4 gears are recommended; for "
           "OCR/NLP, sizes that are multiples of 16.";
  case Strategy::DynamicShape:
    return "Dynamic shape: symbolic dims with ranges; shapes are resolved at every run and operators are "
           "scheduled one by one, with fewer optimisations and no plan prepared ahead. Accepts any size in range "
           "but is the slowest and least stable; prefer gears when the sizes can be enumerated.";
  }
  return {};
}

std::span<const GearPreset> gearPresets() { return kPresets; }

std::vector<std::vector<int64_t>> presetGears(std::string_view name) {
  for (const auto& p : kPresets)
    if (p.name == name || p.gears == name) {
      auto gears = detail::parseGears(p.strategy, p.gears);
      return gears ? *gears : std::vector<std::vector<int64_t>>{};
    }
  return {};
}

std::vector<std::string> adviseGears(const ShapeConfig& c) {
  std::vector<std::string> hints;
  if (!isGearStrategy(c.strategy) || c.gears.empty()) return hints;
  const auto n = c.gears.size();
  if (c.strategy == Strategy::DynamicDims && n > 4)
    hints.push_back(std::to_string(n) +
                    " gears for --dynamic_dims: 3-4 are recommended; every gear is compiled as its own graph.");
  else if (n > 8)
    hints.push_back(std::to_string(n) + " gears: every gear is compiled as its own graph, so compile time and "
                                        "the .om size grow with the count.");
  if (c.strategy != Strategy::DynamicBatch) {
    std::vector<int64_t> odd;
    for (const auto& g : c.gears)
      for (auto v : g)
        if (v > 16 && v % 16 != 0 && std::find(odd.begin(), odd.end(), v) == odd.end()) odd.push_back(v);
    if (!odd.empty())
      hints.push_back("Sizes " + detail::joinGear(odd) +
                      " are not multiples of 16; OCR and NLP models run best with multiples of 16.");
  }
  const auto largest = std::max_element(c.gears.begin(), c.gears.end(),
                                        [](const auto& a, const auto& b) { return gearSize(a) < gearSize(b); });
  hints.push_back("Activation memory is sized by the largest gear [" + detail::joinGear(*largest) + "] (gear " +
                  std::to_string(largest - c.gears.begin()) + ").");
  return hints;
}

} // namespace gs::shape_config
