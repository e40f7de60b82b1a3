// The base of the profile panel's charts: a QCustomPlot with a title, shared styling, per-data-point
// tooltips shown on hover, and export to PNG, SVG (QSvgGenerator through toPainter) or PDF.
#pragma once

#include <QHash>
#include <QString>
#include <QStringList>

#include <qcustomplot.h>

namespace gs::ui {

class ProfileChart : public QCustomPlot {
  Q_OBJECT
public:
  explicit ProfileChart(const QString& title, QWidget* parent = nullptr);

  QString title() const { return m_title->text(); }
  void setTitle(const QString& title);
  // A short file-name-friendly id ("latency") used when a report writes the chart.
  QString chartId() const { return m_id; }
  void setChartId(const QString& id) { m_id = id; }
  // Whether the chart holds data worth exporting.
  bool hasData() const { return m_hasData; }
  // The placeholder an empty chart shows ("" when it shows data).
  QString emptyText() const;

  // Tooltip text per data index of a plottable (shown when the mouse is over that point or bar).
  void setTooltips(QCPAbstractPlottable* plottable, QStringList tips);
  // The tooltip for a widget position; empty when nothing with a tooltip is under it.
  QString tooltipAt(const QPointF& pos) const;

  // Writes the chart; the format follows the suffix (.png, .svg, .pdf). width/height 0: the widget's
  // size, or 900x520 when it has never been shown. False with `error` set on failure.
  bool exportTo(const QString& path, QString* error = nullptr, int width = 0, int height = 0);
  bool saveSvg(const QString& path, int width, int height);

protected:
  // Drops every plottable and item and the tooltips, keeping title and axes.
  void resetPlot();
  void setHasData(bool has) { m_hasData = has; }
  // Bar-chart category axis: one tick per label at 1..n.
  void setCategoryTicks(QCPAxis* axis, const QStringList& labels);
  // A one-line placeholder in the middle of an empty chart.
  void showEmptyText(const QString& text);
  void mouseMoveEvent(QMouseEvent* event) override;
  void resizeEvent(QResizeEvent* event) override;
  // Wraps the legend into as many columns as fit the chart's width (it would be clipped otherwise).
  void fitLegend(int width);

private:
  // Right-click menu: save the chart as PNG, SVG or PDF.
  void showExportMenu(const QPoint& pos);

  QCPTextElement* m_title;
  void wrapEmptyText();

  QCPItemText* m_emptyText = nullptr;
  QString m_emptyRaw;
  QHash<QCPAbstractPlottable*, QStringList> m_tips;
  QString m_id;
  int m_exportWidth = 0; // the width an export renders at, while it runs
  bool m_hasData = false;
};

// Shared series colours (colour-blind friendly, in the order series are added).
QColor seriesColor(int index);
// "KiB"/"MiB"/"GiB" and the divisor that brings `maxBytes` into a readable range.
QPair<QString, double> byteUnit(double maxBytes);

} // namespace gs::ui
