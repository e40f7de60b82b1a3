// See form_check.h. The field an error belongs to is read from its code and from what its message
// names ("[--dynamic_batch_size]", "input [x]", "dim 2", "gear 3"): the validator's messages are
// part of its contract with the user, so they are stable enough to point at a field.
#include "ui/models/form_check.h"

#include <QRegularExpression>

namespace gs::ui {
namespace {

using shape_config::DimSpec;

bool mentionsGearOption(const QString& m) {
  return m.contains(QLatin1String("--dynamic_batch_size]")) || m.contains(QLatin1String("--dynamic_image_size]")) ||
         m.contains(QLatin1String("--dynamic_dims]"));
}

int lastNumberAfter(const QString& text, const QString& word) {
  const QRegularExpression re(word + QStringLiteral(" (\\d+)"));
  int value = -1;
  for (auto it = re.globalMatch(text); it.hasNext();)
    value = it.next().captured(1).toInt();
  return value;
}

// For a gear strategy the -1 dims are gear dims (fromOptions read them as unbounded ranges when the
// gear list was empty); for the others nothing changes.
void adaptToStrategy(shape_config::ShapeConfig& c, Strategy chosen) {
  c.strategy = chosen;
  if (!isGearStrategy(chosen)) {
    c.gears.clear();
    return;
  }
  for (auto& in : c.inputs)
    for (auto& d : in.dims)
      if (d.isUnbounded() || d.kind == DimSpec::Kind::Gear) d = DimSpec::gear();
}

} // namespace

FormIssue issueFromError(const Error& error, const FormState& form) {
  FormIssue issue;
  issue.code = QString::fromStdString(error.code);
  issue.message = QString::fromStdString(error.message);
  const auto& m = issue.message;
  const auto code = issue.code;

  static const QRegularExpression inputRe(QStringLiteral("[Ii]nput \\[([^\\]]*)\\]"));
  if (const auto match = inputRe.match(m); match.hasMatch()) issue.input = form.findInput(match.captured(1));
  const bool gearCode = code == QLatin1String("E10020") || code == QLatin1String("E10035") ||
                        code == QLatin1String("E10036") || code == QLatin1String("E10037") ||
                        code == QLatin1String("E10038") || code == QLatin1String("E10039");
  if (gearCode || mentionsGearOption(m) ||
      ((code == QLatin1String("E10003") || code == QLatin1String("E10020")) &&
       m.contains(QLatin1String("parameter [--dynamic")))) {
    issue.field = FormField::Gears;
    issue.gearRow = lastNumberAfter(m, QStringLiteral("gear"));
  } else if (m.contains(QLatin1String("--precision_mode")) || m.contains(QLatin1String("--keep_dtype")) ||
             m.contains(QLatin1String("--quantize")) || m.contains(QLatin1String("--calibration")) ||
             m.contains(QLatin1String("keep_dtype file"))) {
    issue.field = FormField::Precision;
  } else if (m.contains(QLatin1String("input_format"))) {
    issue.field = FormField::Format;
  } else if (m.contains(QLatin1String("--out_nodes"))) {
    issue.field = FormField::OutNodes;
  } else if (m.contains(QLatin1String("--output"))) {
    issue.field = FormField::Output;
  } else if (m.contains(QLatin1String("--soc_version"))) {
    issue.field = FormField::Soc;
  } else if (m.contains(QLatin1String("strategy")) && issue.input < 0) {
    issue.field = FormField::Strategy;
  } else if (issue.input >= 0 || m.contains(QLatin1String("input_shape"))) {
    issue.field = FormField::Inputs;
    // "dim 2 of input [x]" names the dim; a later "(dim 0)" in the reason is only an explanation.
    static const QRegularExpression dimRe(QStringLiteral("dim (\\d+) of input \\["));
    if (const auto d = dimRe.match(m); issue.input >= 0 && d.hasMatch()) issue.dim = d.captured(1).toInt();
  }
  return issue;
}

FormCheck checkForm(const FormState& form, const QString& modelPath, const ir::Graph* graph) {
  FormCheck check;
  check.options = toAtcOptions(form, modelPath);
  check.commandLine = QString::fromStdString(shape_config::toCommandLine(check.options));
  const auto fail = [&](const Error& e) {
    check.issue = issueFromError(e, form);
    return check;
  };
  // Per-row checks the joined option text would hide: a batch row is one size, a gear row is not empty.
  for (int i = 0; i < form.gears.size(); ++i) {
    const auto row = form.gears[i].trimmed();
    if (!isGearStrategy(form.strategy)) break;
    if (row.isEmpty() || (form.strategy == Strategy::DynamicBatch && row.contains(QLatin1Char(',')))) {
      const auto option = form.strategy == Strategy::DynamicBatch       ? "dynamic_batch_size"
                          : form.strategy == Strategy::DynamicImageSize ? "dynamic_image_size"
                                                                        : "dynamic_dims";
      FormIssue issue = issueFromError(
          Error{"E10003", "Value [" + row.toStdString() + "] for parameter [--" + option +
                              "] is invalid. Reason: gear " + std::to_string(i) +
                              (row.isEmpty() ? " is empty" : " has more than one value; each gear is one batch size")},
          form);
      check.issue = issue;
      return check;
    }
  }
  auto config = shape_config::fromOptions(check.options);
  if (!config) return fail(config.error());
  adaptToStrategy(*config, form.strategy);
  if (auto s = shape_config::checkConfig(*config); !s) return fail(s.error());
  if (graph)
    if (auto s = shape_config::validate(*config, *graph); !s) return fail(s.error());
  if (auto s = shape_config::checkRequired(check.options); !s) return fail(s.error());
  for (const auto& hint : shape_config::adviseGears(*config))
    check.hints << QString::fromStdString(hint);
  check.config = std::move(*config);
  return check;
}

} // namespace gs::ui
