// The main window's centre: the model's graph (ui/views' GraphView) and the node properties panel
// that follows its selection. Keeps the main window independent of how the graph view is built.
#pragma once

#include <memory>

#include <QWidget>

#include "core/ir/graph.h"

class QLabel;
class QStackedLayout;

namespace gs::ui {

class GraphArea : public QWidget {
  Q_OBJECT
public:
  explicit GraphArea(QWidget* parent = nullptr);

  void setModel(std::shared_ptr<const ir::Model> model, const QString& title);
  // Shapes of the values for edge labels (a gear's, after a compile); empty: the model's own.
  void setValueShapes(std::map<std::string, std::string> shapes);
  int findNext(const QString& text);
  void fitToView();
  bool exportImage(const QString& path, QString* error);
  bool hasGraphView() const;

  // The node properties panel that follows this view's selection (owned by the caller's dock).
  QWidget* createPropertiesPanel(QWidget* parent);

signals:
  void nodeSelected(const QString& name);

private:
  std::shared_ptr<const ir::Model> m_model;
  QLabel* m_placeholder = nullptr;
  QLabel* m_propsPlaceholder = nullptr;
};

} // namespace gs::ui
