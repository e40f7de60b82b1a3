// Memory per gear, stacked: weights, kernel-packed weights, this gear's activation arena and the
// workspace; the shared arena (the largest gear's, the one actually allocated) is a line over the
// weights.
#pragma once

#include "core/profile/profile_types.h"
#include "ui/profile/profile_chart.h"

namespace gs::ui {

class MemoryChart : public ProfileChart {
  Q_OBJECT
public:
  explicit MemoryChart(QWidget* parent = nullptr);
  void setReport(const profile::ProfileReport& report);

  // Stacked layers bottom to top (weights, packed weights when any, arena, workspace).
  const QList<QCPBars*>& layers() const { return m_layers; }
  QCPGraph* sharedArenaLine() const { return m_shared; }
  // Bytes per plotted unit (the y axis is in KiB, MiB or GiB).
  double unitBytes() const { return m_unit; }

private:
  QList<QCPBars*> m_layers;
  QCPGraph* m_shared = nullptr;
  double m_unit = 1024;
};

} // namespace gs::ui
