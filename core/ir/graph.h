// The graph IR: values (tensors flowing between nodes, with dtype and shape), nodes (an op with
// attributes) and constants. Ids are indices, so a Graph is a plain value that is cheap to clone per
// gear: constant tensors share their storage.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/common/status.h"
#include "core/ir/attribute.h"
#include "core/ir/dtype.h"
#include "core/ir/shape.h"
#include "core/ir/tensor.h"

namespace gs::ir {

using ValueId = int32_t;
using NodeId = int32_t;
inline constexpr int32_t kNone = -1; // an absent optional input, or "no producer"

struct Value {
  std::string name;
  DataType dtype = DataType::Undefined;
  Shape shape = Shape::unknownRank();
  NodeId producer = kNone;        // kNone for graph inputs, constants and outer-scope values
  std::optional<Tensor> constant; // set for initializers and folded constants
  bool outerScope = false;        // a subgraph's reference to a value of an enclosing graph (by name)

  bool isConstant() const { return constant.has_value(); }
};

struct Node {
  std::string name;
  std::string opType;
  std::string domain;           // "" is the default ONNX domain
  std::vector<ValueId> inputs;  // kNone marks an omitted optional input
  std::vector<ValueId> outputs; // kNone marks an omitted optional output
  Attributes attrs;
};

class Graph {
public:
  std::string name;
  std::vector<Value> values;
  std::vector<Node> nodes;
  std::vector<ValueId> inputs;  // graph inputs, in order (never constants)
  std::vector<ValueId> outputs; // graph outputs, in order

  // Adds a value; the name must be unique in this graph (an empty name gets a generated one).
  ValueId addValue(std::string name, DataType dtype = DataType::Undefined, Shape shape = Shape::unknownRank());
  ValueId addConstant(std::string name, Tensor t);
  // Adds a node and makes it the producer of its outputs.
  NodeId addNode(Node n);
  // kNone when there is no such value.
  ValueId findValue(std::string_view name) const;
  // A name not used by any value yet, starting from base.
  std::string uniqueName(std::string_view base) const;
  void renameValue(ValueId id, std::string newName);

  // For every value, the nodes that read it (a node reading twice appears twice).
  std::vector<std::vector<NodeId>> consumers() const;
  // Kahn order of the nodes; an error names a node on a cycle or reading an undefined value.
  Expected<std::vector<NodeId>> topoOrder() const;
  // Reorders nodes topologically (stable: keeps the given order where it is valid).
  Status sortTopologically();
  // Removes the nodes flagged in dead (size == nodes.size()) and fixes producers.
  void removeNodes(const std::vector<bool>& dead);
  // Replaces every use of `from` (node inputs and graph outputs) with `to`.
  void replaceUses(ValueId from, ValueId to);
  // Drops values that nothing produces, reads or exports and that are not inputs; renumbers ids.
  void removeUnusedValues();

  bool isGraphInput(ValueId v) const;
  bool isGraphOutput(ValueId v) const;
  // Nodes in this graph and, recursively, in its subgraphs.
  std::size_t totalNodeCount() const;

private:
  void rebuildIndex() const;
  mutable std::unordered_map<std::string, ValueId> m_index;
  mutable bool m_indexValid = false;
};

struct Model {
  Graph graph;
  std::map<std::string, int64_t> opsets; // domain ("" = ai.onnx) -> version
  int64_t irVersion = 0;
  std::string producerName;
  std::string producerVersion;
  std::string docString;
  std::map<std::string, std::string> metadata;
  std::string sourcePath; // where it was imported from

  // Opset of the default ONNX domain (0 when absent).
  int64_t onnxOpset() const;
};

// Checks structural invariants: ids in range, unique names, each value produced at most once,
// producers consistent, no cycles, inputs defined before use, subgraphs recursively. The error
// message lists what is wrong (up to a handful of findings).
Status verify(const Graph& g);

} // namespace gs::ir
