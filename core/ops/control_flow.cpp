// Shape functions of If, Loop and Scan, and the types their bodies' inputs get from the node's inputs.
// inferGraph infers each body (with those input types) before the node, so the shape functions here
// read the bodies' output values. Loop scan outputs have a data-dependent length (a fresh symbol).
#include "core/ops/control_flow.h"

#include "core/ops/op_util.h"
#include "core/ops/shape_fns.h"

namespace gs::ops {

using namespace util;

namespace {

// The join of two shapes a value may take (If branches, Loop iterations): equal dims survive.
ir::Shape joinShapes(const InferContext& ctx, const ir::Shape& a, const ir::Shape& b) {
  if (!a.rankKnown || !b.rankKnown || a.rank() != b.rank()) return ir::Shape::unknownRank();
  std::vector<ir::Dim> out;
  for (std::size_t i = 0; i < a.rank(); ++i)
    out.push_back(a.dims[i] == b.dims[i] && (a.dims[i].isKnown() || a.dims[i].isSymbolic()) ? a.dims[i]
                                                                                            : freshDim(ctx));
  return ir::Shape(std::move(out));
}

Expected<const ir::Graph*> bodyOf(const InferContext& ctx, const char* attr) {
  const auto* a = ctx.node.attrs.find(attr);
  if (!a || !a->g) return invalidAttr(ctx, attr, "subgraph is required");
  return a->g.get();
}

struct ScanLayout {
  std::size_t first = 0;  // index of the first state input
  std::size_t states = 0; // N
  std::size_t scans = 0;  // M
  bool batched = false;   // Scan-8: a leading batch dim on every input and output
};

Expected<ScanLayout> scanLayout(const InferContext& ctx) {
  const auto* m = ctx.node.attrs.find("num_scan_inputs");
  if (!m) return invalidAttr(ctx, "num_scan_inputs", "is required");
  ScanLayout l;
  l.batched = ctx.opset < 9;
  l.first = l.batched ? 1 : 0;
  if (m->i < 1 || static_cast<std::size_t>(m->i) + l.first > ctx.inputs.size())
    return invalidAttr(ctx, "num_scan_inputs", "is out of range for " + std::to_string(ctx.inputs.size()) + " inputs");
  l.scans = static_cast<std::size_t>(m->i);
  l.states = ctx.inputs.size() - l.first - l.scans;
  return l;
}

// Scan axis of scan input (or output) i, normalised against rank.
Expected<int64_t> scanAxis(const InferContext& ctx, const char* attr, std::size_t i, int64_t rank) {
  const auto axes = ctx.node.attrs.getInts(attr);
  const int64_t a = i < axes.size() ? axes[i] : 0;
  return normalizeAxis(ctx, attr, a, rank);
}

// True when the Loop body's condition output is its condition input (directly or through Identity).
bool passesConditionThrough(const ir::Graph& body) {
  const auto condIn = body.inputs[1];
  auto v = body.outputs[0];
  for (int hops = 0; hops < 4; ++hops) {
    if (v == condIn) return true;
    const auto p = body.values[static_cast<std::size_t>(v)].producer;
    if (p == ir::kNone) return false;
    const auto& n = body.nodes[static_cast<std::size_t>(p)];
    if (n.opType != "Identity" || n.inputs.empty()) return false;
    v = n.inputs[0];
  }
  return false;
}

} // namespace

Expected<std::vector<BodyInput>> bodyInputTypes(const InferContext& ctx, std::string_view attr) {
  std::vector<BodyInput> out;
  const std::string_view op = ctx.node.opType;
  auto inputType = [&](std::size_t i) {
    const auto* s = shapeOf(ctx, i);
    return BodyInput{dtypeOf(ctx, i), s ? *s : ir::Shape::unknownRank()};
  };
  if (op == "Loop" && attr == "body") {
    out.push_back({ir::DataType::Int64, ir::Shape()});
    out.push_back({ir::DataType::Bool, ir::Shape()});
    for (std::size_t i = 2; i < ctx.inputs.size(); ++i)
      out.push_back(inputType(i));
  } else if (op == "Scan" && attr == "body") {
    GS_ASSIGN_OR_RETURN(auto l, scanLayout(ctx));
    const std::size_t drop = l.batched ? 1 : 0;
    for (std::size_t i = 0; i < l.states; ++i) {
      auto t = inputType(l.first + i);
      if (drop && t.shape.rankKnown && t.shape.rank() >= 1) t.shape.dims.erase(t.shape.dims.begin());
      out.push_back(std::move(t));
    }
    for (std::size_t k = 0; k < l.scans; ++k) {
      auto t = inputType(l.first + l.states + k);
      if (t.shape.rankKnown) {
        if (l.batched) {
          if (t.shape.rank() < 2)
            return invalid(ctx, "scan input " + std::to_string(k) + " needs batch and sequence dims");
          t.shape.dims.erase(t.shape.dims.begin(), t.shape.dims.begin() + 2);
        } else {
          GS_ASSIGN_OR_RETURN(auto axis, scanAxis(ctx, "scan_input_axes", k, static_cast<int64_t>(t.shape.rank())));
          t.shape.dims.erase(t.shape.dims.begin() + axis);
        }
      }
      out.push_back(std::move(t));
    }
  }
  return out; // If branches take no inputs
}

Status inferIf(InferContext& ctx) {
  if (!has(ctx, 0)) return invalid(ctx, "input cond is missing");
  GS_ASSIGN_OR_RETURN(const auto* thenG, bodyOf(ctx, "then_branch"));
  GS_ASSIGN_OR_RETURN(const auto* elseG, bodyOf(ctx, "else_branch"));
  const auto n = ctx.outputs.size();
  if (thenG->outputs.size() != n || elseG->outputs.size() != n)
    return invalid(ctx, "branches must each have " + std::to_string(n) + " outputs");
  // A known condition picks its branch outright.
  const auto cond = intScalarOf(ctx, 0);
  for (std::size_t i = 0; i < n; ++i) {
    const auto& t = thenG->values[static_cast<std::size_t>(thenG->outputs[i])];
    const auto& e = elseG->values[static_cast<std::size_t>(elseG->outputs[i])];
    if (t.dtype != ir::DataType::Undefined && e.dtype != ir::DataType::Undefined && t.dtype != e.dtype)
      return invalid(ctx, "branch output " + std::to_string(i) + " has different types in then and else");
    if (cond) {
      const auto& v = *cond ? t : e;
      setOutput(ctx, i, v.dtype, v.shape);
    } else {
      setOutput(ctx, i, t.dtype != ir::DataType::Undefined ? t.dtype : e.dtype, joinShapes(ctx, t.shape, e.shape));
    }
  }
  return ok();
}

Status inferLoop(InferContext& ctx) {
  GS_ASSIGN_OR_RETURN(const auto* body, bodyOf(ctx, "body"));
  if (ctx.inputs.size() < 2) return invalid(ctx, "needs inputs M and cond (either may be empty)");
  const std::size_t carried = ctx.inputs.size() - 2;
  if (body->inputs.size() != carried + 2)
    return invalid(ctx, "body has " + std::to_string(body->inputs.size()) + " inputs, expected " +
                            std::to_string(carried + 2));
  if (body->outputs.size() < carried + 1)
    return invalid(ctx, "body has too few outputs for " + std::to_string(carried) + " loop-carried values");
  const std::size_t scans = body->outputs.size() - 1 - carried;
  if (ctx.outputs.size() != carried + scans)
    return invalid(ctx, "has " + std::to_string(ctx.outputs.size()) + " outputs, expected " +
                            std::to_string(carried + scans));
  for (std::size_t i = 0; i < carried; ++i) {
    const auto& bo = body->values[static_cast<std::size_t>(body->outputs[1 + i])];
    const auto* in = shapeOf(ctx, 2 + i);
    const auto shape = in ? joinShapes(ctx, *in, bo.shape) : bo.shape;
    setOutput(ctx, i, dtypeOf(ctx, 2 + i) != ir::DataType::Undefined ? dtypeOf(ctx, 2 + i) : bo.dtype, shape);
  }
  // Scan outputs stack one slice per iteration: the count is data-dependent unless only M bounds the
  // loop (no condition, or a known true one that the body passes through unchanged).
  const auto tripCount = intScalarOf(ctx, 0);
  const auto cond = intScalarOf(ctx, 1);
  const bool onlyTripCount = tripCount && (!has(ctx, 1) || (cond && *cond != 0 && passesConditionThrough(*body)));
  for (std::size_t k = 0; k < scans; ++k) {
    const auto& bo = body->values[static_cast<std::size_t>(body->outputs[1 + carried + k])];
    if (!bo.shape.rankKnown) {
      setOutput(ctx, carried + k, bo.dtype, ir::Shape::unknownRank());
      continue;
    }
    auto dims = bo.shape.dims;
    dims.insert(dims.begin(), onlyTripCount ? ir::Dim::known(*tripCount) : freshDim(ctx));
    setOutput(ctx, carried + k, bo.dtype, ir::Shape(std::move(dims)));
  }
  return ok();
}

Status inferScan(InferContext& ctx) {
  GS_ASSIGN_OR_RETURN(const auto* body, bodyOf(ctx, "body"));
  GS_ASSIGN_OR_RETURN(auto l, scanLayout(ctx));
  if (body->inputs.size() != l.states + l.scans)
    return invalid(ctx, "body has " + std::to_string(body->inputs.size()) + " inputs, expected " +
                            std::to_string(l.states + l.scans));
  if (body->outputs.size() != ctx.outputs.size() || body->outputs.size() < l.states)
    return invalid(ctx, "body and node disagree on the number of outputs");
  // Sequence length (and batch, for Scan-8) from the first scan input.
  ir::Dim seq = freshDim(ctx), batch = freshDim(ctx);
  if (const auto* s0 = shapeOf(ctx, l.first + l.states); s0 && s0->rankKnown) {
    if (l.batched) {
      if (s0->rank() >= 2) {
        batch = s0->dims[0];
        seq = s0->dims[1];
      }
    } else {
      GS_ASSIGN_OR_RETURN(auto axis, scanAxis(ctx, "scan_input_axes", 0, static_cast<int64_t>(s0->rank())));
      seq = s0->dims[static_cast<std::size_t>(axis)];
    }
  }
  for (std::size_t i = 0; i < l.states; ++i) {
    const auto* in = shapeOf(ctx, l.first + i);
    setOutput(ctx, i, dtypeOf(ctx, l.first + i), in ? *in : ir::Shape::unknownRank());
  }
  for (std::size_t k = 0; k + l.states < body->outputs.size(); ++k) {
    const auto& bo = body->values[static_cast<std::size_t>(body->outputs[l.states + k])];
    if (!bo.shape.rankKnown) {
      setOutput(ctx, l.states + k, bo.dtype, ir::Shape::unknownRank());
      continue;
    }
    auto dims = bo.shape.dims;
    if (l.batched) {
      dims.insert(dims.begin(), seq);
      dims.insert(dims.begin(), batch);
    } else {
      GS_ASSIGN_OR_RETURN(auto axis, scanAxis(ctx, "scan_output_axes", k, static_cast<int64_t>(dims.size() + 1)));
      dims.insert(dims.begin() + axis, seq);
    }
    setOutput(ctx, l.states + k, bo.dtype, ir::Shape(std::move(dims)));
  }
  return ok();
}

} // namespace gs::ops
