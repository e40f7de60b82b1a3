// JSON and text summaries of an om::Model.
#include "core/om/om_json.h"

#include <cstdio>
#include <sstream>

namespace gs::om {
namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 when it is not one.
std::size_t utf8SequenceLength(const std::string& s, std::size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  std::size_t len = 0;
  uint32_t cp = 0;
  if (c < 0x80) return 1;
  if ((c & 0xe0) == 0xc0) {
    len = 2;
    cp = c & 0x1f;
  } else if ((c & 0xf0) == 0xe0) {
    len = 3;
    cp = c & 0x0f;
  } else if ((c & 0xf8) == 0xf0) {
    len = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    const auto cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (cc & 0x3f);
  }
  const bool overlong = (len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000);
  if (overlong || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
  return len;
}

// Names and paths come from models and files: keep JSON valid whatever bytes they hold.
std::string utf8(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const auto len = utf8SequenceLength(s, i);
    if (len == 0) {
      out += "\xef\xbf\xbd";
      ++i;
    } else {
      out.append(s, i, len);
      i += len;
    }
  }
  return out;
}

nlohmann::json descsJson(const std::vector<TensorDesc>& descs) {
  auto arr = nlohmann::json::array();
  for (const auto& d : descs)
    arr.push_back({{"name", utf8(d.name)}, {"dtype", std::string(ir::dtypeName(d.dtype))}, {"shape", d.dims}});
  return arr;
}

std::string dimsText(const std::vector<int64_t>& dims) {
  std::string s = "[";
  for (std::size_t i = 0; i < dims.size(); ++i) {
    if (i) s += ',';
    s += dims[i] < 0 ? std::string("?") : std::to_string(dims[i]);
  }
  return s + "]";
}

std::string descsText(const std::vector<TensorDesc>& descs) {
  std::string s;
  for (std::size_t i = 0; i < descs.size(); ++i) {
    if (i) s += ' ';
    s += descs[i].name;
    s += ':';
    s += dimsText(descs[i].dims);
  }
  return s;
}

std::string bytesText(uint64_t bytes) {
  char buf[64];
  if (bytes >= (uint64_t{1} << 20))
    std::snprintf(buf, sizeof buf, " (%.2f MiB)", static_cast<double>(bytes) / (1 << 20));
  else if (bytes >= 1024)
    std::snprintf(buf, sizeof buf, " (%.2f KiB)", static_cast<double>(bytes) / 1024);
  else
    buf[0] = '\0';
  return std::to_string(bytes) + " bytes" + buf;
}

std::string rangeText(const InputRange& r) {
  std::string s = r.name + ":[";
  for (std::size_t i = 0; i < r.dims.size(); ++i) {
    const auto& d = r.dims[i];
    s += i ? "," : "";
    if (d.lo == d.hi)
      s += std::to_string(d.lo);
    else
      s += std::to_string(d.lo) + "~" + (d.hi < 0 ? std::string("-1") : std::to_string(d.hi));
  }
  return s + "]";
}

std::string valueName(const ir::Graph& g, ir::ValueId id) {
  if (id == ir::kNone || id < 0 || static_cast<std::size_t>(id) >= g.values.size()) return "";
  return utf8(g.values[static_cast<std::size_t>(id)].name);
}

nlohmann::json attributeJson(const ir::Attribute& a) {
  using K = ir::Attribute::Kind;
  auto tensorJson = [](const ir::Tensor& t) {
    return nlohmann::json{{"dtype", std::string(ir::dtypeName(t.dtype))}, {"dims", t.dims}};
  };
  switch (a.kind) {
  case K::Float:
    return a.f;
  case K::Int:
    return a.i;
  case K::String:
    return utf8(a.s);
  case K::Floats:
    return a.floats;
  case K::Ints:
    return a.ints;
  case K::Strings: {
    auto arr = nlohmann::json::array();
    for (const auto& s : a.strings)
      arr.push_back(utf8(s));
    return arr;
  }
  case K::Tensor:
    return {{"tensor", tensorJson(a.t)}};
  case K::Tensors: {
    auto arr = nlohmann::json::array();
    for (const auto& t : a.tensors)
      arr.push_back(tensorJson(t));
    return {{"tensors", arr}};
  }
  case K::Graph:
    return {{"graph", a.g ? graphJson(*a.g) : nlohmann::json(nullptr)}};
  case K::Graphs: {
    auto arr = nlohmann::json::array();
    for (const auto& g : a.graphs)
      arr.push_back(g ? graphJson(*g) : nlohmann::json(nullptr));
    return {{"graphs", arr}};
  }
  }
  return nullptr;
}

// "float16 41, float32 6 (nodes per compute dtype)".
std::string precisionText(const std::vector<ir::DataType>& nodePrecision) {
  std::string s;
  for (const auto& [name, count] : precisionSummary(nodePrecision))
    s += (s.empty() ? "" : ", ") + name + " " + std::to_string(count);
  return (s.empty() ? std::string("no float ops") : s) + " (nodes per compute dtype)";
}

} // namespace

