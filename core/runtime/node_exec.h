// Pieces both executors of the CPU device share: the environment a graph runs in (kernel table,
// weight cache, pool, workspace), frames for outer-scope lookups of subgraph bodies, kernel creation from a graph node,
// and per-node shape resolution for dynamic execution (infer shapes from the actual inputs, re-reshape
// the kernel only when the inputs' dims or small shape-like values changed since the last run).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "core/common/status.h"
#include "core/ir/graph.h"
#include "core/runtime/arena.h"
#include "core/runtime/cpu/kernel.h"
#include "core/runtime/cpu/kernels/registry.h"
#include "core/runtime/tensor.h"

namespace gs::runtime {

struct ExecEnv {
  const cpu::KernelTable* kernels = nullptr;
  std::string_view device; // its name, for messages
  int64_t opset = 0;
  cpu::WeightCache* weights = nullptr;
  PoolAllocator* pool = nullptr; // dynamic allocations (data-dependent shapes, dynamic mode)
  Arena* workspace = nullptr;    // kernel workspace shared by every node and plan of a model
};

// The values of one executing graph, for subgraph bodies that read enclosing values by name.
struct Frame {
  const ir::Graph* graph = nullptr;
  const std::vector<TensorRef>* values = nullptr; // indexed by ValueId; the slots stay put while running
  const Frame* parent = nullptr;
  // The slot of the value `name` as seen from this frame (walks outward); null when nothing defines it.
  const TensorRef* find(std::string_view name) const;
};

// Creates the kernel of node `n` of graph `g` for the given types: one table lookup, then the row's
// factory. kUnsupported names the node, op and types when the device has no kernel for them.
Expected<std::unique_ptr<cpu::Kernel>> makeKernel(const ExecEnv& env, const ir::Graph& g, const ir::Node& n,
                                                  std::span<const ir::DataType> inputTypes,
                                                  std::span<const ir::DataType> outputTypes);

// Types of a node's inputs in the graph (Undefined for omitted ones).
std::vector<ir::DataType> graphInputTypes(const ir::Graph& g, const ir::Node& n);

// "node 'conv1' (Conv)"
std::string describeNode(const ir::Node& n);

// State of a node executed with run-time shapes.
struct DynamicNode {
  std::unique_ptr<cpu::Kernel> kernel;
  std::vector<ir::DataType> kernelInputTypes; // what the kernel was made for
  std::vector<int64_t> key;                   // dims (and small values) of the inputs at the last reshape
  bool keyValid = false;
  std::vector<std::optional<std::vector<int64_t>>> outDims; // nullopt: data-dependent, kernel allocates
  std::vector<ir::DataType> outTypes;
  std::size_t workspace = 0;
  std::vector<int64_t> scratchKey;
};

// Makes `state` ready to run `n` on `inputs`: infers output shapes with the op registry (values of
// small integer inputs are passed, so Reshape/Expand/Range... resolve), creates the kernel when the
// input types changed, and reshapes it. Does nothing when the key matches the previous call.
Status resolveDynamicNode(const ExecEnv& env, const ir::Graph& g, const ir::Node& n, std::span<const TensorRef> inputs,
                          DynamicNode& state);

} // namespace gs::runtime
