// Shared helpers for the passes.
#include "core/compiler/passes/graph_helpers.h"

namespace gs::compiler::helpers {

std::vector<int32_t> useCounts(const ir::Graph& g) {
  std::vector<int32_t> uses(g.values.size(), 0);
  for (const auto& n : g.nodes)
    for (auto in : n.inputs)
      if (in != ir::kNone) ++uses[in];
  for (auto o : g.outputs)
    ++uses[o];
  return uses;
}

const ir::Tensor* constantOf(const ir::Graph& g, ir::ValueId v) {
  if (v == ir::kNone || v < 0 || v >= static_cast<ir::ValueId>(g.values.size())) return nullptr;
  const auto& val = g.values[v];
  return val.constant ? &*val.constant : nullptr;
}

std::optional<std::vector<float>> floatsOf(const ir::Tensor& t) {
  if (ir::dtypeSize(t.dtype) == 0 || t.dtype == ir::DataType::Float16 || t.dtype == ir::DataType::BFloat16 ||
      t.dtype == ir::DataType::Complex64 || t.dtype == ir::DataType::Complex128)
    return std::nullopt;
  if (t.numel() > 0 && !t.data()) return std::nullopt;
  return t.toVector<float>();
}

std::optional<double> scalarOf(const ir::Graph& g, ir::ValueId v) {
  const auto* t = constantOf(g, v);
  if (!t || t->numel() != 1) return std::nullopt;
  auto f = t->toVector<double>();
  if (f.size() != 1) return std::nullopt;
  return f[0];
}

ir::ValueId addFloatConstant(ir::Graph& g, const std::string& base, std::vector<float> data,
                             std::vector<int64_t> dims) {
  return g.addConstant(g.uniqueName(base), ir::Tensor::fromVector<float>(data, std::move(dims)));
}

ir::NodeId producerOf(const ir::Graph& g, ir::ValueId v) {
  if (v == ir::kNone) return ir::kNone;
  return g.values[v].producer;
}

std::optional<std::vector<float>> perChannel(const ir::Tensor& t, int64_t channels, std::size_t outRank) {
  if (t.dtype != ir::DataType::Float32 || outRank < 2) return std::nullopt;
  const auto n = t.numel();
  if (t.dims.size() > outRank) return std::nullopt;
  if (n == 1) return std::vector<float>(static_cast<std::size_t>(channels), t.toVector<float>()[0]);
  if (n != channels) return std::nullopt;
  // Right-align the constant's dims against [N, C, spatial...]: the non-1 dim must land on C.
  const auto offset = outRank - t.dims.size();
  for (std::size_t i = 0; i < t.dims.size(); ++i) {
    const auto axis = offset + i;
    if (t.dims[i] != 1 && axis != 1) return std::nullopt;
  }
  return t.toVector<float>();
}

void bypass(ir::Graph& g, ir::ValueId from, ir::ValueId to) { g.replaceUses(from, to); }

void compact(ir::Graph& g, const std::vector<bool>& dead) {
  g.removeNodes(dead);
  g.removeUnusedValues();
}

} // namespace gs::compiler::helpers

namespace gs::compiler::helpers {

void absorbNode(ir::Graph& g, std::size_t i, ir::ValueId x, std::vector<bool>& dead) {
  const auto y = g.nodes[i].outputs[0];
  g.nodes[i].outputs[0] = ir::kNone;
  takeOverOutput(g, x, y);
  dead[i] = true;
}

void takeOverOutput(ir::Graph& g, ir::ValueId from, ir::ValueId into) {
  const auto p = g.values[from].producer;
  if (p == ir::kNone) return;
  for (auto& o : g.nodes[p].outputs)
    if (o == from) o = into;
  g.values[from].producer = ir::kNone;
  g.values[into].producer = p;
}

bool forwardValue(ir::Graph& g, ir::ValueId in, ir::ValueId out, const std::vector<int32_t>& uses) {
  if (!g.isGraphOutput(out)) {
    g.replaceUses(out, in);
    return true;
  }
  const auto p = g.values[in].producer;
  if (p == ir::kNone || g.isGraphOutput(in) || uses[in] != 1) return false;
  // The pass-through node must stop producing `out` before the producer of `in` takes it over.
  const auto self = g.values[out].producer;
  if (self != ir::kNone)
    for (auto& o : g.nodes[self].outputs)
      if (o == out) o = ir::kNone;
  takeOverOutput(g, in, out);
  return true;
}

} // namespace gs::compiler::helpers

#include <set>

namespace gs::compiler::helpers {

namespace {
void collectOuter(const ir::Graph& g, std::set<std::string>& names) {
  for (const auto& v : g.values)
    if (v.outerScope) names.insert(v.name);
  for (const auto& n : g.nodes)
    for (const auto& [an, a] : n.attrs) {
      if (a.g) collectOuter(*a.g, names);
      for (const auto& sg : a.graphs)
        if (sg) collectOuter(*sg, names);
    }
}
} // namespace

std::vector<std::string> outerScopeReads(const ir::Node& n) {
  std::set<std::string> names;
  for (const auto& [an, a] : n.attrs) {
    if (a.g) collectOuter(*a.g, names);
    for (const auto& sg : a.graphs)
      if (sg) collectOuter(*sg, names);
  }
  return {names.begin(), names.end()};
}

} // namespace gs::compiler::helpers
