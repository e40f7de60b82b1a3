// The Inputs & Gears editor: the model's inputs with editable dims, the input format, the strategy
// (with its trade-offs from describeStrategy), the gear list, soc version, output path and output
// nodes. Validation runs on every keystroke through the compiler's validator; errors (ATC code and
// message) are listed under Build in room kept for them (so nothing the user works in moves), every
// faulty dim at once with one Fix button; the field at fault is tinted. Choosing a strategy sets the
// dims it implies. Build is enabled only while the form is valid.
#pragma once

#include <vector>

#include <QWidget>

#include "ui/models/form_fixes.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTableView;

namespace gs::ui {

class GearListEditor;
class InputTableModel;
class PrecisionEditor;
class Project;

class InputsEditor : public QWidget {
  Q_OBJECT
public:
  explicit InputsEditor(Project* project, QWidget* parent = nullptr);

  // For tests and the main window.
  QTableView* inputTable() const { return m_table; }
  QComboBox* strategyCombo() const { return m_strategy; }
  GearListEditor* gearEditor() const { return m_gears; }
  QLineEdit* outputEdit() const { return m_output; }
  QComboBox* socCombo() const { return m_soc; }
  QPushButton* buildButton() const { return m_build; }
  PrecisionEditor* precisionEditor() const { return m_precision; }
  // One click applies the fix of every dim problem listed (hidden when there is none).
  QPushButton* fixButton() const { return m_fix; }
  QWidget* messageArea() const { return m_messages; }
  const std::vector<DimProblem>& dimProblemList() const { return m_problems; }
  // The error label shown beside a field (Inputs, Gears, ...); see FormField.
  QLabel* errorLabel(int field) const;

  void setBuildEnabled(bool enabled); // false while a compile runs

signals:
  void buildRequested();

private:
  void refresh();
  void browseOutput();
  void fixDims();

  Project* m_project;
  InputTableModel* m_model;
  QTableView* m_table;
  QComboBox* m_format;
  QComboBox* m_strategy;
  QLabel* m_strategyInfo;
  QLabel* m_gearsLabel;
  GearListEditor* m_gears;
  QLabel* m_hints;
  QComboBox* m_soc;
  QLineEdit* m_output;
  QLineEdit* m_outNodes;
  PrecisionEditor* m_precision;
  QPushButton* m_build;
  QLabel* m_buildState;
  QWidget* m_messages;
  QPushButton* m_fix;
  std::vector<DimProblem> m_problems;
  std::vector<QLabel*> m_errors; // by FormField
  bool m_compiling = false;
};

} // namespace gs::ui
