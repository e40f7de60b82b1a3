// ir::Graph <-> protobuf, and the de-duplicating weight pool.
#include "core/om/graph_codec.h"

#include <cstring>
#include <set>

#include "core/om/container.h"
#include "core/om/validate.h"

namespace gs::om::detail {
namespace {

using K = ir::Attribute::Kind;

// Attribute kinds as stored in the file; fixed numbers, independent of the enum's order.
struct KindCode {
  K kind;
  int32_t code;
};
constexpr KindCode kKindCodes[] = {{K::Float, 1},  {K::Int, 2},  {K::String, 3},  {K::Tensor, 4},  {K::Graph, 5},
                                   {K::Floats, 6}, {K::Ints, 7}, {K::Strings, 8}, {K::Tensors, 9}, {K::Graphs, 10}};

int32_t kindCode(K k) {
  for (const auto& kc : kKindCodes)
    if (kc.kind == k) return kc.code;
  return 0;
}

std::optional<K> kindFromCode(int32_t code) {
  for (const auto& kc : kKindCodes)
    if (kc.code == code) return kc.kind;
  return std::nullopt;
}

std::unexpected<Error> bad(const std::string& where, const std::string& what) {
  return makeError(codes::kFormat, where + what);
}

// Appends piecewise: GCC 12 reports a bogus -Wrestrict for "'" + std::string&& at -O3.
std::string quoted(const std::string& s) {
  std::string q(1, '\'');
  q.append(s, 0, 200);
  q.push_back('\'');
  return q;
}

uint64_t alignUp(uint64_t v) { return (v + format::kAlignment - 1) / format::kAlignment * format::kAlignment; }

void encodeAttribute(const std::string& name, const ir::Attribute& a, WeightPool& pool, pb::Attribute* out) {
  out->set_name(name);
  out->set_kind(kindCode(a.kind));
  switch (a.kind) {
  case K::Float:
    out->set_f(a.f);
    break;
  case K::Int:
    out->set_i(a.i);
    break;
  case K::String:
    out->set_s(a.s);
    break;
  case K::Tensor:
    encodeTensor(a.t, pool, true, out->mutable_t());
    break;
  case K::Graph:
    if (a.g) encodeGraph(*a.g, pool, out->mutable_g());
    break;
  case K::Floats:
    out->mutable_floats()->Add(a.floats.begin(), a.floats.end());
    break;
  case K::Ints:
    out->mutable_ints()->Add(a.ints.begin(), a.ints.end());
    break;
  case K::Strings:
    for (const auto& s : a.strings)
      out->add_strings(s);
    break;
  case K::Tensors:
    for (const auto& t : a.tensors)
      encodeTensor(t, pool, true, out->add_tensors());
    break;
  case K::Graphs:
    for (const auto& g : a.graphs) {
      auto* pg = out->add_graphs();
      if (g)
        encodeGraph(*g, pool, pg);
      else
        pg->set_absent(true);
    }
    break;
  }
}

Expected<ir::Attribute> decodeAttribute(const pb::Attribute& pa, const WeightTable& weights, int depth,
                                        const std::string& where) {
  const auto kind = kindFromCode(pa.kind());
  if (!kind) return bad(where, "has an unknown attribute kind " + std::to_string(pa.kind()));
  ir::Attribute a;
  a.kind = *kind;
  switch (a.kind) {
  case K::Float:
    a.f = pa.f();
    break;
  case K::Int:
    a.i = pa.i();
    break;
  case K::String:
    a.s = pa.s();
    break;
  case K::Tensor: {
    GS_ASSIGN_OR_RETURN(a.t, decodeTensor(pa.t(), weights, true, where + "tensor: "));
    break;
  }
  case K::Graph:
    if (pa.has_g()) {
      GS_ASSIGN_OR_RETURN(auto g, decodeGraph(pa.g(), weights, depth + 1, where + "/ "));
      a.g = std::make_shared<ir::Graph>(std::move(g));
    }
    break;
  case K::Floats:
    a.floats.assign(pa.floats().begin(), pa.floats().end());
    break;
  case K::Ints:
    a.ints.assign(pa.ints().begin(), pa.ints().end());
    break;
  case K::Strings:
    a.strings.assign(pa.strings().begin(), pa.strings().end());
    break;
  case K::Tensors:
    for (const auto& pt : pa.tensors()) {
      GS_ASSIGN_OR_RETURN(auto t, decodeTensor(pt, weights, true, where + "tensor: "));
      a.tensors.push_back(std::move(t));
    }
    break;
  case K::Graphs:
    for (const auto& pg : pa.graphs()) {
      if (pg.absent()) {
        a.graphs.push_back(nullptr);
        continue;
      }
      GS_ASSIGN_OR_RETURN(auto g, decodeGraph(pg, weights, depth + 1, where + "/ "));
      a.graphs.push_back(std::make_shared<ir::Graph>(std::move(g)));
    }
    break;
  }
  return a;
}

} // namespace

uint32_t WeightPool::add(const std::shared_ptr<const ir::Buffer>& buffer, const std::byte* data, uint64_t size) {
  const auto location = std::make_tuple(buffer.get(), data, size);
  if (auto it = m_byLocation.find(location); it != m_byLocation.end()) return it->second;

  const uint64_t key = (uint64_t{format::crc32(data, size)} << 32) ^ size;
  auto [lo, hi] = m_byContent.equal_range(key);
  for (auto it = lo; it != hi; ++it) {
    const auto& c = m_chunks[it->second];
    if (c.size == size && (size == 0 || std::memcmp(c.data, data, size) == 0)) {
      m_byLocation.emplace(location, it->second);
      return it->second;
    }
  }
  const auto id = static_cast<uint32_t>(m_chunks.size());
  const uint64_t offset = alignUp(m_end);
  m_chunks.push_back(Chunk{data, size, offset});
  m_end = offset + size;
  m_distinct += size;
  m_byContent.emplace(key, id);
  m_byLocation.emplace(location, id);
  return id;
}

void encodeTensor(const ir::Tensor& t, WeightPool& pool, bool allowInline, pb::Tensor* out) {
  out->set_dtype(static_cast<int32_t>(t.dtype));
  out->mutable_dims()->Add(t.dims.begin(), t.dims.end());
  if (t.dtype == ir::DataType::String) {
    for (const auto& s : t.strings)
      out->add_strings(s);
    return;
  }
  if (t.dtype == ir::DataType::Undefined) return;
  const uint64_t bytes = t.byteSize();
  if (allowInline && bytes <= format::kInlineTensorBytes) {
    out->set_inline_bytes(bytes ? std::string(reinterpret_cast<const char*>(t.data()), bytes) : std::string());
    return;
  }
  out->set_weight(pool.add(t.buffer, bytes ? t.data() : nullptr, bytes));
}

void encodeGraph(const ir::Graph& g, WeightPool& pool, pb::Graph* out) {
  out->set_name(g.name);
  for (const auto& v : g.values) {
    auto* pv = out->add_values();
    pv->set_name(v.name);
    pv->set_dtype(static_cast<int32_t>(v.dtype));
    auto* ps = pv->mutable_shape();
    ps->set_rank_known(v.shape.rankKnown);
    for (const auto& d : v.shape.dims) {
      auto* pd = ps->add_dims();
      pd->set_value(d.value);
      pd->set_symbol(d.symbol);
    }
    if (v.constant) encodeTensor(*v.constant, pool, false, pv->mutable_constant());
    pv->set_outer_scope(v.outerScope);
  }
  for (const auto& n : g.nodes) {
    auto* pn = out->add_nodes();
    pn->set_name(n.name);
    pn->set_op_type(n.opType);
    pn->set_domain(n.domain);
    pn->mutable_inputs()->Add(n.inputs.begin(), n.inputs.end());
    pn->mutable_outputs()->Add(n.outputs.begin(), n.outputs.end());
    for (const auto& [name, a] : n.attrs)
      encodeAttribute(name, a, pool, pn->add_attrs());
  }
  out->mutable_inputs()->Add(g.inputs.begin(), g.inputs.end());
  out->mutable_outputs()->Add(g.outputs.begin(), g.outputs.end());
}

Expected<ir::DataType> decodeDtype(int32_t value, const std::string& where) {
  const auto dt = ir::dtypeFromOnnx(value);
  if (!dt) return bad(where, "has an unknown dtype " + std::to_string(value));
  return *dt;
}

Expected<ir::Tensor> decodeTensor(const pb::Tensor& pt, const WeightTable& weights, bool allowInline,
                                  const std::string& where) {
  ir::Tensor t;
  GS_ASSIGN_OR_RETURN(t.dtype, decodeDtype(pt.dtype(), where));
  t.dims.assign(pt.dims().begin(), pt.dims().end());
  const auto n = checkedElements(t.dims);
  if (!n) return bad(where, "has negative dims or more than 2^48 elements");
  if (t.dtype == ir::DataType::String) {
    if (pt.data_case() != pb::Tensor::DATA_NOT_SET) return bad(where, "is a string tensor with binary data");
    if (static_cast<int64_t>(pt.strings_size()) != *n)
      return bad(where, "is a string tensor of " + std::to_string(*n) + " elements with " +
                            std::to_string(pt.strings_size()) + " strings");
    t.strings.assign(pt.strings().begin(), pt.strings().end());
    return t;
  }
  if (pt.strings_size() != 0) return bad(where, "has strings but is not a string tensor");
  const uint64_t bytes = static_cast<uint64_t>(*n) * ir::dtypeSize(t.dtype);
  switch (pt.data_case()) {
  case pb::Tensor::kWeight: {
    if (t.dtype == ir::DataType::Undefined) return bad(where, "refers to a weight but has no dtype");
    if (pt.weight() >= weights.entries.size())
      return bad(where,
                 "refers to weight " + std::to_string(pt.weight()) + " of " + std::to_string(weights.entries.size()));
    const auto& e = weights.entries[pt.weight()];
    if (e.size() != bytes)
      return bad(where, "needs " + std::to_string(bytes) + " bytes but weight " + std::to_string(pt.weight()) +
                            " has " + std::to_string(e.size()));
    t.buffer = weights.file;
    t.offset = static_cast<std::size_t>(weights.sectionOffset + e.offset());
    return t;
  }
  case pb::Tensor::kInlineBytes:
    if (!allowInline) return bad(where, "stores its data inline; constants must live in WEIGHTS");
    if (pt.inline_bytes().size() != bytes)
      return bad(where, "needs " + std::to_string(bytes) + " bytes but has " +
                            std::to_string(pt.inline_bytes().size()) + " inline");
    t.buffer = std::make_shared<ir::StringBuffer>(pt.inline_bytes());
    return t;
  case pb::Tensor::DATA_NOT_SET:
    break;
  }
  if (bytes != 0) return bad(where, "has " + std::to_string(bytes) + " bytes of elements but no data");
  return t;
}

Expected<ir::Graph> decodeGraph(const pb::Graph& pg, const WeightTable& weights, int depth, const std::string& outer) {
  const std::string where = outer + "graph " + quoted(pg.name()) + ": ";
  if (depth > format::kMaxSubgraphDepth)
    return bad(where, "subgraphs are nested deeper than " + std::to_string(format::kMaxSubgraphDepth) + " levels");
  if (pg.absent()) return bad(where, "is marked absent outside a graph list");
  if (static_cast<uint64_t>(pg.values_size()) >= static_cast<uint64_t>(INT32_MAX)) return bad(where, "too many values");
  ir::Graph g;
  g.name = pg.name();
  g.values.reserve(static_cast<std::size_t>(pg.values_size()));
  for (int i = 0; i < pg.values_size(); ++i) {
    const auto& pv = pg.values(i);
    const std::string vw = where + "value " + std::to_string(i) + " " + quoted(pv.name()) + " ";
    ir::Value v;
    v.name = pv.name();
    GS_ASSIGN_OR_RETURN(v.dtype, decodeDtype(pv.dtype(), vw));
    v.shape.rankKnown = pv.shape().rank_known();
    v.shape.dims.reserve(static_cast<std::size_t>(pv.shape().dims_size()));
    for (const auto& pd : pv.shape().dims())
      v.shape.dims.push_back(ir::Dim{pd.value(), pd.symbol()});
    if (pv.has_constant()) {
      GS_ASSIGN_OR_RETURN(auto t, decodeTensor(pv.constant(), weights, false, vw + "constant "));
      v.constant = std::move(t);
    }
    v.outerScope = pv.outer_scope();
    g.values.push_back(std::move(v));
  }
  const auto nv = static_cast<int64_t>(g.values.size());
  auto idOk = [&](int32_t id, bool allowNone) { return (allowNone && id == ir::kNone) || (id >= 0 && id < nv); };
  g.nodes.reserve(static_cast<std::size_t>(pg.nodes_size()));
  for (int i = 0; i < pg.nodes_size(); ++i) {
    const auto& pn = pg.nodes(i);
    const std::string nw = where + "node " + std::to_string(i) + " " + quoted(pn.name()) + " ";
    ir::Node n;
    n.name = pn.name();
    n.opType = pn.op_type();
    n.domain = pn.domain();
    for (auto id : pn.inputs()) {
      if (!idOk(id, true)) return bad(nw, "reads value id " + std::to_string(id) + " out of range");
      n.inputs.push_back(id);
    }
    for (auto id : pn.outputs()) {
      if (!idOk(id, true)) return bad(nw, "writes value id " + std::to_string(id) + " out of range");
      n.outputs.push_back(id);
      if (id != ir::kNone) g.values[static_cast<std::size_t>(id)].producer = static_cast<ir::NodeId>(i);
    }
    for (const auto& pa : pn.attrs()) {
      if (n.attrs.has(pa.name())) return bad(nw, "has attribute " + quoted(pa.name()) + " twice");
      GS_ASSIGN_OR_RETURN(auto a, decodeAttribute(pa, weights, depth, nw + "attribute " + quoted(pa.name()) + " "));
      n.attrs.set(pa.name(), std::move(a));
    }
    g.nodes.push_back(std::move(n));
  }
  for (auto id : pg.inputs()) {
    if (!idOk(id, false)) return bad(where, "graph input id " + std::to_string(id) + " out of range");
    g.inputs.push_back(id);
  }
  for (auto id : pg.outputs()) {
    if (!idOk(id, false)) return bad(where, "graph output id " + std::to_string(id) + " out of range");
    g.outputs.push_back(id);
  }
  return g;
}

} // namespace gs::om::detail
