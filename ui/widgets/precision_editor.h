// The Precision section of the Inputs & Gears form: ATC's --precision_mode (with GearStudio's bf16),
// the --keep_dtype file, and int8 quantization with its calibration folder, method and image
// preprocessing. Every edit goes through Project::setPrecision (undoable); the live command line and
// the validator see it at once. Options real atc does not take are labelled as GearStudio's.
#pragma once

#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QToolButton;

namespace gs::ui {

class Project;
struct PrecisionForm;

class PrecisionEditor : public QWidget {
  Q_OBJECT
public:
  explicit PrecisionEditor(Project* project, QWidget* parent = nullptr);

  // For tests.
  QComboBox* modeCombo() const { return m_mode; }
  QLineEdit* keepEdit() const { return m_keep; }
  QCheckBox* quantizeCheck() const { return m_quantize; }
  QLineEdit* calibrationEdit() const { return m_calibration; }
  QComboBox* methodCombo() const { return m_method; }
  QLineEdit* meanEdit() const { return m_mean; }
  QLineEdit* scaleEdit() const { return m_scale; }

private:
  void refresh();
  void edit(const QString& what, bool typing, void (*change)(PrecisionForm&, const QString&), const QString& value);

  Project* m_project;
  QComboBox* m_mode;
  QLabel* m_modeInfo;
  QLineEdit* m_keep;
  QCheckBox* m_quantize;
  QWidget* m_calibrationBox;
  QLineEdit* m_calibration;
  QComboBox* m_method;
  QLineEdit* m_mean;
  QLineEdit* m_scale;
};

// What a --precision_mode value does, in one sentence (the form shows it under the mode).
QString describePrecisionMode(const QString& mode);

} // namespace gs::ui
