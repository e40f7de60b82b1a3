// See input_table_model.h.
#include "ui/models/input_table_model.h"

#include <QBrush>
#include <QColor>
#include <QFont>

#include "ui/project.h"
#include "ui/views/display_graph.h"

namespace gs::ui {
namespace {

// "[?,3,?,?]": long generated symbols ("p2o.DynamicDimension.0") would hide the dims; the tooltip
// has the full shape.
QString compactShape(const ir::Shape& shape) {
  if (!shape.rankKnown) return QStringLiteral("?");
  QStringList dims;
  for (const auto& d : shape.dims)
    dims << shortDimLabel(d);
  return QLatin1Char('[') + dims.join(QLatin1Char(',')) + QLatin1Char(']');
}

} // namespace

InputTableModel::InputTableModel(Project* project, QObject* parent) : QAbstractTableModel(parent), m_project(project) {
  connect(project, &Project::formChanged, this, &InputTableModel::refresh);
  connect(project, &Project::modelChanged, this, &InputTableModel::refresh);
  refresh();
}

int InputTableModel::maxRank() const {
  int rank = 0;
  for (const auto& row : m_project->form().inputs)
    rank = std::max(rank, static_cast<int>(row.dims.size()));
  return rank;
}

void InputTableModel::refresh() {
  const int rows = static_cast<int>(m_project->form().inputs.size());
  const int rank = maxRank();
  if (rows != m_rows || rank != m_rank) {
    beginResetModel();
    m_rows = rows;
    m_rank = rank;
    endResetModel();
    return;
  }
  if (rows > 0) emit dataChanged(index(0, 0), index(rows - 1, columnCount() - 1));
}

int InputTableModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : m_rows; }
int InputTableModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : FirstDim + m_rank + InfoCount;
}

void InputTableModel::setFaultyDims(std::vector<std::pair<int, int>> dims) {
  if (dims == m_faultyDims) return;
  m_faultyDims = std::move(dims);
  if (m_rows > 0) emit dataChanged(index(0, 0), index(m_rows - 1, columnCount() - 1));
}

bool InputTableModel::isFaulty(int row, int column) const {
  for (const auto& [input, dim] : m_faultyDims)
    if (input == row && column == FirstDim + dim) return true;
  const auto& issue = m_project->check().issue;
  if (!issue || issue->field != FormField::Inputs) return false;
  if (issue->input < 0) return isDimColumn(column); // the whole --input_shape
  if (issue->input != row) return false;
  return issue->dim < 0 || column == FirstDim + issue->dim || column == Name;
}

QVariant InputTableModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= m_rows) return {};
  const auto& form = m_project->form();
  const auto& row = form.inputs[static_cast<std::size_t>(index.row())];
  const auto* graph = m_project->graph();
  const ir::Value* value = nullptr;
  if (graph)
    if (auto id = graph->findValue(row.name.toStdString()); id != ir::kNone) value = &graph->values[id];
  const int col = index.column();
  const int dim = col - FirstDim;

  if (role == Qt::DisplayRole || role == Qt::EditRole) {
    if (col == Name) return row.name;
    if (isDimColumn(col)) return dim < row.dims.size() ? row.dims[dim] : QVariant();
    if (col == infoColumn(Type)) return value ? QString::fromUtf8(ir::dtypeName(value->dtype).data()) : QString();
    if (col == infoColumn(Format)) return row.dims.size() >= 4 ? form.inputFormat : QStringLiteral("ND");
    if (col == infoColumn(ModelShape)) return value ? compactShape(value->shape) : QString();
    return {};
  }
  if (role == Qt::ToolTipRole) {
    if (isFaulty(index.row(), col) && m_project->check().issue) return m_project->check().issue->text();
    if (col == infoColumn(ModelShape) && value) return QString::fromStdString(value->shape.str());
    if (isDimColumn(col) && dim < row.dims.size())
      return tr("A number, -1 (a gear dim, or unbounded for dynamic shape) or a range lo~hi");
    return {};
  }
  if (role == Qt::BackgroundRole) {
    if (isFaulty(index.row(), col)) return QBrush(QColor(0xfd, 0xe2, 0xe1));
    if (isDimColumn(col) && dim >= row.dims.size()) return QBrush(QColor(0xf3, 0xf3, 0xf3));
    if (!isDimColumn(col) && col != Name) return QBrush(QColor(0xf7, 0xf8, 0xfa));
    return {};
  }
  if (role == Qt::FontRole && col == Name) {
    QFont f;
    f.setBold(true);
    return f;
  }
  if (role == Qt::ForegroundRole && !isDimColumn(col) && col != Name) return QBrush(QColor(0x4a, 0x55, 0x63));
  if (role == Qt::TextAlignmentRole && isDimColumn(col)) return Qt::AlignCenter;
  return {};
}

bool InputTableModel::setData(const QModelIndex& index, const QVariant& value, int role) {
  if (role != Qt::EditRole || !isDimColumn(index.column())) return false;
  const int dim = index.column() - FirstDim;
  const auto& row = m_project->form().inputs[static_cast<std::size_t>(index.row())];
  if (dim >= row.dims.size()) return false;
  if (row.dims[dim] == value.toString().trimmed()) return true;
  m_project->setDim(index.row(), dim, value.toString());
  return true;
}

Qt::ItemFlags InputTableModel::flags(const QModelIndex& index) const {
  if (!index.isValid()) return Qt::NoItemFlags;
  auto f = Qt::ItemIsEnabled | Qt::ItemIsSelectable;
  if (isDimColumn(index.column())) {
    const auto& row = m_project->form().inputs[static_cast<std::size_t>(index.row())];
    if (index.column() - FirstDim < row.dims.size()) f |= Qt::ItemIsEditable;
  }
  return f;
}

QVariant InputTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal) return {};
  if (role == Qt::ToolTipRole && isDimColumn(section))
    return tr("Dim %1: a number, -1 or lo~hi").arg(section - FirstDim);
  if (role != Qt::DisplayRole) return {};
  if (section == Name) return tr("Input");
  if (isDimColumn(section)) return tr("d%1").arg(section - FirstDim);
  if (section == infoColumn(Type)) return tr("Type");
  if (section == infoColumn(Format)) return tr("Format");
  if (section == infoColumn(ModelShape)) return tr("Model shape");
  return {};
}

} // namespace gs::ui
