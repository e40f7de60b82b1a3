// Live validation of the Inputs & Gears form through the compiler's own validator: the form's ATC
// options go through shape_config::fromOptions (syntax, combinations), the config is set to the
// strategy the user chose and checked again (checkConfig), then against the model (validate). The
// first error comes back with ATC's code and the form field it belongs to, so the editor can show it
// beside that field.
#pragma once

#include <optional>

#include <QString>
#include <QStringList>

#include "core/common/status.h"
#include "core/compiler/shape_config/shape_config.h"
#include "core/ir/graph.h"
#include "ui/models/form_state.h"

namespace gs::ui {

enum class FormField { General, Inputs, Strategy, Gears, Format, Soc, Output, OutNodes, Precision };

struct FormIssue {
  QString code;    // "E10035"
  QString message; // the validator's message
  FormField field = FormField::General;
  int input = -1;   // row of the input at fault (Inputs), -1 when not known
  int dim = -1;     // dim of that input, -1 when not known
  int gearRow = -1; // gear at fault (Gears), -1 when not known

  QString text() const { return code + QStringLiteral(": ") + message; }
};

struct FormCheck {
  shape_config::AtcOptions options;                // what the form stands for
  QString commandLine;                             // toCommandLine(options): the live preview
  std::optional<shape_config::ShapeConfig> config; // set when the form is valid
  std::optional<FormIssue> issue;                  // the first problem, when invalid
  QStringList hints;                               // adviseGears() for a valid gear config

  bool valid() const { return !issue.has_value(); }
};

// graph may be null (no model open): then only the model-free rules run.
FormCheck checkForm(const FormState& form, const QString& modelPath, const ir::Graph* graph);

// Which field an error of the validator belongs to (by code and the option/input/gear it names).
FormIssue issueFromError(const Error& error, const FormState& form);

} // namespace gs::ui
