// Lifetimes of a graph's values over its node order, and their placement in one arena.
#include "core/compiler/memory/graph_plan.h"

#include <algorithm>
#include <set>
#include <string>

namespace gs::compiler::memory {

namespace {

// Names a subgraph reads from enclosing scopes, recursively.
void outerNames(const ir::Graph& g, std::set<std::string>& names) {
  for (const auto& v : g.values)
    if (v.outerScope) names.insert(v.name);
  for (const auto& n : g.nodes)
    for (const auto& [an, a] : n.attrs) {
      if (a.g) outerNames(*a.g, names);
      for (const auto& sg : a.graphs)
        if (sg) outerNames(*sg, names);
    }
}

} // namespace

void collectRequests(const ir::Graph& g, std::vector<BufferRequest>& requests, std::vector<ir::ValueId>& owners,
                     int64_t& dataDependent) {
  const auto nv = g.values.size();
  const int64_t lastStep = g.nodes.empty() ? 0 : static_cast<int64_t>(g.nodes.size()) - 1;
  std::vector<int64_t> first(nv, -1);
  std::vector<int64_t> last(nv, -1);
  for (auto v : g.inputs) {
    first[v] = 0;
    last[v] = 0;
  }
  for (std::size_t step = 0; step < g.nodes.size(); ++step) {
    const auto& n = g.nodes[step];
    const auto s = static_cast<int64_t>(step);
    for (auto in : n.inputs)
      if (in != ir::kNone) last[in] = std::max(last[in], s);
    for (auto out : n.outputs)
      if (out != ir::kNone) {
        first[out] = s;
        last[out] = std::max(last[out], s); // an output nobody reads is still written at this step
      }
    std::set<std::string> names;
    for (const auto& [an, a] : n.attrs) {
      if (a.g) outerNames(*a.g, names);
      for (const auto& sg : a.graphs)
        if (sg) outerNames(*sg, names);
    }
    for (const auto& name : names)
      if (auto v = g.findValue(name); v != ir::kNone) last[v] = std::max(last[v], s);
  }
  for (auto v : g.outputs)
    if (first[v] >= 0) last[v] = lastStep;
  dataDependent = 0;
  for (std::size_t v = 0; v < nv; ++v) {
    const auto& val = g.values[v];
    if (val.isConstant() || val.outerScope || first[v] < 0) continue;
    const auto numel = val.shape.numel();
    const auto elem = ir::dtypeSize(val.dtype);
    if (!numel || elem == 0) {
      ++dataDependent;
      continue;
    }
    requests.push_back(
        BufferRequest{first[v], std::max(first[v], last[v]), alignUp(static_cast<uint64_t>(*numel) * elem)});
    owners.push_back(static_cast<ir::ValueId>(v));
  }
}

Expected<GraphMemoryPlan> planGraphMemory(const ir::Graph& g) {
  std::vector<BufferRequest> requests;
  std::vector<ir::ValueId> owners;
  GraphMemoryPlan out;
  collectRequests(g, requests, owners, out.dataDependent);
  const auto plan = planArena(requests);
  GS_RETURN_IF_ERROR(checkPlan(requests, plan));
  out.offsets.assign(g.values.size(), -1);
  for (std::size_t i = 0; i < owners.size(); ++i)
    out.offsets[owners[i]] = static_cast<int64_t>(plan.offsets[i]);
  out.arenaBytes = plan.arenaBytes;
  out.lowerBoundBytes = plan.lowerBoundBytes;
  out.planned = static_cast<int64_t>(owners.size());
  return out;
}

} // namespace gs::compiler::memory
