// See node_properties.h.
#include "ui/views/node_properties.h"

#include <algorithm>
#include <map>

#include <QHeaderView>
#include <QLabel>
#include <QTreeWidget>
#include <QVBoxLayout>

#include "ui/views/display_graph.h"
#include "ui/views/graph_view.h"
#include "ui/views/weight_stats.h"

namespace gs::ui {

namespace {

QTreeWidgetItem* addRow(QTreeWidgetItem* parent, const QString& key, const QString& value) {
  auto* item = new QTreeWidgetItem(parent, {key, value});
  item->setToolTip(1, value);
  return item;
}

QTreeWidgetItem* addNumber(QTreeWidgetItem* parent, const QString& key, double value) {
  auto* item = addRow(parent, key, QString::number(value, 'g', 6));
  item->setData(1, Qt::UserRole, value); // the exact number, for copying and tests
  return item;
}

QString attributeText(const ir::Attribute& a) {
  using K = ir::Attribute::Kind;
  auto ints = [](const std::vector<int64_t>& v) {
    QStringList s;
    for (auto x : v)
      s << QString::number(x);
    return QStringLiteral("[") + s.join(QStringLiteral(", ")) + QStringLiteral("]");
  };
  switch (a.kind) {
  case K::Int:
    return QString::number(a.i);
  case K::Float:
    return QString::number(a.f, 'g', 7);
  case K::String:
    return QString::fromStdString(a.s);
  case K::Ints:
    return ints(a.ints);
  case K::Floats: {
    QStringList s;
    for (float f : a.floats)
      s << QString::number(f, 'g', 7);
    return QStringLiteral("[") + s.join(QStringLiteral(", ")) + QStringLiteral("]");
  }
  case K::Strings: {
    QStringList s;
    for (const auto& e : a.strings)
      s << QString::fromStdString(e);
    return s.join(QStringLiteral(", "));
  }
  case K::Tensor:
    return QStringLiteral("%1 %2").arg(QString::fromLatin1(ir::dtypeName(a.t.dtype).data())).arg(tensorSummary(a.t));
  case K::Graph:
    return QStringLiteral("graph, %1 nodes").arg(a.g ? a.g->nodes.size() : 0);
  case K::Tensors:
    return QStringLiteral("%1 tensors").arg(a.tensors.size());
  case K::Graphs:
    return QStringLiteral("%1 graphs").arg(a.graphs.size());
  }
  return {};
}

constexpr int kBodyRole = Qt::UserRole + 1; // on a graph attribute's row: the attribute name

QString dtypeText(ir::DataType t) {
  const auto name = ir::dtypeName(t);
  return QString::fromLatin1(name.data(), static_cast<qsizetype>(name.size()));
}

} // namespace

NodePropertiesPanel::NodePropertiesPanel(QWidget* parent) : QWidget(parent) {
  m_header = new QLabel(this);
  m_header->setWordWrap(true);
  m_header->setMargin(6);
  m_header->setTextInteractionFlags(Qt::TextSelectableByMouse);
  m_tree = new QTreeWidget(this);
  m_tree->setColumnCount(2);
  m_tree->setHeaderLabels({tr("Property"), tr("Value")});
  m_tree->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
  m_tree->setUniformRowHeights(true);
  m_tree->setAlternatingRowColors(true);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(0);
  layout->addWidget(m_header);
  layout->addWidget(m_tree);
  auto openBody = [this](QTreeWidgetItem* item, int) {
    const QString attr = item ? item->data(1, kBodyRole).toString() : QString();
    if (!attr.isEmpty() && !m_current.isEmpty()) emit openSubgraphRequested(m_current, attr);
  };
  connect(m_tree, &QTreeWidget::itemClicked, this, openBody);
  connect(m_tree, &QTreeWidget::itemActivated, this, openBody);
  clear();
}

void NodePropertiesPanel::follow(GraphView* view) {
  connect(view, &GraphView::nodeSelected, this, [this](const QString& name) { showNode(name); });
  connect(this, &NodePropertiesPanel::openSubgraphRequested, view,
          [view](const QString& node, const QString& attr) { view->openSubgraph(node, attr); });
  connect(view, &GraphView::layoutFinished, this, [this, view] {
    const QString current = m_current;
    setGraph(view->displayedGraph());
    if (!current.isEmpty()) showNode(current);
  });
}

void NodePropertiesPanel::setGraph(std::shared_ptr<const ir::Graph> graph) {
  m_graph = std::move(graph);
  m_nodeByName.clear();
  if (m_graph)
    for (std::size_t i = 0; i < m_graph->nodes.size(); ++i)
      m_nodeByName.try_emplace(nodeDisplayName(*m_graph, static_cast<ir::NodeId>(i)), static_cast<ir::NodeId>(i));
  clear();
}

void NodePropertiesPanel::setGearShapes(std::vector<std::map<std::string, std::string>> gears, QStringList labels) {
  m_gears = std::move(gears);
  m_gearLabels = std::move(labels);
  for (int i = static_cast<int>(m_gearLabels.size()); i < static_cast<int>(m_gears.size()); ++i)
    m_gearLabels << tr("gear %1").arg(i);
  if (!m_current.isEmpty()) showNode(QString(m_current));
}

void NodePropertiesPanel::clear() {
  m_current.clear();
  m_tree->clear();
  m_header->setText(tr("Select a node in the graph to see its properties."));
}

bool NodePropertiesPanel::showNode(const QString& name) {
  if (!m_graph) return false;
  if (const auto it = m_nodeByName.find(name); it != m_nodeByName.end()) {
    m_current = name;
    showOp(it->second);
    return true;
  }
  const ir::ValueId v = m_graph->findValue(name.toStdString());
  if (v == ir::kNone) return showScope(name);
  m_current = name;
  showValueOnly(v);
  return true;
}

bool NodePropertiesPanel::showScope(const QString& scope) {
  // A collapsed name scope's box: what is inside, by op type.
  const std::string prefix = scope.toStdString() + "/";
  std::map<std::string, int> ops;
  int members = 0;
  for (const auto& n : m_graph->nodes)
    if (n.name.starts_with(prefix)) {
      ++members;
      ++ops[n.opType];
    }
  if (members == 0) return false;
  m_current = scope;
  m_tree->clear();
  m_header->setText(tr("<b>%1</b><br>name scope, %2 nodes (double-click its box to expand it)")
                        .arg(scope.toHtmlEscaped())
                        .arg(members));
  auto* top = new QTreeWidgetItem(m_tree, {tr("ops")});
  std::vector<std::pair<std::string, int>> sorted(ops.begin(), ops.end());
  std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  for (const auto& [op, count] : sorted)
    new QTreeWidgetItem(top, {QString::fromStdString(op), QString::number(count)});
  top->setExpanded(true);
  return true;
}

void NodePropertiesPanel::showOp(ir::NodeId id) {
  const ir::Node& n = m_graph->nodes[static_cast<std::size_t>(id)];
  m_tree->clear();
  m_header->setText(
      QStringLiteral("<b>%1</b><br>%2")
          .arg(QString::fromStdString(n.opType).toHtmlEscaped(), nodeDisplayName(*m_graph, id).toHtmlEscaped()));
  auto* node = new QTreeWidgetItem(m_tree, {tr("Node")});
  addRow(node, tr("type"), QString::fromStdString(n.opType));
  addRow(node, tr("name"), QString::fromStdString(n.name));
  addRow(node, tr("domain"), n.domain.empty() ? QStringLiteral("ai.onnx") : QString::fromStdString(n.domain));
  addRow(node, tr("category"), QString::fromLatin1(graph_style::categoryName(graph_style::categoryOf(n.opType))));
  if (!n.attrs.empty()) {
    auto* attrs = new QTreeWidgetItem(m_tree, {tr("Attributes")});
    for (const auto& [key, a] : n.attrs) {
      auto* row = addRow(attrs, QString::fromStdString(key), attributeText(a));
      if (a.kind != ir::Attribute::Kind::Graph || !a.g) continue;
      // A body: shown as a link that opens it in the graph view.
      row->setText(1, tr("%1 \u2014 open").arg(attributeText(a)));
      row->setToolTip(1, tr("Click to show this body graph in the graph view"));
      row->setData(1, kBodyRole, QString::fromStdString(key));
      row->setForeground(1, palette().link());
      QFont f = row->font(1);
      f.setUnderline(true);
      row->setFont(1, f);
    }
  }
  auto* inputs = new QTreeWidgetItem(m_tree, {tr("Inputs")});
  for (std::size_t i = 0; i < n.inputs.size(); ++i) {
    if (n.inputs[i] == ir::kNone) {
      addRow(inputs, inputRole(n.opType, i), tr("(omitted)"));
      continue;
    }
    addValue(inputs, inputRole(n.opType, i), n.inputs[i]);
  }
  auto* outputs = new QTreeWidgetItem(m_tree, {tr("Outputs")});
  for (std::size_t i = 0; i < n.outputs.size(); ++i)
    if (n.outputs[i] != ir::kNone) addValue(outputs, QStringLiteral("out%1").arg(i), n.outputs[i]);
  m_tree->expandAll();
}

void NodePropertiesPanel::showValueOnly(ir::ValueId id) {
  const ir::Value& v = m_graph->values[static_cast<std::size_t>(id)];
  m_tree->clear();
  const QString kind = m_graph->isGraphInput(id)    ? tr("graph input")
                       : m_graph->isGraphOutput(id) ? tr("graph output")
                       : v.isConstant()             ? tr("constant")
                                                    : tr("value");
  m_header->setText(QStringLiteral("<b>%1</b><br>%2").arg(QString::fromStdString(v.name).toHtmlEscaped(), kind));
  auto* top = new QTreeWidgetItem(m_tree, {kind});
  addValue(top, tr("value"), id);
  m_tree->expandAll();
}

QTreeWidgetItem* NodePropertiesPanel::addValue(QTreeWidgetItem* parent, const QString& role, ir::ValueId id) {
  const ir::Value& v = m_graph->values[static_cast<std::size_t>(id)];
  auto* item = addRow(parent, role, QString::fromStdString(v.name));
  addRow(item, tr("dtype"), dtypeText(v.dtype));
  if (v.isConstant()) {
    addRow(item, tr("constant"), tensorSummary(*v.constant));
    addWeightStats(item, *v.constant);
  } else {
    addShapes(item, v);
  }
  return item;
}

void NodePropertiesPanel::addShapes(QTreeWidgetItem* parent, const ir::Value& v) {
  // Long symbols ("p2o.DynamicDimension.0") are shortened as on the edges; the tooltip has them whole.
  const QString full = v.shape.rankKnown ? shapeLabel(v.shape.str()) : tr("unknown");
  addRow(parent, tr("shape"), compactShapeLabel(full))->setToolTip(1, full);
  // Values no gear knows (inside a subgraph body, say) get no per-gear rows.
  const bool inSomeGear =
      std::any_of(m_gears.begin(), m_gears.end(), [&v](const auto& gear) { return gear.count(v.name) > 0; });
  for (std::size_t g = 0; inSomeGear && g < m_gears.size(); ++g) {
    const auto it = m_gears[g].find(v.name);
    addRow(parent, m_gearLabels[static_cast<qsizetype>(g)],
           it == m_gears[g].end() ? tr("(not in this gear)") : shapeLabel(it->second));
  }
}

void NodePropertiesPanel::addWeightStats(QTreeWidgetItem* parent, const ir::Tensor& t) {
  const auto stats = computeWeightStats(t);
  if (!stats) return;
  addNumber(parent, tr("elements"), static_cast<double>(stats->count));
  addNumber(parent, tr("min"), stats->min);
  addNumber(parent, tr("max"), stats->max);
  if (!stats->hasMoments) return;
  addNumber(parent, tr("mean"), stats->mean);
  addNumber(parent, tr("std"), stats->stddev);
  auto* sparsity = addNumber(parent, tr("sparsity"), stats->sparsity);
  sparsity->setText(1, QStringLiteral("%1 %").arg(stats->sparsity * 100, 0, 'f', 2));
}

} // namespace gs::ui
