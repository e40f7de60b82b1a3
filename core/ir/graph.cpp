// Graph editing, ordering and verification.
#include "core/ir/graph.h"

#include <algorithm>
#include <deque>
#include <set>

#include "core/common/stable_topo.h"

namespace gs::ir {

ValueId Graph::addValue(std::string n, DataType dtype, Shape shape) {
  if (n.empty()) n = uniqueName("_v");
  Value v;
  v.name = std::move(n);
  v.dtype = dtype;
  v.shape = std::move(shape);
  values.push_back(std::move(v));
  const auto id = static_cast<ValueId>(values.size() - 1);
  if (m_indexValid) m_index.emplace(values.back().name, id);
  return id;
}

ValueId Graph::addConstant(std::string n, Tensor t) {
  std::vector<Dim> dims;
  for (auto d : t.dims)
    dims.push_back(Dim::known(d));
  const auto id = addValue(std::move(n), t.dtype, Shape(std::move(dims)));
  values[id].constant = std::move(t);
  return id;
}

NodeId Graph::addNode(Node n) {
  const auto id = static_cast<NodeId>(nodes.size());
  for (auto o : n.outputs)
    if (o != kNone) values[o].producer = id;
  nodes.push_back(std::move(n));
  return id;
}

void Graph::rebuildIndex() const {
  m_index.clear();
  for (std::size_t i = 0; i < values.size(); ++i)
    m_index.emplace(values[i].name, static_cast<ValueId>(i));
  m_indexValid = true;
}

ValueId Graph::findValue(std::string_view n) const {
  if (!m_indexValid || m_index.size() != values.size()) rebuildIndex();
  auto it = m_index.find(std::string(n));
  if (it == m_index.end() || it->second >= static_cast<ValueId>(values.size()) || values[it->second].name != n) {
    rebuildIndex();
    it = m_index.find(std::string(n));
    if (it == m_index.end()) return kNone;
  }
  return it->second;
}

std::string Graph::uniqueName(std::string_view base) const {
  std::string candidate(base);
  for (int i = 0; findValue(candidate) != kNone; ++i)
    candidate = std::string(base) + "_" + std::to_string(i);
  return candidate;
}

void Graph::renameValue(ValueId id, std::string newName) {
  values[id].name = std::move(newName);
  m_indexValid = false;
}

std::vector<std::vector<NodeId>> Graph::consumers() const {
  std::vector<std::vector<NodeId>> out(values.size());
  for (std::size_t n = 0; n < nodes.size(); ++n)
    for (auto in : nodes[n].inputs)
      if (in != kNone) out[in].push_back(static_cast<NodeId>(n));
  return out;
}

Expected<std::vector<NodeId>> Graph::topoOrder() const {
  const auto n = nodes.size();
  std::vector<std::size_t> pending(n, 0);
  std::vector<std::vector<NodeId>> users(n);
  for (std::size_t i = 0; i < n; ++i) {
    std::set<NodeId> deps;
    for (auto in : nodes[i].inputs) {
      if (in == kNone) continue;
      if (in < 0 || in >= static_cast<ValueId>(values.size()))
        return makeError(codes::kInvalid, "node '" + nodes[i].name + "' reads a value id out of range");
      const auto p = values[in].producer;
      if (p != kNone && p != static_cast<NodeId>(i)) deps.insert(p);
      if (p == static_cast<NodeId>(i))
        return makeError(codes::kInvalid, "node '" + nodes[i].name + "' reads its own output");
    }
    pending[i] = deps.size();
    for (auto d : deps)
      users[d].push_back(static_cast<NodeId>(i));
  }
  auto order = stableTopoOrder(users, pending);
  if (order.size() != n) {
    for (std::size_t i = 0; i < n; ++i)
      if (pending[i] > 0) return makeError(codes::kInvalid, "graph has a cycle through node '" + nodes[i].name + "'");
  }
  return order;
}

Status Graph::sortTopologically() {
  GS_ASSIGN_OR_RETURN(auto order, topoOrder());
  std::vector<Node> sorted;
  sorted.reserve(nodes.size());
  for (auto id : order)
    sorted.push_back(std::move(nodes[id]));
  nodes = std::move(sorted);
  for (auto& v : values)
    v.producer = kNone;
  for (std::size_t i = 0; i < nodes.size(); ++i)
    for (auto o : nodes[i].outputs)
      if (o != kNone) values[o].producer = static_cast<NodeId>(i);
  return ok();
}

void Graph::removeNodes(const std::vector<bool>& dead) {
  std::vector<Node> kept;
  kept.reserve(nodes.size());
  for (std::size_t i = 0; i < nodes.size(); ++i)
    if (i >= dead.size() || !dead[i]) kept.push_back(std::move(nodes[i]));
  nodes = std::move(kept);
  for (auto& v : values)
    v.producer = kNone;
  for (std::size_t i = 0; i < nodes.size(); ++i)
    for (auto o : nodes[i].outputs)
      if (o != kNone) values[o].producer = static_cast<NodeId>(i);
}

void Graph::replaceUses(ValueId from, ValueId to) {
  for (auto& n : nodes)
    for (auto& in : n.inputs)
      if (in == from) in = to;
  for (auto& o : outputs)
    if (o == from) o = to;
}

void Graph::removeUnusedValues() {
  std::vector<bool> used(values.size(), false);
  for (auto v : inputs)
    used[v] = true;
  for (auto v : outputs)
    used[v] = true;
  for (const auto& n : nodes) {
    for (auto v : n.inputs)
      if (v != kNone) used[v] = true;
    for (auto v : n.outputs)
      if (v != kNone) used[v] = true;
  }
  std::vector<ValueId> remap(values.size(), kNone);
  std::vector<Value> kept;
  kept.reserve(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!used[i]) continue;
    remap[i] = static_cast<ValueId>(kept.size());
    kept.push_back(std::move(values[i]));
  }
  values = std::move(kept);
  auto fix = [&](ValueId& v) {
    if (v != kNone) v = remap[v];
  };
  for (auto& v : inputs)
    fix(v);
  for (auto& v : outputs)
    fix(v);
  for (auto& n : nodes) {
    for (auto& v : n.inputs)
      fix(v);
    for (auto& v : n.outputs)
      fix(v);
  }
  m_indexValid = false;
}

