// Model-level checks shared by the .om writer and reader.
#include "core/om/validate.h"

#include <set>
#include <string>

#include "core/om/container.h"

namespace gs::om {
namespace {

using format::kMaxElements;
using format::kMaxNameBytes;
using format::kMaxTextBytes;

Status fail(const std::string& where, const std::string& what) { return makeError(codes::kInvalid, where + what); }

Status checkName(const std::string& s, const std::string& where, const char* what) {
  if (s.size() > kMaxNameBytes)
    return fail(where, std::string(what) + " is " + std::to_string(s.size()) + " bytes long (limit " +
                           std::to_string(kMaxNameBytes) + ")");
  return ok();
}

Status checkText(const std::string& s, const std::string& where, const char* what) {
  if (s.size() > kMaxTextBytes)
    return fail(where, std::string(what) + " is " + std::to_string(s.size()) + " bytes long (limit " +
                           std::to_string(kMaxTextBytes) + ")");
  return ok();
}

// Appends piecewise: GCC 12 reports a bogus -Wrestrict for "'" + std::string&& at -O3.
std::string quoted(const std::string& s) {
  std::string q(1, '\'');
  q.append(s, 0, 200);
  q.push_back('\'');
  return q;
}

Status checkTensor(const ir::Tensor& t, const std::string& where) {
  if (!detail::isValidDtype(t.dtype))
    return fail(where, "has invalid dtype " + std::to_string(static_cast<int32_t>(t.dtype)));
  const auto n = detail::checkedElements(t.dims);
  if (!n) return fail(where, "has negative dims or too many elements");
  if (t.dtype == ir::DataType::String) {
    if (static_cast<int64_t>(t.strings.size()) != *n)
      return fail(where, "is a string tensor of " + std::to_string(*n) + " elements with " +
                             std::to_string(t.strings.size()) + " strings");
    for (const auto& s : t.strings)
      GS_RETURN_IF_ERROR(checkText(s, where, "a string element"));
    return ok();
  }
  const uint64_t bytes = static_cast<uint64_t>(*n) * ir::dtypeSize(t.dtype);
  if (bytes == 0) return ok();
  if (!t.buffer) return fail(where, "has " + std::to_string(bytes) + " bytes of elements but no data");
  const auto have = t.buffer->size();
  if (t.offset > have || bytes > have - t.offset)
    return fail(where, "needs " + std::to_string(bytes) + " bytes at offset " + std::to_string(t.offset) + " of a " +
                           std::to_string(have) + "-byte buffer");
  return ok();
}

Status checkGraph(const ir::Graph& g, int depth, const std::string& where);

Status checkAttribute(const std::string& name, const ir::Attribute& a, int depth, const std::string& where) {
  GS_RETURN_IF_ERROR(checkName(name, where, "an attribute name"));
  const std::string at = where + "attribute " + quoted(name) + " ";
  using K = ir::Attribute::Kind;
  switch (a.kind) {
  case K::Float:
  case K::Int:
  case K::Floats:
  case K::Ints:
    return ok();
  case K::String:
    return checkText(a.s, at, "its string");
  case K::Strings:
    for (const auto& s : a.strings)
      GS_RETURN_IF_ERROR(checkText(s, at, "a string"));
    return ok();
  case K::Tensor:
    return checkTensor(a.t, at + "tensor ");
  case K::Tensors:
    for (const auto& t : a.tensors)
      GS_RETURN_IF_ERROR(checkTensor(t, at + "tensor "));
    return ok();
  case K::Graph:
    return a.g ? checkGraph(*a.g, depth + 1, at + "/ ") : ok();
  case K::Graphs:
    for (const auto& sg : a.graphs)
      if (sg) GS_RETURN_IF_ERROR(checkGraph(*sg, depth + 1, at + "/ "));
    return ok();
  }
  return fail(at, "has an unknown kind " + std::to_string(static_cast<int>(a.kind)));
}

Status checkGraph(const ir::Graph& g, int depth, const std::string& outer) {
  const std::string where = outer + "graph " + quoted(g.name) + ": ";
  if (depth > format::kMaxSubgraphDepth)
    return fail(where, "subgraphs are nested deeper than " + std::to_string(format::kMaxSubgraphDepth) + " levels");
  GS_RETURN_IF_ERROR(checkName(g.name, where, "the graph name"));
  if (g.values.size() >= static_cast<std::size_t>(INT32_MAX)) return fail(where, "has too many values");
  const auto nv = static_cast<int64_t>(g.values.size());
  for (std::size_t i = 0; i < g.values.size(); ++i) {
    const auto& v = g.values[i];
    const std::string vw = where + "value " + std::to_string(i) + " " + quoted(v.name) + " ";
    GS_RETURN_IF_ERROR(checkName(v.name, vw, "its name"));
    if (!detail::isValidDtype(v.dtype))
      return fail(vw, "has invalid dtype " + std::to_string(static_cast<int32_t>(v.dtype)));
    if (!v.shape.rankKnown && !v.shape.dims.empty()) return fail(vw, "has dims but an unknown rank");
    std::vector<int64_t> known;
    for (const auto& d : v.shape.dims) {
      if (d.value < -1) return fail(vw, "has a negative dim " + std::to_string(d.value));
      GS_RETURN_IF_ERROR(checkName(d.symbol, vw, "a dim symbol"));
      if (d.value >= 0) known.push_back(d.value);
    }
    if (!detail::checkedElements(known)) return fail(vw, "has more than 2^48 elements");
    if (v.constant) GS_RETURN_IF_ERROR(checkTensor(*v.constant, vw + "constant "));
  }
  auto inRange = [&](ir::ValueId id, bool allowNone) { return (allowNone && id == ir::kNone) || (id >= 0 && id < nv); };
  for (std::size_t i = 0; i < g.nodes.size(); ++i) {
    const auto& n = g.nodes[i];
    const std::string nw = where + "node " + std::to_string(i) + " " + quoted(n.name) + " ";
    GS_RETURN_IF_ERROR(checkName(n.name, nw, "its name"));
    GS_RETURN_IF_ERROR(checkName(n.opType, nw, "its op type"));
    GS_RETURN_IF_ERROR(checkName(n.domain, nw, "its domain"));
    for (auto id : n.inputs)
      if (!inRange(id, true)) return fail(nw, "reads value id " + std::to_string(id) + " out of range");
    for (auto id : n.outputs)
      if (!inRange(id, true)) return fail(nw, "writes value id " + std::to_string(id) + " out of range");
    for (const auto& [an, a] : n.attrs)
      GS_RETURN_IF_ERROR(checkAttribute(an, a, depth, nw));
  }
  // Producers must match the nodes' outputs exactly: the reader derives them, and ir::verify()
  // would index nodes by a stale producer id.
  std::vector<ir::NodeId> producedBy(g.values.size(), ir::kNone);
  for (std::size_t i = 0; i < g.nodes.size(); ++i)
    for (auto id : g.nodes[i].outputs)
      if (id != ir::kNone) producedBy[static_cast<std::size_t>(id)] = static_cast<ir::NodeId>(i);
  for (std::size_t i = 0; i < g.values.size(); ++i)
    if (g.values[i].producer != producedBy[i])
      return fail(where, "value " + quoted(g.values[i].name) + " has producer " + std::to_string(g.values[i].producer) +
                             " but is written by node " + std::to_string(producedBy[i]));
  for (auto id : g.inputs)
    if (!inRange(id, false)) return fail(where, "graph input id " + std::to_string(id) + " out of range");
  for (auto id : g.outputs)
    if (!inRange(id, false)) return fail(where, "graph output id " + std::to_string(id) + " out of range");
  return ok();
}

// Top-level graphs: structural limits first (so verify() only sees ids in range), then verify().
Status checkTopGraph(const ir::Graph& g, const std::string& where) {
  GS_RETURN_IF_ERROR(checkGraph(g, 0, where));
  if (auto st = ir::verify(g); !st) return fail(where, st.error().message);
  return ok();
}

Status checkDescs(const std::vector<TensorDesc>& descs, std::size_t expected, const std::string& where,
                  const char* what) {
  if (descs.size() != expected)
    return fail(where, "has " + std::to_string(descs.size()) + " " + what + " descriptions for " +
                           std::to_string(expected) + " graph " + what);
  for (const auto& d : descs) {
    GS_RETURN_IF_ERROR(checkName(d.name, where, "a tensor description name"));
    if (!detail::isValidDtype(d.dtype))
      return fail(where, std::string(what) + " " + quoted(d.name) + " has an invalid dtype");
    std::vector<int64_t> known;
    for (auto v : d.dims) {
      if (v < -1) return fail(where, std::string(what) + " " + quoted(d.name) + " has a negative dim");
      if (v >= 0) known.push_back(v);
    }
    if (!detail::checkedElements(known)) return fail(where, std::string(what) + " " + quoted(d.name) + " is too large");
  }
  return ok();
}

Status checkGear(const GearPlan& gear, uint64_t sharedArena, const std::string& where) {
  if (gear.index < 0) return fail(where, "has a negative index");
  GS_RETURN_IF_ERROR(checkTopGraph(gear.graph, where));
  GS_RETURN_IF_ERROR(checkDescs(gear.inputs, gear.graph.inputs.size(), where, "inputs"));
  GS_RETURN_IF_ERROR(checkDescs(gear.outputs, gear.graph.outputs.size(), where, "outputs"));
  if (gear.arenaBytes > sharedArena)
    return fail(where, "needs " + std::to_string(gear.arenaBytes) + " arena bytes but the shared arena has " +
                           std::to_string(sharedArena));
  if (gear.arenaLowerBoundBytes > format::kMaxArenaBytes) return fail(where, "has an absurd arena lower bound");
  if (gear.offsets.size() != gear.graph.values.size())
    return fail(where, "has " + std::to_string(gear.offsets.size()) + " arena offsets for " +
                           std::to_string(gear.graph.values.size()) + " values");
  for (std::size_t i = 0; i < gear.offsets.size(); ++i) {
    const auto off = gear.offsets[i];
    if (off == -1) continue;
    const auto& v = gear.graph.values[i];
    const std::string vw = where + "value " + std::to_string(i) + " " + quoted(v.name) + " ";
    if (off < -1) return fail(vw, "has an invalid arena offset " + std::to_string(off));
    const auto dims = v.shape.values();
    const auto bytes = dims ? detail::denseBytes(v.dtype, *dims) : std::nullopt;
    if (!bytes) return fail(vw, "has an arena offset but no static shape and fixed-size dtype");
    const auto uoff = static_cast<uint64_t>(off);
    if (uoff > gear.arenaBytes || *bytes > gear.arenaBytes - uoff)
      return fail(vw, "(" + std::to_string(*bytes) + " bytes at offset " + std::to_string(off) +
                          ") does not fit the gear's " + std::to_string(gear.arenaBytes) + "-byte arena");
  }
  if (!gear.nodePrecision.empty() && gear.nodePrecision.size() != gear.graph.nodes.size())
    return fail(where, "has a precision record of " + std::to_string(gear.nodePrecision.size()) + " entries for " +
                           std::to_string(gear.graph.nodes.size()) + " nodes");
  for (auto t : gear.nodePrecision)
    if (t != ir::DataType::Undefined && !ir::isFloat(t))
      return fail(where, "has a precision record entry that is not a float dtype");
  for (const auto& [input, dim] : gear.paddedDims)
    if (input < 0 || static_cast<std::size_t>(input) >= gear.inputs.size() || dim < 0 ||
        static_cast<std::size_t>(dim) >= gear.inputs[static_cast<std::size_t>(input)].dims.size())
      return fail(where, "lists padded input dim " + std::to_string(input) + "." + std::to_string(dim) +
                             " that the gear does not have");
  if (!gear.crops.empty() && gear.crops.size() != gear.outputs.size())
    return fail(where, "has " + std::to_string(gear.crops.size()) + " output crop entries for " +
                           std::to_string(gear.outputs.size()) + " outputs");
  for (std::size_t o = 0; o < gear.crops.size(); ++o) {
    const auto& crop = gear.crops[o];
    const std::string cw = where + "crop of output " + std::to_string(o) + " ";
    GS_RETURN_IF_ERROR(checkText(crop.unsafe, cw, "a reason"));
    GS_RETURN_IF_ERROR(checkText(crop.edge, cw, "an edge note"));
    if (crop.dims.size() != gear.outputs[o].dims.size())
      return fail(cw, "has " + std::to_string(crop.dims.size()) + " dims for an output of rank " +
                          std::to_string(gear.outputs[o].dims.size()));
    for (const auto& d : crop.dims) {
      if (d.input < 0) continue;
      if (static_cast<std::size_t>(d.input) >= gear.inputs.size() || d.inputDim < 0 ||
          static_cast<std::size_t>(d.inputDim) >= gear.inputs[static_cast<std::size_t>(d.input)].dims.size())
        return fail(cw, "names input dim " + std::to_string(d.input) + "." + std::to_string(d.inputDim) +
                            " that the gear does not have");
      constexpr int64_t kMaxFactor = int64_t{1} << 20;
      if (d.a < 1 || d.s < 1 || d.a > kMaxFactor || d.s > kMaxFactor || d.b > kMaxFactor || d.b < -kMaxFactor)
        return fail(cw, "has an invalid size rule");
    }
  }
  for (const auto& p : gear.passes) {
    GS_RETURN_IF_ERROR(checkName(p.pass, where, "a pass name"));
    for (const auto& [k, v] : p.counters)
      GS_RETURN_IF_ERROR(checkName(k, where, "a pass counter name"));
  }
  return ok();
}

Status checkDynamic(const DynamicModel& d) {
  const std::string where = "dynamic graph: ";
  GS_RETURN_IF_ERROR(checkTopGraph(d.graph, where));
  if (!d.nodePrecision.empty() && d.nodePrecision.size() != d.graph.nodes.size())
    return fail(where, "has a precision record of " + std::to_string(d.nodePrecision.size()) + " entries for " +
                           std::to_string(d.graph.nodes.size()) + " nodes");
  std::set<std::string> inputNames;
  for (auto id : d.graph.inputs)
    inputNames.insert(d.graph.values[static_cast<std::size_t>(id)].name);
  for (const auto& r : d.ranges) {
    const std::string rw = where + "range of input " + quoted(r.name) + " ";
    if (!inputNames.count(r.name)) return fail(rw, "names no graph input");
    if (!detail::isValidDtype(r.dtype)) return fail(rw, "has an invalid dtype");
    for (const auto& dr : r.dims)
      if (dr.lo < 0 || (dr.hi != -1 && dr.hi < dr.lo) || dr.lo > kMaxElements || dr.hi > kMaxElements)
        return fail(rw, "has an invalid dim range [" + std::to_string(dr.lo) + "," + std::to_string(dr.hi) + "]");
  }
  return ok();
}

} // namespace

namespace detail {

bool isValidDtype(ir::DataType dtype) { return ir::dtypeFromOnnx(static_cast<int32_t>(dtype)).has_value(); }

std::optional<int64_t> checkedElements(const std::vector<int64_t>& dims) {
  int64_t n = 1;
  bool zero = false;
  for (auto d : dims) {
    if (d < 0) return std::nullopt;
    if (d == 0) zero = true;
  }
  if (zero) return 0;
  for (auto d : dims) {
    if (d > kMaxElements / n) return std::nullopt;
    n *= d;
  }
  return n;
}

std::optional<uint64_t> denseBytes(ir::DataType dtype, const std::vector<int64_t>& dims) {
  const auto size = ir::dtypeSize(dtype);
  if (size == 0 || !isValidDtype(dtype)) return std::nullopt;
  const auto n = checkedElements(dims);
  if (!n) return std::nullopt;
  return static_cast<uint64_t>(*n) * size; // n <= 2^48, size <= 16: no overflow
}

} // namespace detail

Status validate(const Model& m) {
  const auto& md = m.meta;
  for (const auto* s : {&md.producer, &md.producerVersion, &md.sourcePath, &md.sourceSha256, &md.atcCommand,
                        &md.socVersion, &md.inputFormat, &md.createdUtc})
    GS_RETURN_IF_ERROR(checkText(*s, "metadata: ", "a field"));
  for (const auto& [k, v] : md.extra) {
    GS_RETURN_IF_ERROR(checkName(k, "metadata: ", "an extra key"));
    GS_RETURN_IF_ERROR(checkText(v, "metadata: ", "an extra value"));
  }
  if (m.gears.empty() && !m.dynamic) return fail("", "the model has neither gears nor a dynamic graph");
  if (m.sharedArenaBytes > format::kMaxArenaBytes)
    return fail("", "shared arena of " + std::to_string(m.sharedArenaBytes) + " bytes is absurd");
  std::set<int> indices;
  for (std::size_t i = 0; i < m.gears.size(); ++i) {
    const auto& gear = m.gears[i];
    const std::string where = "gear " + std::to_string(gear.index) + ": ";
    if (!indices.insert(gear.index).second) return fail(where, "gear index appears twice");
    GS_RETURN_IF_ERROR(checkGear(gear, m.sharedArenaBytes, where));
  }
  if (m.dynamic) GS_RETURN_IF_ERROR(checkDynamic(*m.dynamic));
  if (m.fallback) {
    if (m.gears.empty()) return fail("", "a dynamic fallback graph needs gears to fall back from");
    GS_RETURN_IF_ERROR(checkDynamic(*m.fallback));
  }
  return ok();
}

} // namespace gs::om
