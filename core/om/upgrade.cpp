// Format 1 -> current: gs_* attributes on ONNX ops become GearStudio ops (see upgrade.h).
#include "core/om/upgrade.h"

#include <algorithm>
#include <array>
#include <string_view>

#include "core/ir/gs_ops.h"

namespace gs::om {
namespace {

std::unexpected<Error> refuse(const std::string& where, const ir::Node& n, const std::string& what) {
  return makeError(codes::kFormat, where + "node '" + n.name + "' (" + n.opType + ") " + what +
                                       "; this .om file (format 1) cannot be translated, recompile the model "
                                       "from its ONNX source with this version of gearatc");
}

bool isPrivate(const std::string& name) { return name.rfind("gs_", 0) == 0; }

// The gs_* attributes format 1 allowed on each ONNX op.
bool allowed(std::string_view op, std::string_view attr) {
  static constexpr std::array<std::string_view, 6> kConv = {"gs_activation", "gs_activation_params", "gs_fused_add",
                                                            "gs_post_scale", "gs_post_shift",        "gs_layout"};
  auto in = [&](auto list) { return std::find(list.begin(), list.end(), attr) != list.end(); };
  if (op == "Conv") return in(kConv);
  if (op == "ConvTranspose")
    return in(std::array<std::string_view, 3>{"gs_activation", "gs_activation_params", "gs_layout"});
  if (op == "Gemm" || op == "MatMul")
    return in(std::array<std::string_view, 2>{"gs_activation", "gs_activation_params"});
  if (!ir::gsop::nhwcPoolFor(op).empty()) return attr == "gs_layout";
  return false;
}

Expected<int> upgradeNode(ir::Node& n, const std::string& where) {
  bool any = false;
  for (const auto& [name, a] : n.attrs) {
    if (!isPrivate(name)) continue;
    any = true;
    if (!n.domain.empty() || !allowed(n.opType, name)) return refuse(where, n, "carries attribute '" + name + "'");
  }
  if (!any) return 0;
  if (const auto* layout = n.attrs.find("gs_layout");
      layout && (layout->kind != ir::Attribute::Kind::String || layout->s != ir::gsop::kNhwc))
    return refuse(where, n, "has gs_layout other than \"NHWC\"");

  if (const auto pool = ir::gsop::nhwcPoolFor(n.opType); !pool.empty()) {
    for (std::size_t i = 1; i < n.outputs.size(); ++i)
      if (n.outputs[i] != ir::kNone) return refuse(where, n, "is channels-last with a second output");
    n.attrs.erase("gs_layout");
    n.outputs.resize(1);
    n.domain = std::string(ir::gsop::kDomain);
    n.opType = std::string(pool);
    return 1;
  }

  const bool fusedAdd = n.attrs.getInt("gs_fused_add", 0) != 0;
  if (fusedAdd && n.inputs.size() != 4) return refuse(where, n, "has gs_fused_add without its residual as input 3");
  auto rename = [&](const char* from, const char* to) {
    if (const auto* a = n.attrs.find(from)) {
      auto copy = *a;
      n.attrs.erase(from);
      n.attrs.set(to, std::move(copy));
    }
  };
  rename("gs_activation", ir::gsop::kActivation);
  rename("gs_activation_params", ir::gsop::kActivationParams);
  rename("gs_post_scale", ir::gsop::kPostScale);
  rename("gs_post_shift", ir::gsop::kPostShift);
  rename("gs_layout", ir::gsop::kLayout);
  n.attrs.erase("gs_fused_add");
  if (!fusedAdd && n.inputs.size() > 3) return refuse(where, n, "has a fourth input without gs_fused_add");
  ir::gsop::makeFused(n);
  return 1;
}

template <class G, class F> Status forEachBody(G& n, F&& f) {
  for (auto& [name, a] : n.attrs) {
    if (a.kind == ir::Attribute::Kind::Graph && a.g) GS_RETURN_IF_ERROR(f(*a.g, name));
    if (a.kind == ir::Attribute::Kind::Graphs)
      for (auto& body : a.graphs)
        if (body) GS_RETURN_IF_ERROR(f(*body, name));
  }
  return ok();
}

} // namespace

Expected<int> upgradeFormat1Graph(ir::Graph& g, const std::string& where) {
  int rewritten = 0;
  for (auto& n : g.nodes) {
    GS_ASSIGN_OR_RETURN(auto k, upgradeNode(n, where));
    rewritten += k;
    GS_RETURN_IF_ERROR(forEachBody(n, [&](ir::Graph& body, const std::string& attr) -> Status {
      GS_ASSIGN_OR_RETURN(auto b, upgradeFormat1Graph(body, where + "node '" + n.name + "' body '" + attr + "': "));
      rewritten += b;
      return ok();
    }));
  }
  return rewritten;
}

Status checkNoPrivateAttributes(const ir::Graph& g, const std::string& where) {
  for (const auto& n : g.nodes) {
    for (const auto& [name, a] : n.attrs)
      if (isPrivate(name))
        return makeError(codes::kFormat, where + "node '" + n.name + "' (" + n.opType + ") carries attribute '" + name +
                                             "', which only format-1 files had (the file is corrupt)");
    GS_RETURN_IF_ERROR(forEachBody(n, [&](const ir::Graph& body, const std::string& attr) {
      return checkNoPrivateAttributes(body, where + "node '" + n.name + "' body '" + attr + "': ");
    }));
  }
  return ok();
}

} // namespace gs::om
