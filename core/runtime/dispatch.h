// Dispatch: how a request whose shapes match no gear runs on a gear model. A layer around Session.
//   exact          Ascend's rule: the inputs must match a gear (the error lists the gears).
//   pad            the cheapest gear enclosing the inputs; inputs padded at the end of each dim with a
//                  per-input value; a batch above the largest batch gear split into chunks; outputs
//                  cropped back with the gear's crop map (.om) and chunks concatenated in order;
//                  outputs padding changes (crop map `unsafe`) or that no rule crops come back whole
//                  and flagged.
//   pad-or-dynamic as pad, and inputs outside every gear run on the .om's dynamic fallback graph.
// A dynamic-shape model runs every request as it is, whatever the mode.
#pragma once

#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/status.h"
#include "core/om/model.h"
#include "core/runtime/session.h"
#include "core/runtime/tensor.h"

namespace gs::runtime {

enum class DispatchMode { Exact, Pad, PadOrDynamic };
std::string_view dispatchModeName(DispatchMode m);
Expected<DispatchMode> parseDispatchMode(std::string_view text); // "exact", "pad", "pad-or-dynamic"

struct DispatchOptions {
  DispatchMode mode = DispatchMode::Exact;
  std::map<std::string, double> padValues; // per input name; inputs not named pad with 0
};

// Parses "--pad-value" items "name:v" (several separated by ';'), merging into `into`.
Status parsePadValues(std::string_view text, std::map<std::string, double>& into);

// How one request runs.
struct DispatchPlan {
  std::vector<int> gears;          // gear per chunk, in order (one chunk unless the batch is split)
  std::vector<int64_t> chunkBatch; // the request's batch rows in each chunk (split along dim 0)
  bool fallback = false;           // runs on the dynamic graph (gears empty)
  bool split = false;              // the batch was split
};

struct DispatchResult {
  std::vector<HostTensor> outputs; // graph output order: cropped (or whole when flagged)
  std::vector<std::string> flags;  // per output: empty, or why it was returned whole (padding changes it)
  std::vector<std::string> notes;  // per output: empty, or why values near the padded edge may differ
  DispatchPlan plan;
  int64_t usefulElements = 0;   // input elements of the request
  int64_t computedElements = 0; // input elements the gears ran on (padding included)
  double runMillis = 0;         // inside Session::run
  double overheadMillis = 0;    // choosing the gear, padding, cropping, reassembling
};

class Dispatcher {
public:
  // The fallback session (pad-or-dynamic, when the .om has a fallback graph) is created here too.
  static Expected<std::unique_ptr<Dispatcher>> create(std::shared_ptr<const om::Model> model,
                                                      const SessionOptions& sessionOptions, DispatchOptions options);
  ~Dispatcher();

  Session& session() { return *m_session; }
  const Session& session() const { return *m_session; }
  bool hasFallback() const { return m_fallback != nullptr; }
  const DispatchOptions& options() const { return m_options; }
  // Per input, the dims requests may be padded along (dims that differ between gears).
  const std::vector<std::vector<bool>>& paddedDims() const { return m_padded; }

  // The plan for inputs of these dims (graph input order). Errors (codes::kRuntime) list the gears.
  Expected<DispatchPlan> plan(std::span<const std::vector<int64_t>> dims) const;
  Expected<DispatchResult> run(std::span<const HostTensor> inputs);
  // Pads the inputs into gear `gear` (which must enclose them) and crops, whatever the mode.
  Expected<DispatchResult> runOnGear(std::span<const HostTensor> inputs, int gear);
  // Runs the inputs as they are on the dynamic fallback graph (errors when there is none).
  Expected<DispatchResult> runFallback(std::span<const HostTensor> inputs);
  // Memory of the gear session plus the fallback's.
  MemoryUse memory() const;

private:
  Dispatcher() = default;
  int cheapestEnclosing(std::span<const std::vector<int64_t>> dims, bool ignoreBatch) const;
  std::string gearList() const;
  Status runChunk(std::span<const HostTensor> inputs, int gear, int64_t row0, int64_t rows,
                  std::vector<std::vector<HostTensor>>& chunkOutputs, DispatchResult& result);

  std::shared_ptr<const om::Model> m_model;
  std::unique_ptr<Session> m_session;
  std::unique_ptr<Session> m_fallback;
  DispatchOptions m_options;
  std::vector<std::vector<bool>> m_padded;           // per input
  std::vector<double> m_padValue;                    // per input
  std::vector<double> m_gearCost;                    // per gear: flops, or input elements when unknown
  bool m_batchSplit = false;                         // dynamic_batch: requests may be split along dim 0
  std::vector<std::vector<HostTensor>> m_padBuffers; // per gear, reused
  RunResult m_runResult;
};

} // namespace gs::runtime
