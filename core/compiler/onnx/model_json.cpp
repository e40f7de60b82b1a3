// Model and graph to JSON.
#include "core/compiler/onnx/model_json.h"

namespace gs::onnx_import {
namespace {

using nlohmann::json;

// Length of the valid UTF-8 sequence at s[i], or 0 when it is not valid.
std::size_t utf8Length(const std::string& s, std::size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  std::size_t n = 0;
  if (c < 0x80) return 1;
  if ((c & 0xE0) == 0xC0 && c >= 0xC2)
    n = 2;
  else if ((c & 0xF0) == 0xE0)
    n = 3;
  else if ((c & 0xF8) == 0xF0 && c <= 0xF4)
    n = 4;
  else
    return 0;
  if (i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k)
    if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return 0;
  return n;
}

// Model strings come from the file and may hold any bytes; JSON needs UTF-8.
std::string text(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const auto n = utf8Length(s, i);
    if (n == 0) {
      static const char* hex = "0123456789abcdef";
      const auto c = static_cast<unsigned char>(s[i]);
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
      ++i;
    } else {
      out.append(s, i, n);
      i += n;
    }
  }
  return out;
}

json shapeJson(const ir::Shape& s) {
  if (!s.rankKnown) return nullptr;
  json dims = json::array();
  for (const auto& d : s.dims) {
    if (d.isKnown())
      dims.push_back(d.value);
    else if (d.isSymbolic())
      dims.push_back(text(d.symbol));
    else
      dims.push_back("?");
  }
  return dims;
}

json valueJson(const ir::Value& v) {
  return {{"name", text(v.name)}, {"dtype", std::string(ir::dtypeName(v.dtype))}, {"shape", shapeJson(v.shape)}};
}

json tensorJson(const ir::Tensor& t) {
  json j = {{"dtype", std::string(ir::dtypeName(t.dtype))}, {"dims", t.dims}};
  const auto n = t.numel();
  if (n > 16) return j;
  if (t.dtype == ir::DataType::String) {
    json values = json::array();
    for (const auto& s : t.strings)
      values.push_back(text(s));
    j["values"] = values;
  } else if (t.dtype == ir::DataType::Float32 || t.dtype == ir::DataType::Float64) {
    if (t.data() && t.byteSize() <= (t.buffer->size() - t.offset)) j["values"] = t.toVector<double>();
  } else if (ir::dtypeSize(t.dtype) > 0 && t.dtype != ir::DataType::Float16 && t.dtype != ir::DataType::BFloat16 &&
             t.dtype != ir::DataType::Complex64 && t.dtype != ir::DataType::Complex128) {
    if (t.data() && t.byteSize() <= (t.buffer->size() - t.offset)) j["values"] = t.toVector<int64_t>();
  }
  return j;
}

json attributeJson(const ir::Attribute& a) {
  using K = ir::Attribute::Kind;
  json j = {{"type", ir::attributeKindName(a.kind)}};
  switch (a.kind) {
  case K::Float:
    j["value"] = a.f;
    break;
  case K::Int:
    j["value"] = a.i;
    break;
  case K::String:
    j["value"] = text(a.s);
    break;
  case K::Tensor:
    j["value"] = tensorJson(a.t);
    break;
  case K::Graph:
    j["value"] = a.g ? graphToJson(*a.g) : json(nullptr);
    break;
  case K::Floats:
    j["value"] = a.floats;
    break;
  case K::Ints:
    j["value"] = a.ints;
    break;
  case K::Strings: {
    json list = json::array();
    for (const auto& s : a.strings)
      list.push_back(text(s));
    j["value"] = list;
    break;
  }
  case K::Tensors: {
    json list = json::array();
    for (const auto& t : a.tensors)
      list.push_back(tensorJson(t));
    j["value"] = list;
    break;
  }
  case K::Graphs: {
    json list = json::array();
    for (const auto& g : a.graphs)
      list.push_back(g ? graphToJson(*g) : json(nullptr));
    j["value"] = list;
    break;
  }
  }
  return j;
}

json valueNames(const ir::Graph& g, const std::vector<ir::ValueId>& ids) {
  json names = json::array();
  for (auto id : ids)
    names.push_back(id == ir::kNone ? std::string() : text(g.values[static_cast<std::size_t>(id)].name));
  return names;
}

} // namespace

json graphToJson(const ir::Graph& g) {
  json inputs = json::array();
  for (auto id : g.inputs)
    inputs.push_back(valueJson(g.values[static_cast<std::size_t>(id)]));
  json outputs = json::array();
  for (auto id : g.outputs)
    outputs.push_back(valueJson(g.values[static_cast<std::size_t>(id)]));
  json nodes = json::array();
  for (const auto& n : g.nodes) {
    json attrs = json::object();
    for (const auto& [name, a] : n.attrs)
      attrs[text(name)] = attributeJson(a);
    nodes.push_back({{"name", text(n.name)},
                     {"op_type", text(n.opType)},
                     {"domain", text(n.domain)},
                     {"inputs", valueNames(g, n.inputs)},
                     {"outputs", valueNames(g, n.outputs)},
                     {"attributes", attrs}});
  }
  json initializers = json::array();
  json outer = json::array();
  for (const auto& v : g.values) {
    if (v.constant)
      initializers.push_back({{"name", text(v.name)},
                              {"dtype", std::string(ir::dtypeName(v.constant->dtype))},
                              {"dims", v.constant->dims}});
    if (v.outerScope) outer.push_back(text(v.name));
  }
  json j = {{"name", text(g.name)},         {"inputs", inputs},
            {"outputs", outputs},           {"nodes", nodes},
            {"initializers", initializers}, {"node_count", g.totalNodeCount()}};
  if (!outer.empty()) j["outer_scope"] = outer;
  return j;
}

json modelToJson(const ir::Model& m) {
  json opsets = json::array();
  for (const auto& [domain, version] : m.opsets)
    opsets.push_back({{"domain", text(domain)}, {"version", version}});
  json metadata = json::object();
  for (const auto& [k, v] : m.metadata)
    metadata[text(k)] = text(v);
  json j = graphToJson(m.graph);
  j["ir_version"] = m.irVersion;
  j["producer"] = {{"name", text(m.producerName)}, {"version", text(m.producerVersion)}};
  j["doc_string"] = text(m.docString);
  j["metadata"] = metadata;
  j["opset_import"] = opsets;
  j["source"] = text(m.sourcePath);
  return j;
}

} // namespace gs::onnx_import
