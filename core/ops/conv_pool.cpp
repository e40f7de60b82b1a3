// Shape functions of Conv, ConvTranspose (both with GearStudio's fused forms), AveragePool, MaxPool,
// LpPool and the global pools: output sizes from pads / strides / dilations / auto_pad / ceil_mode, and
// checks that the attributes agree with the weight and the input.
#include <algorithm>

#include "core/ir/gs_ops.h"
#include "core/ops/op_util.h"
#include "core/ops/shape_fns.h"

namespace gs::ops {

using namespace util;

namespace {

struct Geometry {
  std::vector<int64_t> kernel; // empty: unknown
  std::vector<int64_t> strides, dilations, pads, outputPadding;
  std::string autoPad = "NOTSET";
};

// Reads strides/dilations/pads/auto_pad for `spatial` dims and validates their lengths.
Expected<Geometry> readGeometry(const InferContext& ctx, std::size_t spatial, bool hasDilations) {
  Geometry g;
  const auto& a = ctx.node.attrs;
  auto listOf = [&](const char* name, int64_t def, std::size_t n) -> Expected<std::vector<int64_t>> {
    if (!a.has(name)) return std::vector<int64_t>(n, def);
    auto v = a.getInts(name);
    if (v.size() != n)
      return invalidAttr(ctx, name, "has " + std::to_string(v.size()) + " entries, expected " + std::to_string(n));
    return v;
  };
  GS_ASSIGN_OR_RETURN(g.strides, listOf("strides", 1, spatial));
  for (auto s : g.strides)
    if (s < 1) return invalidAttr(ctx, "strides", "entries must be >= 1");
  if (hasDilations) {
    GS_ASSIGN_OR_RETURN(g.dilations, listOf("dilations", 1, spatial));
    for (auto d : g.dilations)
      if (d < 1) return invalidAttr(ctx, "dilations", "entries must be >= 1");
  } else {
    if (a.has("dilations")) return invalidAttr(ctx, "dilations", "is not supported by this op version");
    g.dilations.assign(spatial, 1);
  }
  GS_ASSIGN_OR_RETURN(g.pads, listOf("pads", 0, 2 * spatial));
  for (auto p : g.pads)
    if (p < 0) return invalidAttr(ctx, "pads", "entries must be >= 0");
  g.autoPad = a.getString("auto_pad", "NOTSET");
  if (g.autoPad != "NOTSET" && g.autoPad != "VALID" && g.autoPad != "SAME_UPPER" && g.autoPad != "SAME_LOWER")
    return invalidAttr(ctx, "auto_pad", "unknown value '" + g.autoPad + "'");
  if (g.autoPad != "NOTSET" && a.has("pads")) return invalidAttr(ctx, "pads", "cannot be used together with auto_pad");
  return g;
}

// Output size of one spatial dim of a convolution or pool.
Expected<ir::Dim> spatialOut(const InferContext& ctx, const ir::Dim& in, const Geometry& g, std::size_t i,
                             bool ceilMode) {
  const std::size_t n = g.strides.size();
  if (g.kernel.empty()) return freshDim(ctx);
  const int64_t effK = (g.kernel[i] - 1) * g.dilations[i] + 1;
  const int64_t s = g.strides[i];
  if (!in.isKnown()) {
    const bool identity = effK == 1 && s == 1 && (g.autoPad != "NOTSET" || g.pads[i] + g.pads[i + n] == 0);
    return identity ? in : freshDim(ctx);
  }
  int64_t out = 0;
  if (g.autoPad == "SAME_UPPER" || g.autoPad == "SAME_LOWER") {
    out = ceilDiv(in.value, s);
  } else if (g.autoPad == "VALID") {
    out = ceilDiv(in.value - effK + 1, s);
  } else {
    const int64_t total = in.value + g.pads[i] + g.pads[i + n] - effK;
    if (total < 0)
      return invalid(ctx, "kernel (" + std::to_string(effK) + ") is larger than the padded input (" +
                              std::to_string(in.value + g.pads[i] + g.pads[i + n]) + ")");
    out = (ceilMode ? ceilDiv(total, s) : floorDiv(total, s)) + 1;
  }
  if (out <= 0) return invalid(ctx, "output size would be " + std::to_string(out));
  return ir::Dim::known(out);
}

// The kernel from the attribute, checked against the weight's spatial dims where both are known.
Expected<std::vector<int64_t>> kernelOf(const InferContext& ctx, const ir::Shape& w, std::size_t spatial) {
  const auto* ks = ctx.node.attrs.find("kernel_shape");
  std::vector<int64_t> fromW;
  if (w.rankKnown) {
    for (std::size_t i = 2; i < w.rank(); ++i) {
      if (!w.dims[i].isKnown()) {
        fromW.clear();
        break;
      }
      fromW.push_back(w.dims[i].value);
    }
  }
  if (!ks) return fromW;
  if (ks->ints.size() != spatial)
    return invalidAttr(ctx, "kernel_shape",
                       "has " + std::to_string(ks->ints.size()) + " entries but the weight " + w.str() + " has " +
                           std::to_string(spatial) + " spatial dims");
  if (!fromW.empty() && fromW != ks->ints)
    return invalidAttr(ctx, "kernel_shape", "disagrees with the weight " + w.str());
  for (auto k : ks->ints)
    if (k < 1) return invalidAttr(ctx, "kernel_shape", "entries must be >= 1");
  return ks->ints;
}

// Common front part of Conv and ConvTranspose: input and weight shapes with matching ranks.
Expected<std::size_t> convRank(const InferContext& ctx) {
  if (!has(ctx, 0) || !has(ctx, 1)) return invalid(ctx, "needs inputs X and W");
  const auto& x = *shapeOf(ctx, 0);
  const auto& w = *shapeOf(ctx, 1);
  if (x.rankKnown && x.rank() < 3) return invalid(ctx, "input X must have rank >= 3, got " + x.str());
  if (x.rankKnown && w.rankKnown && x.rank() != w.rank())
    return invalid(ctx, "X " + x.str() + " and W " + w.str() + " differ in rank");
  if (x.rankKnown) return x.rank();
  if (w.rankKnown) return w.rank();
  if (const auto* ks = ctx.node.attrs.find("kernel_shape")) return ks->ints.size() + 2;
  return std::size_t{0};
}

} // namespace

Status inferConv(InferContext& ctx) {
  GS_ASSIGN_OR_RETURN(auto rank, convRank(ctx));
  const auto dtype = dtypeOf(ctx, 0);
  if (rank == 0) {
    setOutput(ctx, 0, dtype, ir::Shape::unknownRank());
    return ok();
  }
  const auto& x = *shapeOf(ctx, 0);
  const auto& w = *shapeOf(ctx, 1);
  const std::size_t spatial = rank - 2;
  GS_ASSIGN_OR_RETURN(auto g, readGeometry(ctx, spatial, true));
  GS_ASSIGN_OR_RETURN(g.kernel, kernelOf(ctx, w, spatial));
  const auto group = ctx.node.attrs.getInt("group", 1);
  if (group < 1) return invalidAttr(ctx, "group", "must be >= 1");
  ir::Dim m = w.rankKnown ? w.dims[0] : freshDim(ctx);
  if (x.rankKnown && w.rankKnown && x.dims[1].isKnown() && w.dims[1].isKnown() &&
      x.dims[1].value != w.dims[1].value * group)
    return invalidAttr(ctx, "group",
                       "input channels " + std::to_string(x.dims[1].value) + " != weight channels " +
                           std::to_string(w.dims[1].value) + " x group " + std::to_string(group));
  if (m.isKnown() && m.value % group != 0)
    return invalidAttr(ctx, "group", std::to_string(m.value) + " output channels are not divisible by the group");
  std::vector<ir::Dim> out{x.rankKnown ? x.dims[0] : freshDim(ctx), m};
  for (std::size_t i = 0; i < spatial; ++i) {
    GS_ASSIGN_OR_RETURN(auto d, spatialOut(ctx, x.rankKnown ? x.dims[i + 2] : ir::Dim::unknown(), g, i, false));
    out.push_back(d);
  }
  // Bias [M]; FusedConv's residual Z (input 3) has the output's shape.
  const bool fusedAdd = ir::gsop::hasResidual(ctx.node);
  if (const auto* b = shapeOf(ctx, 2); b && b->rankKnown) {
    if (b->rank() != 1) return invalid(ctx, "bias must be 1-D, got " + b->str());
    GS_ASSIGN_OR_RETURN(out[1], unifyDims(ctx, out[1], b->dims[0], "bias length and output channels"));
  }
  ir::Shape shape(std::move(out));
  if (fusedAdd) {
    const auto& z = *shapeOf(ctx, 3);
    if (z.rankKnown) {
      if (z.rank() != shape.rank())
        return invalid(ctx, "residual Z " + z.str() + " does not match the output " + shape.str());
      for (std::size_t i = 0; i < z.rank(); ++i) {
        auto d = unifyDims(ctx, shape.dims[i], z.dims[i], "residual and output");
        if (!d) return invalid(ctx, "residual Z " + z.str() + " does not match the output " + shape.str());
        shape.dims[i] = *d;
      }
    }
  }
  setOutput(ctx, 0, dtype, std::move(shape));
  return ok();
}

Status inferConvTranspose(InferContext& ctx) {
  GS_ASSIGN_OR_RETURN(auto rank, convRank(ctx));
  const auto dtype = dtypeOf(ctx, 0);
  if (rank == 0) {
    setOutput(ctx, 0, dtype, ir::Shape::unknownRank());
    return ok();
  }
  const auto& x = *shapeOf(ctx, 0);
  const auto& w = *shapeOf(ctx, 1);
  const std::size_t spatial = rank - 2;
  GS_ASSIGN_OR_RETURN(auto g, readGeometry(ctx, spatial, true));
  GS_ASSIGN_OR_RETURN(g.kernel, kernelOf(ctx, w, spatial));
  const auto group = ctx.node.attrs.getInt("group", 1);
  if (group < 1) return invalidAttr(ctx, "group", "must be >= 1");
  if (x.rankKnown && w.rankKnown && x.dims[1].isKnown() && w.dims[0].isKnown() && x.dims[1].value != w.dims[0].value)
    return invalid(ctx, "input channels " + std::to_string(x.dims[1].value) + " != weight dim 0 " +
                            std::to_string(w.dims[0].value));
  const auto outPad = ctx.node.attrs.getInts("output_padding", std::vector<int64_t>(spatial, 0));
  if (outPad.size() != spatial) return invalidAttr(ctx, "output_padding", "needs one entry per spatial dim");
  ir::Dim m = w.rankKnown && w.dims[1].isKnown() ? ir::Dim::known(w.dims[1].value * group) : freshDim(ctx);
  std::vector<ir::Dim> out{x.rankKnown ? x.dims[0] : freshDim(ctx), m};
  auto outputShape = ctx.node.attrs.getInts("output_shape");
  if (outputShape.size() == spatial + 2) outputShape.erase(outputShape.begin(), outputShape.begin() + 2);
  if (!outputShape.empty() && outputShape.size() != spatial)
    return invalidAttr(ctx, "output_shape", "needs one entry per spatial dim");
  for (std::size_t i = 0; i < spatial; ++i) {
    if (!outputShape.empty()) {
      out.push_back(ir::Dim::known(outputShape[i]));
      continue;
    }
    const auto& in = x.rankKnown ? x.dims[i + 2] : ir::Dim::unknown();
    if (!in.isKnown() || g.kernel.empty()) {
      out.push_back(freshDim(ctx));
      continue;
    }
    const int64_t s = g.strides[i];
    int64_t v = 0;
    if (g.autoPad == "SAME_UPPER" || g.autoPad == "SAME_LOWER") {
      v = in.value * s;
    } else {
      const int64_t pads = g.autoPad == "VALID" ? 0 : g.pads[i] + g.pads[i + spatial];
      v = s * (in.value - 1) + outPad[i] + (g.kernel[i] - 1) * g.dilations[i] + 1 - pads;
    }
    if (v <= 0) return invalid(ctx, "output size would be " + std::to_string(v));
    out.push_back(ir::Dim::known(v));
  }
  setOutput(ctx, 0, dtype, ir::Shape(std::move(out)));
  return ok();
}

Status inferPool(InferContext& ctx) {
  if (!has(ctx, 0)) return invalid(ctx, "input X is missing");
  const auto& x = *shapeOf(ctx, 0);
  const auto dtype = dtypeOf(ctx, 0);
  const auto* ks = ctx.node.attrs.find("kernel_shape");
  if (!ks) return invalidAttr(ctx, "kernel_shape", "is required");
  const std::string_view op = ir::gsop::baseOpOf(ctx.node);
  const bool isMax = op == "MaxPool";
  if (!x.rankKnown) {
    setOutput(ctx, 0, dtype, freshShape(ctx, ks->ints.size() + 2));
    if (isMax) setOutput(ctx, 1, ir::DataType::Int64, freshShape(ctx, ks->ints.size() + 2));
    return ok();
  }
  if (x.rank() < 3) return invalid(ctx, "input X must have rank >= 3, got " + x.str());
  const std::size_t spatial = x.rank() - 2;
  if (ks->ints.size() != spatial)
    return invalidAttr(ctx, "kernel_shape", "has " + std::to_string(ks->ints.size()) + " entries for input " + x.str());
  for (auto k : ks->ints)
    if (k < 1) return invalidAttr(ctx, "kernel_shape", "entries must be >= 1");
  const bool dil = (isMax && ctx.opset >= 10) || (op == "AveragePool" && ctx.opset >= 19) || op == "LpPool";
  GS_ASSIGN_OR_RETURN(auto g, readGeometry(ctx, spatial, dil));
  g.kernel = ks->ints;
  const auto ceilMode = ctx.node.attrs.getInt("ceil_mode", 0);
  if (ceilMode != 0 && ceilMode != 1) return invalidAttr(ctx, "ceil_mode", "must be 0 or 1");
  if (isMax) {
    const auto order = ctx.node.attrs.getInt("storage_order", 0);
    if (order != 0 && order != 1) return invalidAttr(ctx, "storage_order", "must be 0 or 1");
  }
  std::vector<ir::Dim> out{x.dims[0], x.dims[1]};
  for (std::size_t i = 0; i < spatial; ++i) {
    GS_ASSIGN_OR_RETURN(auto d, spatialOut(ctx, x.dims[i + 2], g, i, ceilMode == 1));
    out.push_back(d);
  }
  ir::Shape shape(std::move(out));
  if (isMax) setOutput(ctx, 1, ir::DataType::Int64, shape);
  setOutput(ctx, 0, dtype, std::move(shape));
  return ok();
}

Status inferGlobalPool(InferContext& ctx) {
  if (!has(ctx, 0)) return invalid(ctx, "input X is missing");
  const auto& x = *shapeOf(ctx, 0);
  if (!x.rankKnown) {
    setOutput(ctx, 0, dtypeOf(ctx, 0), ir::Shape::unknownRank());
    return ok();
  }
  if (x.rank() < 2) return invalid(ctx, "input X must have rank >= 2, got " + x.str());
  auto out = x.dims;
  for (std::size_t i = 2; i < out.size(); ++i)
    out[i] = ir::Dim::known(1);
  setOutput(ctx, 0, dtypeOf(ctx, 0), ir::Shape(std::move(out)));
  return ok();
}

} // namespace gs::ops
