// The studio's graph area in the main window (offscreen): switching between the imported graph and
// a gear's compiled graph, edge shapes per gear, and the profile's operator chart: a mouse click on a
// bar brings the Graph tab forward with that node selected (in the compiled graph when only the
// passes made it).
#include <memory>

#include <QComboBox>
#include <QDeadlineTimer>
#include <QLineEdit>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>

#include "tiny_onnx.h"
#include "ui/autosaver.h"
#include "ui/mainwindow.h"
#include "ui/profile/op_chart.h"
#include "ui/profile/profile_panel.h"
#include "ui/project.h"
#include "ui/views/display_graph.h"
#include "ui/views/graph_scene.h"
#include "ui/views/graph_view.h"
#include "ui/widgets/atc_command_panel.h"
#include "ui/widgets/dialogs.h"
#include "ui/widgets/graph_area.h"

using namespace gs;
using namespace gs::ui;

namespace {

bool hasNodeNamed(const ir::Graph& g, const QString& name) {
  for (std::size_t i = 0; i < g.nodes.size(); ++i)
    if (nodeDisplayName(g, static_cast<ir::NodeId>(i)) == name) return true;
  return false;
}

// Waits until the graph view shows `graph` with nothing pending.
bool waitShown(GraphView* view, const ir::Graph* graph) {
  const auto shown = [&] { return view->displayedGraph().get() == graph && !view->isBusy(); };
  QDeadlineTimer deadline(30000);
  while (!shown() && !deadline.hasExpired())
    QTest::qWait(10);
  return shown();
}

} // namespace

