// Gives the graph this gear's input shapes and infers every value. For a gear every value must come
// out static, except outputs of ops whose output size depends on the data (NonZero, ..., or any op
// whose inputs are static but whose output shape is not, such as Range of a graph input), which the
// memory plan leaves out of the arena.
#include "core/compiler/passes/specialize_shapes.h"

#include <set>

#include "core/ops/registry.h"

namespace gs::compiler::passes {

namespace {

bool dataDependentOp(const ir::Node& n) {
  static const std::set<std::string> ops = {"NonZero", "NonMaxSuppression", "Unique", "Compress", "Loop", "If", "Scan"};
  return ops.count(n.opType) != 0;
}

} // namespace

Status checkOpsSupported(const ir::Graph& g, int64_t opset) {
  for (const auto& n : g.nodes)
    if (!ops::findOp(n.domain, n.opType, opset)) {
      const auto op = n.domain.empty() ? n.opType : n.domain + "::" + n.opType;
      return makeError(codes::kUnsupported,
                       "node '" + n.name + "': op '" + op + "' is not supported (opset " + std::to_string(opset) + ")");
    }
  return ok();
}

Expected<bool> specializeShapes(ir::Graph& g, PassContext& ctx) {
  GS_RETURN_IF_ERROR(checkOpsSupported(g, ctx.opset));
  for (const auto& [name, shape] : ctx.inputShapes) {
    const auto v = g.findValue(name);
    if (v == ir::kNone || !g.isGraphInput(v))
      return makeError("E10016", "input '" + name + "' of the shape configuration is not an input of the model");
    g.values[v].shape = shape;
  }
  ops::GraphInferOptions options;
  options.requireStatic = false; // checked below, so that data-dependent values are allowed
  options.propagateData = true;
  GS_RETURN_IF_ERROR(ops::inferGraph(g, ctx.opset, options, &ctx.knownValues));
  if (ctx.symbolic) return true;
  GS_ASSIGN_OR_RETURN(auto order, g.topoOrder());
  std::vector<bool> dependent(g.values.size(), false);
  int64_t dataDependent = 0;
  for (auto id : order) {
    const auto& n = g.nodes[id];
    bool dep = dataDependentOp(n);
    bool inputsStatic = true;
    for (auto in : n.inputs)
      if (in != ir::kNone) {
        if (dependent[in]) dep = true;
        inputsStatic = inputsStatic && g.values[in].shape.isStatic();
      }
    // Every input's shape is known but the output's is not: the output's size depends on input
    // values computed at run time (Range of a graph input, ConstantOfShape, Expand, Reshape ... of
    // computed shapes). Its kernel sizes the output when it runs.
    if (!dep && inputsStatic && !n.inputs.empty()) dep = true;
    for (auto o : n.outputs) {
      if (o == ir::kNone) continue;
      const auto& v = g.values[o];
      if (v.shape.isStatic()) continue;
      if (!dep)
        return makeError(codes::kInvalid, "value '" + v.name + "' (output of node '" + n.name + "', " + n.opType +
                                              ") has shape " + v.shape.str() +
                                              " in this gear; every value of a gear must be static");
      dependent[o] = true;
      ++dataDependent;
    }
  }
  if (dataDependent) ctx.count("data-dependent", dataDependent);
  return true;
}

} // namespace gs::compiler::passes
