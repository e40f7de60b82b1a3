// Shape functions of the optimizer ops of ai.onnx.preview.training (Adagrad, Momentum, Adam): each
// output has the shape and type of its optimized input X_i.
#include "core/ops/op_util.h"
#include "core/ops/shape_fns.h"

namespace gs::ops {

using namespace util;

Status inferOptimizer(InferContext& ctx) {
  const std::size_t states = ctx.node.opType == "Adam" ? 4 : 3;
  const std::size_t n = ctx.node.inputs.size();
  if (n < 2 + states || (n - 2) % states != 0)
    return invalid(ctx, "expects R, T and " + std::to_string(states) + " tensors per optimized input");
  const std::size_t k = (n - 2) / states;
  if (ctx.outputs.size() != k * (states - 1))
    return invalid(ctx, "expects " + std::to_string(k * (states - 1)) + " outputs");
  for (std::size_t o = 0; o < ctx.outputs.size(); ++o) {
    const std::size_t i = o % k;
    if (!has(ctx, 2 + i)) return invalid(ctx, "optimized input " + std::to_string(i) + " is missing");
    setOutput(ctx, o, dtypeOf(ctx, 2 + i), *shapeOf(ctx, 2 + i));
  }
  return ok();
}

} // namespace gs::ops
