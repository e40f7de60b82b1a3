// See graph_find.h.
#include "ui/views/graph_find.h"

#include <algorithm>

#include "core/ir/gs_ops.h"

namespace gs::ui {

FindQuery parseFindQuery(const QString& text) {
  FindQuery q;
  for (const QString& word : text.split(QLatin1Char(' '), Qt::SkipEmptyParts)) {
    const auto colon = word.indexOf(QLatin1Char(':'));
    const QString key = colon > 0 ? word.left(colon).toLower() : QString();
    const QString value = word.mid(colon + 1);
    if (key == QLatin1String("op") && !value.isEmpty())
      q.ops << value;
    else if (key == QLatin1String("name") && !value.isEmpty())
      q.names << value;
    else if (key == QLatin1String("tensor") && !value.isEmpty())
      q.tensors << value;
    else
      q.words << word; // "x:0" is a tensor name, not a filter
  }
  return q;
}

namespace {

bool containsAll(const QStringList& terms, const auto& test) { return std::all_of(terms.begin(), terms.end(), test); }

} // namespace

std::vector<FindHit> findNodes(const DisplayGraph& dg, const FindQuery& q) {
  std::vector<FindHit> hits;
  if (q.empty()) return hits;
  const ir::Graph& g = *dg.graph;
  auto valueName = [&g](ir::ValueId v) { return QString::fromStdString(g.values[static_cast<std::size_t>(v)].name); };
  // Op nodes, shown or inside a collapsed scope.
  for (std::size_t i = 0; i < g.nodes.size(); ++i) {
    const ir::Node& node = g.nodes[i];
    const QString op = QString::fromStdString(node.opType);
    // op:Conv also finds what the compiler made of a Conv: ai.gearstudio's FusedConv (NhwcMaxPool for
    // op:MaxPool), whose names end with the ONNX op's.
    const bool compiled = node.domain == ir::gsop::kDomain;
    if (!containsAll(q.ops, [&](const QString& t) {
          return op.compare(t, Qt::CaseInsensitive) == 0 || (compiled && op.endsWith(t, Qt::CaseInsensitive));
        }))
      continue;
    const QString name = nodeDisplayName(g, static_cast<ir::NodeId>(i));
    if (!containsAll(q.names, [&](const QString& t) { return name.contains(t, Qt::CaseInsensitive); })) continue;
    auto tensorHas = [&](const QString& t) {
      for (const auto* list : {&node.inputs, &node.outputs})
        for (ir::ValueId v : *list)
          if (v != ir::kNone && valueName(v).contains(t, Qt::CaseInsensitive)) return true;
      return false;
    };
    if (!containsAll(q.tensors, tensorHas)) continue;
    if (!containsAll(q.words, [&](const QString& t) {
          return name.contains(t, Qt::CaseInsensitive) || op.contains(t, Qt::CaseInsensitive) || tensorHas(t);
        }))
      continue;
    const int display = i < dg.displayOfIr.size() ? dg.displayOfIr[i] : -1;
    if (display >= 0) hits.push_back({name, static_cast<int>(i), display});
  }
  // Graph inputs and outputs: a name, tensor or plain word matches their value's name; op: never does.
  if (q.ops.isEmpty())
    for (std::size_t d = 0; d < dg.nodes.size(); ++d) {
      const DisplayNode& n = dg.nodes[d];
      if (n.kind != DisplayNode::Kind::Input && n.kind != DisplayNode::Kind::Output) continue;
      auto has = [&n](const QString& t) { return n.name.contains(t, Qt::CaseInsensitive); };
      if (containsAll(q.names, has) && containsAll(q.tensors, has) && containsAll(q.words, has))
        hits.push_back({n.name, -1, static_cast<int>(d)});
    }
  std::stable_sort(hits.begin(), hits.end(), [&dg](const FindHit& a, const FindHit& b) {
    const auto& na = dg.nodes[static_cast<std::size_t>(a.display)];
    const auto& nb = dg.nodes[static_cast<std::size_t>(b.display)];
    if (na.y != nb.y) return na.y < nb.y;
    if (na.x != nb.x) return na.x < nb.x;
    return a.irNode < b.irNode;
  });
  return hits;
}

} // namespace gs::ui
