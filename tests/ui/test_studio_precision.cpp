// The Precision section of the Inputs & Gears form (offscreen): every control edits the form in one
// undo step and reaches the live ATC command; pasted commands fill the controls; invalid
// combinations are shown beside the Precision section with ATC's code; GearStudio's extensions are
// tinted in the command and explained in its status line.
#include <memory>

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include "tiny_onnx.h"
#include "ui/autosaver.h"
#include "ui/mainwindow.h"
#include "ui/models/form_check.h"
#include "ui/models/form_state.h"
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
};

QTEST_MAIN(TestStudioPrecision)
#include "test_studio_precision.moc"
