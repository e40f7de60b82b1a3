// Small ONNX models written with the ONNX protobuf classes, and helpers shared by the importer tests.
#pragma once

#include <cctype>
#include <string>
#include <vector>

#include <onnx/onnx_pb.h>

namespace gs::test {

inline onnx::ValueInfoProto tensorInfo(const std::string& name, int elemType, const std::vector<std::string>& dims) {
  onnx::ValueInfoProto v;
  v.set_name(name);
  auto* t = v.mutable_type()->mutable_tensor_type();
  t->set_elem_type(elemType);
  auto* shape = t->mutable_shape();
  for (const auto& d : dims) {
    auto* dim = shape->add_dim();
    if (!d.empty() && (std::isdigit(static_cast<unsigned char>(d[0])) != 0))
      dim->set_dim_value(std::stoll(d));
    else if (d != "?")
      dim->set_dim_param(d);
  }
  return v;
}

inline onnx::TensorProto floatTensor(const std::string& name, const std::vector<int64_t>& dims,
                                     const std::vector<float>& values) {
  onnx::TensorProto t;
  t.set_name(name);
  t.set_data_type(onnx::TensorProto::FLOAT);
  for (auto d : dims)
    t.add_dims(d);
  t.set_raw_data(std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(float)));
  return t;
}

// y = Relu(x + w), with w a [2,3] initializer; x is [N,3] with N symbolic.
inline onnx::ModelProto addReluModel() {
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.set_producer_name("gs-test");
  m.add_opset_import()->set_version(13);
  auto* g = m.mutable_graph();
  g->set_name("add_relu");
  *g->add_input() = tensorInfo("x", onnx::TensorProto::FLOAT, {"N", "3"});
  *g->add_output() = tensorInfo("y", onnx::TensorProto::FLOAT, {"N", "3"});
  *g->add_initializer() = floatTensor("w", {2, 3}, {1, 2, 3, 4, 5, 6});
  auto* add = g->add_node();
  add->set_name("add");
  add->set_op_type("Add");
  add->add_input("x");
  add->add_input("w");
  add->add_output("s");
  auto* relu = g->add_node();
  relu->set_name("relu");
  relu->set_op_type("Relu");
  relu->add_input("s");
  relu->add_output("y");
  return m;
}

// Counts nodes (recursively through subgraph attributes), and how many of them are Constant nodes.
inline void countNodes(const onnx::GraphProto& g, int& nodes, int& constants) {
  for (const auto& n : g.node()) {
    ++nodes;
    if (n.op_type() == "Constant" && (n.domain().empty() || n.domain() == "ai.onnx")) ++constants;
    for (const auto& a : n.attribute()) {
      if (a.has_g()) countNodes(a.g(), nodes, constants);
      for (const auto& sg : a.graphs())
        countNodes(sg, nodes, constants);
    }
  }
}

} // namespace gs::test
