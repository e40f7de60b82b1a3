// Pass "fuse-qdq" (see fuse_qdq.h).
#include "core/compiler/passes/fuse_qdq.h"

#include <cstring>

#include "core/compiler/passes/graph_helpers.h"
#include "core/ir/gs_ops.h"

namespace gs::compiler::passes {

namespace {

bool isInt8(ir::DataType t) { return t == ir::DataType::Int8 || t == ir::DataType::UInt8; }

class QdqFuser {
public:
  QdqFuser(ir::Graph& g, PassContext& ctx)
      : m_g(g), m_ctx(ctx), m_uses(helpers::useCounts(g)), m_consumers(g.consumers()), m_dead(g.nodes.size(), false) {}

  bool run() {
    bool changed = false;
    const std::size_t n = m_g.nodes.size();
    for (std::size_t i = 0; i < n; ++i) {
      if (m_dead[i]) continue;
      const auto& node = m_g.nodes[i];
      if (ir::gsop::isOnnx(node, "Conv"))
        changed |= fuseConv(i);
      else if (ir::gsop::isOnnx(node, "MatMul") || ir::gsop::isOnnx(node, "Gemm"))
        changed |= fuseMatMul(i);
    }
    if (changed) helpers::compact(m_g, m_dead);
    // Second round: an output Q -> DQ pair the fused nodes' readers do not fuse themselves (a float op
    // such as HardSwish reads the DQ) is folded into the producer.
    m_uses = helpers::useCounts(m_g);
    m_consumers = m_g.consumers();
    m_dead.assign(m_g.nodes.size(), false);
    bool folded = false;
    for (std::size_t i = 0; i < m_g.nodes.size(); ++i) {
      auto& node = m_g.nodes[i];
      if (m_dead[i] || !(ir::gsop::is(node, ir::gsop::kQuantConv) || ir::gsop::is(node, ir::gsop::kQuantMatMul)) ||
          node.inputs.size() > 7)
        continue;
      if (auto out = foldOutputQdq(i)) {
        auto& n = m_g.nodes[i];
        n.inputs.resize(9, ir::kNone);
        n.inputs[7] = out->scale;
        n.inputs[8] = out->zero;
        while (!n.inputs.empty() && n.inputs.back() == ir::kNone)
          n.inputs.pop_back();
        m_ctx.count("output-qdq-folded");
        folded = true;
      }
    }
    if (folded) helpers::compact(m_g, m_dead);
    return changed || folded;
  }

private:
  struct Quant {
    ir::ValueId scale = ir::kNone, zero = ir::kNone;
  };
  struct Weights {
    const ir::Tensor* data = nullptr;
    const ir::Tensor* scale = nullptr;
    int64_t axis = 0;
  };

  const ir::Node* producer(ir::ValueId v) const {
    const auto p = helpers::producerOf(m_g, v);
    return p == ir::kNone || m_dead[static_cast<std::size_t>(p)] ? nullptr : &m_g.nodes[static_cast<std::size_t>(p)];
  }
  const ir::Tensor* constant(ir::ValueId v) const { return helpers::constantOf(m_g, v); }
  ir::ValueId input(const ir::Node& n, std::size_t i) const { return i < n.inputs.size() ? n.inputs[i] : ir::kNone; }

  // Two parameter values hold the same data (or are both absent).
  bool sameParam(ir::ValueId a, ir::ValueId b) const {
    if (a == b) return true;
    const auto* ta = constant(a);
    const auto* tb = constant(b);
    return ta && tb && ta->dtype == tb->dtype && ta->dims == tb->dims && ta->byteSize() == tb->byteSize() &&
           std::memcmp(ta->data(), tb->data(), ta->byteSize()) == 0;
  }
  bool scalarConst(ir::ValueId v) const {
    const auto* t = constant(v);
    return t && t->numel() == 1;
  }
  bool zeroOrAbsent(ir::ValueId v) const {
    if (v == ir::kNone) return true;
    const auto* t = constant(v);
    if (!t) return false;
    for (auto z : t->toVector<int64_t>())
      if (z != 0) return false;
    return true;
  }
  bool noBlocks(const ir::Node& n) const { return n.attrs.getInt("block_size", 0) == 0; }

  // x is DequantizeLinear(QuantizeLinear(xf)) with one scalar scale / zero point: returns xf and them.
  std::optional<std::pair<ir::ValueId, Quant>> quantizedActivation(ir::ValueId x) const {
    const auto* dq = producer(x);
    if (!dq || !ir::gsop::isOnnx(*dq, "DequantizeLinear") || !noBlocks(*dq)) return std::nullopt;
    const auto* q = producer(input(*dq, 0));
    if (!q || !ir::gsop::isOnnx(*q, "QuantizeLinear") || !noBlocks(*q)) return std::nullopt;
    const Quant p{input(*dq, 1), input(*dq, 2)};
    if (!scalarConst(p.scale) || (p.zero != ir::kNone && !scalarConst(p.zero))) return std::nullopt;
    if (!sameParam(p.scale, input(*q, 1)) || !sameParam(p.zero, input(*q, 2))) return std::nullopt;
    const auto xf = input(*q, 0);
    if (m_g.values[static_cast<std::size_t>(xf)].dtype != ir::DataType::Float32) return std::nullopt;
    if (!isInt8(m_g.values[static_cast<std::size_t>(input(*dq, 0))].dtype)) return std::nullopt;
    return std::make_pair(xf, p);
  }

