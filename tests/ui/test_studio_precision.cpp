// The Precision section of the Inputs & Gears form (offscreen): every control edits the form in one
// undo step and reaches the live ATC command; pasted commands fill the controls; invalid
// combinations are shown beside the Precision section with ATC's code; GearStudio's extensions are
// tinted in the command and explained in its status line.
#include <memory>

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>

#include "tiny_onnx.h"
#include "ui/autosaver.h"
#include "ui/mainwindow.h"
#include "ui/models/form_check.h"
#include "ui/models/form_state.h"
#include "ui/profile/precision_view.h"
#include "ui/profile/profile_panel.h"
#include "ui/project.h"
#include "ui/widgets/atc_command_panel.h"
#include "ui/widgets/dialogs.h"
#include "ui/widgets/inputs_editor.h"
#include "ui/widgets/precision_editor.h"

using namespace gs;
using namespace gs::ui;

class TestStudioPrecision : public QObject {
  Q_OBJECT

  QTemporaryDir m_dir;
  QString m_tiny;

  std::unique_ptr<MainWindow> openWindow() {
    auto w = std::make_unique<MainWindow>();
    QSignalSpy loaded(w.get(), &MainWindow::loadFinished);
    w->openFile(m_tiny);
    if (!loaded.wait(60000) || !loaded.front().front().toBool()) return nullptr;
    return w;
  }
  static QString command(MainWindow& w) { return w.project()->check().commandLine; }
  // The message shown beside the Precision section (without the label's soft line breaks).
  static QString precisionError(MainWindow& w) {
    auto* l = w.editor()->errorLabel(static_cast<int>(FormField::Precision));
    return l->isVisibleTo(&w) ? l->text().remove(QChar(0x200B)) : QString();
  }
  static void chooseMode(PrecisionEditor* e, const QString& mode) {
    e->modeCombo()->setCurrentIndex(e->modeCombo()->findData(mode));
  }

private slots:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("GearStudioTest"));
    QCoreApplication::setApplicationName(QStringLiteral("gearstudio-precision-test"));
    QSettings().clear();
    QVERIFY(m_dir.isValid());
    m_tiny = m_dir.filePath(QStringLiteral("tiny.onnx"));
    QVERIFY(test::writeTinyConvModel(m_tiny));
    dialogs::setHandler([](dialogs::Kind, const QString&, const QString&) { return QMessageBox::Discard; });
  }
  void init() { QFile::remove(Autosaver::recoveryPath()); }

  void formRoundTripsThroughOptions() {
    FormState base;
    base.inputs.push_back({QStringLiteral("x"), {QStringLiteral("1"), QStringLiteral("3")}});
    FormState f = base;
    f.precision.mode = QStringLiteral("allow_mix_precision");
    f.precision.keepDtypeFile = QStringLiteral("/tmp/keep list.cfg");
    f.precision.quantize = QStringLiteral("int8");
    f.precision.calibrationDir = QStringLiteral("/data/cal");
    f.precision.calibrationMethod = QStringLiteral("entropy");
    f.precision.calibrationMean = QStringLiteral("1,2,3");
    f.precision.calibrationScale = QStringLiteral("0.5");
    const auto options = toAtcOptions(f, QStringLiteral("m.onnx"));
    const auto line = shape_config::toCommandLine(options);
    const auto back = formFromOptions(*shape_config::parseCommandLine(line), base);
    QVERIFY(back);
    QCOMPARE(back->precision, f.precision);
    // Unticking Quantize writes no calibration option, but the form keeps the folder for re-ticking.
    f.precision.quantize.clear();
    const auto off = shape_config::toCommandLine(toAtcOptions(f, QStringLiteral("m.onnx")));
    QVERIFY2(off.find("calibration") == std::string::npos, off.c_str());
    QVERIFY(off.find("--keep_dtype=") != std::string::npos);
  }

  void controlsEditTheForm() {
    auto w = openWindow();
    QVERIFY(w);
    auto* p = w->project();
    auto* e = w->editor()->precisionEditor();
    QVERIFY(!command(*w).contains(QLatin1String("precision_mode")));
    const int steps = p->undoStack()->count();
    chooseMode(e, QStringLiteral("force_fp16"));
    QCOMPARE(p->form().precision.mode, QStringLiteral("force_fp16"));
    QVERIFY2(command(*w).contains(QLatin1String("--precision_mode=force_fp16")), qPrintable(command(*w)));
    QVERIFY(p->check().valid());
    QCOMPARE(p->undoStack()->count(), steps + 1);
    p->undoStack()->undo();
    QVERIFY(p->form().precision.mode.isEmpty());
    QCOMPARE(e->modeCombo()->currentData().toString(), QString());
    p->undoStack()->redo();
    QCOMPARE(e->modeCombo()->currentData().toString(), QStringLiteral("force_fp16"));

    // Quantize without samples: E10007 beside the Precision section, Build disabled.
    chooseMode(e, QString());
    e->quantizeCheck()->setChecked(true);
    QVERIFY(!p->check().valid());
    QCOMPARE(p->check().issue->code, QStringLiteral("E10007"));
    QCOMPARE(p->check().issue->field, FormField::Precision);
    QVERIFY2(precisionError(*w).contains(QLatin1String("--calibration")), qPrintable(precisionError(*w)));
    QVERIFY(!w->editor()->buildButton()->isEnabled());
    // Typing the folder: one undo step for the keystrokes, then valid.
    const int before = p->undoStack()->count();
    QTest::keyClicks(e->calibrationEdit(), QStringLiteral("/data/cal"));
    QCOMPARE(p->form().precision.calibrationDir, QStringLiteral("/data/cal"));
    QCOMPARE(p->undoStack()->count(), before + 1);
    QVERIFY2(p->check().valid(), qPrintable(p->check().issue ? p->check().issue->text() : QString()));
    e->methodCombo()->setCurrentIndex(e->methodCombo()->findData(QStringLiteral("percentile")));
    QVERIFY(command(*w).contains(QLatin1String("--calibration_method=percentile")));
    // int8 with a 16-bit mode is refused, naming the combination.
    chooseMode(e, QStringLiteral("bf16"));
    QVERIFY(!p->check().valid());
    QCOMPARE(p->check().issue->field, FormField::Precision);
    QVERIFY2(precisionError(*w).contains(QLatin1String("int8")), qPrintable(precisionError(*w)));
    chooseMode(e, QStringLiteral("force_fp32"));
    QVERIFY(p->check().valid());
    // A scale of 0 names the option.
    QTest::keyClicks(e->scaleEdit(), QStringLiteral("0"));
    QVERIFY(!p->check().valid());
    QVERIFY2(precisionError(*w).contains(QLatin1String("--calibration_scale")), qPrintable(precisionError(*w)));
    e->scaleEdit()->clear();
    emit e->scaleEdit()->textEdited(QString());
    QVERIFY(p->check().valid());
  }

  void extensionsAreMarked() {
    auto w = openWindow();
    QVERIFY(w);
    auto* e = w->editor()->precisionEditor();
    auto* panel = w->atcPanel();
    QVERIFY(panel->editor()->extraSelections().isEmpty());
    chooseMode(e, QStringLiteral("allow_fp32_to_fp16"));
    QVERIFY(panel->editor()->extraSelections().isEmpty()); // an ATC mode is not an extension
    QVERIFY(panel->statusLabel()->text().startsWith(QLatin1String("Valid")));
    chooseMode(e, QStringLiteral("bf16"));
    const auto marks = panel->editor()->extraSelections();
    QCOMPARE(marks.size(), 1);
    QCOMPARE(marks.front().cursor.selectedText(), QStringLiteral("--precision_mode=bf16"));
    QVERIFY2(panel->statusLabel()->text().contains(QLatin1String("--precision_mode is GearStudio's own")),
             qPrintable(panel->statusLabel()->text()));
  }

  void pastedCommandFillsTheControls() {
    auto w = openWindow();
    QVERIFY(w);
    auto* e = w->editor()->precisionEditor();
    const QString keep = m_dir.filePath(QStringLiteral("keep.cfg"));
    {
      QFile f(keep);
      QVERIFY(f.open(QIODevice::WriteOnly));
      f.write("OpType::Softmax\n");
    }
    QVERIFY(w->atcPanel()->applyCommand(
        QStringLiteral("atc --model=%1 --framework=5 --output=o --input_shape=x:1,3,8,8 --precision_mode=bf16 "
                       "--keep_dtype=%2")
            .arg(m_tiny, keep)));
    QCOMPARE(e->modeCombo()->currentData().toString(), QStringLiteral("bf16"));
    QCOMPARE(e->keepEdit()->text(), keep);
    QVERIFY2(w->project()->check().valid(),
             qPrintable(w->project()->check().issue ? w->project()->check().issue->text() : QString()));
    QVERIFY(w->atcPanel()->applyCommand(
        QStringLiteral("atc --model=%1 --framework=5 --output=o --input_shape=x:1,3,8,8 --quantize=int8 "
                       "--calibration=/cal --calibration_method=entropy --calibration_mean=1,2,3")
            .arg(m_tiny)));
    QVERIFY(e->quantizeCheck()->isChecked());
    QCOMPARE(e->calibrationEdit()->text(), QStringLiteral("/cal"));
    QCOMPARE(e->methodCombo()->currentData().toString(), QStringLiteral("entropy"));
    QCOMPARE(e->meanEdit()->text(), QStringLiteral("1,2,3"));
    QCOMPARE(e->modeCombo()->currentData().toString(), QString()); // not given: back to the default
    // A missing --keep_dtype file is named beside the section.
    QVERIFY(w->atcPanel()->applyCommand(
        QStringLiteral("atc --model=%1 --framework=5 --output=o --keep_dtype=/no/such.cfg").arg(m_tiny)));
    QVERIFY(!w->project()->check().valid());
    QVERIFY2(precisionError(*w).contains(QLatin1String("does not exist")), qPrintable(precisionError(*w)));
    // An unknown mode stays visible in the combo and is flagged.
    QVERIFY(w->atcPanel()->applyCommand(
        QStringLiteral("atc --model=%1 --framework=5 --output=o --precision_mode=fp8").arg(m_tiny)));
    QCOMPARE(e->modeCombo()->currentText(), QStringLiteral("fp8"));
    QVERIFY(precisionError(*w).contains(QLatin1String("E10001")));
  }

  void precisionMatrixInTheProfileTab() {
    auto w = openWindow();
    QVERIFY(w);
    QVERIFY(w->atcPanel()->applyCommand(
        QStringLiteral("atc --model=%1 --framework=5 --output=%2 --input_shape=x:-1,3,8,8 --dynamic_batch_size=1,2")
            .arg(m_tiny, m_dir.filePath(QStringLiteral("tiny")))));
    QVERIFY(w->project()->check().valid());
    auto* panel = w->profilePanel();
    panel->loopsBox()->setValue(5);
    panel->warmupBox()->setValue(1);
    panel->setPrecisionChoices({QStringLiteral("fp32"), QStringLiteral("force_fp16"), QStringLiteral("bf16")});
    QCOMPARE(panel->precisionChoices(),
             (QStringList{QStringLiteral("fp32"), QStringLiteral("force_fp16"), QStringLiteral("bf16")}));
    // int8 without calibration samples in the form: refused with what to do.
    panel->setPrecisionChoices({QStringLiteral("fp32"), QStringLiteral("int8")});
    QVERIFY(!panel->startPrecisionMatrix());
    QVERIFY2(panel->statusText().contains(QLatin1String("calibration")), qPrintable(panel->statusText()));
    panel->setPrecisionChoices({QStringLiteral("fp32"), QStringLiteral("force_fp16"), QStringLiteral("bf16")});

    QSignalSpy done(panel, &ProfilePanel::precisionMatrixFinished);
    QVERIFY(panel->startPrecisionMatrix());
    QVERIFY(done.wait(120000));
    QVERIFY2(done.front().front().toBool(), qPrintable(panel->statusText()));
    QVERIFY(panel->precisionMatrix());
    const auto& m = *panel->precisionMatrix();
    QCOMPARE(m.rows.size(), std::size_t{3});
    QCOMPARE(m.gearLabels.size(), std::size_t{2});
    auto* view = panel->precisionView();
    QCOMPARE(panel->tabs()->currentWidget(), static_cast<QWidget*>(view));
    auto* table = view->matrixTable();
    QCOMPARE(table->rowCount(), 3);
    QCOMPARE(table->columnCount(), 2);
    for (int r = 0; r < 3; ++r)
      for (int g = 0; g < 2; ++g) {
        QVERIFY2(m.rows[r].error.empty(), m.rows[r].error.c_str());
        QVERIFY(m.rows[r].cells[g].latency.median > 0);
        QVERIFY(!table->item(r, g)->text().isEmpty());
      }
    // fp32 against the fp32 reference: exact.
    QCOMPARE(m.rows[0].cells[1].accuracy.minCosine, 1.0);
    view->setMetric(PrecisionView::Metric::Cosine);
    QCOMPARE(table->item(0, 1)->text(), QStringLiteral("1.000000"));
    view->setMetric(PrecisionView::Metric::VsReference);
    QCOMPARE(table->item(0, 0)->text(), QStringLiteral("1.00×"));
    // The selected cell lists its layers; activating one asks for it in the graph.
    view->selectCell(1, 1);
    QVERIFY(!m.rows[1].cells[1].worstLayers.empty());
    QVERIFY(view->layerTable()->isVisibleTo(view));
    QCOMPARE(view->layerTable()->rowCount(), static_cast<int>(m.rows[1].cells[1].worstLayers.size()));
    QSignalSpy clicked(panel, &ProfilePanel::nodeClicked);
    emit view->layerTable()->cellDoubleClicked(0, 0);
    QCOMPARE(clicked.size(), 1);
    QCOMPARE(clicked.front().at(0).toString(), QString::fromStdString(m.rows[1].cells[1].worstLayers[0].node));
    QCOMPARE(clicked.front().at(1).toInt(), 1);
    QVERIFY(!view->summaryLabel()->text().isEmpty());

    // Reports carry the matrix.
    const QString md = m_dir.filePath(QStringLiteral("report.md"));
    QString error;
    QVERIFY2(panel->exportMarkdown(md, &error), qPrintable(error));
    QFile mdFile(md);
    QVERIFY(mdFile.open(QIODevice::ReadOnly));
    const QString mdText = QString::fromUtf8(mdFile.readAll());
    QVERIFY2(mdText.contains(QLatin1String("Precision")), qPrintable(mdText.left(400)));
    QVERIFY(mdText.contains(QLatin1String("force_fp16")));
    const QString json = m_dir.filePath(QStringLiteral("report.json"));
    QVERIFY2(panel->exportJson(json, &error), qPrintable(error));
    QFile jsonFile(json);
    QVERIFY(jsonFile.open(QIODevice::ReadOnly));
    const auto doc = QJsonDocument::fromJson(jsonFile.readAll()).object();
    QVERIFY(doc.contains(QLatin1String("precision_matrix")));
    const QString csv = m_dir.filePath(QStringLiteral("report.csv"));
    QVERIFY2(panel->exportCsv(csv, &error), qPrintable(error));
    QFile csvFile(csv);
    QVERIFY(csvFile.open(QIODevice::ReadOnly));
    QVERIFY(QString::fromUtf8(csvFile.readAll()).startsWith(QLatin1String("precision,gear")));
  }
};

QTEST_MAIN(TestStudioPrecision)
#include "test_studio_precision.moc"
