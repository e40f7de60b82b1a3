// The crop map of a gear: for pad-to-gear dispatch, which dims of each graph output follow a padded
// input dim (and by what size rule), and which outputs padding changes beyond cropping. A dim-flow
// analysis over the source graph with the gear's shapes: each value dim carries the padded input dim
// it follows as size = floor((a*x + b)/s) (conv / pool / resize chains compose into this form);
// an op that reduces, normalises or contracts over a padded dim (global pooling, Reduce*, Softmax,
// LayerNormalization, MatMul over it, ...) marks its outputs unsafe, as does any op the analysis does
// not know when a padded dim reaches it. Every rule is checked against shape inference at the gear's
// shapes; a rule that disagrees is dropped and the output marked unsafe.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/common/status.h"
#include "core/ir/graph.h"
#include "core/om/model.h"

namespace gs::compiler {

// source: the imported graph (standard ONNX ops). inputs / outputs: the gear's descriptions (names
// and dims, in the gear's order; CropDim::input indexes `inputs`). padded[input name]: per dim, whether
// requests may be padded along it (the dims that differ between gears). One entry per output.
Expected<std::vector<om::OutputCrop>> cropMap(const ir::Graph& source, int64_t opset,
                                              const std::vector<om::TensorDesc>& inputs,
                                              const std::map<std::string, std::vector<bool>>& padded,
                                              const std::vector<om::TensorDesc>& outputs);

} // namespace gs::compiler