std::map<std::string, int64_t> precisionSummary(const std::vector<ir::DataType>& nodePrecision) {
  std::map<std::string, int64_t> out;
  for (auto t : nodePrecision)
    if (t != ir::DataType::Undefined) ++out[std::string(ir::dtypeName(t))];
  return out;
}

nlohmann::json graphJson(const ir::Graph& g, const std::vector<ir::DataType>& nodePrecision) {
  auto names = [&](const std::vector<ir::ValueId>& ids) {
    auto arr = nlohmann::json::array();
    for (auto id : ids)
      arr.push_back(valueName(g, id));
    return arr;
  };
  auto nodes = nlohmann::json::array();
  const bool recorded = nodePrecision.size() == g.nodes.size();
  for (std::size_t k = 0; k < g.nodes.size(); ++k) {
    const auto& n = g.nodes[k];
    nlohmann::json attrs = nlohmann::json::object();
    for (const auto& [name, a] : n.attrs)
      attrs[utf8(name)] = attributeJson(a);
    nodes.push_back({{"name", utf8(n.name)},
                     {"domain", n.domain.empty() ? std::string("ai.onnx") : utf8(n.domain)},
                     {"op_type", utf8(n.opType)},
                     {"attributes", attrs},
                     {"inputs", names(n.inputs)},
                     {"outputs", names(n.outputs)}});
    if (recorded)
      nodes.back()["precision"] = nodePrecision[k] == ir::DataType::Undefined
                                      ? nlohmann::json(nullptr)
                                      : nlohmann::json(std::string(ir::dtypeName(nodePrecision[k])));
  }
  return {{"inputs", names(g.inputs)}, {"outputs", names(g.outputs)}, {"nodes", nodes}};
}

