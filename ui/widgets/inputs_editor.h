// The Inputs & Gears editor: the model's inputs with editable dims, the input format, the strategy
// (with its trade-offs from describeStrategy), the gear list, soc version, output path and output
// nodes. Validation runs on every keystroke through the compiler's validator; the error (ATC code and
// message) is shown beside the field at fault, and Build is enabled only while the form is valid.
#pragma once

#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTableView;

namespace gs::ui {

class GearListEditor;
class InputTableModel;
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
  // The error label shown beside a field (Inputs, Gears, ...); see FormField.
  QLabel* errorLabel(int field) const;

  void setBuildEnabled(bool enabled); // false while a compile runs

signals:
  void buildRequested();

private:
  void refresh();
  void browseOutput();

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
  QPushButton* m_build;
  QLabel* m_buildState;
  std::vector<QLabel*> m_errors; // by FormField
  bool m_compiling = false;
};

} // namespace gs::ui
