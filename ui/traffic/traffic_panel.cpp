// The Traffic panel (see traffic_panel.h).
#include "ui/traffic/traffic_panel.h"

#include <algorithm>
#include <cmath>
#include <map>

#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QTimer>
#include <QVBoxLayout>
#include <QtConcurrent>
#include <qcustomplot.h>

#include "core/traffic/trace_generate.h"

namespace gs::ui {
namespace {

QString shapeTemplate(const FormState& form) {
  QStringList items;
  for (const auto& in : form.inputs)
    items << in.name + ":" + in.dims.join(',');
  return items.join(';');
}

void setRow(QTableWidget* t, int row, const QStringList& cells) {
  for (int c = 0; c < cells.size(); ++c) {
    auto* item = new QTableWidgetItem(cells[c]);
    item->setFlags(item->flags() & ~Qt::ItemIsEditable);
    t->setItem(row, c, item);
  }
}

} // namespace

TrafficPanel::TrafficPanel(QWidget* parent) : QWidget(parent), m_progress(std::make_shared<std::atomic<double>>(0)) {
  setObjectName(QStringLiteral("trafficPanel"));
  auto* layout = new QVBoxLayout(this);

  auto* traceBox = new QGroupBox(tr("Trace"), this);
  // Two rows each (buttons and numbers, then the long distribution text): in one row the panel would
  // be wider than the studio's centre area and scroll sideways.
  auto* traceRows = new QVBoxLayout(traceBox);
  auto* traceRow = new QHBoxLayout;
  auto* distRow = new QHBoxLayout;
  traceRows->addLayout(traceRow);
  traceRows->addLayout(distRow);
  auto* load = new QPushButton(tr("Load trace..."), traceBox);
  load->setObjectName(QStringLiteral("loadTrace"));
  m_dist = new QLineEdit(QStringLiteral("0.5*lognormal(4.5,0.35) + 0.3*lognormal(5.7,0.25) + 0.2*normal(1100,120); "
                                        "clamp=16..1280"),
                         traceBox);
  m_dist->setObjectName(QStringLiteral("distribution"));
  m_dist->setToolTip(tr("Mixture of uniform(lo,hi), normal(mean,sd), lognormal(mu,sigma), const(v) with weights "
                        "and an optional clamp (docs/traces.md)"));
  m_genRequests = new QSpinBox(traceBox);
  m_genRequests->setRange(1, 1000000);
  m_genRequests->setValue(2000);
  m_genRequests->setSuffix(tr(" requests"));
  m_seed = new QSpinBox(traceBox);
  m_seed->setRange(0, 1 << 30);
  m_seed->setValue(2026);
  m_seed->setPrefix(tr("seed "));
  auto* gen = new QPushButton(tr("Generate"), traceBox);
  gen->setObjectName(QStringLiteral("generateTrace"));
  traceRow->addWidget(load);
  traceRow->addSpacing(12);
  traceRow->addWidget(gen);
  traceRow->addWidget(m_genRequests);
  traceRow->addWidget(m_seed);
  traceRow->addStretch(1);
  distRow->addWidget(new QLabel(tr("Distribution"), traceBox));
  distRow->addWidget(m_dist, 1);
  layout->addWidget(traceBox);
  m_summary = new QLabel(tr("No trace: load one (CSV or JSON lines) or generate one."), this);
  m_summary->setWordWrap(true);
  layout->addWidget(m_summary);

  m_plot = new QCustomPlot(this);
  m_plot->setObjectName(QStringLiteral("tracePlot"));
  m_plot->setMinimumHeight(240);
  layout->addWidget(m_plot, 2);

  auto* planBox = new QGroupBox(tr("Recommend gears"), this);
  auto* planRows = new QVBoxLayout(planBox);
  auto* planRow = new QHBoxLayout;
  auto* actionRow = new QHBoxLayout;
  planRows->addLayout(planRow);
  planRows->addLayout(actionRow);
  m_maxGears = new QSpinBox(planBox);
  m_maxGears->setRange(2, 100);
  m_maxGears->setValue(4);
  m_maxGears->setPrefix(tr("at most "));
  m_maxGears->setSuffix(tr(" gears"));
  m_step = new QSpinBox(planBox);
  m_step->setRange(1, 1024);
  m_step->setValue(32);
  m_step->setPrefix(tr("step "));
  m_maxMemory = new QDoubleSpinBox(planBox);
  m_maxMemory->setRange(0, 1 << 20);
  m_maxMemory->setDecimals(0);
  m_maxMemory->setSpecialValueText(tr("no memory budget"));
  m_maxMemory->setSuffix(tr(" MiB arena"));
  m_recommend = new QPushButton(tr("Recommend gears"), planBox);
  m_recommend->setObjectName(QStringLiteral("recommendGears"));
  m_compare = new QPushButton(tr("Replay strategies"), planBox);
  m_compare->setObjectName(QStringLiteral("compareStrategies"));
  m_cancelButton = new QPushButton(tr("Cancel"), planBox);
  m_cancelButton->setEnabled(false);
  m_progressBar = new QProgressBar(planBox);
  m_progressBar->setRange(0, 1000);
  planRow->addWidget(m_maxGears);
  planRow->addWidget(m_step);
  planRow->addWidget(m_maxMemory);
  planRow->addStretch(1);
  actionRow->addWidget(m_recommend);
  actionRow->addWidget(m_compare);
  actionRow->addWidget(m_cancelButton);
  actionRow->addWidget(m_progressBar, 1);
  layout->addWidget(planBox);
  m_statusLabel = new QLabel(this);
  m_statusLabel->setWordWrap(true);
  layout->addWidget(m_statusLabel);

  auto* results = new QHBoxLayout;
  m_paretoPlot = new QCustomPlot(this);
  m_paretoPlot->setObjectName(QStringLiteral("paretoPlot"));
  m_paretoPlot->setMinimumHeight(200);
  results->addWidget(m_paretoPlot, 1);
  auto* right = new QVBoxLayout;
  m_paretoTable = new QTableWidget(0, 4, this);
  m_paretoTable->setObjectName(QStringLiteral("paretoTable"));
  m_paretoTable->setHorizontalHeaderLabels({tr("gears"), tr("expected ms"), tr("arena MiB"), tr("values")});
  m_paretoTable->horizontalHeader()->setStretchLastSection(true);
  m_paretoTable->verticalHeader()->hide();
  m_paretoTable->setSelectionBehavior(QAbstractItemView::SelectRows);
  m_paretoTable->setSelectionMode(QAbstractItemView::SingleSelection);
  right->addWidget(m_paretoTable);
  m_apply = new QPushButton(tr("Apply to the form"), this);
  m_apply->setObjectName(QStringLiteral("applyPoint"));
  m_apply->setEnabled(false);
  right->addWidget(m_apply);
  m_compareTable = new QTableWidget(0, 5, this);
  m_compareTable->setObjectName(QStringLiteral("compareTable"));
  m_compareTable->setHorizontalHeaderLabels({tr("strategy"), tr("mean ms"), tr("p99 ms"), tr("waste %"), tr("note")});
  m_compareTable->horizontalHeader()->setStretchLastSection(true);
  m_compareTable->verticalHeader()->hide();
  right->addWidget(m_compareTable);
  results->addLayout(right, 1);
  layout->addLayout(results, 2);

  m_progressTimer = new QTimer(this);
  m_progressTimer->setInterval(100);
  connect(m_progressTimer, &QTimer::timeout, this,
          [this] { m_progressBar->setValue(static_cast<int>(m_progress->load() * 1000)); });
  connect(load, &QPushButton::clicked, this, [this] {
    const auto path = QFileDialog::getOpenFileName(this, tr("Load trace"), {},
                                                   tr("Traces (*.csv *.jsonl *.ndjson *.json);;All files (*)"));
    QString error;
    if (!path.isEmpty() && !loadTrace(path, &error)) m_summary->setText(error);
  });
  connect(gen, &QPushButton::clicked, this, [this] {
    QString error;
    if (!generate(&error)) m_summary->setText(error);
  });
  connect(m_recommend, &QPushButton::clicked, this, [this] { startRecommend(); });
  connect(m_compare, &QPushButton::clicked, this, [this] { startCompare(); });
  connect(m_cancelButton, &QPushButton::clicked, this, &TrafficPanel::cancel);
  connect(m_paretoTable, &QTableWidget::itemSelectionChanged, this,
          [this] { m_apply->setEnabled(!m_paretoTable->selectedItems().isEmpty()); });
  connect(m_apply, &QPushButton::clicked, this, [this] {
    const auto sel = m_paretoTable->selectedItems();
    if (!sel.isEmpty()) applyPoint(sel.front()->row());
  });
  connect(&m_planWatcher, &QFutureWatcher<Expected<PlanResult>>::finished, this, &TrafficPanel::onPlanFinished);
  connect(&m_compareWatcher, &QFutureWatcher<Expected<std::vector<traffic::StrategyRun>>>::finished, this,
          &TrafficPanel::onCompareFinished);
  redrawTrace();
  redrawPareto();
}

TrafficPanel::~TrafficPanel() {
  m_cancel.cancel();
  m_planWatcher.waitForFinished();
  m_compareWatcher.waitForFinished();
}

void TrafficPanel::setModel(std::shared_ptr<const ir::Model> model) { m_model = std::move(model); }

void TrafficPanel::setForm(const FormState& form) {
  m_form = form;
  redrawTrace();
}

void TrafficPanel::setMeasureBudget(int loops, int requests) {
  m_loops = std::max(1, loops);
  m_requests = std::max(1, requests);
}

bool TrafficPanel::loadTrace(const QString& path, QString* error) {
  auto t = traffic::readTrace(path.toStdString());
  if (!t) {
    if (error) *error = QString::fromStdString(t.error().str());
    return false;
  }
  setTrace(std::move(*t));
  return true;
}

bool TrafficPanel::generate(QString* error) {
  QString why;
  const auto sp = spec(&why);
  if (!sp) {
    if (error) *error = why;
    return false;
  }
  auto d = traffic::parseDistribution(m_dist->text().toStdString());
  if (!d) {
    if (error) *error = QString::fromStdString(d.error().message);
    return false;
  }
  auto t = traffic::generateTrace(sp->templ, {*d}, m_genRequests->value(), static_cast<uint64_t>(m_seed->value()));
  if (!t) {
    if (error) *error = QString::fromStdString(t.error().message);
    return false;
  }
  setTrace(std::move(*t));
  return true;
}

void TrafficPanel::setTrace(traffic::Trace trace) {
  m_trace = std::move(trace);
  m_summary->setText(tr("%1 requests (%2 entries), inputs %3")
                         .arg(m_trace->totalRequests())
                         .arg(m_trace->requests.size())
                         .arg(QString::fromStdString([&] {
                           std::string s;
                           for (const auto& n : m_trace->inputs)
                             s += (s.empty() ? "" : ", ") + n;
                           return s;
                         }())));
  redrawTrace();
}

std::optional<traffic::GearSpec> TrafficPanel::spec(QString* why) const {
  if (m_form.inputs.empty()) {
    if (why) *why = tr("Open a model first: the form's -1 dims are the dims to plan.");
    return std::nullopt;
  }
  auto s = traffic::parseGearSpec(shapeTemplate(m_form).toStdString(), m_form.inputFormat.toStdString());
  if (!s) {
    if (why)
      *why = tr("Mark the dims that vary with -1 in the form (%1).").arg(QString::fromStdString(s.error().message));
    return std::nullopt;
  }
  return *s;
}

std::vector<std::vector<int64_t>> TrafficPanel::formGears() const {
  std::vector<std::vector<int64_t>> out;
  if (!isGearStrategy(m_form.strategy)) return out;
  for (const auto& row : m_form.gears) {
    std::vector<int64_t> v;
    bool ok = true;
    for (const auto& part : row.split(',', Qt::SkipEmptyParts)) {
      const auto x = part.trimmed().toLongLong(&ok);
      if (!ok) break;
      v.push_back(x);
    }
    if (ok && !v.empty()) out.push_back(std::move(v));
  }
  return out;
}

std::vector<std::pair<std::size_t, std::size_t>> TrafficPanel::traceDims(const traffic::GearSpec& sp) const {
  std::vector<std::pair<std::size_t, std::size_t>> out;
  if (!m_trace) return out;
  for (const auto& [i, d] : sp.dynDims) {
    const auto it = std::find(m_trace->inputs.begin(), m_trace->inputs.end(), sp.templ[i].name);
    if (it == m_trace->inputs.end()) return {};
    out.emplace_back(static_cast<std::size_t>(it - m_trace->inputs.begin()), d);
  }
  return out;
}

std::vector<double> TrafficPanel::gearWaste() const {
  std::vector<double> out;
  const auto sp = spec(nullptr);
  if (!sp || !m_trace) return out;
  const auto dims = traceDims(*sp);
  auto gears = formGears();
  if (dims.empty() || gears.empty() || gears.front().size() != dims.size()) return out;
  std::vector<double> useful(gears.size(), 0), computed(gears.size(), 0);
  for (const auto& r : m_trace->requests) {
    std::vector<int64_t> p;
    for (const auto& [i, d] : dims)
      p.push_back(r.dims[i][d]);
    int best = -1;
    for (std::size_t g = 0; g < gears.size(); ++g) {
      bool fits = true;
      for (std::size_t k = 0; k < p.size(); ++k)
        fits = fits && p[k] <= gears[g][k];
      if (fits && (best < 0 || traffic::gearSize(gears[g]) < traffic::gearSize(gears[static_cast<std::size_t>(best)])))
        best = static_cast<int>(g);
    }
    if (best < 0) continue;
    useful[static_cast<std::size_t>(best)] += traffic::gearSize(p) * static_cast<double>(r.count);
    computed[static_cast<std::size_t>(best)] +=
        traffic::gearSize(gears[static_cast<std::size_t>(best)]) * static_cast<double>(r.count);
  }
  for (std::size_t g = 0; g < gears.size(); ++g)
    out.push_back(computed[g] > 0 ? 1 - useful[g] / computed[g] : 0);
  return out;
}

void TrafficPanel::redrawTrace() {
  m_plot->clearPlottables();
  m_plot->clearItems();
  m_plot->plotLayout()->clear();
  m_plot->plotLayout()->addElement(0, 0, new QCPAxisRect(m_plot));
  auto* rect = static_cast<QCPAxisRect*>(m_plot->plotLayout()->element(0, 0));
  const auto sp = spec(nullptr);
  const auto dims = sp ? traceDims(*sp) : std::vector<std::pair<std::size_t, std::size_t>>{};
  if (!m_trace || dims.empty() || dims.size() > 2) {
    m_plot->replot();
    return;
  }
  const auto gears = formGears();
  const auto waste = gearWaste();
  if (dims.size() == 1) {
    std::map<int64_t, double> counts;
    int64_t hi = 1;
    for (const auto& r : m_trace->requests) {
      const auto v = r.dims[dims[0].first][dims[0].second];
      hi = std::max(hi, v);
    }
    const double bin = std::max<double>(1, std::ceil(static_cast<double>(hi) / 64.0));
    for (const auto& r : m_trace->requests)
      counts[static_cast<int64_t>(std::floor(static_cast<double>(r.dims[dims[0].first][dims[0].second] - 1) / bin))] +=
          static_cast<double>(r.count);
    auto* bars = new QCPBars(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
    QVector<double> keys, values;
    double top = 0;
    for (const auto& [k, c] : counts) {
      keys << (static_cast<double>(k) + 0.5) * bin;
      values << c;
      top = std::max(top, c);
    }
    bars->setData(keys, values);
    bars->setWidth(bin * 0.9);
    bars->setName(tr("requests"));
    rect->axis(QCPAxis::atBottom)
        ->setLabel(QString::fromStdString(sp->templ[sp->dynDims[0].first].name) +
                   tr(" dim %1").arg(sp->dynDims[0].second));
    rect->axis(QCPAxis::atLeft)->setLabel(tr("requests"));
    rect->axis(QCPAxis::atBottom)
        ->setRange(0,
                   std::max<double>(static_cast<double>(hi), gears.empty() ? 0 : static_cast<double>(gears.back()[0])) *
                       1.05);
    rect->axis(QCPAxis::atLeft)->setRange(0, top * 1.25 + 1);
    for (std::size_t g = 0; g < gears.size(); ++g) {
      auto* line = new QCPItemStraightLine(m_plot);
      line->setClipAxisRect(rect);
      line->point1->setAxes(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
      line->point2->setAxes(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
      line->point1->setCoords(static_cast<double>(gears[g][0]), 0);
      line->point2->setCoords(static_cast<double>(gears[g][0]), 1);
      line->setPen(QPen(QColor(200, 60, 40), 1.5, Qt::DashLine));
      auto* label = new QCPItemText(m_plot);
      label->setClipAxisRect(rect);
      label->position->setAxes(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
      label->position->setCoords(static_cast<double>(gears[g][0]), top * (1.18 - 0.08 * static_cast<double>(g % 2)));
      label->setPositionAlignment(Qt::AlignRight | Qt::AlignVCenter);
      label->setText(tr("%1 (waste %2%)").arg(gears[g][0]).arg(g < waste.size() ? 100 * waste[g] : 0, 0, 'f', 0));
      label->setColor(QColor(200, 60, 40));
    }
  } else {
    int64_t hiA = 1, hiB = 1;
    for (const auto& r : m_trace->requests) {
      hiA = std::max(hiA, r.dims[dims[0].first][dims[0].second]);
      hiB = std::max(hiB, r.dims[dims[1].first][dims[1].second]);
    }
    const int n = 48;
    auto* map = new QCPColorMap(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
    map->data()->setSize(n, n);
    map->data()->setRange(QCPRange(0, static_cast<double>(hiB)), QCPRange(0, static_cast<double>(hiA)));
    for (const auto& r : m_trace->requests) {
      const auto a = r.dims[dims[0].first][dims[0].second], b = r.dims[dims[1].first][dims[1].second];
      int ka = 0, kb = 0;
      map->data()->coordToCell(static_cast<double>(b), static_cast<double>(a), &kb, &ka);
      map->data()->setCell(kb, ka, map->data()->cell(kb, ka) + static_cast<double>(r.count));
    }
    map->setGradient(QCPColorGradient::gpHot);
    map->rescaleDataRange(true);
    rect->axis(QCPAxis::atBottom)->setLabel(tr("dim %1 (second -1)").arg(sp->dynDims[1].second));
    rect->axis(QCPAxis::atLeft)->setLabel(tr("dim %1 (first -1)").arg(sp->dynDims[0].second));
    rect->axis(QCPAxis::atBottom)->setRange(0, static_cast<double>(hiB) * 1.05);
    rect->axis(QCPAxis::atLeft)->setRange(0, static_cast<double>(hiA) * 1.05);
    for (std::size_t g = 0; g < gears.size(); ++g) {
      if (gears[g].size() != 2) continue;
      auto* box = new QCPItemRect(m_plot);
      box->setClipAxisRect(rect);
      box->topLeft->setAxes(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
      box->bottomRight->setAxes(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
      box->topLeft->setCoords(0, static_cast<double>(gears[g][0]));
      box->bottomRight->setCoords(static_cast<double>(gears[g][1]), 0);
      box->setPen(QPen(QColor(40, 120, 220), 1.5));
      auto* label = new QCPItemText(m_plot);
      label->setClipAxisRect(rect);
      label->position->setAxes(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
      label->position->setCoords(static_cast<double>(gears[g][1]), static_cast<double>(gears[g][0]));
      label->setPositionAlignment(Qt::AlignRight | Qt::AlignBottom);
      label->setText(tr("%1x%2 (waste %3%)")
                         .arg(gears[g][0])
                         .arg(gears[g][1])
                         .arg(g < waste.size() ? 100 * waste[g] : 0, 0, 'f', 0));
      label->setColor(QColor(40, 120, 220));
    }
  }
  m_plot->replot();
}

void TrafficPanel::redrawPareto() {
  m_paretoPlot->clearGraphs();
  m_paretoPlot->clearItems();
  m_paretoPlot->xAxis->setLabel(tr("gear count"));
  m_paretoPlot->yAxis->setLabel(tr("expected mean latency (ms)"));
  m_paretoTable->setRowCount(static_cast<int>(m_pareto.size()));
  if (!m_pareto.empty()) {
    auto* g = m_paretoPlot->addGraph();
    g->setLineStyle(QCPGraph::lsLine);
    g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 7));
    QVector<double> x, y;
    double top = 0;
    for (std::size_t i = 0; i < m_pareto.size(); ++i) {
      const auto& s = m_pareto[i];
      x << static_cast<double>(s.gears.size());
      y << s.expectedMs;
      top = std::max(top, s.expectedMs);
      QStringList values;
      for (const auto& gear : s.gears) {
        QStringList parts;
        for (auto v : gear)
          parts << QString::number(v);
        values << parts.join('x');
      }
      setRow(m_paretoTable, static_cast<int>(i),
             {QString::number(s.gears.size()), QString::number(s.expectedMs, 'f', 3),
              QString::number(s.arenaBytes / 1048576.0, 'f', 1), values.join(' ')});
    }
    // Narrow number columns, so that the gear values (the last, stretched column) stay in view.
    m_paretoTable->resizeColumnsToContents();
    g->setData(x, y);
    m_paretoPlot->xAxis->setRange(0, x.back() + 1);
    m_paretoPlot->yAxis->setRange(0, top * 1.15);
  }
  m_paretoPlot->replot();
}

void TrafficPanel::setBusy(bool busy, const QString& what) {
  m_recommend->setEnabled(!busy);
  m_compare->setEnabled(!busy);
  m_cancelButton->setEnabled(busy);
  if (busy) {
    m_progress->store(0);
    m_progressBar->setValue(0);
    m_progressTimer->start();
  } else {
    m_progressTimer->stop();
    m_progressBar->setValue(1000);
  }
  m_status = what;
  m_statusLabel->setText(what);
  emit busyChanged(busy);
}

bool TrafficPanel::isBusy() const { return m_planWatcher.isRunning() || m_compareWatcher.isRunning(); }
QString TrafficPanel::statusText() const { return m_status; }
void TrafficPanel::cancel() { m_cancel.cancel(); }

bool TrafficPanel::startRecommend() {
  if (isBusy()) {
    m_status = tr("Busy: wait for the running job or cancel it.");
    return false;
  }
  QString why;
  const auto sp = spec(&why);
  if (!sp || !m_model || !m_trace || traceDims(*sp).empty()) {
    setBusy(false, !why.isEmpty() ? why
                   : !m_model     ? tr("Open a model first.")
                                  : tr("Load or generate a trace that names the form's inputs."));
    return false;
  }
  m_cancel.reset();
  m_planSpec = sp;
  const auto trace = *m_trace;
  const auto dims = traceDims(*sp);
  const int K = m_maxGears->value();
  const int64_t step = m_step->value();
  const int loops = m_loops;
  auto model = m_model;
  auto progress = m_progress;
  const CancelToken* cancel = &m_cancel;
  const auto spec = *sp;
  setBusy(true, tr("Measuring candidate gears, then planning..."));
  m_planWatcher.setFuture(QtConcurrent::run([=]() -> Expected<PlanResult> {
    Progress p;
    p.cancel = cancel;
    p.report = [progress](double f, const std::string&) { progress->store(f); };
    const bool oneDim = dims.size() == 1;
    std::vector<std::vector<int64_t>> points;
    traffic::Histogram hist;
    traffic::PointHistogram ph;
    if (oneDim) {
      hist = traffic::histogram(trace, dims[0].first, dims[0].second, step);
      for (auto v : traffic::calibrationPoints(hist, 6))
        points.push_back({v});
    } else {
      ph = traffic::pointHistogram(trace, dims, step);
      std::vector<int64_t> corner(dims.size(), 0);
      for (const auto& pt : ph.points)
        for (std::size_t k = 0; k < corner.size(); ++k)
          corner[k] = std::max(corner[k], pt[k]);
      std::vector<std::vector<int64_t>> sorted = ph.points;
      std::sort(sorted.begin(), sorted.end(),
                [](const auto& a, const auto& b) { return traffic::gearSize(a) < traffic::gearSize(b); });
      for (int q = 0; q < 5; ++q)
        points.push_back(sorted[sorted.size() * static_cast<std::size_t>(q) / 5]);
      points.push_back(corner);
      std::sort(points.begin(), points.end());
      points.erase(std::unique(points.begin(), points.end()), points.end());
    }
    if (points.size() < 2) {
      auto lower = points.front();
      for (auto& x : lower)
        x = std::max<int64_t>(1, x - std::max<int64_t>(1, step));
      points.insert(points.begin(), lower);
    }
    traffic::MeasureOptions mo;
    mo.loops = loops;
    mo.threads = 0;
    GS_ASSIGN_OR_RETURN(auto cal, traffic::calibrate(*model, spec, points, mo, p));
    PlanResult r;
    if (oneDim) {
      GS_ASSIGN_OR_RETURN(
          r.sets, traffic::planOneDim(hist, K, [&](int64_t v) { return cal.model.millis(static_cast<double>(v)); }));
    } else {
      GS_ASSIGN_OR_RETURN(r.sets, traffic::planMultiDim(ph, K, [&](const std::vector<int64_t>& v) {
                            return cal.model.millis(traffic::gearSize(v));
                          }));
    }
    for (auto& s : r.sets) {
      double largest = 0;
      for (const auto& g : s.gears)
        largest = std::max(largest, traffic::gearSize(g));
      s.arenaBytes = cal.model.arenaBytes(largest);
    }
    r.calibration = std::move(cal);
    return r;
  }));
  return true;
}

void TrafficPanel::onPlanFinished() {
  auto r = m_planWatcher.result();
  if (!r) {
    setBusy(false, r.error().code == codes::kCancelled ? tr("Cancelled.") : QString::fromStdString(r.error().str()));
    emit finished();
    return;
  }
  std::vector<traffic::GearSet> atLeastTwo;
  for (const auto& s : r->sets)
    if (s.gears.size() >= 2) atLeastTwo.push_back(s);
  m_pareto = traffic::paretoFront(atLeastTwo);
  const double budget = m_maxMemory->value() * 1048576.0;
  if (budget > 0)
    m_pareto.erase(std::remove_if(m_pareto.begin(), m_pareto.end(),
                                  [&](const traffic::GearSet& s) { return s.arenaBytes > budget; }),
                   m_pareto.end());
  redrawPareto();
  setBusy(false, m_pareto.empty() ? tr("No gear set fits the memory budget: every request must fit a gear.")
                                  : tr("%1 points on the Pareto front; best %2 ms with %3 gears. Select one and "
                                       "apply it to the form.")
                                        .arg(m_pareto.size())
                                        .arg(m_pareto.back().expectedMs, 0, 'f', 3)
                                        .arg(m_pareto.back().gears.size()));
  emit finished();
}

bool TrafficPanel::applyPoint(int row) {
  if (row < 0 || row >= static_cast<int>(m_pareto.size()) || !m_planSpec) return false;
  const auto& s = m_pareto[static_cast<std::size_t>(row)];
  const auto opts = traffic::gearOptions(*m_planSpec, s.gears);
  Strategy strategy = Strategy::DynamicDims;
  if (opts.dynamic_batch_size)
    strategy = Strategy::DynamicBatch;
  else if (opts.dynamic_image_size)
    strategy = Strategy::DynamicImageSize;
  QStringList rows;
  for (const auto& g : s.gears) {
    QStringList parts;
    for (auto v : g)
      parts << QString::number(v);
    rows << parts.join(',');
  }
  emit applyGearsRequested(strategy, rows);
  return true;
}

bool TrafficPanel::startCompare() {
  if (isBusy()) {
    m_status = tr("Busy: wait for the running job or cancel it.");
    return false;
  }
  QString why;
  const auto sp = spec(&why);
  auto gears = formGears();
  if (!sp || !m_model || !m_trace || gears.empty()) {
    setBusy(false, !why.isEmpty()  ? why
                   : gears.empty() ? tr("Set gears in the form (or apply a recommendation) first.")
                                   : tr("Open a model and load a trace first."));
    return false;
  }
  m_cancel.reset();
  auto model = m_model;
  auto progress = m_progress;
  const CancelToken* cancel = &m_cancel;
  const auto trace = *m_trace;
  const auto spec = *sp;
  const int loops = m_loops, requests = m_requests;
  setBusy(true, tr("Replaying static-at-largest, multi-gear and dynamic on the trace..."));
  m_compareWatcher.setFuture(QtConcurrent::run([=]() -> Expected<std::vector<traffic::StrategyRun>> {
    Progress p;
    p.cancel = cancel;
    p.report = [progress](double f, const std::string&) { progress->store(f); };
    traffic::MeasureOptions mo;
    mo.loops = loops;
    traffic::ReplayOptions ro;
    ro.requests = requests;
    return traffic::compareOnTrace(*model, spec, gears, trace, mo, ro, p);
  }));
  return true;
}

void TrafficPanel::onCompareFinished() {
  auto r = m_compareWatcher.result();
  if (!r) {
    setBusy(false, QString::fromStdString(r.error().str()));
    emit finished();
    return;
  }
  m_compareTable->setRowCount(static_cast<int>(r->size()));
  bool cancelled = false;
  for (std::size_t i = 0; i < r->size(); ++i) {
    const auto& s = (*r)[i];
    cancelled = cancelled || s.report.cancelled;
    if (!s.error.empty())
      setRow(m_compareTable, static_cast<int>(i),
             {QString::fromStdString(s.name), "-", "-", "-", QString::fromStdString(s.error)});
    else
      setRow(m_compareTable, static_cast<int>(i),
             {QString::fromStdString(s.name), QString::number(s.report.latency.mean, 'f', 3),
              QString::number(s.report.latency.p99, 'f', 3), QString::number(100 * s.report.paddingWaste, 'f', 1),
              tr("%1 requests%2").arg(s.report.requests).arg(s.report.cancelled ? tr(", cancelled") : QString())});
  }
  m_compareTable->resizeColumnsToContents();
  setBusy(false,
          cancelled ? tr("Cancelled: partial replays shown.") : tr("Replayed the trace under three strategies."));
  emit finished();
}

} // namespace gs::ui
