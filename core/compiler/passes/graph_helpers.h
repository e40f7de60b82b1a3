// Small graph queries and tensor helpers the passes share (consumer counts, constant lookups, float
// tensors for folded weights).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/ir/graph.h"

namespace gs::compiler::helpers {

// Number of reads of each value by nodes (a node reading twice counts twice), plus graph outputs.
std::vector<int32_t> useCounts(const ir::Graph& g);

// The constant tensor of v, or null when v is not a constant (kNone included).
const ir::Tensor* constantOf(const ir::Graph& g, ir::ValueId v);

// Float32 copy of a constant's elements (any numeric dtype), nullopt when not numeric.
std::optional<std::vector<float>> floatsOf(const ir::Tensor& t);

// The single scalar of a constant with one element, nullopt otherwise.
std::optional<double> scalarOf(const ir::Graph& g, ir::ValueId v);

// A new constant value holding a float32 tensor, named after base.
ir::ValueId addFloatConstant(ir::Graph& g, const std::string& base, std::vector<float> data, std::vector<int64_t> dims);

// Whether the producer of v is a node of one of the given types; returns its id or kNone.
ir::NodeId producerOf(const ir::Graph& g, ir::ValueId v);

// Per-channel factors of a constant that broadcasts against an N-D conv output [N, C, spatial...] only
// along C (scalar, [1], [C,1,1], [1,C,1,1], ...). Returns C floats, or nullopt.
std::optional<std::vector<float>> perChannel(const ir::Tensor& t, int64_t channels, std::size_t outRank);

// Marks a node dead and rewires: every use of `from` is replaced by `to`.
void bypass(ir::Graph& g, ir::ValueId from, ir::ValueId to);

// Removes the flagged nodes and values nothing uses any more.
void compact(ir::Graph& g, const std::vector<bool>& dead);

} // namespace gs::compiler::helpers

namespace gs::compiler::helpers {

// Makes the node that produces `from` produce `into` instead (so a fused-away consumer's output,
// which may be a graph output and keeps its name, is now written by the producer). `from` becomes
// unused. The caller has checked that `from` has no other reader.
void takeOverOutput(ir::Graph& g, ir::ValueId from, ir::ValueId into);

// Node `i`, the single reader of `x`, is folded into x's producer (a fusion): the producer now writes
// node i's output 0 (which keeps its name) and node i is flagged in `dead`.
void absorbNode(ir::Graph& g, std::size_t i, ir::ValueId x, std::vector<bool>& dead);

// Removes a pass-through node (out == in) by rewiring readers of out to in; when out is a graph output
// and in is a node output used only here, the producer of in writes out directly. False when neither
// is possible (the node must stay).
bool forwardValue(ir::Graph& g, ir::ValueId in, ir::ValueId out, const std::vector<int32_t>& uses);

} // namespace gs::compiler::helpers

namespace gs::compiler::helpers {

// Names of enclosing-scope values the subgraphs of n (recursively) read.
std::vector<std::string> outerScopeReads(const ir::Node& n);

} // namespace gs::compiler::helpers
