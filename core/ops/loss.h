// Shape functions of the loss ops: NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss (opset 12+).
// Kept in their own header so the loss family stays one file pair; registry.cpp's table refers to them.
#pragma once

#include "core/ops/registry.h"

namespace gs::ops {

// NegativeLogLikelihoodLoss(input [N,C,d1..dk], target [N,d1..dk], weight [C]?) -> loss.
Status inferNllLoss(InferContext& ctx);
// SoftmaxCrossEntropyLoss(scores [N,C,d1..dk], labels [N,d1..dk], weights [C]?) -> loss, log_prob?.
Status inferSoftmaxCrossEntropyLoss(InferContext& ctx);

} // namespace gs::ops
