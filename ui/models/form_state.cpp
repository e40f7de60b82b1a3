// Form state <-> ATC options. The conversion is textual on purpose: the form keeps what the user
// typed, and the validator (form_check.cpp) reports ATC's codes for it.
#include "ui/models/form_state.h"

#include <QDir>
#include <QFileInfo>

namespace gs::ui {
namespace {

std::string str(const QString& s) { return s.toStdString(); }

void set(shape_config::AtcOptions& o, std::string_view key, const QString& value) {
  // Values come from the form; a value setOption rejects (e.g. an odd --framework) cannot occur for
  // the keys used here, and any shape syntax problem is reported later by the validator.
  [[maybe_unused]] auto s = shape_config::setOption(o, key, str(value));
}

bool nonEmpty(const std::optional<std::string>& v) { return v && !QString::fromStdString(*v).trimmed().isEmpty(); }

QStringList splitTrimmed(const QString& text, QChar sep) {
  QStringList out;
  for (const auto& part : text.split(sep))
    out << part.trimmed();
  while (!out.isEmpty() && out.back().isEmpty())
    out.pop_back();
  return out;
}

// ATC's gear option of a strategy; empty for static and dynamic shape.
std::string_view gearOptionKey(Strategy s) {
  switch (s) {
  case Strategy::DynamicBatch:
    return "dynamic_batch_size";
  case Strategy::DynamicImageSize:
    return "dynamic_image_size";
  case Strategy::DynamicDims:
    return "dynamic_dims";
  default:
    return {};
  }
}

QString modelInputList(const FormState& base) {
  QStringList names;
  for (const auto& row : base.inputs)
    names << row.name;
  return names.isEmpty() ? QStringLiteral("(none)") : names.join(QStringLiteral(", "));
}

} // namespace

int FormState::findInput(const QString& name) const {
  for (std::size_t i = 0; i < inputs.size(); ++i)
    if (inputs[i].name == name) return static_cast<int>(i);
  return -1;
}

FormState formFromModel(const ir::Graph& graph, const QString& modelPath) {
  FormState form;
  bool dynamic = false;
  for (auto id : graph.inputs) {
    const auto& v = graph.values[id];
    InputRow row{QString::fromStdString(v.name), {}};
    for (const auto& d : v.shape.dims) {
      row.dims << (d.isKnown() ? QString::number(d.value) : QStringLiteral("-1"));
      dynamic = dynamic || !d.isKnown();
    }
    form.inputs.push_back(std::move(row));
  }
  form.strategy = dynamic ? Strategy::DynamicShape : Strategy::Static;
  if (!modelPath.isEmpty()) {
    const QFileInfo info(modelPath);
    form.outputPath = info.dir().filePath(info.completeBaseName());
  }
  return form;
}

QString gearOptionText(const FormState& form) {
  QStringList rows;
  for (const auto& g : form.gears)
    rows << g.trimmed();
  return rows.join(form.strategy == Strategy::DynamicBatch ? QChar(',') : QChar(';'));
}

QString inputShapeText(const FormState& form) {
  QStringList parts;
  for (const auto& row : form.inputs) {
    QStringList dims;
    for (const auto& d : row.dims)
      dims << d.trimmed();
    parts << row.name + QLatin1Char(':') + dims.join(QLatin1Char(','));
  }
  return parts.join(QLatin1Char(';'));
}

shape_config::AtcOptions toAtcOptions(const FormState& form, const QString& modelPath) {
  shape_config::AtcOptions o;
  if (!modelPath.isEmpty()) set(o, "model", modelPath);
  set(o, "framework", QStringLiteral("5"));
  if (!form.outputPath.trimmed().isEmpty()) set(o, "output", form.outputPath.trimmed());
  if (!form.socVersion.trimmed().isEmpty()) set(o, "soc_version", form.socVersion.trimmed());
  if (form.inputFormat != QLatin1String("NCHW")) set(o, "input_format", form.inputFormat);
  if (!form.inputs.empty()) set(o, "input_shape", inputShapeText(form));
  const auto option = gearOptionKey(form.strategy);
  if (!option.empty() && !form.gears.isEmpty()) set(o, option, gearOptionText(form));
  if (!form.outNodes.trimmed().isEmpty()) set(o, "out_nodes", form.outNodes.trimmed());
  const auto& p = form.precision;
  if (!p.mode.isEmpty()) set(o, "precision_mode", p.mode);
  if (!p.keepDtypeFile.trimmed().isEmpty()) set(o, "keep_dtype", p.keepDtypeFile.trimmed());
  // The calibration options are written only while quantizing; the form keeps them, so unticking
  // and ticking "Quantize to int8" again loses nothing.
  const bool quantize = !p.quantize.trimmed().isEmpty();
  if (quantize) {
    set(o, "quantize", p.quantize.trimmed());
    if (!p.calibrationDir.trimmed().isEmpty()) set(o, "calibration", p.calibrationDir.trimmed());
    if (!p.calibrationMethod.isEmpty() && p.calibrationMethod != QLatin1String("minmax"))
      set(o, "calibration_method", p.calibrationMethod);
    if (!p.calibrationMean.trimmed().isEmpty()) set(o, "calibration_mean", p.calibrationMean.trimmed());
    if (!p.calibrationScale.trimmed().isEmpty()) set(o, "calibration_scale", p.calibrationScale.trimmed());
  }
  return o;
}

Expected<FormState> formFromOptions(const shape_config::AtcOptions& o, const FormState& base) {
  FormState form = base;
  const std::pair<Strategy, const std::optional<std::string>*> gearOptions[] = {
      {Strategy::DynamicBatch, &o.dynamic_batch_size},
      {Strategy::DynamicImageSize, &o.dynamic_image_size},
      {Strategy::DynamicDims, &o.dynamic_dims}};
  QStringList given;
  std::optional<std::pair<Strategy, QString>> gearOption;
  for (const auto& [strategy, value] : gearOptions)
    if (nonEmpty(*value)) {
      given << QString::fromUtf8(gearOptionKey(strategy).data());
      if (!gearOption) gearOption = std::pair{strategy, QString::fromStdString(**value)};
    }
  const bool ranges = nonEmpty(o.input_shape_range);
  if (given.size() + (ranges ? 1 : 0) > 1)
    return makeError("E10009", "Only one of --dynamic_batch_size, --dynamic_image_size, --dynamic_dims and "
                               "--input_shape_range can be set.");

  const QString shapeText = QString::fromStdString(ranges ? *o.input_shape_range : o.input_shape.value_or(""));
  bool anyDynamicDim = false;
  for (const auto& segment : splitTrimmed(shapeText, QLatin1Char(';'))) {
    const auto colon = segment.lastIndexOf(QLatin1Char(':'));
    const QString name = colon < 0 ? QString() : segment.left(colon).trimmed();
    if (name.isEmpty())
      return makeError("E10002", "Value [" + str(segment) +
                                     "] for parameter [--input_shape] is invalid. Reason: the shape must contain two "
                                     "parts: name and value.");
    const int row = form.findInput(name);
    if (row < 0)
      return makeError("E10016", "Input [" + str(name) +
                                     "] in parameter [--input_shape] is not an input of the "
                                     "model. The model's inputs are: " +
                                     str(modelInputList(base)) + ".");
    QString value = segment.mid(colon + 1).trimmed();
    if (ranges && value.startsWith(QLatin1Char('[')) && value.endsWith(QLatin1Char(']')))
      value = value.mid(1, value.size() - 2);
    QStringList dims = value.isEmpty() ? QStringList() : splitTrimmed(value, QLatin1Char(','));
    for (const auto& d : dims)
      anyDynamicDim = anyDynamicDim || d == QLatin1String("-1") || d.contains(QLatin1Char('~'));
    form.inputs[static_cast<std::size_t>(row)].dims = dims;
  }

  form.gears.clear();
  if (gearOption) {
    form.strategy = gearOption->first;
    form.gears =
        splitTrimmed(gearOption->second, gearOption->first == Strategy::DynamicBatch ? QChar(',') : QChar(';'));
  } else if (ranges || anyDynamicDim) {
    form.strategy = Strategy::DynamicShape;
  } else {
    form.strategy = Strategy::Static;
  }
  form.inputFormat =
      nonEmpty(o.input_format) ? QString::fromStdString(*o.input_format).trimmed() : QStringLiteral("NCHW");
  if (o.soc_version) form.socVersion = QString::fromStdString(*o.soc_version).trimmed();
  if (o.output) form.outputPath = QString::fromStdString(*o.output).trimmed();
  form.outNodes = o.out_nodes ? QString::fromStdString(*o.out_nodes).trimmed() : QString();
  const auto text = [](const std::optional<std::string>& v) {
    return v ? QString::fromStdString(*v).trimmed() : QString();
  };
  auto& p = form.precision;
  p.mode = text(o.precision_mode);
  p.keepDtypeFile = text(o.keep_dtype);
  p.quantize = text(o.quantize);
  p.calibrationDir = text(o.calibration);
  p.calibrationMethod = text(o.calibration_method);
  p.calibrationMean = text(o.calibration_mean);
  p.calibrationScale = text(o.calibration_scale);
  return form;
}

} // namespace gs::ui
