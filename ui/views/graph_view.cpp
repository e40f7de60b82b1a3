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
  toolsLayout->addWidget(zoomIn);
  toolsLayout->addWidget(zoomOut);
  toolsLayout->addWidget(fit);
  tools->adjustSize();
  connect(zoomIn, &QToolButton::clicked, this, [this] { m_canvas->zoomBy(1.25); });
  connect(zoomOut, &QToolButton::clicked, this, [this] { m_canvas->zoomBy(0.8); });
  connect(fit, &QToolButton::clicked, this, &GraphView::fitToView);
  connect(m_canvas, &GraphCanvas::fitRequested, this, &GraphView::fitToView);
  connect(m_canvas, &GraphCanvas::nodeDoubleClicked, this, &GraphView::onNodeDoubleClicked);
  connect(m_canvas, &GraphCanvas::viewChanged, this, [this] {
    m_scene->updateCaching(m_canvas->mapToScene(m_canvas->viewport()->rect()).boundingRect(), m_canvas->zoom());
  });

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

void GraphView::start(std::shared_ptr<const ir::Graph> graph, QString title, int64_t inferOpset) {
  ++m_generation;
  if (m_cancel) m_cancel->cancel();
  m_cancel = std::make_shared<CancelToken>();
  m_title = std::move(title);
  m_findText.clear();
  m_findHits.clear();
  m_selectAfter.clear();
  m_overlayDelay->stop();
  if (!graph) {
    m_layoutPending = false;
    hideOverlay();
    m_scene->clearGraph(tr("No model"));
    return;
  }
  for (const auto& c : m_cache)
    if (c.inferOpset == inferOpset && c.source.lock() == graph) {
      present(c.shown, m_title);
      return;
    }
  m_clock.start();
  m_pendingNodes = static_cast<int>(graph->nodes.size());
  m_pendingSource = graph;
  m_pendingOpset = inferOpset;
  // The previous picture stays until the new one is ready; the overlay says what is coming.
  showOverlay(tr("Laying out %1 nodes\u2026").arg(m_pendingNodes), true);
  DisplayOptions options;
  options.inferOpset = inferOpset;
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
  m_cache.push_back({m_pendingSource, m_pendingOpset, out.graph});
  if (m_cache.size() > kCacheSize) m_cache.erase(m_cache.begin());
  m_scene->setDisplayGraph(out.graph, m_metrics.get());
  m_scene->setValueShapes(m_shapes);
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
  m_scene->setDisplayGraph(std::move(shown), m_metrics.get());
  m_scene->setValueShapes(m_shapes);
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
  if (index < 0) return false;
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
  if (!dg || text.isEmpty()) {
    m_findText.clear();
    m_findHits.clear();
    return 0;
  }
  if (text != m_findText) {
    m_findText = text;
    m_findHits.clear();
    m_findPos = -1;
    const ir::Graph& g = *dg->graph;
    auto hit = [&text](const std::string& s) { return QString::fromStdString(s).contains(text, Qt::CaseInsensitive); };
    for (std::size_t i = 0; i < dg->nodes.size(); ++i) {
      const DisplayNode& n = dg->nodes[i];
      bool match = n.name.contains(text, Qt::CaseInsensitive) || n.title.contains(text, Qt::CaseInsensitive);
      if (!match && n.kind == DisplayNode::Kind::Op) {
        const ir::Node& node = g.nodes[static_cast<std::size_t>(n.irIndex)];
        for (const auto* list : {&node.inputs, &node.outputs})
          for (ir::ValueId v : *list)
            if (!match && v != ir::kNone) match = hit(g.values[static_cast<std::size_t>(v)].name);
      }
      if (match) m_findHits.push_back(static_cast<int>(i));
    }
    // Top to bottom, then left to right: the order a reader scans the graph in.
    std::stable_sort(m_findHits.begin(), m_findHits.end(), [dg](int a, int b) {
      const auto& na = dg->nodes[static_cast<std::size_t>(a)];
      const auto& nb = dg->nodes[static_cast<std::size_t>(b)];
      return na.y != nb.y ? na.y < nb.y : na.x < nb.x;
    });
  }
  if (m_findHits.empty()) return 0;
  const int n = static_cast<int>(m_findHits.size());
  m_findPos = m_findPos < 0 ? (step > 0 ? 0 : n - 1) : ((m_findPos + step) % n + n) % n;
  selectNode(dg->nodes[static_cast<std::size_t>(m_findHits[static_cast<std::size_t>(m_findPos)])].name);
  return static_cast<int>(m_findHits.size());
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
