// The graph view's scene: turns a laid-out DisplayGraph into items. Items are added in time-boxed
// slices from the event loop, so the GUI thread never stalls on a big graph; populateAll() finishes
// synchronously (export, tests). Looks nodes up by name and relabels edges with a gear's shapes.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <QGraphicsScene>

#include "ui/views/display_graph.h"

namespace gs::ui {

class NodeItem;
class EdgeItem;

class GraphScene : public QGraphicsScene {
  Q_OBJECT
public:
  explicit GraphScene(QObject* parent = nullptr);
  ~GraphScene() override;

  // Drops the current items and starts adding the new graph's (metrics must outlive the scene).
  void setDisplayGraph(std::shared_ptr<const DisplayGraph> graph, const TextMetrics* metrics);
  // Adds whatever is still missing, now.
  void populateAll();
  // Removes everything; a non-empty message is shown in the middle instead.
  void clearGraph(const QString& message = {});

  bool isPopulated() const {
    return m_graph && m_nextNode >= m_graph->nodes.size() && m_nextEdge >= m_graph->edges.size();
  }
  const DisplayGraph* displayGraph() const { return m_graph.get(); }
  std::shared_ptr<const DisplayGraph> sharedDisplayGraph() const { return m_graph; }
  // Display-node index of a node or graph input/output name; -1 when unknown.
  int nodeIndex(const QString& name) const;
  NodeItem* nodeItem(int index) const;
  std::size_t itemCountAdded() const { return m_nextNode + m_nextEdge; }

  // Edge labels: shapes by value name; values not in the map (or an empty map) show the IR's shapes.
  void setValueShapes(std::map<std::string, std::string> shapes);
  QString edgeLabel(ir::ValueId value) const;
  // The label an edge shows (symbols shortened; empty where it would overlap a box or another label).
  QString displayedLabel(int edge) const;
  // Node items in view cache their rendering (device coordinates) at readable zooms, where text makes
  // painting cost; zoomed far out every cache is dropped, as re-rendering thousands of tiny pixmaps on
  // each zoom step costs far more than painting plain boxes. Only items seen are touched, so a call
  // stays cheap on huge graphs.
  void updateCaching(const QRectF& visible, double zoom);
  // Highlights the edges into and out of the node (-1: none).
  void highlightEdgesOf(int nodeIndex);
  // Marks the find hits (display node indices; empty: none).
  void setMarked(const std::vector<int>& nodes);
  bool isMarked(int index) const {
    return index >= 0 && static_cast<std::size_t>(index) < m_marked.size() && m_marked[static_cast<std::size_t>(index)];
  }
  std::size_t outlineCount() const { return m_outlineItems.size(); }

signals:
  // The user asked to collapse (true) or expand (false) the name scope `path`.
  void scopeToggled(QString path, bool collapse);
  void populateProgress(int done, int total);
  void populated();

private:
  void populateSlice();
  void placeLabels();
  bool addSome(qint64 budgetMs);

  std::shared_ptr<const DisplayGraph> m_graph;
  const TextMetrics* m_metrics = nullptr;
  std::vector<NodeItem*> m_nodeItems;
  std::vector<EdgeItem*> m_edgeItems;
  std::vector<std::vector<int>> m_edgesOfNode;
  struct EdgeLabel {
    QString text; // empty: none
    QRectF box;
  };
  std::vector<EdgeLabel> m_labels; // per edge
  std::unordered_map<QString, int> m_byName;
  std::map<std::string, std::string> m_shapes;
  std::size_t m_nextNode = 0;
  std::size_t m_nextEdge = 0;
  int m_highlighted = -1;
  std::vector<NodeItem*> m_cached;
  std::vector<QGraphicsItem*> m_outlineItems;
  std::vector<bool> m_marked;
  unsigned m_generation = 0;
};

} // namespace gs::ui
