// Attribute accessors with defaults.
#include "core/ir/attribute.h"

namespace gs::ir {

const char* attributeKindName(Attribute::Kind k) {
  switch (k) {
  case Attribute::Kind::Float:
    return "float";
  case Attribute::Kind::Int:
    return "int";
  case Attribute::Kind::String:
    return "string";
  case Attribute::Kind::Tensor:
    return "tensor";
  case Attribute::Kind::Graph:
    return "graph";
  case Attribute::Kind::Floats:
    return "floats";
  case Attribute::Kind::Ints:
    return "ints";
  case Attribute::Kind::Strings:
    return "strings";
  case Attribute::Kind::Tensors:
    return "tensors";
  case Attribute::Kind::Graphs:
    return "graphs";
  }
  return "unknown";
}

const Attribute* Attributes::find(const std::string& name) const {
  auto it = m_map.find(name);
  return it == m_map.end() ? nullptr : &it->second;
}

int64_t Attributes::getInt(const std::string& name, int64_t def) const {
  const auto* a = find(name);
  return a && a->kind == Attribute::Kind::Int ? a->i : def;
}

float Attributes::getFloat(const std::string& name, float def) const {
  const auto* a = find(name);
  if (!a) return def;
  if (a->kind == Attribute::Kind::Float) return a->f;
  if (a->kind == Attribute::Kind::Int) return static_cast<float>(a->i);
  return def;
}

std::string Attributes::getString(const std::string& name, const std::string& def) const {
  const auto* a = find(name);
  return a && a->kind == Attribute::Kind::String ? a->s : def;
}

std::vector<int64_t> Attributes::getInts(const std::string& name, std::vector<int64_t> def) const {
  const auto* a = find(name);
  return a && a->kind == Attribute::Kind::Ints ? a->ints : def;
}

std::vector<float> Attributes::getFloats(const std::string& name, std::vector<float> def) const {
  const auto* a = find(name);
  return a && a->kind == Attribute::Kind::Floats ? a->floats : def;
}

const Tensor* Attributes::getTensor(const std::string& name) const {
  const auto* a = find(name);
  return a && a->kind == Attribute::Kind::Tensor ? &a->t : nullptr;
}

std::shared_ptr<Graph> Attributes::getGraph(const std::string& name) const {
  const auto* a = find(name);
  return a && a->kind == Attribute::Kind::Graph ? a->g : nullptr;
}

} // namespace gs::ir
