// The strategy comparison tab: the generated summary, a table (one row per strategy: models,
// compile time, .om size, memory, median latency per gear) and grouped bar charts of latency per
// gear, memory, compile time and .om size.
#pragma once

#include <QWidget>

#include "core/profile/profile_types.h"

class QLabel;
class QTableWidget;

namespace gs::ui {

class GroupedBarChart;

class StrategyView : public QWidget {
  Q_OBJECT
public:
  explicit StrategyView(QWidget* parent = nullptr);

  void setComparison(const profile::StrategyComparison& comparison);
  void clear();

  QLabel* summaryLabel() const { return m_summary; }
  QTableWidget* table() const { return m_table; }
  GroupedBarChart* latencyChart() const { return m_latency; }
  GroupedBarChart* memoryChart() const { return m_memory; }
  GroupedBarChart* compileChart() const { return m_compile; }
  GroupedBarChart* sizeChart() const { return m_size; }

private:
  void fillTable(const profile::StrategyComparison& c);
  void fillCharts(const profile::StrategyComparison& c);

  QLabel* m_summary;
  QTableWidget* m_table;
  GroupedBarChart* m_latency;
  GroupedBarChart* m_memory;
  GroupedBarChart* m_compile;
  GroupedBarChart* m_size;
};

} // namespace gs::ui
