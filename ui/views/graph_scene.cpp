// See graph_scene.h.
#include "ui/views/graph_scene.h"

#include <algorithm>
#include <cmath>

#include <QElapsedTimer>
#include <QFontMetricsF>
#include <QGraphicsSimpleTextItem>
#include <QSignalBlocker>
#include <QTimer>

#include "ui/views/graph_items.h"

namespace gs::ui {

namespace {
constexpr double kMargin = 40;
constexpr qint64 kSliceMs = 12; // per event-loop turn while populating
// Items per turn at most: adding is cheap (microseconds), but Qt then indexes and processes every new
// item in one queued call, whose cost grows with the batch (about 4 ms per 1000 items here).
constexpr std::size_t kSliceItems = 1500;
} // namespace

GraphScene::GraphScene(QObject* parent) : QGraphicsScene(parent) { setBackgroundBrush(graph_style::kBackground); }

GraphScene::~GraphScene() {
  // QGraphicsScene's destructor deletes the items, which would report selection changes to whoever
  // listens, about items half gone.
  blockSignals(true);
  m_nodeItems.clear();
  m_edgeItems.clear();
  m_cached.clear();
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
    m_cached.clear();
    m_outlineItems.clear();
    clear();
  }
  m_marked.clear();
  m_nodeItems.clear();
  m_edgeItems.clear();
  m_edgesOfNode.clear();
  m_labels.clear();
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
  // A fixed, shallow BSP index. Left automatic, Qt rebuilds the whole index on the GUI thread each time
  // the growing item count passes a power of two, and picks depths (15 for 20k items) whose alternating
  // splits cut a tall graph into slivers a few pixels wide, so every box lands in a hundred leaves.
  // About 64 items per leaf keeps inserts cheap and lookups short.
  const auto items = static_cast<double>(m_graph->nodes.size() + m_graph->edges.size());
  setBspTreeDepth(std::clamp(static_cast<int>(std::lround(std::log2(std::max(items / 64, 1.0)))), 4, 10));
  m_nodeItems.assign(m_graph->nodes.size(), nullptr);
  m_edgeItems.assign(m_graph->edges.size(), nullptr);
  m_edgesOfNode.assign(m_graph->nodes.size(), {});
  for (std::size_t e = 0; e < m_graph->edges.size(); ++e) {
    m_edgesOfNode[static_cast<std::size_t>(m_graph->edges[e].from)].push_back(static_cast<int>(e));
    m_edgesOfNode[static_cast<std::size_t>(m_graph->edges[e].to)].push_back(static_cast<int>(e));
  }
  m_byName.reserve(m_graph->nodes.size());
  for (std::size_t i = 0; i < m_graph->nodes.size(); ++i)
    m_byName.try_emplace(m_graph->nodes[i].name, static_cast<int>(i));
  placeLabels();
  // Scope outlines are few (one per open scope) and give the picture its structure from the start.
  m_outlineItems.reserve(m_graph->outlines.size());
  for (const auto& o : m_graph->outlines) {
    auto* item = new ScopeOutlineItem(&o);
    addItem(item);
    m_outlineItems.push_back(item);
  }
  const unsigned generation = m_generation;
  QTimer::singleShot(0, this, [this, generation] {
    if (generation == m_generation) populateSlice();
  });
}

void GraphScene::setMarked(const std::vector<int>& nodes) {
  if (!m_graph) return;
  std::vector<bool> marked(m_graph->nodes.size(), false);
  for (int n : nodes)
    if (n >= 0 && static_cast<std::size_t>(n) < marked.size()) marked[static_cast<std::size_t>(n)] = true;
  for (std::size_t i = 0; i < m_nodeItems.size(); ++i)
    if (m_nodeItems[i] && (i < m_marked.size() ? m_marked[i] : false) != marked[i]) m_nodeItems[i]->setMarked(marked[i]);
  m_marked = std::move(marked);
}

