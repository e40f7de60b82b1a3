// Small ONNX models written in code for the session tests (compile + run, conformance cases).
#pragma once

#include <cctype>
#include <fstream>
#include <string>
#include <vector>

#include <onnx/onnx_pb.h>

namespace gs::test {

inline onnx::ValueInfoProto valueInfo(const std::string& name, int elemType, const std::vector<std::string>& dims) {
  onnx::ValueInfoProto v;
  v.set_name(name);
  auto* t = v.mutable_type()->mutable_tensor_type();
  t->set_elem_type(elemType);
  auto* shape = t->mutable_shape();
  for (const auto& d : dims) {
    auto* dim = shape->add_dim();
    if (!d.empty() && std::isdigit(static_cast<unsigned char>(d[0])))
      dim->set_dim_value(std::stoll(d));
    else
      dim->set_dim_param(d);
  }
  return v;
}

inline onnx::TensorProto floatProto(const std::string& name, const std::vector<int64_t>& dims,
                                    const std::vector<float>& values) {
  onnx::TensorProto t;
  t.set_name(name);
  t.set_data_type(onnx::TensorProto::FLOAT);
  for (auto d : dims)
    t.add_dims(d);
  t.set_raw_data(std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(float)));
  return t;
}

inline onnx::TensorProto int64Proto(const std::string& name, const std::vector<int64_t>& dims,
                                    const std::vector<int64_t>& values) {
  onnx::TensorProto t;
  t.set_name(name);
  t.set_data_type(onnx::TensorProto::INT64);
  for (auto d : dims)
    t.add_dims(d);
  t.set_raw_data(std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(int64_t)));
  return t;
}

inline onnx::NodeProto* addNode(onnx::GraphProto* g, const std::string& op, std::vector<std::string> in,
                                std::vector<std::string> out) {
  auto* n = g->add_node();
  n->set_name(op + "_" + std::to_string(g->node_size()));
  n->set_op_type(op);
  for (auto& s : in)
    n->add_input(s);
  for (auto& s : out)
    n->add_output(s);
  return n;
}

// y = Relu(x) + bias, x: [N, 4].
inline const std::vector<float>& reluAddBias() {
  static const std::vector<float> b{0.5f, -1.0f, 2.0f, 0.0f};
  return b;
}
inline onnx::ModelProto reluAddModel() {
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.set_producer_name("gs-test");
  m.add_opset_import()->set_version(17);
  auto* g = m.mutable_graph();
  g->set_name("relu_add");
  *g->add_input() = valueInfo("x", onnx::TensorProto::FLOAT, {"N", "4"});
  *g->add_output() = valueInfo("y", onnx::TensorProto::FLOAT, {"N", "4"});
  *g->add_initializer() = floatProto("bias", {4}, reluAddBias());
  addNode(g, "Relu", {"x"}, {"r"});
  addNode(g, "Add", {"r", "bias"}, {"y"});
  return m;
}

// A Loop whose trip count is an input: with a huge count the case never finishes (time-limit test).
inline onnx::ModelProto endlessLoopModel() {
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.add_opset_import()->set_version(17);
  auto* g = m.mutable_graph();
  g->set_name("endless");
  *g->add_input() = valueInfo("M", onnx::TensorProto::INT64, {});
  *g->add_input() = valueInfo("v0", onnx::TensorProto::FLOAT, {"1"});
  *g->add_output() = valueInfo("v", onnx::TensorProto::FLOAT, {"1"});
  auto* loop = addNode(g, "Loop", {"M", "", "v0"}, {"v"});
  auto* a = loop->add_attribute();
  a->set_name("body");
  a->set_type(onnx::AttributeProto::GRAPH);
  auto* b = a->mutable_g();
  b->set_name("body");
  *b->add_input() = valueInfo("i", onnx::TensorProto::INT64, {});
  *b->add_input() = valueInfo("c", onnx::TensorProto::BOOL, {});
  *b->add_input() = valueInfo("vi", onnx::TensorProto::FLOAT, {"1"});
  *b->add_output() = valueInfo("co", onnx::TensorProto::BOOL, {});
  *b->add_output() = valueInfo("vo", onnx::TensorProto::FLOAT, {"1"});
  addNode(b, "Identity", {"c"}, {"co"});
  addNode(b, "Identity", {"vi"}, {"vo"});
  return m;
}

inline bool writeProto(const google::protobuf::MessageLite& msg, const std::string& path) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  return f && msg.SerializeToOstream(&f);
}

} // namespace gs::test
