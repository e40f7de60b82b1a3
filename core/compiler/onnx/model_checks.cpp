// Preflight walk and the ONNX checker wrapper.
#include "core/compiler/onnx/model_checks.h"

#include <onnx/checker.h>
#include <onnx/defs/schema.h>

#include <set>
#include <unordered_map>
#include <vector>

#include "core/common/log.h"
#include "core/common/stable_topo.h"

namespace gs::onnx_import {
namespace {

class Preflight {
public:
  Preflight(const ImportOptions& options, ExternalData& external) : m_options(options), m_external(external) {}

  // where: the attribute path to this graph ("" for the main graph), prefixed to messages.
  Status graph(const onnx::GraphProto& g, int depth, const std::string& where) {
    const std::string in = where.empty() ? "" : where + ": ";
    if (depth > m_options.maxSubgraphDepth)
      return makeError(codes::kFormat, in + "subgraphs are nested more than " +
                                           std::to_string(m_options.maxSubgraphDepth) + " levels deep");
    if (g.sparse_initializer_size() > 0)
      return makeError(codes::kUnsupported, in + "sparse initializer '" + g.sparse_initializer(0).values().name() +
                                                "' is a sparse tensor, which GearStudio does not support");
    for (const auto& t : g.initializer())
      GS_RETURN_IF_ERROR(tensor(t, where)); // the message names the tensor already
    for (int i = 0; i < g.node_size(); ++i) {
      const auto& n = g.node(i);
      const std::string label = in + "node " + (n.name().empty() ? "#" + std::to_string(i) : "'" + n.name() + "'");
      for (const auto& a : n.attribute()) {
        const std::string at = label + " attribute '" + a.name() + "'";
        if (a.has_sparse_tensor() || a.sparse_tensors_size() > 0)
          return makeError(codes::kUnsupported, at + " is a sparse tensor, which GearStudio does not support");
        if (a.has_t()) GS_RETURN_IF_ERROR(tensor(a.t(), at));
        for (const auto& t : a.tensors())
          GS_RETURN_IF_ERROR(tensor(t, at));
        // Paths into deep nests are cut short so that messages stay readable.
        const std::string inner = depth < 2 ? at : where.ends_with(" > ...") ? where : where + " > ...";
        if (a.has_g()) GS_RETURN_IF_ERROR(graph(a.g(), depth + 1, inner));
        for (const auto& sg : a.graphs())
          GS_RETURN_IF_ERROR(graph(sg, depth + 1, inner));
      }
    }
    return ok();
  }

private:
  Status tensor(const onnx::TensorProto& t, const std::string& what) {
    auto st = checkTensorProto(t, m_external);
    if (!st && !what.empty()) return std::unexpected(withContext(st.error(), what));
    if (!st) return st;
    return ok();
  }

