// Model and graph to JSON.
#include "core/compiler/onnx/model_json.h"

#include "core/common/utf8.h"

namespace gs::onnx_import {
namespace {

using nlohmann::json;

// Model strings come from the file and may hold any bytes; JSON needs UTF-8.
std::string text(const std::string& s) { return utf8::sanitize(s); }

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
