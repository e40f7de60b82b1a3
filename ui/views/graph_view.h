// The studio's model graph (Netron-like): boxes per op coloured by category with key attributes and
// constant inputs, graph inputs/outputs as pills, edges labelled with shapes. Layout runs off the GUI
// thread (QtConcurrent, a QFutureWatcher owned here); a newer graph cancels an older layout, big
// graphs show a progress overlay with Cancel, and items are added in slices so the GUI never stalls.
// The previous picture stays on screen until the new one is ready. Bodies of If/Loop/Scan open in
// the same view (double-click, or openSubgraph) with a breadcrumb bar back to the enclosing graphs.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <QElapsedTimer>
#include <QFutureWatcher>
#include <QString>
#include <QWidget>

#include "core/common/progress.h"
#include "core/ir/graph.h"
#include "ui/views/display_graph.h"
#include "ui/views/graph_find.h"

class QLabel;
class QProgressBar;
class QPushButton;
class QFrame;
class QTimer;

namespace gs::ui {

class GraphCanvas;
class GraphOverview;
class GraphScene;

class GraphView : public QWidget {
  Q_OBJECT
public:
  explicit GraphView(QWidget* parent = nullptr);
  ~GraphView() override;

  // Shows a graph (edge labels: the shapes it carries). Starts the layout in a worker.
  void setGraph(std::shared_ptr<const ir::Graph> graph, QString title);
  // Shows a model's graph, first inferring its symbolic shapes (in the worker) for the edge labels.
  void setModel(std::shared_ptr<const ir::Model> model, QString title);
  // Edge labels: shapes by value name (a gear's); an empty map goes back to the IR's symbolic shapes.
  void setValueShapes(std::map<std::string, std::string> shapesByValueName);
  // Selects and centres a node (op node name as nodeDisplayName(), or a graph input/output name).
  bool selectNode(const QString& nodeName);
  void fitToView();
  // Writes the graph as .png or .svg (by suffix). Finishes adding items first if needed.
  bool exportImage(const QString& path, QString* error);
  // Selects the next node matching a find query (graph_find.h: "op:Conv", "name:stage1",
  // "tensor:x", or a word that the name, op type or a tensor name contains; case-insensitive),
  // wrapping around; all hits are marked in the graph and the overview. A hit inside a collapsed
  // scope expands it. Returns the number of matching nodes (0: nothing selected).
  int findNext(const QString& text);
  // The same, backwards (the last hit first for a new text).
  int findPrevious(const QString& text);
  // Which hit is selected, from 1 (0: none), and how many there are for the current text.
  int findPosition() const { return m_findHits.empty() ? 0 : m_findPos + 1; }
  int findHitCount() const { return static_cast<int>(m_findHits.size()); }

  // Selects a node once the graph being laid out is on screen (at once when nothing is pending).
  void selectWhenReady(const QString& nodeName);

  // Name scopes (graph_scopes.h): collapse one into a box or expand it (a new layout in the worker);
  // all at once; and the options the picture on screen was built with.
  void setScopeCollapsed(const QString& path, bool collapsed);
  void collapseAllScopes();
  void expandAllScopes();
  ScopeOptions scopeOptions() const;
  GraphOverview* overview() const { return m_overview; }

  // Subgraph bodies (If, Loop, Scan; Netron-like). The graph attributes of an op node on screen:
  QStringList bodyAttributes(const QString& nodeName) const;
  // Shows the body in `attribute` (the first graph attribute when empty) of an op node on screen. The
  // enclosing graph is kept: a breadcrumb bar above the canvas leads back to it.
  bool openSubgraph(const QString& nodeName, const QString& attribute = {});
  // Back to the enclosing graph; false at the top.
  bool closeSubgraph();
  // Back to level `depth` of the breadcrumb (0: the top graph), selecting the node it was left by.
  void showLevel(int depth);
  int subgraphDepth() const { return static_cast<int>(m_levels.size()); }
  // One entry per level, the top graph's title first and the graph on screen last.
  QStringList breadcrumb() const;

