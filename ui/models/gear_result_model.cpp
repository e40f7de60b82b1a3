// See gear_result_model.h.
#include "ui/models/gear_result_model.h"

#include <QBrush>
#include <QColor>
#include <QStringList>

namespace gs::ui {
namespace {

QString stateText(GearResultModel::State s) {
  switch (s) {
  case GearResultModel::State::Planned:
    return QObject::tr("planned");
  case GearResultModel::State::Compiling:
    return QObject::tr("compiling…");
  case GearResultModel::State::Compiled:
    return QObject::tr("compiled");
  case GearResultModel::State::Done:
    return QObject::tr("done");
  case GearResultModel::State::Failed:
    return QObject::tr("failed");
  case GearResultModel::State::Cancelled:
    return QObject::tr("cancelled");
  }
  return {};
}

QString dims(const std::vector<int64_t>& d) {
  QStringList parts;
  for (auto v : d)
    parts << QString::number(v);
  return QLatin1Char('[') + parts.join(QLatin1Char(',')) + QLatin1Char(']');
}

} // namespace

GearResultModel::GearResultModel(QObject* parent) : QAbstractTableModel(parent) {}

QString GearResultModel::formatBytes(uint64_t bytes) {
  const double b = static_cast<double>(bytes);
  if (bytes < 1024) return QStringLiteral("%1 B").arg(bytes);
  if (bytes < 1024 * 1024) return QStringLiteral("%1 KiB").arg(b / 1024.0, 0, 'f', 1);
  if (bytes < uint64_t{1024} * 1024 * 1024) return QStringLiteral("%1 MiB").arg(b / (1024.0 * 1024.0), 0, 'f', 2);
  return QStringLiteral("%1 GiB").arg(b / (1024.0 * 1024.0 * 1024.0), 0, 'f', 2);
}

QString GearResultModel::formatTensors(const std::vector<om::TensorDesc>& tensors) {
  QStringList parts;
  for (const auto& t : tensors)
    parts << QString::fromStdString(t.name) + dims(t.dims);
  return parts.join(QStringLiteral("; "));
}

int GearResultModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}
int GearResultModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant GearResultModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid()) return {};
  const auto& r = m_rows[static_cast<std::size_t>(index.row())];
  const bool done = r.state == State::Done;
  const bool measured = done && r.measured;
  if (role == Qt::DisplayRole || role == Qt::ToolTipRole) {
    switch (index.column()) {
    case Gear:
      return r.gear;
    case Status:
      return stateText(r.state);
    case Inputs:
      return r.inputs;
    case Outputs:
      return r.outputs;
    case Arena:
      return measured ? formatBytes(r.arenaBytes) : QString();
    case LowerBound:
      return measured ? formatBytes(r.lowerBoundBytes) : QString();
    case Ratio:
      return measured && r.lowerBoundBytes > 0
                 ? QString::number(static_cast<double>(r.arenaBytes) / static_cast<double>(r.lowerBoundBytes), 'f', 3)
                 : QString();
    case CompileMs:
      return done ? QString::number(r.compileMillis, 'f', 1) : QString();
    case GFlops:
      return measured ? QString::number(r.flops / 1e9, 'f', 3) : QString();
    case Nodes:
      return done ? QString::number(r.nodes) : QString();
    default:
      return {};
    }
  }
  if (role == Qt::TextAlignmentRole && index.column() >= Arena)
    return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
  if (role == Qt::ForegroundRole && index.column() == Status) {
    if (r.state == State::Failed) return QBrush(QColor(0xb0, 0x1c, 0x1c));
    if (r.state == State::Done || r.state == State::Compiled) return QBrush(QColor(0x1d, 0x6b, 0x2c));
    if (r.state == State::Compiling) return QBrush(QColor(0x1f, 0x4e, 0x8c));
  }
  return {};
}

QVariant GearResultModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal) return {};
  static const char* names[] = {"Gear",        "Status",        "Inputs",     "Outputs", "Arena",
                                "Lower bound", "Arena / bound", "Compile ms", "GFLOP",   "Nodes"};
  static const char* tips[] = {"Gear index (position in the gear list)",
                               "",
                               "Input shapes of this gear",
                               "Output shapes of this gear",
                               "Bytes of the activation arena this gear's memory plan needs",
                               "The largest sum of live tensor bytes at any step: no plan can need less",
                               "How close the plan is to the lower bound (1.000 is optimal)",
                               "Time to specialise, optimise and plan this gear",
                               "Floating-point operations of one run",
                               "Nodes after optimisation"};
  if (section < 0 || section >= ColumnCount) return {};
  if (role == Qt::DisplayRole) return tr(names[section]);
  if (role == Qt::ToolTipRole && *tips[section]) return tr(tips[section]);
  return {};
}

void GearResultModel::setPlanned(std::vector<Row> rows) {
  beginResetModel();
  m_rows = std::move(rows);
  endResetModel();
}

void GearResultModel::setCompiling(int index) {
  for (int i = 0; i < static_cast<int>(m_rows.size()); ++i) {
    auto& r = m_rows[static_cast<std::size_t>(i)];
    // Rows before `index` are finished; their numbers arrive with the whole result.
    const auto state = i < index ? State::Compiled : i == index ? State::Compiling : r.state;
    if (state == r.state) continue;
    r.state = state;
    emit dataChanged(this->index(i, 0), this->index(i, ColumnCount - 1));
  }
}

void GearResultModel::setStopped(bool cancelled) {
  for (int i = 0; i < static_cast<int>(m_rows.size()); ++i) {
    auto& r = m_rows[static_cast<std::size_t>(i)];
    if (r.state == State::Done) continue;
    r.state = cancelled ? State::Cancelled : State::Failed;
    emit dataChanged(index(i, 0), index(i, ColumnCount - 1));
  }
}

void GearResultModel::setResult(const om::Model& model) {
  std::vector<Row> rows;
  for (const auto& g : model.gears) {
    Row r;
    r.gear = QString::number(g.index);
    r.state = State::Done;
    r.inputs = formatTensors(g.inputs);
    r.outputs = formatTensors(g.outputs);
    r.arenaBytes = g.arenaBytes;
    r.lowerBoundBytes = g.arenaLowerBoundBytes;
    r.compileMillis = g.compileMillis;
    r.flops = g.flops;
    r.nodes = static_cast<int>(g.graph.nodes.size());
    r.measured = true;
    rows.push_back(std::move(r));
  }
  if (model.dynamic) {
    Row r;
    r.gear = tr("dynamic");
    r.state = State::Done;
    QStringList parts;
    for (const auto& in : model.dynamic->ranges) {
      QStringList d;
      for (const auto& range : in.dims)
        d << (range.lo == range.hi ? QString::number(range.lo)
                                   : QStringLiteral("%1~%2").arg(range.lo).arg(
                                         range.hi < 0 ? QStringLiteral("∞") : QString::number(range.hi)));
      parts << QString::fromStdString(in.name) + QLatin1Char('[') + d.join(QLatin1Char(',')) + QLatin1Char(']');
    }
    r.inputs = parts.join(QStringLiteral("; "));
    r.outputs = tr("resolved at run time");
    r.compileMillis = model.meta.compileMillis;
    r.nodes = static_cast<int>(model.dynamic->graph.nodes.size());
    rows.push_back(std::move(r));
  }
  setPlanned(std::move(rows));
}

void GearResultModel::clear() { setPlanned({}); }

} // namespace gs::ui
