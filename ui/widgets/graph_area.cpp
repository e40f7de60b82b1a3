// See graph_area.h.
#include "ui/widgets/graph_area.h"

#include <QLabel>
#include <QStackedLayout>

#include "ui/views/graph_view.h"
#include "ui/views/node_properties.h"

namespace gs::ui {

GraphArea::GraphArea(QWidget* parent) : QWidget(parent) {
  m_hint = new QLabel(tr("Open an ONNX model: File ▸ Open, drag a file here, or pass it on the command line."), this);
  m_hint->setAlignment(Qt::AlignCenter);
  m_hint->setWordWrap(true);
  m_hint->setStyleSheet(QStringLiteral("QLabel { color: #6b7280; background: #fafafa; font-size: 11pt; }"));
  m_view = new GraphView(this);
  m_view->setObjectName(QStringLiteral("graphView"));
  m_stack = new QStackedLayout(this);
  m_stack->setContentsMargins(0, 0, 0, 0);
  m_stack->addWidget(m_hint);
  m_stack->addWidget(m_view);
}

void GraphArea::setModel(std::shared_ptr<const ir::Model> model, const QString& title) {
  m_model = std::move(model);
  m_gearShapes.clear();
  if (m_props) m_props->setGearShapes({});
  m_view->setValueShapes({});
  m_view->setModel(m_model, title);
  m_stack->setCurrentWidget(m_model ? static_cast<QWidget*>(m_view) : m_hint);
}

void GraphArea::setCompiled(const om::Model* compiled,
                            const std::vector<std::map<std::string, std::string>>& sourceShapes) {
  m_gearShapes.clear();
  QStringList labels;
  if (compiled)
    for (const auto& gear : compiled->gears) {
      const auto i = static_cast<std::size_t>(gear.index);
      auto shapes = i < sourceShapes.size() ? sourceShapes[i] : std::map<std::string, std::string>{};
      for (const auto& v : gear.graph.values)
        if (!v.isConstant()) shapes.emplace(v.name, v.shape.str());
      m_gearShapes.push_back(std::move(shapes));
      QStringList inputs;
      for (const auto& in : gear.inputs) {
        QStringList dims;
        for (auto d : in.dims)
          dims << QString::number(d);
        inputs << dims.join(QLatin1Char('x'));
      }
      labels << tr("gear %1 (%2)").arg(gear.index).arg(inputs.join(QStringLiteral(", ")));
    }
  if (m_props) m_props->setGearShapes(m_gearShapes, labels);
  showGear(m_gearShapes.empty() ? -1 : 0);
}

void GraphArea::showGear(int index) {
  if (index >= 0 && index < static_cast<int>(m_gearShapes.size()))
    m_view->setValueShapes(m_gearShapes[static_cast<std::size_t>(index)]);
  else
    m_view->setValueShapes({});
}

int GraphArea::findNext(const QString& text) { return m_model ? m_view->findNext(text) : 0; }

bool GraphArea::selectNode(const QString& name) { return m_model && m_view->selectNode(name); }

void GraphArea::fitToView() { m_view->fitToView(); }

bool GraphArea::exportImage(const QString& path, QString* error) {
  if (!m_model) {
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
