// Shape functions of the detection and sampling ops: NonMaxSuppression (a data-dependent count of
// selected (batch, class, box) triples), RoiAlign, GridSample, MaxUnpool, Det, and
// TfIdfVectorizer.
#include <algorithm>

#include "core/ops/op_util.h"
#include "core/ops/shape_fns.h"

namespace gs::ops {

using namespace util;

Status inferNonMaxSuppression(InferContext& ctx) {
  if (!has(ctx, 0) || !has(ctx, 1)) return invalid(ctx, "boxes and scores are required");
  const auto& boxes = *shapeOf(ctx, 0);
  const auto& scores = *shapeOf(ctx, 1);
  if (boxes.rankKnown && (boxes.rank() != 3 || (boxes.dims[2].isKnown() && boxes.dims[2].value != 4)))
    return invalid(ctx, "boxes must be [batches, boxes, 4], got " + boxes.str());
  if (scores.rankKnown && scores.rank() != 3)
    return invalid(ctx, "scores must be [batches, classes, boxes], got " + scores.str());
  setOutput(ctx, 0, ir::DataType::Int64, ir::Shape({freshDim(ctx), ir::Dim::known(3)}));
  return ok();
}

Status inferRoiAlign(InferContext& ctx) {
  if (!has(ctx, 0) || !has(ctx, 1) || !has(ctx, 2)) return invalid(ctx, "X, rois and batch_indices are required");
  const auto& x = *shapeOf(ctx, 0);
  const auto& rois = *shapeOf(ctx, 1);
  if (x.rankKnown && x.rank() != 4) return invalid(ctx, "X must be 4-D, got " + x.str());
  if (rois.rankKnown && rois.rank() != 2) return invalid(ctx, "rois must be [num_rois, 4], got " + rois.str());
  const auto oh = ctx.node.attrs.getInt("output_height", 1), ow = ctx.node.attrs.getInt("output_width", 1);
  if (oh < 1 || ow < 1) return invalid(ctx, "output_height and output_width must be positive");
  setOutput(ctx, 0, dtypeOf(ctx, 0),
            ir::Shape({rois.rankKnown ? rois.dims[0] : freshDim(ctx), x.rankKnown ? x.dims[1] : freshDim(ctx),
                       ir::Dim::known(oh), ir::Dim::known(ow)}));
  return ok();
}

Status inferGridSample(InferContext& ctx) {
  if (!has(ctx, 0) || !has(ctx, 1)) return invalid(ctx, "X and grid are required");
  const auto& x = *shapeOf(ctx, 0);
  const auto& grid = *shapeOf(ctx, 1);
  if (x.rankKnown && x.rank() != 4) return unsupported(ctx, "only 4-D X is supported, got " + x.str());
  if (grid.rankKnown && grid.rank() != 4) return invalid(ctx, "grid must be [N, H_out, W_out, 2], got " + grid.str());
  setOutput(ctx, 0, dtypeOf(ctx, 0),
            ir::Shape({x.rankKnown ? x.dims[0] : freshDim(ctx), x.rankKnown ? x.dims[1] : freshDim(ctx),
                       grid.rankKnown ? grid.dims[1] : freshDim(ctx), grid.rankKnown ? grid.dims[2] : freshDim(ctx)}));
  return ok();
}

Status inferMaxUnpool(InferContext& ctx) {
  if (!has(ctx, 0) || !has(ctx, 1)) return invalid(ctx, "X and I are required");
  const auto& x = *shapeOf(ctx, 0);
  const auto dtype = dtypeOf(ctx, 0);
  if (!x.rankKnown) {
    setOutput(ctx, 0, dtype, ir::Shape::unknownRank());
    return ok();
  }
  if (x.rank() < 3) return invalid(ctx, "X must have spatial dims, got " + x.str());
  if (has(ctx, 2)) {
    if (auto v = intsOf(ctx, 2)) {
      if (v->size() != x.rank()) return invalid(ctx, "output_shape must have X's rank");
      setOutput(ctx, 0, dtype, ir::Shape::fromValues(*v));
    } else {
      setOutput(ctx, 0, dtype, freshShape(ctx, x.rank()));
    }
    return ok();
  }
  const auto kernel = ctx.node.attrs.getInts("kernel_shape");
  const auto pads = ctx.node.attrs.getInts("pads");
  const auto strides = ctx.node.attrs.getInts("strides");
  const std::size_t spatial = x.rank() - 2;
  if (kernel.size() != spatial) return invalidAttr(ctx, "kernel_shape", "must name every spatial dim");
  ir::Shape out = x;
  for (std::size_t d = 0; d < spatial; ++d) {
    const auto& in = x.dims[d + 2];
    if (!in.isKnown()) {
      out.dims[d + 2] = freshDim(ctx);
      continue;
    }
    const int64_t s = d < strides.size() ? strides[d] : 1;
    const int64_t pb = d < pads.size() ? pads[d] : 0, pe = d + spatial < pads.size() ? pads[d + spatial] : 0;
    const int64_t v = (in.value - 1) * s + kernel[d] - pb - pe;
    if (v < 0) return invalid(ctx, "the output dim " + std::to_string(d + 2) + " would be negative");
    out.dims[d + 2] = ir::Dim::known(v);
  }
  setOutput(ctx, 0, dtype, std::move(out));
  return ok();
}

Status inferDet(InferContext& ctx) {
  if (!has(ctx, 0)) return invalid(ctx, "X is required");
  const auto& x = *shapeOf(ctx, 0);
  if (!x.rankKnown) {
    setOutput(ctx, 0, dtypeOf(ctx, 0), ir::Shape::unknownRank());
    return ok();
  }
  if (x.rank() < 2) return invalid(ctx, "X must be [..., M, M], got " + x.str());
  const auto& a = x.dims[x.rank() - 1];
  const auto& b = x.dims[x.rank() - 2];
  if (a.isKnown() && b.isKnown() && a.value != b.value) return invalid(ctx, "X must be square in its last two dims");
  setOutput(ctx, 0, dtypeOf(ctx, 0), ir::Shape(std::vector<ir::Dim>(x.dims.begin(), x.dims.end() - 2)));
  return ok();
}

Status inferTfIdfVectorizer(InferContext& ctx) {
  if (!has(ctx, 0)) return invalid(ctx, "X is required");
  const auto& x = *shapeOf(ctx, 0);
  const auto indexes = ctx.node.attrs.getInts("ngram_indexes");
  if (indexes.empty()) return invalidAttr(ctx, "ngram_indexes", "is required");
  const int64_t width = *std::max_element(indexes.begin(), indexes.end()) + 1;
  if (x.rankKnown && (x.rank() < 1 || x.rank() > 2)) return invalid(ctx, "X must be [N] or [B, N], got " + x.str());
  if (!x.rankKnown) {
    setOutput(ctx, 0, ir::DataType::Float32, ir::Shape::unknownRank());
    return ok();
  }
  setOutput(ctx, 0, ir::DataType::Float32,
            x.rank() == 1 ? ir::Shape({ir::Dim::known(width)}) : ir::Shape({x.dims[0], ir::Dim::known(width)}));
  return ok();
}

} // namespace gs::ops
