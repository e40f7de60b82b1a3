// The node properties panel beside the graph view: for the selected node its op type, name,
// attributes, and inputs/outputs with dtype and shape (per gear when gears are given), plus weight
// statistics for constant inputs; for a graph input or output, the value itself. A graph attribute
// (If/Loop/Scan body) is a link that opens the body in the graph view.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <QStringList>
#include <QWidget>

#include "core/ir/graph.h"

class QLabel;
class QTreeWidget;
class QTreeWidgetItem;

namespace gs::ui {

class GraphView;

class NodePropertiesPanel : public QWidget {
  Q_OBJECT
public:
  explicit NodePropertiesPanel(QWidget* parent = nullptr);

  void setGraph(std::shared_ptr<const ir::Graph> graph);
  // Shapes by value name, one map per gear (labels default to "gear 0", "gear 1", ...). Empty: the
  // graph's own (symbolic) shapes.
  void setGearShapes(std::vector<std::map<std::string, std::string>> gears, QStringList labels = {});
  // An op node (by nodeDisplayName) or a graph input/output (by value name); false when unknown.
  bool showNode(const QString& name);
  void clear();

  // Follows a graph view: its selection and each graph it lays out.
  void follow(GraphView* view);

  QString currentNode() const { return m_current; }
  QTreeWidget* tree() const { return m_tree; }

signals:
  // The user clicked a graph attribute's "open" link (If/Loop/Scan bodies).
  void openSubgraphRequested(QString nodeName, QString attribute);

private:
  void showOp(ir::NodeId id);
  bool showScope(const QString& scope);
  void showValueOnly(ir::ValueId id);
  QTreeWidgetItem* addValue(QTreeWidgetItem* parent, const QString& role, ir::ValueId id);
  void addShapes(QTreeWidgetItem* parent, const ir::Value& v);
  void addWeightStats(QTreeWidgetItem* parent, const ir::Tensor& t);

  QLabel* m_header = nullptr;
  QTreeWidget* m_tree = nullptr;
  std::shared_ptr<const ir::Graph> m_graph;
  std::unordered_map<QString, ir::NodeId> m_nodeByName;
  std::vector<std::map<std::string, std::string>> m_gears;
  QStringList m_gearLabels;
  QString m_current;
};

} // namespace gs::ui