  const ImportOptions& m_options;
  ExternalData& m_external;
};

// The main graph as ONNX 1.12's check_graph checks it, with the findings that ONNX Runtime
// tolerates collected as warnings instead of thrown: an empty graph name, a graph output without a
// (complete) type, and nodes of ops the checker has no schema for (the compiler reports
// unsupported ops itself). Everything else throws, as in check_graph. Nodes are sorted already.
void checkMainGraph(const onnx::GraphProto& g, const onnx::checker::CheckerContext& ctx,
                    std::vector<std::string>& warnings) {
  namespace ck = onnx::checker;
  if (g.name().empty()) warnings.push_back("the main graph has no name");
  for (const auto& vi : g.input())
    ck::check_value_info(vi, ctx);
  for (const auto& vi : g.output()) {
    try {
      ck::check_value_info(vi, ctx);
    } catch (const ck::ValidationError& e) {
      if (vi.name().empty()) throw;
      warnings.push_back("graph output '" + vi.name() + "': " + e.what() + " (the type is inferred)");
    }
  }
  ck::LexicalScopeContext lex;
  for (const auto& vi : g.input()) {
    if (lex.this_graph_has(vi.name()))
      fail_check("Graph must be in single static assignment (SSA) form, however '", vi.name(),
                 "' has been used as graph input names multiple times.");
    lex.add(vi.name());
  }
  std::set<std::string> initializers;
  for (const auto& init : g.initializer()) {
    if (init.name().empty()) fail_check("Tensor initializers must have a non-empty name");
    if (!initializers.insert(init.name()).second) fail_check(init.name(), " initializer name is not unique");
    ck::check_tensor(init, ctx);
    if (ctx.get_ir_version() <= 3 && !lex.this_graph_has(init.name()))
      fail_check(init.name(), " in initializer but not in graph input");
    lex.add(init.name());
  }
  for (const auto& node : g.node()) {
    for (const auto& input : node.input())
      if (!input.empty() && !lex.this_or_ancestor_graph_has(input))
        fail_check("Node '", node.name(), "' (", node.op_type(), ") reads '", input,
                   "', which no graph input, initializer or other node defines.");
    try {
      ck::check_node(node, ctx, lex);
    } catch (const ck::ValidationError& e) {
      const std::string what = e.what();
      if (!what.starts_with("No Op registered for")) {
        ck::ValidationError again(what);
        again.AppendContext("Bad node spec for node. Name: " + node.name() + " OpType: " + node.op_type());
        throw again;
      }
      warnings.push_back(what + " (imported as is)");
    }
    for (const auto& output : node.output()) {
      if (output.empty()) continue;
      if (lex.this_or_ancestor_graph_has(output))
        fail_check("Graph must be in single static assignment (SSA) form, however '", output,
                   "' has been used as output names multiple times.");
      lex.add(output);
    }
  }
}

// check_model of ONNX 1.12 (checker.cc) with a model folder, through checkMainGraph.
void checkModel(const onnx::ModelProto& model, const std::string& modelDir, std::vector<std::string>& warnings) {
  namespace ck = onnx::checker;
  ck::CheckerContext ctx;
  ctx.set_model_dir(modelDir);
  if (!model.ir_version()) throw ck::ValidationError("The model does not have an ir_version set properly.");
  if (model.ir_version() > onnx::IR_VERSION)
    throw ck::ValidationError("Your model ir_version is higher than the checker's.");
  std::set<std::string> keys;
  for (const auto& entry : model.metadata_props())
    if (!keys.insert(entry.key()).second)
      warnings.push_back("metadata_props has the key '" + entry.key() + "' more than once (the last value is kept)");
  ctx.set_ir_version(static_cast<int>(model.ir_version()));
  std::unordered_map<std::string, int> opsets;
  for (const auto& o : model.opset_import())
    opsets[o.domain()] = static_cast<int>(o.version());
  if (model.ir_version() >= 3) {
    if (opsets.empty()) throw ck::ValidationError("model with IR version >= 3 must specify opset_import for ONNX");
  } else if (opsets.empty()) {
    opsets[onnx::ONNX_DOMAIN] = 1;
  } else {
    throw ck::ValidationError("model with IR version < 3 cannot have opset_import specified");
  }
  ctx.set_opset_imports(opsets);
  checkMainGraph(model.graph(), ctx, warnings);
  ck::LexicalScopeContext lex;
  if (ctx.get_ir_version() >= 8) ck::check_model_local_functions(model, ctx, lex);
}

// ---- topological order ----------------------------------------------------------------------

// Names a graph reads from enclosing graphs: used by its nodes (and their subgraphs) or listed as
// its outputs, and defined by none of its inputs, initializers or nodes.
void outerReads(const onnx::GraphProto& g, std::set<std::string>& out);

void nodeReads(const onnx::NodeProto& n, std::set<std::string>& out) {
  for (const auto& in : n.input())
    if (!in.empty()) out.insert(in);
  for (const auto& a : n.attribute()) {
    if (a.has_g()) outerReads(a.g(), out);
    for (const auto& sg : a.graphs())
      outerReads(sg, out);
  }
}

void outerReads(const onnx::GraphProto& g, std::set<std::string>& out) {
  std::set<std::string> defined;
  for (const auto& vi : g.input())
    defined.insert(vi.name());
  for (const auto& t : g.initializer())
    defined.insert(t.name());
  for (const auto& n : g.node())
    for (const auto& o : n.output())
      defined.insert(o);
  std::set<std::string> used;
  for (const auto& n : g.node())
    nodeReads(n, used);
  for (const auto& vi : g.output())
    used.insert(vi.name());
  for (const auto& name : used)
    if (!defined.contains(name)) out.insert(name);
}

std::string nodeText(const onnx::NodeProto& n, int index) {
  const std::string op = n.domain().empty() ? n.op_type() : n.domain() + "." + n.op_type();
  return (n.name().empty() ? "node #" + std::to_string(index) : "node '" + n.name() + "'") + " (" + op + ")";
}

Status sortGraph(onnx::GraphProto& g, const std::string& where, std::string& report) {
  // Subgraphs first: each body is a graph of its own.
  for (int i = 0; i < g.node_size(); ++i)
    for (auto& a : *g.mutable_node(i)->mutable_attribute()) {
      const auto inner =
          where + (where.empty() ? "" : " > ") + nodeText(g.node(i), i) + " attribute '" + a.name() + "'";
      if (a.has_g()) GS_RETURN_IF_ERROR(sortGraph(*a.mutable_g(), inner, report));
      for (auto& sg : *a.mutable_graphs())
        GS_RETURN_IF_ERROR(sortGraph(sg, inner, report));
    }
  const auto n = static_cast<std::size_t>(g.node_size());
  std::unordered_map<std::string, std::size_t> producer;
  for (std::size_t i = 0; i < n; ++i)
    for (const auto& o : g.node(static_cast<int>(i)).output())
      if (!o.empty()) producer.emplace(o, i); // a second definition is reported by the importer
  std::vector<std::vector<std::size_t>> users(n);
  std::vector<std::set<std::size_t>> deps(n);
  for (std::size_t i = 0; i < n; ++i) {
    std::set<std::string> reads;
    nodeReads(g.node(static_cast<int>(i)), reads);
    for (const auto& name : reads)
      if (const auto it = producer.find(name); it != producer.end()) deps[i].insert(it->second);
    for (auto d : deps[i])
      users[d].push_back(i);
  }
  // Sorted runs keep their order.
  std::vector<std::size_t> pending(n);
  for (std::size_t i = 0; i < n; ++i)
    pending[i] = deps[i].size();
  const auto order = stableTopoOrder(users, pending);
  const auto graphName = where.empty() ? "the main graph" : where;
  if (order.size() != n) {
    // Walk back along unfinished dependencies until a node repeats: that loop is a cycle.
    std::size_t cur = 0;
    while (pending[cur] == 0)
      ++cur;
    std::vector<std::size_t> path;
    std::vector<int> seenAt(n, -1);
    while (seenAt[cur] < 0) {
      seenAt[cur] = static_cast<int>(path.size());
      path.push_back(cur);
      for (auto d : deps[cur])
        if (pending[d] > 0) {
          cur = d;
          break;
        }
    }
    std::string cycle;
    for (auto k = static_cast<std::size_t>(seenAt[cur]); k < path.size(); ++k)
      cycle = nodeText(g.node(static_cast<int>(path[k])), static_cast<int>(path[k])) + (cycle.empty() ? "" : " -> ") +
              cycle;
    cycle += " -> " + nodeText(g.node(static_cast<int>(path.back())), static_cast<int>(path.back()));
    return makeError(codes::kFormat,
                     graphName + " has a cycle: " + cycle + " (each node reads the output of the one before it)");
  }
  std::size_t moved = 0;
  for (std::size_t i = 0; i < n; ++i)
    moved += order[i] != i;
  if (moved == 0) return ok();
  google::protobuf::RepeatedPtrField<onnx::NodeProto> sorted;
  sorted.Reserve(static_cast<int>(n));
  for (auto i : order)
    *sorted.Add() = std::move(*g.mutable_node(static_cast<int>(i)));
  g.mutable_node()->Swap(&sorted);
  if (!report.empty()) report += "; ";
  report += graphName + ": " + std::to_string(moved) + " of " + std::to_string(n) + " nodes moved";
  return ok();
}

// What the model uses that this ONNX build's checker does not know ("" when nothing).
std::string beyondChecker(const onnx::ModelProto& model) {
  if (model.ir_version() > onnx::IR_VERSION)
    return "IR version " + std::to_string(model.ir_version()) + " (the checker knows up to " +
           std::to_string(onnx::IR_VERSION) + ")";
  const auto& ranges = onnx::OpSchemaRegistry::DomainToVersionRange::Instance().Map();
  for (const auto& o : model.opset_import()) {
    const auto domain = o.domain() == "ai.onnx" ? std::string() : o.domain();
    const auto it = ranges.find(domain);
    if (it != ranges.end() && o.version() > it->second.second)
      return "opset " + std::to_string(o.version()) + " of domain '" + (domain.empty() ? "ai.onnx" : domain) +
             "' (the checker knows up to " + std::to_string(it->second.second) + ")";
  }
  return {};
}

std::string shorten(std::string s) {
  constexpr std::size_t kMax = 1500; // node dumps in checker messages can hold whole tensors
  if (s.size() > kMax) s = s.substr(0, kMax) + " ...";
  return s;
}

} // namespace

Status preflight(const onnx::ModelProto& model, const ImportOptions& options, ExternalData& external) {
  Preflight p(options, external);
  return p.graph(model.graph(), 0, "");
}

Expected<std::string> sortNodesTopologically(onnx::GraphProto& graph) {
  std::string report;
  GS_RETURN_IF_ERROR(sortGraph(graph, "", report));
  return report;
}

Status runOnnxChecker(const onnx::ModelProto& model, const std::string& modelDir) {
  std::string finding;
  std::vector<std::string> warnings;
  try {
    checkModel(model, modelDir, warnings);
  } catch (const std::exception& e) { // ValidationError, and whatever else the checker may throw
    finding = shorten(e.what());
  } catch (...) {
    finding = "an unknown exception";
  }
  for (const auto& w : warnings)
    log::get("import")->warn("ONNX checker: {} (ONNX Runtime accepts this; so does GearStudio)", shorten(w));
  if (finding.empty()) return ok();
  const auto beyond = beyondChecker(model);
  if (!beyond.empty()) {
    log::get("import")->warn("the model uses {}, so the ONNX checker's finding is only a warning: {}", beyond, finding);
    return ok();
  }
  if (finding.starts_with("No Op registered for")) {
    log::get("import")->warn("ONNX checker: {} (imported as is; the checker stopped there)", finding);
    return ok();
  }
  return makeError(codes::kFormat, "the ONNX checker rejects the model: " + finding);
}

} // namespace gs::onnx_import
