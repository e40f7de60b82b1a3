// The ATC command line of the current form, always visible and updated live, with Copy. The user can
// also paste (or type) an `atc ...` command into the box and apply it: the form is filled from it
// (parseCommandLine), as one undo step; a command that cannot be applied shows its error here and
// changes nothing.
#pragma once

#include <QWidget>

class QLabel;
class QPlainTextEdit;
class QPushButton;

namespace gs::ui {

class Project;

class AtcCommandPanel : public QWidget {
  Q_OBJECT
public:
  explicit AtcCommandPanel(Project* project, QWidget* parent = nullptr);

  QString commandText() const;
  // Applies a command line to the form; returns false (and shows the error) when it cannot.
  bool applyCommand(const QString& line);
  // Reads the clipboard and applies it.
  bool pasteFromClipboard();
  void copyToClipboard() const;

  QPlainTextEdit* editor() const { return m_text; }
  QLabel* statusLabel() const { return m_status; }

protected:
  // Keeps the message's minimum height at what its text needs at its width, so that the main window
  // gives the panel room for the whole message instead of clipping it.
  bool eventFilter(QObject* watched, QEvent* event) override;

private:
  void refresh();
  void setEditing(bool editing);
  void markExtensions(); // tints GearStudio-only options in the command text

  Project* m_project;
  QPlainTextEdit* m_text;
  QLabel* m_status;
  QPushButton* m_copy;
  QPushButton* m_paste;
  QPushButton* m_apply;
  QPushButton* m_revert;
  bool m_editing = false;
  bool m_updating = false;
};

} // namespace gs::ui
