// The fixes from the studio's second trial, on the offscreen platform: a strategy sets the dims it
// implies, every faulty dim is listed at once with one Fix, no error before the user acted, "+" adds
// the next gear up, messages move no field and are never clipped; File > Close, opening a compiled
// .om, View > Reset layout, the window kept on screen, menu mnemonics, About and the bundled docs.
#include <memory>

#include <QAction>
#include <QApplication>
#include <QBrush>
#include <QComboBox>
#include <QDialog>
#include <QDockWidget>
#include <QFile>
#include <QLabel>
#include <QLayout>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QMenuBar>
#include <QPushButton>
#include <QRegularExpression>
#include <QScreen>
#include <QSet>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBrowser>
#include <QTextDocument>

#include "tiny_onnx.h"
#include "ui/autosaver.h"
#include "ui/mainwindow.h"
#include "ui/models/form_fixes.h"
#include "ui/models/gear_result_model.h"
#include "ui/models/input_table_model.h"
#include "ui/project.h"
#include "ui/views/graph_view.h"
#include "ui/widgets/atc_command_panel.h"
#include "ui/widgets/compile_panel.h"
#include "ui/widgets/dialogs.h"
#include "ui/widgets/gear_list_editor.h"
#include "ui/widgets/graph_area.h"
#include "ui/widgets/inputs_editor.h"

using namespace gs;
using namespace gs::ui;

class TestStudioFixes : public QObject {
  Q_OBJECT

private:
  QTemporaryDir m_dir;
  QString m_tiny;
  QStringList m_shown; // every dialog title + text shown

