// Helpers for the op registry tests: parse shapes from text ("1,3,N,?"), run one node's shape function
// on given inputs, and build small graphs.
#pragma once

#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "core/ir/graph.h"
#include "core/ops/registry.h"

namespace gs::ops::testutil {

// "1,3,N,?" -> [1,3,N,?]; "" -> scalar; "*" -> unknown rank.
inline ir::Shape S(const std::string& text) {
  if (text == "*") return ir::Shape::unknownRank();
  ir::Shape s;
  std::stringstream ss(text);
  std::string tok;
  while (std::getline(ss, tok, ',')) {
    if (tok == "?")
      s.dims.push_back(ir::Dim::unknown());
    else if (!tok.empty() && (std::isdigit(static_cast<unsigned char>(tok[0])) != 0))
      s.dims.push_back(ir::Dim::known(std::stoll(tok)));
    else
      s.dims.push_back(ir::Dim::symbolic(tok));
  }
  return s;
}

struct In {
  ir::DataType dtype = ir::DataType::Float32;
  ir::Shape shape;
  std::optional<ir::Tensor> value;
  bool absent = false;
};

inline In f32(const std::string& shape) { return In{ir::DataType::Float32, S(shape), std::nullopt, false}; }
inline In i64(const std::string& shape) { return In{ir::DataType::Int64, S(shape), std::nullopt, false}; }
inline In ints(std::vector<int64_t> v) {
  const auto n = static_cast<int64_t>(v.size());
  return In{ir::DataType::Int64, ir::Shape::fromValues({n}), ir::Tensor::fromVector<int64_t>(v, {n}), false};
}
inline In intScalar(int64_t v) { return In{ir::DataType::Int64, ir::Shape(), ir::Tensor::scalar<int64_t>(v), false}; }
inline In floats(std::vector<float> v) {
  const auto n = static_cast<int64_t>(v.size());
  return In{ir::DataType::Float32, ir::Shape::fromValues({n}), ir::Tensor::fromVector<float>(v, {n}), false};
}
inline In none() { return In{ir::DataType::Undefined, ir::Shape(), std::nullopt, true}; }

struct Result {
  Status status;
  std::vector<OutputInfo> outputs;
  std::string shape(std::size_t i = 0) const { return i < outputs.size() ? outputs[i].shape.str() : "<none>"; }
  std::vector<int64_t> value(std::size_t i = 0) const {
    if (i >= outputs.size() || !outputs[i].value) return {};
    return outputs[i].value->toVector<int64_t>();
  }
  bool hasValue(std::size_t i = 0) const { return i < outputs.size() && outputs[i].value.has_value(); }
};

// Runs the shape function of a node of opType ("Conv", or "ai.gearstudio.FusedConv" with a domain)
// with attrs on the inputs.
inline Result infer(const std::string& opType, std::vector<In> ins, ir::Attributes attrs = {}, int64_t opset = 17,
                    std::size_t numOutputs = 1) {
  ir::Node node;
  node.name = "n0";
  node.opType = opType;
  if (const auto dot = opType.rfind('.'); dot != std::string::npos) {
    node.domain = opType.substr(0, dot);
    node.opType = opType.substr(dot + 1);
  }
  node.attrs = std::move(attrs);
  for (const auto& in : ins)
    node.inputs.push_back(in.absent ? ir::kNone : 0);
  node.outputs.assign(numOutputs, 0);
  std::vector<InputInfo> infos;
  for (auto& in : ins) {
    if (in.absent)
      infos.push_back(InputInfo{});
    else
      infos.push_back(InputInfo{in.dtype, &in.shape, in.value ? &*in.value : nullptr});
  }
  Result r;
  r.outputs.resize(numOutputs);
  SymbolFactory symbols;
  InferContext ctx{node, opset, infos, r.outputs, &symbols};
  r.status = inferNode(ctx);
  return r;
}

inline ir::Attributes attrs(std::initializer_list<std::pair<std::string, ir::Attribute>> list) {
  ir::Attributes a;
  for (const auto& [k, v] : list)
    a.set(k, v);
  return a;
}

using A = ir::Attribute;

} // namespace gs::ops::testutil
