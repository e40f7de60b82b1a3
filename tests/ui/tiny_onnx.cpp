// See tiny_onnx.h.
#include "tiny_onnx.h"

#include <fstream>
#include <string>
#include <vector>

#include <onnx/onnx_pb.h>

namespace gs::test {
namespace {

// dims: -1 is the symbolic batch "N".
onnx::ValueInfoProto valueInfo(const char* name, const std::vector<int64_t>& dims) {
  onnx::ValueInfoProto v;
  v.set_name(name);
  auto* t = v.mutable_type()->mutable_tensor_type();
  t->set_elem_type(onnx::TensorProto::FLOAT);
  for (auto d : dims) {
    auto* dim = t->mutable_shape()->add_dim();
    if (d >= 0)
      dim->set_dim_value(d);
    else
      dim->set_dim_param("N");
  }
  return v;
}

onnx::TensorProto floats(const char* name, const std::vector<int64_t>& dims) {
  int64_t n = 1;
  for (auto d : dims)
    n *= d;
  std::vector<float> values(static_cast<std::size_t>(n));
  for (std::size_t i = 0; i < values.size(); ++i)
    values[i] = static_cast<float>(static_cast<int>(i % 7) - 3) * 0.125f;
  onnx::TensorProto t;
  t.set_name(name);
  t.set_data_type(onnx::TensorProto::FLOAT);
  for (auto d : dims)
    t.add_dims(d);
  t.mutable_raw_data()->assign(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(float));
  return t;
}

} // namespace

// GCC 12 at -O3 reports a false -Wrestrict inside std::string when protobuf's add_input(const char*)
// is inlined here (GCC bug 105329).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wrestrict"
bool writeTinyConvModel(const QString& path) {
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.set_producer_name("gs-ui-test");
  m.add_opset_import()->set_version(13);
  auto* g = m.mutable_graph();
  g->set_name("tiny_conv");
  *g->add_input() = valueInfo("x", {-1, 3, 8, 8});
  *g->add_output() = valueInfo("y", {-1, 4, 8, 8});
  *g->add_initializer() = floats("W", {4, 3, 3, 3});
  *g->add_initializer() = floats("B", {4});
  auto* conv = g->add_node();
  conv->set_name("conv1");
  conv->set_op_type("Conv");
  conv->add_input("x");
  conv->add_input("W");
  conv->add_input("B");
  conv->add_output("c");
  auto* pads = conv->add_attribute();
  pads->set_name("pads");
  pads->set_type(onnx::AttributeProto::INTS);
  for (int i = 0; i < 4; ++i)
    pads->add_ints(1);
  auto* relu = g->add_node();
  relu->set_name("relu1");
  relu->set_op_type("Relu");
  relu->add_input("c");
  relu->add_output("y");
  std::ofstream out(path.toStdString(), std::ios::binary);
  return m.SerializeToOstream(&out) && out.good();
}
#pragma GCC diagnostic pop

} // namespace gs::test
