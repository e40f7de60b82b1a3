// The studio end to end on the offscreen platform: open models, edit the Inputs & Gears form and
// see the validator's ATC codes beside the field, the live ATC command, pasting a command, compile
// with per-gear results and cancel, project save/reopen, undo/redo, crash recovery, and a bad file
// that leaves the session intact. Dialogs are answered through ui::dialogs' handler.
#include <deque>
#include <memory>

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include "core/om/om_file.h"
#include "tiny_onnx.h"
#include "ui/autosaver.h"
#include "ui/mainwindow.h"
#include "ui/models/form_check.h"
#include "ui/models/gear_result_model.h"
#include "ui/models/input_table_model.h"
#include "ui/models/log_model.h"
#include "ui/project.h"
#include "ui/project_file.h"
#include "ui/views/display_graph.h"
#include "ui/widgets/atc_command_panel.h"
#include "ui/widgets/compile_panel.h"
#include "ui/widgets/dialogs.h"
#include "ui/widgets/gear_list_editor.h"
#include "ui/widgets/graph_area.h"
#include "ui/widgets/inputs_editor.h"
#include "ui/widgets/log_panel.h"

using namespace gs;
using namespace gs::ui;

class TestStudio : public QObject {
  Q_OBJECT

private:
  QTemporaryDir m_dir;
  QString m_tiny;
  std::deque<QMessageBox::StandardButton> m_answers; // next answers to questions
  QStringList m_shown;                               // every dialog title + text shown

