// Seeing every node's outputs while a plan runs: what per-layer accuracy comparison (and any "mark
// all outputs" debugging) needs. A NodeObserver is called once per node of the plan, in execution
// order, right after the node ran and before any of its outputs' memory is reused. The tensors are
// views into the plan's own memory (arena, pool, constants), valid only during the call: copy what
// you keep. Nodes inside If/Loop/Scan bodies are not reported (the If/Loop/Scan node's outputs are).
// Unset (the default), the executors pay one branch per run and nothing per node.
#pragma once

#include <cstddef>
#include <functional>
#include <span>
#include <string_view>

#include "core/runtime/tensor.h"

namespace gs::runtime {

struct PlanNode;

// One output of an observed node. Omitted optional outputs are not listed.
struct ObservedValue {
  std::string_view name; // the value's name in the compiled graph
  std::size_t outputIndex = 0;
  TensorRef tensor; // physical layout: a channels-last value carries [N, H, W, C] (core/ir/layout.h)
};

struct NodeEvent {
  std::size_t index = 0;          // position in Plan::nodes() (execution order)
  const PlanNode* node = nullptr; // name and op type
  std::span<const ObservedValue> outputs;
};

using NodeObserver = std::function<void(const NodeEvent&)>;

} // namespace gs::runtime