bool GraphScene::addSome(qint64 budgetMs) {
  if (!m_graph) return true;
  QElapsedTimer clock;
  clock.start();
  const auto& g = *m_graph;
  const std::size_t start = m_nextNode + m_nextEdge;
  // Nodes first (what users look for), then edges; check the clock every few dozen items.
  while (m_nextNode < g.nodes.size() || m_nextEdge < g.edges.size()) {
    for (int k = 0; k < 64; ++k) {
      if (m_nextNode < g.nodes.size()) {
        auto* item = new NodeItem(&g.nodes[m_nextNode], static_cast<int>(m_nextNode));
        if (isMarked(static_cast<int>(m_nextNode))) item->setMarked(true);
        addItem(item);
        m_nodeItems[m_nextNode++] = item;
      } else if (m_nextEdge < g.edges.size()) {
        const DisplayEdge& de = g.edges[m_nextEdge];
        auto* item = new EdgeItem(&de);
        const EdgeLabel& label = m_labels[m_nextEdge];
        if (!label.text.isEmpty()) item->setLabel(label.text, label.box);
        addItem(item);
        m_edgeItems[m_nextEdge++] = item;
      } else {
        break;
      }
    }
    if (budgetMs >= 0 && (clock.elapsed() >= budgetMs || m_nextNode + m_nextEdge - start >= kSliceItems)) break;
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
  if (!m_graph) return;
  placeLabels();
  for (std::size_t e = 0; e < m_edgeItems.size(); ++e)
    if (m_edgeItems[e]) m_edgeItems[e]->setLabel(m_labels[e].text, m_labels[e].box);
}

QString GraphScene::displayedLabel(int edge) const {
  if (edge < 0 || static_cast<std::size_t>(edge) >= m_labels.size()) return {};
  return m_labels[static_cast<std::size_t>(edge)].text;
}

void GraphScene::placeLabels() {
  const auto& g = *m_graph;
  m_labels.assign(g.edges.size(), {});
  // One label per value and source, on its most vertical branch: fan-outs would repeat it everywhere.
  std::unordered_map<uint64_t, std::size_t> best;
  auto slant = [](const DisplayEdge& e) { return e.route.size() < 2 ? 1e300 : std::abs(e.route[1].x - e.route[0].x); };
  for (std::size_t e = 0; e < g.edges.size(); ++e) {
    const DisplayEdge& de = g.edges[e];
    const uint64_t key =
        (static_cast<uint64_t>(static_cast<uint32_t>(de.from)) << 32) | static_cast<uint32_t>(de.value);
    auto [it, added] = best.try_emplace(key, e);
    if (!added && slant(de) < slant(g.edges[it->second])) it->second = e;
  }
  std::vector<std::size_t> labelled;
  labelled.reserve(best.size());
  for (const auto& [key, e] : best)
    labelled.push_back(e);
  std::sort(labelled.begin(), labelled.end());

  // Greedy placement on a grid of occupied rectangles: right of the edge, else left of it, else none
  // (the properties panel still has the shape). Boxes are obstacles from the start.
  constexpr double kCell = 128;
  std::unordered_map<uint64_t, std::vector<QRectF>> grid;
  auto cells = [](const QRectF& r, auto&& fn) {
    const auto x0 = static_cast<int64_t>(std::floor(r.left() / kCell)),
               x1 = static_cast<int64_t>(std::floor(r.right() / kCell));
    const auto y0 = static_cast<int64_t>(std::floor(r.top() / kCell)),
               y1 = static_cast<int64_t>(std::floor(r.bottom() / kCell));
    for (int64_t y = y0; y <= y1; ++y)
      for (int64_t x = x0; x <= x1; ++x)
        fn((static_cast<uint64_t>(static_cast<uint32_t>(x)) << 32) | static_cast<uint32_t>(y));
  };
  auto occupy = [&](const QRectF& r) { cells(r, [&](uint64_t c) { grid[c].push_back(r); }); };
  auto isFree = [&](const QRectF& r) {
    bool free = true;
    cells(r, [&](uint64_t c) {
      if (!free) return;
      if (const auto it = grid.find(c); it != grid.end())
        for (const QRectF& o : it->second)
          if (o.intersects(r)) {
            free = false;
            return;
          }
    });
    return free;
  };
  for (const auto& n : g.nodes)
    occupy(QRectF(n.x - n.width / 2 - 2, n.y - n.height / 2 - 2, n.width + 4, n.height + 4));
  const QFontMetricsF fm(graph_style::labelFont());
  const double h = fm.ascent() + fm.descent() + 2;
  for (std::size_t e : labelled) {
    const DisplayEdge& de = g.edges[e];
    if (de.route.size() < 2) continue;
    const QString text = compactShapeLabel(edgeLabel(de.value));
    if (text.isEmpty()) continue;
    const double w = m_metrics->width(TextMetrics::Font::Label, text) + 4;
    const QPointF anchor((de.route[0].x + de.route[1].x) / 2, (de.route[0].y + de.route[1].y) / 2);
    for (const QRectF& box :
         {QRectF(anchor.x() + 3, anchor.y() - h / 2, w, h), QRectF(anchor.x() - 3 - w, anchor.y() - h / 2, w, h)}) {
      if (!isFree(box)) continue;
      occupy(box);
      m_labels[e] = {text, box};
      break;
    }
  }
}

void GraphScene::updateCaching(const QRectF& visible, double zoom) {
  if (zoom < graph_style::kDetailZoom) {
    for (NodeItem* item : m_cached)
      item->setCacheMode(QGraphicsItem::NoCache);
    m_cached.clear();
    return;
  }
  for (QGraphicsItem* item : items(visible, Qt::IntersectsItemBoundingRect, Qt::AscendingOrder)) {
    if (item->type() != NodeItem::Type || item->cacheMode() != QGraphicsItem::NoCache) continue;
    item->setCacheMode(QGraphicsItem::DeviceCoordinateCache);
    m_cached.push_back(static_cast<NodeItem*>(item));
  }
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
