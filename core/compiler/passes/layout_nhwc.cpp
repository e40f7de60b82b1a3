// Channels-last regions (see layout_nhwc.h).
//
// Why: oneDNN's fast CPU convolutions (brgconv, brdgmm depthwise) work on channels-last data. Fed
// NCHW, every layer pays a reorder of its input and of its output, which on the depthwise and 1x1
// layers of mobile networks costs as much as the convolution itself (measured on PP-OCRv4 det shapes:
// 32-channel 3x3 depthwise at 160x160, 0.22 ms conv, 0.42 ms input reorder, about as much again for the
// output). Keeping the tensors between convolutions in NHWC removes those reorders.
//
// How: every 4-D float Conv/ConvTranspose (plain or fused) is an anchor and becomes a FusedConv /
// FusedConvTranspose with layout = "NHWC" (core/ir/gs_ops.h); pools in a region become Nhwc* pools.
// Layout-neutral ops join the region when one of their activation inputs comes from it: pools,
// unary activations, binary arithmetic (constants are re-laid out to keep numpy broadcasting
// right), Concat (axis remapped) and Resize (scales/sizes remapped). A value leaving the region
// (read by any other op, a graph output or a subgraph) gets one Transpose back to NCHW under its
// original name; a value entering it gets one Transpose to NHWC. NHWC values carry their physical
// shape [N, H, W, C], so memory planning, shape inference and the executors need no special case:
// only the channels-last GearStudio ops translate (core/ir/layout.h).
#include "core/compiler/passes/layout_nhwc.h"

#include <algorithm>
#include <cstring>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/compiler/passes/graph_helpers.h"
#include "core/ir/layout.h"

namespace gs::compiler::passes {

namespace {

enum class Role { None, Anchor, Pool, Unary, Binary, Concat, Resize };

bool isUnary(std::string_view op) {
  static const std::set<std::string_view> kOps = {
      "Relu", "Sigmoid",  "HardSigmoid", "HardSwish", "Clip", "LeakyRelu", "Tanh",      "Elu", "Selu",
      "Celu", "Softplus", "Softsign",    "Mish",      "Exp",  "Log",       "Neg",       "Abs", "Sqrt",
      "Erf",  "Floor",    "Ceil",        "Round",     "Sin",  "Cos",       "Reciprocal"};
  return kOps.count(op) != 0;
}

bool isBinary(std::string_view op) {
  static const std::set<std::string_view> kOps = {"Add", "Sub", "Mul", "Div", "Max", "Min", "Pow"};
  return kOps.count(op) != 0;
}

// Largest constant (elements) this pass copies into NHWC order for a binary op.
constexpr int64_t kMaxRelaidConstant = int64_t{1} << 20;

// Float types whose values the region carries: float32 and the 16-bit floats (data movement only, so
// channels-last changes no value of a 16-bit graph either).
bool floatLayoutType(ir::DataType t) {
  return t == ir::DataType::Float32 || t == ir::DataType::Float16 || t == ir::DataType::BFloat16;
}

class LayoutPass {
public:
  LayoutPass(ir::Graph& g, PassContext& ctx) : m_g(g), m_ctx(ctx) {}

  Expected<bool> run() {
    for (const auto& n : m_g.nodes)
      if (ir::isChannelsLast(n)) return false; // already laid out (the pass is idempotent)
    const std::size_t nodeCount = m_g.nodes.size();
    m_roles.assign(nodeCount, Role::None);
    m_in.assign(nodeCount, false);
    bool anyAnchor = false;
    for (std::size_t i = 0; i < nodeCount; ++i) {
      m_roles[i] = roleOf(m_g.nodes[i]);
      if (m_roles[i] == Role::Anchor) m_in[i] = anyAnchor = true;
    }
    if (!anyAnchor) return false;
    // Grow the regions: a layout-neutral op joins when an activation input comes from a member.
    for (bool grew = true; grew;) {
      grew = false;
      for (std::size_t i = 0; i < nodeCount; ++i) {
        if (m_in[i] || m_roles[i] == Role::None) continue;
        for (auto s : slots(i)) {
          const auto p = m_g.values[m_g.nodes[i].inputs[s]].producer;
          if (p != ir::kNone && m_in[static_cast<std::size_t>(p)]) {
            m_in[i] = grew = true;
            break;
          }
        }
      }
    }
    rewrite();
    GS_RETURN_IF_ERROR(m_g.sortTopologically());
    return true;
  }

private:
  bool rank4Float(ir::ValueId v) const {
    if (v == ir::kNone) return false;
    const auto& val = m_g.values[static_cast<std::size_t>(v)];
    return floatLayoutType(val.dtype) && val.shape.rankKnown && val.shape.rank() == 4;
  }
  bool isConst(ir::ValueId v) const { return helpers::constantOf(m_g, v) != nullptr; }

