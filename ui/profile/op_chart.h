// Per-operator breakdown of one gear: the top N nodes by mean time as horizontal bars with their
// share of the gear's time. Clicking a bar emits nodeClicked(node name) so the graph view can select
// the node.
#pragma once

#include "core/profile/profile_types.h"
#include "ui/profile/profile_chart.h"

namespace gs::ui {

class OpChart : public ProfileChart {
  Q_OBJECT
public:
  explicit OpChart(QWidget* parent = nullptr);
  void setGear(const profile::GearProfile& gear);
  void clearGear();

  QCPBars* bars() const { return m_bars; }
  // Node name of bar `index` (bars run bottom to top: index 0 is the smallest shown).
  QString nodeAt(int index) const { return index >= 0 && index < m_nodes.size() ? m_nodes[index] : QString(); }
  // The same as clicking bar `index`.
  void clickBar(int index);

signals:
  void nodeClicked(const QString& nodeName);

private:
  QCPBars* m_bars = nullptr;
  QStringList m_nodes;
};

} // namespace gs::ui
