// A topological order that keeps the given order wherever it is already valid: Kahn's algorithm taking
// the lowest-numbered ready node first. Shared by the importer (sorting an unsorted ONNX graph) and
// ir::Graph::topoOrder.
#pragma once

#include <cstddef>
#include <set>
#include <vector>

namespace gs {

// users[i]: the nodes that read an output of node i (each listed once); pending[i]: how many distinct
// nodes node i reads from. pending is consumed: after the call, nodes left with pending > 0 are on a
// cycle or after one. The order holds fewer than users.size() nodes exactly when there is a cycle.
template <typename Index>
std::vector<Index> stableTopoOrder(const std::vector<std::vector<Index>>& users, std::vector<std::size_t>& pending) {
  std::set<Index> ready;
  for (std::size_t i = 0; i < pending.size(); ++i)
    if (pending[i] == 0) ready.insert(static_cast<Index>(i));
  std::vector<Index> order;
  order.reserve(pending.size());
  while (!ready.empty()) {
    const auto cur = *ready.begin();
    ready.erase(ready.begin());
    order.push_back(cur);
    for (auto u : users[static_cast<std::size_t>(cur)])
      if (--pending[static_cast<std::size_t>(u)] == 0) ready.insert(u);
  }
  return order;
}

} // namespace gs
