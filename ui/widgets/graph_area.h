// The main window's centre: the model's graph (ui/views' GraphView) with a hint page before a model
// is open, and the node properties panel that follows the graph's selection. After a compile the
// gears' shapes go to both: edge labels show the chosen gear, the panel lists every gear.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <QStringList>
#include <QWidget>

#include "core/ir/graph.h"
#include "core/om/model.h"

class QLabel;
class QStackedLayout;

namespace gs::ui {

class GraphView;
class NodePropertiesPanel;

class GraphArea : public QWidget {
  Q_OBJECT
public:
  explicit GraphArea(QWidget* parent = nullptr);

  void setModel(std::shared_ptr<const ir::Model> model, const QString& title);
  // The compiled gears' value shapes: the panel shows all, the edges the gear chosen by showGear.
  // sourceShapes: per gear, the source graph's shapes (see CompileOutcome); the compiled gear
  // graphs fill in what they lack.
  void setCompiled(const om::Model* compiled, const std::vector<std::map<std::string, std::string>>& sourceShapes = {});
  // Edge labels from gear `index` of the last compile; -1: the model's own symbolic shapes.
  void showGear(int index);
  int findNext(const QString& text);
  bool selectNode(const QString& name);
  void fitToView();
  bool exportImage(const QString& path, QString* error);

  GraphView* view() const { return m_view; }
  // Per gear of the last compile: value name -> shape ("[1,3,8,8]").
  const std::vector<std::map<std::string, std::string>>& gearShapes() const { return m_gearShapes; }
  // The node properties panel that follows this view's selection (owned by the caller's dock).
  NodePropertiesPanel* createPropertiesPanel(QWidget* parent);

private:
  std::shared_ptr<const ir::Model> m_model;
  QStackedLayout* m_stack = nullptr;
  QLabel* m_hint = nullptr;
  GraphView* m_view = nullptr;
  NodePropertiesPanel* m_props = nullptr;
  std::vector<std::map<std::string, std::string>> m_gearShapes;
};

} // namespace gs::ui
