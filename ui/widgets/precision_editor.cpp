// See precision_editor.h.
#include "ui/widgets/precision_editor.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QSignalBlocker>
#include <QToolButton>
#include <QVBoxLayout>

#include "ui/project.h"

namespace gs::ui {
namespace {

struct ModeItem {
  const char* value; // --precision_mode; "" = not given
  const char* label;
};
constexpr ModeItem kModes[] = {
    {"", QT_TRANSLATE_NOOP("PrecisionEditor", "Model's own dtypes (default)")},
    {"force_fp32", "force_fp32"},
    {"force_fp16", "force_fp16"},
    {"allow_fp32_to_fp16", "allow_fp32_to_fp16"},
    {"allow_mix_precision", "allow_mix_precision"},
    {"must_keep_origin_dtype", "must_keep_origin_dtype"},
    {"bf16", QT_TRANSLATE_NOOP("PrecisionEditor", "bf16 (GearStudio)")},
};

constexpr const char* kMethods[] = {"minmax", "percentile", "entropy"};

QLineEdit* pathRow(QWidget* parent, QToolButton** browse, QHBoxLayout** row) {
  auto* edit = new QLineEdit(parent);
  *browse = new QToolButton(parent);
  (*browse)->setText(QStringLiteral("…"));
  *row = new QHBoxLayout;
  (*row)->setContentsMargins(0, 0, 0, 0);
  (*row)->addWidget(edit, 1);
  (*row)->addWidget(*browse);
  return edit;
}

void setTextIfDifferent(QLineEdit* edit, const QString& text) {
  if (edit->text() != text) edit->setText(text);
}

} // namespace

QString describePrecisionMode(const QString& mode) {
  if (mode.isEmpty() || mode == QLatin1String("must_keep_origin_dtype"))
    return QObject::tr("Every op computes in the model's own dtypes (float32 models stay float32).");
  if (mode == QLatin1String("force_fp32"))
    return QObject::tr("Every float op computes in float32; a float16 model is widened.");
  if (mode == QLatin1String("force_fp16"))
    return QObject::tr("Every float op stores float16 between ops (float32 accumulation): the accuracy an "
                       "fp16 accelerator gives.");
  if (mode == QLatin1String("allow_fp32_to_fp16"))
    return QObject::tr("Matrix ops (Conv, MatMul, Gemm) in float16; the other ops keep their dtype.");
  if (mode == QLatin1String("allow_mix_precision"))
    return QObject::tr("float16, except precision-sensitive ops (Softmax, normalisations, reductions, Exp, "
                       "Log ...) and the --keep_dtype list, kept in float32.");
  if (mode == QLatin1String("bf16"))
    return QObject::tr("GearStudio extension: bfloat16 storage with float32 accumulation. Real atc does not "
                       "take it.");
  return QObject::tr("Unknown mode: the validator says which values ATC takes.");
}

PrecisionEditor::PrecisionEditor(Project* project, QWidget* parent) : QWidget(parent), m_project(project) {
  m_mode = new QComboBox(this);
  m_mode->setObjectName(QStringLiteral("precisionMode"));
  for (const auto& m : kModes)
    m_mode->addItem(tr(m.label), QString::fromLatin1(m.value));
  m_mode->setToolTip(tr("--precision_mode: the dtype each op computes in"));
  m_modeInfo = new QLabel(this);
  m_modeInfo->setWordWrap(true);
  m_modeInfo->setStyleSheet(QStringLiteral("QLabel { color: #4a5563; }"));

  QToolButton* keepBrowse = nullptr;
  QHBoxLayout* keepRow = nullptr;
  m_keep = pathRow(this, &keepBrowse, &keepRow);
  m_keep->setObjectName(QStringLiteral("keepDtype"));
  m_keep->setPlaceholderText(tr("none"));
  m_keep->setToolTip(tr("--keep_dtype: a file naming nodes (one per line) or OpType::Type lines that keep "
                        "their original dtype"));
  keepBrowse->setToolTip(tr("Choose the --keep_dtype file"));

  m_quantize = new QCheckBox(tr("Quantize to int8 (GearStudio)"), this);
  m_quantize->setObjectName(QStringLiteral("quantizeInt8"));
  m_quantize->setToolTip(tr("--quantize=int8: calibrate on sample inputs, run Conv/MatMul/Gemm on int8 kernels "
                            "and write the quantized ONNX model. Real atc does not take it (AMCT does this)."));
  QToolButton* calBrowse = nullptr;
  QHBoxLayout* calRow = nullptr;
  m_calibration = pathRow(this, &calBrowse, &calRow);
  m_calibration->setObjectName(QStringLiteral("calibrationDir"));
  m_calibration->setPlaceholderText(tr("folder of samples"));
  m_calibration->setToolTip(tr("--calibration: one subfolder per sample with NAME.npy per input, or a folder "
                               "of images"));
  calBrowse->setToolTip(tr("Choose the calibration folder"));
  m_method = new QComboBox(this);
  m_method->setObjectName(QStringLiteral("calibrationMethod"));
  for (auto* m : kMethods)
    m_method->addItem(QString::fromLatin1(m), QString::fromLatin1(m));
  m_method->setToolTip(tr("--calibration_method: how activation ranges are chosen from the samples"));
  m_mean = new QLineEdit(this);
  m_mean->setObjectName(QStringLiteral("calibrationMean"));
  m_mean->setPlaceholderText(tr("images only, e.g. 123.675,116.28,103.53"));
  m_mean->setToolTip(tr("--calibration_mean: per-channel mean subtracted from image pixels (0..255, RGB)"));
  m_scale = new QLineEdit(this);
  m_scale->setObjectName(QStringLiteral("calibrationScale"));
  m_scale->setPlaceholderText(tr("images only, e.g. 0.0171,0.0175,0.0174"));
  m_scale->setToolTip(tr("--calibration_scale: per-channel factor applied after the mean (1/std)"));

  m_calibrationBox = new QWidget(this);
  auto* calForm = new QFormLayout(m_calibrationBox);
  calForm->setContentsMargins(16, 0, 0, 0);
  calForm->addRow(tr("Samples"), calRow);
  calForm->addRow(tr("Method"), m_method);
  calForm->addRow(tr("Mean"), m_mean);
  calForm->addRow(tr("Scale"), m_scale);

  auto* form = new QFormLayout;
  form->setContentsMargins(0, 0, 0, 0);
  form->addRow(tr("Mode"), m_mode);
  form->addRow(QString(), m_modeInfo);
  form->addRow(tr("Keep dtype"), keepRow);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addLayout(form);
  layout->addWidget(m_quantize);
  layout->addWidget(m_calibrationBox);

  connect(m_mode, &QComboBox::currentIndexChanged, this, [this](int i) {
    edit(
        tr("Set precision mode"), false, [](PrecisionForm& p, const QString& v) { p.mode = v; },
        m_mode->itemData(i).toString());
  });
  connect(m_keep, &QLineEdit::textEdited, this, [this](const QString& t) {
    edit(
        tr("Edit keep-dtype file"), true, [](PrecisionForm& p, const QString& v) { p.keepDtypeFile = v; }, t);
  });
  connect(keepBrowse, &QToolButton::clicked, this, [this] {
    const auto path = QFileDialog::getOpenFileName(this, tr("Keep-dtype file"), m_keep->text(),
                                                   tr("Configuration files (*.cfg *.txt);;All files (*)"));
    if (!path.isEmpty())
      edit(
          tr("Set keep-dtype file"), false, [](PrecisionForm& p, const QString& v) { p.keepDtypeFile = v; }, path);
  });
  connect(m_quantize, &QCheckBox::toggled, this, [this](bool on) {
    edit(
        on ? tr("Quantize to int8") : tr("Do not quantize"), false,
        [](PrecisionForm& p, const QString& v) { p.quantize = v; }, on ? QStringLiteral("int8") : QString());
  });
  connect(m_calibration, &QLineEdit::textEdited, this, [this](const QString& t) {
    edit(
        tr("Edit calibration folder"), true, [](PrecisionForm& p, const QString& v) { p.calibrationDir = v; }, t);
  });
  connect(calBrowse, &QToolButton::clicked, this, [this] {
    const auto dir = QFileDialog::getExistingDirectory(this, tr("Calibration samples"), m_calibration->text());
    if (!dir.isEmpty())
      edit(
          tr("Set calibration folder"), false, [](PrecisionForm& p, const QString& v) { p.calibrationDir = v; }, dir);
  });
  connect(m_method, &QComboBox::currentIndexChanged, this, [this](int i) {
    edit(
        tr("Set calibration method"), false, [](PrecisionForm& p, const QString& v) { p.calibrationMethod = v; },
        m_method->itemData(i).toString());
  });
  connect(m_mean, &QLineEdit::textEdited, this, [this](const QString& t) {
    edit(
        tr("Edit calibration mean"), true, [](PrecisionForm& p, const QString& v) { p.calibrationMean = v; }, t);
  });
  connect(m_scale, &QLineEdit::textEdited, this, [this](const QString& t) {
    edit(
        tr("Edit calibration scale"), true, [](PrecisionForm& p, const QString& v) { p.calibrationScale = v; }, t);
  });
  connect(project, &Project::formChanged, this, &PrecisionEditor::refresh);
  refresh();
}

void PrecisionEditor::edit(const QString& what, bool typing, void (*change)(PrecisionForm&, const QString&),
                           const QString& value) {
  auto p = m_project->form().precision;
  change(p, value);
  if (p == m_project->form().precision) return;
  m_project->setPrecision(p, what, typing);
}

void PrecisionEditor::refresh() {
  const auto& p = m_project->form().precision;
  {
    const QSignalBlocker b1(m_mode), b2(m_quantize), b3(m_method);
    int mode = m_mode->findData(p.mode);
    if (mode < 0) {
      // A pasted value the combo does not know stays visible (the validator flags it).
      m_mode->addItem(p.mode, p.mode);
      mode = m_mode->count() - 1;
    }
    m_mode->setCurrentIndex(mode);
    m_quantize->setChecked(!p.quantize.isEmpty());
    const int method =
        m_method->findData(p.calibrationMethod.isEmpty() ? QStringLiteral("minmax") : p.calibrationMethod);
    if (method >= 0) m_method->setCurrentIndex(method);
  }
  m_modeInfo->setText(describePrecisionMode(p.mode));
  setTextIfDifferent(m_keep, p.keepDtypeFile);
  setTextIfDifferent(m_calibration, p.calibrationDir);
  setTextIfDifferent(m_mean, p.calibrationMean);
  setTextIfDifferent(m_scale, p.calibrationScale);
  m_calibrationBox->setVisible(!p.quantize.isEmpty());
}

} // namespace gs::ui
