// StrategyView: summary, table and the four comparison charts.
#include "ui/profile/strategy_view.h"

#include <algorithm>

#include <QGridLayout>
#include <QHeaderView>
#include <QLabel>
#include <QTableWidget>
#include <QVBoxLayout>

#include "core/profile/profile_export.h"
#include "ui/profile/grouped_bar_chart.h"
#include "ui/profile/profile_panel.h"

namespace gs::ui {
namespace {

QString qs(const std::string& s) { return QString::fromStdString(s); }
QString bytes(uint64_t b) { return qs(profile::humanBytes(b)); }
// Category labels short enough for a half-width chart.
QString shortName(profile::StrategyKind kind) {
  const QString name = QString::fromUtf8(profile::strategyKindName(kind));
  if (name.startsWith(QLatin1String("multi"))) return QStringLiteral("multi-gear");
  if (name.startsWith(QLatin1String("dynamic"))) return QStringLiteral("dynamic");
  return name;
}
// What building, loading and warming the strategy added to the process's resident set (a delta;
// the process's own peak is never reset).
uint64_t rssGrowth(const profile::StrategyResult& s) { return s.residentBytes; }

// "1.234 [1.200, 1.260]" and, against the reference, "no measurable difference" or "12% slower".
QString medianCell(const profile::StrategyComparison& c, const profile::StrategyResult& s, std::size_t g) {
  const auto& e = s.gears[g];
  QString text = QStringLiteral("%1 [%2, %3]")
                     .arg(e.latency.median, 0, 'f', 3)
                     .arg(e.medianCi.lo, 0, 'f', 3)
                     .arg(e.medianCi.hi, 0, 'f', 3);
  for (const auto& v : c.verdicts)
    if (v.gear == g && v.strategy == s.kind) text += QStringLiteral("\n") + qs(profile::differenceText(v.difference));
  return text;
}

QTableWidgetItem* item(const QString& text, bool number = true) {
  auto* i = new QTableWidgetItem(text);
  i->setFlags(Qt::ItemIsSelectable | Qt::ItemIsEnabled);
  if (number) i->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
  return i;
}

} // namespace

StrategyView::StrategyView(QWidget* parent) : QWidget(parent) {
  m_summary = new QLabel(tr("\"Compare strategies\" builds the gears three ways (one static model per gear, one "
                            "multi-gear model, one dynamic-shape model) and measures each at every gear."),
                         this);
  m_summary->setWordWrap(true);
  m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
  m_summary->setObjectName(QStringLiteral("strategySummary"));
  m_table = new QTableWidget(this);
  m_table->setObjectName(QStringLiteral("strategyTable"));
  m_table->verticalHeader()->setVisible(false);
  m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
  m_table->setFixedHeight(60);
  m_latency = new GroupedBarChart(tr("Median latency per gear and strategy"), QStringLiteral("strategy_latency"), this);
  m_memory = new GroupedBarChart(tr("Memory per strategy"), QStringLiteral("strategy_memory"), this);
  m_compile = new GroupedBarChart(tr("Compile time per strategy"), QStringLiteral("strategy_compile"), this);
  m_size = new GroupedBarChart(tr(".om size per strategy"), QStringLiteral("strategy_size"), this);

  // Latency and memory (three series each) get the full width; compile time and size share a row.
  auto* grid = new QGridLayout;
  grid->addWidget(m_latency, 0, 0, 1, 2);
  grid->addWidget(m_memory, 1, 0, 1, 2);
  grid->addWidget(m_compile, 2, 0);
  grid->addWidget(m_size, 2, 1);
  for (int c = 0; c < 2; ++c)
    grid->setColumnStretch(c, 1);
  m_latency->setMinimumHeight(320);
  m_memory->setMinimumHeight(300);
  m_compile->setMinimumHeight(280);
  m_size->setMinimumHeight(280);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(m_summary);
  layout->addWidget(m_table);
  layout->addLayout(grid, 1);
  layout->addStretch(0);
}

void StrategyView::clear() {
  m_table->clear();
  m_table->setRowCount(0);
  m_table->setColumnCount(0);
  for (auto* c : {m_latency, m_memory, m_compile, m_size})
    c->clearData(tr("Run \"Compare strategies\""));
}

void StrategyView::setComparison(const profile::StrategyComparison& c) {
  // One sentence per line: a sentence ends at ". " before a capital letter.
  QString text = qs(c.summary);
  for (qsizetype i = text.indexOf(QStringLiteral(". ")); i >= 0; i = text.indexOf(QStringLiteral(". "), i + 1))
    if (i + 2 < text.size() && text[i + 2].isUpper()) text[i + 1] = QLatin1Char('\n');
  if (c.cancelled && text.isEmpty()) text = tr("Cancelled before any strategy finished.");
  m_summary->setText(text);
  fillTable(c);
  fillCharts(c);
}

void StrategyView::fillTable(const profile::StrategyComparison& c) {
  QStringList headers{tr("Strategy"), tr("Models"), tr("Compile (ms)"),   tr(".om size"),
                      tr("Weights"),  tr("Arena"),  tr("Resident growth")};
  for (const auto& g : c.gearLabels)
    headers << tr("%1 median (ms) [95% CI]").arg(qs(g));
  m_table->clear();
  m_table->setColumnCount(static_cast<int>(headers.size()));
  m_table->setHorizontalHeaderLabels(headers);
  m_table->setRowCount(static_cast<int>(c.strategies.size()));
  for (int r = 0; r < static_cast<int>(c.strategies.size()); ++r) {
    const auto& s = c.strategies[static_cast<std::size_t>(r)];
    m_table->setItem(r, 0, item(QString::fromUtf8(profile::strategyKindTitle(s.kind)), false));
    if (!s.error.empty()) {
      m_table->setItem(r, 1, item(tr("failed: %1").arg(qs(s.error)), false));
      continue;
    }
    m_table->setItem(r, 1, item(QString::number(s.modelCount)));
    m_table->setItem(r, 2, item(QString::number(s.compileMillis, 'f', 0)));
    m_table->setItem(r, 3, item(bytes(s.omBytes)));
    m_table->setItem(r, 4, item(bytes(s.weightBytes)));
    m_table->setItem(r, 5, item(bytes(s.arenaBytes)));
    m_table->setItem(r, 6, item(QStringLiteral("+%1").arg(bytes(rssGrowth(s)))));
    for (std::size_t g = 0; g < s.gears.size(); ++g)
      m_table->setItem(r, 7 + static_cast<int>(g), item(medianCell(c, s, g)));
  }
  m_table->resizeColumnsToContents();
  m_table->resizeRowsToContents();
  fitTableHeight(m_table);
}

void StrategyView::fillCharts(const profile::StrategyComparison& c) {
  std::vector<const profile::StrategyResult*> done;
  for (const auto& s : c.strategies)
    if (s.error.empty()) done.push_back(&s);
  if (done.empty()) {
    for (auto* chart : {m_latency, m_memory, m_compile, m_size})
      chart->clearData(c.cancelled ? tr("Cancelled") : tr("No strategy finished"));
    return;
  }
  QStringList names, gears;
  for (const auto* s : done)
    names << QString::fromUtf8(profile::strategyKindTitle(s->kind));
  for (const auto& g : c.gearLabels)
    gears << qs(g);

  QVector<QVector<double>> latency;
  QVector<QStringList> latencyTips;
  for (const auto* s : done) {
    QVector<double> v;
    QStringList tips;
    for (const auto& g : s->gears) {
      v << g.latency.median;
      tips << tr("%1, %2\nmedian %3 ms [%6, %7], p99 %4 ms\n%5 samples/s")
                  .arg(QString::fromUtf8(profile::strategyKindTitle(s->kind)), qs(g.label))
                  .arg(g.latency.median, 0, 'f', 3)
                  .arg(g.latency.p99, 0, 'f', 3)
                  .arg(g.samplesPerSec, 0, 'f', 1)
                  .arg(g.medianCi.lo, 0, 'f', 3)
                  .arg(g.medianCi.hi, 0, 'f', 3);
    }
    latency << v;
    latencyTips << tips;
  }
  m_latency->setData(gears, names, latency, tr("Gear"), tr("Median latency (ms)"), latencyTips);

  // Memory: categories are the strategies, series the kinds of memory.
  double top = 0;
  for (const auto* s : done)
    top = std::max({top, static_cast<double>(s->weightBytes + s->packedWeightBytes), static_cast<double>(s->arenaBytes),
                    static_cast<double>(rssGrowth(*s))});
  const auto [unitName, unit] = byteUnit(top);
  QVector<QVector<double>> memory(3);
  QVector<QStringList> memoryTips(3);
  QStringList shortNames;
  for (const auto* s : done) {
    shortNames << shortName(s->kind);
    memory[0] << static_cast<double>(s->weightBytes + s->packedWeightBytes) / unit;
    memory[1] << static_cast<double>(s->arenaBytes) / unit;
    memory[2] << static_cast<double>(rssGrowth(*s)) / unit;
    memoryTips[0] << tr("weights %1 (+ packed %2)").arg(bytes(s->weightBytes), bytes(s->packedWeightBytes));
    memoryTips[1] << tr("activation memory %1").arg(bytes(s->arenaBytes));
    memoryTips[2] << tr("resident set grew by %1 from %2 while this strategy was built, loaded and warmed up")
                         .arg(bytes(rssGrowth(*s)), bytes(s->rssBaselineBytes));
  }
  m_memory->setData(shortNames, {tr("weights"), tr("arena / activations"), tr("resident growth")}, memory,
                    tr("Strategy"), tr("Memory (%1)").arg(unitName), memoryTips);

  QVector<QVector<double>> compile(1), size(1);
  QVector<QStringList> compileTips(1), sizeTips(1);
  double maxSize = 0;
  for (const auto* s : done)
    maxSize = std::max(maxSize, static_cast<double>(s->omBytes));
  const auto [sizeUnitName, sizeUnit] = byteUnit(maxSize);
  double maxCompile = 0;
  for (const auto* s : done)
    maxCompile = std::max(maxCompile, s->compileMillis);
  const bool seconds = maxCompile >= 2000;
  for (const auto* s : done) {
    compile[0] << (seconds ? s->compileMillis / 1000.0 : s->compileMillis);
    compileTips[0] << tr("%1 ms over %2 model(s)").arg(s->compileMillis, 0, 'f', 0).arg(s->modelCount);
    size[0] << static_cast<double>(s->omBytes) / sizeUnit;
    sizeTips[0] << tr("%1 in %2 file(s)").arg(bytes(s->omBytes)).arg(s->modelCount);
  }
  m_compile->setData(shortNames, {tr("compile time")}, compile, tr("Strategy"),
                     seconds ? tr("Compile time (s)") : tr("Compile time (ms)"), compileTips);
  m_size->setData(shortNames, {tr(".om size")}, size, tr("Strategy"), tr(".om size (%1)").arg(sizeUnitName), sizeTips);
}

} // namespace gs::ui