nlohmann::json toJson(const Model& model) {
  const auto& m = model.meta;
  nlohmann::json extra = nlohmann::json::object();
  for (const auto& [k, v] : m.extra)
    extra[utf8(k)] = utf8(v);
  nlohmann::json j;
  j["metadata"] = {{"producer", utf8(m.producer)},
                   {"producer_version", utf8(m.producerVersion)},
                   {"source_path", utf8(m.sourcePath)},
                   {"source_sha256", utf8(m.sourceSha256)},
                   {"atc_command", utf8(m.atcCommand)},
                   {"soc_version", utf8(m.socVersion)},
                   {"input_format", utf8(m.inputFormat)},
                   {"strategy", std::string(strategyName(m.strategy))},
                   {"opset", m.opset},
                   {"created_utc", utf8(m.createdUtc)},
                   {"compile_millis", m.compileMillis},
                   {"extra", extra}};
  j["weight_bytes"] = model.weightBytes;
  j["shared_arena_bytes"] = model.sharedArenaBytes;
  j["gear_count"] = model.gears.size();
  auto gears = nlohmann::json::array();
  for (const auto& g : model.gears) {
    auto passes = nlohmann::json::array();
    for (const auto& p : g.passes) {
      nlohmann::json counters = nlohmann::json::object();
      for (const auto& [k, v] : p.counters)
        counters[utf8(k)] = v;
      passes.push_back({{"pass", utf8(p.pass)},
                        {"nodes_before", p.nodesBefore},
                        {"nodes_after", p.nodesAfter},
                        {"millis", p.millis},
                        {"counters", counters}});
    }
    gears.push_back({{"index", g.index},
                     {"inputs", descsJson(g.inputs)},
                     {"outputs", descsJson(g.outputs)},
                     {"arena_bytes", g.arenaBytes},
                     {"arena_lower_bound_bytes", g.arenaLowerBoundBytes},
                     {"flops", g.flops},
                     {"node_count", g.graph.nodes.size()},
                     {"total_node_count", g.graph.totalNodeCount()},
                     {"compile_millis", g.compileMillis},
                     {"passes", passes},
                     {"graph", graphJson(g.graph, g.nodePrecision)}});
    if (!g.nodePrecision.empty()) gears.back()["precision"] = precisionSummary(g.nodePrecision);
    if (!g.paddedDims.empty()) {
      auto pd = nlohmann::json::array();
      for (const auto& [input, dim] : g.paddedDims)
        pd.push_back({input, dim});
      gears.back()["padded_dims"] = pd;
    }
    if (!g.crops.empty()) {
      auto crops = nlohmann::json::array();
      for (const auto& c : g.crops) {
        auto dims = nlohmann::json::array();
        for (const auto& d : c.dims)
          dims.push_back(
              d.follows() ? nlohmann::json{{"input", d.input}, {"dim", d.inputDim}, {"a", d.a}, {"b", d.b}, {"s", d.s}}
                          : nlohmann::json(nullptr));
        crops.push_back({{"dims", dims}, {"unsafe", utf8(c.unsafe)}, {"edge", utf8(c.edge)}});
      }
      gears.back()["crops"] = crops;
    }
  }
  j["gears"] = gears;
  if (model.dynamic) {
    auto inputs = nlohmann::json::array();
    for (const auto& r : model.dynamic->ranges) {
      auto dims = nlohmann::json::array();
      for (const auto& d : r.dims)
        dims.push_back({{"lo", d.lo}, {"hi", d.hi}});
      inputs.push_back({{"name", utf8(r.name)}, {"dtype", std::string(ir::dtypeName(r.dtype))}, {"dims", dims}});
    }
    const auto& g = model.dynamic->graph;
    j["dynamic"] = {{"inputs", inputs},
                    {"node_count", g.nodes.size()},
                    {"total_node_count", g.totalNodeCount()},
                    {"graph", graphJson(g, model.dynamic->nodePrecision)}};
    if (!model.dynamic->nodePrecision.empty())
      j["dynamic"]["precision"] = precisionSummary(model.dynamic->nodePrecision);
  }
  if (model.fallback)
    j["dynamic_fallback"] = {{"node_count", model.fallback->graph.nodes.size()},
                             {"graph", graphJson(model.fallback->graph, model.fallback->nodePrecision)}};
  return j;
}

std::string infoText(const Model& model) {
  const auto& m = model.meta;
  std::ostringstream os;
  os << "GearStudio offline model\n";
  os << "  producer:      " << m.producer << (m.producerVersion.empty() ? "" : " " + m.producerVersion) << "\n";
  os << "  source:        " << m.sourcePath << (m.sourceSha256.empty() ? "" : " (sha256 " + m.sourceSha256 + ")")
     << "\n";
  os << "  soc_version:   " << m.socVersion << "\n";
  os << "  strategy:      " << strategyName(m.strategy) << "\n";
  os << "  input_format:  " << m.inputFormat << "\n";
  os << "  opset:         " << m.opset << "\n";
  if (!m.createdUtc.empty()) os << "  created:       " << m.createdUtc << "\n";
  os << "  weight size:   " << bytesText(model.weightBytes) << "\n";
  os << "  memory size:   " << bytesText(model.sharedArenaBytes) << " (one arena shared by every gear)\n";
  os << "  gear count:    " << model.gears.size() << "\n";
  for (const auto& g : model.gears) {
    os << "  gear " << g.index << ": inputs " << descsText(g.inputs) << " -> outputs " << descsText(g.outputs) << "\n";
    os << "    arena " << bytesText(g.arenaBytes) << ", lower bound " << bytesText(g.arenaLowerBoundBytes) << ", "
       << g.graph.nodes.size() << " nodes\n";
    if (!g.nodePrecision.empty()) os << "    precision: " << precisionText(g.nodePrecision) << "\n";
  }
  if (model.dynamic) {
    os << "  dynamic graph: " << model.dynamic->graph.nodes.size() << " nodes; input ranges:";
    for (const auto& r : model.dynamic->ranges)
      os << " " << rangeText(r);
    os << "\n";
    if (!model.dynamic->nodePrecision.empty())
      os << "    precision: " << precisionText(model.dynamic->nodePrecision) << "\n";
  }
  if (model.fallback)
    os << "  dynamic fallback: " << model.fallback->graph.nodes.size() << " nodes (inputs outside every gear)\n";
  for (const auto& [k, v] : m.extra)
    os << "  " << k << ": " << v << "\n";
  os << "  ATC command:   " << m.atcCommand << "\n";
  return os.str();
}

} // namespace gs::om
