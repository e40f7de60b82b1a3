// Reverse-mode differentiation of simple elementwise graphs for the Gradient op (see
// gradient_lowering.h). Works on the ONNX message before import.
#include "core/compiler/onnx/gradient_lowering.h"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace gs::onnx_import {
namespace {

constexpr const char* kTrainingDomain = "ai.onnx.preview.training";

bool isGradient(const onnx::NodeProto& n) { return n.domain() == kTrainingDomain && n.op_type() == "Gradient"; }

struct Rewriter {
  std::vector<onnx::NodeProto> added;
  int fresh = 0;

  std::string name(const std::string& base) { return base + "__grad" + std::to_string(fresh++); }

  std::string op(const std::string& type, std::vector<std::string> inputs, const std::string& base) {
    auto& n = added.emplace_back();
    n.set_op_type(type);
    const auto out = name(base);
    n.set_name(out);
    for (auto& i : inputs)
      n.add_input(i);
    n.add_output(out);
    return out;
  }

  // A float tensor of x's shape filled with v: ConstantOfShape(Shape(x)).
  std::string filled(const std::string& x, float v) {
    const auto shape = op("Shape", {x}, x + "_shape");
    auto& n = added.emplace_back();
    n.set_op_type("ConstantOfShape");
    const auto out = name(x + (v == 0 ? "_zeros" : "_ones"));
    n.set_name(out);
    n.add_input(shape);
    n.add_output(out);
    auto* a = n.add_attribute();
    a->set_name("value");
    a->set_type(onnx::AttributeProto::TENSOR);
    a->mutable_t()->set_data_type(onnx::TensorProto::FLOAT);
    a->mutable_t()->add_dims(1);
    a->mutable_t()->add_float_data(v);
    return out;
  }
};

// Static float32 shapes of the values, from the graph's declarations and equal-shape elementwise ops.
std::map<std::string, std::vector<int64_t>> floatShapes(const onnx::GraphProto& g) {
  std::map<std::string, std::vector<int64_t>> shapes;
  auto declared = [&](const onnx::ValueInfoProto& vi) {
    if (!vi.type().has_tensor_type() || vi.type().tensor_type().elem_type() != onnx::TensorProto::FLOAT ||
        !vi.type().tensor_type().has_shape())
      return;
    std::vector<int64_t> d;
    for (const auto& dim : vi.type().tensor_type().shape().dim()) {
      if (!dim.has_dim_value()) return;
      d.push_back(dim.dim_value());
    }
    shapes[vi.name()] = d;
  };
  for (const auto& vi : g.input())
    declared(vi);
  for (const auto& vi : g.value_info())
    declared(vi);
  for (const auto& n : g.node()) {
    if (!n.domain().empty() || n.output_size() != 1) continue;
    const auto& t = n.op_type();
    std::optional<std::vector<int64_t>> s;
    if (t == "Add" || t == "Sub" || t == "Mul" || t == "Div") {
      const auto a = shapes.find(n.input(0)), b = shapes.find(n.input(1));
      if (a != shapes.end() && b != shapes.end() && a->second == b->second) s = a->second;
    } else if ((t == "Neg" || t == "Identity") && shapes.contains(n.input(0))) {
      s = shapes[n.input(0)];
    }
    if (s) shapes[n.output(0)] = *s;
  }
  return shapes;
}

std::optional<std::vector<std::string>> stringsAttr(const onnx::NodeProto& n, const std::string& key) {
  for (const auto& a : n.attribute())
    if (a.name() == key) {
      if (a.type() == onnx::AttributeProto::STRING) return std::vector<std::string>{a.s()};
      return std::vector<std::string>(a.strings().begin(), a.strings().end());
    }
  return std::nullopt;
}

// The nodes replacing one Gradient node, or nullopt when the graph is outside what is differentiated.
std::optional<std::vector<onnx::NodeProto>> lowerOne(const onnx::GraphProto& g, const onnx::NodeProto& grad,
                                                     const std::map<std::string, std::vector<int64_t>>& shapes,
                                                     int& fresh) {
  const auto xs = stringsAttr(grad, "xs");
  const auto y = stringsAttr(grad, "y");
  if (!xs || !y || y->size() != 1 || stringsAttr(grad, "zs")) return std::nullopt;
  if (static_cast<int>(xs->size()) != grad.output_size()) return std::nullopt;
  std::map<std::string, const onnx::NodeProto*> producer;
  for (const auto& n : g.node())
    if (!isGradient(n))
      for (const auto& o : n.output())
        producer[o] = &n;
  const std::set<std::string> xset(xs->begin(), xs->end());
  // The nodes between xs and y, in reverse topological order (the graph is sorted).
  std::set<std::string> needed{(*y)[0]};
  std::vector<const onnx::NodeProto*> path;
  for (int i = g.node_size() - 1; i >= 0; --i) {
    const auto& n = g.node(i);
    if (isGradient(n) || n.output_size() != 1 || !needed.contains(n.output(0)) || xset.contains(n.output(0))) continue;
    static const std::set<std::string> ops = {"Add", "Sub", "Mul", "Div", "Neg", "Identity"};
    if (!n.domain().empty() || !ops.contains(n.op_type())) return std::nullopt;
    for (const auto& in : n.input())
      if (!shapes.contains(in) || shapes.at(in) != shapes.at(n.output(0))) return std::nullopt;
    path.push_back(&n);
    for (const auto& in : n.input())
      needed.insert(in);
  }
  if (!shapes.contains((*y)[0])) return std::nullopt;
  Rewriter w{{}, fresh};
  std::map<std::string, std::string> grads;
  auto accumulate = [&](const std::string& v, const std::string& d) {
    auto it = grads.find(v);
    grads[v] = it == grads.end() ? d : w.op("Add", {it->second, d}, "d_" + v);
  };
  grads[(*y)[0]] = w.filled((*y)[0], 1.0f);
  for (const auto* n : path) {
    const auto it = grads.find(n->output(0));
    if (it == grads.end()) continue;
    const std::string d = it->second;
    const auto& t = n->op_type();
    const std::string& a = n->input(0);
    if (t == "Identity") {
      accumulate(a, d);
    } else if (t == "Neg") {
      accumulate(a, w.op("Neg", {d}, "d_" + a));
    } else {
      const std::string& b = n->input(1);
      if (t == "Add") {
        accumulate(a, d);
        accumulate(b, d);
      } else if (t == "Sub") {
        accumulate(a, d);
        accumulate(b, w.op("Neg", {d}, "d_" + b));
      } else if (t == "Mul") {
        accumulate(a, w.op("Mul", {d, b}, "d_" + a));
        accumulate(b, w.op("Mul", {d, a}, "d_" + b));
      } else { // Div: d(a/b)/da = 1/b, d(a/b)/db = -a/b^2
        accumulate(a, w.op("Div", {d, b}, "d_" + a));
        const auto q = w.op("Div", {w.op("Mul", {d, a}, "d_" + b), w.op("Mul", {b, b}, "d_" + b)}, "d_" + b);
        accumulate(b, w.op("Neg", {q}, "d_" + b));
      }
    }
  }
  for (int i = 0; i < grad.output_size(); ++i) {
    const auto& x = (*xs)[static_cast<std::size_t>(i)];
    if (!shapes.contains(x)) return std::nullopt;
    const auto it = grads.find(x);
    const std::string d = it != grads.end() ? it->second : w.filled(x, 0.0f);
    auto& n = w.added.emplace_back();
    n.set_op_type("Identity");
    n.set_name(w.name(grad.name().empty() ? "Gradient" : grad.name()));
    n.add_input(d);
    n.add_output(grad.output(i));
  }
  fresh = w.fresh;
  return std::move(w.added);
}

} // namespace

int lowerGradients(onnx::GraphProto& graph) {
  bool any = false;
  for (const auto& n : graph.node())
    any = any || isGradient(n);
  if (!any) return 0;
  const auto shapes = floatShapes(graph);
  // The replacing nodes go after every other node: they read y, which the Gradient node itself
  // does not take as an input, so it may come before y's producer.
  std::vector<onnx::NodeProto> out, tail;
  int fresh = 0, rewritten = 0;
  for (const auto& n : graph.node()) {
    if (!isGradient(n)) {
      out.push_back(n);
      continue;
    }
    auto nodes = lowerOne(graph, n, shapes, fresh);
    if (!nodes) {
      out.push_back(n);
      continue;
    }
    for (auto& m : *nodes)
      tail.push_back(std::move(m));
    ++rewritten;
  }
  for (auto& m : tail)
    out.push_back(std::move(m));
  if (!rewritten) return 0;
  graph.clear_node();
  for (auto& n : out)
    *graph.add_node() = std::move(n);
  return rewritten;
}

} // namespace gs::onnx_import
