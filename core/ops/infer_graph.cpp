// inferGraph: runs the shape functions over a graph in topological order, merges the results into
// the values' declared shapes, carries propagated values (shape arithmetic) from node to node, and
// recurses into If/Loop/Scan bodies with the input types their node gives them.
#include <algorithm>

#include "core/ops/control_flow.h"
#include "core/ops/registry.h"

namespace gs::ops {

namespace {

using KnownValues = std::vector<std::optional<ir::Tensor>>;

struct Scope {
  const ir::Graph* graph = nullptr;
  const KnownValues* known = nullptr;
  const Scope* parent = nullptr;
};

std::string nodeLabel(const ir::Node& n) { return "node '" + n.name + "' (" + n.opType + ")"; }

bool isGenerated(const ir::Dim& d) { return d.symbol.rfind("unk__", 0) == 0; }

void reserveSymbols(const ir::Graph& g, SymbolFactory& f) {
  for (const auto& v : g.values)
    for (const auto& d : v.shape.dims)
      if (d.isSymbolic()) f.reserve(d.symbol);
  for (const auto& n : g.nodes)
    for (const auto& [name, a] : n.attrs) {
      if (a.g) reserveSymbols(*a.g, f);
      for (const auto& sg : a.graphs)
        if (sg) reserveSymbols(*sg, f);
    }
}

// An enclosing value by name, with its known data (nullptr when none).
const ir::Value* lookup(const Scope* s, const std::string& name, const ir::Tensor** value) {
  for (; s; s = s->parent) {
    const auto id = s->graph->findValue(name);
    if (id == ir::kNone) continue;
    const auto& v = s->graph->values[static_cast<std::size_t>(id)];
    if (v.outerScope) continue; // the enclosing graph only refers further out
    const auto& k = (*s->known)[static_cast<std::size_t>(id)];
    *value = k ? &*k : nullptr;
    return &v;
  }
  return nullptr;
}

class Inferrer {
public:
  Inferrer(int64_t opset, const GraphInferOptions& options) : m_opset(opset), m_options(options) {}

  SymbolFactory& symbols() { return m_symbols; }

  Status run(ir::Graph& g, KnownValues& known, const Scope* parent, const std::string& where);

private:
  Status inferBodies(ir::Node& node, InferContext& ctx, const Scope& scope, const std::string& where);
  Expected<std::shared_ptr<ir::Graph>> inferBody(const ir::Graph& original, const std::vector<BodyInput>& types,
                                                 const Scope& scope, const std::string& where);
  Status requireStatic(const ir::Graph& g, const std::vector<ir::NodeId>& order) const;

