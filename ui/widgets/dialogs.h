// The studio's modal questions and error messages go through here, so tests (and the headless
// screenshot mode) can answer them without a modal loop: setHandler installs a function that gets
// the question and returns the button, instead of showing a QMessageBox.
#pragma once

#include <functional>

#include <QMessageBox>
#include <QString>

namespace gs::ui::dialogs {

enum class Kind { Question, Error, Warning };
using Handler = std::function<QMessageBox::StandardButton(Kind kind, const QString& title, const QString& text)>;

// Empty handler: show real message boxes.
void setHandler(Handler handler);

QMessageBox::StandardButton ask(QWidget* parent, const QString& title, const QString& text,
                                QMessageBox::StandardButtons buttons,
                                QMessageBox::StandardButton defaultButton = QMessageBox::NoButton);
void error(QWidget* parent, const QString& title, const QString& text);
void warning(QWidget* parent, const QString& title, const QString& text);

} // namespace gs::ui::dialogs
