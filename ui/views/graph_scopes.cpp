// See graph_scopes.h.
#include "ui/views/graph_scopes.h"

#include <algorithm>
#include <map>
#include <unordered_map>

namespace gs::ui {
namespace {

constexpr int kMinAutoGroup = 3; // fewer nodes than this are not worth a box of their own

struct ScopeStat {
  int count = 0;  // op nodes inside, at any depth
  int direct = 0; // op nodes whose own scope this is
  std::set<std::string> children;
};

std::size_t depthOf(const std::string& scope) { return static_cast<std::size_t>(std::count(scope.begin(), scope.end(), '/')); }

} // namespace

std::string scopeOf(std::string_view nodeName) {
  const auto slash = nodeName.rfind('/');
  if (slash == std::string_view::npos || slash == 0) return {};
  return std::string(nodeName.substr(0, slash));
}

std::vector<std::string> scopeChain(const std::string& scope) {
  std::vector<std::string> out;
  for (std::size_t i = 1; i <= scope.size(); ++i)
    if (i == scope.size() || scope[i] == '/') out.push_back(scope.substr(0, i));
  return out;
}

std::string scopeLeaf(const std::string& scope) {
  const auto slash = scope.rfind('/');
  return slash == std::string::npos ? scope : scope.substr(slash + 1);
}

ScopeAssignment assignScopes(const ir::Graph& graph, const ScopeOptions& options) {
  ScopeAssignment out;
  out.groupOf.assign(graph.nodes.size(), -1);
  std::vector<std::vector<std::string>> chains(graph.nodes.size());
  std::unordered_map<std::string, ScopeStat> stats;
  for (std::size_t i = 0; i < graph.nodes.size(); ++i) {
    chains[i] = scopeChain(scopeOf(graph.nodes[i].name));
    for (std::size_t k = 0; k < chains[i].size(); ++k) {
      auto& s = stats[chains[i][k]];
      ++s.count;
      if (k + 1 < chains[i].size())
        s.children.insert(chains[i][k + 1]);
      else
        ++s.direct;
    }
  }
  if (stats.empty()) return out;

  const bool autoCollapse =
      options.autoCollapseNodes >= 0 && static_cast<int>(graph.nodes.size()) > options.autoCollapseNodes;
  // A scope holding nothing but one child scope is a wrapper: its box or outline would repeat the child's.
  auto wrapper = [&](const std::string& p) {
    const auto& s = stats.at(p);
    return s.direct == 0 && s.children.size() == 1;
  };
  auto collapsed = [&](const std::string& p) {
    if (options.collapsed.count(p)) return true;
    return autoCollapse && !options.expanded.count(p) && !wrapper(p) && stats.at(p).count >= kMinAutoGroup;
  };

  std::unordered_map<std::string, int> groupIndex;
  std::vector<std::map<std::string, int>> ops;
  std::unordered_map<std::string, int> visible; // things shown inside each open scope
  for (std::size_t i = 0; i < graph.nodes.size(); ++i) {
    const auto& chain = chains[i];
    std::size_t k = 0;
    while (k < chain.size() && !collapsed(chain[k]))
      ++k;
    if (k == chain.size()) {
      for (const auto& p : chain)
        ++visible[p];
      continue;
    }
    auto [it, added] = groupIndex.try_emplace(chain[k], static_cast<int>(out.groups.size()));
    if (added) {
      out.groups.push_back({chain[k], 0, {}});
      ops.emplace_back();
      for (std::size_t j = 0; j < k; ++j)
        ++visible[chain[j]];
    }
    out.groupOf[i] = it->second;
    ++out.groups[static_cast<std::size_t>(it->second)].members;
    ++ops[static_cast<std::size_t>(it->second)][graph.nodes[i].opType];
  }
  for (std::size_t g = 0; g < out.groups.size(); ++g) {
    std::vector<std::pair<std::string, int>> sorted(ops[g].begin(), ops[g].end());
    std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    if (sorted.size() > 3) sorted.resize(3);
    out.groups[g].commonestOps = std::move(sorted);
  }
  for (const auto& [path, n] : visible)
    if (n >= 2 && !wrapper(path)) out.outlined.push_back(path);
  std::sort(out.outlined.begin(), out.outlined.end(), [](const std::string& a, const std::string& b) {
    return depthOf(a) != depthOf(b) ? depthOf(a) < depthOf(b) : a < b;
  });
  return out;
}

} // namespace gs::ui
