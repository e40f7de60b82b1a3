// Per-output-channel weight scaling for both weight layouts (Conv: [Cout, Cin/g, k...];
// ConvTranspose: [Cin, Cout/g, k...]).
#include "core/compiler/passes/conv_weights.h"

#include "core/compiler/passes/graph_helpers.h"

namespace gs::compiler::convw {

bool foldable(const ir::Graph& g, const ir::Node& n) {
  if (!n.domain.empty() || (n.opType != "Conv" && n.opType != "ConvTranspose")) return false;
  if (n.inputs.size() < 2 || n.outputs.size() != 1 || n.outputs[0] == ir::kNone) return false;
  const auto* w = helpers::constantOf(g, n.inputs[1]);
  if (!w || w->dtype != ir::DataType::Float32 || w->dims.size() < 3 || !w->data()) return false;
  if (n.inputs.size() > 2 && n.inputs[2] != ir::kNone) {
    const auto* b = helpers::constantOf(g, n.inputs[2]);
    if (!b || b->dtype != ir::DataType::Float32 || b->numel() != outChannels(g, n)) return false;
  }
  return outChannels(g, n) > 0;
}

int64_t outChannels(const ir::Graph& g, const ir::Node& n) {
  const auto* w = helpers::constantOf(g, n.inputs[1]);
  if (n.opType == "Conv") return w->dims[0];
  return w->dims[1] * n.attrs.getInt("group", 1);
}

std::size_t outRank(const ir::Graph& g, const ir::Node& n) { return helpers::constantOf(g, n.inputs[1])->dims.size(); }

std::vector<float> scaledWeight(const ir::Graph& g, const ir::Node& n, const std::vector<float>& scale) {
  const auto* w = helpers::constantOf(g, n.inputs[1]);
  auto data = w->toVector<float>();
  int64_t spatial = 1;
  for (std::size_t i = 2; i < w->dims.size(); ++i)
    spatial *= w->dims[i];
  if (n.opType == "Conv") {
    const auto block = static_cast<std::size_t>(w->dims[1] * spatial);
    for (std::size_t oc = 0; oc < static_cast<std::size_t>(w->dims[0]); ++oc)
      for (std::size_t j = 0; j < block; ++j)
        data[oc * block + j] *= scale[oc];
    return data;
  }
  const auto group = n.attrs.getInt("group", 1);
  const auto cin = w->dims[0];
  const auto coutPerGroup = w->dims[1];
  const auto cinPerGroup = cin / group;
  for (int64_t ci = 0; ci < cin; ++ci)
    for (int64_t j = 0; j < coutPerGroup; ++j) {
      const auto oc = (ci / cinPerGroup) * coutPerGroup + j;
      const auto base = static_cast<std::size_t>((ci * coutPerGroup + j) * spatial);
      for (int64_t k = 0; k < spatial; ++k)
        data[base + static_cast<std::size_t>(k)] *= scale[static_cast<std::size_t>(oc)];
    }
  return data;
}

std::vector<float> biasOf(const ir::Graph& g, const ir::Node& n) {
  if (n.inputs.size() > 2 && n.inputs[2] != ir::kNone) return helpers::constantOf(g, n.inputs[2])->toVector<float>();
  return std::vector<float>(static_cast<std::size_t>(outChannels(g, n)), 0.0f);
}

void setWeight(ir::Graph& g, ir::NodeId conv, std::vector<float> weight) {
  const auto old = g.nodes[conv].inputs[1];
  auto dims = g.values[old].constant->dims;
  const auto id = helpers::addFloatConstant(g, g.values[old].name + "_folded", std::move(weight), std::move(dims));
  g.nodes[conv].inputs[1] = id;
}

void setBias(ir::Graph& g, ir::NodeId conv, std::vector<float> bias) {
  auto& n = g.nodes[conv];
  const std::string base =
      n.inputs.size() > 2 && n.inputs[2] != ir::kNone ? g.values[n.inputs[2]].name + "_folded" : n.name + "_bias";
  const auto count = static_cast<int64_t>(bias.size());
  const auto id = helpers::addFloatConstant(g, base, std::move(bias), {count});
  if (g.nodes[conv].inputs.size() < 3) g.nodes[conv].inputs.resize(3, ir::kNone);
  g.nodes[conv].inputs[2] = id;
}

} // namespace gs::compiler::convw
