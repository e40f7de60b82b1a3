// See graph_area.h.
#include "ui/widgets/graph_area.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <QStackedLayout>
#include <QVBoxLayout>

#include "ui/views/display_graph.h"
#include "ui/views/graph_view.h"
#include "ui/views/node_properties.h"

namespace gs::ui {
namespace {

// Whether an op node (by its display name) or a graph input/output is in the graph's top level.
bool hasNode(const ir::Graph& g, const QString& name) {
  for (std::size_t i = 0; i < g.nodes.size(); ++i)
    if (nodeDisplayName(g, static_cast<ir::NodeId>(i)) == name) return true;
  const ir::ValueId v = g.findValue(name.toStdString());
  return v != ir::kNone && (g.isGraphInput(v) || g.isGraphOutput(v));
}

QString dimsText(const std::vector<om::TensorDesc>& inputs) {
  QStringList parts;
  for (const auto& in : inputs) {
    QStringList dims;
    for (auto d : in.dims)
      dims << QString::number(d);
    parts << dims.join(QLatin1Char('x'));
  }
  return parts.join(QStringLiteral(", "));
}

} // namespace

GraphArea::GraphArea(QWidget* parent) : QWidget(parent) {
  m_hint = new QLabel(tr("Open an ONNX model: File ▸ Open, drag a file here, or pass it on the command line."), this);
  m_hint->setAlignment(Qt::AlignCenter);
  m_hint->setWordWrap(true);
  m_hint->setStyleSheet(QStringLiteral("QLabel { color: #6b7280; background: #fafafa; font-size: 11pt; }"));

  m_page = new QWidget(this);
  auto* bar = new QWidget(m_page);
  bar->setObjectName(QStringLiteral("graphBar"));
  m_graphBox = new QComboBox(bar);
  m_graphBox->setObjectName(QStringLiteral("graphChoice"));
  m_graphBox->setSizeAdjustPolicy(QComboBox::AdjustToContents);
  m_graphBox->setToolTip(tr("The imported ONNX graph, or the graph a gear was compiled to (after the passes)"));
  m_shapesBox = new QComboBox(bar);
  m_shapesBox->setObjectName(QStringLiteral("shapesChoice"));
  m_shapesBox->setSizeAdjustPolicy(QComboBox::AdjustToContents);
  m_shapesBox->setToolTip(tr("Which shapes label the edges: the model's symbolic shapes or a compiled gear's"));
  m_shapesLabel = new QLabel(tr("Edge shapes:"), bar);
  auto* barLayout = new QHBoxLayout(bar);
  barLayout->setContentsMargins(6, 3, 6, 3);
  barLayout->addWidget(new QLabel(tr("Graph:"), bar));
  barLayout->addWidget(m_graphBox);
  barLayout->addSpacing(12);
  barLayout->addWidget(m_shapesLabel);
  barLayout->addWidget(m_shapesBox);
  barLayout->addStretch(1);
  m_view = new GraphView(m_page);
  m_view->setObjectName(QStringLiteral("graphView"));
  auto* pageLayout = new QVBoxLayout(m_page);
  pageLayout->setContentsMargins(0, 0, 0, 0);
  pageLayout->setSpacing(0);
  pageLayout->addWidget(bar);
  pageLayout->addWidget(m_view, 1);

  m_stack = new QStackedLayout(this);
  m_stack->setContentsMargins(0, 0, 0, 0);
  m_stack->addWidget(m_hint);
  m_stack->addWidget(m_page);
  connect(m_graphBox, &QComboBox::activated, this, [this](int row) { showGraph(m_graphBox->itemData(row).toInt()); });
  connect(m_shapesBox, &QComboBox::activated, this, [this](int row) { showGear(m_shapesBox->itemData(row).toInt()); });
  fillChoices();
}

void GraphArea::setModel(std::shared_ptr<const ir::Model> model, const QString& title) {
  m_model = std::move(model);
  m_title = title;
  m_compiled.reset();
  m_gearShapes.clear();
  m_gearLabels.clear();
  m_shown = kImported;
  m_shapesGear = -1;
  if (m_props) m_props->setGearShapes({});
  m_view->setValueShapes({});
  m_view->setModel(m_model, title);
  fillChoices();
  m_stack->setCurrentWidget(m_model ? m_page : static_cast<QWidget*>(m_hint));
}

void GraphArea::setOmModel(std::shared_ptr<const om::Model> compiled, const QString& title) {
  m_model.reset();
  m_title = title;
  m_shown = kImported;
  m_shapesGear = -1;
  m_view->setValueShapes({});
  setCompiled(std::move(compiled));
  const int first = !m_compiled ? kImported : !m_compiled->gears.empty() ? m_compiled->gears.front().index : kDynamic;
  if (first == kImported || !showGraph(first)) m_view->setModel(nullptr, title);
  m_stack->setCurrentWidget(m_compiled ? m_page : static_cast<QWidget*>(m_hint));
}

void GraphArea::setCompiled(std::shared_ptr<const om::Model> compiled,
                            const std::vector<std::map<std::string, std::string>>& sourceShapes) {
  const bool compiledShown = m_shown != kImported;
  m_compiled = std::move(compiled);
  m_gearShapes.clear();
  m_gearLabels.clear();
  if (m_compiled)
    for (const auto& gear : m_compiled->gears) {
      const auto i = static_cast<std::size_t>(gear.index);
      auto shapes = i < sourceShapes.size() ? sourceShapes[i] : std::map<std::string, std::string>{};
      for (const auto& v : gear.graph.values)
        if (!v.isConstant()) shapes.emplace(v.name, v.shape.str());
      m_gearShapes.push_back(std::move(shapes));
      m_gearLabels << tr("gear %1 (%2)").arg(gear.index).arg(dimsText(gear.inputs));
    }
  // The properties panel's rows say "gear N": its narrow dock has no room for the dims too.
  if (m_props) m_props->setGearShapes(m_gearShapes);
  fillChoices();
  // A compiled graph on screen belongs to the old result: go back to the imported graph.
  if (compiledShown && m_model) showGraph(kImported);
  showGear(m_gearShapes.empty() ? -1 : 0);
}

void GraphArea::fillChoices() {
  const QSignalBlocker blockGraph(m_graphBox);
  const QSignalBlocker blockShapes(m_shapesBox);
  m_graphBox->clear();
  if (m_model || !m_compiled) m_graphBox->addItem(tr("Imported model"), kImported);
  if (m_compiled) {
    for (const auto& gear : m_compiled->gears)
      m_graphBox->addItem(tr("Compiled gear %1 (%2)").arg(gear.index).arg(dimsText(gear.inputs)), gear.index);
    if (m_compiled->dynamic) m_graphBox->addItem(tr("Compiled (dynamic shape)"), kDynamic);
  }
  m_graphBox->setCurrentIndex(std::max(0, m_graphBox->findData(m_shown)));
  m_graphBox->setEnabled(m_graphBox->count() > 1);
  m_shapesBox->clear();
  m_shapesBox->addItem(tr("symbolic (model)"), -1);
  for (int i = 0; i < static_cast<int>(m_gearLabels.size()); ++i)
    m_shapesBox->addItem(m_gearLabels[i], i);
  m_shapesBox->setCurrentIndex(std::max(0, m_shapesBox->findData(m_shapesGear)));
  // A compiled graph carries its own concrete shapes.
  m_shapesBox->setEnabled(m_shapesBox->count() > 1);
  m_shapesBox->setVisible(m_shown == kImported && m_model);
  m_shapesLabel->setVisible(m_shown == kImported && m_model);
}

void GraphArea::showGear(int index) {
  m_shapesGear = index >= 0 && index < static_cast<int>(m_gearShapes.size()) ? index : -1;
  // With a compiled graph on screen, choosing a gear (in the results table) shows that gear's graph.
  if (m_shown >= 0 && m_shapesGear >= 0 && m_shapesGear != m_shown) showGraph(m_shapesGear);
  applyShapes();
  fillChoices();
}

void GraphArea::applyShapes() {
  if (m_shown == kImported && m_shapesGear >= 0)
    m_view->setValueShapes(m_gearShapes[static_cast<std::size_t>(m_shapesGear)]);
  else
    m_view->setValueShapes({});
}

std::shared_ptr<const ir::Graph> GraphArea::graphOf(int which) const {
  if (which == kImported) return m_model ? std::shared_ptr<const ir::Graph>(m_model, &m_model->graph) : nullptr;
  if (!m_compiled) return nullptr;
  if (which == kDynamic)
    return m_compiled->dynamic ? std::shared_ptr<const ir::Graph>(m_compiled, &m_compiled->dynamic->graph) : nullptr;
  for (const auto& gear : m_compiled->gears)
    if (gear.index == which) return std::shared_ptr<const ir::Graph>(m_compiled, &gear.graph);
  return nullptr;
}

QString GraphArea::graphTitle(int which) const {
  if (which == kImported) return m_title;
  const int row = m_graphBox->findData(which);
  return m_title + QStringLiteral(" \u203a ") + (row >= 0 ? m_graphBox->itemText(row) : tr("compiled"));
}

bool GraphArea::showGraph(int which) {
  auto graph = graphOf(which);
  if (!graph) return false;
  if (which == m_shown && m_view->subgraphDepth() == 0 && m_view->displayedGraph()) return true;
  m_shown = which;
  applyShapes();
  if (which == kImported)
    m_view->setModel(m_model, m_title); // laid out already: the view keeps it
  else
    m_view->setGraph(std::move(graph), graphTitle(which));
  fillChoices();
  return true;
}

int GraphArea::findNext(const QString& text) { return hasGraphs() ? m_view->findNext(text) : 0; }

int GraphArea::findPrevious(const QString& text) { return hasGraphs() ? m_view->findPrevious(text) : 0; }

int GraphArea::findPosition() const { return hasGraphs() ? m_view->findPosition() : 0; }

bool GraphArea::selectNode(const QString& name) { return hasGraphs() && m_view->selectNode(name); }

bool GraphArea::revealNode(const QString& name, int gear) {
  if (!m_model || name.isEmpty()) return false;
  auto has = [this, &name](int which) {
    const auto g = graphOf(which);
    return g && hasNode(*g, name);
  };
  int target = kImported;
  if (!has(kImported)) {
    if (gear >= 0 && has(gear))
      target = gear;
    else if (has(kDynamic))
      target = kDynamic;
    else
      return false;
  }
  if (target != m_shown) {
    showGraph(target);
  } else if (m_view->subgraphDepth() > 0) {
    m_view->showLevel(0);
  }
  m_view->selectWhenReady(name);
  return true;
}

void GraphArea::fitToView() { m_view->fitToView(); }

bool GraphArea::exportImage(const QString& path, QString* error) {
  if (!hasGraphs()) {
    if (error) *error = tr("no model is open");
    return false;
  }
  return m_view->exportImage(path, error);
}

NodePropertiesPanel* GraphArea::createPropertiesPanel(QWidget* parent) {
  m_props = new NodePropertiesPanel(parent);
  m_props->follow(m_view);
  return m_props;
}

} // namespace gs::ui
