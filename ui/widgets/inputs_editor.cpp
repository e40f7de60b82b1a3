// See inputs_editor.h.
#include "ui/widgets/inputs_editor.h"

#include <algorithm>

#include <QComboBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QSignalBlocker>
#include <QStyledItemDelegate>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

#include "core/compiler/shape_config/shape_config.h"
#include "ui/models/form_fixes.h"
#include "ui/models/input_table_model.h"
#include "ui/project.h"
#include "ui/widgets/gear_list_editor.h"
#include "ui/widgets/precision_editor.h"

namespace gs::ui {
namespace {

constexpr Strategy kStrategies[] = {Strategy::Static, Strategy::DynamicBatch, Strategy::DynamicImageSize,
                                    Strategy::DynamicDims, Strategy::DynamicShape};

QString strategyLabel(Strategy s) {
  switch (s) {
  case Strategy::Static:
    return QObject::tr("Static shape");
  case Strategy::DynamicBatch:
    return QObject::tr("Dynamic batch (gears)");
  case Strategy::DynamicImageSize:
    return QObject::tr("Dynamic image size (gears)");
  case Strategy::DynamicDims:
    return QObject::tr("Dynamic dims (gears)");
  case Strategy::DynamicShape:
    return QObject::tr("Dynamic shape ranges");
  }
  return {};
}

// Dim cells commit on every keystroke, so the validator answers while the user types.
class DimDelegate : public QStyledItemDelegate {
public:
  using QStyledItemDelegate::QStyledItemDelegate;
  QWidget* createEditor(QWidget* parent, const QStyleOptionViewItem&, const QModelIndex&) const override {
    auto* edit = new QLineEdit(parent);
    edit->setAlignment(Qt::AlignCenter);
    edit->setPlaceholderText(QStringLiteral("-1"));
    connect(edit, &QLineEdit::textEdited, this,
            [this, edit] { emit const_cast<DimDelegate*>(this)->commitData(edit); });
    return edit;
  }
  void setEditorData(QWidget* editor, const QModelIndex& index) const override {
    auto* edit = static_cast<QLineEdit*>(editor);
    const auto text = index.data(Qt::EditRole).toString();
    if (edit->text() != text) edit->setText(text);
  }
};

QLabel* makeErrorLabel(QWidget* parent) {
  auto* l = new QLabel(parent);
  l->setWordWrap(true);
  l->setTextFormat(Qt::RichText);
  l->setTextInteractionFlags(Qt::TextSelectableByMouse);
  l->setStyleSheet(QStringLiteral("QLabel { color: #a61b1b; background: #fdecea; border: 1px solid #f3c1bd;"
                                  " border-radius: 3px; padding: 4px 6px; }"));
  l->setVisible(false);
  return l;
}

QLabel* makeInfoLabel(QWidget* parent) {
  auto* l = new QLabel(parent);
  l->setWordWrap(true);
  l->setStyleSheet(QStringLiteral("QLabel { color: #4a5563; }"));
  return l;
}

void setTextIfDifferent(QLineEdit* edit, const QString& text) {
  if (edit->text() != text) edit->setText(text);
}

} // namespace

InputsEditor::InputsEditor(Project* project, QWidget* parent) : QWidget(parent), m_project(project) {
  for (int i = 0; i <= static_cast<int>(FormField::Precision); ++i)
    m_errors.push_back(makeErrorLabel(this));

  // Inputs.
  m_model = new InputTableModel(project, this);
  m_table = new QTableView(this);
  m_table->setObjectName(QStringLiteral("inputTable"));
  m_table->setModel(m_model);
  m_table->setItemDelegate(new DimDelegate(m_table));
  m_table->verticalHeader()->hide();
  m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  m_table->horizontalHeader()->setStretchLastSection(false);
  m_table->setEditTriggers(QAbstractItemView::AllEditTriggers);
  m_table->setSelectionBehavior(QAbstractItemView::SelectItems);
  m_table->verticalHeader()->setDefaultSectionSize(26);
  m_format = new QComboBox(this);
  m_format->addItems({QStringLiteral("NCHW"), QStringLiteral("ND"), QStringLiteral("NCDHW")}); // ATC's formats for ONNX
  m_format->setToolTip(
      tr("--input_format: one layout for all inputs (height and width positions for image-size gears)"));

  auto* inputsBox = new QGroupBox(tr("Inputs"), this);
  auto* inputsLayout = new QVBoxLayout(inputsBox);
  inputsLayout->addWidget(m_table);
  auto* formatRow = new QFormLayout;
  formatRow->addRow(tr("Input format"), m_format);
  inputsLayout->addLayout(formatRow);

  // Strategy and gears.
  m_strategy = new QComboBox(this);
  m_strategy->setObjectName(QStringLiteral("strategyCombo"));
  for (auto s : kStrategies)
    m_strategy->addItem(strategyLabel(s), static_cast<int>(s));
  m_strategyInfo = makeInfoLabel(this);
  m_gears = new GearListEditor(this);
  m_hints = makeInfoLabel(this);
  auto* strategyBox = new QGroupBox(tr("Strategy and gears"), this);
  auto* strategyLayout = new QVBoxLayout(strategyBox);
  auto* strategyForm = new QFormLayout;
  strategyForm->addRow(tr("Strategy"), m_strategy);
  strategyLayout->addLayout(strategyForm);
  strategyLayout->addWidget(m_strategyInfo);
  m_gearsLabel = new QLabel(tr("Gears"), this);
  strategyLayout->addWidget(m_gearsLabel);
  strategyLayout->addWidget(m_gears);

  // Target.
  m_soc = new QComboBox(this);
  m_soc->setEditable(true);
  m_soc->addItems({QString(), QStringLiteral("Ascend310"), QStringLiteral("Ascend310P3"), QStringLiteral("Ascend310B1"),
                   QStringLiteral("Ascend910"), QStringLiteral("Ascend910B2")});
  m_soc->setToolTip(tr("--soc_version: the target chip, recorded in the .om"));
  m_output = new QLineEdit(this);
  m_output->setObjectName(QStringLiteral("outputEdit"));
  m_output->setToolTip(tr("--output: path of the model without the .om suffix"));
  auto* browse = new QToolButton(this);
  browse->setText(tr("…"));
  browse->setToolTip(tr("Choose where the .om is written"));
  auto* outputRow = new QHBoxLayout;
  outputRow->setContentsMargins(0, 0, 0, 0);
  outputRow->addWidget(m_output, 1);
  outputRow->addWidget(browse);
  m_outNodes = new QLineEdit(this);
  m_outNodes->setPlaceholderText(tr("model outputs"));
  m_outNodes->setToolTip(tr("--out_nodes: \"node:0;node:1\" or output tensor names; empty keeps the model's"));
  auto* targetBox = new QGroupBox(tr("Target"), this);
  auto* targetLayout = new QFormLayout(targetBox);
  targetLayout->addRow(tr("SoC version"), m_soc);
  targetLayout->addRow(tr("Output"), outputRow);
  targetLayout->addRow(tr("Output nodes"), m_outNodes);

  // Precision.
  m_precision = new PrecisionEditor(project, this);
  auto* precisionBox = new QGroupBox(tr("Precision"), this);
  precisionBox->setObjectName(QStringLiteral("precisionBox"));
  auto* precisionLayout = new QVBoxLayout(precisionBox);
  precisionLayout->addWidget(m_precision);

  m_build = new QPushButton(tr("Build"), this);
  m_build->setObjectName(QStringLiteral("buildButton"));
  m_build->setDefault(true);
  m_build->setMinimumHeight(30);
  m_buildState = makeInfoLabel(this);
  m_buildState->setObjectName(QStringLiteral("buildState"));

  // The messages: below Build, in room kept for them, so that a message appearing moves no field the
  // user is working in (the field at fault is tinted instead). Every dim problem is listed at once,
  // with one button that applies all their fixes.
  m_messages = new QWidget(this);
  m_messages->setObjectName(QStringLiteral("formMessages"));
  auto* messages = new QVBoxLayout(m_messages);
  messages->setContentsMargins(0, 0, 0, 0);
  messages->setSpacing(4);
  messages->addWidget(m_buildState);
  for (auto field : {FormField::Inputs, FormField::Format, FormField::Strategy, FormField::Gears, FormField::Soc,
                     FormField::Output, FormField::OutNodes, FormField::Precision, FormField::General})
    messages->addWidget(m_errors[static_cast<std::size_t>(field)]);
  m_fix = new QPushButton(this);
  m_fix->setObjectName(QStringLiteral("fixDims"));
  m_fix->setVisible(false);
  auto* fixRow = new QHBoxLayout;
  fixRow->setContentsMargins(0, 0, 0, 0);
  fixRow->addWidget(m_fix);
  fixRow->addStretch(1);
  messages->addLayout(fixRow);
  messages->addWidget(m_hints);
  m_messages->setMinimumHeight(fontMetrics().lineSpacing() * 4 + 12);

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(8, 8, 8, 8);
  layout->setSpacing(8);
  layout->addWidget(inputsBox);
  layout->addWidget(strategyBox);
  layout->addWidget(targetBox);
  layout->addWidget(precisionBox);
  layout->addWidget(m_build);
  layout->addWidget(m_messages);
  layout->addStretch(1);

  connect(m_format, &QComboBox::currentTextChanged, this, [this](const QString& f) {
    if (f != m_project->form().inputFormat) m_project->setInputFormat(f);
  });
  connect(m_strategy, &QComboBox::currentIndexChanged, this, [this](int i) {
    const auto s = static_cast<Strategy>(m_strategy->itemData(i).toInt());
    if (s == m_project->form().strategy) return;
    // One undo step: the strategy and the dims (and first gears) it implies.
    m_project->applyForm(formForStrategy(m_project->form(), s, m_project->graph()),
                         tr("Set strategy %1").arg(QString::fromUtf8(strategyName(s).data())));
  });
  connect(m_fix, &QPushButton::clicked, this, &InputsEditor::fixDims);
  connect(m_gears, &GearListEditor::gearsEdited, this,
          [this](const QStringList& gears, const QString& what) { m_project->setGears(gears, what); });
  connect(m_soc, &QComboBox::editTextChanged, this, [this](const QString& t) {
    if (t != m_project->form().socVersion) m_project->setSocVersion(t);
  });
  connect(m_output, &QLineEdit::textEdited, m_project, &Project::setOutputPath);
  connect(m_outNodes, &QLineEdit::textEdited, m_project, &Project::setOutNodes);
  connect(browse, &QToolButton::clicked, this, &InputsEditor::browseOutput);
  connect(m_build, &QPushButton::clicked, this, &InputsEditor::buildRequested);
  connect(project, &Project::formChanged, this, &InputsEditor::refresh);
  connect(project, &Project::modelChanged, this, &InputsEditor::refresh);
  refresh();
}

QLabel* InputsEditor::errorLabel(int field) const {
  return field >= 0 && field < static_cast<int>(m_errors.size()) ? m_errors[static_cast<std::size_t>(field)] : nullptr;
}

void InputsEditor::setBuildEnabled(bool enabled) {
  m_compiling = !enabled;
  refresh();
}

void InputsEditor::refresh() {
  const auto& form = m_project->form();
  const auto& check = m_project->check();
  {
    const QSignalBlocker b1(m_format), b2(m_strategy), b3(m_soc);
    m_format->setCurrentText(form.inputFormat);
    m_strategy->setCurrentIndex(m_strategy->findData(static_cast<int>(form.strategy)));
    if (m_soc->currentText() != form.socVersion) m_soc->setEditText(form.socVersion);
  }
  // The table is as tall as its rows (a model has few inputs), with room for a horizontal scroll bar.
  const int rows = std::max(1, m_model->rowCount());
  const int height = m_table->horizontalHeader()->sizeHint().height() +
                     m_table->verticalHeader()->defaultSectionSize() * std::min(rows, 6) + 2 * m_table->frameWidth() +
                     m_table->horizontalScrollBar()->sizeHint().height();
  m_table->setFixedHeight(height);
  setTextIfDifferent(m_output, form.outputPath);
  setTextIfDifferent(m_outNodes, form.outNodes);
  m_strategyInfo->setText(QString::fromStdString(shape_config::describeStrategy(form.strategy)));
  m_gears->setStrategy(form.strategy);
  m_gears->setVisible(isGearStrategy(form.strategy));
  m_gearsLabel->setVisible(isGearStrategy(form.strategy));
  m_gears->setGears(form.gears);

  for (auto* label : m_errors)
    label->setVisible(false);
  // Nothing is wrong before there is a model to configure: the empty window shows no error codes.
  const bool model = m_project->hasModel();
  m_problems = model ? dimProblems(form, m_project->modelPath(), m_project->graph()) : std::vector<DimProblem>{};
  std::vector<std::pair<int, int>> faulty;
  for (const auto& p : m_problems)
    faulty.emplace_back(p.input, p.dim);
  m_model->setFaultyDims(model ? faulty : std::vector<std::pair<int, int>>{});
  // A gear strategy chosen before any gear is typed: say what to do, not "[0] gears".
  const bool awaitingGears = check.issue && isGearStrategy(form.strategy) && form.gears.isEmpty() &&
                             (check.issue->field == FormField::Gears || check.issue->field == FormField::Strategy ||
                              check.issue->field == FormField::General);
  int faultyGear = -1;
  if (model && !m_problems.empty()) {
    QStringList lines, fixes;
    for (const auto& p : m_problems) {
      lines << QStringLiteral("<b>%1</b> %2").arg(p.issue.code, wrappable(p.issue.message).toHtmlEscaped());
      fixes << QStringLiteral("%1[%2] = %3")
                   .arg(form.inputs[static_cast<std::size_t>(p.input)].name)
                   .arg(p.dim)
                   .arg(p.fix);
    }
    auto* label = m_errors[static_cast<std::size_t>(FormField::Inputs)];
    label->setText(lines.join(QStringLiteral("<br>")));
    label->setToolTip(QString());
    label->setVisible(true);
    // The button says what it sets while that fits; a longer list goes to the tooltip.
    m_fix->setText(m_problems.size() == 1 ? tr("Fix: %1").arg(fixes.front())
                   : m_problems.size() <= 3
                       ? tr("Fix all %1: %2").arg(m_problems.size()).arg(fixes.join(QStringLiteral(", ")))
                       : tr("Fix all %1 dims").arg(m_problems.size()));
    m_fix->setToolTip(tr("Sets %1 (one undo step)").arg(fixes.join(QStringLiteral(", "))));
  }
  m_fix->setVisible(model && !m_problems.empty());
  if (model && check.issue && !awaitingGears) {
    // The first problem of another field (a dim problem is already listed with the others).
    bool listed = check.issue->field == FormField::Inputs && !m_problems.empty();
    for (const auto& p : m_problems)
      listed = listed || (p.issue.code == check.issue->code && p.issue.message == check.issue->message);
    if (!listed) {
      auto* label = m_errors[static_cast<std::size_t>(check.issue->field)];
      label->setText(
          QStringLiteral("<b>%1</b> %2").arg(check.issue->code, wrappable(check.issue->message).toHtmlEscaped()));
      label->setToolTip(check.issue->text());
      label->setVisible(true);
    }
    if (check.issue->field == FormField::Gears) faultyGear = check.issue->gearRow;
  }
  m_gears->setFaultyRow(faultyGear, check.issue ? check.issue->text() : QString());
  QStringList hints = check.hints;
  if (model && awaitingGears) hints.prepend(tr("Add at least two gears with + or pick a preset."));
  m_hints->setText(hints.join(QLatin1Char('\n')));
  m_hints->setVisible(model && !hints.isEmpty());

  const bool canBuild = model && check.valid() && !m_compiling;
  m_build->setEnabled(canBuild);
  m_buildState->setText(!model          ? tr("Open an ONNX model to configure its inputs.")
                        : m_compiling   ? tr("Compiling…")
                        : check.valid() ? tr("Ready to build.")
                        : awaitingGears ? tr("Add gears to build.")
                                        : tr("Fix what is listed here to build; the field at fault is tinted."));
  setEnabled(m_project->hasModel());
}

void InputsEditor::fixDims() {
  if (m_problems.empty()) return;
  m_project->applyForm(applyDimFixes(m_project->form(), m_problems),
                       m_problems.size() == 1
                           ? tr("Fix dim %1 of %2")
                                 .arg(m_problems.front().dim)
                                 .arg(m_project->form().inputs[static_cast<std::size_t>(m_problems.front().input)].name)
                           : tr("Fix %1 dims").arg(m_problems.size()));
}

void InputsEditor::browseOutput() {
  const auto current = m_project->form().outputPath;
  auto path = QFileDialog::getSaveFileName(this, tr("Output model"), current + QStringLiteral(".om"),
                                           tr("Offline models (*.om)"));
  if (path.isEmpty()) return;
  if (path.endsWith(QLatin1String(".om"))) path.chop(3);
  m_project->setOutputPath(path);
}

} // namespace gs::ui
