// The memory plan of one gear's graph: the execution order is the graph's node order; every
// non-constant value with a static shape gets an offset in the one arena. A pure analysis: the
// graph is not changed.
#pragma once

#include <cstdint>
#include <vector>

#include "core/common/status.h"
#include "core/compiler/memory/allocator.h"
#include "core/ir/graph.h"

namespace gs::compiler::memory {

struct GraphMemoryPlan {
  std::vector<int64_t> offsets; // per ValueId: arena offset, -1 when not in the arena
  uint64_t arenaBytes = 0;
  uint64_t lowerBoundBytes = 0;
  int64_t planned = 0;       // values placed in the arena
  int64_t dataDependent = 0; // non-constant values left out because their shape is not static
};

// Lifetimes over the node order: graph inputs are live from step 0, graph outputs to the last step,
// a value read by a subgraph (outer scope) up to the node that owns the subgraph. Values whose size
// is not known (non-static shape, string or undefined dtype) get offset -1 and are counted.
// Returns the requests and, per request, the value it belongs to.
void collectRequests(const ir::Graph& g, std::vector<BufferRequest>& requests, std::vector<ir::ValueId>& owners,
                     int64_t& dataDependent);

Expected<GraphMemoryPlan> planGraphMemory(const ir::Graph& g);

} // namespace gs::compiler::memory
