// The Inputs & Gears editor's state as the user typed it: per-input dim texts, the chosen strategy,
// the gear rows, soc version, output path. It can hold invalid text (the validator says what is
// wrong); it converts to ATC options (the live command line) and is filled from ATC options (a
// pasted `atc ...` line or a project file). Plain value type: undo commands store copies.
#pragma once

#include <vector>

#include <QString>
#include <QStringList>

#include "core/common/status.h"
#include "core/common/strategy.h"
#include "core/compiler/shape_config/atc_options.h"
#include "core/ir/graph.h"

namespace gs::ui {

struct InputRow {
  QString name;
  QStringList dims; // one text per dim: "3", "-1", "1~8"; empty for a scalar
  bool operator==(const InputRow&) const = default;
};

// The Precision section as typed: ATC's --precision_mode and --keep_dtype, GearStudio's
// --quantize=int8 with its calibration options. Empty texts mean "not given".
struct PrecisionForm {
  QString mode; // "" (the model's own dtypes), "force_fp16", ... "bf16"
  QString keepDtypeFile;
  QString quantize; // "int8" when quantizing; a pasted other value is kept for the validator to flag
  QString calibrationDir;
  QString calibrationMethod; // "" = minmax
  QString calibrationMean;   // "123.675,116.28,103.53"
  QString calibrationScale;
  bool operator==(const PrecisionForm&) const = default;
};

struct FormState {
  Strategy strategy = Strategy::Static;
  QString inputFormat = QStringLiteral("NCHW");
  std::vector<InputRow> inputs; // graph input order
  QStringList gears;            // one row per gear: "4" (batch), "640,640" (image size), "1,128" (dims)
  QString socVersion;
  QString outputPath; // ATC --output: without the .om suffix
  QString outNodes;   // "node:0;node:1" or output names
  QStringList disabledPasses;
  PrecisionForm precision;

  bool operator==(const FormState&) const = default;
  int findInput(const QString& name) const;
};

// The form for a freshly opened model: known dims as numbers, symbolic ones as -1 (the dynamic_shape
// strategy then, as ATC reads a -1 without a gear option), output next to the model.
FormState formFromModel(const ir::Graph& graph, const QString& modelPath);

// The gear option's text as ATC writes it: "1,2,4" for batch, "h,w;h,w" / "a,b;c,d" otherwise.
QString gearOptionText(const FormState& form);
// --input_shape (or the ranges of dynamic shape) from the dim texts: "x:1,3,-1,-1;y:".
QString inputShapeText(const FormState& form);

// The options the form stands for, including --model, --framework=5 and --output.
shape_config::AtcOptions toAtcOptions(const FormState& form, const QString& modelPath);

// Fills a form from ATC options, starting from `base` (the model's rows): the strategy follows the
// options (a gear option, ranges, -1 without gears, else static), the dims of the inputs listed
// replace the model's, gears become rows. Text that is merely invalid is kept for the validator to
// flag; what the form cannot hold is an error: two gear options (E10009), an --input_shape entry
// without a name (E10002) or naming no input of the model (E10016).
Expected<FormState> formFromOptions(const shape_config::AtcOptions& options, const FormState& base);

} // namespace gs::ui