  std::unique_ptr<MainWindow> openWindow(const QString& path) {
    auto w = std::make_unique<MainWindow>();
    QSignalSpy loaded(w.get(), &MainWindow::loadFinished);
    w->openFile(path);
    if (!loaded.wait(60000) || !loaded.front().front().toBool()) return nullptr;
    return w;
  }
  static QString det() { return QStringLiteral(GS_MODELS_DIR "/ch_PP-OCRv4_det_infer.onnx"); }
  static QLabel* errorLabel(MainWindow& w, FormField f) { return w.editor()->errorLabel(static_cast<int>(f)); }
  static void chooseStrategy(MainWindow& w, Strategy s) {
    auto* combo = w.editor()->strategyCombo();
    combo->setCurrentIndex(combo->findData(static_cast<int>(s)));
  }
  // Types into a dim cell through the table's model, as the delegate commits it.
  static void typeDim(MainWindow& w, int input, int dim, const QString& text) {
    auto* model = w.editor()->inputTable()->model();
    QVERIFY(model->setData(model->index(input, InputTableModel::FirstDim + dim), text, Qt::EditRole));
  }

private slots:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("GearStudioTest"));
    QCoreApplication::setApplicationName(QStringLiteral("gearstudio-test"));
    QSettings().clear();
    QVERIFY(m_dir.isValid());
    m_tiny = m_dir.filePath(QStringLiteral("tiny.onnx"));
    QVERIFY(test::writeTinyConvModel(m_tiny));
    dialogs::setHandler([this](dialogs::Kind, const QString& title, const QString& text) {
      m_shown << title + QStringLiteral(": ") + text;
      if (m_answers.empty()) return QMessageBox::Discard;
      const auto a = m_answers.front();
      m_answers.pop_front();
      return a;
    });
  }
  void init() {
    QFile::remove(Autosaver::recoveryPath());
    m_answers.clear();
    m_shown.clear();
  }

  void validatorCodesForTheForm() {
    // Model-free rules straight from the form state (what the editor shows as the user types).
    FormState f;
    f.inputs = {
        {QStringLiteral("x"), {QStringLiteral("-1"), QStringLiteral("3"), QStringLiteral("8"), QStringLiteral("8")}}};
    f.outputPath = QStringLiteral("/tmp/out");
    f.strategy = Strategy::DynamicBatch;
    f.gears = {QStringLiteral("4")};
    auto c = checkForm(f, QStringLiteral("m.onnx"), nullptr);
    QVERIFY(c.issue);
    QCOMPARE(c.issue->code, QStringLiteral("E10035"));
    QCOMPARE(c.issue->field, FormField::Gears);
    f.gears = {QStringLiteral("1"), QStringLiteral("2"), QStringLiteral("1")};
    c = checkForm(f, QStringLiteral("m.onnx"), nullptr);
    QCOMPARE(c.issue->code, QStringLiteral("E10039"));
    QCOMPARE(c.issue->gearRow, 2);
    f.gears = {QStringLiteral("1"), QStringLiteral("x")};
    QCOMPARE(checkForm(f, QStringLiteral("m.onnx"), nullptr).issue->code, QStringLiteral("E10003"));
    f.gears = {QStringLiteral("1"), QStringLiteral("2")};
    c = checkForm(f, QStringLiteral("m.onnx"), nullptr);
    QVERIFY2(c.valid(), qPrintable(c.issue ? c.issue->text() : QString()));
    QVERIFY(c.commandLine.contains(QStringLiteral("--dynamic_batch_size=1,2")));
    // -1 away from the batch dim with dynamic batch: E10018 on that dim.
    f.inputs[0].dims = {QStringLiteral("-1"), QStringLiteral("3"), QStringLiteral("-1"), QStringLiteral("8")};
    c = checkForm(f, QStringLiteral("m.onnx"), nullptr);
    QCOMPARE(c.issue->code, QStringLiteral("E10018"));
    QCOMPARE(c.issue->field, FormField::Inputs);
    QCOMPARE(c.issue->input, 0);
    QCOMPARE(c.issue->dim, 2);
    // Static with a -1 is not static.
    f.strategy = Strategy::Static;
    f.gears.clear();
    c = checkForm(f, QStringLiteral("m.onnx"), nullptr);
    QVERIFY(c.issue);
    QCOMPARE(c.issue->field, FormField::Inputs);
    // No output path: ATC's required option.
    f.inputs[0].dims = {QStringLiteral("1"), QStringLiteral("3"), QStringLiteral("8"), QStringLiteral("8")};
    f.outputPath.clear();
    c = checkForm(f, QStringLiteral("m.onnx"), nullptr);
    QCOMPARE(c.issue->code, QStringLiteral("E10007"));
    QCOMPARE(c.issue->field, FormField::Output);
  }

  void openTinyModel() {
    auto w = openWindow(m_tiny);
    QVERIFY(w);
    const auto* p = w->project();
    QVERIFY(p->hasModel());
    QCOMPARE(p->form().inputs.size(), std::size_t{1});
    QCOMPARE(p->form().inputs[0].dims, (QStringList{"-1", "3", "8", "8"}));
    QCOMPARE(p->form().strategy, Strategy::DynamicShape); // a symbolic batch is a -1 without gears
    QVERIFY(p->check().valid());
    QVERIFY(w->statusText().contains(QStringLiteral("tiny.onnx")));
    QVERIFY(w->statusText().contains(QStringLiteral("2 nodes")));
    QVERIFY2(w->statusText().contains(QStringLiteral("x: N×3×8×8")), qPrintable(w->statusText()));
    QVERIFY(!p->isModified());
  }

  void statusBarShowsSymbolicInputsCompactly() {
    // PaddleOCR's classifier names its dims "p2o.DynamicDimension.<i>": the status bar shows them as
    // "?" like the inputs table, and the tooltip keeps the dtype and the whole names.
    const QString cls = QStringLiteral(GS_MODELS_DIR "/ch_ppocr_mobile_v2.0_cls_infer.onnx");
    if (!QFile::exists(cls)) QSKIP("PP-OCR cls model not fetched");
    auto w = openWindow(cls);
    QVERIFY(w);
    const QString status = w->statusText();
    // The file's input is [p2o.DynamicDimension.0,3,p2o.DynamicDimension.1,p2o.DynamicDimension.2].
    QVERIFY2(status.contains(QStringLiteral("inputs: x: ?×3×?×?")), qPrintable(status));
    QVERIFY2(!status.contains(QStringLiteral("DynamicDimension")), qPrintable(status));
    QLabel* inputs = nullptr;
    for (auto* label : w->findChildren<QLabel*>())
      if (label->text().startsWith(QStringLiteral("inputs: "))) inputs = label;
    QVERIFY(inputs);
    QVERIFY2(inputs->toolTip().contains(QStringLiteral("x float32[p2o.DynamicDimension.0,3,p2o.DynamicDimension.1,")),
             qPrintable(inputs->toolTip()));
    // Short symbols stay readable.
    QCOMPARE(shortShapeLabel(ir::Shape({ir::Dim::symbolic("N"), ir::Dim::known(3), ir::Dim::unknown()})),
             QStringLiteral("N×3×?"));
    QCOMPARE(shortShapeLabel(ir::Shape::unknownRank()), QStringLiteral("?"));
  }

  void openPaddleOcrDetection() {
    if (!QFile::exists(det())) QSKIP("PP-OCRv4 det model not fetched");
    auto w = openWindow(det());
    QVERIFY(w);
    const auto& form = w->project()->form();
    QCOMPARE(form.inputs[0].name, QStringLiteral("x"));
    QCOMPARE(form.inputs[0].dims, (QStringList{"-1", "3", "-1", "-1"}));
    // Image-size gears for OCR: batch 1, H and W from the preset.
    chooseStrategy(*w, Strategy::DynamicImageSize);
    typeDim(*w, 0, 0, QStringLiteral("1"));
    w->editor()->gearEditor()->applyPreset(QStringLiteral("320,320;640,640;960,960"));
    const auto& check = w->project()->check();
    QVERIFY2(check.valid(), qPrintable(check.issue ? check.issue->text() : QString()));
    QVERIFY(w->atcPanel()->commandText().contains(QStringLiteral("--dynamic_image_size=\"320,320;640,640;960,960\"")));
    QVERIFY(w->editor()->buildButton()->isEnabled());
  }

  void editDimChangesPreviewAndValidation() {
    auto w = openWindow(m_tiny);
    QVERIFY(w);
    const auto before = w->atcPanel()->editor()->toPlainText();
    QVERIFY(before.contains(QStringLiteral("--input_shape=x:-1,3,8,8")));
    typeDim(*w, 0, 0, QStringLiteral("2"));
    // Dynamic shape without any -1 left: the validator says so beside the strategy.
    QCOMPARE(w->project()->check().issue->field, FormField::Strategy);
    QVERIFY(errorLabel(*w, FormField::Strategy)->isVisibleTo(w.get()));
    QVERIFY(!w->editor()->buildButton()->isEnabled());
    chooseStrategy(*w, Strategy::Static);
    QVERIFY(w->project()->check().valid());
    QVERIFY(!errorLabel(*w, FormField::Strategy)->isVisibleTo(w.get()));
    const auto after = w->atcPanel()->editor()->toPlainText();
    QVERIFY(after.contains(QStringLiteral("--input_shape=x:2,3,8,8")));
    QVERIFY(w->editor()->buildButton()->isEnabled());
    // A bad dim: E10011 on that cell, with the message in its tooltip.
    typeDim(*w, 0, 1, QStringLiteral("0"));
    const auto& issue = *w->project()->check().issue;
    QCOMPARE(issue.code, QStringLiteral("E10011"));
    QCOMPARE(issue.dim, 1);
    auto* model = w->editor()->inputTable()->model();
    QVERIFY(model->index(0, InputTableModel::FirstDim + 1).data(Qt::ToolTipRole).toString().startsWith("E10011"));
    QVERIFY(errorLabel(*w, FormField::Inputs)->text().contains(QStringLiteral("E10011")));
  }

  void typingInADimCellValidatesPerKeystroke() {
    auto w = openWindow(m_tiny);
    QVERIFY(w);
    chooseStrategy(*w, Strategy::Static);
    auto* table = w->editor()->inputTable();
    const auto cell = table->model()->index(0, InputTableModel::FirstDim);
    table->edit(cell);
    auto* editor = table->viewport()->findChild<QLineEdit*>();
    QVERIFY(editor);
    editor->selectAll();
    QTest::keyClicks(editor, QStringLiteral("1~"));
    // Mid-typing "1~" is already in the form, and the validator has flagged that dim.
    QCOMPARE(w->project()->form().inputs[0].dims[0], QStringLiteral("1~"));
    QVERIFY(w->project()->check().issue);
    QCOMPARE(w->project()->check().issue->dim, 0);
    editor->selectAll();
    QTest::keyClicks(editor, QStringLiteral("4"));
    QCOMPARE(w->project()->form().inputs[0].dims[0], QStringLiteral("4"));
    QVERIFY(w->project()->check().valid());
    QVERIFY(w->atcPanel()->commandText().contains(QStringLiteral("x:4,3,8,8")));
    QCOMPARE(w->project()->undoStack()->count(), 2); // strategy, then one merged dim edit
  }

  void badGearListShowsAtcCodes() {
    auto w = openWindow(m_tiny);
    QVERIFY(w);
    chooseStrategy(*w, Strategy::DynamicBatch);
    auto* gears = w->editor()->gearEditor();
    // Choosing the strategy gave it a first gear list; the user cuts it to one gear.
    QCOMPARE(w->project()->form().gears, (QStringList{"1", "2", "4", "8"}));
    w->project()->setGears({QStringLiteral("1")}, QStringLiteral("Edit gears"));
    QCOMPARE(w->project()->check().issue->code, QStringLiteral("E10035"));
    QVERIFY(errorLabel(*w, FormField::Gears)->isVisibleTo(w.get()));
    QVERIFY(errorLabel(*w, FormField::Gears)->text().contains(QStringLiteral("E10035")));
    QVERIFY(!w->editor()->buildButton()->isEnabled());
    gears->addGear(); // "2", the next step up
    QCOMPARE(w->project()->form().gears, (QStringList{"1", "2"}));
    QVERIFY(w->project()->check().valid());
    QVERIFY(!errorLabel(*w, FormField::Gears)->isVisibleTo(w.get()));
    // The user types a duplicate into row 1.
    gears->list()->item(1)->setText(QStringLiteral("1"));
    QCOMPARE(w->project()->check().issue->code, QStringLiteral("E10039"));
    QCOMPARE(w->project()->check().issue->gearRow, 1);
    QVERIFY(gears->list()->item(1)->toolTip().startsWith(QStringLiteral("E10039")));
    QVERIFY(!w->editor()->buildButton()->isEnabled());
    // Presets replace the list; reorder keeps gear index = position.
    gears->applyPreset(QStringLiteral("1,2,4,8,16"));
    QCOMPARE(w->project()->form().gears, (QStringList{"1", "2", "4", "8", "16"}));
    gears->list()->setCurrentRow(4);
    gears->moveCurrent(-1);
    QCOMPARE(w->project()->form().gears, (QStringList{"1", "2", "4", "16", "8"}));
    gears->removeCurrent();
    QCOMPARE(w->project()->form().gears, (QStringList{"1", "2", "4", "8"}));
    QVERIFY(w->atcPanel()->commandText().contains(QStringLiteral("--dynamic_batch_size=1,2,4,8")));
  }

  void pasteAtcCommandFillsForm() {
    auto w = openWindow(m_tiny);
    QVERIFY(w);
    const QString line =
        QStringLiteral("atc --model=tiny.onnx --framework=5 --output=/tmp/tiny_out --soc_version=Ascend310P3 \\\n"
                       "  --input_shape=\"x:-1,3,8,8\" --dynamic_batch_size=\"1,4,8\"");
    QVERIFY(w->atcPanel()->applyCommand(line));
    const auto& f = w->project()->form();
    QCOMPARE(f.strategy, Strategy::DynamicBatch);
    QCOMPARE(f.gears, (QStringList{"1", "4", "8"}));
    QCOMPARE(f.socVersion, QStringLiteral("Ascend310P3"));
    QCOMPARE(f.outputPath, QStringLiteral("/tmp/tiny_out"));
    QCOMPARE(w->editor()->socCombo()->currentText(), QStringLiteral("Ascend310P3"));
    QCOMPARE(w->editor()->gearEditor()->gears(), (QStringList{"1", "4", "8"}));
    QVERIFY(w->project()->check().valid());
    // Round trip: the preview, pasted back, gives the same form.
    const auto preview = w->atcPanel()->commandText();
    const auto formBefore = f;
    QVERIFY(w->atcPanel()->applyCommand(preview));
    QVERIFY(w->project()->form() == formBefore);
    // From the clipboard, with an image-size command.
    QApplication::clipboard()->setText(
        QStringLiteral("atc --model=tiny.onnx --framework=5 --output=/tmp/o --input_shape=\"x:1,3,-1,-1\" "
                       "--dynamic_image_size=\"8,8;16,16\""));
    QVERIFY(w->atcPanel()->pasteFromClipboard());
    QCOMPARE(w->project()->form().strategy, Strategy::DynamicImageSize);
    QCOMPARE(w->project()->form().gears, (QStringList{"8,8", "16,16"}));
    // A command naming an input the model lacks is refused and changes nothing.
    const auto kept = w->project()->form();
    QVERIFY(!w->atcPanel()->applyCommand(QStringLiteral("atc --input_shape=\"image:1,3,8,8\"")));
    QVERIFY(w->atcPanel()->statusLabel()->text().contains(QStringLiteral("E10016")));
    QVERIFY(w->project()->form() == kept);
  }

  void compileTwoGearsShowsResults() {
    auto w = openWindow(m_tiny);
    QVERIFY(w);
    const auto out = m_dir.filePath(QStringLiteral("tiny_gears"));
    QVERIFY(w->atcPanel()->applyCommand(QStringLiteral("atc --model=m --framework=5 --output=") + out +
                                        QStringLiteral(" --input_shape=x:-1,3,8,8 --dynamic_batch_size=1,2")));
    QSignalSpy done(w.get(), &MainWindow::compileFinished);
    w->startBuild();
    QVERIFY(w->isCompiling());
    QVERIFY(!w->editor()->buildButton()->isEnabled());
    QVERIFY(done.wait(60000));
    QVERIFY(done.front().front().toBool());
    auto* results = w->compilePanel()->results();
    QCOMPARE(results->rowCount(), 2);
    for (int i = 0; i < 2; ++i) {
      const auto& row = results->row(i);
      QCOMPARE(row.state, GearResultModel::State::Done);
      QCOMPARE(row.inputs, QStringLiteral("x[%1,3,8,8]").arg(i + 1));
      QCOMPARE(row.outputs, QStringLiteral("y[%1,4,8,8]").arg(i + 1));
      QVERIFY(row.lowerBoundBytes > 0);
      QVERIFY(row.arenaBytes >= row.lowerBoundBytes);
      QVERIFY(!results->index(i, GearResultModel::Arena).data().toString().isEmpty());
    }
    QVERIFY(results->row(1).arenaBytes > results->row(0).arenaBytes); // batch 2 needs more
    // Edge labels per gear, for the source graph: "c" (the Conv output) is fused away in the compiled
    // gears, so its shape comes from inferring the source graph with the gear's inputs.
    const auto& shapes = w->graphArea()->gearShapes();
    QCOMPARE(shapes.size(), std::size_t{2});
    const auto shapeOf = [&](std::size_t gear, const char* name) {
      const auto it = shapes[gear].find(name);
      return it == shapes[gear].end() ? std::string("(none)") : it->second;
    };
    QCOMPARE(shapeOf(1, "c"), std::string("[2,4,8,8]"));
    QCOMPARE(shapeOf(0, "y"), std::string("[1,4,8,8]"));
    QVERIFY(w->compilePanel()->summaryLabel()->text().contains(QStringLiteral("2 gear")));
    // Save .om and read it back.
    const auto om = out + QStringLiteral(".om");
    QVERIFY(w->saveOmTo(om));
    auto model = om::readFile(om.toStdString());
    QVERIFY2(model, model ? "" : model.error().str().c_str());
    QCOMPARE(model->gears.size(), std::size_t{2});
    QCOMPARE(QString::fromStdString(model->meta.atcCommand), w->atcPanel()->commandText());
    // The ATC command as a shell script.
    const auto script = m_dir.filePath(QStringLiteral("atc.sh"));
    QVERIFY(w->exportScriptTo(script));
    QFile f(script);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const auto text = QString::fromUtf8(f.readAll());
    QVERIFY(text.startsWith(QStringLiteral("#!/bin/sh\n")));
    QVERIFY(text.contains(w->atcPanel()->commandText()));
    QVERIFY(QFile::permissions(script) & QFileDevice::ExeOwner);
  }

  void cancelCompile() {
    if (!QFile::exists(det())) QSKIP("PP-OCRv4 det model not fetched");
    auto w = openWindow(det());
    QVERIFY(w);
    QVERIFY(w->atcPanel()->applyCommand(
        QStringLiteral("atc --model=m --framework=5 --output=/tmp/det --input_shape=x:1,3,-1,-1 "
                       "--dynamic_image_size=\"320,320;640,640;960,960;1280,1280\"")));
    QSignalSpy done(w.get(), &MainWindow::compileFinished);
    w->startBuild();
    QCOMPARE(w->compilePanel()->results()->rowCount(), 4);
    w->cancelBuild();
    QVERIFY(done.wait(60000));
    QVERIFY(!done.front().front().toBool());
    QVERIFY(!w->compiledModel());
    QCOMPARE(w->compilePanel()->results()->row(3).state, GearResultModel::State::Cancelled);
    QVERIFY(w->editor()->buildButton()->isEnabled());
  }

  void saveAndReopenProject() {
    const auto path = m_dir.filePath(QStringLiteral("tiny.gearproj"));
    FormState saved;
    {
      auto w = openWindow(m_tiny);
      QVERIFY(w);
      chooseStrategy(*w, Strategy::DynamicBatch);
      w->editor()->gearEditor()->applyPreset(QStringLiteral("1,8,16"));
      w->project()->setSocVersion(QStringLiteral("Ascend910B2"));
      w->project()->setPassDisabled(QStringLiteral("fuse-activation"), true);
      QVERIFY(w->project()->isModified());
      QVERIFY(w->saveProjectTo(path));
      QVERIFY(!w->project()->isModified());
      saved = w->project()->form();
      QVERIFY(w->close());
    }
    auto w = openWindow(path);
    QVERIFY(w);
    QVERIFY(w->project()->form() == saved);
    QCOMPARE(w->project()->projectPath(), QFileInfo(path).absoluteFilePath());
    QVERIFY(!w->project()->isModified());
    QVERIFY(w->project()->check().valid());
    QVERIFY(w->windowTitle().contains(QStringLiteral("tiny.gearproj")));
  }

  void projectFileFields() {
    ProjectData data;
    data.modelPath = m_tiny;
    data.modelSha256 = QStringLiteral("ab12");
    QVERIFY(shape_config::setOption(data.options, "input_shape", "x:-1,3,8,8"));
    QVERIFY(shape_config::setOption(data.options, "dynamic_dims", "1;2"));
    data.strategy = Strategy::DynamicDims;
    data.disabledPasses = {QStringLiteral("fuse-activation")};
    data.profileRuns = QJsonArray{QJsonObject{{QStringLiteral("name"), QStringLiteral("run 1")}}};
    const auto path = m_dir.filePath(QStringLiteral("fields.gearproj"));
    QVERIFY(writeProject(data, path));
    auto back = readProject(path);
    QVERIFY2(back, back ? "" : back.error().str().c_str());
    QCOMPARE(back->modelPath, data.modelPath);
    QCOMPARE(back->modelSha256, data.modelSha256);
    QCOMPARE(back->strategy, Strategy::DynamicDims);
    QCOMPARE(back->options.input_shape, data.options.input_shape);
    QCOMPARE(back->options.dynamic_dims, data.options.dynamic_dims);
    QCOMPARE(back->disabledPasses, data.disabledPasses);
    QCOMPARE(back->profileRuns, data.profileRuns);
    // Moved together with the model: the relative path finds it.
    QTemporaryDir moved;
    QVERIFY(QFile::copy(m_tiny, moved.filePath(QStringLiteral("m.onnx"))));
    data.modelPath = moved.filePath(QStringLiteral("m.onnx"));
    QVERIFY(writeProject(data, moved.filePath(QStringLiteral("p.gearproj"))));
    QVERIFY(QFile::remove(moved.filePath(QStringLiteral("m.onnx"))));
    QVERIFY(QFile::copy(m_tiny, m_dir.filePath(QStringLiteral("m.onnx"))));
    QVERIFY(QFile::copy(moved.filePath(QStringLiteral("p.gearproj")), m_dir.filePath(QStringLiteral("p.gearproj"))));
    back = readProject(m_dir.filePath(QStringLiteral("p.gearproj")));
    QVERIFY(back);
    QCOMPARE(back->modelPath, m_dir.filePath(QStringLiteral("m.onnx")));
  }

  void undoRedoEveryEdit() {
    auto w = openWindow(m_tiny);
    QVERIFY(w);
    auto* p = w->project();
    auto* undo = p->undoStack();
    const auto initial = p->form();
    typeDim(*w, 0, 0, QStringLiteral("-1"));
    QCOMPARE(undo->count(), 0); // nothing changed
    chooseStrategy(*w, Strategy::DynamicBatch);
    w->editor()->gearEditor()->applyPreset(QStringLiteral("1,2,4,8,16"));
    // Typing a soc version letter by letter is one step.
    for (const auto& s : {"A", "As", "Asc", "Ascend310"})
      p->setSocVersion(QString::fromLatin1(s));
    p->setOutputPath(QStringLiteral("/tmp/x"));
    typeDim(*w, 0, 2, QStringLiteral("16"));
    QCOMPARE(undo->count(), 5);
    const auto edited = p->form();
    while (undo->canUndo())
      undo->undo();
    QVERIFY(p->form() == initial);
    QVERIFY(!p->isModified());
    QCOMPARE(w->editor()->strategyCombo()->currentData().toInt(), static_cast<int>(Strategy::DynamicShape));
    while (undo->canRedo())
      undo->redo();
    QVERIFY(p->form() == edited);
    QCOMPARE(w->editor()->outputEdit()->text(), QStringLiteral("/tmp/x"));
    QCOMPARE(w->editor()->gearEditor()->gears().size(), 5);
    // Applying a pasted command is one step as well.
    QVERIFY(w->atcPanel()->applyCommand(QStringLiteral("atc --input_shape=x:4,3,8,8")));
    QCOMPARE(p->form().strategy, Strategy::Static);
    undo->undo();
    QVERIFY(p->form() == edited);
  }

  void recoveryAfterCrash() {
    {
      auto w = openWindow(m_tiny);
      QVERIFY(w);
      w->project()->setSocVersion(QStringLiteral("RecoverMe"));
      QVERIFY(w->autosaver()->isPending()); // written a few seconds after the change
      QVERIFY(w->autosaver()->saveNow());
      QVERIFY(Autosaver::recoveryExists());
      // The "crash": the window goes away without a close (no clean exit).
    }
    QVERIFY(Autosaver::recoveryExists());
    {
      MainWindow w;
      m_answers = {QMessageBox::Yes};
      QSignalSpy loaded(&w, &MainWindow::loadFinished);
      QVERIFY(w.checkRecovery());
      QVERIFY(m_shown.last().contains(QStringLiteral("did not close cleanly")));
      QVERIFY(loaded.wait(60000));
      QCOMPARE(w.project()->form().socVersion, QStringLiteral("RecoverMe"));
      QCOMPARE(w.project()->modelPath(), QFileInfo(m_tiny).absoluteFilePath());
      QVERIFY(w.project()->isModified()); // restored, not yet saved
      m_answers = {QMessageBox::Discard}; // "save first?" on close
      QVERIFY(w.close());
      QVERIFY(!Autosaver::recoveryExists()); // a clean exit removes it
    }
    // Declining the offer removes the file and opens nothing.
    {
      auto w = openWindow(m_tiny);
      QVERIFY(w);
      QVERIFY(w->autosaver()->saveNow());
    }
    MainWindow w;
    m_answers = {QMessageBox::No};
    QVERIFY(!w.checkRecovery());
    QVERIFY(!w.isLoading());
    QVERIFY(!Autosaver::recoveryExists());
    QVERIFY(!w.project()->hasModel());
  }

  void dropAndRecentFiles() {
    MainWindow w;
    QMimeData mime;
    mime.setUrls({QUrl::fromLocalFile(m_tiny)});
    QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&w, &enter);
    QVERIFY(enter.isAccepted());
    QSignalSpy loaded(&w, &MainWindow::loadFinished);
    QDropEvent drop(QPointF(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&w, &drop);
    QVERIFY(loaded.wait(60000));
    QVERIFY(loaded.front().front().toBool());
    QCOMPARE(w.project()->modelPath(), QFileInfo(m_tiny).absoluteFilePath());
    QCOMPARE(QSettings().value(QStringLiteral("recentFiles")).toStringList().value(0),
             QFileInfo(m_tiny).absoluteFilePath());
    // Other files are refused.
    QMimeData text;
    text.setUrls({QUrl::fromLocalFile(m_dir.filePath(QStringLiteral("notes.txt")))});
    QDragEnterEvent refused(QPoint(10, 10), Qt::CopyAction, &text, Qt::LeftButton, Qt::NoModifier);
    refused.setAccepted(false);
    QApplication::sendEvent(&w, &refused);
    QVERIFY(!refused.isAccepted());
  }

  void badFileLeavesSessionIntact() {
    auto w = openWindow(m_tiny);
    QVERIFY(w);
    w->project()->setSocVersion(QStringLiteral("Kept"));
    const auto form = w->project()->form();
    const auto bad = m_dir.filePath(QStringLiteral("broken.onnx"));
    {
      QFile f(bad);
      QVERIFY(f.open(QIODevice::WriteOnly));
      f.write("this is not a protobuf model\x01\x02\x03");
    }
    m_answers = {QMessageBox::Discard}; // opening another file with unsaved edits
    QSignalSpy loaded(w.get(), &MainWindow::loadFinished);
    w->openFile(bad);
    QVERIFY(loaded.wait(60000));
    QVERIFY(!loaded.front().front().toBool());
    QVERIFY(w->lastError().contains(QStringLiteral("broken.onnx")));
    QVERIFY(w->lastError().startsWith(QStringLiteral("GS000")));
    QVERIFY(m_shown.last().contains(QStringLiteral("Cannot open model")));
    QVERIFY(w->project()->hasModel());
    QCOMPARE(w->project()->modelPath(), QFileInfo(m_tiny).absoluteFilePath());
    QVERIFY(w->project()->form() == form);
    // The error reached the log panel (queued from the sink).
    auto* log = w->logPanel()->model();
    const auto logged = [log] {
      for (int r = 0; r < log->rowCount(); ++r)
        if (log->entryAt(r).message.contains(QStringLiteral("broken.onnx"))) return true;
      return false;
    };
    QTRY_VERIFY(logged());
    // A missing file and a broken project too.
    loaded.clear();
    w->openFile(m_dir.filePath(QStringLiteral("missing.onnx")));
    QVERIFY(loaded.wait(60000));
    QVERIFY(w->lastError().startsWith(QStringLiteral("GS0001")));
    const auto badProject = m_dir.filePath(QStringLiteral("broken.gearproj"));
    {
      QFile f(badProject);
      QVERIFY(f.open(QIODevice::WriteOnly));
      f.write("{\"format\": \"something-else\"}");
    }
    w->openFile(badProject);
    QVERIFY(w->lastError().startsWith(QStringLiteral("GS0002")));
    QVERIFY(w->project()->form() == form);
  }
};

QTEST_MAIN(TestStudio)
#include "test_studio.moc"
