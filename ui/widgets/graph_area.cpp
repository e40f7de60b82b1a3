// See graph_area.h.
#include "ui/widgets/graph_area.h"

#include <QLabel>
#include <QVBoxLayout>

namespace gs::ui {

GraphArea::GraphArea(QWidget* parent) : QWidget(parent) {
  // PLACEHOLDER until ui/views/graph_view.h lands: the graph engineer's GraphView goes here.
  m_placeholder =
      new QLabel(tr("Open an ONNX model: File ▸ Open, drag a file here, or pass it on the command line."), this);
  m_placeholder->setAlignment(Qt::AlignCenter);
  m_placeholder->setWordWrap(true);
  m_placeholder->setStyleSheet(QStringLiteral("QLabel { color: #6b7280; background: #fafafa; font-size: 11pt; }"));
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(m_placeholder);
}

void GraphArea::setModel(std::shared_ptr<const ir::Model> model, const QString& title) {
  m_model = std::move(model);
  if (!m_model) return;
  m_placeholder->setText(tr("%1\n%2 nodes\n\n(graph view placeholder)").arg(title).arg(m_model->graph.nodes.size()));
}

void GraphArea::setValueShapes(std::map<std::string, std::string>) {}

int GraphArea::findNext(const QString&) { return 0; }

void GraphArea::fitToView() {}

bool GraphArea::exportImage(const QString&, QString* error) {
  if (error) *error = tr("the graph view is not available in this build");
  return false;
}

bool GraphArea::hasGraphView() const { return false; }

QWidget* GraphArea::createPropertiesPanel(QWidget* parent) {
  m_propsPlaceholder = new QLabel(tr("Select a node in the graph to see its properties."), parent);
  m_propsPlaceholder->setAlignment(Qt::AlignTop | Qt::AlignLeft);
  m_propsPlaceholder->setWordWrap(true);
  m_propsPlaceholder->setMargin(8);
  return m_propsPlaceholder;
}

} // namespace gs::ui
