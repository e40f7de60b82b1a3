// The profile panel offscreen: profiling a small generated model's gears in the background, the
// charts' data against the report, cancelling a long run, comparing two runs, the strategy
// comparison tab, exports (JSON read back, CSV, Markdown with PNG charts, PNG/SVG/PDF per chart) and
// the history kept in the project as JSON.
#include <memory>

#include <QElapsedTimer>
#include <QFile>
#include <QImage>
#include <QLabel>
#include <QListWidget>
#include <QProgressBar>
#include <QScrollArea>
#include <QScrollBar>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

#include "../profile/profile_models.h"
#include "core/compiler/compile.h"
#include "core/compiler/onnx/importer.h"
#include "core/compiler/shape_config/shape_config.h"
#include "core/om/om_file.h"
#include "core/profile/profile_json.h"
#include "core/session/compile_onnx.h"
#include "ui/jobs/compile_job.h"
#include "ui/mainwindow.h"
#include "ui/profile/grouped_bar_chart.h"
#include "ui/profile/histogram_chart.h"
#include "ui/profile/latency_chart.h"
#include "ui/profile/memory_chart.h"
#include "ui/profile/op_chart.h"
#include "ui/profile/profile_panel.h"
#include "ui/profile/run_history_view.h"
#include "ui/profile/strategy_view.h"
#include "ui/profile/throughput_chart.h"
#include "ui/profile/timeseries_chart.h"

using namespace gs;
using gs::ui::ProfilePanel;

