// JSON forms of the profile data (nlohmann_json): what --json and the studio's "Export JSON" write,
// and what they read back. Readers validate types and report the field at fault (codes::kFormat).
#pragma once

#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/common/status.h"
#include "core/profile/profile_types.h"
#include "core/profile/run_history.h"

namespace gs::profile {

nlohmann::json toJson(const runtime::LatencyStats& s);
nlohmann::json toJson(const GearMemory& m);
nlohmann::json toJson(const MeasurementInfo& m); // the "measurement" object of every report
nlohmann::json toJson(const GearVerdict& v, const std::vector<std::string>& gearLabels);
nlohmann::json toJson(const GearProfile& g);
nlohmann::json toJson(const ProfileReport& r);
nlohmann::json toJson(const StrategyResult& s);
nlohmann::json toJson(const StrategyComparison& c);

Expected<runtime::LatencyStats> latencyFromJson(const nlohmann::json& j);
Expected<GearMemory> memoryFromJson(const nlohmann::json& j);
Expected<ProfileReport> profileReportFromJson(const nlohmann::json& j);
Expected<StrategyComparison> comparisonFromJson(const nlohmann::json& j);

// Everything the studio exports at once.
struct ProfileDocument {
  std::optional<ProfileReport> profile;
  std::optional<StrategyComparison> comparison;
  std::vector<RunRecord> history;
};
nlohmann::json toJson(const ProfileDocument& d);
Expected<ProfileDocument> documentFromJson(const nlohmann::json& j);
// Parses text (a file's contents); a syntax error is codes::kFormat with nlohmann's message.
Expected<ProfileDocument> parseDocument(const std::string& text);

} // namespace gs::profile
