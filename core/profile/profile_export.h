// Text exports of a profile: CSV (one row per gear per strategy) and a Markdown report with a table
// per section and links to chart images that the caller writes next to it.
#pragma once

#include <map>
#include <string>

#include "core/profile/profile_types.h"
#include "core/profile/run_history.h"

namespace gs::profile {

// Header plus one row per profiled gear (section "profile") and per strategy and gear (section
// "comparison"). Either pointer may be null.
std::string toCsv(const ProfileReport* report, const StrategyComparison* comparison);

// Chart ids the report places images for: latency, throughput, memory, histogram, timeseries,
// operators, strategy_latency, strategy_memory, strategy_compile, strategy_size, precision_matrix.
using ReportImages = std::map<std::string, std::string>; // chart id -> relative file path

// A Markdown report. Any pointer may be null; images with unknown ids are listed at the end.
std::string toMarkdown(const ProfileReport* report, const StrategyComparison* comparison, const RunComparison* runDelta,
                       const ReportImages& images);
// The same with the precision x gear matrix (core/profile/precision_matrix.h) as a section after the
// strategy comparison, with the chart id "precision_matrix". Its CSV is precisionMatrixCsv().
struct PrecisionMatrix;
std::string toMarkdown(const ProfileReport* report, const StrategyComparison* comparison, const RunComparison* runDelta,
                       const PrecisionMatrix* matrix, const ReportImages& images);

// "12.3 MiB" (binary units).
std::string humanBytes(uint64_t bytes);

} // namespace gs::profile
