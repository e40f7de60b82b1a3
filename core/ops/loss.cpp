// Shape functions of NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss. Both take class scores
// [N,C,d1..dk], integer targets [N,d1..dk] and optional per-class weights [C]; the loss is [N,d1..dk]
// for reduction "none" and a scalar for "sum"/"mean". SoftmaxCrossEntropyLoss may also output the
// log-probabilities, shaped like the scores.
#include "core/ops/loss.h"
#include "core/ops/op_util.h"

namespace gs::ops {

using namespace util;

namespace {

Status inferLoss(InferContext& ctx, bool withLogProb) {
  if (!has(ctx, 0) || !has(ctx, 1)) return invalid(ctx, "expects the scores and the targets");
  const auto reduction = ctx.node.attrs.getString("reduction", "mean");
  if (reduction != "none" && reduction != "sum" && reduction != "mean")
    return invalidAttr(ctx, "reduction", "must be none, sum or mean, got '" + reduction + "'");
  const auto dtype = dtypeOf(ctx, 0);
  if (!ir::isNativeFloat(dtype)) return invalid(ctx, "scores must be a floating-point tensor");
  const auto ttype = dtypeOf(ctx, 1);
  if (ttype != ir::DataType::Int32 && ttype != ir::DataType::Int64)
    return invalid(ctx, "targets must be int32 or int64");
  const auto& x = *shapeOf(ctx, 0);
  const auto& t = *shapeOf(ctx, 1);
  if (x.rankKnown && x.rank() < 2) return invalid(ctx, "scores must have rank >= 2, got " + x.str());
  if (x.rankKnown && t.rankKnown && t.rank() + 1 != x.rank())
    return invalid(ctx, "targets " + t.str() + " must have one dim fewer than the scores " + x.str());
  // The loss per element has the targets' shape, with dims unified against the scores' [N, d1..dk].
  ir::Shape perElement = t;
  if (x.rankKnown && !t.rankKnown) {
    perElement = ir::Shape();
    for (std::size_t i = 0; i < x.rank(); ++i)
      if (i != 1) perElement.dims.push_back(x.dims[i]);
  } else if (x.rankKnown && t.rankKnown) {
    for (std::size_t i = 0; i < t.rank(); ++i) {
      auto d = unifyDims(ctx, x.dims[i == 0 ? 0 : i + 1], t.dims[i], "targets dim " + std::to_string(i));
      if (!d) return std::unexpected(d.error());
      perElement.dims[i] = *d;
    }
  }
  if (has(ctx, 2)) {
    const auto* w = shapeOf(ctx, 2);
    if (w->rankKnown && w->rank() != 1) return invalid(ctx, "weight must be 1-D, got " + w->str());
    if (w->rankKnown && x.rankKnown) {
      auto d = unifyDims(ctx, w->dims[0], x.dims[1], "weight length and classes");
      if (!d) return std::unexpected(d.error());
    }
  }
  setOutput(ctx, 0, dtype, reduction == "none" ? perElement : ir::Shape());
  if (withLogProb && ctx.outputs.size() > 1) setOutput(ctx, 1, dtype, x);
  return ok();
}

} // namespace

Status inferNllLoss(InferContext& ctx) { return inferLoss(ctx, false); }

Status inferSoftmaxCrossEntropyLoss(InferContext& ctx) { return inferLoss(ctx, true); }

} // namespace gs::ops