  Role roleOf(const ir::Node& n) const {
    const bool fused = ir::gsop::is(n, ir::gsop::kFusedConv) || ir::gsop::is(n, ir::gsop::kFusedConvTranspose) ||
                       ir::gsop::is(n, ir::gsop::kQuantConv);
    if ((!n.domain.empty() && !fused) || n.outputs.empty() || n.inputs.empty()) return Role::None;
    for (const auto& [name, a] : n.attrs)
      if (a.kind == ir::Attribute::Kind::Graph || a.kind == ir::Attribute::Kind::Graphs) return Role::None;
    const auto out = n.outputs[0];
    if (!rank4Float(out)) return Role::None;
    for (std::size_t i = 1; i < n.outputs.size(); ++i)
      if (n.outputs[i] != ir::kNone) return Role::None; // MaxPool Indices, ...
    const auto x = n.inputs[0];
    const std::string_view op = ir::gsop::baseOpOf(n);
    if (op == "Conv" || op == "ConvTranspose")
      return rank4Float(x) && n.inputs.size() >= 2 && !isConst(x) ? Role::Anchor : Role::None;
    if (op == "MaxPool" || op == "AveragePool" || op == "GlobalAveragePool" || op == "GlobalMaxPool")
      return rank4Float(x) && !isConst(x) ? Role::Pool : Role::None;
    if (isUnary(op)) {
      if (!rank4Float(x) || isConst(x)) return Role::None;
      for (std::size_t i = 1; i < n.inputs.size(); ++i) {
        const auto v = n.inputs[i];
        if (v == ir::kNone) continue;
        const auto& s = m_g.values[static_cast<std::size_t>(v)].shape;
        const auto numel = s.numel();
        if (!numel || *numel != 1) return Role::None; // Clip's min/max are scalars
      }
      return Role::Unary;
    }
    if (isBinary(op)) {
      if (n.inputs.size() != 2) return Role::None;
      int layoutInputs = 0;
      for (auto v : n.inputs) {
        if (v == ir::kNone) return Role::None;
        if (const auto* t = helpers::constantOf(m_g, v)) {
          if (t->numel() == 1) continue;
          if (!floatLayoutType(t->dtype) || t->dims.size() > 4 || t->numel() > kMaxRelaidConstant) return Role::None;
          continue;
        }
        if (!rank4Float(v)) return Role::None;
        ++layoutInputs;
      }
      return layoutInputs > 0 ? Role::Binary : Role::None;
    }
    if (op == "Concat") {
      for (auto v : n.inputs)
        if (!rank4Float(v) || isConst(v)) return Role::None;
      return Role::Concat;
    }
    if (op == "Resize") {
      if (!rank4Float(x) || isConst(x) || n.attrs.has("axes")) return Role::None;
      if (n.inputs.size() >= 3) {
        const auto roi = n.inputs[1];
        if (roi != ir::kNone && (!isConst(roi) || helpers::constantOf(m_g, roi)->numel() != 0)) return Role::None;
      }
      int found = 0;
      for (std::size_t i = 1; i < n.inputs.size(); ++i) {
        if (n.inputs.size() >= 3 && i == 1) continue;
        const auto v = n.inputs[i];
        if (v == ir::kNone) continue;
        const auto* t = helpers::constantOf(m_g, v);
        if (!t) return Role::None;
        if (t->numel() == 0) continue;
        if (t->numel() != 4 || (t->dtype != ir::DataType::Float32 && t->dtype != ir::DataType::Int64))
          return Role::None;
        ++found;
      }
      return found == 1 ? Role::Resize : Role::None;
    }
    return Role::None;
  }

  // Input slots that carry channels-last activations on a member node.
  std::vector<std::size_t> slots(std::size_t i) const {
    const auto& n = m_g.nodes[i];
    std::vector<std::size_t> s;
    switch (m_roles[i]) {
    case Role::Anchor:
      s.push_back(0);
      if (ir::gsop::hasResidual(n)) s.push_back(3);
      break;
    case Role::Pool:
    case Role::Unary:
    case Role::Resize:
      s.push_back(0);
      break;
    case Role::Binary:
      for (std::size_t k = 0; k < n.inputs.size(); ++k)
        if (!isConst(n.inputs[k])) s.push_back(k);
      break;
    case Role::Concat:
      for (std::size_t k = 0; k < n.inputs.size(); ++k)
        s.push_back(k);
      break;
    case Role::None:
      break;
    }
    return s;
  }