  int64_t m_opset;
  const GraphInferOptions& m_options;
  SymbolFactory m_symbols;
};

Expected<std::shared_ptr<ir::Graph>> Inferrer::inferBody(const ir::Graph& original, const std::vector<BodyInput>& types,
                                                         const Scope& scope, const std::string& where) {
  auto body = std::make_shared<ir::Graph>(original);
  for (std::size_t i = 0; i < types.size() && i < body->inputs.size(); ++i) {
    auto& v = body->values[static_cast<std::size_t>(body->inputs[i])];
    if (types[i].dtype != ir::DataType::Undefined) v.dtype = types[i].dtype;
    if (types[i].shape.rankKnown) v.shape = types[i].shape;
  }
  KnownValues known;
  GS_RETURN_IF_ERROR(run(*body, known, &scope, where));
  return body;
}

Status Inferrer::inferBodies(ir::Node& node, InferContext& ctx, const Scope& scope, const std::string& where) {
  for (auto& [name, attr] : node.attrs) {
    if (attr.kind != ir::Attribute::Kind::Graph || !attr.g) continue;
    const std::string bodyWhere = where + nodeLabel(node) + "/" + name + ": ";
    GS_ASSIGN_OR_RETURN(auto types, bodyInputTypes(ctx, name));
    GS_ASSIGN_OR_RETURN(auto body, inferBody(*attr.g, types, scope, bodyWhere));
    // Loop-carried values may change shape between iterations: where an output differs from its
    // input, widen the input to the join of both and infer the body once more.
    if (node.opType == "Loop" && types.size() >= 2) {
      bool changed = false;
      for (std::size_t i = 2; i < types.size() && i - 1 < body->outputs.size(); ++i) {
        const auto& out = body->values[static_cast<std::size_t>(body->outputs[i - 1])].shape;
        auto& in = types[i].shape;
        if (out == in) continue;
        changed = true;
        if (!out.rankKnown || !in.rankKnown || out.rank() != in.rank()) {
          in = ir::Shape::unknownRank();
          continue;
        }
        for (std::size_t k = 0; k < in.rank(); ++k)
          if (!(in.dims[k] == out.dims[k])) in.dims[k] = ir::Dim::symbolic(m_symbols.next());
      }
      if (changed) {
        auto widened = std::make_shared<ir::Graph>(*attr.g);
        for (std::size_t i = 0; i < types.size() && i < widened->inputs.size(); ++i) {
          // Reset the declared input shape so that the widened one is used even when unknown.
          widened->values[static_cast<std::size_t>(widened->inputs[i])].shape = types[i].shape;
        }
        GS_ASSIGN_OR_RETURN(body, inferBody(*widened, types, scope, bodyWhere));
      }
    }
    attr.g = std::move(body);
  }
  return ok();
}

Status Inferrer::requireStatic(const ir::Graph& g, const std::vector<ir::NodeId>& order) const {
  for (auto id : g.inputs) {
    const auto& v = g.values[static_cast<std::size_t>(id)];
    if (!v.shape.isStatic())
      return makeError(codes::kInvalid, "graph input '" + v.name + "' is not static: " + v.shape.str());
  }
  for (auto nid : order) {
    const auto& n = g.nodes[static_cast<std::size_t>(nid)];
    for (auto id : n.outputs) {
      if (id == ir::kNone) continue;
      const auto& v = g.values[static_cast<std::size_t>(id)];
      if (!v.shape.isStatic())
        return makeError(codes::kInvalid,
                         "value '" + v.name + "' produced by " + nodeLabel(n) + " is not static: " + v.shape.str());
    }
  }
  return ok();
}

Status Inferrer::run(ir::Graph& g, KnownValues& known, const Scope* parent, const std::string& where) {
  known.assign(g.values.size(), std::nullopt);
  for (std::size_t i = 0; i < g.values.size(); ++i) {
    auto& v = g.values[i];
    if (v.constant) known[i] = *v.constant;
    if (v.outerScope && parent) {
      const ir::Tensor* value = nullptr;
      if (const auto* outer = lookup(parent, v.name, &value)) {
        if (outer->dtype != ir::DataType::Undefined) v.dtype = outer->dtype;
        if (outer->shape.rankKnown) v.shape = outer->shape;
        if (value) known[i] = *value;
      }
    }
  }
  auto orderOr = g.topoOrder();
  if (!orderOr) return std::unexpected(withContext(orderOr.error(), where.empty() ? "shape inference" : where));
  const auto& order = *orderOr;
  const Scope scope{&g, &known, parent};
  std::vector<std::optional<ShapeData>> shapeData(g.values.size());
  std::vector<InputInfo> inputs;
  std::vector<OutputInfo> outputs;
  for (auto nid : order) {
    auto& node = g.nodes[static_cast<std::size_t>(nid)];
    inputs.clear();
    for (auto id : node.inputs) {
      if (id == ir::kNone) {
        inputs.push_back(InputInfo{});
        continue;
      }
      const auto& v = g.values[static_cast<std::size_t>(id)];
      const auto& k = known[static_cast<std::size_t>(id)];
      const auto& d = shapeData[static_cast<std::size_t>(id)];
      inputs.push_back(InputInfo{v.dtype, &v.shape, k ? &*k : nullptr, !k && d ? &*d : nullptr});
    }
    outputs.assign(node.outputs.size(), OutputInfo{});
    InferContext ctx{node, m_opset, inputs, outputs, &m_symbols, m_options.maxPropagatedElements};
    const auto* op = findOp(node.domain, node.opType, m_opset);
    if (!op) {
      if (m_options.allowUnknownOps) continue;
      const std::string dom = node.domain.empty() ? "ai.onnx" : node.domain;
      return makeError(codes::kUnsupported, where + nodeLabel(node) + ": op type '" + node.opType + "' (domain " + dom +
                                                ", opset " + std::to_string(m_opset) + ") is not supported");
    }
    GS_RETURN_IF_ERROR(inferBodies(node, ctx, scope, where));
    if (auto st = inferNodeWith(*op, ctx); !st) {
      auto e = st.error();
      if (!where.empty()) e.message = where + e.message;
      return std::unexpected(std::move(e));
    }
    for (std::size_t k = 0; k < node.outputs.size(); ++k) {
      const auto id = node.outputs[k];
      if (id == ir::kNone) continue;
      auto& v = g.values[static_cast<std::size_t>(id)];
      auto& out = outputs[k];
      if (out.dtype != ir::DataType::Undefined) v.dtype = out.dtype;
      if (m_options.keepDeclaredShapes) {
        GS_ASSIGN_OR_RETURN(v.shape,
                            mergeShapes(v.shape, out.shape, where + nodeLabel(node) + ", output '" + v.name + "'"));
      } else {
        v.shape = std::move(out.shape);
      }
      // Constant nodes always give their value; other values only with data propagation on.
      if (out.value && (m_options.propagateData || node.opType == "Constant"))
        known[static_cast<std::size_t>(id)] = std::move(out.value);
      if (out.shapeData && m_options.propagateData) shapeData[static_cast<std::size_t>(id)] = std::move(out.shapeData);
    }
  }
  if (m_options.requireStatic && !parent) GS_RETURN_IF_ERROR(requireStatic(g, order));
  return ok();
}

} // namespace

Expected<ir::Shape> mergeShapes(const ir::Shape& declared, const ir::Shape& inferred, const std::string& where) {
  if (!inferred.rankKnown) return declared;
  if (!declared.rankKnown) return inferred;
  auto conflict = [&]() {
    return makeError(codes::kInvalid,
                     where + ": inferred shape " + inferred.str() + " conflicts with declared shape " + declared.str());
  };
  if (declared.rank() != inferred.rank()) return conflict();
  ir::Shape out = inferred;
  for (std::size_t i = 0; i < out.rank(); ++i) {
    const auto& a = declared.dims[i];
    const auto& b = inferred.dims[i];
    if (a.isKnown() && b.isKnown()) {
      if (a.value != b.value) return conflict();
    } else if (b.isKnown()) {
      out.dims[i] = b;
    } else if (a.isKnown()) {
      out.dims[i] = a;
    } else if (b.isSymbolic() && !isGenerated(b)) {
      out.dims[i] = b;
    } else if (a.isSymbolic()) {
      out.dims[i] = a;
    }
  }
  return out;
}

Status inferGraph(ir::Graph& g, int64_t opset, const GraphInferOptions& options,
                  std::vector<std::optional<ir::Tensor>>* knownValues) {
  Inferrer inferrer(opset, options);
  reserveSymbols(g, inferrer.symbols());
  KnownValues known;
  GS_RETURN_IF_ERROR(inferrer.run(g, known, nullptr, ""));
  if (knownValues) *knownValues = std::move(known);
  return ok();
}

} // namespace gs::ops
