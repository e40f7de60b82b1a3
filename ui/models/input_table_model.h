// One row per model input for the Inputs & Gears editor: the name, one editable cell per dim ("3",
// "-1", "1~8"), then dtype, format and the model's own shape (read-only). The cell or row the
// validator blames is tinted and carries the error as its tooltip.
#pragma once

#include <utility>
#include <vector>

#include <QAbstractTableModel>

namespace gs::ui {

class Project;

class InputTableModel : public QAbstractTableModel {
  Q_OBJECT
public:
  // Columns: Name, the dims (FirstDim .. FirstDim + rank - 1), then Type, Format, ModelShape.
  enum Column { Name = 0, FirstDim = 1 };
  enum Info { Type, Format, ModelShape, InfoCount };
  explicit InputTableModel(Project* project, QObject* parent = nullptr);

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  bool setData(const QModelIndex& index, const QVariant& value, int role) override;
  Qt::ItemFlags flags(const QModelIndex& index) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

  // Further faulty dims (input, dim) besides the validator's first issue: all are tinted at once.
  void setFaultyDims(std::vector<std::pair<int, int>> dims);

  bool isDimColumn(int column) const { return column >= FirstDim && column < FirstDim + m_rank; }
  int infoColumn(Info info) const { return FirstDim + m_rank + info; }

private:
  void refresh();
  int maxRank() const;
  bool isFaulty(int row, int column) const;

  Project* m_project;
  int m_rows = 0;
  int m_rank = 0;
  std::vector<std::pair<int, int>> m_faultyDims;
};

} // namespace gs::ui
