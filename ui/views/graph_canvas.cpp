// See graph_canvas.h.
#include "ui/views/graph_canvas.h"

#include <algorithm>
#include <cmath>

#include <QKeyEvent>
#include <QMouseEvent>
#include <QScrollBar>
#include <QWheelEvent>

#include "ui/views/graph_items.h"

namespace gs::ui {

namespace {
constexpr double kMinZoom = 0.0004; // an 11,000-node chain still fits
constexpr double kMaxZoom = 8.0;
} // namespace

GraphCanvas::GraphCanvas(QGraphicsScene* scene, QWidget* parent) : QGraphicsView(scene, parent) {
  setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing);
  setDragMode(QGraphicsView::ScrollHandDrag);
  setTransformationAnchor(QGraphicsView::NoAnchor);
  setResizeAnchor(QGraphicsView::AnchorViewCenter);
  setViewportUpdateMode(QGraphicsView::SmartViewportUpdate);
  setOptimizationFlags(QGraphicsView::DontSavePainterState | QGraphicsView::DontAdjustForAntialiasing);
  setCacheMode(QGraphicsView::CacheBackground);
  setFrameShape(QFrame::NoFrame);
  setFocusPolicy(Qt::StrongFocus);
}

double GraphCanvas::zoom() const { return transform().m11(); }

void GraphCanvas::setZoom(double z, QPoint anchor) {
  z = std::clamp(z, kMinZoom, kMaxZoom);
  const QPointF sceneAnchor = mapToScene(anchor);
  setTransform(QTransform::fromScale(z, z));
  // Move the scroll bars so the scene point under the anchor stays under it.
  const QPointF delta = mapFromScene(sceneAnchor) - QPointF(anchor);
  horizontalScrollBar()->setValue(horizontalScrollBar()->value() + static_cast<int>(std::lround(delta.x())));
  verticalScrollBar()->setValue(verticalScrollBar()->value() + static_cast<int>(std::lround(delta.y())));
  emit viewChanged();
}

void GraphCanvas::setZoomCentered(double z, QPointF sceneCenter) {
  z = std::clamp(z, kMinZoom, kMaxZoom);
  setTransform(QTransform::fromScale(z, z));
  centerOn(sceneCenter);
  emit viewChanged();
}

void GraphCanvas::zoomBy(double factor) { setZoom(zoom() * factor, viewport()->rect().center()); }

void GraphCanvas::fitScene() {
  if (!scene()) return;
  const QRectF r = scene()->sceneRect();
  if (r.isEmpty()) return;
  const QRectF vp = viewport()->rect().adjusted(4, 4, -4, -4);
  const double z = std::clamp(std::min(vp.width() / r.width(), vp.height() / r.height()), kMinZoom, 1.0);
  setZoomCentered(z, r.center());
}

void GraphCanvas::scrollContentsBy(int dx, int dy) {
  QGraphicsView::scrollContentsBy(dx, dy);
  emit viewChanged();
}

void GraphCanvas::resizeEvent(QResizeEvent* event) {
  QGraphicsView::resizeEvent(event);
  emit viewChanged();
}

void GraphCanvas::wheelEvent(QWheelEvent* event) {
  if (event->modifiers() & Qt::ShiftModifier) {
    QGraphicsView::wheelEvent(event); // scroll sideways
    return;
  }
  const double steps = event->angleDelta().y() / 120.0;
  if (steps == 0) {
    QGraphicsView::wheelEvent(event);
    return;
  }
  setZoom(zoom() * std::pow(1.2, steps), event->position().toPoint());
  event->accept();
}

void GraphCanvas::keyPressEvent(QKeyEvent* event) {
  switch (event->key()) {
  case Qt::Key_F:
    if (event->modifiers() == Qt::NoModifier) {
      emit fitRequested();
      return;
    }
    break;
  case Qt::Key_Plus:
  case Qt::Key_Equal:
    zoomBy(1.25);
    return;
  case Qt::Key_Minus:
    zoomBy(0.8);
    return;
  default:
    break;
  }
  QGraphicsView::keyPressEvent(event);
}

void GraphCanvas::mouseDoubleClickEvent(QMouseEvent* event) {
  for (QGraphicsItem* item : items(event->position().toPoint()))
    if (item->type() == NodeItem::Type) {
      emit nodeDoubleClicked(static_cast<NodeItem*>(item)->index(), event->globalPosition().toPoint());
      event->accept();
      return;
    }
  QGraphicsView::mouseDoubleClickEvent(event);
}

} // namespace gs::ui
