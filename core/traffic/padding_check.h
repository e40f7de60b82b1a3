// Padding safety: for each gear, sample inputs smaller than the gear are run padded into it (and
// cropped) and, as the reference, at their exact shape on the dynamic graph; the maximum error per gear
// and output says whether padding changes results. Outputs the crop map marks unsafe (global pooling,
// normalisation or attention over a padded dim) are compared over the region both runs have.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/common/progress.h"
#include "core/common/status.h"
#include "core/runtime/dispatch.h"

namespace gs::traffic {

struct PaddingCheckRow {
  int gear = -1;
  std::string gearShapes;   // "x:1,3,48,320"
  std::string sampleShapes; // the padded request
  std::string output;
  double maxAbsError = 0;
  double maxRelError = 0; // relative to the reference's largest magnitude
  bool flagged = false;   // the crop map says padding changes this output
  std::string why;        // the crop map's reason, or a shape mismatch
  std::string edge;       // the crop map's edge note (values near the padded edge may differ)
  bool warn = false;      // flagged, or the error is above the tolerance
};

struct PaddingCheckOptions {
  int samplesPerGear = 2;
  double tolerance = 1e-4; // on maxRelError
  uint32_t seed = 1234;
};

// The dispatcher must hold a dynamic reference: a dynamic fallback graph (created in pad-or-dynamic
// mode). Errors (codes::kInvalid) otherwise.
Expected<std::vector<PaddingCheckRow>> checkPadding(runtime::Dispatcher& dispatcher, const PaddingCheckOptions& options,
                                                    const Progress& progress = {});
nlohmann::json paddingCheckJson(const std::vector<PaddingCheckRow>& rows);

} // namespace gs::traffic
