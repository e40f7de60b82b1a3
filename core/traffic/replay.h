// Trace replay: every request of a trace, in order, through a Dispatcher (exact, pad, pad-or-dynamic,
// or a dynamic-shape model with each request's own shape), timed one by one.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "core/common/progress.h"
#include "core/common/status.h"
#include "core/runtime/dispatch.h"
#include "core/runtime/profiler.h"
#include "core/traffic/trace.h"

namespace gs::traffic {

struct ReplayOptions {
  int64_t requests = 0; // 0: the whole trace once; more than the trace: it cycles
  uint32_t seed = 1234; // input data (random, one tensor set per distinct shape, made outside the timing)
  bool warmup = true;   // one untimed run per gear (and of the first request) before timing
};

struct ReplayReport {
  std::string dispatch;
  int64_t requests = 0; // timed requests (errors included)
  int64_t errors = 0;   // requests that failed (exact dispatch with no matching gear, ...)
  std::string firstError;
  double wallSeconds = 0;
  double requestsPerSec = 0;
  double usefulSamplesPerSec = 0;          // the requests' own batch rows (dim 0 of the first input) per second
  runtime::LatencyStats latency;           // per request, milliseconds (wall time of Dispatcher::run)
  double meanRunMs = 0;                    // of which inside Session::run
  double meanOverheadMs = 0;               // choosing, padding, cropping, reassembling
  double paddingWaste = 0;                 // share of computed input elements that were padding
  int64_t fallbacks = 0;                   // requests run on the dynamic fallback graph
  int64_t splits = 0;                      // requests whose batch was split
  int64_t flaggedOutputs = 0;              // outputs returned whole because padding changes them
  int64_t edgeOutputs = 0;                 // cropped outputs whose values near the padded edge may differ
  std::map<std::string, int64_t> gearHits; // "gear 3" / "dynamic" -> chunks run there
  runtime::MemoryUse memory;
  uint64_t peakRssBytes = 0;
  bool cancelled = false;
};

// Errors only for a trace that does not fit the model (input names or ranks); per-request failures
// are counted. Progress is reported every few requests; cancelling returns what was measured.
Expected<ReplayReport> replay(runtime::Dispatcher& dispatcher, const Trace& trace, const ReplayOptions& options,
                              const Progress& progress = {});

// The JSON "replay" object: requests, mean_ms, p50_ms, p90_ms, p99_ms, padding_waste, fallbacks,
// gear_hits, plus the other fields of the report.
nlohmann::json replayJson(const ReplayReport& r);

// Trace input order -> model input order (by name). Errors name a missing or extra input.
Expected<std::vector<std::size_t>> matchInputs(const Trace& trace, const std::vector<om::TensorDesc>& modelInputs);

} // namespace gs::traffic
