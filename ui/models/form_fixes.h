// What the Inputs & Gears editor offers beyond validation: the dims a strategy implies (choosing
// dynamic image size fixes N and C and makes H and W gear dims), a first gear list for a gear strategy,
// the next gear up for "+", and every dim the validator would reject, each with the value that fixes
// it, so the editor can show them all at once with one Fix button. Pure functions over FormState.
#pragma once

#include <vector>

#include <QString>
#include <QStringList>

#include "core/ir/graph.h"
#include "ui/models/form_check.h"
#include "ui/models/form_state.h"

namespace gs::ui {

// The form with the strategy set and the dims it implies (graph may be null: then the form's own
// numbers serve as the model's):
// - static: each -1 or range becomes the model's dim when the model knows it;
// - dynamic batch: dim 0 of every input is -1, the other dims the model's when known;
// - dynamic image size: N the model's (else 1), C the model's, H and W -1 (positions by input format);
// - dynamic dims and dynamic shape: the dims stay as they are.
// A gear strategy whose gear list is empty gets a first list (see starterGears).
FormState formForStrategy(const FormState& form, Strategy strategy, const ir::Graph* graph);

// A first gear list for a gear strategy: batch 1,2,4,8; image sizes from the model's H and W when known
// (that size and twice it), else 320..960; dims from a preset with as many values as the form has -1
// dims. Empty when nothing sensible exists (the editor then asks for gears instead of erring).
QStringList starterGears(const FormState& form, Strategy strategy, const ir::Graph* graph);

// The gear "+" adds: one step above the largest gear (batch: twice the largest; image size: the largest
// plus 32 per dim, keeping multiples of 32; dims: each value of the last gear doubled), never a
// duplicate of a gear in the list.
QString nextGear(const QStringList& gears, Strategy strategy);

struct DimProblem {
  int input = -1;
  int dim = -1;
  FormIssue issue; // the validator's code and message for this dim alone
  QString fix;     // the dim text that resolves it
};

// Every dim the validator rejects, each checked alone (the other faulty dims set to their fix), with
// the validator's own code and message. Empty when the form's dims are fine.
std::vector<DimProblem> dimProblems(const FormState& form, const QString& modelPath, const ir::Graph* graph);

// The form with every problem's fix applied.
FormState applyDimFixes(const FormState& form, const std::vector<DimProblem>& problems);

// Text for a word-wrapped label: a break opportunity (zero-width space) after separators, so that
// long option values ("[--input_shape=x:1,3,640,640;...]") and paths wrap instead of being clipped.
QString wrappable(const QString& text);

} // namespace gs::ui