class TestStudioGraph : public QObject {
  Q_OBJECT

private:
  QTemporaryDir m_dir;
  std::unique_ptr<MainWindow> m_window;

private slots:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("GearStudioTest"));
    QCoreApplication::setApplicationName(QStringLiteral("gearstudio-graph-test"));
    dialogs::setHandler([](dialogs::Kind, const QString&, const QString&) { return QMessageBox::Discard; });
    QVERIFY(m_dir.isValid());
    const QString tiny = m_dir.filePath(QStringLiteral("tiny.onnx"));
    QVERIFY(test::writeTinyConvModel(tiny));
    m_window = std::make_unique<MainWindow>();
    m_window->resize(1400, 900);
    m_window->show();
    QSignalSpy loaded(m_window.get(), &MainWindow::loadFinished);
    m_window->openFile(tiny);
    QVERIFY(loaded.wait(60000));
    QVERIFY(loaded.front().front().toBool());
    QVERIFY(m_window->atcPanel()->applyCommand(QStringLiteral("atc --model=m --framework=5 --output=") +
                                               m_dir.filePath(QStringLiteral("tiny")) +
                                               QStringLiteral(" --input_shape=x:-1,3,8,8 --dynamic_batch_size=1,2")));
  }

  void graphChoiceBeforeAndAfterCompile() {
    auto* area = m_window->graphArea();
    auto* view = area->view();
    QTRY_VERIFY_WITH_TIMEOUT(view->displayedGraph() && !view->isBusy(), 30000);
    // Before a compile: only the imported graph, symbolic shapes.
    QCOMPARE(area->graphBox()->count(), 1);
    QVERIFY(!area->graphBox()->isEnabled());
    QCOMPARE(area->shapesBox()->count(), 1);
    QVERIFY(!area->showGraph(0));

    QSignalSpy built(m_window.get(), &MainWindow::compileFinished);
    m_window->startBuild();
    QVERIFY(built.wait(60000));
    QVERIFY(built.front().front().toBool());
    const auto compiled = m_window->compiledModel();
    QVERIFY(compiled && compiled->gears.size() == 2);
    QCOMPARE(area->compiled(), compiled);
    QCOMPARE(area->graphBox()->count(), 3); // imported + two gears
    QVERIFY(area->graphBox()->itemText(2).contains(QStringLiteral("2x3x8x8")));
    QCOMPARE(area->shapesBox()->count(), 3);
    QCOMPARE(area->shapesGear(), 0); // edges show gear 0 after a build
    QCOMPARE(view->scene()->edgeLabel(view->displayedGraph()->findValue("y")), QStringLiteral("1×4×8×8"));

    // The compiled graph of gear 1, picked in the combo box as a user would.
    area->graphBox()->setCurrentIndex(2);
    emit area->graphBox()->activated(2);
    QCOMPARE(area->graphShown(), 1);
    QVERIFY(waitShown(view, &compiled->gears[1].graph));
    QVERIFY(area->shapesBox()->isHidden()); // a compiled graph has its own shapes
    QVERIFY(view->title().contains(QStringLiteral("gear 1")));
    // Choosing gear 0 in the results table while a compiled graph is shown shows gear 0's graph.
    area->showGear(0);
    QCOMPARE(area->graphShown(), 0);
    QVERIFY(waitShown(view, &compiled->gears[0].graph));
    // Back to the imported graph with gear 1's shapes on the edges.
    QVERIFY(area->showGraph(GraphArea::kImported));
    QTRY_VERIFY_WITH_TIMEOUT(!view->isBusy(), 30000);
    QCOMPARE(view->displayedGraph()->nodes.size(), m_window->project()->graph()->nodes.size());
    area->showGear(1);
    QVERIFY(!area->shapesBox()->isHidden());
    QCOMPARE(area->shapesBox()->currentData().toInt(), 1);
    QCOMPARE(view->scene()->edgeLabel(view->displayedGraph()->findValue("y")), QStringLiteral("2×4×8×8"));
  }

  void operatorBarClickSelectsTheNode() {
    auto* area = m_window->graphArea();
    auto* view = area->view();
    auto* panel = m_window->profilePanel();
    panel->loopsBox()->setValue(3);
    panel->warmupBox()->setValue(1);
    QSignalSpy profiled(panel, &ProfilePanel::profileFinished);
    QVERIFY(panel->startProfile());
    QVERIFY(profiled.wait(60000));
    QVERIFY(profiled.front().front().toBool());
    m_window->centreTabs()->setCurrentIndex(1);
    QTest::qWait(50); // let the Profile tab lay out

    // A real mouse click in the middle of the longest bar (the top one: horizontal bars, key on y).
    auto* ops = panel->opChart();
    QVERIFY(ops->bars() && ops->bars()->dataCount() > 0);
    ops->replot();
    const int top = ops->bars()->dataCount() - 1;
    const auto bar = ops->bars()->data()->at(top);
    const QPoint at(static_cast<int>(ops->xAxis->coordToPixel(bar->value / 2)),
                    static_cast<int>(ops->yAxis->coordToPixel(bar->key)));
    QSignalSpy clicked(panel, &ProfilePanel::nodeClicked);
    QTest::mouseClick(ops, Qt::LeftButton, {}, at);
    QCOMPARE(clicked.size(), 1);
    const QString node = clicked.front().at(0).toString();
    QCOMPARE(node, ops->nodeAt(top));
    QCOMPARE(m_window->centreTabs()->currentWidget(), static_cast<QWidget*>(area));
    QTRY_COMPARE_WITH_TIMEOUT(view->selectedNodeName(), node, 30000);
    const ir::Graph& imported = *m_window->project()->graph();
    QCOMPARE(area->graphShown(), hasNodeNamed(imported, node) ? GraphArea::kImported : clicked.front().at(1).toInt());

    // A node the passes made (in a gear's compiled graph only) takes the view to that gear's graph.
    const auto compiled = m_window->compiledModel();
    QString madeByPasses;
    for (std::size_t i = 0; i < compiled->gears[1].graph.nodes.size() && madeByPasses.isEmpty(); ++i) {
      const QString name = nodeDisplayName(compiled->gears[1].graph, static_cast<ir::NodeId>(i));
      if (!hasNodeNamed(imported, name)) madeByPasses = name;
    }
    QVERIFY2(!madeByPasses.isEmpty(), "the compiled tiny model has no node of its own (the passes changed?)");
    QVERIFY(area->revealNode(madeByPasses, 1));
    QCOMPARE(area->graphShown(), 1);
    QTRY_COMPARE_WITH_TIMEOUT(view->selectedNodeName(), madeByPasses, 30000);
    QCOMPARE(view->displayedGraph().get(), &compiled->gears[1].graph);
    // An imported node takes it back to the imported graph.
    const QString importedNode = nodeDisplayName(imported, 0);
    QVERIFY(area->revealNode(importedNode, 1));
    QCOMPARE(area->graphShown(), GraphArea::kImported);
    QTRY_COMPARE_WITH_TIMEOUT(view->selectedNodeName(), importedNode, 30000);
    QVERIFY(!area->revealNode(QStringLiteral("no such node"), 0));
  }

  void findStepsBothWaysFromTheKeyboard() {
    // The tiny model's "1": conv1 then relu1, top to bottom.
    auto* view = m_window->graphArea()->view();
    QVERIFY(m_window->graphArea()->showGraph(GraphArea::kImported));
    QCOMPARE(m_window->graphArea()->graphShown(), GraphArea::kImported);
    QTRY_VERIFY_WITH_TIMEOUT(view->displayedGraph() && !view->isBusy(), 30000);
    m_window->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
    auto* box = m_window->findChild<QLineEdit*>(QStringLiteral("findBox"));
    QVERIFY(box);
    // Ctrl+F puts the focus in the box.
    QTest::keyClick(m_window.get(), Qt::Key_F, Qt::ControlModifier);
    QTRY_VERIFY(box->hasFocus());
    QTest::keyClicks(box, QStringLiteral("1"));
    QVERIFY(m_window->findCounterText().isEmpty());
    // Shift+Enter on a new text starts at the last hit.
    QTest::keyClick(box, Qt::Key_Return, Qt::ShiftModifier);
    QCOMPARE(m_window->findCounterText(), QStringLiteral("2 of 2"));
    QCOMPARE(view->selectedNodeName(), QStringLiteral("relu1"));
    QTest::keyClick(box, Qt::Key_Enter, Qt::ShiftModifier | Qt::KeypadModifier);
    QCOMPARE(m_window->findCounterText(), QStringLiteral("1 of 2"));
    QCOMPARE(view->selectedNodeName(), QStringLiteral("conv1"));
    // Backwards from the first wraps to the last (Shift+F3, a window shortcut).
    QTest::keyClick(m_window.get(), Qt::Key_F3, Qt::ShiftModifier);
    QCOMPARE(m_window->findCounterText(), QStringLiteral("2 of 2"));
    QCOMPARE(view->selectedNodeName(), QStringLiteral("relu1"));
    // Forwards from the last wraps to the first (F3), and on (Enter).
    QTest::keyClick(m_window.get(), Qt::Key_F3);
    QCOMPARE(m_window->findCounterText(), QStringLiteral("1 of 2"));
    QCOMPARE(view->selectedNodeName(), QStringLiteral("conv1"));
    QTest::keyClick(box, Qt::Key_Return);
    QCOMPARE(m_window->findCounterText(), QStringLiteral("2 of 2"));
    QCOMPARE(view->selectedNodeName(), QStringLiteral("relu1"));
    // A new text starts over; one that matches nothing says so.
    box->setText(QStringLiteral("no such thing"));
    QVERIFY(m_window->findCounterText().isEmpty());
    QTest::keyClick(m_window.get(), Qt::Key_F3);
    QCOMPARE(m_window->findCounterText(), QStringLiteral("No match"));
  }

  void cleanupTestCase() {
    m_window->autosaver()->discard();
    m_window.reset();
  }
};

QTEST_MAIN(TestStudioGraph)
#include "test_studio_graph.moc"