  // w is DequantizeLinear(constant int8, zero point 0) per tensor or along `axis` (of a rank-r tensor).
  std::optional<std::pair<ir::ValueId, Quant>> quantizedWeights(ir::ValueId w, int64_t axis) const {
    const auto* dq = producer(w);
    if (!dq || !ir::gsop::isOnnx(*dq, "DequantizeLinear") || !noBlocks(*dq)) return std::nullopt;
    const auto wq = input(*dq, 0);
    const auto* data = constant(wq);
    const auto* scale = constant(input(*dq, 1));
    if (!data || !scale || data->dtype != ir::DataType::Int8 || scale->dtype != ir::DataType::Float32 ||
        !zeroOrAbsent(input(*dq, 2)))
      return std::nullopt;
    if (scale->numel() != 1) {
      const auto rank = static_cast<int64_t>(data->dims.size());
      int64_t a = dq->attrs.getInt("axis", 1);
      if (a < 0) a += rank;
      if (a != axis || scale->dims.size() != 1 || scale->dims[0] != data->dims[static_cast<std::size_t>(axis)])
        return std::nullopt;
    }
    return std::make_pair(wq, Quant{input(*dq, 1), input(*dq, 2)});
  }

  // The bias as float: a float constant, or DequantizeLinear(constant int32) folded now.
  std::optional<ir::ValueId> floatBias(ir::ValueId b, int64_t channels) {
    if (b == ir::kNone) return ir::kNone;
    if (const auto* t = constant(b); t && t->dtype == ir::DataType::Float32)
      return t->numel() == channels ? std::optional(b) : std::nullopt;
    const auto* dq = producer(b);
    if (!dq || !ir::gsop::isOnnx(*dq, "DequantizeLinear") || !noBlocks(*dq)) return std::nullopt;
    const auto* q = constant(input(*dq, 0));
    const auto* s = constant(input(*dq, 1));
    if (!q || !s || q->dtype != ir::DataType::Int32 || q->numel() != channels || !zeroOrAbsent(input(*dq, 2)) ||
        (s->numel() != 1 && s->numel() != channels))
      return std::nullopt;
    const auto qv = q->toVector<double>();
    const auto sv = s->toVector<double>();
    std::vector<float> f(qv.size());
    for (std::size_t i = 0; i < qv.size(); ++i)
      f[i] = static_cast<float>(qv[i] * sv[sv.size() == 1 ? 0 : i]);
    return helpers::addFloatConstant(m_g, m_g.values[static_cast<std::size_t>(b)].name + "_dequantized", std::move(f),
                                     {channels});
  }

  // The node's output y is read by one QuantizeLinear whose output only DequantizeLinear nodes with the
  // same parameters read: fold that pair in. Returns the Q's parameters and marks the nodes dead.
  std::optional<Quant> foldOutputQdq(std::size_t node) {
    const auto y = m_g.nodes[node].outputs[0];
    if (m_uses[static_cast<std::size_t>(y)] != 1 || m_g.isGraphOutput(y)) return std::nullopt;
    const auto& readers = m_consumers[static_cast<std::size_t>(y)];
    if (readers.size() != 1) return std::nullopt;
    const auto qi = static_cast<std::size_t>(readers[0]);
    const auto& q = m_g.nodes[qi];
    if (m_dead[qi] || !ir::gsop::isOnnx(q, "QuantizeLinear") || !noBlocks(q) || q.outputs.size() != 1)
      return std::nullopt;
    const Quant p{input(q, 1), input(q, 2)};
    if (!scalarConst(p.scale) || (p.zero != ir::kNone && !scalarConst(p.zero))) return std::nullopt;
    if (p.zero != ir::kNone && !isInt8(constant(p.zero)->dtype)) return std::nullopt;
    const auto qy = q.outputs[0];
    if (m_g.isGraphOutput(qy)) return std::nullopt;
    const auto& dqs = m_consumers[static_cast<std::size_t>(qy)];
    if (dqs.empty()) return std::nullopt;
    for (auto d : dqs) {
      const auto& dq = m_g.nodes[static_cast<std::size_t>(d)];
      if (m_dead[static_cast<std::size_t>(d)] || !ir::gsop::isOnnx(dq, "DequantizeLinear") || !noBlocks(dq) ||
          input(dq, 0) != qy || !sameParam(input(dq, 1), p.scale) || !sameParam(input(dq, 2), p.zero))
        return std::nullopt;
    }
    // The first DequantizeLinear's output becomes the fused node's; the others read it.
    const auto first = static_cast<std::size_t>(dqs[0]);
    const auto out = m_g.nodes[first].outputs[0];
    for (std::size_t k = 1; k < dqs.size(); ++k) {
      const auto d = static_cast<std::size_t>(dqs[k]);
      const auto other = m_g.nodes[d].outputs[0];
      if (m_g.isGraphOutput(other)) return std::nullopt;
    }
    for (std::size_t k = 1; k < dqs.size(); ++k) {
      const auto d = static_cast<std::size_t>(dqs[k]);
      m_g.replaceUses(m_g.nodes[d].outputs[0], out);
      m_dead[d] = true;
    }
    m_g.nodes[first].outputs[0] = ir::kNone;
    helpers::takeOverOutput(m_g, y, out);
    m_dead[first] = true;
    m_dead[qi] = true;
    return p;
  }

