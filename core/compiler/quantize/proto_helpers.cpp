// Helpers over ONNX protobuf messages (see proto_helpers.h).
#include "core/compiler/quantize/proto_helpers.h"

#include <cstring>

namespace gs::quantize::proto {

int64_t defaultOpset(const onnx::ModelProto& m) {
  for (const auto& o : m.opset_import())
    if (o.domain().empty() || o.domain() == "ai.onnx") return o.version();
  return 1;
}

void setDefaultOpset(onnx::ModelProto& m, int64_t version) {
  for (auto& o : *m.mutable_opset_import())
    if (o.domain().empty() || o.domain() == "ai.onnx") {
      o.set_version(version);
      return;
    }
  auto* o = m.add_opset_import();
  o->set_domain("");
  o->set_version(version);
}

std::map<std::string, onnx::TensorProto*> initializers(onnx::GraphProto& g) {
  std::map<std::string, onnx::TensorProto*> out;
  for (auto& t : *g.mutable_initializer())
    out[t.name()] = &t;
  return out;
}

std::vector<int64_t> dimsOf(const onnx::TensorProto& t) { return {t.dims().begin(), t.dims().end()}; }

Expected<std::vector<float>> floatValues(const onnx::TensorProto& t) {
  int64_t n = 1;
  for (auto d : t.dims()) {
    if (d < 0 || (d > 0 && n > (int64_t{1} << 40) / d))
      return makeError(codes::kFormat, "initializer '" + t.name() + "' has invalid dims");
    n *= d;
  }
  const auto count = static_cast<std::size_t>(n);
  std::vector<float> v(count);
  if (t.data_type() == onnx::TensorProto::FLOAT) {
    if (t.has_raw_data()) {
      if (t.raw_data().size() != count * 4)
        return makeError(codes::kFormat, "initializer '" + t.name() + "' holds the wrong number of bytes");
      std::memcpy(v.data(), t.raw_data().data(), count * 4);
    } else {
      if (static_cast<std::size_t>(t.float_data_size()) != count)
        return makeError(codes::kFormat, "initializer '" + t.name() + "' holds the wrong number of values");
      for (std::size_t i = 0; i < count; ++i)
        v[i] = t.float_data(static_cast<int>(i));
    }
    return v;
  }
  if (t.data_type() == onnx::TensorProto::DOUBLE) {
    if (t.has_raw_data()) {
      if (t.raw_data().size() != count * 8)
        return makeError(codes::kFormat, "initializer '" + t.name() + "' holds the wrong number of bytes");
      for (std::size_t i = 0; i < count; ++i) {
        double d = 0;
        std::memcpy(&d, t.raw_data().data() + i * 8, 8);
        v[i] = static_cast<float>(d);
      }
    } else {
      if (static_cast<std::size_t>(t.double_data_size()) != count)
        return makeError(codes::kFormat, "initializer '" + t.name() + "' holds the wrong number of values");
      for (std::size_t i = 0; i < count; ++i)
        v[i] = static_cast<float>(t.double_data(static_cast<int>(i)));
    }
    return v;
  }
  return makeError(codes::kUnsupported, "initializer '" + t.name() + "' is not float32");
}

void setRaw(onnx::TensorProto& t, int32_t dtype, const std::vector<int64_t>& dims, const void* data,
            std::size_t bytes) {
  const std::string name = t.name();
  t.Clear();
  t.set_name(name);
  t.set_data_type(dtype);
  for (auto d : dims)
    t.add_dims(d);
  t.set_raw_data(std::string(static_cast<const char*>(data), bytes));
}

NameSet::NameSet(const onnx::GraphProto& g) {
  for (const auto& v : g.input())
    m_names.insert(v.name());
  for (const auto& v : g.output())
    m_names.insert(v.name());
  for (const auto& t : g.initializer())
    m_names.insert(t.name());
  for (const auto& n : g.node()) {
    m_names.insert(n.name());
    for (const auto& o : n.output())
      m_names.insert(o);
    for (const auto& i : n.input())
      m_names.insert(i);
  }
}

std::string NameSet::unique(const std::string& base) {
  std::string name = base;
  for (int k = 1; m_names.count(name); ++k)
    name = base + "_" + std::to_string(k);
  m_names.insert(name);
  return name;
}

int64_t intAttr(const onnx::NodeProto& n, const std::string& name, int64_t fallback) {
  for (const auto& a : n.attribute())
    if (a.name() == name) return a.i();
  return fallback;
}

float floatAttr(const onnx::NodeProto& n, const std::string& name, float fallback) {
  for (const auto& a : n.attribute())
    if (a.name() == name) return a.f();
  return fallback;
}

} // namespace gs::quantize::proto
