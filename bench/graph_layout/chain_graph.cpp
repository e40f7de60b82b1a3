// See chain_graph.h.
#include "bench/graph_layout/chain_graph.h"

#include <string>
#include <vector>

namespace gs::bench {

ir::Graph makeChainWithSkips(int nodeCount) {
  ir::Graph g;
  g.name = "chain_with_skips";
  const ir::Shape act({ir::Dim::symbolic("N"), ir::Dim::known(64), ir::Dim::known(56), ir::Dim::known(56)});
  const ir::ValueId input = g.addValue("input", ir::DataType::Float32, act);
  g.inputs.push_back(input);
  const ir::Tensor w = ir::Tensor::fromVector(std::vector<float>(64 * 64 * 9, 0.01f), {64, 64, 3, 3});
  const ir::Tensor b = ir::Tensor::fromVector(std::vector<float>(64, 0.0f), {64});
  std::vector<ir::ValueId> outputs; // per node
  ir::ValueId prev = input;
  for (int i = 0; i < nodeCount; ++i) {
    ir::Node n;
    n.name = "node_" + std::to_string(i);
    const ir::ValueId out = g.addValue("t" + std::to_string(i), ir::DataType::Float32, act);
    switch (i % 4) {
    case 0: {
      n.opType = "Conv";
      // Views of the shared weights: a constant per node, as an importer makes them.
      const ir::ValueId wv = g.addConstant("w" + std::to_string(i), w);
      const ir::ValueId bv = g.addConstant("b" + std::to_string(i), b);
      n.inputs = {prev, wv, bv};
      n.attrs.set("kernel_shape", ir::Attribute::ofInts({3, 3}));
      n.attrs.set("pads", ir::Attribute::ofInts({1, 1, 1, 1}));
      break;
    }
    case 1:
      n.opType = "Relu";
      n.inputs = {prev};
      break;
    case 2:
      if (i % 50 == 2 && i >= 50) {
        n.opType = "Concat";
        n.inputs = {prev, outputs[static_cast<std::size_t>(i - 40)]};
        n.attrs.set("axis", ir::Attribute::ofInt(1));
      } else {
        n.opType = "Mul";
        n.inputs = {prev, prev};
      }
      break;
    default: {
      n.opType = "Add";
      const int back = 3 + (i / 4) % 5; // skips of 3..7 nodes
      n.inputs = {prev, i >= back ? outputs[static_cast<std::size_t>(i - back)] : input};
      break;
    }
    }
    n.outputs = {out};
    g.addNode(std::move(n));
    outputs.push_back(out);
    prev = out;
  }
  g.outputs.push_back(prev);
  return g;
}

} // namespace gs::bench