  // The graph on screen (with inferred shapes after setModel); null before the first layout ends.
  std::shared_ptr<const ir::Graph> displayedGraph() const;
  std::shared_ptr<const DisplayGraph> displayGraph() const;
  QString selectedNodeName() const;
  QString title() const { return m_title; }
  bool isBusy() const;
  void cancelLayout();
  GraphScene* scene() const { return m_scene; }
  GraphCanvas* canvas() const { return m_canvas; }

signals:
  void nodeSelected(QString nodeName);
  // After the items of a new graph are all in the scene; millis: from setGraph to then.
  void layoutFinished(int nodeCount, double millis);
  void layoutFailed(QString message);
  // A subgraph was opened or closed; depth 0 is the top graph.
  void subgraphChanged(int depth);

protected:
  void resizeEvent(QResizeEvent* event) override;

private:
  struct Outcome {
    std::shared_ptr<DisplayGraph> graph;
    QString error;
    bool cancelled = false;
  };

  // A level left for a body: what it showed, so going back needs no new layout.
  struct Level {
    std::shared_ptr<const DisplayGraph> shown;
    QString title;
    QString crumb;
    QString openedFrom; // the node whose body was opened
  };
  // Laid-out graphs by source, so switching between graphs already seen needs no new layout.
  struct Cached {
    std::weak_ptr<const ir::Graph> source;
    int64_t inferOpset = 0;
    ScopeOptions scopes;
    std::shared_ptr<const DisplayGraph> shown;
  };

  void start(std::shared_ptr<const ir::Graph> graph, QString title, int64_t inferOpset,
             const ScopeOptions& scopes = {});
  void relayoutScopes(const ScopeOptions& scopes);
  // Expands the scopes that hide IR node `irNode` of the graph on screen; false when none does.
  bool expandToShow(int irNode);
  void present(std::shared_ptr<const DisplayGraph> shown, QString title);
  void resetLevels();
  void updateCrumbs();
  void onNodeDoubleClicked(int index, QPoint globalPos);
  void onLayoutDone();
  void onPopulated();
  void onSelectionChanged();
  void showOverlay(const QString& text, bool cancellable);
  void hideOverlay();
  void placeOverlay();

  GraphScene* m_scene = nullptr;
  GraphCanvas* m_canvas = nullptr;
  GraphOverview* m_overview = nullptr;
  QFrame* m_crumbBar = nullptr;
  QLabel* m_crumbs = nullptr;
  QFrame* m_overlay = nullptr;
  QLabel* m_overlayLabel = nullptr;
  QProgressBar* m_overlayProgress = nullptr;
  QPushButton* m_overlayCancel = nullptr;
  QTimer* m_overlayDelay = nullptr;
  QFutureWatcher<Outcome>* m_watcher = nullptr;
  std::shared_ptr<CancelToken> m_cancel;
  std::shared_ptr<const TextMetrics> m_metrics;
  QElapsedTimer m_clock;
  QString m_title;
  int m_pendingNodes = 0;
  unsigned m_generation = 0;
  bool m_layoutPending = false; // a layout of the current generation is queued or running
  std::map<std::string, std::string> m_shapes;
  std::vector<Level> m_levels; // the enclosing graphs of the one on screen, outermost first
  QString m_crumb;             // the breadcrumb entry of the graph on screen
  std::vector<Cached> m_cache;
  int64_t m_pendingOpset = 0;
  std::weak_ptr<const ir::Graph> m_pendingSource;
  ScopeOptions m_pendingScopes;
  // The source of the picture on screen (or coming), for a new layout with other scopes open.
  std::shared_ptr<const ir::Graph> m_source;
  int64_t m_sourceOpset = 0;
  QString m_revealScope; // an expanded scope to bring into view once laid out
  QString m_selectAfter; // selected when the pending graph is on screen
  int findStep(const QString& text, int step);

  void markHits();

  QString m_findText;
  std::vector<FindHit> m_findHits;
  int m_findPos = -1;
};

// Lays a graph out synchronously and writes it as .png or .svg (for `gearstudio --export-graph`).
// Needs a QGuiApplication. The Model overload infers shapes first for the edge labels.
bool exportGraphImage(const ir::Graph& graph, const QString& path, QString* error);
bool exportGraphImage(const ir::Model& model, const QString& path, QString* error);

} // namespace gs::ui
