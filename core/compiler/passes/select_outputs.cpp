// --out_nodes: ATC names outputs as "node_name:output_index"; for ONNX a plain tensor name works too.
#include "core/compiler/passes/select_outputs.h"

#include <charconv>

namespace gs::compiler::passes {

namespace {

// "node:1" -> the node's output 1; else a value of that name. kNone when nothing matches.
ir::ValueId resolve(const ir::Graph& g, const std::string& spec) {
  if (auto v = g.findValue(spec); v != ir::kNone) return v;
  const auto colon = spec.rfind(':');
  if (colon == std::string::npos) return ir::kNone;
  const auto nodeName = spec.substr(0, colon);
  int index = -1;
  const auto digits = std::string_view(spec).substr(colon + 1);
  auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), index);
  if (ec != std::errc() || p != digits.data() + digits.size() || index < 0) return ir::kNone;
  for (const auto& n : g.nodes)
    if (n.name == nodeName) return index < static_cast<int>(n.outputs.size()) ? n.outputs[index] : ir::kNone;
  return ir::kNone;
}

} // namespace

Expected<bool> selectOutputs(ir::Graph& g, PassContext& ctx) {
  if (ctx.outNodes.empty()) return false;
  std::vector<ir::ValueId> outs;
  for (const auto& spec : ctx.outNodes) {
    const auto v = resolve(g, spec);
    if (v == ir::kNone)
      return makeError("E10016",
                       "--out_nodes: '" + spec + "' is neither a node output (node:index) nor a tensor of the model");
    if (g.values[v].isConstant())
      return makeError("E10001", "--out_nodes: '" + spec + "' is a constant, not a computed tensor");
    outs.push_back(v);
  }
  const bool changed = outs != g.outputs;
  g.outputs = std::move(outs);
  ctx.count("outputs", static_cast<int64_t>(g.outputs.size()));
  return changed;
}

} // namespace gs::compiler::passes
