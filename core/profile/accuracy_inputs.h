// Inputs of accuracy runs from a folder: either one NAME.npy per input (one sample, the layout
// gearbench --input reads) or one subfolder per sample, each with one NAME.npy per input (the
// --calibration layout: measure on a set of samples, e.g. 32 others than the calibration ones).
#pragma once

#include <string>
#include <vector>

#include "core/common/status.h"
#include "core/om/model.h"
#include "core/runtime/tensor.h"

namespace gs::profile {

using Sample = std::vector<runtime::HostTensor>; // one tensor per input, in the descs' order

// Whether `dir` holds sample subfolders (and no NAME.npy of its own for the first input).
bool isSampleFolder(const std::string& dir, const std::vector<om::TensorDesc>& descs);

// The samples of `dir` whose .npy shapes equal `descs`' dims (subfolders in name order; a folder of
// .npy files is one sample), converted to the descs' float dtypes. Samples of other shapes are left
// out (another gear's); `skipped` (optional) counts them. Errors: a file that cannot be read, a dtype
// that does not convert, a subfolder missing an input's file (codes::kIo / kInvalid naming it).
Expected<std::vector<Sample>> loadSamples(const std::string& dir, const std::vector<om::TensorDesc>& descs,
                                          int* skipped = nullptr);

} // namespace gs::profile
