// ONNX Constant nodes carry their tensor in an attribute; as constant values they fold and fuse like
// initializers.
#include "core/compiler/passes/constant_nodes.h"

namespace gs::compiler::passes {

namespace {

std::optional<ir::Tensor> tensorOf(const ir::Node& n) {
  if (const auto* t = n.attrs.getTensor("value")) return *t;
  if (const auto* a = n.attrs.find("value_float")) return ir::Tensor::scalar<float>(a->f);
  if (const auto* a = n.attrs.find("value_int")) return ir::Tensor::scalar<int64_t>(a->i);
  if (const auto* a = n.attrs.find("value_floats"))
    return ir::Tensor::fromVector<float>(a->floats, {static_cast<int64_t>(a->floats.size())});
  if (const auto* a = n.attrs.find("value_ints"))
    return ir::Tensor::fromVector<int64_t>(a->ints, {static_cast<int64_t>(a->ints.size())});
  return std::nullopt; // sparse_value / strings: left to the runtime
}

} // namespace

Expected<bool> constantNodes(ir::Graph& g, PassContext& ctx) {
  std::vector<bool> dead(g.nodes.size(), false);
  bool changed = false;
  for (std::size_t i = 0; i < g.nodes.size(); ++i) {
    auto& n = g.nodes[i];
    if (n.opType != "Constant" || !n.domain.empty() || n.outputs.size() != 1 || n.outputs[0] == ir::kNone) continue;
    auto t = tensorOf(n);
    if (!t) continue;
    auto& v = g.values[n.outputs[0]];
    v.dtype = t->dtype;
    std::vector<ir::Dim> dims;
    for (auto d : t->dims)
      dims.push_back(ir::Dim::known(d));
    v.shape = ir::Shape(std::move(dims));
    v.constant = std::move(*t);
    v.producer = ir::kNone;
    n.outputs[0] = ir::kNone;
    dead[i] = true;
    changed = true;
    ctx.count("converted");
  }
  if (changed) {
    g.removeNodes(dead);
    g.removeUnusedValues();
  }
  return changed;
}

} // namespace gs::compiler::passes