  ir::NodeId addTranspose(ir::ValueId from, ir::ValueId to, const int64_t (&perm)[4], std::string_view what) {
    ir::Node t;
    t.name = m_g.values[static_cast<std::size_t>(to)].name + std::string(what);
    t.opType = "Transpose";
    t.inputs = {from};
    t.outputs = {to};
    t.attrs.set("perm", ir::Attribute::ofInts({perm[0], perm[1], perm[2], perm[3]}));
    m_ctx.count("transposes");
    return m_g.addNode(std::move(t));
  }

  // A channels-last copy of a constant that a binary op broadcasts against a 4-D NCHW tensor (float32,
  // or float16 / bfloat16 moved as 2-byte elements).
  ir::ValueId relaidConstant(ir::ValueId v) {
    if (auto it = m_constMemo.find(v); it != m_constMemo.end()) return it->second;
    const auto& t = *helpers::constantOf(m_g, v);
    std::vector<int64_t> d(4 - t.dims.size(), 1);
    d.insert(d.end(), t.dims.begin(), t.dims.end());
    const std::size_t esize = ir::dtypeSize(t.dtype);
    std::string dst(static_cast<std::size_t>(t.numel()) * esize, '\0');
    const std::byte* src = t.data();
    const int64_t n = d[0], c = d[1], h = d[2], w = d[3];
    for (int64_t a = 0; a < n; ++a)
      for (int64_t b = 0; b < c; ++b)
        for (int64_t y = 0; y < h; ++y)
          for (int64_t x = 0; x < w; ++x)
            std::memcpy(dst.data() + static_cast<std::size_t>(((a * h + y) * w + x) * c + b) * esize,
                        src + static_cast<std::size_t>(((a * c + b) * h + y) * w + x) * esize, esize);
    const auto id =
        m_g.addConstant(m_g.uniqueName(m_g.values[static_cast<std::size_t>(v)].name + "_nhwc"),
                        ir::Tensor::fromBytes(t.dtype, ir::nchwToNhwc(std::span<const int64_t>(d)), std::move(dst)));
    m_constMemo[v] = id;
    return id;
  }

  // Resize's scales or sizes in NHWC order.
  ir::ValueId relaidResizeParam(ir::ValueId v) {
    const auto& t = *helpers::constantOf(m_g, v);
    const std::string name = m_g.uniqueName(m_g.values[static_cast<std::size_t>(v)].name + "_nhwc");
    if (t.dtype == ir::DataType::Int64) {
      const auto s = t.toVector<int64_t>();
      return m_g.addConstant(name, ir::Tensor::fromVector<int64_t>(ir::nchwToNhwc(std::span<const int64_t>(s)), {4}));
    }
    const auto s = t.toVector<float>();
    return m_g.addConstant(name,
                           ir::Tensor::fromVector<float>(ir::permute4(std::span<const float>(s), ir::kNhwcOrder), {4}));
  }

