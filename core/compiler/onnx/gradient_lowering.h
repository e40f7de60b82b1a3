// The Gradient op of ai.onnx.preview.training, for the graphs reverse-mode differentiation can write
// out at import: y reached from xs through Add, Sub, Mul, Div, Neg and Identity on float32 tensors of
// one static shape (no broadcasting). Each Gradient node is replaced by the tensor ops computing
// d(sum of y)/d(x_i) (the seed gradient of y is all ones; an x that y does not depend on gets zeros).
// Other Gradient nodes are left as they are (and stay unsupported).
#pragma once

#include <onnx/onnx_pb.h>

namespace gs::onnx_import {

// The number of Gradient nodes rewritten.
int lowerGradients(onnx::GraphProto& graph);

} // namespace gs::onnx_import
