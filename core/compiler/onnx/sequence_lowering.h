// Static sequences: a main graph whose sequence values all have a structure known at import (how many
// tensors, in which order: SequenceEmpty / SequenceConstruct / SequenceInsert / SequenceErase with
// constant positions, SplitToSequence of a tensor whose split dim or split count is known) is rewritten
// into tensor ops: SequenceAt becomes Identity of the chosen tensor, SequenceLength a constant,
// ConcatFromSequence a Concat (with Unsqueeze for new_axis), SplitToSequence a Split (with Squeeze for
// keepdims=0). Graphs whose sequences depend on data (a sequence graph input or output, a computed
// position, a Loop carrying a sequence) are left as they are, and their sequence ops stay unsupported.
#pragma once

#include <cstdint>

#include <onnx/onnx_pb.h>

namespace gs::onnx_import {

// The number of sequence ops rewritten (0: the graph is unchanged, either because it has no sequence
// ops or because some sequence is not static). `opset` is the model's default-domain opset (it picks
// the Split / Squeeze / Unsqueeze forms).
int lowerStaticSequences(onnx::GraphProto& graph, int64_t opset);

} // namespace gs::onnx_import
