// Constant folding: a node whose inputs are all constants computes the same thing on every run, so it
// runs once here. The op registry's shape function gives the output's dtype and shape and, for shape
// arithmetic, often the data itself; the small evaluator in constant_eval covers arithmetic on weights.
#include "core/compiler/passes/fold_constants.h"

#include <set>

#include "core/compiler/passes/constant_eval.h"
#include "core/compiler/passes/graph_helpers.h"
#include "core/ops/registry.h"

namespace gs::compiler::passes {

namespace {

bool nondeterministic(const std::string& op) {
  static const std::set<std::string> ops = {"RandomNormal",      "RandomUniform", "RandomNormalLike",
                                            "RandomUniformLike", "Multinomial",   "Bernoulli"};
  return ops.count(op) != 0;
}

bool hasSubgraph(const ir::Node& n) {
  for (const auto& [name, a] : n.attrs)
    if (a.g || !a.graphs.empty()) return true;
  return false;
}

// The output tensors of n when every one of them can be computed now.
std::optional<std::vector<ir::Tensor>> foldNode(const ir::Graph& g, const ir::Node& n, const PassContext& ctx,
                                                ops::SymbolFactory& symbols) {
  std::vector<ops::InputInfo> infos;
  std::vector<const ir::Tensor*> tensors;
  for (auto in : n.inputs) {
    if (in == ir::kNone) {
      infos.push_back({});
      continue;
    }
    const auto& v = g.values[in];
    if (!v.constant) return std::nullopt;
    infos.push_back({v.dtype, &v.shape, &*v.constant});
    tensors.push_back(&*v.constant);
  }
  std::vector<ops::OutputInfo> outs(n.outputs.size());
  ops::InferContext ictx{n, ctx.opset, infos, outs, &symbols};
  if (!ops::inferNode(ictx)) return std::nullopt;
  std::vector<ir::Tensor> result;
  for (std::size_t i = 0; i < n.outputs.size(); ++i) {
    if (n.outputs[i] == ir::kNone) {
      result.emplace_back();
      continue;
    }
    if (outs[i].value) {
      result.push_back(*outs[i].value);
      continue;
    }
    const auto dims = outs[i].shape.values();
    if (i != 0 || !dims || tensors.size() != n.inputs.size()) return std::nullopt;
    auto t = eval::evaluate(n, tensors, outs[i].dtype, *dims);
    if (!t) return std::nullopt;
    result.push_back(std::move(*t));
  }
  for (const auto& t : result)
    if (t.numel() > ctx.maxFoldElements) return std::nullopt;
  return result;
}

} // namespace

Expected<bool> foldConstants(ir::Graph& g, PassContext& ctx) {
  GS_ASSIGN_OR_RETURN(auto order, g.topoOrder());
  ops::SymbolFactory symbols;
  std::vector<bool> dead(g.nodes.size(), false);
  bool changed = false;
  for (auto id : order) {
    auto& n = g.nodes[id];
    if (n.inputs.empty() || nondeterministic(n.opType) || hasSubgraph(n)) continue;
    bool outputIsGraphOutput = false;
    for (auto o : n.outputs)
      if (o != ir::kNone && g.isGraphOutput(o)) outputIsGraphOutput = true;
    if (outputIsGraphOutput) continue;
    auto folded = foldNode(g, n, ctx, symbols);
    if (!folded) continue;
    for (std::size_t i = 0; i < n.outputs.size(); ++i) {
      const auto o = n.outputs[i];
      if (o == ir::kNone) continue;
      auto& v = g.values[o];
      auto& t = (*folded)[i];
      v.dtype = t.dtype;
      std::vector<ir::Dim> dims;
      for (auto d : t.dims)
        dims.push_back(ir::Dim::known(d));
      v.shape = ir::Shape(std::move(dims));
      v.constant = std::move(t);
      v.producer = ir::kNone;
      n.outputs[i] = ir::kNone;
    }
    dead[id] = true;
    changed = true;
    ctx.count("folded");
  }
  if (changed) helpers::compact(g, dead);
  return changed;
}

} // namespace gs::compiler::passes