namespace {

shape_config::AtcOptions batchOptions(const std::string& gears) {
  shape_config::AtcOptions o;
  (void)shape_config::setOption(o, "input_shape", "x:-1,3,16,16");
  (void)shape_config::setOption(o, "dynamic_batch_size", gears);
  return o;
}

QVector<double> values(const QSharedPointer<QCPBarsDataContainer>& d) {
  QVector<double> v;
  for (auto it = d->constBegin(); it != d->constEnd(); ++it)
    v << it->value;
  return v;
}

QVector<double> values(const QSharedPointer<QCPGraphDataContainer>& d) {
  QVector<double> v;
  for (auto it = d->constBegin(); it != d->constEnd(); ++it)
    v << it->value;
  return v;
}

QByteArray readAll(const QString& path) {
  QFile f(path);
  return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

class TestProfilePanel : public QObject {
  Q_OBJECT

private:
  QTemporaryDir m_dir;
  QString m_path;
  std::shared_ptr<const ir::Model> m_model;
  shape_config::ShapeConfig m_config;
  std::unique_ptr<ProfilePanel> m_panel;

  bool runProfile(int loops) {
    m_panel->loopsBox()->setValue(loops);
    QSignalSpy done(m_panel.get(), &ProfilePanel::profileFinished);
    if (!m_panel->startProfile()) return false;
    return done.wait(30000) && done.first().first().toBool();
  }

private slots:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(m_dir.isValid());
    m_path = m_dir.filePath("small_convnet.onnx");
    QVERIFY(test::writeSmallConvNet(m_path.toStdString()));
    auto model = onnx_import::importModel(m_path.toStdString());
    QVERIFY(model);
    m_model = std::make_shared<const ir::Model>(std::move(*model));
    auto config = shape_config::fromOptions(batchOptions("1,2,4"));
    QVERIFY(config);
    m_config = *config;
    m_panel = std::make_unique<ProfilePanel>();
    m_panel->resize(1100, 900);
    m_panel->show(); // charts get their real sizes (hover positions below are in pixels)
    QVERIFY(QTest::qWaitForWindowExposed(m_panel.get()));
    m_panel->setModel(m_model, m_path);
    m_panel->setShapeConfig(m_config);
    m_panel->threadsBox()->setValue(1);
    m_panel->warmupBox()->setValue(2);
    QVERIFY(m_panel->deviceBox()->count() >= 1);
    QCOMPARE(m_panel->deviceBox()->itemText(0), QStringLiteral("cpu"));
  }

  void nothingToProfileWithoutModel() {
    ProfilePanel empty;
    QVERIFY(!empty.startProfile());
    QVERIFY(!empty.startComparison());
    QVERIFY(!empty.isBusy());
    QVERIFY(!empty.statusText().isEmpty());
    QString error;
    QVERIFY(!empty.exportCsv(m_dir.filePath("none.csv"), &error));
    QVERIFY(!error.isEmpty());
  }

  void profileAllGears() {
    m_panel->loopsBox()->setValue(30);
    QSignalSpy done(m_panel.get(), &ProfilePanel::profileFinished);
    QSignalSpy busy(m_panel.get(), &ProfilePanel::busyChanged);
    QVERIFY(m_panel->startProfile());
    QVERIFY(m_panel->isBusy());
    QVERIFY(!m_panel->startProfile()); // one job at a time
    QVERIFY(done.wait(30000));
    QVERIFY(done.first().first().toBool());
    QVERIFY(!m_panel->isBusy());
    QCOMPARE(busy.size(), 2);
    const auto& r = m_panel->report();
    QVERIFY(r);
    QCOMPARE(r->gears.size(), std::size_t{3});
    QCOMPARE(r->loops, 30);
    QCOMPARE(r->threads, 1);
    QCOMPARE(m_panel->historyView()->runs().size(), std::size_t{1});
    QCOMPARE(m_panel->gearTable()->rowCount(), 3);
    QCOMPARE(m_panel->gearBox()->count(), 3);
  }

  void chartsShowTheReport() {
    const auto& r = *m_panel->report();
    const int n = static_cast<int>(r.gears.size());
    auto* latency = m_panel->latencyChart();
    QVERIFY(latency->hasData());
    const auto medians = values(latency->medianBars()->data());
    const auto p90 = values(latency->p90Marks()->data());
    const auto p99 = values(latency->p99Marks()->data());
    QCOMPARE(medians.size(), n);
    QCOMPARE(latency->rangeBars()->dataCount(), n);
    for (int i = 0; i < n; ++i) {
      const auto& l = r.gears[static_cast<std::size_t>(i)].latency;
      QCOMPARE(medians[i], l.median);
      QCOMPARE(p90[i], l.p90);
      QCOMPARE(p99[i], l.p99);
      const auto err = latency->rangeBars()->data()->at(i);
      QVERIFY(qFuzzyCompare(l.median - err.errorMinus, l.min));
      QVERIFY(qFuzzyCompare(l.median + err.errorPlus, l.max));
    }
    const auto throughput = values(m_panel->throughputChart()->bars()->data());
    for (int i = 0; i < n; ++i)
      QCOMPARE(throughput[i], r.gears[static_cast<std::size_t>(i)].samplesPerSec);

    auto* memory = m_panel->memoryChart();
    const double unit = memory->unitBytes();
    const auto weights = values(memory->layers().first()->data());
    const auto arena = values(memory->layers().at(memory->layers().size() - 2)->data());
    const auto workspace = values(memory->layers().last()->data());
    for (int i = 0; i < n; ++i) {
      const auto& m = r.gears[static_cast<std::size_t>(i)].memory;
      QCOMPARE(weights[i], static_cast<double>(m.weightBytes) / unit);
      QCOMPARE(arena[i], static_cast<double>(m.gearArenaBytes) / unit);
      QCOMPARE(workspace[i], static_cast<double>(m.workspaceBytes) / unit);
    }
    const auto& m0 = r.gears[0].memory;
    for (double v : values(memory->sharedArenaLine()->data()))
      QCOMPARE(v, static_cast<double>(m0.weightBytes + m0.packedWeightBytes + m0.sharedArenaBytes) / unit);

    // The legend wraps into rows when the chart is narrow, and keeps one row when there is room.
    ui::MemoryChart narrow;
    narrow.setReport(r);
    narrow.resize(300, 320);
    narrow.show();
    narrow.replot();
    int legendItems = 0;
    for (int i = 0; i < narrow.legend->itemCount(); ++i)
      legendItems += narrow.legend->item(i) ? 1 : 0;
    QCOMPARE(legendItems, memory->layers().size() + 1); // + the shared arena line
    QVERIFY(narrow.legend->wrap() > 0 && narrow.legend->wrap() < legendItems);
    QVERIFY2(narrow.legend->outerRect().right() <= narrow.width(),
             qPrintable(QString::number(narrow.legend->outerRect().right())));
    narrow.resize(1800, 320);
    narrow.replot();
    QCOMPARE(narrow.legend->wrap(), legendItems);

    // The per-gear charts follow the gear selector.
    m_panel->selectGear(1);
    const auto& g = r.gears[1];
    const auto series = values(m_panel->timeSeriesChart()->series()->data());
    QCOMPARE(series.size(), static_cast<int>(g.samples.size()));
    for (int i = 0; i < series.size(); ++i)
      QCOMPARE(series[i], g.samples[static_cast<std::size_t>(i)]);
    double counted = 0;
    for (double c : values(m_panel->histogramChart()->bars()->data()))
      counted += c;
    QCOMPARE(counted, static_cast<double>(g.samples.size()));
    QCOMPARE(m_panel->histogramChart()->bars()->dataCount(), ui::histogramBins(g.samples.size()));

    auto* ops = m_panel->opChart();
    const auto opTimes = values(ops->bars()->data());
    QCOMPARE(opTimes.size(), static_cast<int>(g.topOps.size()));
    for (int i = 0; i < opTimes.size(); ++i) { // bars bottom to top: smallest first
      const auto& op = g.topOps[g.topOps.size() - 1 - static_cast<std::size_t>(i)];
      QCOMPARE(opTimes[i], op.meanMillis);
      QCOMPARE(ops->nodeAt(i), QString::fromStdString(op.node));
    }
    QSignalSpy clicked(m_panel.get(), &ProfilePanel::nodeClicked);
    ops->clickBar(opTimes.size() - 1);
    QCOMPARE(clicked.size(), 1);
    QCOMPARE(clicked.first().first().toString(), QString::fromStdString(g.topOps[0].node));

    // Hover tooltips: over the middle of the tallest latency bar.
    const auto tallest = static_cast<std::size_t>(std::max_element(medians.begin(), medians.end()) - medians.begin());
    latency->replot();
    const QPointF over(latency->xAxis->coordToPixel(static_cast<double>(tallest + 1)),
                       latency->yAxis->coordToPixel(r.gears[tallest].latency.median / 2));
    const QString tip = latency->tooltipAt(over);
    QVERIFY2(tip.contains(QStringLiteral("median")), qPrintable(tip));
    QVERIFY2(tip.startsWith(QString::fromStdString(r.gears[tallest].label) + "\n"), qPrintable(tip));
    QVERIFY(latency->tooltipAt(QPointF(2, 2)).isEmpty()); // the title corner has no data
  }

  void compiledModelIsUsed() {
    auto om = session::compileOnnx(m_path.toStdString(), batchOptions("2,3"));
    QVERIFY(om);
    ProfilePanel panel;
    panel.setModel(m_model, m_path);
    panel.setShapeConfig(m_config);
    panel.setCompiledModel(std::make_shared<const om::Model>(std::move(*om)));
    panel.loopsBox()->setValue(3);
    QSignalSpy done(&panel, &ProfilePanel::profileFinished);
    QVERIFY(panel.startProfile());
    QVERIFY(done.wait(30000));
    QCOMPARE(panel.report()->gears.size(), std::size_t{2});
    QCOMPARE(panel.report()->gears[1].label, std::string("batch 3"));
  }

  void cancelMidRun() {
    const auto runsBefore = m_panel->historyView()->runs().size();
    m_panel->loopsBox()->setValue(1000000); // hours without the cancel
    QSignalSpy done(m_panel.get(), &ProfilePanel::profileFinished);
    QVERIFY(m_panel->startProfile());
    // The GUI thread stays free: progress arrives while the job runs.
    QTRY_VERIFY_WITH_TIMEOUT(m_panel->progressBar()->value() > 0, 20000);
    QVERIFY(m_panel->isBusy());
    m_panel->cancel();
    QVERIFY(done.wait(20000));
    QCOMPARE(done.first().first().toBool(), false);
    QVERIFY(!m_panel->isBusy());
    QVERIFY(m_panel->report()->cancelled);
    QVERIFY(m_panel->statusText().contains(QStringLiteral("Cancelled")));
    QCOMPARE(m_panel->historyView()->runs().size(), runsBefore); // a cancelled run is not kept
  }

  void destroyWhileBusy() {
    auto panel = std::make_unique<ProfilePanel>();
    panel->setModel(m_model, m_path);
    panel->setShapeConfig(m_config);
    panel->loopsBox()->setValue(1000000);
    QVERIFY(panel->startProfile());
    QTest::qWait(200);
    panel.reset(); // cancels and waits for the job
  }

  void compareTwoRuns() {
    QVERIFY(runProfile(10));
    auto* history = m_panel->historyView();
    QCOMPARE(history->runs().size(), std::size_t{2});
    // Profiling again shows what changed since the previous run at once.
    QVERIFY(history->delta());
    QCOMPARE(history->list()->selectedItems().size(), 2);
    QCOMPARE(history->deltaTable()->rowCount(), 3);
    history->comparePair(0, 1);
    QVERIFY(history->delta());
    const auto expected = profile::compareRuns(history->runs()[0], history->runs()[1]);
    QCOMPARE(history->delta()->gears.size(), expected.gears.size());
    QCOMPARE(history->deltaTable()->rowCount(), 3);
    for (int i = 0; i < 3; ++i) {
      const auto& g = expected.gears[static_cast<std::size_t>(i)];
      QVERIFY(g.inA && g.inB);
      QCOMPARE(history->deltaTable()->item(i, 1)->text(), QString::number(g.medianA, 'f', 3));
      QCOMPARE(history->deltaTable()->item(i, 2)->text(), QString::number(g.medianB, 'f', 3));
      QVERIFY(history->deltaTable()->item(i, 3)->text().endsWith('%'));
    }
    QCOMPARE(history->list()->selectedItems().size(), 2);
  }

  void compareStrategies() {
    m_panel->loopsBox()->setValue(5);
    QSignalSpy done(m_panel.get(), &ProfilePanel::comparisonFinished);
    QVERIFY(m_panel->startComparison());
    QVERIFY(done.wait(50000));
    QVERIFY(done.first().first().toBool());
    const auto& c = m_panel->comparison();
    QVERIFY(c);
    QCOMPARE(c->strategies.size(), std::size_t{3});
    auto* view = m_panel->strategyView();
    QCOMPARE(view->summaryLabel()->text().replace('\n', ' '), QString::fromStdString(c->summary));
    QVERIFY(view->summaryLabel()->text().count('\n') >= 3); // one sentence per line
    QCOMPARE(view->table()->rowCount(), 3);
    const auto& series = view->latencyChart()->series();
    QCOMPARE(series.size(), 3);
    for (int s = 0; s < 3; ++s) {
      const auto medians = values(series[s]->data());
      for (int g = 0; g < 3; ++g)
        QCOMPARE(medians[g],
                 c->strategies[static_cast<std::size_t>(s)].gears[static_cast<std::size_t>(g)].latency.median);
    }
    QCOMPARE(view->sizeChart()->series().first()->dataCount(), 3);
  }

  void exports() {
    const QString json = m_dir.filePath("profile.json");
    QString error;
    QVERIFY2(m_panel->exportJson(json, &error), qPrintable(error));
    auto doc = profile::parseDocument(readAll(json).toStdString());
    QVERIFY2(doc, doc ? "" : doc.error().str().c_str());
    QVERIFY(doc->profile && doc->comparison);
    QCOMPARE(doc->history.size(), std::size_t{2});
    QCOMPARE(doc->profile->gears.size(), m_panel->report()->gears.size());
    QCOMPARE(doc->profile->gears[2].samples, m_panel->report()->gears[2].samples);
    QCOMPARE(doc->comparison->summary, m_panel->comparison()->summary);

    const QString csv = m_dir.filePath("profile.csv");
    QVERIFY(m_panel->exportCsv(csv, &error));
    const auto lines = QString::fromUtf8(readAll(csv)).split('\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 1 + 3 + 3 * 3);

    const QString md = m_dir.filePath("report.md");
    QStringList written;
    QVERIFY2(m_panel->exportMarkdown(md, &error, &written), qPrintable(error));
    const QString text = QString::fromUtf8(readAll(md));
    QVERIFY(text.startsWith(QStringLiteral("# Profile report")));
    QVERIFY(text.contains(QStringLiteral("## Strategy comparison")));
    QVERIFY(text.contains(QStringLiteral("## Run comparison")));
    int pngs = 0;
    for (const auto& f : written) {
      if (!f.endsWith(QStringLiteral(".png"))) continue;
      ++pngs;
      QVERIFY2(!QImage(f).isNull(), qPrintable(f));
      QVERIFY(text.contains(QStringLiteral("](%1)").arg(QFileInfo(f).fileName())));
    }
    QCOMPARE(pngs, 10);

    for (auto* chart : m_panel->charts()) {
      for (const char* suffix : {"png", "svg", "pdf"}) {
        const QString path = m_dir.filePath(chart->chartId() + "." + suffix);
        QVERIFY2(chart->exportTo(path, &error), qPrintable(error));
        const auto bytes = readAll(path);
        QVERIFY(!bytes.isEmpty());
        if (QByteArray(suffix) == "svg") QVERIFY(bytes.contains("<svg"));
        if (QByteArray(suffix) == "pdf") QVERIFY(bytes.startsWith("%PDF"));
        if (QByteArray(suffix) == "png") QVERIFY(!QImage(path).isNull());
      }
    }
    QVERIFY(!m_panel->latencyChart()->exportTo(m_dir.filePath("x.bmpx"), &error));
  }

  void historyInProject() {
    const QJsonArray runs = m_panel->historyJson();
    QCOMPARE(runs.size(), 2);
    ProfilePanel other;
    QSignalSpy changed(&other, &ProfilePanel::historyChanged);
    QJsonArray withBad = runs;
    withBad.append(QJsonObject{{"label", "no gears"}});
    other.setHistoryJson(withBad);
    QCOMPARE(other.historyView()->runs().size(), std::size_t{2}); // the bad entry is skipped
    QCOMPARE(other.historyJson(), runs);
    other.historyView()->renameRun(0, QStringLiteral("baseline"));
    QCOMPARE(changed.size(), 1);
    QCOMPARE(other.historyJson().at(0).toObject().value("label").toString(), QStringLiteral("baseline"));
  }

  void finishedProfileShowsResults() {
    // Started from another tab, a finished profile switches to its results.
    m_panel->tabs()->setCurrentIndex(2);
    QVERIFY(runProfile(5));
    QCOMPARE(m_panel->tabs()->currentIndex(), 0);
    const auto& r = *m_panel->report();
    // The contention check's warning is shown exactly when the measurement saw contention.
    QCOMPARE(m_panel->warningLabel()->isVisibleTo(m_panel.get()), r.measurement.contention);
    if (r.measurement.contention) QVERIFY(m_panel->warningLabel()->text().contains(QStringLiteral("competed")));
    // The table shows each median's interval.
    auto* table = m_panel->gearTable();
    QCOMPARE(table->horizontalHeaderItem(2)->text(), QStringLiteral("Median 95% CI"));
    for (int i = 0; i < table->rowCount(); ++i) {
      const auto& g = r.gears[static_cast<std::size_t>(i)];
      QCOMPARE(table->item(i, 2)->text(),
               QStringLiteral("[%1, %2]").arg(g.medianCi.lo, 0, 'f', 3).arg(g.medianCi.hi, 0, 'f', 3));
    }
  }

  void profileTabScrollsAsPage() {
    ui::MainWindow w;
    w.resize(1000, 640);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    w.centreTabs()->setCurrentIndex(1);
    auto* scroll = w.findChild<QScrollArea*>(QStringLiteral("profileScroll"));
    QVERIFY(scroll);
    auto* panel = w.profilePanel();
    QCOMPARE(scroll->widget(), static_cast<QWidget*>(panel));
    // One scroll area for the page: none nested inside the panel.
    QVERIFY(panel->findChildren<QScrollArea*>().isEmpty());
    QTRY_VERIFY(scroll->verticalScrollBar()->maximum() > 0);
    // Charts keep a readable size however small the window.
    for (auto* chart :
         std::initializer_list<QWidget*>{panel->latencyChart(), panel->throughputChart(), panel->memoryChart(),
                                         panel->histogramChart(), panel->timeSeriesChart(), panel->opChart()}) {
      QVERIFY2(chart->height() >= 260, qPrintable(QString::number(chart->height())));
      QVERIFY2(chart->width() >= 320, qPrintable(QString::number(chart->width())));
    }
    // A short tab does not keep the tall Gears page's height.
    const int gearsHeight = panel->tabs()->height();
    panel->tabs()->setCurrentIndex(2);
    QTRY_VERIFY(panel->tabs()->height() < gearsHeight);
    panel->tabs()->setCurrentIndex(0);
    QTRY_COMPARE(panel->tabs()->height(), gearsHeight);
  }

  void emptyChartsAreNotClipped() {
    ui::OpChart chart;
    chart.clearGear();
    chart.resize(330, 280);
    chart.show();
    QVERIFY(QTest::qWaitForWindowExposed(&chart));
    chart.setGear(profile::GearProfile{}); // no operator times: the longest placeholder
    chart.replot();
    QVERIFY(!chart.emptyText().isEmpty());
    QCPItemText* text = nullptr;
    for (int i = 0; i < chart.itemCount(); ++i)
      if (auto* t = qobject_cast<QCPItemText*>(chart.item(i))) text = t;
    QVERIFY(text);
    QVERIFY(!text->clipToAxisRect());
    const QFontMetrics fm(text->font());
    if (fm.horizontalAdvance(chart.emptyText()) > chart.width())
      QVERIFY2(text->text().contains(QLatin1Char('\n')), qPrintable(text->text())); // wrapped at this width
    for (const auto& line : text->text().split(QLatin1Char('\n')))
      QVERIFY2(fm.horizontalAdvance(line) <= chart.width(), qPrintable(line));
    QCOMPARE(text->text().simplified(), chart.emptyText().simplified());
  }

  void loopSettingsRoundTrip() {
    m_panel->warmupBox()->setValue(7);
    m_panel->loopsBox()->setValue(123);
    const auto json = m_panel->settingsJson();
    ProfilePanel other;
    other.setSettingsJson(json);
    QCOMPARE(other.warmupBox()->value(), 7);
    QCOMPARE(other.loopsBox()->value(), 123);
    QCOMPARE(other.threadsBox()->value(), m_panel->threadsBox()->value());
    other.setSettingsJson(QJsonObject{{QStringLiteral("loops"), -5}}); // clamped, not taken as is
    QCOMPARE(other.loopsBox()->value(), 1);
    m_panel->warmupBox()->setValue(2);
  }

  void threeBuildPathsGiveSameBytes() {
    // Build (the compile job), "Profile all gears" (no build yet: it builds the request) and "Compare
    // strategies" (its multi-gear model) compile through one entry point with the user's whole
    // form, disabled passes included: the same bytes.
    session::BuildRequest request;
    request.config = m_config;
    request.disabledPasses = {"fuse-activation"};
    request.reproducible = true;
    request.atcCommand = "atc --model=small_convnet.onnx --framework=5 --input_shape=x:-1,3,16,16 "
                         "--dynamic_batch_size=1,2,4 --output=out";

    ui::CompileJob job;
    std::optional<ui::CompileOutcome> outcome;
    connect(&job, &ui::CompileJob::finished, this, [&](const ui::CompileOutcome& o) { outcome = o; });
    QSignalSpy progress(&job, &ui::CompileJob::progress);
    job.start(m_model, request);
    QTRY_VERIFY_WITH_TIMEOUT(outcome.has_value(), 60000);
    QVERIFY(outcome->model);
    // Progress names the gear as a field of the event, not parsed from its text.
    QSet<int> gears;
    for (const auto& args : progress)
      gears.insert(args.at(2).toInt());
    QVERIFY2(gears.contains(0) && gears.contains(2), qPrintable(QString::number(gears.size())));
    QCOMPARE(outcome->key, session::buildKey(*m_model, request));

    ProfilePanel panel;
    panel.setModel(m_model, m_path);
    panel.setBuildRequest(request);
    panel.threadsBox()->setValue(1);
    panel.warmupBox()->setValue(0);
    panel.loopsBox()->setValue(2);
    QSignalSpy built(&panel, &ProfilePanel::modelBuilt);
    QSignalSpy profiled(&panel, &ProfilePanel::profileFinished);
    QVERIFY(panel.startProfile());
    QVERIFY(profiled.wait(60000));
    QCOMPARE(built.size(), 1);
    QVERIFY(panel.compiledModel());
    QVERIFY(panel.compiledMatchesRequest());

    QSignalSpy compared(&panel, &ProfilePanel::comparisonFinished);
    QVERIFY(panel.startComparison());
    QVERIFY(compared.wait(120000));
    const auto& c = *panel.comparison();
    QCOMPARE(c.strategies.size(), std::size_t{3});
    QCOMPARE(c.strategies[1].kind, profile::StrategyKind::MultiGear);
    QCOMPARE(c.strategies[1].omSha256.size(), std::size_t{1});

    auto bytesBuild = om::serialize(*outcome->model);
    auto bytesProfile = om::serialize(*panel.compiledModel());
    QVERIFY(bytesBuild && bytesProfile);
    QVERIFY(*bytesBuild == *bytesProfile);
    QCOMPARE(c.strategies[1].omSha256[0], compiler::sha256Bytes(*bytesBuild));
    QCOMPARE(outcome->model->meta.atcCommand, request.atcCommand);

    // A second profile with the same request reuses the build: no new model is made.
    QVERIFY(panel.startProfile());
    QVERIFY(profiled.wait(60000));
    QCOMPARE(built.size(), 1);
    // A different request (a pass enabled again) does not reuse it.
    auto other = request;
    other.disabledPasses.clear();
    panel.setBuildRequest(other);
    QVERIFY(!panel.compiledMatchesRequest());
  }

  void cleanupTestCase() { m_panel.reset(); }
};

QTEST_MAIN(TestProfilePanel)
#include "test_profile_panel.moc"
