// A tiny builder for the small graphs the compiler tests make in code.
#pragma once

#include <string>
#include <vector>

#include "core/ir/graph.h"

namespace gs::test {

class GraphBuilder {
public:
  ir::ValueId input(const std::string& name, std::vector<ir::Dim> dims, ir::DataType t = ir::DataType::Float32) {
    const auto v = g.addValue(name, t, ir::Shape(std::move(dims)));
    g.inputs.push_back(v);
    return v;
  }
  ir::ValueId input(const std::string& name, const std::vector<int64_t>& dims) {
    std::vector<ir::Dim> d;
    for (auto x : dims)
      d.push_back(ir::Dim::known(x));
    return input(name, d);
  }
  ir::ValueId constant(const std::string& name, ir::Tensor t) { return g.addConstant(name, std::move(t)); }
  ir::ValueId floats(const std::string& name, std::vector<float> v, std::vector<int64_t> dims) {
    return constant(name, ir::Tensor::fromVector<float>(v, std::move(dims)));
  }
  ir::ValueId ints(const std::string& name, std::vector<int64_t> v, std::vector<int64_t> dims) {
    return constant(name, ir::Tensor::fromVector<int64_t>(v, std::move(dims)));
  }
  // Adds a node with n outputs named "<name>_out<i>"; returns its first output.
  ir::ValueId node(const std::string& name, const std::string& op, std::vector<ir::ValueId> inputs,
                   ir::Attributes attrs = {}, int outputs = 1) {
    ir::Node n;
    n.name = name;
    n.opType = op;
    n.inputs = std::move(inputs);
    n.attrs = std::move(attrs);
    for (int i = 0; i < outputs; ++i)
      n.outputs.push_back(g.addValue(name + "_out" + std::to_string(i)));
    const auto first = n.outputs.front();
    g.addNode(std::move(n));
    return first;
  }
  void output(ir::ValueId v) { g.outputs.push_back(v); }

  static ir::Attributes attrs(std::initializer_list<std::pair<std::string, ir::Attribute>> list) {
    ir::Attributes a;
    for (const auto& [k, v] : list)
      a.set(k, v);
    return a;
  }

  int count(const std::string& op) const {
    int c = 0;
    for (const auto& n : g.nodes)
      c += n.opType == op ? 1 : 0;
    return c;
  }

  ir::Graph g;
};

// Pseudo-random floats in [lo, hi) (fixed seed per call site: tests stay reproducible).
inline std::vector<float> randomFloats(std::size_t n, unsigned seed, float lo = -1.0f, float hi = 1.0f) {
  std::vector<float> v(n);
  uint32_t s = seed * 2654435761u + 12345u;
  for (auto& x : v) {
    s = s * 1664525u + 1013904223u;
    x = lo + (hi - lo) * static_cast<float>(s >> 8) / static_cast<float>(1u << 24);
  }
  return v;
}

} // namespace gs::test
