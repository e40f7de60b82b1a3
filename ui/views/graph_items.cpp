// See graph_items.h.
#include "ui/views/graph_items.h"

#include <algorithm>

#include <QFontMetricsF>
#include <QPainter>
#include <QStyleOptionGraphicsItem>

namespace gs::ui {
namespace gst = graph_style;

namespace {

constexpr double kArrowLength = 7;
constexpr double kArrowHalfWidth = 3.5;
constexpr double kDetailLod = gst::kDetailZoom;
constexpr double kLabelLod = gst::kLabelZoom;

// Fonts and their baselines, built once on first paint (GUI thread).
struct PaintFonts {
  QFont title = gst::titleFont();
  QFont row = gst::rowFont();
  QFont label = gst::labelFont();
  double titleAscent = QFontMetricsF(title).ascent();
  double titleDescent = QFontMetricsF(title).descent();
  double rowAscent = QFontMetricsF(row).ascent();
  double rowDescent = QFontMetricsF(row).descent();
  double labelAscent = QFontMetricsF(label).ascent();
  double labelDescent = QFontMetricsF(label).descent();
};

const PaintFonts& fonts() {
  static const PaintFonts f;
  return f;
}

} // namespace

NodeItem::NodeItem(const DisplayNode* node, int index) : m_node(node), m_index(index) {
  setFlag(ItemIsSelectable);
  setZValue(1);
  setPos(node->x, node->y);
  QString tip = node->kind == DisplayNode::Kind::Op ? node->name : QString();
  if (node->hasBody) tip += QStringLiteral("\n") + QObject::tr("Double-click to open its body graph");
  if (node->outerScope) tip = QObject::tr("%1\nfrom the enclosing graph").arg(node->name);
  setToolTip(tip);
}

QRectF NodeItem::boundingRect() const {
  const double w = m_node->width, h = m_node->height;
  return QRectF(-w / 2 - 2, -h / 2 - 2, w + 4, h + 4);
}

QVariant NodeItem::itemChange(GraphicsItemChange change, const QVariant& value) {
  if (change == ItemSelectedHasChanged) update();
  return QGraphicsItem::itemChange(change, value);
}

void NodeItem::paint(QPainter* p, const QStyleOptionGraphicsItem* option, QWidget*) {
  const QRectF r(-m_node->width / 2, -m_node->height / 2, m_node->width, m_node->height);
  const double lod = option->levelOfDetailFromTransform(p->worldTransform());
  const bool io = m_node->kind != DisplayNode::Kind::Op;
  if (lod < kDetailLod) {
    p->fillRect(r, isSelected() ? gst::kSelection
                                : (io ? gst::kIoFill.darker(130) : gst::categoryColor(m_node->category)));
    return;
  }
  if (io)
    paintIo(p, r);
  else
    paintOp(p, r);
}

void NodeItem::paintOp(QPainter* p, const QRectF& r) const {
  const PaintFonts& f = fonts();
  const double rad = gst::kCornerRadius;
  QPainterPath box;
  box.addRoundedRect(r, rad, rad);
  p->setPen(Qt::NoPen);
  if (!m_node->rows.empty()) {
    p->setBrush(gst::kRowsFill);
    p->drawPath(box);
    QPainterPath header;
    header.addRect(QRectF(r.left(), r.top(), r.width(), gst::kTitleHeight));
    p->setBrush(gst::categoryColor(m_node->category));
    p->drawPath(box.intersected(header));
  } else {
    p->setBrush(gst::categoryColor(m_node->category));
    p->drawPath(box);
  }
  p->setPen(Qt::white);
  p->setFont(f.title);
  p->drawText(QRectF(r.left(), r.top(), r.width(), gst::kTitleHeight), Qt::AlignCenter, m_node->title);
  if (!m_node->rows.empty()) {
    p->setFont(f.row);
    const QFontMetricsF fm(f.row);
    double y = r.top() + gst::kTitleHeight + gst::kRowsPadY;
    for (const auto& row : m_node->rows) {
      const double base = y + (gst::kRowHeight + f.rowAscent - f.rowDescent) / 2;
      p->setPen(gst::kRowKey);
      p->drawText(QPointF(r.left() + gst::kPadX, base), row.key);
      p->setPen(gst::kRowValue);
      p->drawText(QPointF(r.left() + gst::kPadX + fm.horizontalAdvance(row.key) + gst::kRowGap, base), row.value);
      y += gst::kRowHeight;
    }
  }
  p->setBrush(Qt::NoBrush);
  if (isSelected()) {
    p->setPen(QPen(gst::kSelection, 2.5));
  } else {
    p->setPen(QPen(gst::kBorder, 1));
  }
  p->drawPath(box);
}

void NodeItem::paintIo(QPainter* p, const QRectF& r) const {
  const double rad = r.height() / 2;
  p->setBrush(gst::kIoFill);
  // A value read from the enclosing graph (subgraph bodies) has a dashed outline.
  p->setPen(isSelected() ? QPen(gst::kSelection, 2.5)
                         : QPen(gst::kBorder, 1, m_node->outerScope ? Qt::DashLine : Qt::SolidLine));
  p->drawRoundedRect(r, rad, rad);
  p->setPen(gst::kRowValue);
  p->setFont(fonts().row);
  p->drawText(r, Qt::AlignCenter, m_node->title);
}

EdgeItem::EdgeItem(const DisplayEdge* edge) : m_edge(edge) {
  setAcceptedMouseButtons(Qt::NoButton);
  setZValue(0);
  const auto& pts = edge->route;
  if (pts.size() >= 2) {
    // Vertical tangents at every route point: a smooth S between layers, straight through them.
    QPointF tip(pts.back().x, pts.back().y);
    m_path.moveTo(pts.front().x, pts.front().y);
    for (std::size_t i = 0; i + 1 < pts.size(); ++i) {
      QPointF a(pts[i].x, pts[i].y);
      QPointF b(pts[i + 1].x, pts[i + 1].y);
      const bool last = i + 2 == pts.size();
      if (last && b.y() - a.y() > kArrowLength) b.ry() -= kArrowLength;
      const double dy = (b.y() - a.y()) / 2;
      if (a.x() == b.x() || dy <= 0)
        m_path.lineTo(b);
      else
        m_path.cubicTo(QPointF(a.x(), a.y() + dy), QPointF(b.x(), b.y() - dy), b);
    }
    const double dir = pts.back().y >= pts[pts.size() - 2].y ? 1.0 : -1.0;
    m_arrow << tip << QPointF(tip.x() - kArrowHalfWidth, tip.y() - dir * kArrowLength)
            << QPointF(tip.x() + kArrowHalfWidth, tip.y() - dir * kArrowLength);
    for (const auto& pt : pts)
      m_polyline << QPointF(pt.x, pt.y);
  }
  updateBounds();
}

void EdgeItem::setLabel(const QString& label, const QRectF& box) {
  if (label == m_label && box == m_labelBox) return;
  prepareGeometryChange();
  m_label = label;
  m_labelBox = label.isEmpty() ? QRectF() : box;
  updateBounds();
  update();
}

void EdgeItem::setHighlighted(bool on) {
  if (on == m_highlighted) return;
  m_highlighted = on;
  setZValue(on ? 0.5 : 0);
  update();
}

void EdgeItem::updateBounds() {
  QRectF b = m_path.boundingRect().united(m_arrow.boundingRect());
  if (!m_label.isEmpty()) b = b.united(m_labelBox);
  m_bounds = b.adjusted(-2, -2, 2, 2);
}

void EdgeItem::paint(QPainter* p, const QStyleOptionGraphicsItem* option, QWidget*) {
  if (m_polyline.size() < 2) return;
  const double lod = option->levelOfDetailFromTransform(p->worldTransform());
  const QColor color = m_highlighted ? gst::kSelection : gst::kEdge;
  if (lod < kDetailLod) {
    QPen pen(color, 0); // cosmetic: one device pixel whatever the zoom
    p->setPen(pen);
    p->drawPolyline(m_polyline);
    return;
  }
  p->setPen(QPen(color, m_highlighted ? 2.0 : 1.0));
  p->setBrush(Qt::NoBrush);
  p->drawPath(m_path);
  p->setPen(Qt::NoPen);
  p->setBrush(color);
  p->drawPolygon(m_arrow);
  if (!m_label.isEmpty() && lod >= kLabelLod) {
    const PaintFonts& f = fonts();
    p->fillRect(m_labelBox, QColor(255, 255, 255, 210));
    p->setPen(gst::kEdgeLabel);
    p->setFont(f.label);
    p->drawText(QPointF(m_labelBox.left() + 2, m_labelBox.top() + 1 + f.labelAscent), m_label);
  }
}

} // namespace gs::ui