  std::unique_ptr<MainWindow> openWindow(const QString& path) {
    auto w = std::make_unique<MainWindow>();
    QSignalSpy loaded(w.get(), &MainWindow::loadFinished);
    w->openFile(path);
    if (!loaded.wait(60000) || !loaded.front().front().toBool()) return nullptr;
    return w;
  }
  static QString det() { return QStringLiteral(GS_MODELS_DIR "/ch_PP-OCRv4_det_infer.onnx"); }
  static void chooseStrategy(MainWindow& w, Strategy s) {
    auto* combo = w.editor()->strategyCombo();
    combo->setCurrentIndex(combo->findData(static_cast<int>(s)));
  }
  static void typeDim(MainWindow& w, int input, int dim, const QString& text) {
    auto* model = w.editor()->inputTable()->model();
    QVERIFY(model->setData(model->index(input, InputTableModel::FirstDim + dim), text, Qt::EditRole));
  }
  static bool tinted(MainWindow& w, int input, int dim) {
    auto* model = w.editor()->inputTable()->model();
    return model->index(input, InputTableModel::FirstDim + dim).data(Qt::BackgroundRole).value<QBrush>().color() ==
           QColor(0xfd, 0xe2, 0xe1);
  }
  // The error labels and fix button the editor shows now.
  static QStringList visibleMessages(MainWindow& w) {
    QStringList out;
    for (int f = 0; f <= static_cast<int>(FormField::Precision); ++f)
      if (auto* l = w.editor()->errorLabel(f); l->isVisibleTo(&w)) out << l->text();
    if (w.editor()->fixButton()->isVisibleTo(&w)) out << w.editor()->fixButton()->text();
    return out;
  }
  static QPoint posIn(QWidget* w, QWidget* ancestor) { return w->mapTo(ancestor, QPoint(0, 0)); }

private slots:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("GearStudioTest"));
    QCoreApplication::setApplicationName(QStringLiteral("gearstudio-fixes-test"));
    QSettings().clear();
    QVERIFY(m_dir.isValid());
    m_tiny = m_dir.filePath(QStringLiteral("tiny.onnx"));
    QVERIFY(test::writeTinyConvModel(m_tiny));
    dialogs::setHandler([this](dialogs::Kind, const QString& title, const QString& text) {
      m_shown << title + QStringLiteral(": ") + text;
      return QMessageBox::Discard;
    });
  }
  void init() {
    QFile::remove(Autosaver::recoveryPath());
    QSettings().clear();
    m_shown.clear();
  }

  void strategyAdjustsDims() {
    auto w = openWindow(m_tiny); // x [N,3,8,8], N symbolic
    QVERIFY(w);
    auto* p = w->project();
    // Dynamic image size: N fixed (1, the model has no number for it), C from the model, H and W -1,
    // and a first gear list from the model's own H and W.
    chooseStrategy(*w, Strategy::DynamicImageSize);
    QCOMPARE(p->form().inputs[0].dims, (QStringList{"1", "3", "-1", "-1"}));
    QCOMPARE(p->form().gears, (QStringList{"8,8", "16,16"}));
    QVERIFY2(p->check().valid(), qPrintable(p->check().issue ? p->check().issue->text() : QString()));
    QCOMPARE(p->undoStack()->count(), 1); // the strategy and its dims are one step
    // Dynamic batch: dim 0 -1, the others the model's (H and W back to 8).
    chooseStrategy(*w, Strategy::DynamicBatch);
    QCOMPARE(p->form().inputs[0].dims, (QStringList{"-1", "3", "8", "8"}));
    QVERIFY(p->check().valid());
    // NHWC puts H and W at dims 1 and 2.
    p->setInputFormat(QStringLiteral("NHWC"));
    chooseStrategy(*w, Strategy::DynamicImageSize);
    QCOMPARE(p->form().inputs[0].dims, (QStringList{"1", "-1", "-1", "8"}));
    // Static keeps numbers and takes the model's where it knows them; N stays for the user to fix.
    p->setInputFormat(QStringLiteral("NCHW"));
    chooseStrategy(*w, Strategy::DynamicBatch);
    chooseStrategy(*w, Strategy::Static);
    QCOMPARE(p->form().inputs[0].dims, (QStringList{"-1", "3", "8", "8"}));
    QVERIFY(p->form().gears.isEmpty());
    QCOMPARE(w->editor()->dimProblemList().size(), std::size_t{1});
    QCOMPARE(w->editor()->dimProblemList().front().fix, QStringLiteral("1"));
    // Undo goes back through each strategy with its dims.
    p->undoStack()->undo();
    QCOMPARE(p->form().strategy, Strategy::DynamicBatch);
    QCOMPARE(p->form().inputs[0].dims, (QStringList{"-1", "3", "8", "8"}));

    // Without a model the form's own numbers stand in for it.
    FormState f;
    f.inputs = {{QStringLiteral("img"),
                 {QStringLiteral("4"), QStringLiteral("3"), QStringLiteral("224"), QStringLiteral("224")}},
                {QStringLiteral("scale"), {QStringLiteral("2")}}};
    const auto image = formForStrategy(f, Strategy::DynamicImageSize, nullptr);
    QCOMPARE(image.inputs[0].dims, (QStringList{"4", "3", "-1", "-1"}));
    QCOMPARE(image.inputs[1].dims, QStringList{"2"}); // not an image: untouched
    QCOMPARE(image.gears, (QStringList{"224,224", "448,448"}));
    const auto batch = formForStrategy(image, Strategy::DynamicBatch, nullptr);
    QCOMPARE(batch.inputs[0].dims, (QStringList{"-1", "3", "-1", "-1"})); // the model's H, W are unknown here
    QCOMPARE(batch.inputs[1].dims, QStringList{"-1"});
  }

  void strategyOnPaddleOcrDetection() {
    if (!QFile::exists(det())) QSKIP("PP-OCRv4 det model not fetched");
    auto w = openWindow(det()); // x [?,3,?,?]
    QVERIFY(w);
    chooseStrategy(*w, Strategy::DynamicImageSize);
    const auto& p = *w->project();
    QCOMPARE(p.form().inputs[0].dims, (QStringList{"1", "3", "-1", "-1"}));
    QCOMPARE(p.form().gears, (QStringList{"320,320", "640,640", "960,960"}));
    QVERIFY2(p.check().valid(), qPrintable(p.check().issue ? p.check().issue->text() : QString()));
    QVERIFY(visibleMessages(*w).isEmpty());
    // Dynamic batch: H and W are unknown to the model, so they are listed with a fix at once.
    chooseStrategy(*w, Strategy::DynamicBatch);
    QCOMPARE(p.form().inputs[0].dims, (QStringList{"-1", "3", "-1", "-1"}));
    QCOMPARE(w->editor()->dimProblemList().size(), std::size_t{2});
    QVERIFY(w->editor()->fixButton()->isVisibleTo(w.get()));
    w->editor()->fixButton()->click();
    QCOMPARE(p.form().inputs[0].dims, (QStringList{"-1", "3", "1", "1"}));
    QVERIFY(p.check().valid());
  }

  void allDimErrorsAtOnceWithOneClickFix() {
    auto w = openWindow(m_tiny);
    QVERIFY(w);
    auto* p = w->project();
    chooseStrategy(*w, Strategy::DynamicBatch); // -1,3,8,8: valid
    QVERIFY(p->check().valid());
    typeDim(*w, 0, 1, QStringLiteral("0"));
    typeDim(*w, 0, 2, QStringLiteral("abc"));
    typeDim(*w, 0, 3, QStringLiteral("-1"));
    const auto& problems = w->editor()->dimProblemList();
    QCOMPARE(problems.size(), std::size_t{3});
    QStringList fixes;
    for (const auto& pr : problems) {
      QCOMPARE(pr.input, 0);
      QVERIFY(!pr.issue.code.isEmpty());
      fixes << pr.fix;
    }
    QCOMPARE(fixes, (QStringList{"3", "8", "8"})); // the model's dims
    // All three are shown, each with its code, and all three cells are tinted.
    auto* label = w->editor()->errorLabel(static_cast<int>(FormField::Inputs));
    QVERIFY(label->isVisibleTo(w.get()));
    for (const auto& pr : problems)
      QVERIFY2(label->text().contains(pr.issue.code), qPrintable(label->text()));
    QCOMPARE(label->text().count(QStringLiteral("<br>")), 2);
    for (int d = 1; d <= 3; ++d)
      QVERIFY(tinted(*w, 0, d));
    QVERIFY(!tinted(*w, 0, 0));
    QVERIFY(w->editor()->fixButton()->text().contains(QStringLiteral("x[2] = 8")));
    const int steps = p->undoStack()->count();
    w->editor()->fixButton()->click();
    QCOMPARE(p->form().inputs[0].dims, (QStringList{"-1", "3", "8", "8"}));
    QVERIFY(p->check().valid());
    QCOMPARE(p->undoStack()->count(), steps + 1); // one click, one undo step
    QVERIFY(!w->editor()->fixButton()->isVisibleTo(w.get()));
    QVERIFY(visibleMessages(*w).isEmpty());
    p->undoStack()->undo();
    QCOMPARE(w->editor()->dimProblemList().size(), std::size_t{3});
  }

  void noErrorBeforeTheUserActs() {
    // The empty window: no model, nothing to be wrong about.
    MainWindow empty;
    empty.show();
    QVERIFY(visibleMessages(empty).isEmpty());
    QVERIFY(!empty.editor()->fixButton()->isVisibleTo(&empty));
    QVERIFY(!empty.atcPanel()->findChild<QLabel*>()->text().contains(QStringLiteral("E1")));
    // A gear strategy chosen: a first gear list, no "[0] gears".
    auto w = openWindow(m_tiny);
    QVERIFY(w);
    w->show();
    QVERIFY(visibleMessages(*w).isEmpty());
    for (auto s : {Strategy::DynamicBatch, Strategy::DynamicImageSize, Strategy::DynamicDims}) {
      chooseStrategy(*w, s);
      QVERIFY2(w->project()->check().valid(),
               qPrintable(w->project()->check().issue ? w->project()->check().issue->text() : QString()));
      QVERIFY2(visibleMessages(*w).isEmpty(), qPrintable(visibleMessages(*w).join(QLatin1Char('|'))));
    }
    // The user empties the list: an instruction, not an error code.
    w->project()->setGears({}, QStringLiteral("Clear gears"));
    QVERIFY(!w->project()->check().valid());
    QVERIFY(visibleMessages(*w).isEmpty());
    auto* state = w->editor()->findChild<QLabel*>(QStringLiteral("buildState"));
    QVERIFY(state->text().contains(QStringLiteral("Add gears")));
    QVERIFY(!w->editor()->buildButton()->isEnabled());
  }

  void plusAddsTheNextGear() {
    QCOMPARE(nextGear({"1", "2", "4", "8"}, Strategy::DynamicBatch), QStringLiteral("16"));
    QCOMPARE(nextGear({"1", "8", "16"}, Strategy::DynamicBatch), QStringLiteral("32"));
    QCOMPARE(nextGear({"16", "1"}, Strategy::DynamicBatch), QStringLiteral("32")); // from the largest
    QCOMPARE(nextGear({}, Strategy::DynamicBatch), QStringLiteral("1"));
    QCOMPARE(nextGear({"320,320", "640,640", "960,960"}, Strategy::DynamicImageSize), QStringLiteral("1280,1280"));
    QCOMPARE(nextGear({"640,640"}, Strategy::DynamicImageSize), QStringLiteral("1280,1280"));
    QCOMPARE(nextGear({"320,640", "640,640"}, Strategy::DynamicImageSize), QStringLiteral("960,640"));
    QCOMPARE(nextGear({"1,128", "1,512"}, Strategy::DynamicDims), QStringLiteral("1,896"));
    QCOMPARE(nextGear({"64", "128"}, Strategy::DynamicDims), QStringLiteral("192"));
    // Never a duplicate, even when the step lands on a gear further up the list.
    QCOMPARE(nextGear({"320,320", "960,960", "640,640"}, Strategy::DynamicImageSize), QStringLiteral("1280,1280"));

    auto w = openWindow(m_tiny);
    QVERIFY(w);
    chooseStrategy(*w, Strategy::DynamicBatch);
    auto* gears = w->editor()->gearEditor();
    gears->addGear();
    QCOMPARE(w->project()->form().gears, (QStringList{"1", "2", "4", "8", "16"}));
    QVERIFY(w->project()->check().valid()); // not an error the moment it appears
    chooseStrategy(*w, Strategy::DynamicImageSize);
    gears->addGear();
    QCOMPARE(w->project()->form().gears.back(), QStringLiteral("24,24"));
    QVERIFY(w->project()->check().valid());
  }

  void messagesMoveNoField() {
    auto w = openWindow(m_tiny);
    QVERIFY(w);
    w->resize(1280, 900);
    w->show();
    chooseStrategy(*w, Strategy::DynamicBatch);
    QApplication::processEvents();
    auto* editor = w->editor();
    QWidget* fields[] = {editor->inputTable(), editor->strategyCombo(), editor->gearEditor(),
                         editor->outputEdit(), editor->socCombo(),      editor->buildButton()};
    QList<QPoint> before;
    for (auto* f : fields)
      before << posIn(f, editor);
    // One error, then three, then a gear error with a long message: nothing above the messages moves.
    typeDim(*w, 0, 1, QStringLiteral("0"));
    QApplication::processEvents();
    for (int i = 0; i < 6; ++i)
      QCOMPARE(posIn(fields[i], editor), before[i]);
    typeDim(*w, 0, 2, QStringLiteral("x"));
    typeDim(*w, 0, 3, QStringLiteral("y"));
    w->project()->setGears({QStringLiteral("1"), QStringLiteral("1")}, QStringLiteral("dup"));
    QApplication::processEvents();
    QVERIFY(visibleMessages(*w).size() >= 2);
    for (int i = 0; i < 6; ++i)
      QCOMPARE(posIn(fields[i], editor), before[i]);
  }

  void errorTextIsNeverClipped() {
    auto w = openWindow(m_tiny);
    QVERIFY(w);
    w->resize(1100, 800);
    w->show();
    chooseStrategy(*w, Strategy::Static);
    // Long, unbreakable option values: an output path and out nodes without spaces.
    const QString longPath = QStringLiteral("/no/such/directory/") + QString(60, QLatin1Char('d')) +
                             QStringLiteral("/model_with_a_very_long_name_for_the_output_file");
    w->project()->setOutputPath(longPath);
    typeDim(*w, 0, 0, QStringLiteral("0"));
    typeDim(*w, 0, 2, QStringLiteral("-3"));
    for (int width : {380, 300}) {
      if (auto* dock = w->findChild<QDockWidget*>(QStringLiteral("inputsDock")))
        w->resizeDocks({dock}, {width}, Qt::Horizontal);
      QApplication::processEvents();
      int checked = 0;
      for (int f = 0; f <= static_cast<int>(FormField::Precision); ++f) {
        auto* label = w->editor()->errorLabel(f);
        if (!label->isVisibleTo(w.get())) continue;
        ++checked;
        const int room = label->contentsRect().width() - 2 * label->margin() - 12; // padding of the style
        QVERIFY2(label->height() >= label->heightForWidth(label->width()),
                 qPrintable(QStringLiteral("%1 < %2").arg(label->height()).arg(label->heightForWidth(label->width()))));
        // Every piece that cannot be broken fits the label's width.
        QTextDocument doc;
        doc.setHtml(label->text());
        const QFontMetrics fm(label->font());
        QString plain = doc.toPlainText();
        plain.replace(QChar(0x200b), QLatin1Char(' '));
        for (const auto& word : plain.split(QRegularExpression(QStringLiteral("\\s+")), Qt::SkipEmptyParts))
          QVERIFY2(
              fm.horizontalAdvance(word) <= room + fm.horizontalAdvance(QLatin1Char('M')) * 2,
              qPrintable(QStringLiteral("'%1' (%2 px) in %3 px").arg(word).arg(fm.horizontalAdvance(word)).arg(room)));
      }
      QVERIFY(checked >= 1);
      // The ATC command panel's message (the first error, in ATC's words) is not clipped either.
      auto* atcStatus = w->findChild<QLabel*>(QStringLiteral("atcStatus"));
      QVERIFY(atcStatus && atcStatus->isVisibleTo(w.get()) && !atcStatus->text().isEmpty());
      QVERIFY2(atcStatus->height() >= atcStatus->heightForWidth(atcStatus->width()),
               qPrintable(QStringLiteral("ATC message %1 < %2 px: %3")
                              .arg(atcStatus->height())
                              .arg(atcStatus->heightForWidth(atcStatus->width()))
                              .arg(atcStatus->text())));
    }
    QCOMPARE(wrappable(QStringLiteral("a,b;c")), QStringLiteral("a,\u200bb;\u200bc"));
  }

  void fileClose() {
    auto w = openWindow(m_tiny);
    QVERIFY(w);
    w->show();
    QVERIFY(w->closeModel());
    QVERIFY(!w->project()->hasModel());
    QCOMPARE(w->windowTitle(), QStringLiteral("GearStudio"));
    QVERIFY(w->statusText().startsWith(QStringLiteral("No model")));
    QVERIFY(!w->graphArea()->view()->isVisibleTo(w.get()));
    QVERIFY(!w->editor()->isEnabled());
    QVERIFY(visibleMessages(*w).isEmpty());
    // Unsaved edits: the question comes first, and Cancel keeps everything.
    auto w2 = openWindow(m_tiny);
    QVERIFY(w2);
    chooseStrategy(*w2, Strategy::DynamicBatch);
    dialogs::setHandler([this](dialogs::Kind, const QString& title, const QString& text) {
      m_shown << title + QStringLiteral(": ") + text;
      return QMessageBox::Cancel;
    });
    QVERIFY(!w2->closeModel());
    QVERIFY(w2->project()->hasModel());
    QVERIFY(m_shown.back().startsWith(QStringLiteral("Unsaved changes")));
    dialogs::setHandler([this](dialogs::Kind, const QString& title, const QString& text) {
      m_shown << title + QStringLiteral(": ") + text;
      return QMessageBox::Discard;
    });
    QVERIFY(w2->closeModel());
    QVERIFY(!w2->project()->hasModel());
    // The menu has it, with the platform's Close shortcut.
    bool found = false;
    for (auto* a : w2->menuBar()->actions().front()->menu()->actions())
      found = found || (a->text() == QStringLiteral("&Close") && a->shortcut() == QKeySequence(QKeySequence::Close));
    QVERIFY(found);
  }

  void openOmShowsGearsMemoryAndGraphs() {
    const auto om = m_dir.filePath(QStringLiteral("tiny_gears.om"));
    {
      auto w = openWindow(m_tiny);
      QVERIFY(w);
      QVERIFY(w->atcPanel()->applyCommand(QStringLiteral(
          "atc --model=m --framework=5 --output=o --input_shape=x:-1,3,8,8 --dynamic_batch_size=1,2,4")));
      QSignalSpy done(w.get(), &MainWindow::compileFinished);
      w->startBuild();
      QVERIFY(done.wait(60000));
      QVERIFY(w->saveOmTo(om));
    }
    auto w = openWindow(om);
    QVERIFY(w);
    w->show();
    QCOMPARE(w->omPath(), QFileInfo(om).absoluteFilePath());
    QVERIFY(!w->project()->hasModel());
    QVERIFY(w->windowTitle().startsWith(QStringLiteral("tiny_gears.om")));
    QVERIFY2(w->statusText().contains(QStringLiteral("3 gears")), qPrintable(w->statusText()));
    QVERIFY(w->statusText().contains(QStringLiteral("shared arena")));
    // Gears and memory in the results table.
    auto* results = w->compilePanel()->results();
    QCOMPARE(results->rowCount(), 3);
    for (int i = 0; i < 3; ++i) {
      QCOMPARE(results->row(i).inputs, QStringLiteral("x[%1,3,8,8]").arg(i + 1 == 3 ? 4 : i + 1));
      QVERIFY(results->row(i).arenaBytes > 0);
    }
    // Each gear's graph, gear 0 first.
    auto* box = w->graphArea()->graphBox();
    QCOMPARE(box->count(), 3);
    QCOMPARE(w->graphArea()->graphShown(), 0);
    auto* view = w->graphArea()->view();
    QTRY_VERIFY_WITH_TIMEOUT(view->displayedGraph() && !view->isBusy(), 30000);
    QVERIFY(view->displayedGraph()->nodes.size() >= 1);
    QVERIFY(w->graphArea()->showGraph(2));
    QTRY_VERIFY_WITH_TIMEOUT(!view->isBusy(), 30000);
    QVERIFY(view->title().contains(QStringLiteral("gear 2")));
    QVERIFY(w->graphArea()->findNext(QStringLiteral("op:Conv")) >= 1);
    // Open .onnx again: the .om's state goes.
    QSignalSpy loaded(w.get(), &MainWindow::loadFinished);
    w->openFile(m_tiny);
    QVERIFY(loaded.wait(60000));
    QVERIFY(w->omPath().isEmpty());
    QVERIFY(w->project()->hasModel());
    // A broken .om: an error naming the problem, the session intact.
    const auto bad = m_dir.filePath(QStringLiteral("bad.om"));
    {
      QFile f(bad);
      QVERIFY(f.open(QIODevice::WriteOnly));
      f.write("not an om file at all");
    }
    loaded.clear();
    w->openFile(bad);
    QVERIFY(loaded.wait(60000));
    QVERIFY(!loaded.front().front().toBool());
    QVERIFY(!w->lastError().isEmpty());
    QVERIFY(w->project()->hasModel());
  }

  void resetLayout() {
    MainWindow w;
    w.show();
    auto* log = w.findChild<QDockWidget*>(QStringLiteral("logDock"));
    auto* atc = w.findChild<QDockWidget*>(QStringLiteral("atcDock"));
    auto* inputs = w.findChild<QDockWidget*>(QStringLiteral("inputsDock"));
    QVERIFY(log && atc && inputs);
    const auto area = w.dockWidgetArea(inputs);
    log->hide();
    atc->setFloating(true);
    w.addDockWidget(Qt::RightDockWidgetArea, inputs);
    QApplication::processEvents();
    w.resetLayout();
    QApplication::processEvents();
    QVERIFY(!atc->isFloating());
    QVERIFY(atc->isVisibleTo(&w));
    QCOMPARE(w.dockWidgetArea(inputs), area);
    QVERIFY(!w.tabifiedDockWidgets(log).isEmpty()); // back behind the compile results
    bool inMenu = false;
    for (auto* menu : w.menuBar()->findChildren<QMenu*>())
      for (auto* a : menu->actions())
        inMenu = inMenu || a->text() == QStringLiteral("&Reset Layout");
    QVERIFY(inMenu);
  }

  void geometryKeptOnScreen() {
    const QRect screen(0, 0, 1920, 1080);
    // A window left on a monitor that is gone comes back onto the one there is.
    QCOMPARE(MainWindow::clampToScreens(QRect(2500, 100, 1440, 900), {screen}), QRect(480, 100, 1440, 900));
    QCOMPARE(MainWindow::clampToScreens(QRect(-3000, -200, 800, 600), {screen}), QRect(0, 0, 800, 600));
    // Larger than the screen: shrunk to it.
    QCOMPARE(MainWindow::clampToScreens(QRect(100, 100, 2560, 1440), {screen}), screen);
    // Two screens: the one it overlaps most.
    const QRect right(1920, 0, 1280, 1024);
    QCOMPARE(MainWindow::clampToScreens(QRect(3000, 500, 800, 600), {screen, right}), QRect(2400, 424, 800, 600));
    QCOMPARE(MainWindow::clampToScreens(QRect(100, 100, 800, 600), {screen, right}), QRect(100, 100, 800, 600));

    // Restored from settings saved on a bigger desktop.
    {
      MainWindow w;
      w.show();
      w.setGeometry(QRect(6000, 4000, 1440, 900));
      w.close();
    }
    MainWindow w;
    w.show();
    QApplication::processEvents();
    const QRect available = QGuiApplication::primaryScreen()->availableGeometry();
    // On a screen smaller than the window's minimum size (the offscreen screen is 800x800) the window
    // keeps its minimum size, from the screen's top-left corner.
    const QRect frame = w.frameGeometry();
    const QSize fit = available.size().expandedTo(w.layout()->totalMinimumSize() + (frame.size() - w.size()));
    QVERIFY2(available.contains(frame.topLeft()) && frame.width() <= fit.width() && frame.height() <= fit.height(),
             qPrintable(QStringLiteral("%1,%2 %3x%4 outside %5x%6")
                            .arg(w.frameGeometry().x())
                            .arg(w.frameGeometry().y())
                            .arg(w.frameGeometry().width())
                            .arg(w.frameGeometry().height())
                            .arg(available.width())
                            .arg(available.height())));
  }

  void menuMnemonicsEscaped() {
    MainWindow w;
    // The dock's title keeps its '&'; its View action escapes it.
    auto* inputs = w.findChild<QDockWidget*>(QStringLiteral("inputsDock"));
    QCOMPARE(inputs->windowTitle(), QStringLiteral("Inputs & Gears"));
    QCOMPARE(inputs->toggleViewAction()->text(), QStringLiteral("Inputs && Gears"));
    QCOMPARE(MainWindow::menuText(QStringLiteral("A & B & C")), QStringLiteral("A && B && C"));
    // Every menu entry: at most one mnemonic, never before a space, and no two alike in one menu.
    QStringList topKeys;
    for (auto* top : w.menuBar()->actions()) {
      QVERIFY(top->menu());
      QString t = top->text();
      topKeys << t.mid(t.indexOf(QLatin1Char('&')) + 1, 1).toLower();
      QStringList keys;
      for (auto* a : top->menu()->actions()) {
        if (a->isSeparator()) continue;
        QString text = a->text();
        text.replace(QStringLiteral("&&"), QString());
        QVERIFY2(text.count(QLatin1Char('&')) <= 1, qPrintable(a->text()));
        const auto at = text.indexOf(QLatin1Char('&'));
        if (at < 0) continue;
        QVERIFY2(at + 1 < text.size() && !text[at + 1].isSpace(), qPrintable(a->text()));
        const QString key = text.mid(at + 1, 1).toLower();
        QVERIFY2(!keys.contains(key), qPrintable(top->text() + QStringLiteral(": ") + a->text()));
        keys << key;
      }
    }
    QCOMPARE(QSet<QString>(topKeys.begin(), topKeys.end()).size(), topKeys.size());
  }

  void aboutHasVersionAndLicence() {
    MainWindow w;
    const QString about = w.aboutText();
    QVERIFY(about.contains(QStringLiteral(GS_VERSION_FOR_TEST)));
    QVERIFY(about.contains(QStringLiteral("Licence:")));
    QVERIFY(about.contains(QStringLiteral("not chosen a licence")));
    QVERIFY(about.contains(QString::fromLatin1(qVersion())));
    for (auto* menu : w.menuBar()->findChildren<QMenu*>())
      for (auto* a : menu->actions())
        if (a->text() == QStringLiteral("&About GearStudio")) a->trigger();
    QVERIFY(!m_shown.isEmpty());
    QVERIFY(m_shown.back().startsWith(QStringLiteral("About GearStudio: ")));
    QVERIFY(m_shown.back().contains(QStringLiteral(GS_VERSION_FOR_TEST)));
  }

  void helpShowsTheBundledDocs() {
    // Compiled in: present wherever the program runs, .deb included.
    for (const char* f : {":/gearstudio/help/README.md", ":/gearstudio/help/docs/gearbench.md",
                          ":/gearstudio/help/docs/om-format.md", ":/gearstudio/help/docs/architecture.md"})
      QVERIFY2(QFile::exists(QString::fromLatin1(f)), f);
    MainWindow w;
    w.show();
    QWidget* help = w.showDocumentation();
    QVERIFY(help && help->isVisible());
    auto* browser = help->findChild<QTextBrowser*>(QStringLiteral("helpBrowser"));
    QVERIFY(browser);
    QCOMPARE(browser->source().toString(), QStringLiteral("qrc:/gearstudio/help/README.md"));
    QVERIFY(browser->toPlainText().contains(QStringLiteral("GearStudio")));
    QVERIFY(browser->toPlainText().size() > 1000);
    // The README's screenshot is there too (a picture that resolves, not a broken link).
    QVERIFY(QFile::exists(QStringLiteral(":/gearstudio/help/docs/screenshots/studio-det.png")));
    auto* pages = help->findChild<QListWidget*>(QStringLiteral("helpPages"));
    QCOMPARE(pages->count(), 4);
    pages->setCurrentRow(1);
    QVERIFY(browser->source().toString().endsWith(QStringLiteral("docs/gearbench.md")));
    QVERIFY(browser->toPlainText().contains(QStringLiteral("gearbench")));
    // A link between documents opens in the same window.
    w.showDocumentation(QStringLiteral("docs/om-format.md"));
    QVERIFY(browser->toPlainText().contains(QStringLiteral(".om")));
    QCOMPARE(w.findChildren<QDialog*>(QStringLiteral("helpWindow")).size(), 1);
  }
};

QTEST_MAIN(TestStudioFixes)
#include "test_studio_fixes.moc"
