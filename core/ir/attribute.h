// Node attributes, as in ONNX: scalars, lists, tensors and subgraphs (If/Loop/Scan bodies).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/ir/tensor.h"

namespace gs::ir {

class Graph;

struct Attribute {
  enum class Kind { Float, Int, String, Tensor, Graph, Floats, Ints, Strings, Tensors, Graphs };
  Kind kind = Kind::Int;
  float f = 0.0f;
  int64_t i = 0;
  std::string s;
  ir::Tensor t;
  std::shared_ptr<ir::Graph> g;
  std::vector<float> floats;
  std::vector<int64_t> ints;
  std::vector<std::string> strings;
  std::vector<ir::Tensor> tensors;
  std::vector<std::shared_ptr<ir::Graph>> graphs;

  static Attribute ofInt(int64_t v) {
    Attribute a;
    a.kind = Kind::Int;
    a.i = v;
    return a;
  }
  static Attribute ofFloat(float v) {
    Attribute a;
    a.kind = Kind::Float;
    a.f = v;
    return a;
  }
  static Attribute ofString(std::string v) {
    Attribute a;
    a.kind = Kind::String;
    a.s = std::move(v);
    return a;
  }
  static Attribute ofInts(std::vector<int64_t> v) {
    Attribute a;
    a.kind = Kind::Ints;
    a.ints = std::move(v);
    return a;
  }
  static Attribute ofFloats(std::vector<float> v) {
    Attribute a;
    a.kind = Kind::Floats;
    a.floats = std::move(v);
    return a;
  }
  static Attribute ofTensor(ir::Tensor v) {
    Attribute a;
    a.kind = Kind::Tensor;
    a.t = std::move(v);
    return a;
  }
  static Attribute ofGraph(std::shared_ptr<ir::Graph> v) {
    Attribute a;
    a.kind = Kind::Graph;
    a.g = std::move(v);
    return a;
  }
};

const char* attributeKindName(Attribute::Kind k);

// Ordered by name so that printing and hashing are deterministic.
class Attributes {
public:
  bool has(const std::string& name) const { return m_map.count(name) != 0; }
  const Attribute* find(const std::string& name) const;
  void set(const std::string& name, Attribute a) { m_map[name] = std::move(a); }
  void erase(const std::string& name) { m_map.erase(name); }

  int64_t getInt(const std::string& name, int64_t def) const;
  float getFloat(const std::string& name, float def) const;
  std::string getString(const std::string& name, const std::string& def) const;
  std::vector<int64_t> getInts(const std::string& name, std::vector<int64_t> def = {}) const;
  std::vector<float> getFloats(const std::string& name, std::vector<float> def = {}) const;
  const Tensor* getTensor(const std::string& name) const;
  std::shared_ptr<Graph> getGraph(const std::string& name) const;

  auto begin() const { return m_map.begin(); }
  auto end() const { return m_map.end(); }
  auto begin() { return m_map.begin(); }
  auto end() { return m_map.end(); }
  std::size_t size() const { return m_map.size(); }
  bool empty() const { return m_map.empty(); }

private:
  std::map<std::string, Attribute> m_map;
};

} // namespace gs::ir
