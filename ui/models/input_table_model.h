// One row per model input for the Inputs & Gears editor: name, dtype, format and the model's own
// shape (read-only), then one editable cell per dim ("3", "-1", "1~8"). The cell or row the
// validator blames is tinted and carries the error as its tooltip.
#pragma once

#include <QAbstractTableModel>

namespace gs::ui {

class Project;

class InputTableModel : public QAbstractTableModel {
  Q_OBJECT
public:
  enum Column { Name, Type, Format, ModelShape, FirstDim };
  explicit InputTableModel(Project* project, QObject* parent = nullptr);

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  bool setData(const QModelIndex& index, const QVariant& value, int role) override;
  Qt::ItemFlags flags(const QModelIndex& index) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

  static bool isDimColumn(int column) { return column >= FirstDim; }

private:
  void refresh();
  int maxRank() const;
  bool isFaulty(int row, int column) const;

  Project* m_project;
  int m_rows = 0;
  int m_columns = FirstDim;
};

} // namespace gs::ui