  void finish(std::size_t i, std::string_view op, std::vector<ir::ValueId> inputs, ir::Attributes attrs) {
    auto& n = m_g.nodes[i];
    n.domain = std::string(ir::gsop::kDomain);
    n.opType = std::string(op);
    while (!inputs.empty() && inputs.back() == ir::kNone)
      inputs.pop_back();
    m_g.nodes[i].inputs = std::move(inputs);
    m_g.nodes[i].attrs = std::move(attrs);
    m_ctx.count("fused");
  }

  bool fuseConv(std::size_t i) {
    const auto node = m_g.nodes[i];
    const auto x = quantizedActivation(input(node, 0));
    if (!x) return false;
    const auto w = quantizedWeights(input(node, 1), 0);
    if (!w) return false;
    const auto* wt = constant(w->first);
    if (wt->dims.size() != 4) return false; // oneDNN's int8 conv here: 2-D convs
    const auto bias = floatBias(input(node, 2), wt->dims[0]);
    if (!bias) return false;
    finish(i, ir::gsop::kQuantConv,
           {x->first, w->first, *bias, x->second.scale, x->second.zero, w->second.scale, w->second.zero}, node.attrs);
    return true;
  }

  bool fuseMatMul(std::size_t i) {
    const auto node = m_g.nodes[i];
    const bool gemm = node.opType == "Gemm";
    const bool transB = gemm && node.attrs.getInt("transB", 0) != 0;
    if (gemm && (node.attrs.getInt("transA", 0) != 0 || node.attrs.getFloat("alpha", 1.0f) != 1.0f ||
                 node.attrs.getFloat("beta", 1.0f) != 1.0f))
      return false;
    const auto& a = m_g.values[static_cast<std::size_t>(input(node, 0))];
    if (!a.shape.rankKnown || a.shape.rank() < 2 || (gemm && a.shape.rank() != 2)) return false;
    const auto x = quantizedActivation(input(node, 0));
    if (!x) return false;
    // Per-column scales: axis 1 of B [K, N], axis 0 of a transposed Gemm B [N, K].
    const auto w = quantizedWeights(input(node, 1), transB ? 0 : 1);
    if (!w) return false;
    const auto* wt = constant(w->first);
    if (wt->dims.size() != 2) return false;
    ir::ValueId weights = w->first;
    const int64_t n = transB ? wt->dims[0] : wt->dims[1];
    if (transB) {
      const int64_t k = wt->dims[1];
      const auto src = wt->as<int8_t>();
      std::string bytes(static_cast<std::size_t>(n * k), '\0');
      for (int64_t r = 0; r < n; ++r)
        for (int64_t c = 0; c < k; ++c)
          bytes[static_cast<std::size_t>(c * n + r)] = static_cast<char>(src[static_cast<std::size_t>(r * k + c)]);
      weights = m_g.addConstant(m_g.uniqueName(m_g.values[static_cast<std::size_t>(w->first)].name + "_t"),
                                ir::Tensor::fromBytes(ir::DataType::Int8, {k, n}, std::move(bytes)));
    }
    auto bias = gemm ? floatBias(input(node, 2), n) : std::optional<ir::ValueId>(ir::kNone);
    if (!bias) return false;
    finish(i, ir::gsop::kQuantMatMul,
           {x->first, weights, *bias, x->second.scale, x->second.zero, w->second.scale, w->second.zero}, {});
    return true;
  }

  ir::Graph& m_g;
  PassContext& m_ctx;
  std::vector<int32_t> m_uses;
  std::vector<std::vector<ir::NodeId>> m_consumers;
  std::vector<bool> m_dead;
};

} // namespace

Expected<bool> fuseQdq(ir::Graph& g, PassContext& ctx) { return QdqFuser(g, ctx).run(); }

} // namespace gs::compiler::passes
