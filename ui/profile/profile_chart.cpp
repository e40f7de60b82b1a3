// ProfileChart: title, tooltips on hover, exports.
#include "ui/profile/profile_chart.h"

#include <algorithm>

#include <QFileDialog>
#include <QFileInfo>
#include <QMenu>
#include <QMessageBox>
#include <QSvgGenerator>
#include <QToolTip>

namespace gs::ui {

ProfileChart::ProfileChart(const QString& title, QWidget* parent) : QCustomPlot(parent) {
  plotLayout()->insertRow(0);
  m_title = new QCPTextElement(this, title, QFont(font().family(), font().pointSize() + 1, QFont::Bold));
  plotLayout()->addElement(0, 0, m_title);
  // Readable at the smallest: the panel scrolls as a page instead of squeezing charts below this.
  setMinimumSize(320, 260);
  setMouseTracking(true);
  legend->setFont(QFont(font().family(), font().pointSize() - 1));
  legend->setBrush(Qt::NoBrush);
  legend->setBorderPen(Qt::NoPen);
  // The legend sits in its own row under the plot, so it never covers bars.
  axisRect()->insetLayout()->take(legend);
  plotLayout()->addElement(2, 0, legend);
  plotLayout()->setRowStretchFactor(2, 0.001);
  legend->setFillOrder(QCPLegend::foColumnsFirst);
  legend->setMargins(QMargins(4, 0, 4, 6));
  legend->setVisible(false);
  for (auto* axis : {xAxis, yAxis}) {
    axis->grid()->setPen(QPen(QColor(225, 225, 225), 0, Qt::SolidLine));
    axis->setLabelFont(QFont(font().family(), font().pointSize()));
  }
  setNoAntialiasingOnDrag(true);
  connect(this, &QCustomPlot::beforeReplot, this, [this] { fitLegend(m_exportWidth > 0 ? m_exportWidth : width()); });
  setContextMenuPolicy(Qt::CustomContextMenu);
  connect(this, &QWidget::customContextMenuRequested, this, &ProfileChart::showExportMenu);
}

void ProfileChart::showExportMenu(const QPoint& pos) {
  QMenu menu(this);
  for (const auto& [label, suffix] :
       {std::pair{tr("Save as PNG…"), QStringLiteral("png")}, std::pair{tr("Save as SVG…"), QStringLiteral("svg")},
        std::pair{tr("Save as PDF…"), QStringLiteral("pdf")}}) {
    menu.addAction(label, this, [this, suffix = suffix] {
      const QString path = QFileDialog::getSaveFileName(this, tr("Save chart"), m_id + "." + suffix,
                                                        suffix.toUpper() + " (*." + suffix + ")");
      if (path.isEmpty()) return;
      QString error;
      if (!exportTo(path, &error)) QMessageBox::warning(this, tr("Save chart"), error);
    });
  }
  menu.exec(mapToGlobal(pos));
}

void ProfileChart::setTitle(const QString& title) { m_title->setText(title); }

void ProfileChart::fitLegend(int width) {
  if (!legend->visible()) return;
  // itemCount() counts the grid's cells, empty ones included once wrapped.
  int n = 0;
  int widest = 1;
  for (int i = 0; i < legend->itemCount(); ++i)
    if (const auto* item = legend->item(i)) {
      ++n;
      widest = std::max(widest, item->minimumOuterSizeHint().width());
    }
  if (n == 0) return;
  const int usable = width - legend->margins().left() - legend->margins().right() - 8;
  const int perRow = std::clamp(usable / (widest + legend->columnSpacing()), 1, n);
  if (perRow == (legend->wrap() == 0 ? n : legend->wrap())) return;
  legend->setWrap(perRow);
  legend->setFillOrder(QCPLegend::foColumnsFirst, true);
}

void ProfileChart::setTooltips(QCPAbstractPlottable* plottable, QStringList tips) {
  m_tips[plottable] = std::move(tips);
}

QString ProfileChart::tooltipAt(const QPointF& pos) const {
  double best = selectionTolerance();
  QString tip;
  for (auto it = m_tips.cbegin(); it != m_tips.cend(); ++it) {
    QVariant details;
    const double d = it.key()->selectTest(pos, false, &details);
    if (d < 0 || d >= best) continue;
    const auto sel = details.value<QCPDataSelection>();
    if (sel.isEmpty()) continue;
    const int index = sel.dataRange().begin();
    if (index < 0 || index >= it.value().size()) continue;
    best = d;
    tip = it.value()[index];
  }
  return tip;
}

void ProfileChart::mouseMoveEvent(QMouseEvent* event) {
  QCustomPlot::mouseMoveEvent(event);
  const QString tip = tooltipAt(event->position());
  if (tip.isEmpty())
    QToolTip::hideText();
  else
    QToolTip::showText(event->globalPosition().toPoint(), tip, this);
}

void ProfileChart::resetPlot() {
  clearPlottables();
  clearItems();
  m_tips.clear();
  m_emptyText = nullptr;
  legend->setVisible(false);
  m_hasData = false;
}

void ProfileChart::setCategoryTicks(QCPAxis* axis, const QStringList& labels) {
  QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
  for (int i = 0; i < labels.size(); ++i)
    ticker->addTick(i + 1, labels[i]);
  axis->setTicker(ticker);
  axis->setRange(0.4, labels.size() + 0.6);
  axis->grid()->setVisible(false);
}

void ProfileChart::showEmptyText(const QString& text) {
  m_emptyText = new QCPItemText(this);
  m_emptyText->position->setType(QCPItemPosition::ptAxisRectRatio);
  m_emptyText->position->setCoords(0.5, 0.5);
  // Never clipped by a small axis rect: drawn over the whole chart and wrapped to its width.
  m_emptyText->setClipToAxisRect(false);
  m_emptyText->setTextAlignment(Qt::AlignCenter);
  m_emptyText->setColor(QColor(130, 130, 130));
  m_emptyRaw = text;
  wrapEmptyText();
}

QString ProfileChart::emptyText() const { return m_emptyText ? m_emptyRaw : QString(); }

void ProfileChart::wrapEmptyText() {
  if (!m_emptyText) return;
  const QFontMetrics fm(m_emptyText->font());
  const int avail = std::max(80, width() - 24);
  QStringList lines;
  QString line;
  for (const auto& word : m_emptyRaw.split(QLatin1Char(' '), Qt::SkipEmptyParts)) {
    const QString next = line.isEmpty() ? word : line + QLatin1Char(' ') + word;
    if (!line.isEmpty() && fm.horizontalAdvance(next) > avail) {
      lines << line;
      line = word;
    } else {
      line = next;
    }
  }
  if (!line.isEmpty()) lines << line;
  m_emptyText->setText(lines.join(QLatin1Char('\n')));
}

void ProfileChart::resizeEvent(QResizeEvent* event) {
  QCustomPlot::resizeEvent(event);
  if (m_emptyText) {
    wrapEmptyText();
    replot(QCustomPlot::rpQueuedReplot);
  }
}

bool ProfileChart::saveSvg(const QString& path, int width, int height) {
  QSvgGenerator svg;
  svg.setFileName(path);
  svg.setSize(QSize(width, height));
  svg.setViewBox(QRect(0, 0, width, height));
  svg.setTitle(title());
  svg.setDescription(QStringLiteral("GearStudio profile chart"));
  QCPPainter painter;
  if (!painter.begin(&svg)) return false;
  toPainter(&painter, width, height);
  return painter.end();
}

bool ProfileChart::exportTo(const QString& path, QString* error, int width, int height) {
  if (width <= 0 || height <= 0) {
    const bool shown = testAttribute(Qt::WA_WState_Created) && this->width() > 100 && this->height() > 100;
    width = shown ? this->width() : 900;
    height = shown ? this->height() : 520;
  }
  const QString suffix = QFileInfo(path).suffix().toLower();
  bool ok = false;
  m_exportWidth = width;
  fitLegend(width);
  if (suffix == "png")
    ok = savePng(path, width, height, 2.0);
  else if (suffix == "svg")
    ok = saveSvg(path, width, height);
  else if (suffix == "pdf")
    ok = savePdf(path, width, height, QCP::epNoCosmetic, QStringLiteral("GearStudio"), title());
  else if (error)
    *error = QStringLiteral("unknown chart format '%1' (png, svg or pdf)").arg(suffix);
  m_exportWidth = 0;
  fitLegend(this->width());
  if (!ok && error && error->isEmpty()) *error = QStringLiteral("cannot write '%1'").arg(path);
  return ok;
}

QColor seriesColor(int index) {
  static const QColor colors[] = {QColor(0, 114, 178),   QColor(230, 159, 0),  QColor(0, 158, 115),
                                  QColor(204, 121, 167), QColor(86, 180, 233), QColor(213, 94, 0),
                                  QColor(120, 120, 120)};
  return colors[index % 7];
}

QPair<QString, double> byteUnit(double maxBytes) {
  if (maxBytes >= 1024.0 * 1024 * 1024) return {QStringLiteral("GiB"), 1024.0 * 1024 * 1024};
  if (maxBytes >= 1024.0 * 1024) return {QStringLiteral("MiB"), 1024.0 * 1024};
  return {QStringLiteral("KiB"), 1024.0};
}

} // namespace gs::ui
