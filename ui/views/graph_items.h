// The scene items of the graph view: a node box (op, graph input or output) and an edge (a curve
// through its layout route, an arrow head and a shape label). Both paint from the immutable
// DisplayGraph, skip detail when zoomed far out, and have no effects, so tens of thousands stay cheap.
#pragma once

#include <QGraphicsItem>
#include <QPainterPath>
#include <QString>

#include "ui/views/display_graph.h"

namespace gs::ui {

class NodeItem : public QGraphicsItem {
public:
  enum { Type = UserType + 101 };
  NodeItem(const DisplayNode* node, int index);

  int type() const override { return Type; }
  QRectF boundingRect() const override;
  void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

  int index() const { return m_index; }
  const DisplayNode& node() const { return *m_node; }
  // A find hit: outlined in the find colour (and filled with it when zoomed far out).
  void setMarked(bool on);
  bool isMarked() const { return m_marked; }

protected:
  QVariant itemChange(GraphicsItemChange change, const QVariant& value) override;

private:
  void paintOp(QPainter* p, const QRectF& r) const;
  void paintIo(QPainter* p, const QRectF& r) const;
  void paintGroup(QPainter* p, const QRectF& r) const;

  const DisplayNode* m_node;
  int m_index;
  bool m_marked = false;
};

// The outline of an open name scope, behind the nodes, with its path on a header strip; a click on
// the header collapses the scope (GraphScene::scopeToggled). Zoomed far out, the path is drawn at a
// readable size on screen, so a fitted big graph shows its structure instead of a grey band.
class ScopeOutlineItem : public QGraphicsItem {
public:
  enum { Type = UserType + 103 };
  explicit ScopeOutlineItem(const ScopeOutline* outline);

  int type() const override { return Type; }
  // Outer scopes (depth 1 and 2) reach far to the right: zoomed out until they are thinner than their
  // path, the path is drawn beside them, like a table of contents along the graph.
  QRectF boundingRect() const override;
  QPainterPath shape() const override; // the header only: clicks elsewhere reach nodes and panning
  void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;
  const ScopeOutline& outline() const { return *m_outline; }
  QRectF headerRect() const;

protected:
  void mousePressEvent(QGraphicsSceneMouseEvent* event) override;

private:
  const ScopeOutline* m_outline;
  QRectF m_rect;
};

class EdgeItem : public QGraphicsItem {
public:
  enum { Type = UserType + 102 };
  explicit EdgeItem(const DisplayEdge* edge);

  int type() const override { return Type; }
  QRectF boundingRect() const override { return m_bounds; }
  void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

  const DisplayEdge& edge() const { return *m_edge; }
  // The shape label ("1×3×48×320") drawn in box (scene coordinates, placed by the scene so that labels
  // do not overlap boxes or each other); an empty label hides it.
  void setLabel(const QString& label, const QRectF& box);
  const QString& label() const { return m_label; }
  const QRectF& labelBox() const { return m_labelBox; } // empty without a label
  void setHighlighted(bool on);

private:
  void updateBounds();

  const DisplayEdge* m_edge;
  QPainterPath m_path;
  QPolygonF m_arrow;
  QPolygonF m_polyline; // what is drawn when zoomed far out
  QString m_label;
  QRectF m_labelBox;
  QRectF m_bounds;
  bool m_highlighted = false;
};

} // namespace gs::ui
