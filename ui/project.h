// The open document of the studio: the imported model (an immutable snapshot shared with jobs), the
// Inputs & Gears form, its live validation, and the undo stack. Every edit of the form is an undo
// command that stores the form before and after, so undo/redo restores exactly what was shown.
#pragma once

#include <memory>
#include <optional>

#include <QObject>
#include <QString>
#include <QUndoStack>

#include "core/ir/graph.h"
#include "core/om/model.h"
#include "core/session/compile_onnx.h"
#include "ui/models/form_check.h"
#include "ui/models/form_state.h"

namespace gs::ui {

class Project : public QObject {
  Q_OBJECT
public:
  explicit Project(QObject* parent = nullptr);

  // Replaces the model and resets the form to the model's shapes; clears undo history.
  void setModel(std::shared_ptr<const ir::Model> model, const QString& path, const QString& sha256);
  // Replaces the form without an undo step (opening a project or a recovery file).
  void resetForm(const FormState& form);

  bool hasModel() const { return m_model != nullptr; }
  std::shared_ptr<const ir::Model> model() const { return m_model; }
  const ir::Graph* graph() const { return m_model ? &m_model->graph : nullptr; }
  QString modelPath() const { return m_modelPath; }
  QString modelSha256() const { return m_modelSha256; }
  const FormState& form() const { return m_form; }
  const FormCheck& check() const { return m_check; }
  // The form for this model before any edit (what formFromOptions starts from).
  FormState baseForm() const;

  // Edits; each is one undo command (consecutive typing in one field merges into one).
  void setDim(int input, int dim, const QString& text);
  void setStrategy(Strategy strategy);
  void setGears(const QStringList& gears, const QString& what);
  void setInputFormat(const QString& format);
  void setSocVersion(const QString& soc);
  void setOutputPath(const QString& path);
  void setOutNodes(const QString& nodes);
  // The Precision section; `typing`: a keystroke in a text field (merged with the previous one).
  void setPrecision(const PrecisionForm& precision, const QString& what, bool typing = false);
  void setPassDisabled(const QString& pass, bool disabled);
  // A pasted `atc ...` line fills the form as one undo step; errors leave the form unchanged.
  Status applyAtcCommand(const QString& line);
  // Any other edit: pushes a command unless nothing changes. mergeKey >= 0 merges consecutive edits.
  void applyForm(const FormState& form, const QString& text, int mergeKey = -1);

  QUndoStack* undoStack() { return &m_undo; }
  // Unsaved form edits, or other project state (the profile history) changed since the last save.
  bool isModified() const { return !m_undo.isClean() || m_otherChanges; }
  void markOtherChange();
  // After a save or a load: nothing is unsaved.
  void markSaved();

  // The build request of the form now (the one build entry point's input); empty when the form is
  // not valid or no model is open.
  std::optional<session::BuildRequest> buildRequest() const;
  // session::buildKey of buildRequest(); empty when there is none.
  std::string formBuildKey() const;

  // The current build, owned here: whoever builds (Build, Profile) hands the result in, and
  // whoever needs a compiled model asks for it. `key`: session::buildKey of what it was built from.
  void setBuild(std::shared_ptr<const om::Model> model, const std::string& key, double millis = 0);
  void clearBuild();
  std::shared_ptr<const om::Model> build() const { return m_build; }
  std::string buildKey() const { return m_buildKey; }
  double buildMillis() const { return m_buildMillis; }
  // The build exists and was made from the form as it is now.
  bool buildMatchesForm() const { return m_build && !m_buildKey.empty() && m_buildKey == formBuildKey(); }

  QString projectPath() const { return m_projectPath; }
  void setProjectPath(const QString& path) { m_projectPath = path; }

signals:
  void modelChanged();
  void formChanged();
  void modifiedChanged(bool modified);
  void buildChanged();

private:
  friend class FormEditCommand;
  void setFormNow(const FormState& form);

  std::shared_ptr<const ir::Model> m_model;
  QString m_modelPath;
  QString m_modelSha256;
  QString m_projectPath;
  FormState m_form;
  FormCheck m_check;
  QUndoStack m_undo;
  bool m_otherChanges = false;
  std::shared_ptr<const om::Model> m_build;
  std::string m_buildKey;
  double m_buildMillis = 0;
};

} // namespace gs::ui
