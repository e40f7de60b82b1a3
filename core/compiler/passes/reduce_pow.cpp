// Strength reduction of Pow with a constant exponent (see reduce_pow.h).
#include "core/compiler/passes/reduce_pow.h"

#include <array>
#include <optional>

#include "core/compiler/passes/graph_helpers.h"

namespace gs::compiler::passes {

namespace {

// One step of the replacement: op applied to (a, b) where operands name earlier results:
// -1 is x, k >= 0 the k-th step's result; b == -2: unary.
struct Step {
  const char* op;
  int a;
  int b;
};

struct Recipe {
  double exponent;
  const char* counter;
  std::array<Step, 2> steps;
  int count;
};

constexpr int kX = -1;
constexpr int kUnary = -2;
constexpr Recipe kRecipes[] = {
    {2.0, "square", {{{"Mul", kX, kX}, {}}}, 1},
    {3.0, "cube", {{{"Mul", kX, kX}, {"Mul", 0, kX}}}, 2},
    {4.0, "fourth", {{{"Mul", kX, kX}, {"Mul", 0, 0}}}, 2},
    {0.5, "sqrt", {{{"Sqrt", kX, kUnary}, {}}}, 1},
    {-1.0, "reciprocal", {{{"Reciprocal", kX, kUnary}, {}}}, 1},
    {-0.5, "rsqrt", {{{"Sqrt", kX, kUnary}, {"Reciprocal", 0, kUnary}}}, 2},
    {-2.0, "inverse-square", {{{"Mul", kX, kX}, {"Reciprocal", 0, kUnary}}}, 2},
};

const Recipe* recipeFor(const ir::Graph& g, const ir::Node& n) {
  if (!n.domain.empty() || n.opType != "Pow" || n.inputs.size() != 2 || n.outputs.size() != 1 ||
      n.outputs[0] == ir::kNone)
    return nullptr;
  const auto x = n.inputs[0];
  const auto* c = helpers::constantOf(g, n.inputs[1]);
  if (x == ir::kNone || !c || c->numel() != 1 || helpers::constantOf(g, x)) return nullptr;
  if (c->dtype != ir::DataType::Float32 && c->dtype != ir::DataType::Float64) return nullptr;
  const auto& xv = g.values[x];
  if (xv.dtype != ir::DataType::Float32 || !xv.shape.rankKnown || xv.shape.rank() < c->dims.size()) return nullptr;
  const auto e = helpers::scalarOf(g, n.inputs[1]);
  if (!e) return nullptr;
  for (const auto& r : kRecipes)
    if (r.exponent == *e) return &r;
  return nullptr;
}

} // namespace

Expected<bool> reducePow(ir::Graph& g, PassContext& ctx) {
  bool changed = false;
  const auto count = g.nodes.size(); // nodes added below are never Pow
  for (std::size_t i = 0; i < count; ++i) {
    const Recipe* r = recipeFor(g, g.nodes[i]);
    if (!r) continue;
    const auto x = g.nodes[i].inputs[0];
    const auto y = g.nodes[i].outputs[0];
    const std::string base = g.nodes[i].name.empty() ? std::string("pow") : g.nodes[i].name;
    std::vector<ir::ValueId> results;
    auto operand = [&](int k) { return k == kX ? x : results[static_cast<std::size_t>(k)]; };
    // Every step but the last writes a new intermediate value; the last one reuses node i.
    for (int s = 0; s + 1 < r->count; ++s) {
      const auto& step = r->steps[static_cast<std::size_t>(s)];
      ir::Node n;
      n.name = g.uniqueName(base + "/" + r->counter + std::to_string(s));
      n.opType = step.op;
      n.inputs = {operand(step.a)};
      if (step.b != kUnary) n.inputs.push_back(operand(step.b));
      const auto v = g.addValue(g.uniqueName(n.name + ":0"), g.values[x].dtype, g.values[x].shape);
      n.outputs = {v};
      g.addNode(std::move(n));
      results.push_back(v);
    }
    const auto& last = r->steps[static_cast<std::size_t>(r->count - 1)];
    auto& node = g.nodes[i]; // addNode may have reallocated: take the reference now
    node.opType = last.op;
    node.attrs = {};
    node.inputs = {operand(last.a)};
    if (last.b != kUnary) node.inputs.push_back(operand(last.b));
    node.outputs = {y};
    ctx.count(std::string("pow-") + r->counter);
    changed = true;
  }
  if (changed) {
    // The new nodes sit after their readers; later passes and the plan need producers first. The
    // exponent constants left unread go with the next dead-code pass.
    GS_RETURN_IF_ERROR(g.sortTopologically());
  }
  return changed;
}

} // namespace gs::compiler::passes
