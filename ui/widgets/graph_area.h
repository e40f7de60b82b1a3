// The main window's centre: the model's graph (ui/views' GraphView) with a hint page before a model
// is open, and the node properties panel that follows the graph's selection. A bar above the graph
// picks what it shows: the imported graph or, after a compile, the compiled graph of one gear (or of
// the dynamic model), and which gear's shapes label the imported graph's edges (the symbolic shapes
// before a gear is chosen). After a compile the gears' shapes also go to the properties panel.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <QStringList>
#include <QWidget>

#include "core/ir/graph.h"
#include "core/om/model.h"

class QComboBox;
class QLabel;
class QStackedLayout;

namespace gs::ui {

class GraphView;
class NodePropertiesPanel;

class GraphArea : public QWidget {
  Q_OBJECT
public:
  // Graph choices besides the gears' indices.
  static constexpr int kImported = -1;
  static constexpr int kDynamic = -2;

  explicit GraphArea(QWidget* parent = nullptr);

  void setModel(std::shared_ptr<const ir::Model> model, const QString& title);
  // A compiled .om opened on its own (no ONNX model): the Graph choice offers each gear's graph (or
  // the dynamic graph), and the first is shown.
  void setOmModel(std::shared_ptr<const om::Model> compiled, const QString& title);
  // The compiled gears: the panel shows all gears' shapes, the edges those of the gear chosen by
  // showGear, and the Graph choice offers each gear's compiled graph. sourceShapes: per gear, the
  // source graph's shapes (see CompileOutcome); the compiled gear graphs fill in what they lack.
  void setCompiled(std::shared_ptr<const om::Model> compiled,
                   const std::vector<std::map<std::string, std::string>>& sourceShapes = {});
  std::shared_ptr<const om::Model> compiled() const { return m_compiled; }
  // Edge labels from gear `index` of the last compile (-1: the model's own symbolic shapes); when a
  // compiled graph is on screen, that gear's compiled graph is shown instead.
  void showGear(int index);
  // kImported, a gear index or kDynamic: which graph the view shows. False when there is no such graph.
  bool showGraph(int which);
  int graphShown() const { return m_shown; }
  int shapesGear() const { return m_shapesGear; }

  // Find in the graph on screen (see GraphView::findNext): the number of hits; position from 1 (0: none).
  int findNext(const QString& text);
  int findPrevious(const QString& text);
  int findPosition() const;
  bool selectNode(const QString& name);
  // Brings a node into view and selects it, wherever it is: in the imported graph (leaving a body or a
  // compiled graph for it) or else in the compiled graph of `gear` (a node the passes made). Used by
  // the profile's operator chart. False when no graph has it.
  bool revealNode(const QString& name, int gear = kImported);
  void fitToView();
  bool exportImage(const QString& path, QString* error);

  GraphView* view() const { return m_view; }
  QComboBox* graphBox() const { return m_graphBox; }
  QComboBox* shapesBox() const { return m_shapesBox; }
  // Per gear of the last compile: value name -> shape ("[1,3,8,8]").
  const std::vector<std::map<std::string, std::string>>& gearShapes() const { return m_gearShapes; }
  // The node properties panel that follows this view's selection (owned by the caller's dock).
  NodePropertiesPanel* createPropertiesPanel(QWidget* parent);

private:
  bool hasGraphs() const { return m_model || m_compiled; }
  std::shared_ptr<const ir::Graph> graphOf(int which) const;
  QString graphTitle(int which) const;
  void fillChoices();
  void applyShapes();

  std::shared_ptr<const ir::Model> m_model;
  std::shared_ptr<const om::Model> m_compiled;
  QString m_title;
  QStackedLayout* m_stack = nullptr;
  QLabel* m_hint = nullptr;
  QWidget* m_page = nullptr;
  QComboBox* m_graphBox = nullptr;
  QComboBox* m_shapesBox = nullptr;
  QLabel* m_shapesLabel = nullptr;
  GraphView* m_view = nullptr;
  NodePropertiesPanel* m_props = nullptr;
  std::vector<std::map<std::string, std::string>> m_gearShapes;
  QStringList m_gearLabels;
  int m_shown = kImported;
  int m_shapesGear = -1;
};

} // namespace gs::ui
