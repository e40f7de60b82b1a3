// See graph_items.h.
#include "ui/views/graph_items.h"

#include <algorithm>

#include <QFontMetricsF>
#include <QGraphicsSceneMouseEvent>
#include <QPainter>
#include <QStyleOptionGraphicsItem>

#include "ui/views/graph_scene.h"

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

const QColor kMark{0xd9, 0x46, 0xef};       // find hits
const QColor kGroupFill{0x3b, 0x5b, 0x8c};  // a collapsed scope's header
const QColor kGroupBody{0xe8, 0xee, 0xf7};  // and its rows
const QColor kOutline{0x7a, 0x8b, 0xa6};    // an open scope's border
constexpr double kScreenFontPx = 12;         // text drawn at a fixed size on screen when zoomed far out

// Text at kScreenFontPx on screen, whatever the zoom, left-aligned in `box` (scene units); nothing
// when the box is too small on screen to hold it.
void drawScreenText(QPainter* p, const QRectF& box, double lod, const QString& text, const QColor& color,
                    bool centred) {
  const QFont font = [] {
    QFont f = gst::titleFont();
    f.setPixelSize(static_cast<int>(kScreenFontPx));
    return f;
  }();
  const QFontMetricsF fm(font);
  const double w = box.width() * lod, h = box.height() * lod;
  if (h < fm.height() || w < fm.horizontalAdvance(QStringLiteral("MMM"))) return;
  p->save();
  p->translate(box.topLeft());
  p->scale(1 / lod, 1 / lod);
  p->setFont(font);
  p->setPen(color);
  const QRectF screen(4, 0, w - 8, std::min(h, fm.height() * 1.6));
  p->drawText(centred ? QRectF(0, 0, w, h) : screen,
              (centred ? Qt::AlignCenter : Qt::AlignLeft | Qt::AlignVCenter),
              fm.elidedText(text, Qt::ElideMiddle, w - 8));
  p->restore();
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
  const bool group = m_node->kind == DisplayNode::Kind::Group;
  const bool io = m_node->kind == DisplayNode::Kind::Input || m_node->kind == DisplayNode::Kind::Output;
  if (lod < kDetailLod) {
    p->fillRect(r, isSelected() ? gst::kSelection
                   : m_marked   ? kMark
                   : group      ? kGroupFill
                                : (io ? gst::kIoFill.darker(130) : gst::categoryColor(m_node->category)));
    if (group) drawScreenText(p, r, lod, m_node->title, Qt::white, true);
    return;
  }
  if (group)
    paintGroup(p, r);
  else if (io)
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
    p->setPen(QPen(m_marked ? kMark : gst::kBorder, m_marked ? 2.5 : 1));
  }
  p->drawPath(box);
}

void NodeItem::setMarked(bool on) {
  if (on == m_marked) return;
  m_marked = on;
  update();
}

void NodeItem::paintGroup(QPainter* p, const QRectF& r) const {
  // A stack of two cards: the box stands for many nodes.
  const double rad = gst::kCornerRadius;
  p->setPen(QPen(kOutline, 1));
  p->setBrush(kGroupBody.darker(106));
  p->drawRoundedRect(r.translated(3, 3), rad, rad);
  QPainterPath box;
  box.addRoundedRect(r, rad, rad);
  p->setPen(Qt::NoPen);
  p->setBrush(kGroupBody);
  p->drawPath(box);
  QPainterPath header;
  header.addRect(QRectF(r.left(), r.top(), r.width(), gst::kTitleHeight));
  p->setBrush(kGroupFill);
  p->drawPath(box.intersected(header));
  const PaintFonts& f = fonts();
  p->setPen(Qt::white);
  p->setFont(f.title);
  p->drawText(QRectF(r.left(), r.top(), r.width(), gst::kTitleHeight), Qt::AlignCenter, m_node->title);
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
  p->setBrush(Qt::NoBrush);
  p->setPen(isSelected() ? QPen(gst::kSelection, 2.5) : QPen(m_marked ? kMark : kGroupFill, m_marked ? 2.5 : 1.2));
  p->drawPath(box);
}

