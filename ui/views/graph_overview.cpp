// See graph_overview.h.
#include "ui/views/graph_overview.h"

#include <algorithm>

#include <QMouseEvent>
#include <QPainter>
#include <QScrollBar>

#include "ui/views/graph_canvas.h"
#include "ui/views/graph_style.h"

namespace gs::ui {
namespace {
constexpr int kMaxSide = 180; // the map's longer side, in pixels
constexpr int kMinSide = 48;  // a very tall or wide graph still gets a usable strip
constexpr int kMargin = 10;
const QColor kFrame{0xff, 0x8c, 0x00};
const QColor kMark{0xd9, 0x46, 0xef};
} // namespace

GraphOverview::GraphOverview(GraphCanvas* canvas) : QWidget(canvas), m_canvas(canvas) {
  setObjectName(QStringLiteral("graphOverview"));
  setCursor(Qt::PointingHandCursor);
  setToolTip(tr("Overview: click or drag to move the view"));
  hide();
}

void GraphOverview::setDisplayGraph(std::shared_ptr<const DisplayGraph> graph) {
  m_graph = std::move(graph);
  m_marked.clear();
  render();
  updateView();
}

void GraphOverview::setMarked(const std::vector<int>& nodes) {
  m_marked = nodes;
  update();
}

void GraphOverview::render() {
  if (!m_graph || m_graph->nodes.empty()) {
    m_image = QImage();
    return;
  }
  m_scene = m_canvas->scene() ? m_canvas->sceneRect() : QRectF(0, 0, m_graph->width, m_graph->height);
  if (m_scene.isEmpty()) m_scene = QRectF(0, 0, std::max(m_graph->width, 1.0), std::max(m_graph->height, 1.0));
  const double s = kMaxSide / std::max(m_scene.width(), m_scene.height());
  const int w = std::clamp(static_cast<int>(m_scene.width() * s), kMinSide, kMaxSide);
  const int h = std::clamp(static_cast<int>(m_scene.height() * s), kMinSide, kMaxSide);
  m_sx = w / m_scene.width();
  m_sy = h / m_scene.height();
  m_image = QImage(w, h, QImage::Format_ARGB32_Premultiplied);
  m_image.fill(QColor(255, 255, 255, 235));
  QPainter p(&m_image);
  for (const auto& o : m_graph->outlines) {
    if (o.depth > 2) continue;
    p.setPen(QColor(0x7a, 0x8b, 0xa6));
    p.setBrush(QColor(0xe8, 0xee, 0xf7, 120));
    p.drawRect(QRectF(toMap(QPointF(o.left, o.top)), toMap(QPointF(o.right, o.bottom))));
  }
  p.setPen(Qt::NoPen);
  for (const auto& n : m_graph->nodes) {
    const QPointF a = toMap(QPointF(n.x - n.width / 2, n.y - n.height / 2));
    const QPointF b = toMap(QPointF(n.x + n.width / 2, n.y + n.height / 2));
    QRectF r(a, b);
    r.setWidth(std::max(r.width(), 1.0));
    r.setHeight(std::max(r.height(), 1.0));
    const QColor c = n.kind == DisplayNode::Kind::Group ? QColor(0x3b, 0x5b, 0x8c)
                     : n.kind == DisplayNode::Kind::Op  ? graph_style::categoryColor(n.category)
                                                        : QColor(0x90, 0x90, 0x90);
    p.fillRect(r, c);
  }
  p.end();
  setFixedSize(w + 2, h + 2);
}

QPointF GraphOverview::toMap(QPointF scene) const {
  return QPointF((scene.x() - m_scene.left()) * m_sx, (scene.y() - m_scene.top()) * m_sy);
}

QPointF GraphOverview::mapToScene(QPointF p) const {
  return QPointF(m_scene.left() + (p.x() - 1) / m_sx, m_scene.top() + (p.y() - 1) / m_sy);
}

QRectF GraphOverview::frameRect() const {
  const QRectF visible = m_canvas->mapToScene(m_canvas->viewport()->rect()).boundingRect();
  return QRectF(toMap(visible.topLeft()), toMap(visible.bottomRight())).translated(1, 1);
}

bool GraphOverview::isUseful() const {
  if (!m_graph || m_image.isNull()) return false;
  const QRectF visible = m_canvas->mapToScene(m_canvas->viewport()->rect()).boundingRect();
  return !visible.adjusted(-2, -2, 2, 2).contains(m_scene.adjusted(40, 40, -40, -40));
}

void GraphOverview::updateView() {
  const bool useful = isUseful();
  if (useful != isVisible()) setVisible(useful);
  if (useful) {
    place();
    update();
  }
}

void GraphOverview::place() {
  const QRect vp = m_canvas->viewport()->geometry();
  move(vp.right() - width() - kMargin, vp.bottom() - height() - kMargin);
  raise();
}

void GraphOverview::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.setPen(QColor(0xbb, 0xbb, 0xbb));
  p.setBrush(Qt::NoBrush);
  p.drawRect(rect().adjusted(0, 0, -1, -1));
  p.drawImage(1, 1, m_image);
  if (m_graph && !m_marked.empty()) {
    p.setPen(Qt::NoPen);
    p.setBrush(kMark);
    for (int i : m_marked) {
      if (i < 0 || static_cast<std::size_t>(i) >= m_graph->nodes.size()) continue;
      const auto& n = m_graph->nodes[static_cast<std::size_t>(i)];
      p.drawEllipse(toMap(QPointF(n.x, n.y)) + QPointF(1, 1), 2.5, 2.5);
    }
  }
  QRectF frame = frameRect().intersected(QRectF(rect()).adjusted(1, 1, -1, -1));
  if (frame.width() < 3) frame.setWidth(3);
  if (frame.height() < 3) frame.setHeight(3);
  p.setPen(QPen(kFrame, 1.5));
  p.setBrush(QColor(255, 140, 0, 40));
  p.drawRect(frame);
}

void GraphOverview::mousePressEvent(QMouseEvent* event) {
  m_canvas->centerOn(mapToScene(event->position()));
  event->accept();
}

void GraphOverview::mouseMoveEvent(QMouseEvent* event) {
  if (event->buttons() & Qt::LeftButton) m_canvas->centerOn(mapToScene(event->position()));
  event->accept();
}

} // namespace gs::ui
