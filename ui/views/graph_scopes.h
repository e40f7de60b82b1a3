// Name scopes for the graph view: exporters name nodes by module path ("/backbone/stage1/conv/Conv"),
// and that path is the structure a reader navigates by. A collapsed scope shows as one box (its node
// count and commonest ops) with the edges into and out of it; an expanded one is outlined with its
// path. Big graphs start with their top scopes collapsed, so a 10,000-node model opens as a few dozen
// boxes that expand one level at a time. Plain C++ over the IR: runs in the layout worker.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/ir/graph.h"

namespace gs::ui {

struct ScopeOptions {
  // Collapse scopes unless expanded, in graphs with more op nodes than this (0: always; < 0: never).
  int autoCollapseNodes = 1500;
  std::set<std::string> expanded;  // open although auto-collapse would close them
  std::set<std::string> collapsed; // closed in any graph
  bool operator==(const ScopeOptions&) const = default;
};

// "/backbone/stage1/conv/Conv" -> "/backbone/stage1/conv"; "a/b" -> "a"; "" when the name has none.
std::string scopeOf(std::string_view nodeName);
// The scope and its enclosing scopes, outermost first: "/a/b" -> {"/a", "/a/b"}.
std::vector<std::string> scopeChain(const std::string& scope);
// The last part of a scope path, for a box title: "/backbone/stage1" -> "stage1".
std::string scopeLeaf(const std::string& scope);

struct ScopeGroup {
  std::string path;
  int members = 0;                                       // op nodes inside
  std::vector<std::pair<std::string, int>> commonestOps; // op type and count, most frequent first (3 at most)
};

struct ScopeAssignment {
  std::vector<int> groupOf;       // per IR node: index into groups, or -1 when the node is shown itself
  std::vector<ScopeGroup> groups; // the collapsed scopes shown as boxes
  // Open scopes worth an outline (two or more things shown inside, not a mere wrapper of one child
  // scope), outermost first.
  std::vector<std::string> outlined;
};

ScopeAssignment assignScopes(const ir::Graph& graph, const ScopeOptions& options);

} // namespace gs::ui
