// The Traffic panel (offscreen): a generated trace with the form's gears and their padding waste,
// "Recommend gears" in the background (Pareto front, apply to the form), the strategy replay, cancel.
// With GS_SCREENSHOT_DIR set it saves traffic_panel.png there (docs/screenshots/).
#include <cmath>

#include <QDir>
#include <QSignalSpy>
#include <QTableWidget>
#include <QtTest>
#include <qcustomplot.h>

#include <QTemporaryDir>
#include <QUndoStack>

#include "tests/compiler/graph_builder.h"
#include "tiny_onnx.h"
#include "ui/mainwindow.h"
#include "ui/project.h"
#include "ui/traffic/traffic_panel.h"

using namespace gs;

namespace {

// x [1,2,6,W] -> Conv 3x3 pad 1 -> Relu -> Conv 1x1: cheap at any width.
std::shared_ptr<const ir::Model> smallModel() {
  test::GraphBuilder b;
  const auto x = b.input("x", {ir::Dim::known(1), ir::Dim::known(2), ir::Dim::known(6), ir::Dim::symbolic("W")});
  auto c = b.node("c", "Conv", {x, b.floats("w", test::randomFloats(2 * 4 * 9, 1), {4, 2, 3, 3})},
                  test::GraphBuilder::attrs({{"pads", ir::Attribute::ofInts({1, 1, 1, 1})}}));
  auto r = b.node("r", "Relu", {c});
  b.output(b.node("p", "Conv", {r, b.floats("w2", test::randomFloats(4 * 4, 2), {4, 4, 1, 1})}));
  auto m = std::make_shared<ir::Model>();
  m->graph = b.g;
  m->opsets[""] = 17;
  return m;
}

ui::FormState form(QStringList gears) {
  ui::FormState f;
  f.strategy = Strategy::DynamicDims;
  f.inputs.push_back(ui::InputRow{"x", {"1", "2", "6", "-1"}});
  f.gears = std::move(gears);
  return f;
}

} // namespace

class TestTrafficPanel : public QObject {
  Q_OBJECT

private slots:
  void traceWithGearsAndWaste() {
    ui::TrafficPanel panel;
    panel.setModel(smallModel());
    panel.setForm(form({"320", "640", "960", "1280"}));
    QString error;
    QVERIFY2(panel.generate(&error), qPrintable(error));
    QVERIFY(panel.trace().has_value());
    QCOMPARE(panel.trace()->totalRequests(), int64_t{2000});
    const auto waste = panel.gearWaste();
    QCOMPARE(waste.size(), std::size_t{4});
    for (double w : waste)
      QVERIFY(w >= 0 && w < 1);
    // The histogram has bars and a line plus a label per gear.
    QCOMPARE(panel.tracePlot()->plottableCount(), 1);
    QCOMPARE(panel.tracePlot()->itemCount(), 8);
    // A form without -1 dims cannot plan.
    ui::TrafficPanel other;
    auto f = form({});
    f.inputs[0].dims = QStringList{"1", "2", "6", "32"};
    other.setForm(f);
    QVERIFY(!other.generate(&error));
    QVERIFY(!other.startRecommend());
  }

  void recommendApplyAndReplay() {
    ui::TrafficPanel panel;
    panel.resize(1200, 900);
    panel.setMeasureBudget(3, 60);
    panel.setModel(smallModel());
    panel.setForm(form({"320", "640", "960", "1280"}));
    QVERIFY(panel.generate());
    QSignalSpy done(&panel, &ui::TrafficPanel::finished);
    QVERIFY(panel.startRecommend());
    QVERIFY(panel.isBusy());
    QVERIFY(!panel.startCompare()); // one job at a time
    QVERIFY(done.wait(90000));
    QVERIFY2(!panel.pareto().empty(), qPrintable(panel.statusText()));
    QCOMPARE(panel.paretoTable()->rowCount(), static_cast<int>(panel.pareto().size()));
    for (std::size_t i = 1; i < panel.pareto().size(); ++i)
      QVERIFY(panel.pareto()[i].expectedMs < panel.pareto()[i - 1].expectedMs);
    QSignalSpy applied(&panel, &ui::TrafficPanel::applyGearsRequested);
    QVERIFY(panel.applyPoint(0));
    QCOMPARE(applied.count(), 1);
    const auto rows = applied.front().at(1).toStringList();
    QCOMPARE(rows.size(), static_cast<int>(panel.pareto().front().gears.size()));
    QCOMPARE(rows.back().toLongLong(), panel.pareto().front().gears.back().front());
    QVERIFY(!panel.applyPoint(99));

    panel.setForm(form(rows));
    QVERIFY(panel.startCompare());
    QVERIFY(done.wait(120000));
    QCOMPARE(panel.compareTable()->rowCount(), 3);
    for (int r = 0; r < 3; ++r)
      QVERIFY2(panel.compareTable()->item(r, 1)->text() != "-", qPrintable(panel.compareTable()->item(r, 4)->text()));
    if (const auto dir = qEnvironmentVariable("GS_SCREENSHOT_DIR"); !dir.isEmpty()) {
      panel.show();
      QVERIFY(QTest::qWaitForWindowExposed(&panel));
      panel.setForm(form(rows));
      QVERIFY(panel.grab().save(QDir(dir).filePath("traffic_panel.png")));
    }
  }

  // In the studio, applying a recommended point changes the form's strategy and gears in one undo step.
  void applyInStudioIsOneUndoStep() {
    QTemporaryDir dir;
    const auto path = dir.filePath(QStringLiteral("tiny.onnx"));
    QVERIFY(test::writeTinyConvModel(path));
    ui::MainWindow w;
    QSignalSpy loaded(&w, &ui::MainWindow::loadFinished);
    w.openFile(path);
    QVERIFY(loaded.wait(60000));
    QVERIFY(loaded.front().front().toBool());
    auto* project = w.project();
    const auto before = project->form();
    const int steps = project->undoStack()->count();
    emit w.trafficPanel()->applyGearsRequested(Strategy::DynamicImageSize,
                                               {QStringLiteral("8,8"), QStringLiteral("16,16")});
    QCOMPARE(project->form().strategy, Strategy::DynamicImageSize);
    QCOMPARE(project->form().gears, (QStringList{"8,8", "16,16"}));
    QCOMPARE(project->undoStack()->count(), steps + 1);
    project->undoStack()->undo();
    QCOMPARE(project->form().strategy, before.strategy);
    QCOMPARE(project->form().gears, before.gears);
  }

  void cancelStopsReplay() {
    ui::TrafficPanel panel;
    panel.setMeasureBudget(3, 100000);
    panel.setModel(smallModel());
    panel.setForm(form({"320", "1280"}));
    QVERIFY(panel.generate());
    QSignalSpy done(&panel, &ui::TrafficPanel::finished);
    QVERIFY(panel.startCompare());
    QTest::qWait(300);
    panel.cancel();
    QVERIFY(done.wait(60000));
    QVERIFY(!panel.isBusy());
  }
};

QTEST_MAIN(TestTrafficPanel)
#include "test_traffic_panel.moc"
