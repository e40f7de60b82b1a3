// See graph_scene.h.
#include "ui/views/graph_scene.h"

#include <cmath>

#include <QElapsedTimer>
#include <QGraphicsSimpleTextItem>
#include <QSignalBlocker>
#include <QTimer>

#include "ui/views/graph_items.h"

namespace gs::ui {

namespace {
constexpr double kMargin = 40;
constexpr qint64 kSliceMs = 12; // per event-loop turn while populating
} // namespace

GraphScene::GraphScene(QObject* parent) : QGraphicsScene(parent) { setBackgroundBrush(graph_style::kBackground); }

GraphScene::~GraphScene() {
  // QGraphicsScene's destructor deletes the items, which would report selection changes to whoever
  // listens, about items half gone.
  blockSignals(true);
  m_nodeItems.clear();
  m_edgeItems.clear();
  m_highlighted = -1;
  clear();
}

void GraphScene::clearGraph(const QString& message) {
  ++m_generation;
  {
    const QSignalBlocker quiet(this); // no selectionChanged about items being deleted
    m_highlighted = -1;
    m_nodeItems.clear();
    m_edgeItems.clear();
    clear();
  }
  m_nodeItems.clear();
  m_edgeItems.clear();
  m_edgesOfNode.clear();
  m_labelled.clear();
  m_byName.clear();
  m_graph.reset();
  m_nextNode = m_nextEdge = 0;
  m_highlighted = -1;
  if (!message.isEmpty()) {
    auto* text = addSimpleText(message, graph_style::rowFont());
    text->setBrush(QColor(0x6b, 0x72, 0x80));
    const QRectF r = text->boundingRect();
    setSceneRect(QRectF(-r.width(), -r.height() * 4, r.width() * 3, r.height() * 9));
  } else {
    setSceneRect(QRectF(0, 0, 1, 1));
  }
}

void GraphScene::setDisplayGraph(std::shared_ptr<const DisplayGraph> graph, const TextMetrics* metrics) {
  clearGraph();
  m_graph = std::move(graph);
  m_metrics = metrics;
  if (!m_graph) return;
  setSceneRect(QRectF(-kMargin, -kMargin, m_graph->width + 2 * kMargin, m_graph->height + 2 * kMargin));
  m_nodeItems.assign(m_graph->nodes.size(), nullptr);
  m_edgeItems.assign(m_graph->edges.size(), nullptr);
  m_edgesOfNode.assign(m_graph->nodes.size(), {});
  for (std::size_t e = 0; e < m_graph->edges.size(); ++e) {
    m_edgesOfNode[static_cast<std::size_t>(m_graph->edges[e].from)].push_back(static_cast<int>(e));
    m_edgesOfNode[static_cast<std::size_t>(m_graph->edges[e].to)].push_back(static_cast<int>(e));
  }
  // One label per value and source, on its most vertical branch: fan-outs would repeat it everywhere.
  m_labelled.assign(m_graph->edges.size(), 0);
  std::unordered_map<uint64_t, std::size_t> best;
  auto slant = [](const DisplayEdge& e) { return e.route.size() < 2 ? 1e300 : std::abs(e.route[1].x - e.route[0].x); };
  for (std::size_t e = 0; e < m_graph->edges.size(); ++e) {
    const DisplayEdge& de = m_graph->edges[e];
    const uint64_t key =
        (static_cast<uint64_t>(static_cast<uint32_t>(de.from)) << 32) | static_cast<uint32_t>(de.value);
    auto [it, added] = best.try_emplace(key, e);
    if (!added && slant(de) < slant(m_graph->edges[it->second])) it->second = e;
  }
  for (const auto& [key, e] : best)
    m_labelled[e] = 1;
  m_byName.reserve(m_graph->nodes.size());
  for (std::size_t i = 0; i < m_graph->nodes.size(); ++i)
    m_byName.try_emplace(m_graph->nodes[i].name, static_cast<int>(i));
  const unsigned generation = m_generation;
  QTimer::singleShot(0, this, [this, generation] {
    if (generation == m_generation) populateSlice();
  });
}

bool GraphScene::addSome(qint64 budgetMs) {
  if (!m_graph) return true;
  QElapsedTimer clock;
  clock.start();
  const auto& g = *m_graph;
  // Nodes first (what users look for), then edges; check the clock every few dozen items.
  while (m_nextNode < g.nodes.size() || m_nextEdge < g.edges.size()) {
    for (int k = 0; k < 64; ++k) {
      if (m_nextNode < g.nodes.size()) {
        auto* item = new NodeItem(&g.nodes[m_nextNode], static_cast<int>(m_nextNode));
        addItem(item);
        m_nodeItems[m_nextNode++] = item;
      } else if (m_nextEdge < g.edges.size()) {
        const DisplayEdge& de = g.edges[m_nextEdge];
        auto* item = new EdgeItem(&de, m_metrics);
        if (m_labelled[m_nextEdge]) item->setLabel(edgeLabel(de.value));
        addItem(item);
        m_edgeItems[m_nextEdge++] = item;
      } else {
        break;
      }
    }
    if (budgetMs >= 0 && clock.elapsed() >= budgetMs) break;
  }
  return isPopulated();
}

void GraphScene::populateSlice() {
  const bool done = addSome(kSliceMs);
  if (m_graph)
    emit populateProgress(static_cast<int>(m_nextNode + m_nextEdge),
                          static_cast<int>(m_graph->nodes.size() + m_graph->edges.size()));
  if (done) {
    emit populated();
    return;
  }
  const unsigned generation = m_generation;
  QTimer::singleShot(0, this, [this, generation] {
    if (generation == m_generation) populateSlice();
  });
}

void GraphScene::populateAll() {
  if (!m_graph || isPopulated()) return;
  addSome(-1);
  ++m_generation; // the pending slice has nothing left to do
  emit populated();
}

int GraphScene::nodeIndex(const QString& name) const {
  const auto it = m_byName.find(name);
  return it == m_byName.end() ? -1 : it->second;
}

NodeItem* GraphScene::nodeItem(int index) const {
  if (index < 0 || static_cast<std::size_t>(index) >= m_nodeItems.size()) return nullptr;
  return m_nodeItems[static_cast<std::size_t>(index)];
}

QString GraphScene::edgeLabel(ir::ValueId value) const {
  if (!m_graph || value < 0 || static_cast<std::size_t>(value) >= m_graph->graph->values.size()) return {};
  const ir::Value& v = m_graph->graph->values[static_cast<std::size_t>(value)];
  if (const auto it = m_shapes.find(v.name); it != m_shapes.end()) return shapeLabel(it->second);
  if (!v.shape.rankKnown) return {};
  return shapeLabel(v.shape.str());
}

void GraphScene::setValueShapes(std::map<std::string, std::string> shapes) {
  m_shapes = std::move(shapes);
  for (std::size_t e = 0; e < m_edgeItems.size(); ++e)
    if (m_edgeItems[e] && m_labelled[e]) m_edgeItems[e]->setLabel(edgeLabel(m_edgeItems[e]->edge().value));
}

void GraphScene::highlightEdgesOf(int nodeIndex) {
  auto mark = [this](int node, bool on) {
    if (node < 0 || static_cast<std::size_t>(node) >= m_edgesOfNode.size()) return;
    for (int e : m_edgesOfNode[static_cast<std::size_t>(node)])
      if (EdgeItem* item = m_edgeItems[static_cast<std::size_t>(e)]) item->setHighlighted(on);
  };
  mark(m_highlighted, false);
  m_highlighted = nodeIndex;
  mark(m_highlighted, true);
}

} // namespace gs::ui
