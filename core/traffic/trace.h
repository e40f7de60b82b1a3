// Shape traces: the input shapes a service saw (or might see), one request per entry, in arrival
// order. Read from CSV or JSON lines (format: docs/traces.md), from a folder of .npy files or of
// images, or generated from distributions (trace_generate.h). Readers treat files as hostile: a bad
// line is an error naming the file and line number.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/status.h"

namespace gs::traffic {

struct Request {
  std::vector<std::vector<int64_t>> dims; // per trace input, in Trace::inputs order
  int64_t count = 1;                      // the same shapes arriving `count` times in a row
  bool operator==(const Request&) const = default;
};

struct Trace {
  std::vector<std::string> inputs; // input names, in the order of the first entry
  std::vector<Request> requests;

  // Requests with counts expanded.
  int64_t totalRequests() const;
  bool operator==(const Trace&) const = default;
};

// Bounds every reader enforces (a dim above kMaxDim or a count above kMaxCount is a typo, not traffic).
inline constexpr int64_t kMaxDim = 1 << 20;
inline constexpr int64_t kMaxCount = 1'000'000'000;
inline constexpr int64_t kMaxEntries = 10'000'000;        // distinct consecutive entries (repeats merge into counts)
inline constexpr uint64_t kMaxFileBytes = 512u << 20;     // a trace file is read whole
inline constexpr int64_t kMaxReplayRequests = 10'000'000; // one replay keeps a latency per request

// "x:1,3,48,320;y:1,4" (ATC --input_shape syntax, every dim a positive number) -> names and dims.
// Errors (codes::kInvalid) say what is wrong with the text; callers add the line.
struct NamedShape {
  std::string name;
  std::vector<int64_t> dims;
};
// allowUnknown: -1 is accepted as a dim (shape templates: "x:1,3,48,-1").
Expected<std::vector<NamedShape>> parseShapes(std::string_view text, bool allowUnknown = false);
std::string formatShapes(const std::vector<std::string>& names, const std::vector<std::vector<int64_t>>& dims);

// Consecutive entries with equal shapes are merged into one entry with the summed count.
// CSV: one request per line, `SHAPES` or `"SHAPES",COUNT` (or SHAPES<TAB>COUNT); '#' comments, blank
// lines and a first header line `input_shape,count` are skipped.
Expected<Trace> parseCsv(std::string_view text, const std::string& where = "trace");
// JSON lines: {"shapes": {"x": [1,3,48,320]}, "count": 2} or {"input_shape": "x:1,3,48,320"}.
Expected<Trace> parseJsonLines(std::string_view text, const std::string& where = "trace");
// By extension: .jsonl / .ndjson / .json are JSON lines, anything else CSV. Errors name the path.
Expected<Trace> readTrace(const std::string& path);
std::string toCsv(const Trace& t);
Status writeTrace(const Trace& t, const std::string& path); // CSV, or JSON lines for .jsonl/.ndjson

// The request sequence to replay: counts expanded, the first n requests (cycling through the trace when
// n exceeds it; n <= 0: the whole trace once). Values are indices into trace.requests.
std::vector<std::size_t> replayOrder(const Trace& t, int64_t n = 0);

} // namespace gs::traffic
