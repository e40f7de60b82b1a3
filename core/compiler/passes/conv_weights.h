// Rewriting the weights and bias of a Conv/ConvTranspose when an affine op next to it is folded in.
// The new tensors are fresh constants (the old ones may be shared with other nodes).
#pragma once

#include <optional>
#include <vector>

#include "core/ir/graph.h"

namespace gs::compiler::convw {

// Whether n is a Conv/ConvTranspose with a constant float32 weight, an absent or constant float32
// bias, and nothing fused into it yet (folding would change what a fused op sees).
bool foldable(const ir::Graph& g, const ir::Node& n);

// Output channels of a foldable conv (Conv: W[0]; ConvTranspose: W[1] * group).
int64_t outChannels(const ir::Graph& g, const ir::Node& n);

// Rank of the conv's output: the weight's rank.
std::size_t outRank(const ir::Graph& g, const ir::Node& n);

// The weight with every output channel oc multiplied by scale[oc].
std::vector<float> scaledWeight(const ir::Graph& g, const ir::Node& n, const std::vector<float>& scale);

// The bias as floats (zeros when absent).
std::vector<float> biasOf(const ir::Graph& g, const ir::Node& n);

// Sets new weight and/or bias constants on the conv (named after the old ones).
void setWeight(ir::Graph& g, ir::NodeId conv, std::vector<float> weight);
void setBias(ir::Graph& g, ir::NodeId conv, std::vector<float> bias);

} // namespace gs::compiler::convw
