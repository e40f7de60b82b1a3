// See dialogs.h.
#include "ui/widgets/dialogs.h"

namespace gs::ui::dialogs {
namespace {

Handler& handler() {
  static Handler h;
  return h;
}

} // namespace

void setHandler(Handler h) { handler() = std::move(h); }

QMessageBox::StandardButton ask(QWidget* parent, const QString& title, const QString& text,
                                QMessageBox::StandardButtons buttons, QMessageBox::StandardButton defaultButton) {
  if (handler()) return handler()(Kind::Question, title, text);
  return QMessageBox::question(parent, title, text, buttons, defaultButton);
}

void error(QWidget* parent, const QString& title, const QString& text) {
  if (handler()) {
    handler()(Kind::Error, title, text);
    return;
  }
  QMessageBox::critical(parent, title, text);
}

void warning(QWidget* parent, const QString& title, const QString& text) {
  if (handler()) {
    handler()(Kind::Warning, title, text);
    return;
  }
  QMessageBox::warning(parent, title, text);
}

} // namespace gs::ui::dialogs
