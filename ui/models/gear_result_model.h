// The compile results table: one row per gear (input and output shapes, arena bytes against the
// lower bound, compile time, FLOPs, node count) or one row for a dynamic-shape model. Before and
// during a compile the rows show the planned gears and their progress.
#pragma once

#include <cstdint>
#include <vector>

#include <QAbstractTableModel>
#include <QString>

#include "core/om/model.h"

namespace gs::ui {

class GearResultModel : public QAbstractTableModel {
  Q_OBJECT
public:
  enum Column { Gear, Status, Inputs, Outputs, Arena, LowerBound, Ratio, CompileMs, GFlops, Nodes, ColumnCount };
  enum class State { Planned, Compiling, Compiled, Done, Failed, Cancelled };

  struct Row {
    QString gear; // "0", "1", ... or "dynamic"
    State state = State::Planned;
    QString inputs;
    QString outputs;
    uint64_t arenaBytes = 0;
    uint64_t lowerBoundBytes = 0;
    double compileMillis = 0;
    double flops = 0;
    int nodes = 0;
    bool measured = false; // arena, bound and FLOPs known (static gears of a finished compile)
  };

  explicit GearResultModel(QObject* parent = nullptr);

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

  // The gears about to be compiled (their input shapes), all Planned.
  void setPlanned(std::vector<Row> rows);
  // Gear `index` is being compiled; those before it are finished (Compiled).
  void setCompiling(int index);
  // Rows not Done become Failed or Cancelled.
  void setStopped(bool cancelled);
  void setResult(const om::Model& model);
  void clear();

  const Row& row(int i) const { return m_rows[static_cast<std::size_t>(i)]; }

  static QString formatBytes(uint64_t bytes);
  static QString formatTensors(const std::vector<om::TensorDesc>& tensors);

private:
  std::vector<Row> m_rows;
};

} // namespace gs::ui
