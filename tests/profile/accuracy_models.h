// Models for the accuracy tests, written as ONNX in code:
// - convChain: x [N,C,8,8] -> (conv_k 3x3 pad 1 -> relu_k) x layers -> pool -> flatten -> fc -> y [N,4]
// - matmulChain: x [N,16] -> (mm_k -> act_k) x layers -> y [N,16]
// Weights come from one seeded stream, so two calls give identical weights except where a layer is
// perturbed (its weights get uniform noise of `perturb` times their own scale). fp16 = true stores every
// weight as float16 and runs the graph in float16 between a Cast after the input and a Cast back to
// float32 before the output (the form fp16 converters with keep_io_types produce).
#pragma once

#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <onnx/onnx_pb.h>

#include "core/runtime/cpu/kernels/basic/half.h"

namespace gs::test {

struct ChainOptions {
  int layers = 4;
  int perturbLayer = -1; // index of the layer whose weights get noise (-1: none)
  float perturb = 0.5f;  // noise amplitude relative to the weight range
  bool fp16 = false;
  std::string batch = "N"; // dim 0 of the input: a number or a symbol
  int64_t channels = 8;
};

inline onnx::ValueInfoProto accValueInfo(const std::string& name, const std::vector<std::string>& dims,
                                         int elemType = onnx::TensorProto::FLOAT) {
  onnx::ValueInfoProto v;
  v.set_name(name);
  auto* t = v.mutable_type()->mutable_tensor_type();
  t->set_elem_type(elemType);
  for (const auto& d : dims) {
    auto* dim = t->mutable_shape()->add_dim();
    if (!d.empty() && d[0] >= '0' && d[0] <= '9')
      dim->set_dim_value(std::stoll(d));
    else
      dim->set_dim_param(d);
  }
  return v;
}

inline void accWeight(onnx::GraphProto* g, const std::string& name, const std::vector<int64_t>& dims, std::mt19937& rng,
                      std::mt19937& noise, bool perturbed, float amount, bool fp16) {
  auto* t = g->add_initializer();
  t->set_name(name);
  int64_t n = 1;
  for (auto d : dims) {
    t->add_dims(d);
    n *= d;
  }
  std::uniform_real_distribution<float> u(-0.5f, 0.5f);
  std::vector<float> v(static_cast<std::size_t>(n));
  for (auto& x : v)
    x = u(rng);
  if (perturbed)
    for (auto& x : v)
      x += amount * u(noise);
  if (fp16) {
    t->set_data_type(onnx::TensorProto::FLOAT16);
    std::vector<uint16_t> h(v.size());
    for (std::size_t i = 0; i < v.size(); ++i)
      h[i] = runtime::cpu::basic::Half::fromFloat(v[i]);
    t->set_raw_data(std::string(reinterpret_cast<const char*>(h.data()), h.size() * 2));
  } else {
    t->set_data_type(onnx::TensorProto::FLOAT);
    t->set_raw_data(std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(float)));
  }
}

inline onnx::NodeProto* accNode(onnx::GraphProto* g, const std::string& name, const std::string& op,
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

inline void accInts(onnx::NodeProto* n, const std::string& name, std::vector<int64_t> v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INTS);
  for (auto x : v)
    a->add_ints(x);
}

inline void accCast(onnx::GraphProto* g, const std::string& name, const std::string& in, const std::string& out,
                    int to) {
  auto* n = accNode(g, name, "Cast", {in}, {out});
  auto* a = n->add_attribute();
  a->set_name("to");
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(to);
}

inline onnx::ModelProto convChain(const ChainOptions& o) {
  std::mt19937 rng(11), noise(99);
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.set_producer_name("gs-accuracy-test");
  m.add_opset_import()->set_version(17);
  auto* g = m.mutable_graph();
  g->set_name("conv_chain");
  *g->add_input() = accValueInfo("x", {o.batch, "3", "8", "8"});
  *g->add_output() = accValueInfo("y", {o.batch, "4"});
  std::string cur = "x";
  if (o.fp16) {
    accCast(g, "cast_in", "x", "x16", onnx::TensorProto::FLOAT16);
    cur = "x16";
  }
  int64_t in = 3;
  for (int k = 0; k < o.layers; ++k) {
    const auto ks = std::to_string(k);
    accWeight(g, "w" + ks, {o.channels, in, 3, 3}, rng, noise, k == o.perturbLayer, o.perturb, o.fp16);
    accWeight(g, "b" + ks, {o.channels}, rng, noise, k == o.perturbLayer, o.perturb, o.fp16);
    accInts(accNode(g, "conv" + ks, "Conv", {cur, "w" + ks, "b" + ks}, {"c" + ks}), "pads", {1, 1, 1, 1});
    accNode(g, "relu" + ks, "Relu", {"c" + ks}, {"r" + ks});
    cur = "r" + ks;
    in = o.channels;
  }
  accWeight(g, "fcw", {o.channels, 4}, rng, noise, false, 0, o.fp16);
  accWeight(g, "fcb", {4}, rng, noise, false, 0, o.fp16);
  accNode(g, "pool", "GlobalAveragePool", {cur}, {"p"});
  accNode(g, "flatten", "Flatten", {"p"}, {"f"});
  accNode(g, "fc", "Gemm", {"f", "fcw", "fcb"}, {o.fp16 ? "y16" : "y"});
  if (o.fp16) accCast(g, "cast_out", "y16", "y", onnx::TensorProto::FLOAT);
  return m;
}

inline onnx::ModelProto matmulChain(const ChainOptions& o) {
  std::mt19937 rng(5), noise(77);
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.set_producer_name("gs-accuracy-test");
  m.add_opset_import()->set_version(17);
  auto* g = m.mutable_graph();
  g->set_name("matmul_chain");
  *g->add_input() = accValueInfo("x", {o.batch, "16"});
  *g->add_output() = accValueInfo("y", {o.batch, "16"});
  std::string cur = "x";
  for (int k = 0; k < o.layers; ++k) {
    const auto ks = std::to_string(k);
    accWeight(g, "m" + ks, {16, 16}, rng, noise, k == o.perturbLayer, o.perturb, false);
    const bool last = k + 1 == o.layers;
    accNode(g, "mm" + ks, "MatMul", {cur, "m" + ks}, {"h" + ks});
    accNode(g, "act" + ks, k % 2 ? "Tanh" : "Sigmoid", {"h" + ks}, {last ? std::string("y") : "a" + ks});
    cur = "a" + ks;
  }
  return m;
}

inline bool writeModel(const onnx::ModelProto& m, const std::string& path) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  return f && m.SerializeToOstream(&f);
}

} // namespace gs::test
