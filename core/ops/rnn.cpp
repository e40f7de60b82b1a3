// Shape functions of the recurrent ops LSTM, GRU and RNN: Y, Y_h (and LSTM's Y_c) from the sequence,
// batch, direction count and hidden size, in both layouts (layout attribute from opset 14).
#include "core/ops/op_util.h"
#include "core/ops/shape_fns.h"

namespace gs::ops {

using namespace util;

Status inferRnn(InferContext& ctx) {
  for (std::size_t i = 0; i < 3; ++i)
    if (!has(ctx, i)) return invalid(ctx, "input " + std::to_string(i) + " is missing");
  const std::string_view op = ctx.node.opType;
  const int64_t gates = op == "LSTM" ? 4 : op == "GRU" ? 3 : 1;
  const auto& x = *shapeOf(ctx, 0);
  const auto& w = *shapeOf(ctx, 1);
  const auto& r = *shapeOf(ctx, 2);
  const auto dtype = dtypeOf(ctx, 0);
  const auto direction = ctx.node.attrs.getString("direction", "forward");
  if (direction != "forward" && direction != "reverse" && direction != "bidirectional")
    return invalidAttr(ctx, "direction", "unknown direction '" + direction + "'");
  const int64_t nd = direction == "bidirectional" ? 2 : 1;
  const auto layout = ctx.node.attrs.getInt("layout", 0);
  if (layout != 0 && layout != 1) return invalidAttr(ctx, "layout", "must be 0 or 1");
  if (x.rankKnown && x.rank() != 3) return invalid(ctx, "X must be 3-D, got " + x.str());
  if (w.rankKnown && w.rank() != 3) return invalid(ctx, "W must be 3-D, got " + w.str());
  if (r.rankKnown && r.rank() != 3) return invalid(ctx, "R must be 3-D, got " + r.str());
  if (w.rankKnown && w.dims[0].isKnown() && w.dims[0].value != nd)
    return invalidAttr(ctx, "direction",
                       "W has " + std::to_string(w.dims[0].value) + " directions, expected " + std::to_string(nd));
  ir::Dim hidden = freshDim(ctx);
  if (const auto* hs = ctx.node.attrs.find("hidden_size")) {
    if (hs->i < 1) return invalidAttr(ctx, "hidden_size", "must be >= 1");
    hidden = ir::Dim::known(hs->i);
    if (w.rankKnown && w.dims[1].isKnown() && w.dims[1].value != gates * hs->i)
      return invalidAttr(ctx, "hidden_size", "disagrees with W " + w.str());
  } else if (r.rankKnown && r.dims[2].isKnown()) {
    hidden = r.dims[2];
  } else if (w.rankKnown && w.dims[1].isKnown()) {
    hidden = ir::Dim::known(w.dims[1].value / gates);
  }
  if (const auto* a = ctx.node.attrs.find("activations")) {
    const std::size_t perDir = op == "LSTM" ? 3 : op == "GRU" ? 2 : 1;
    if (a->strings.size() != perDir * static_cast<std::size_t>(nd))
      return invalidAttr(ctx, "activations",
                         "needs " + std::to_string(perDir * static_cast<std::size_t>(nd)) + " entries");
  }
  const ir::Dim seq = x.rankKnown ? x.dims[layout == 0 ? 0 : 1] : freshDim(ctx);
  const ir::Dim batch = x.rankKnown ? x.dims[layout == 0 ? 1 : 0] : freshDim(ctx);
  const ir::Dim dirs = ir::Dim::known(nd);
  const ir::Shape y = layout == 0 ? ir::Shape({seq, dirs, batch, hidden}) : ir::Shape({batch, seq, dirs, hidden});
  const ir::Shape state = layout == 0 ? ir::Shape({dirs, batch, hidden}) : ir::Shape({batch, dirs, hidden});
  setOutput(ctx, 0, dtype, y);
  setOutput(ctx, 1, dtype, state);
  setOutput(ctx, 2, dtype, state);
  return ok();
}

} // namespace gs::ops
