// Graph conversion. Each graph is imported in phases so that every name it defines (inputs,
// initializers, Constant outputs, node outputs) is known before node inputs and subgraphs are
// resolved: a body may then read any value of an enclosing graph, which becomes an outer-scope
// value in the body (and in every graph between, so each graph lists what it captures).
#include "core/compiler/onnx/graph_import.h"

#include <unordered_map>

#include "core/common/log.h"
#include "core/compiler/onnx/attribute_import.h"
#include "core/compiler/onnx/value_type.h"

namespace gs::onnx_import {
namespace {

std::string nodeLabel(const onnx::NodeProto& n, int index) {
  const std::string op = n.domain().empty() ? n.op_type() : n.domain() + "." + n.op_type();
  if (n.name().empty()) return "node #" + std::to_string(index) + " (" + op + ")";
  return "node '" + n.name() + "' (" + op + ")";
}

class GraphImporter {
public:
  GraphImporter(ImportContext& ctx, GraphImporter* parent, int depth, ir::Graph& graph)
      : m_ctx(ctx), m_parent(parent), m_depth(depth), m_graph(graph) {}

  Status run(onnx::GraphProto& p) {
    m_graph.name = p.name();
    GS_RETURN_IF_ERROR(addInputs(p));
    GS_RETURN_IF_ERROR(addInitializers(p));
    GS_RETURN_IF_ERROR(declareNodeOutputs(p));
    GS_RETURN_IF_ERROR(applyValueInfos(p));
    GS_RETURN_IF_ERROR(addOutputs(p));
    return addNodes(p);
  }

  // The value `name` names in this graph; a value of an enclosing graph is added here as an
  // outer-scope value. kNone when no visible graph defines it.
  ir::ValueId lookup(const std::string& name) {
    const auto id = m_graph.findValue(name);
    if (id != ir::kNone || !m_parent) return id;
    const auto outer = m_parent->lookup(name);
    if (outer == ir::kNone) return ir::kNone;
    const auto& src = m_parent->m_graph.values[static_cast<std::size_t>(outer)];
    const auto local = m_graph.addValue(name, src.dtype, src.shape);
    m_graph.values[static_cast<std::size_t>(local)].outerScope = true;
    m_definedBy[name] = "the enclosing graph";
    return local;
  }

private:
  // Registers a name defined in this graph; a second definition is an error naming both.
  Status define(const std::string& name, const std::string& by) {
    if (name.empty()) return makeError(codes::kFormat, by + " defines a value with an empty name");
    auto [it, inserted] = m_definedBy.emplace(name, by);
    if (!inserted)
      return makeError(codes::kFormat, "value '" + name + "' is defined twice: by " + it->second + " and by " + by);
    return ok();
  }

  Status addInputs(const onnx::GraphProto& p) {
    for (const auto& in : p.input()) {
      GS_RETURN_IF_ERROR(define(in.name(), "graph input '" + in.name() + "'"));
      const auto id = m_graph.addValue(in.name());
      GS_RETURN_IF_ERROR(applyValueInfo(in, m_graph.values[static_cast<std::size_t>(id)], "input '" + in.name() + "'"));
      m_graph.inputs.push_back(id);
    }
    return ok();
  }

  // Initializers are constants. One that shares its name with a graph input turns that input into
  // a constant (see importer.h for why this holds for every ir_version).
  Status addInitializers(onnx::GraphProto& p) {
    if (p.sparse_initializer_size() > 0)
      return makeError(codes::kUnsupported, "sparse initializer '" + p.sparse_initializer(0).values().name() +
                                                "' is a sparse tensor, which GearStudio does not support");
    for (auto& init : *p.mutable_initializer()) {
      const std::string name = init.name();
      const auto existing = m_graph.findValue(name);
      const bool isInput = existing != ir::kNone && m_graph.isGraphInput(existing);
      if (!isInput) GS_RETURN_IF_ERROR(define(name, "initializer '" + name + "'"));
      GS_ASSIGN_OR_RETURN(auto tensor, takeTensorFromProto(init, m_ctx.external));
      if (!isInput) {
        m_graph.addConstant(name, std::move(tensor));
        continue;
      }
      if (m_definedBy[name] != "graph input '" + name + "'")
        return makeError(codes::kFormat, "initializer '" + name + "' is defined twice");
      m_definedBy[name] = "initializer '" + name + "'";
      auto& v = m_graph.values[static_cast<std::size_t>(existing)];
      v.dtype = tensor.dtype;
      v.shape = ir::Shape::fromValues(tensor.dims);
      v.constant = std::move(tensor);
      std::erase(m_graph.inputs, existing);
    }
    return ok();
  }

