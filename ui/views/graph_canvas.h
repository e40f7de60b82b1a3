// The QGraphicsView under GraphView: pan by dragging, zoom with the wheel centred at the cursor, F to
// fit, + and - to zoom, double-click on a node reported (to open bodies), with rendering settings that keep big graphs
// smooth.
#pragma once

#include <QGraphicsView>

namespace gs::ui {

class GraphCanvas : public QGraphicsView {
  Q_OBJECT
public:
  explicit GraphCanvas(QGraphicsScene* scene, QWidget* parent = nullptr);

  double zoom() const;
  // Sets the scale, clamped to a sensible range, keeping the point under `anchor` (view pixels) fixed.
  void setZoom(double zoom, QPoint anchor);
  void zoomBy(double factor);
  // Sets the scale and centres the given scene point.
  void setZoomCentered(double zoom, QPointF sceneCenter);
  // Fits the scene, never enlarging past 100 %.
  void fitScene();

signals:
  void fitRequested();
  // The visible part of the scene changed (zoom, scroll or resize).
  void viewChanged();
  // A node item was double-clicked (its display-node index).
  void nodeDoubleClicked(int index, QPoint globalPos);

protected:
  void scrollContentsBy(int dx, int dy) override;
  void resizeEvent(QResizeEvent* event) override;
  void wheelEvent(QWheelEvent* event) override;
  void keyPressEvent(QKeyEvent* event) override;
  void mouseDoubleClickEvent(QMouseEvent* event) override;
};

} // namespace gs::ui
