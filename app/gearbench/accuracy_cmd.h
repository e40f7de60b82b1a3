// gearbench --accuracy and --precision-matrix (docs/accuracy.md).
//   --accuracy: builds the model as asked (shape, gear and precision options) and an fp32 reference
//   (the same options with --precision_mode=force_fp32, or --reference=OTHER), runs every gear of
//   both on the same inputs and prints per gear and output max abs / rel error, cosine and top-1
//   agreement; --per-layer adds the layer-by-layer comparison and the first layer below
//   --per-layer-threshold. --precision-matrix=LIST builds each precision, profiles every gear and
//   compares it with fp32 (core/profile/precision_matrix.h).
#pragma once

#include <ostream>
#include <span>
#include <string>

namespace gs::gearbench {

// Whether args ask for --accuracy or --precision-matrix.
bool wantsAccuracy(std::span<const std::string> args);

// Exit status: 0 ok, 1 a model that cannot be built or run, 2 a usage error.
int runAccuracy(std::span<const std::string> args, std::ostream& out, std::ostream& err);

std::string accuracyHelpText();

} // namespace gs::gearbench
