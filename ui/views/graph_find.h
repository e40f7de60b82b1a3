// Find in the graph view: a query is words, each a filter that must hold, "op:Conv" (op type, exactly,
// any case), "name:stage1" (node name contains), "tensor:x_scale" (an input or output tensor name
// contains) or a plain word (any of those contains it). Nodes inside collapsed scopes are searched
// too; their hit points at the group box that holds them until it is expanded.
#pragma once

#include <vector>

#include <QString>
#include <QStringList>

#include "ui/views/display_graph.h"

namespace gs::ui {

struct FindQuery {
  QStringList ops;     // op:
  QStringList names;   // name:
  QStringList tensors; // tensor:
  QStringList words;   // anything
  bool empty() const { return ops.isEmpty() && names.isEmpty() && tensors.isEmpty() && words.isEmpty(); }
};

FindQuery parseFindQuery(const QString& text);

struct FindHit {
  QString name;     // the node (nodeDisplayName) or graph input/output
  int irNode = -1;  // the IR node, -1 for a graph input/output
  int display = -1; // the display node showing it: its own box, or the Group holding it
};

// Every match, in reading order (top to bottom, then left to right, by where each is shown).
std::vector<FindHit> findNodes(const DisplayGraph& graph, const FindQuery& query);

} // namespace gs::ui
