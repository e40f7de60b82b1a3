// A small conv net written as ONNX in code for the profile tests:
// x [N,3,16,16] (or [N,3,H,W]) -> conv1 (8 filters, 3x3, pad 1) -> relu1 -> conv2 (8, 3x3, pad 1) -> relu2 ->
// pool (GlobalAveragePool) -> flatten -> fc (Gemm 8->4) -> y [N,4], with a symbolic batch N.
#pragma once

#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <onnx/onnx_pb.h>

namespace gs::test {

inline onnx::ValueInfoProto profileValueInfo(const std::string& name, const std::vector<std::string>& dims) {
  onnx::ValueInfoProto v;
  v.set_name(name);
  auto* t = v.mutable_type()->mutable_tensor_type();
  t->set_elem_type(onnx::TensorProto::FLOAT);
  for (const auto& d : dims) {
    auto* dim = t->mutable_shape()->add_dim();
    if (!d.empty() && d[0] >= '0' && d[0] <= '9')
      dim->set_dim_value(std::stoll(d));
    else
      dim->set_dim_param(d);
  }
  return v;
}

inline void addRandomWeight(onnx::GraphProto* g, const std::string& name, const std::vector<int64_t>& dims,
                            std::mt19937& rng) {
  auto* t = g->add_initializer();
  t->set_name(name);
  t->set_data_type(onnx::TensorProto::FLOAT);
  int64_t n = 1;
  for (auto d : dims) {
    t->add_dims(d);
    n *= d;
  }
  std::uniform_real_distribution<float> u(-0.5f, 0.5f);
  std::vector<float> v(static_cast<std::size_t>(n));
  for (auto& x : v)
    x = u(rng);
  t->set_raw_data(std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(float)));
}

inline onnx::NodeProto* addNamedNode(onnx::GraphProto* g, const std::string& name, const std::string& op,
                                     std::vector<std::string> in, std::vector<std::string> out) {
  auto* n = g->add_node();
  n->set_name(name);
  n->set_op_type(op);
  for (auto& s : in)
    n->add_input(s);
  for (auto& s : out)
    n->add_output(s);
  return n;
}

inline void addInts(onnx::NodeProto* n, const std::string& name, std::vector<int64_t> v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INTS);
  for (auto x : v)
    a->add_ints(x);
}

// h, w: numbers, or names for symbolic dims (a model for image-size gears); channels: conv width.
inline onnx::ModelProto smallConvNet(const std::string& h = "16", const std::string& w = "16", int64_t channels = 8) {
  std::mt19937 rng(7);
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.set_producer_name("gs-profile-test");
  m.add_opset_import()->set_version(17);
  auto* g = m.mutable_graph();
  g->set_name("small_convnet");
  *g->add_input() = profileValueInfo("x", {"N", "3", h, w});
  *g->add_output() = profileValueInfo("y", {"N", "4"});
  addRandomWeight(g, "w1", {channels, 3, 3, 3}, rng);
  addRandomWeight(g, "b1", {channels}, rng);
  addRandomWeight(g, "w2", {channels, channels, 3, 3}, rng);
  addRandomWeight(g, "b2", {channels}, rng);
  addRandomWeight(g, "fcw", {channels, 4}, rng);
  addRandomWeight(g, "fcb", {4}, rng);
  addInts(addNamedNode(g, "conv1", "Conv", {"x", "w1", "b1"}, {"c1"}), "pads", {1, 1, 1, 1});
  addNamedNode(g, "relu1", "Relu", {"c1"}, {"r1"});
  addInts(addNamedNode(g, "conv2", "Conv", {"r1", "w2", "b2"}, {"c2"}), "pads", {1, 1, 1, 1});
  addNamedNode(g, "relu2", "Relu", {"c2"}, {"r2"});
  addNamedNode(g, "pool", "GlobalAveragePool", {"r2"}, {"p"});
  addNamedNode(g, "flatten", "Flatten", {"p"}, {"f"});
  addNamedNode(g, "fc", "Gemm", {"f", "fcw", "fcb"}, {"y"});
  return m;
}

inline bool writeSmallConvNet(const std::string& path) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  return f && smallConvNet().SerializeToOstream(&f);
}

// The same net with symbolic H and W ("H", "W") and `channels` filters: image-size gears whose cost
// scales with the pixels (a gear of twice the side does four times the work).
inline bool writeImageSizeConvNet(const std::string& path, int64_t channels) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  return f && smallConvNet("H", "W", channels).SerializeToOstream(&f);
}

} // namespace gs::test
