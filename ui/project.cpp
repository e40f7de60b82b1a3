// See project.h.
#include "ui/project.h"

#include <QUndoCommand>

namespace gs::ui {

// Merge keys: one per field; dims get one per (input, dim).
namespace {
enum MergeKey { kSoc = 1, kOutput, kOutNodes, kPrecisionText, kDimBase = 1000 };
} // namespace

class FormEditCommand : public QUndoCommand {
public:
  FormEditCommand(Project* project, FormState before, FormState after, const QString& text, int mergeKey)
      : QUndoCommand(text), m_project(project), m_before(std::move(before)), m_after(std::move(after)),
        m_mergeKey(mergeKey) {}

  void undo() override { m_project->setFormNow(m_before); }
  void redo() override { m_project->setFormNow(m_after); }
  int id() const override { return m_mergeKey; }
  bool mergeWith(const QUndoCommand* other) override {
    const auto* o = static_cast<const FormEditCommand*>(other);
    if (o->m_mergeKey != m_mergeKey || m_mergeKey < 0) return false;
    m_after = o->m_after;
    return true;
  }

private:
  Project* m_project;
  FormState m_before;
  FormState m_after;
  int m_mergeKey;
};

Project::Project(QObject* parent) : QObject(parent) {
  m_check = checkForm(m_form, m_modelPath, nullptr);
  connect(&m_undo, &QUndoStack::cleanChanged, this, [this] { emit modifiedChanged(isModified()); });
}

void Project::markOtherChange() {
  if (m_otherChanges) return;
  m_otherChanges = true;
  emit modifiedChanged(true);
}

void Project::markSaved() {
  m_otherChanges = false;
  m_undo.setClean();
  emit modifiedChanged(false);
}

void Project::setModel(std::shared_ptr<const ir::Model> model, const QString& path, const QString& sha256) {
  m_model = std::move(model);
  m_modelPath = path;
  m_modelSha256 = sha256;
  m_projectPath.clear();
  m_undo.clear();
  m_build.reset();
  m_buildKey.clear();
  m_buildMillis = 0;
  setFormNow(baseForm());
  markSaved();
  emit modelChanged();
  emit buildChanged();
}

std::optional<session::BuildRequest> Project::buildRequest() const {
  if (!m_model || !m_check.valid() || !m_check.config) return std::nullopt;
  session::BuildRequest r;
  r.config = *m_check.config;
  for (const auto& p : m_form.disabledPasses)
    r.disabledPasses.push_back(p.toStdString());
  r.sourceSha256 = m_modelSha256.toStdString();
  r.atcCommand = m_check.commandLine.toStdString();
  return r;
}

std::string Project::formBuildKey() const {
  const auto r = buildRequest();
  return r ? session::buildKey(*m_model, *r) : std::string();
}

void Project::setBuild(std::shared_ptr<const om::Model> model, const std::string& key, double millis) {
  m_build = std::move(model);
  m_buildKey = m_build ? key : std::string();
  m_buildMillis = m_build ? millis : 0;
  emit buildChanged();
}

void Project::clearBuild() { setBuild(nullptr, {}); }

void Project::resetForm(const FormState& form) {
  m_undo.clear();
  setFormNow(form);
}

FormState Project::baseForm() const { return m_model ? formFromModel(m_model->graph, m_modelPath) : FormState{}; }

void Project::setFormNow(const FormState& form) {
  m_form = form;
  m_check = checkForm(m_form, m_modelPath, graph());
  emit formChanged();
}

void Project::applyForm(const FormState& form, const QString& text, int mergeKey) {
  if (form == m_form) return;
  m_undo.push(new FormEditCommand(this, m_form, form, text, mergeKey));
}

void Project::setDim(int input, int dim, const QString& text) {
  if (input < 0 || input >= static_cast<int>(m_form.inputs.size())) return;
  auto form = m_form;
  auto& row = form.inputs[static_cast<std::size_t>(input)];
  if (dim < 0 || dim >= row.dims.size()) return;
  row.dims[dim] = text.trimmed();
  applyForm(form, tr("Edit dim %1 of %2").arg(dim).arg(row.name), kDimBase + input * 64 + dim);
}

void Project::setStrategy(Strategy strategy) {
  auto form = m_form;
  form.strategy = strategy;
  if (!isGearStrategy(strategy)) form.gears.clear();
  applyForm(form, tr("Set strategy %1").arg(QString::fromUtf8(strategyName(strategy).data())));
}

void Project::setGears(const QStringList& gears, const QString& what) {
  auto form = m_form;
  form.gears = gears;
  applyForm(form, what.isEmpty() ? tr("Edit gears") : what);
}

void Project::setInputFormat(const QString& format) {
  auto form = m_form;
  form.inputFormat = format;
  applyForm(form, tr("Set input format %1").arg(format));
}

void Project::setSocVersion(const QString& soc) {
  auto form = m_form;
  form.socVersion = soc;
  applyForm(form, tr("Edit SoC version"), kSoc);
}

void Project::setOutputPath(const QString& path) {
  auto form = m_form;
  form.outputPath = path;
  applyForm(form, tr("Edit output path"), kOutput);
}

void Project::setOutNodes(const QString& nodes) {
  auto form = m_form;
  form.outNodes = nodes;
  applyForm(form, tr("Edit output nodes"), kOutNodes);
}

void Project::setPrecision(const PrecisionForm& precision, const QString& what, bool typing) {
  auto form = m_form;
  form.precision = precision;
  // Keystrokes in one precision text field merge into one undo step; choices (mode, method,
  // Quantize) are steps of their own.
  applyForm(form, what, typing ? kPrecisionText : -1);
}

void Project::setPassDisabled(const QString& pass, bool disabled) {
  auto form = m_form;
  form.disabledPasses.removeAll(pass);
  if (disabled) form.disabledPasses << pass;
  applyForm(form, (disabled ? tr("Disable pass %1") : tr("Enable pass %1")).arg(pass));
}

Status Project::applyAtcCommand(const QString& line) {
  auto options = shape_config::parseCommandLine(line.toStdString());
  if (!options) return std::unexpected(options.error());
  auto form = formFromOptions(*options, m_form);
  if (!form) return std::unexpected(form.error());
  applyForm(*form, tr("Apply ATC command"));
  return ok();
}

} // namespace gs::ui
