// See graph_view.h.
#include "ui/views/graph_view.h"

#include <algorithm>
#include <utility>

#include <QFrame>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QProgressBar>
#include <QPushButton>
#include <QResizeEvent>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include "ui/views/graph_canvas.h"
#include "ui/views/graph_export.h"
#include "ui/views/graph_items.h"
#include "ui/views/graph_overview.h"
#include "ui/views/graph_scene.h"

namespace gs::ui {

namespace {
constexpr int kOverlayDelayMs = 150; // small graphs finish before any overlay would flash
constexpr int kImmediateOverlayNodes = 3000;
constexpr double kMinReadableZoom = 0.3; // a fit below this starts at the top at a readable zoom instead
constexpr std::size_t kCacheSize = 6;    // laid-out graphs kept (imported graph, compiled gears, bodies)

QToolButton* toolButton(const QString& text, const QString& tip, QWidget* parent) {
  auto* b = new QToolButton(parent);
  b->setText(text);
  b->setToolTip(tip);
  b->setAutoRaise(true);
  b->setFocusPolicy(Qt::NoFocus);
  return b;
}
} // namespace

GraphView::GraphView(QWidget* parent) : QWidget(parent) {
  m_metrics = std::make_shared<const TextMetrics>(TextMetrics::measure());
  m_scene = new GraphScene(this);
  m_canvas = new GraphCanvas(m_scene, this);
  // The breadcrumb bar, shown inside a body: "Back" and one link per enclosing graph.
  m_crumbBar = new QFrame(this);
  m_crumbBar->setObjectName(QStringLiteral("graphCrumbs"));
  m_crumbBar->setStyleSheet(QStringLiteral("#graphCrumbs { background: #eef2f7; border-bottom: 1px solid #c9d2de; }"));
  auto* crumbLayout = new QHBoxLayout(m_crumbBar);
  crumbLayout->setContentsMargins(4, 2, 8, 2);
  auto* back =
      toolButton(QStringLiteral("\u25c0 ") + tr("Back"), tr("Back to the enclosing graph (Backspace)"), m_crumbBar);
  back->setObjectName(QStringLiteral("graphBack"));
  back->setShortcut(Qt::Key_Backspace);
  m_crumbs = new QLabel(m_crumbBar);
  m_crumbs->setTextFormat(Qt::RichText);
  m_crumbs->setTextInteractionFlags(Qt::LinksAccessibleByMouse);
  crumbLayout->addWidget(back);
  crumbLayout->addWidget(m_crumbs, 1);
  m_crumbBar->hide();
  connect(back, &QToolButton::clicked, this, [this] { closeSubgraph(); });
  connect(m_crumbs, &QLabel::linkActivated, this, [this](const QString& link) { showLevel(link.toInt()); });

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(0);
  layout->addWidget(m_crumbBar);
  layout->addWidget(m_canvas);

  // Zoom and fit buttons in the top left corner of the canvas.
  auto* tools = new QFrame(m_canvas);
  tools->setObjectName(QStringLiteral("graphTools"));
  tools->setStyleSheet(QStringLiteral("#graphTools { background: rgba(255,255,255,220); border: 1px solid #ccc; "
                                      "border-radius: 4px; }"));
  auto* toolsLayout = new QHBoxLayout(tools);
  toolsLayout->setContentsMargins(2, 2, 2, 2);
  toolsLayout->setSpacing(0);
  auto* zoomIn = toolButton(QStringLiteral("+"), tr("Zoom in (+)"), tools);
  auto* zoomOut = toolButton(QStringLiteral("\u2212"), tr("Zoom out (-)"), tools);
  auto* fit = toolButton(tr("Fit"), tr("Fit the graph in the view (F)"), tools);
  auto* scopes = toolButton(tr("Scopes"), tr("Name scopes: double-click a scope box to expand it, click an "
                                             "outline's header to collapse it"),
                            tools);
  scopes->setObjectName(QStringLiteral("scopesButton"));
  scopes->setPopupMode(QToolButton::InstantPopup);
  auto* scopeMenu = new QMenu(scopes);
  scopeMenu->addAction(tr("Collapse all scopes"), this, &GraphView::collapseAllScopes);
  scopeMenu->addAction(tr("Expand all scopes"), this, &GraphView::expandAllScopes);
  scopes->setMenu(scopeMenu);
  toolsLayout->addWidget(zoomIn);
  toolsLayout->addWidget(zoomOut);
  toolsLayout->addWidget(fit);
  toolsLayout->addWidget(scopes);
  tools->adjustSize();
  connect(zoomIn, &QToolButton::clicked, this, [this] { m_canvas->zoomBy(1.25); });
  connect(zoomOut, &QToolButton::clicked, this, [this] { m_canvas->zoomBy(0.8); });
  connect(fit, &QToolButton::clicked, this, &GraphView::fitToView);
  connect(m_canvas, &GraphCanvas::fitRequested, this, &GraphView::fitToView);
  connect(m_canvas, &GraphCanvas::nodeDoubleClicked, this, &GraphView::onNodeDoubleClicked);
  m_overview = new GraphOverview(m_canvas);
  connect(m_canvas, &GraphCanvas::viewChanged, this, [this] {
    m_scene->updateCaching(m_canvas->mapToScene(m_canvas->viewport()->rect()).boundingRect(), m_canvas->zoom());
    m_overview->updateView();
  });
  connect(m_scene, &GraphScene::scopeToggled, this,
          [this](const QString& path, bool collapse) { setScopeCollapsed(path, collapse); });

  m_overlay = new QFrame(this);
  m_overlay->setObjectName(QStringLiteral("graphOverlay"));
  m_overlay->setStyleSheet(QStringLiteral("#graphOverlay { background: rgba(255,255,255,235); border: 1px solid "
                                          "#bbb; border-radius: 6px; }"));
  auto* ol = new QVBoxLayout(m_overlay);
  ol->setContentsMargins(16, 12, 16, 12);
  m_overlayLabel = new QLabel(m_overlay);
  m_overlayProgress = new QProgressBar(m_overlay);
  m_overlayProgress->setTextVisible(false);
  m_overlayProgress->setMinimumWidth(220);
  m_overlayCancel = new QPushButton(tr("Cancel"), m_overlay);
  ol->addWidget(m_overlayLabel);
  ol->addWidget(m_overlayProgress);
  ol->addWidget(m_overlayCancel, 0, Qt::AlignRight);
  m_overlay->hide();
  connect(m_overlayCancel, &QPushButton::clicked, this, &GraphView::cancelLayout);
  m_overlayDelay = new QTimer(this);
  m_overlayDelay->setSingleShot(true);
  connect(m_overlayDelay, &QTimer::timeout, this, [this] { m_overlay->show(); });

  m_watcher = new QFutureWatcher<Outcome>(this);
  connect(m_watcher, &QFutureWatcher<Outcome>::finished, this, &GraphView::onLayoutDone);
  connect(m_scene, &GraphScene::populated, this, &GraphView::onPopulated);
  connect(m_scene, &GraphScene::populateProgress, this, [this](int done, int total) {
    m_overlayProgress->setRange(0, total);
    m_overlayProgress->setValue(done);
  });
  connect(m_scene, &QGraphicsScene::selectionChanged, this, &GraphView::onSelectionChanged);
  m_scene->clearGraph(tr("No model"));
}

GraphView::~GraphView() {
  // The worker holds its own references; it only needs to stop early.
  if (m_cancel) m_cancel->cancel();
  disconnect(m_watcher, nullptr, this, nullptr);
}

void GraphView::setGraph(std::shared_ptr<const ir::Graph> graph, QString title) {
  resetLevels();
  m_crumb = title;
  start(std::move(graph), std::move(title), 0);
}

void GraphView::setModel(std::shared_ptr<const ir::Model> model, QString title) {
  resetLevels();
  m_crumb = title;
  if (!model) {
    start(nullptr, std::move(title), 0);
    return;
  }
  const int64_t opset = model->onnxOpset();
  start(std::shared_ptr<const ir::Graph>(model, &model->graph), std::move(title), opset);
}

void GraphView::start(std::shared_ptr<const ir::Graph> graph, QString title, int64_t inferOpset,
                      const ScopeOptions& scopes) {
  ++m_generation;
  m_source = graph;
  m_sourceOpset = inferOpset;
  if (m_cancel) m_cancel->cancel();
  m_cancel = std::make_shared<CancelToken>();
  m_title = std::move(title);
  m_findText.clear();
  m_findHits.clear();
  m_selectAfter.clear();
  m_revealScope.clear();
  m_overlayDelay->stop();
  if (!graph) {
    m_layoutPending = false;
    hideOverlay();
    m_scene->clearGraph(tr("No model"));
    return;
  }
  for (const auto& c : m_cache)
    if (c.inferOpset == inferOpset && c.scopes == scopes && c.source.lock() == graph) {
      present(c.shown, m_title);
      return;
    }
  m_clock.start();
  m_pendingNodes = static_cast<int>(graph->nodes.size());
  m_pendingSource = graph;
  m_pendingOpset = inferOpset;
  m_pendingScopes = scopes;
  // The previous picture stays until the new one is ready; the overlay says what is coming.
  showOverlay(tr("Laying out %1 nodes\u2026").arg(m_pendingNodes), true);
  DisplayOptions options;
  options.inferOpset = inferOpset;
  options.scopes = scopes;
  auto metrics = m_metrics;
  auto cancel = m_cancel;
  m_watcher->setFuture(QtConcurrent::run([graph, metrics, cancel, options]() -> Outcome {
    Outcome out;
    auto built = buildDisplayGraph(graph, *metrics, options, cancel.get());
    if (built) {
      out.graph = std::move(*built);
    } else {
      out.cancelled = built.error().code == codes::kCancelled;
      out.error = QString::fromStdString(built.error().str());
    }
    return out;
  }));
  // The watcher reports the future it watches now; remember which layout that is. (A queued task
  // is not "running" yet, so busy-ness is tracked here rather than asked of the future.)
  m_watcher->setProperty("generation", m_generation);
  m_layoutPending = true;
}

void GraphView::onLayoutDone() {
  // A finished signal of a superseded future may still be queued; only a finished current one counts.
  if (m_watcher->property("generation").toUInt() != m_generation || !m_watcher->future().isFinished()) return;
  m_layoutPending = false;
  const Outcome out = m_watcher->result();
  if (!out.graph) {
    hideOverlay();
    m_scene->clearGraph(out.cancelled ? tr("Layout cancelled") : tr("Layout failed: %1").arg(out.error));
    if (!out.cancelled) emit layoutFailed(out.error);
    return;
  }
  m_overlayLabel->setText(tr("Drawing %1 nodes\u2026").arg(m_pendingNodes));
  m_cache.push_back({m_pendingSource, m_pendingOpset, m_pendingScopes, out.graph});
  if (m_cache.size() > kCacheSize) m_cache.erase(m_cache.begin());
  m_scene->setDisplayGraph(out.graph, m_metrics.get());
  m_scene->setValueShapes(m_shapes);
  m_overview->setDisplayGraph(out.graph);
}

void GraphView::present(std::shared_ptr<const DisplayGraph> shown, QString title) {
  ++m_generation;
  if (m_cancel) m_cancel->cancel();
  m_layoutPending = false;
  m_title = std::move(title);
  m_findText.clear();
  m_findHits.clear();
  m_selectAfter.clear();
  hideOverlay();
  m_clock.start();
  m_pendingNodes = static_cast<int>(shown->graph->nodes.size());
  m_scene->setDisplayGraph(shown, m_metrics.get());
  m_scene->setValueShapes(m_shapes);
  m_overview->setDisplayGraph(std::move(shown));
}

ScopeOptions GraphView::scopeOptions() const {
  const DisplayGraph* dg = m_scene->displayGraph();
  return isBusy() || !dg ? m_pendingScopes : dg->scopeOptions;
}

void GraphView::relayoutScopes(const ScopeOptions& scopes) {
  // The graph on screen already carries its inferred shapes: lay it out again without inferring. (Its
  // source may be a body or an enclosing graph the breadcrumb went back to.)
  const auto shown = m_scene->sharedDisplayGraph();
  auto source = shown && !m_layoutPending ? shown->graph : m_source;
  const int64_t opset = shown && !m_layoutPending ? 0 : m_sourceOpset;
  if (!source) return;
  const QString select = selectedNodeName();
  const QString reveal = m_revealScope;
  auto levels = m_levels; // a new layout of the same graph: the breadcrumb stays
  start(std::move(source), m_title, opset, scopes);
  m_levels = std::move(levels);
  m_revealScope = reveal;
  if (!select.isEmpty() && m_selectAfter.isEmpty()) m_selectAfter = select;
}

void GraphView::setScopeCollapsed(const QString& path, bool collapsed) {
  ScopeOptions scopes = scopeOptions();
  const std::string p = path.toStdString();
  if (collapsed) {
    scopes.collapsed.insert(p);
    scopes.expanded.erase(p);
    // Inner scopes opened before stay open when this one is expanded again.
  } else {
    scopes.collapsed.erase(p);
    scopes.expanded.insert(p);
  }
  m_revealScope = collapsed ? QString() : path;
  relayoutScopes(scopes);
  if (collapsed) m_selectAfter = path; // the new box
}

void GraphView::collapseAllScopes() {
  ScopeOptions scopes;
  scopes.autoCollapseNodes = 0;
  m_revealScope.clear();
  relayoutScopes(scopes);
}

void GraphView::expandAllScopes() {
  ScopeOptions scopes;
  scopes.autoCollapseNodes = -1;
  m_revealScope.clear();
  relayoutScopes(scopes);
}

bool GraphView::expandToShow(int irNode) {
  const DisplayGraph* dg = m_scene->displayGraph();
  if (!dg || irNode < 0 || static_cast<std::size_t>(irNode) >= dg->graph->nodes.size()) return false;
  const int shown = dg->displayOfIr[static_cast<std::size_t>(irNode)];
  if (shown < 0 || dg->nodes[static_cast<std::size_t>(shown)].kind != DisplayNode::Kind::Group) return false;
  ScopeOptions scopes = dg->scopeOptions;
  for (const auto& p : scopeChain(scopeOf(dg->graph->nodes[static_cast<std::size_t>(irNode)].name))) {
    scopes.collapsed.erase(p);
    scopes.expanded.insert(p);
  }
  m_revealScope.clear();
  relayoutScopes(scopes);
  return true;
}

void GraphView::selectWhenReady(const QString& nodeName) {
  if (isBusy())
    m_selectAfter = nodeName;
  else
    selectNode(nodeName);
}

QStringList GraphView::bodyAttributes(const QString& nodeName) const {
  QStringList out;
  const DisplayGraph* dg = m_scene->displayGraph();
  const int index = m_scene->nodeIndex(nodeName);
  if (!dg || index < 0) return out;
  const DisplayNode& n = dg->nodes[static_cast<std::size_t>(index)];
  if (n.kind != DisplayNode::Kind::Op) return out;
  for (const auto& [name, attr] : dg->graph->nodes[static_cast<std::size_t>(n.irIndex)].attrs)
    if (attr.kind == ir::Attribute::Kind::Graph && attr.g) out << QString::fromStdString(name);
  return out;
}

bool GraphView::openSubgraph(const QString& nodeName, const QString& attribute) {
  const auto dg = m_scene->sharedDisplayGraph();
  const QStringList bodies = bodyAttributes(nodeName);
  // Not while another graph is being laid out: the one on screen is about to go.
  if (!dg || isBusy() || bodies.isEmpty() || (!attribute.isEmpty() && !bodies.contains(attribute))) return false;
  const QString attr = attribute.isEmpty() ? bodies.front() : attribute;
  const DisplayNode& n = dg->nodes[static_cast<std::size_t>(m_scene->nodeIndex(nodeName))];
  const ir::Node& node = dg->graph->nodes[static_cast<std::size_t>(n.irIndex)];
  std::shared_ptr<const ir::Graph> body = node.attrs.getGraph(attr.toStdString());
  m_levels.push_back({dg, m_title, m_crumb, nodeName});
  m_crumb = QStringLiteral("%1 \u203a %2").arg(nodeName, attr);
  start(std::move(body), m_levels.front().title + QStringLiteral(" \u203a ") + m_crumb, 0);
  updateCrumbs();
  emit subgraphChanged(subgraphDepth());
  return true;
}

bool GraphView::closeSubgraph() {
  if (m_levels.empty()) return false;
  showLevel(subgraphDepth() - 1);
  return true;
}

void GraphView::showLevel(int depth) {
  if (depth < 0 || depth >= subgraphDepth()) return;
  const Level level = m_levels[static_cast<std::size_t>(depth)];
  m_levels.resize(static_cast<std::size_t>(depth));
  m_crumb = level.crumb;
  present(level.shown, level.title);
  m_selectAfter = level.openedFrom; // where the user left this graph
  updateCrumbs();
  emit subgraphChanged(depth);
}

QStringList GraphView::breadcrumb() const {
  QStringList out;
  for (const auto& level : m_levels)
    out << level.crumb;
  out << m_crumb;
  return out;
}

void GraphView::resetLevels() {
  const bool inBody = !m_levels.empty();
  m_levels.clear();
  updateCrumbs();
  if (inBody) emit subgraphChanged(0);
}

void GraphView::updateCrumbs() {
  m_crumbBar->setVisible(!m_levels.empty());
  QStringList parts;
  for (std::size_t i = 0; i < m_levels.size(); ++i)
    parts << QStringLiteral("<a href=\"%1\">%2</a>").arg(i).arg(m_levels[i].crumb.toHtmlEscaped());
  parts << QStringLiteral("<b>%1</b>").arg(m_crumb.toHtmlEscaped());
  m_crumbs->setText(parts.join(QStringLiteral(" &nbsp;\u203a&nbsp; ")));
}

void GraphView::onNodeDoubleClicked(int index, QPoint globalPos) {
  const DisplayGraph* dg = m_scene->displayGraph();
  if (!dg || index < 0 || index >= static_cast<int>(dg->nodes.size())) return;
  const QString name = dg->nodes[static_cast<std::size_t>(index)].name;
  if (dg->nodes[static_cast<std::size_t>(index)].kind == DisplayNode::Kind::Group) {
    setScopeCollapsed(name, false);
    return;
  }
  const QStringList bodies = bodyAttributes(name);
  if (bodies.size() == 1) {
    openSubgraph(name, bodies.front());
  } else if (bodies.size() > 1) {
    // If has two branches: let the user pick.
    QMenu menu(this);
    for (const auto& attr : bodies)
      menu.addAction(tr("Open %1").arg(attr), this, [this, name, attr] { openSubgraph(name, attr); });
    menu.exec(globalPos);
  }
}

void GraphView::onPopulated() {
  hideOverlay();
  const QString select = std::exchange(m_selectAfter, QString());
  const QString reveal = std::exchange(m_revealScope, QString());
  if (!m_findText.isEmpty()) markHits();
  if (const DisplayGraph* dg = m_scene->displayGraph(); dg && !reveal.isEmpty()) {
    // An expanded scope: its outline in view, fitted when readable, else from its top.
    for (const auto& o : dg->outlines)
      if (o.path == reveal) {
        const QRectF r(QPointF(o.left, o.top), QPointF(o.right, o.bottom));
        const QRectF vp = m_canvas->viewport()->rect();
        const double z = std::min({vp.width() / r.width(), vp.height() / r.height(), 1.0});
        if (z >= kMinReadableZoom)
          m_canvas->setZoomCentered(z * 0.95, r.center());
        else
          m_canvas->setZoomCentered(0.8, QPointF(r.center().x(), r.top() + vp.height() / 2 / 0.8));
        emit layoutFinished(m_pendingNodes, static_cast<double>(m_clock.nsecsElapsed()) / 1e6);
        return;
      }
  }
  const QRectF r = m_scene->sceneRect();
  const QRectF vp = m_canvas->viewport()->rect();
  const double fitZoom = std::min(vp.width() / r.width(), vp.height() / r.height());
  if (fitZoom >= kMinReadableZoom || !m_scene->displayGraph() || m_scene->displayGraph()->nodes.empty()) {
    m_canvas->fitScene();
  } else {
    // Too big to read when fitted: start at the top, like reading a document.
    m_canvas->setZoomCentered(0.8, QPointF(r.center().x(), r.top() + vp.height() / 2 / 0.8));
  }
  if (!select.isEmpty()) selectNode(select);
  emit layoutFinished(m_pendingNodes, static_cast<double>(m_clock.nsecsElapsed()) / 1e6);
}

void GraphView::cancelLayout() {
  if (m_cancel) m_cancel->cancel();
  m_layoutPending = false;
  if (m_scene->displayGraph() && !m_scene->isPopulated()) {
    // Drawing was under way: keep nothing half-drawn.
    ++m_generation;
    m_scene->clearGraph(tr("Layout cancelled"));
  }
  m_overlayDelay->stop();
  hideOverlay();
}

bool GraphView::isBusy() const { return m_layoutPending || (m_scene->displayGraph() && !m_scene->isPopulated()); }

void GraphView::setValueShapes(std::map<std::string, std::string> shapesByValueName) {
  m_shapes = std::move(shapesByValueName);
  m_scene->setValueShapes(m_shapes);
}

bool GraphView::selectNode(const QString& nodeName) {
  const int index = m_scene->nodeIndex(nodeName);
  if (index < 0) {
    // A node inside a collapsed scope: open the scopes around it, then select it.
    const DisplayGraph* dg = m_scene->displayGraph();
    if (!dg || isBusy()) return false;
    for (std::size_t i = 0; i < dg->graph->nodes.size(); ++i)
      if (nodeDisplayName(*dg->graph, static_cast<ir::NodeId>(i)) == nodeName) {
        if (!expandToShow(static_cast<int>(i))) return false;
        m_selectAfter = nodeName;
        return true;
      }
    return false;
  }
  m_scene->populateAll();
  NodeItem* item = m_scene->nodeItem(index);
  if (!item) return false;
  m_scene->clearSelection();
  item->setSelected(true);
  m_canvas->setZoomCentered(std::max(m_canvas->zoom(), 0.6), item->pos());
  return true;
}

void GraphView::fitToView() { m_canvas->fitScene(); }

bool GraphView::exportImage(const QString& path, QString* error) {
  if (!m_scene->displayGraph()) {
    if (error) *error = isBusy() ? tr("the graph is still being laid out") : tr("there is no graph to export");
    return false;
  }
  m_scene->populateAll();
  return renderSceneToFile(*m_scene, path, m_title, error);
}

int GraphView::findNext(const QString& text) { return findStep(text, 1); }

int GraphView::findPrevious(const QString& text) { return findStep(text, -1); }

int GraphView::findStep(const QString& text, int step) {
  const DisplayGraph* dg = m_scene->displayGraph();
  if (!dg || text.isEmpty() || isBusy()) {
    if (text.isEmpty()) {
      m_findText.clear();
      m_findHits.clear();
      markHits();
    }
    return isBusy() ? static_cast<int>(m_findHits.size()) : 0;
  }
  if (text != m_findText) {
    m_findText = text;
    m_findPos = -1;
    m_findHits = findNodes(*dg, parseFindQuery(text));
    markHits();
  }
  if (m_findHits.empty()) return 0;
  const int n = static_cast<int>(m_findHits.size());
  m_findPos = m_findPos < 0 ? (step > 0 ? 0 : n - 1) : ((m_findPos + step) % n + n) % n;
  const FindHit& hit = m_findHits[static_cast<std::size_t>(m_findPos)];
  if (hit.irNode >= 0 && dg->nodes[static_cast<std::size_t>(hit.display)].kind == DisplayNode::Kind::Group) {
    // Inside a collapsed scope: open it; the hit is selected once the new picture is drawn, and the
    // hits are looked up again in it (the text and position are kept).
    const QString keepText = m_findText;
    const auto keepHits = m_findHits;
    const int keepPos = m_findPos;
    if (expandToShow(hit.irNode)) {
      m_findText = keepText;
      m_findHits = keepHits;
      m_findPos = keepPos;
      m_selectAfter = hit.name;
    }
    return n;
  }
  selectNode(hit.name);
  return n;
}

void GraphView::markHits() {
  std::vector<int> marked;
  const DisplayGraph* dg = m_scene->displayGraph();
  if (dg && !m_findText.isEmpty()) {
    // The hits as they lie in the picture on screen (a new layout moves them into other boxes).
    for (auto& hit : m_findHits) {
      if (hit.irNode >= 0 && static_cast<std::size_t>(hit.irNode) < dg->displayOfIr.size())
        hit.display = dg->displayOfIr[static_cast<std::size_t>(hit.irNode)];
      else if (hit.irNode < 0)
        hit.display = m_scene->nodeIndex(hit.name);
      marked.push_back(hit.display);
    }
  }
  m_scene->setMarked(marked);
  m_overview->setMarked(marked);
}

std::shared_ptr<const ir::Graph> GraphView::displayedGraph() const {
  const auto dg = m_scene->sharedDisplayGraph();
  return dg ? dg->graph : nullptr;
}

std::shared_ptr<const DisplayGraph> GraphView::displayGraph() const { return m_scene->sharedDisplayGraph(); }

QString GraphView::selectedNodeName() const {
  for (QGraphicsItem* item : m_scene->selectedItems())
    if (item->type() == NodeItem::Type) return static_cast<NodeItem*>(item)->node().name;
  return {};
}

void GraphView::onSelectionChanged() {
  int index = -1;
  for (QGraphicsItem* item : m_scene->selectedItems())
    if (item->type() == NodeItem::Type) index = static_cast<NodeItem*>(item)->index();
  m_scene->highlightEdgesOf(index);
  if (index >= 0) emit nodeSelected(m_scene->displayGraph()->nodes[static_cast<std::size_t>(index)].name);
}

void GraphView::showOverlay(const QString& text, bool cancellable) {
  m_overlayLabel->setText(text);
  m_overlayProgress->setRange(0, 0);
  m_overlayCancel->setVisible(cancellable);
  m_overlay->adjustSize();
  placeOverlay();
  m_overlay->raise();
  if (m_pendingNodes >= kImmediateOverlayNodes)
    m_overlay->show();
  else
    m_overlayDelay->start(kOverlayDelayMs);
}

void GraphView::hideOverlay() {
  m_overlayDelay->stop();
  m_overlay->hide();
}

void GraphView::placeOverlay() {
  m_overlay->move((width() - m_overlay->width()) / 2, (height() - m_overlay->height()) / 3);
  if (auto* tools = m_canvas->findChild<QFrame*>(QStringLiteral("graphTools")))
    tools->move(8, 8); // top left: clear of the scroll bars, which come and go
}

void GraphView::resizeEvent(QResizeEvent* event) {
  QWidget::resizeEvent(event);
  placeOverlay();
}

} // namespace gs::ui