  void rewrite() {
    const std::size_t nodeCount = m_roles.size();
    const std::size_t valueCount = m_g.values.size();
    const auto readers = m_g.consumers();
    std::set<std::string> outerReads;
    for (const auto& n : m_g.nodes)
      for (auto& name : helpers::outerScopeReads(n))
        outerReads.insert(name);

    // 1. Outputs of members: permuted in place, or renamed with a Transpose back when NCHW readers remain.
    std::vector<ir::ValueId> nhwcOf(valueCount, ir::kNone);
    int64_t members = 0;
    for (std::size_t i = 0; i < nodeCount; ++i) {
      if (!m_in[i]) continue;
      ++members;
      const auto o = m_g.nodes[i].outputs[0];
      const auto& val = m_g.values[static_cast<std::size_t>(o)];
      bool nchwReader = m_g.isGraphOutput(o) || outerReads.count(val.name) != 0;
      for (auto c : readers[static_cast<std::size_t>(o)]) {
        if (!m_in[static_cast<std::size_t>(c)]) {
          nchwReader = true;
          continue;
        }
        const auto s = slots(static_cast<std::size_t>(c));
        const auto& cn = m_g.nodes[static_cast<std::size_t>(c)];
        for (std::size_t k = 0; k < cn.inputs.size(); ++k)
          if (cn.inputs[k] == o && std::find(s.begin(), s.end(), k) == s.end()) nchwReader = true;
      }
      if (!nchwReader) {
        m_g.values[static_cast<std::size_t>(o)].shape = ir::nchwToNhwc(val.shape);
        nhwcOf[static_cast<std::size_t>(o)] = o;
        continue;
      }
      const auto dtype = val.dtype;
      const auto shape = ir::nchwToNhwc(val.shape);
      const auto nv = m_g.addValue(m_g.uniqueName(val.name + "_nhwc"), dtype, shape);
      m_g.nodes[i].outputs[0] = nv;
      m_g.values[static_cast<std::size_t>(nv)].producer = static_cast<ir::NodeId>(i);
      nhwcOf[static_cast<std::size_t>(o)] = nv;
      addTranspose(nv, o, ir::kNchwOrder, "/to_nchw");
    }

    // 2. Inputs of members: NHWC values from the region, or one Transpose in per outside value.
    std::unordered_map<ir::ValueId, ir::ValueId> transposedIn;
    for (std::size_t i = 0; i < nodeCount; ++i) {
      if (!m_in[i]) continue;
      for (auto s : slots(i)) {
        const auto v = m_g.nodes[i].inputs[s];
        if (nhwcOf[static_cast<std::size_t>(v)] != ir::kNone) {
          m_g.nodes[i].inputs[s] = nhwcOf[static_cast<std::size_t>(v)];
          continue;
        }
        auto it = transposedIn.find(v);
        if (it == transposedIn.end()) {
          const auto& val = m_g.values[static_cast<std::size_t>(v)];
          const auto dtype = val.dtype;
          const auto shape = ir::nchwToNhwc(val.shape);
          const auto nv = m_g.addValue(m_g.uniqueName(val.name + "_nhwc"), dtype, shape);
          addTranspose(v, nv, ir::kNhwcOrder, "/to_nhwc");
          it = transposedIn.emplace(v, nv).first;
        }
        m_g.nodes[i].inputs[s] = it->second;
      }
      // 3. Per-role rewrites of attributes and constant inputs.
      auto& n = m_g.nodes[i];
      switch (m_roles[i]) {
      case Role::Anchor:
        ir::gsop::makeFused(n);
        n.attrs.set(ir::gsop::kLayout, ir::Attribute::ofString(std::string(ir::gsop::kNhwc)));
        break;
      case Role::Pool:
        n.opType = std::string(ir::gsop::nhwcPoolFor(n.opType));
        n.domain = std::string(ir::gsop::kDomain);
        n.outputs.resize(1); // roleOf admitted only pools whose other outputs are absent
        break;
      case Role::Binary:
        for (std::size_t k = 0; k < n.inputs.size(); ++k) {
          const auto* t = helpers::constantOf(m_g, n.inputs[k]);
          if (t && t->numel() != 1) {
            const auto id = relaidConstant(n.inputs[k]);
            m_g.nodes[i].inputs[k] = id;
          }
        }
        break;
      case Role::Concat: {
        int64_t axis = n.attrs.getInt("axis", 1);
        if (axis < 0) axis += 4;
        if (axis >= 0 && axis < 4) n.attrs.set("axis", ir::Attribute::ofInt(ir::kNchwToNhwcAxis[axis]));
        break;
      }
      case Role::Resize:
        for (std::size_t k = 1; k < n.inputs.size(); ++k) {
          if (n.inputs.size() >= 3 && k == 1) continue;
          const auto* t = helpers::constantOf(m_g, n.inputs[k]);
          if (t && t->numel() == 4) {
            const auto id = relaidResizeParam(m_g.nodes[i].inputs[k]);
            m_g.nodes[i].inputs[k] = id;
          }
        }
        break;
      case Role::Unary:
      case Role::None:
        break;
      }
    }
    m_ctx.count("channels-last nodes", members);
  }

  ir::Graph& m_g;
  PassContext& m_ctx;
  std::vector<Role> m_roles;
  std::vector<bool> m_in;
  std::unordered_map<ir::ValueId, ir::ValueId> m_constMemo;
};

} // namespace

Expected<bool> layoutNhwc(ir::Graph& g, PassContext& ctx) { return LayoutPass(g, ctx).run(); }

} // namespace gs::compiler::passes
