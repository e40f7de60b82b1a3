// Shape functions of the signal-processing ops (opset 17): HannWindow, HammingWindow,
// BlackmanWindow, MelWeightMatrix, DFT, STFT. Sizes that come from input values are known only when
// those values are (constants or propagated data); otherwise the dims are fresh symbols and the
// kernel sizes the output when it runs.
#include <algorithm>

#include "core/ops/op_util.h"
#include "core/ops/shape_fns.h"

namespace gs::ops {

using namespace util;

namespace {

Expected<ir::DataType> outputDatatype(InferContext& ctx) {
  const auto code = ctx.node.attrs.getInt("output_datatype", 1);
  const auto t = ir::dtypeFromOnnx(static_cast<int32_t>(code));
  if (!t) return invalidAttr(ctx, "output_datatype", "unknown data type " + std::to_string(code));
  return *t;
}

Status needScalar(const InferContext& ctx, std::size_t i, const char* what) {
  if (!has(ctx, i)) return invalid(ctx, std::string(what) + " is required");
  const auto* s = shapeOf(ctx, i);
  if (s->rankKnown && s->numel() && *s->numel() != 1) return invalid(ctx, std::string(what) + " must be a scalar");
  return ok();
}

ir::Dim knownOrFresh(InferContext& ctx, std::optional<int64_t> v) { return v ? ir::Dim::known(*v) : freshDim(ctx); }

} // namespace

Status inferWindow(InferContext& ctx) {
  GS_RETURN_IF_ERROR(needScalar(ctx, 0, "size"));
  if (!ir::isInteger(dtypeOf(ctx, 0)) && dtypeOf(ctx, 0) != ir::DataType::Undefined)
    return invalid(ctx, "size must be an integer");
  GS_ASSIGN_OR_RETURN(const auto dtype, outputDatatype(ctx));
  const auto size = intScalarOf(ctx, 0);
  if (size && *size < 0) return invalid(ctx, "size is negative");
  setOutput(ctx, 0, dtype, ir::Shape({knownOrFresh(ctx, size)}));
  return ok();
}

Status inferMelWeightMatrix(InferContext& ctx) {
  static const char* names[] = {"num_mel_bins", "dft_length", "sample_rate", "lower_edge_hertz", "upper_edge_hertz"};
  for (std::size_t i = 0; i < 5; ++i)
    GS_RETURN_IF_ERROR(needScalar(ctx, i, names[i]));
  GS_ASSIGN_OR_RETURN(const auto dtype, outputDatatype(ctx));
  const auto mels = intScalarOf(ctx, 0);
  auto dft = intScalarOf(ctx, 1);
  if ((mels && *mels < 1) || (dft && *dft < 1)) return invalid(ctx, "num_mel_bins and dft_length must be positive");
  if (dft) dft = *dft / 2 + 1;
  setOutput(ctx, 0, dtype, ir::Shape({knownOrFresh(ctx, dft), knownOrFresh(ctx, mels)}));
  return ok();
}

Status inferDft(InferContext& ctx) {
  if (!has(ctx, 0)) return invalid(ctx, "input is required");
  const auto& in = *shapeOf(ctx, 0);
  const auto dtype = dtypeOf(ctx, 0);
  if (!in.rankKnown) {
    setOutput(ctx, 0, dtype, ir::Shape::unknownRank());
    return ok();
  }
  const auto rank = static_cast<int64_t>(in.rank());
  if (rank < 2) return invalid(ctx, "input must have at least 2 dims, got " + in.str());
  const auto& last = in.dims.back();
  if (last.isKnown() && last.value != 1 && last.value != 2)
    return invalid(ctx, "the input's last dim must be 1 (real) or 2 (complex), got " + in.str());
  std::optional<int64_t> axis = ctx.node.attrs.getInt("axis", 1);
  if (ctx.opset >= 20) axis = has(ctx, 2) ? intScalarOf(ctx, 2) : std::optional<int64_t>(-2);
  const bool onesided = ctx.node.attrs.getInt("onesided", 0) != 0;
  ir::Shape out = in;
  out.dims.back() = ir::Dim::known(2);
  if (!axis) { // the axis is computed at run time: every signal dim may change
    for (int64_t d = 0; d + 1 < rank; ++d)
      out.dims[static_cast<std::size_t>(d)] = freshDim(ctx);
    setOutput(ctx, 0, dtype, std::move(out));
    return ok();
  }
  int64_t a = *axis < 0 ? *axis + rank : *axis;
  if (a < 0 || a >= rank - 1) return invalid(ctx, "axis " + std::to_string(*axis) + " is out of range for " + in.str());
  std::optional<int64_t> n;
  if (has(ctx, 1)) {
    GS_RETURN_IF_ERROR(needScalar(ctx, 1, "dft_length"));
    n = intScalarOf(ctx, 1);
    if (n && *n < 1) return invalid(ctx, "dft_length must be positive");
  } else if (in.dims[static_cast<std::size_t>(a)].isKnown()) {
    n = in.dims[static_cast<std::size_t>(a)].value;
  }
  auto& d = out.dims[static_cast<std::size_t>(a)];
  if (n)
    d = ir::Dim::known(onesided ? *n / 2 + 1 : *n);
  else if (has(ctx, 1) || onesided)
    d = freshDim(ctx);
  setOutput(ctx, 0, dtype, std::move(out));
  return ok();
}

Status inferStft(InferContext& ctx) {
  if (!has(ctx, 0) || !has(ctx, 1)) return invalid(ctx, "signal and frame_step are required");
  GS_RETURN_IF_ERROR(needScalar(ctx, 1, "frame_step"));
  const auto& in = *shapeOf(ctx, 0);
  const auto dtype = dtypeOf(ctx, 0);
  if (in.rankKnown && in.rank() != 3) return invalid(ctx, "signal must be [batch, length, 1 or 2], got " + in.str());
  std::optional<int64_t> frameLen;
  if (has(ctx, 2)) {
    const auto& w = *shapeOf(ctx, 2);
    if (w.rankKnown && w.rank() != 1) return invalid(ctx, "window must be 1-D, got " + w.str());
    if (w.rankKnown && w.dims[0].isKnown()) frameLen = w.dims[0].value;
  }
  if (has(ctx, 3)) {
    GS_RETURN_IF_ERROR(needScalar(ctx, 3, "frame_length"));
    const auto fl = intScalarOf(ctx, 3);
    if (fl && frameLen && *fl != *frameLen) return invalid(ctx, "frame_length differs from the window's length");
    if (fl) frameLen = fl;
  }
  if (!has(ctx, 2) && !has(ctx, 3)) return invalid(ctx, "give a window or a frame_length");
  const auto step = intScalarOf(ctx, 1);
  if (step && *step < 1) return invalid(ctx, "frame_step must be positive");
  const bool onesided = ctx.node.attrs.getInt("onesided", 1) != 0;
  ir::Dim batch = in.rankKnown ? in.dims[0] : freshDim(ctx);
  std::optional<int64_t> frames;
  if (in.rankKnown && in.dims[1].isKnown() && frameLen && step) {
    if (*frameLen > in.dims[1].value) return invalid(ctx, "frame_length exceeds the signal's length");
    frames = (in.dims[1].value - *frameLen) / *step + 1;
  }
  std::optional<int64_t> bins;
  if (frameLen) bins = onesided ? *frameLen / 2 + 1 : *frameLen;
  setOutput(ctx, 0, dtype, ir::Shape({batch, knownOrFresh(ctx, frames), knownOrFresh(ctx, bins), ir::Dim::known(2)}));
  return ok();
}

} // namespace gs::ops
