// Preflight walk and the ONNX checker wrapper.
#include "core/compiler/onnx/model_checks.h"

#include <onnx/checker.h>
#include <onnx/defs/schema.h>

#include <set>
#include <unordered_map>

#include "core/common/log.h"

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

// check_model of ONNX 1.12 (checker.cc) with a model folder; only its exported parts are used.
void checkModel(const onnx::ModelProto& model, const std::string& modelDir) {
  namespace ck = onnx::checker;
  ck::CheckerContext ctx;
  ctx.set_model_dir(modelDir);
  if (!model.ir_version()) throw ck::ValidationError("The model does not have an ir_version set properly.");
  if (model.ir_version() > onnx::IR_VERSION)
    throw ck::ValidationError("Your model ir_version is higher than the checker's.");
  std::set<std::string> keys;
  for (const auto& entry : model.metadata_props())
    if (!keys.insert(entry.key()).second) throw ck::ValidationError("Your model has duplicate keys in metadata_props.");
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
  ck::LexicalScopeContext lex;
  ck::check_graph(model.graph(), ctx, lex);
  if (ctx.get_ir_version() >= 8) ck::check_model_local_functions(model, ctx, lex);
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

Status runOnnxChecker(const onnx::ModelProto& model, const std::string& modelDir) {
  std::string finding;
  try {
    checkModel(model, modelDir);
    return ok();
  } catch (const std::exception& e) { // ValidationError, and whatever else the checker may throw
    finding = shorten(e.what());
  } catch (...) {
    finding = "an unknown exception";
  }
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
