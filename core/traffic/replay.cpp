// Trace replay through a Dispatcher.
#include "core/traffic/replay.h"

#include <algorithm>
#include <chrono>
#include <random>

namespace gs::traffic {
namespace {

using Clock = std::chrono::steady_clock;
double msSince(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

} // namespace

Expected<std::vector<std::size_t>> matchInputs(const Trace& trace, const std::vector<om::TensorDesc>& modelInputs) {
  std::vector<std::size_t> order;
  for (const auto& in : modelInputs) {
    const auto it = std::find(trace.inputs.begin(), trace.inputs.end(), in.name);
    if (it == trace.inputs.end())
      return makeError(codes::kInvalid, "the trace gives no shape for model input '" + in.name + "'");
    order.push_back(static_cast<std::size_t>(it - trace.inputs.begin()));
  }
  for (const auto& name : trace.inputs)
    if (std::none_of(modelInputs.begin(), modelInputs.end(), [&](const om::TensorDesc& d) { return d.name == name; }))
      return makeError(codes::kInvalid, "the trace names '" + name + "', which is not a model input");
  if (!trace.requests.empty())
    for (std::size_t i = 0; i < order.size(); ++i)
      if (modelInputs[i].dims.size() != trace.requests.front().dims[order[i]].size())
        return makeError(codes::kInvalid, "input '" + modelInputs[i].name + "' has rank " +
                                              std::to_string(modelInputs[i].dims.size()) +
                                              " but the trace gives rank " +
                                              std::to_string(trace.requests.front().dims[order[i]].size()));
  return order;
}

Expected<ReplayReport> replay(runtime::Dispatcher& dispatcher, const Trace& trace, const ReplayOptions& options,
                              const Progress& progress) {
  auto& session = dispatcher.session();
  const auto descs = session.inputDescs(session.isDynamic() ? -1 : 0);
  GS_ASSIGN_OR_RETURN(auto order, matchInputs(trace, descs));
  const int64_t length = options.requests > 0 ? options.requests : trace.totalRequests();
  if (length > kMaxReplayRequests)
    return makeError(codes::kInvalid, "the replay would run " + std::to_string(length) + " requests, over " +
                                          std::to_string(kMaxReplayRequests) + "; replay a prefix (--requests=N)");
  const auto sequence = replayOrder(trace, options.requests);

  // Input tensors per distinct shape set, made before each request's clock starts and kept while
  // they fit a byte budget (a trace of a thousand widths would otherwise hold them all).
  constexpr std::size_t kCacheBytes = std::size_t{256} << 20;
  std::map<std::vector<std::vector<int64_t>>, std::vector<runtime::HostTensor>> cache;
  std::size_t cachedBytes = 0;
  std::vector<runtime::HostTensor> scratch;
  std::mt19937 rng(options.seed);
  auto inputsFor = [&](std::size_t idx) -> const std::vector<runtime::HostTensor>& {
    std::vector<std::vector<int64_t>> dims;
    for (std::size_t i = 0; i < order.size(); ++i)
      dims.push_back(trace.requests[idx].dims[order[i]]);
    if (auto it = cache.find(dims); it != cache.end()) return it->second;
    std::vector<runtime::HostTensor> t;
    std::size_t bytes = 0;
    for (std::size_t i = 0; i < dims.size(); ++i) {
      t.push_back(runtime::randomTensor(descs[i].dtype, dims[i], rng));
      bytes += t.back().byteSize();
    }
    if (cachedBytes + bytes <= kCacheBytes) {
      cachedBytes += bytes;
      return cache.emplace(std::move(dims), std::move(t)).first->second;
    }
    scratch = std::move(t);
    return scratch;
  };

  ReplayReport r;
  r.dispatch = session.isDynamic() ? "dynamic" : std::string(runtime::dispatchModeName(dispatcher.options().mode));
  if (options.warmup && !sequence.empty()) {
    for (int g = 0; g < session.gearCount(); ++g) {
      std::vector<runtime::HostTensor> t;
      for (const auto& d : session.inputDescs(g))
        t.push_back(runtime::randomTensor(d.dtype, d.dims, rng));
      (void)dispatcher.run(t);
    }
    (void)dispatcher.run(inputsFor(sequence.front()));
  }

  std::vector<double> millis;
  millis.reserve(sequence.size());
  double run = 0, overhead = 0;
  int64_t useful = 0, computed = 0, samples = 0;
  const auto wall0 = Clock::now();
  for (std::size_t k = 0; k < sequence.size(); ++k) {
    if (progress.cancelled()) {
      r.cancelled = true;
      break;
    }
    const auto& inputs = inputsFor(sequence[k]);
    const auto t0 = Clock::now();
    auto res = dispatcher.run(inputs);
    millis.push_back(msSince(t0));
    ++r.requests;
    if (!res) {
      ++r.errors;
      if (r.firstError.empty()) r.firstError = res.error().str();
      continue;
    }
    run += res->runMillis;
    overhead += res->overheadMillis;
    useful += res->usefulElements;
    computed += res->computedElements;
    samples += inputs.empty() || inputs[0].dims().empty() ? 1 : inputs[0].dims()[0];
    if (res->plan.fallback) {
      ++r.fallbacks;
      ++r.gearHits["dynamic"];
    }
    for (auto g : res->plan.gears)
      ++r.gearHits["gear " + std::to_string(g)];
    r.splits += res->plan.split ? 1 : 0;
    for (const auto& f : res->flags)
      r.flaggedOutputs += f.empty() ? 0 : 1;
    for (const auto& f : res->notes)
      r.edgeOutputs += f.empty() ? 0 : 1;
    if ((k + 1) % 16 == 0 || k + 1 == sequence.size())
      progress(static_cast<double>(k + 1) / static_cast<double>(sequence.size()),
               "request " + std::to_string(k + 1) + "/" + std::to_string(sequence.size()));
  }
  r.wallSeconds = std::chrono::duration<double>(Clock::now() - wall0).count();
  r.latency = runtime::latencyStats(millis);
  const auto ok = static_cast<double>(std::max<int64_t>(1, r.requests - r.errors));
  r.meanRunMs = run / ok;
  r.meanOverheadMs = overhead / ok;
  r.requestsPerSec = r.wallSeconds > 0 ? static_cast<double>(r.requests) / r.wallSeconds : 0;
  r.usefulSamplesPerSec = r.wallSeconds > 0 ? static_cast<double>(samples) / r.wallSeconds : 0;
  r.paddingWaste = computed > 0 ? 1.0 - static_cast<double>(useful) / static_cast<double>(computed) : 0;
  r.memory = dispatcher.memory();
  r.peakRssBytes = runtime::peakResidentBytes();
  return r;
}

nlohmann::json replayJson(const ReplayReport& r) {
  nlohmann::json hits = nlohmann::json::object();
  for (const auto& [k, v] : r.gearHits)
    hits[k] = v;
  return {{"dispatch", r.dispatch},
          {"requests", r.requests},
          {"errors", r.errors},
          {"first_error", r.firstError},
          {"wall_s", r.wallSeconds},
          {"requests_per_s", r.requestsPerSec},
          {"useful_samples_per_s", r.usefulSamplesPerSec},
          {"mean_ms", r.latency.mean},
          {"p50_ms", r.latency.median},
          {"p90_ms", r.latency.p90},
          {"p99_ms", r.latency.p99},
          {"min_ms", r.latency.min},
          {"max_ms", r.latency.max},
          {"mean_run_ms", r.meanRunMs},
          {"mean_overhead_ms", r.meanOverheadMs},
          {"overhead_pct", r.meanRunMs > 0 ? 100.0 * r.meanOverheadMs / r.meanRunMs : 0.0},
          {"padding_waste", r.paddingWaste},
          {"fallbacks", r.fallbacks},
          {"splits", r.splits},
          {"flagged_outputs", r.flaggedOutputs},
          {"edge_outputs", r.edgeOutputs},
          {"gear_hits", hits},
          {"arena_bytes", r.memory.arenaBytes},
          {"workspace_bytes", r.memory.workspaceBytes},
          {"dynamic_bytes", r.memory.dynamicBytes},
          {"peak_rss_bytes", r.peakRssBytes},
          {"cancelled", r.cancelled}};
}

} // namespace gs::traffic