bool Graph::isGraphInput(ValueId v) const { return std::find(inputs.begin(), inputs.end(), v) != inputs.end(); }
bool Graph::isGraphOutput(ValueId v) const { return std::find(outputs.begin(), outputs.end(), v) != outputs.end(); }

std::size_t Graph::totalNodeCount() const {
  std::size_t count = nodes.size();
  for (const auto& n : nodes)
    for (const auto& [name, a] : n.attrs) {
      if (a.g) count += a.g->totalNodeCount();
      for (const auto& g : a.graphs)
        if (g) count += g->totalNodeCount();
    }
  return count;
}

int64_t Model::onnxOpset() const {
  auto it = opsets.find("");
  if (it == opsets.end()) it = opsets.find("ai.onnx");
  return it == opsets.end() ? 0 : it->second;
}

namespace {

void verifyInto(const Graph& g, const std::string& where, std::vector<std::string>& problems) {
  auto add = [&](std::string p) {
    if (problems.size() < 8) problems.push_back(where + p);
  };
  const auto nv = static_cast<ValueId>(g.values.size());
  std::set<std::string> names;
  for (const auto& v : g.values)
    if (!names.insert(v.name).second) add("duplicate value name '" + v.name + "'");
  std::vector<int> produced(g.values.size(), 0);
  for (std::size_t i = 0; i < g.nodes.size(); ++i) {
    const auto& n = g.nodes[i];
    const std::string label = "node " + std::to_string(i) + " '" + n.name + "' (" + n.opType + ")";
    if (n.opType.empty()) add(label + " has no op type");
    for (auto in : n.inputs)
      if (in != kNone && (in < 0 || in >= nv)) add(label + " reads value id " + std::to_string(in) + " out of range");
    for (auto out : n.outputs) {
      if (out == kNone) continue;
      if (out < 0 || out >= nv) {
        add(label + " writes value id " + std::to_string(out) + " out of range");
        continue;
      }
      if (++produced[out] > 1) add("value '" + g.values[out].name + "' is produced more than once");
      if (g.values[out].producer != static_cast<NodeId>(i))
        add("value '" + g.values[out].name + "' has a wrong producer");
      if (g.values[out].isConstant()) add("value '" + g.values[out].name + "' is both a constant and a node output");
    }
    for (const auto& [an, a] : n.attrs) {
      if (a.g) verifyInto(*a.g, where + label + "/" + an + ": ", problems);
      for (const auto& sg : a.graphs)
        if (sg) verifyInto(*sg, where + label + "/" + an + ": ", problems);
    }
  }
  for (auto v : g.inputs) {
    if (v < 0 || v >= nv)
      add("graph input id out of range");
    else if (g.values[v].producer != kNone)
      add("graph input '" + g.values[v].name + "' is produced by a node");
  }
  for (auto v : g.outputs)
    if (v < 0 || v >= nv) add("graph output id out of range");
  // Every value read must be defined: a graph input, a constant, an outer-scope value or a node output.
  for (const auto& n : g.nodes)
    for (auto in : n.inputs) {
      if (in == kNone || in < 0 || in >= nv) continue;
      const auto& v = g.values[in];
      if (v.producer == kNone && !v.isConstant() && !v.outerScope && !g.isGraphInput(in))
        add("node '" + n.name + "' reads '" + v.name + "', which nothing defines");
    }
  if (auto order = g.topoOrder(); !order) add(order.error().message);
}

} // namespace

Status verify(const Graph& g) {
  std::vector<std::string> problems;
  verifyInto(g, "", problems);
  if (problems.empty()) return ok();
  std::string msg = "graph verification failed: ";
  for (std::size_t i = 0; i < problems.size(); ++i)
    msg += (i ? "; " : "") + problems[i];
  return makeError(codes::kInvalid, msg);
}

} // namespace gs::ir
