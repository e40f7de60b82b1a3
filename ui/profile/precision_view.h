// The precision x gear matrix tab of the Profile panel: one row per precision choice, one column per
// gear, showing the metric chosen above the table (median latency, latency against fp32, memory,
// cosine, max relative error, top-1 agreement), cells tinted by how far they are from fp32; a chart of
// the median latency per gear and precision; and, for the selected cell, the layers where accuracy is
// lost, the first bad one marked. Activating a layer asks for it in the graph (layerActivated).
#pragma once

#include <QWidget>

#include "core/profile/precision_matrix.h"

class QComboBox;
class QLabel;
class QTableWidget;

namespace gs::ui {

class GroupedBarChart;

class PrecisionView : public QWidget {
  Q_OBJECT
public:
  enum class Metric { Median, VsReference, Arena, Cosine, MaxRelError, Top1 };

  explicit PrecisionView(QWidget* parent = nullptr);

  void setMatrix(const profile::PrecisionMatrix& matrix);
  void clear();
  void setMetric(Metric metric);
  // Selects a cell (row = precision, column = gear) and lists its layers.
  void selectCell(int row, int gear);

  QLabel* summaryLabel() const { return m_summary; }
  QComboBox* metricBox() const { return m_metric; }
  QTableWidget* matrixTable() const { return m_table; }
  QTableWidget* layerTable() const { return m_layers; }
  GroupedBarChart* latencyChart() const { return m_chart; }

  // The text a cell shows for a metric ("" when the cell has no value), and its tint.
  static QString cellText(const profile::PrecisionMatrix& m, int row, int gear, Metric metric);

signals:
  // A layer of the selected cell was activated: its node in the compiled graph of `gear`.
  void layerActivated(const QString& node, int gear);

private:
  void fillTable();
  void fillChart();
  void fillLayers();

  std::optional<profile::PrecisionMatrix> m_matrix;
  Metric m_current = Metric::Median;
  int m_row = -1, m_gear = -1;
  QLabel* m_summary;
  QComboBox* m_metric;
  QTableWidget* m_table;
  QLabel* m_layersTitle;
  QTableWidget* m_layers;
  GroupedBarChart* m_chart;
};

// A short text of what the matrix says: per precision, its speed against fp32 and its worst cosine.
QString precisionSummary(const profile::PrecisionMatrix& m);

} // namespace gs::ui
