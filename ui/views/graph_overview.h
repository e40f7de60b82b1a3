// The graph view's overview map: the whole graph in miniature in the canvas's bottom right corner
// (boxes in their category colours, open scopes outlined, find hits as dots) with the part on screen
// framed; a click or drag there moves the view. Shown only while the graph does not fit the view.
// The miniature is drawn once per graph into an image, so it costs nothing while panning.
#pragma once

#include <memory>
#include <vector>

#include <QImage>
#include <QWidget>

#include "ui/views/display_graph.h"

namespace gs::ui {

class GraphCanvas;

class GraphOverview : public QWidget {
  Q_OBJECT
public:
  explicit GraphOverview(GraphCanvas* canvas);

  void setDisplayGraph(std::shared_ptr<const DisplayGraph> graph);
  void setMarked(const std::vector<int>& nodes);
  // Follows the canvas: shows or hides itself and moves the frame (called on every view change).
  void updateView();

  // Where a point of the map lies in the scene, and the frame of the visible part in map pixels.
  QPointF mapToScene(QPointF p) const;
  QRectF frameRect() const;
  bool isUseful() const; // the graph is larger than the view

protected:
  void paintEvent(QPaintEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;

private:
  void render();
  void place();
  QPointF toMap(QPointF scene) const;

  GraphCanvas* m_canvas;
  std::shared_ptr<const DisplayGraph> m_graph;
  std::vector<int> m_marked;
  QImage m_image;
  QRectF m_scene; // the scene rect the map shows
  double m_sx = 1, m_sy = 1;
};

} // namespace gs::ui