  // Constant nodes become constants; every other node's outputs become values without a producer
  // until addNodes() adds the node.
  Status declareNodeOutputs(onnx::GraphProto& p) {
    m_nodeOutputs.assign(static_cast<std::size_t>(p.node_size()), {});
    for (int i = 0; i < p.node_size(); ++i) {
      auto& n = *p.mutable_node(i);
      const auto label = nodeLabel(n, i);
      if (isConstantNode(n)) {
        if (n.output_size() != 1 || n.output(0).empty())
          return makeError(codes::kFormat, label + " must have exactly one output");
        GS_RETURN_IF_ERROR(define(n.output(0), label));
        auto tensor = constantNodeValue(n, label, m_ctx.external);
        if (!tensor) return std::unexpected(tensor.error());
        m_graph.addConstant(n.output(0), std::move(*tensor));
        continue;
      }
      auto& outs = m_nodeOutputs[static_cast<std::size_t>(i)];
      for (const auto& o : n.output()) {
        if (o.empty()) {
          outs.push_back(ir::kNone);
          continue;
        }
        GS_RETURN_IF_ERROR(define(o, label));
        outs.push_back(m_graph.addValue(o));
      }
    }
    return ok();
  }

  // value_info types the intermediates; entries for values this graph does not produce are ignored
  // (exporters often leave stale ones), but an unsupported type is still reported.
  Status applyValueInfos(const onnx::GraphProto& p) {
    for (const auto& info : p.value_info()) {
      const auto id = m_graph.findValue(info.name());
      if (id == ir::kNone) continue;
      auto& v = m_graph.values[static_cast<std::size_t>(id)];
      if (v.isConstant() || m_graph.isGraphInput(id)) continue;
      GS_RETURN_IF_ERROR(applyValueInfo(info, v, "value '" + info.name() + "'"));
    }
    return ok();
  }

  Status addOutputs(const onnx::GraphProto& p) {
    if (p.output_size() == 0) return makeError(codes::kFormat, "graph '" + p.name() + "' has no outputs");
    for (const auto& out : p.output()) {
      const auto id = out.name().empty() ? ir::kNone : lookup(out.name());
      if (id == ir::kNone)
        return makeError(codes::kFormat,
                         "graph output '" + out.name() + "' is not defined by any input, initializer or node");
      ir::Value probe = m_graph.values[static_cast<std::size_t>(id)];
      GS_RETURN_IF_ERROR(applyValueInfo(out, probe, "output '" + out.name() + "'"));
      auto& v = m_graph.values[static_cast<std::size_t>(id)];
      // The output's declared type fills in what the producer's value_info left open.
      if (!v.isConstant() && !m_graph.isGraphInput(id) && !v.outerScope) {
        if (v.dtype == ir::DataType::Undefined) v.dtype = probe.dtype;
        if (!v.shape.rankKnown) v.shape = probe.shape;
      }
      m_graph.outputs.push_back(id);
    }
    return ok();
  }

  Expected<std::shared_ptr<ir::Graph>> importSubgraph(onnx::GraphProto& gp, const std::string& what) {
    if (m_depth + 1 > m_ctx.options.maxSubgraphDepth)
      return makeError(codes::kFormat, what + " nests subgraphs more than " +
                                           std::to_string(m_ctx.options.maxSubgraphDepth) + " levels deep");
    auto g = std::make_shared<ir::Graph>();
    GraphImporter child(m_ctx, this, m_depth + 1, *g);
    auto st = child.run(gp);
    if (!st) return std::unexpected(withContext(st.error(), "in " + what));
    return g;
  }

  Status addNodes(onnx::GraphProto& p) {
    const SubgraphImporter sub = [this](onnx::GraphProto& gp, const std::string& what) {
      return importSubgraph(gp, what);
    };
    for (int i = 0; i < p.node_size(); ++i) {
      auto& n = *p.mutable_node(i);
      if (isConstantNode(n)) continue;
      const auto label = nodeLabel(n, i);
      ir::Node node;
      node.name = n.name();
      node.opType = n.op_type();
      node.domain = n.domain() == "ai.onnx" ? std::string() : n.domain();
      for (const auto& in : n.input()) {
        if (in.empty()) {
          node.inputs.push_back(ir::kNone);
          continue;
        }
        const auto id = lookup(in);
        if (id == ir::kNone)
          return makeError(codes::kFormat, label + " reads '" + in +
                                               "', which is not defined (no input, initializer or node output has "
                                               "that name)");
        node.inputs.push_back(id);
      }
      node.outputs = std::move(m_nodeOutputs[static_cast<std::size_t>(i)]);
      for (auto& a : *n.mutable_attribute()) {
        if (node.attrs.has(a.name()))
          return makeError(codes::kFormat, label + " has attribute '" + a.name() + "' twice");
        GS_ASSIGN_OR_RETURN(auto attr, convertAttribute(a, label, m_ctx.external, sub));
        node.attrs.set(a.name(), std::move(attr));
      }
      m_graph.addNode(std::move(node));
    }
    return ok();
  }

  ImportContext& m_ctx;
  GraphImporter* m_parent;
  int m_depth;
  ir::Graph& m_graph;
  std::unordered_map<std::string, std::string> m_definedBy; // name -> what defined it, for messages
  std::vector<std::vector<ir::ValueId>> m_nodeOutputs;      // per proto node, its declared outputs
};

} // namespace

Expected<ir::Graph> importMainGraph(onnx::GraphProto& proto, ImportContext& ctx) {
  ir::Graph g;
  GraphImporter importer(ctx, nullptr, 0, g);
  GS_RETURN_IF_ERROR(importer.run(proto));
  return g;
}

} // namespace gs::onnx_import
