// See atc_command_panel.h.
#include "ui/widgets/atc_command_panel.h"

#include <QApplication>
#include <QClipboard>
#include <QEvent>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTextBlock>
#include <QVBoxLayout>

#include "core/compiler/shape_config/atc_checks.h"
#include "core/compiler/shape_config/precision_config.h"
#include "ui/project.h"

namespace gs::ui {

AtcCommandPanel::AtcCommandPanel(Project* project, QWidget* parent) : QWidget(parent), m_project(project) {
  m_text = new QPlainTextEdit(this);
  m_text->setObjectName(QStringLiteral("atcCommand"));
  m_text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
  m_text->setLineWrapMode(QPlainTextEdit::WidgetWidth);
  m_text->setPlaceholderText(tr("Paste an atc command here and press Apply to fill the form"));
  // Room for two lines (a typical command wraps to two or three; it scrolls), leaving the rest of a
  // small panel to the message below it.
  m_text->setMinimumHeight(m_text->fontMetrics().lineSpacing() * 2 + 14);
  m_status = new QLabel(this);
  m_status->setObjectName(QStringLiteral("atcStatus"));
  m_status->setWordWrap(true);
  m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
  m_status->installEventFilter(this);
  installEventFilter(this); // a new text asks the panel for a new layout
  m_copy = new QPushButton(tr("Copy"), this);
  m_copy->setToolTip(tr("Copy the command line to the clipboard"));
  m_paste = new QPushButton(tr("Paste && apply"), this);
  m_paste->setToolTip(tr("Fill the form from an atc command on the clipboard"));
  m_apply = new QPushButton(tr("Apply"), this);
  m_apply->setToolTip(tr("Fill the form from the edited command"));
  m_revert = new QPushButton(tr("Revert"), this);
  m_revert->setToolTip(tr("Show the form's command again"));

  // The message has a row of its own across the whole panel, so a long ATC error wraps in the
  // panel's full width instead of being clipped beside the buttons.
  auto* buttons = new QHBoxLayout;
  buttons->addStretch(1);
  buttons->addWidget(m_apply);
  buttons->addWidget(m_revert);
  buttons->addWidget(m_paste);
  buttons->addWidget(m_copy);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(8, 6, 8, 6);
  layout->setSpacing(4);
  layout->addWidget(m_text, 1);
  layout->addWidget(m_status);
  layout->addLayout(buttons);

  connect(m_copy, &QPushButton::clicked, this, &AtcCommandPanel::copyToClipboard);
  connect(m_paste, &QPushButton::clicked, this, &AtcCommandPanel::pasteFromClipboard);
  connect(m_apply, &QPushButton::clicked, this, [this] { applyCommand(m_text->toPlainText()); });
  connect(m_revert, &QPushButton::clicked, this, [this] {
    setEditing(false);
    refresh();
  });
  connect(m_text, &QPlainTextEdit::textChanged, this, [this] {
    if (!m_updating) setEditing(m_text->toPlainText().trimmed() != m_project->check().commandLine);
  });
  connect(project, &Project::formChanged, this, &AtcCommandPanel::refresh);
  refresh();
}

QString AtcCommandPanel::commandText() const { return m_project->check().commandLine; }

void AtcCommandPanel::setEditing(bool editing) {
  m_editing = editing;
  m_apply->setEnabled(editing);
  m_revert->setEnabled(editing);
  if (editing) {
    m_status->setStyleSheet(QStringLiteral("color: #4a5563;"));
    m_status->setText(tr("Edited: Apply fills the form from this command."));
  }
}

void AtcCommandPanel::refresh() {
  if (m_editing) return; // keep what the user is typing; Revert shows the form's command again
  m_updating = true;
  if (m_text->toPlainText() != m_project->check().commandLine) m_text->setPlainText(m_project->check().commandLine);
  m_updating = false;
  setEditing(false);
  const auto& check = m_project->check();
  markExtensions();
  QStringList extensions;
  for (const auto& [key, value] : check.options.given)
    if (shape_config::isGearStudioExtension(key, value))
      extensions << QStringLiteral("--%1").arg(QString::fromStdString(key));
  extensions.removeDuplicates();
  const QString extensionNote =
      extensions.isEmpty()
          ? QString()
          : tr(" %1 %2 GearStudio's own (tinted): real ATC does not take %3; exported scripts leave %3 out.")
                .arg(extensions.join(QStringLiteral(", ")))
                .arg(extensions.size() == 1 ? tr("is") : tr("are"))
                .arg(extensions.size() == 1 ? tr("it") : tr("them"));
  if (!m_project->hasModel()) {
    m_status->setStyleSheet(QStringLiteral("color: #4a5563;"));
    m_status->setText(tr("No model open."));
  } else if (check.valid()) {
    // Valid for GearStudio; say so only as far as it is true for the real atc as well.
    const auto needs = shape_config::realAtcNeeds(check.options);
    m_status->setStyleSheet(QStringLiteral("color: #1d6b2c;"));
    if (needs.empty() && extensions.isEmpty()) {
      m_status->setText(tr("Valid: this command builds the same model with ATC."));
    } else if (needs.empty()) {
      m_status->setText(tr("Valid for GearStudio.") + extensionNote);
    } else {
      QStringList lines;
      for (const auto& n : needs)
        lines << QString::fromStdString(n);
      m_status->setText(tr("Valid for GearStudio. Real ATC also needs %1.").arg(lines.join(QStringLiteral("; "))) +
                        extensionNote);
    }
  } else {
    m_status->setStyleSheet(QStringLiteral("color: #a61b1b;"));
    m_status->setText(check.issue->text());
  }
}

void AtcCommandPanel::markExtensions() {
  // Tints each " --key=value" of a GearStudio extension in the command text.
  QList<QTextEdit::ExtraSelection> marks;
  const QString text = m_text->toPlainText();
  for (const auto& [key, value] : m_project->check().options.given) {
    if (!shape_config::isGearStudioExtension(key, value)) continue;
    const QString needle = QStringLiteral(" --%1=").arg(QString::fromStdString(key));
    const auto at = text.indexOf(needle);
    if (at < 0) continue;
    auto end = text.indexOf(QStringLiteral(" --"), at + needle.size());
    if (end < 0) end = static_cast<int>(text.size());
    QTextEdit::ExtraSelection mark;
    mark.cursor = QTextCursor(m_text->document());
    mark.cursor.setPosition(static_cast<int>(at) + 1);
    mark.cursor.setPosition(static_cast<int>(end), QTextCursor::KeepAnchor);
    mark.format.setBackground(QColor(0xfd, 0xf0, 0xc8));
    mark.format.setToolTip(tr("GearStudio extension: real atc does not take this option"));
    marks << mark;
  }
  m_text->setExtraSelections(marks);
}

bool AtcCommandPanel::applyCommand(const QString& line) {
  auto status = m_project->applyAtcCommand(line);
  if (!status) {
    m_status->setStyleSheet(QStringLiteral("color: #a61b1b;"));
    m_status->setText(tr("Cannot apply: %1").arg(QString::fromStdString(status.error().str())));
    return false;
  }
  setEditing(false);
  refresh();
  return true;
}

bool AtcCommandPanel::pasteFromClipboard() {
  const auto text = QApplication::clipboard()->text();
  m_updating = true;
  m_text->setPlainText(text);
  m_updating = false;
  setEditing(true);
  return applyCommand(text);
}

void AtcCommandPanel::copyToClipboard() const { QApplication::clipboard()->setText(m_project->check().commandLine); }

bool AtcCommandPanel::eventFilter(QObject* watched, QEvent* event) {
  if ((watched == m_status && event->type() == QEvent::Resize) ||
      (watched == this && event->type() == QEvent::LayoutRequest)) {
    const int need = m_status->text().isEmpty() ? 0 : m_status->heightForWidth(m_status->width());
    if (need > 0 && need != m_status->minimumHeight()) m_status->setMinimumHeight(need);
  }
  return QWidget::eventFilter(watched, event);
}

} // namespace gs::ui
