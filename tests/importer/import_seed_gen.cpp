// Writes the skeletons of ONNX models as seeds for the import fuzzer (scripts/fuzz-import.sh):
// every initializer of more than 16 elements becomes a graph input of the same type and shape, so a
// model of megabytes shrinks to its graph (nodes, attributes, small constants) and fits the
// fuzzer's input size. Usage: import_seed_gen <out-folder> <model.onnx>...
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>

#include <onnx/onnx_pb.h>

namespace {

int64_t elementCount(const onnx::TensorProto& t) {
  int64_t n = 1;
  for (auto d : t.dims())
    n *= d > 0 ? d : 1;
  return n;
}

void skeleton(onnx::GraphProto& g) {
  google::protobuf::RepeatedPtrField<onnx::TensorProto> kept;
  for (auto& t : *g.mutable_initializer()) {
    if (elementCount(t) <= 16) {
      *kept.Add() = std::move(t);
      continue;
    }
    auto* in = g.add_input();
    in->set_name(t.name());
    auto* tt = in->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(t.data_type());
    auto* shape = tt->mutable_shape();
    for (auto d : t.dims())
      shape->add_dim()->set_dim_value(d);
  }
  g.mutable_initializer()->Swap(&kept);
  for (auto& n : *g.mutable_node())
    for (auto& a : *n.mutable_attribute()) {
      if (a.has_g()) skeleton(*a.mutable_g());
      for (auto& sg : *a.mutable_graphs())
        skeleton(sg);
    }
}

} // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: import_seed_gen <out-folder> <model.onnx>...\n";
    return 2;
  }
  namespace fs = std::filesystem;
  const fs::path dir(argv[1]);
  std::error_code ec;
  fs::create_directories(dir, ec);
  int written = 0;
  for (int i = 2; i < argc; ++i) {
    std::ifstream in(argv[i], std::ios::binary);
    const std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    onnx::ModelProto m;
    if (!m.ParseFromString(bytes)) {
      std::cerr << argv[i] << ": not an ONNX model, skipped\n";
      continue;
    }
    skeleton(*m.mutable_graph());
    const auto out = dir / ("skeleton_" + fs::path(argv[i]).filename().string());
    std::ofstream f(out, std::ios::binary | std::ios::trunc);
    m.SerializeToOstream(&f);
    std::cout << out.string() << " (" << m.ByteSizeLong() << " bytes)\n";
    ++written;
  }
  return written > 0 ? 0 : 1;
}