ScopeOutlineItem::ScopeOutlineItem(const ScopeOutline* outline)
    : m_outline(outline), m_rect(QRectF(QPointF(outline->left, outline->top), QPointF(outline->right, outline->bottom))) {
  setZValue(-1 + 0.01 * outline->depth);
  setAcceptedMouseButtons(Qt::LeftButton);
  setToolTip(QObject::tr("%1\nClick the header to collapse this scope into one box").arg(outline->path));
}

namespace {
constexpr double kSideLabelReach = 400000; // scene units right of an outer outline for its side label
} // namespace

QRectF ScopeOutlineItem::boundingRect() const {
  const QRectF r = m_rect.adjusted(-1, -1, 1, 1);
  return m_outline->depth <= 2 ? r.adjusted(0, 0, kSideLabelReach, 0) : r;
}

QRectF ScopeOutlineItem::headerRect() const {
  return QRectF(m_rect.left(), m_rect.top(), m_rect.width(), gst::kTitleHeight - 2);
}

QPainterPath ScopeOutlineItem::shape() const {
  QPainterPath path;
  path.addRect(headerRect());
  return path;
}

void ScopeOutlineItem::paint(QPainter* p, const QStyleOptionGraphicsItem* option, QWidget*) {
  const double lod = option->levelOfDetailFromTransform(p->worldTransform());
  QColor fill = kGroupBody;
  fill.setAlpha(std::min(60 + 25 * m_outline->depth, 160));
  p->setBrush(fill);
  p->setPen(QPen(kOutline, 0)); // cosmetic: visible at any zoom
  p->drawRect(m_rect);
  if (lod < kDetailLod) {
    // Zoomed far out only the outermost paths are drawn (inner ones would overlap them): inside the
    // outline when it is wide enough on screen, else beside it, at the height of its top.
    if (m_outline->depth > 2) return;
    QFont font = gst::titleFont();
    font.setPixelSize(static_cast<int>(kScreenFontPx));
    const QFontMetricsF fm(font);
    const double textW = fm.horizontalAdvance(m_outline->path) + 12;
    if (m_rect.height() * lod < fm.height()) return;
    if (m_rect.width() * lod >= textW) {
      drawScreenText(p, m_rect, lod, m_outline->path, kGroupFill.darker(140), false);
      return;
    }
    // A tick from the outline to its label marks where the scope starts.
    const double indent = (m_outline->depth - 1) * 16.0;
    p->save();
    p->translate(m_rect.right(), m_rect.top());
    p->scale(1 / lod, 1 / lod);
    p->setPen(QPen(kOutline, 1));
    p->drawLine(QPointF(0, 0), QPointF(6 + indent, 0));
    p->drawLine(QPointF(2, 0), QPointF(2, std::min(m_rect.height() * lod, 4000.0)));
    p->setFont(font);
    p->setPen(kGroupFill.darker(140));
    p->drawText(QPointF(10 + indent, fm.ascent() - fm.height() / 2), m_outline->path);
    p->restore();
    return;
  }
  const QRectF header = headerRect();
  p->setPen(kGroupFill);
  p->setFont(fonts().row);
  p->drawText(header.adjusted(gst::kPadX, 0, -gst::kPadX, 0), Qt::AlignLeft | Qt::AlignVCenter,
              QStringLiteral("\u25be ") + m_outline->path);
}

void ScopeOutlineItem::mousePressEvent(QGraphicsSceneMouseEvent* event) {
  if (event->button() == Qt::LeftButton && headerRect().contains(event->pos())) {
    if (auto* s = qobject_cast<GraphScene*>(scene())) emit s->scopeToggled(m_outline->path, true);
    event->accept();
    return;
  }
  QGraphicsItem::mousePressEvent(event);
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
    // Cosmetic: one device pixel whatever the zoom; far out, where thousands overlap, faint, so that
    // boxes and scope outlines stand out from them.
    QColor faint = color;
    if (lod < 0.05 && !m_highlighted) faint.setAlpha(70);
    QPen pen(faint, 0);
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
