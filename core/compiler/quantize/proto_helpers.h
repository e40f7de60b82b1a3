// Helpers over ONNX protobuf messages shared by the quantizer's two steps (internal to
// core/compiler/quantize: this header includes the ONNX headers).
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include <onnx/onnx_pb.h>

#include "core/common/status.h"

namespace gs::quantize::proto {

// The default domain's opset (1 when absent).
int64_t defaultOpset(const onnx::ModelProto& m);
void setDefaultOpset(onnx::ModelProto& m, int64_t version);

// Initializers by name (pointers into the graph; valid until the initializer list changes).
std::map<std::string, onnx::TensorProto*> initializers(onnx::GraphProto& g);

// A float32 initializer's values (float32/float64 stored as raw or typed data).
Expected<std::vector<float>> floatValues(const onnx::TensorProto& t);
std::vector<int64_t> dimsOf(const onnx::TensorProto& t);

// Replaces t's contents: name kept, dtype/dims/raw bytes set.
void setRaw(onnx::TensorProto& t, int32_t dtype, const std::vector<int64_t>& dims, const void* data, std::size_t bytes);
template <class T>
void setValues(onnx::TensorProto& t, int32_t dtype, const std::vector<int64_t>& dims, const std::vector<T>& v) {
  setRaw(t, dtype, dims, v.data(), v.size() * sizeof(T));
}

// Every name a value or node has in the graph, to make new names unique.
class NameSet {
public:
  explicit NameSet(const onnx::GraphProto& g);
  // base, or base_1, base_2 ... whichever is free; the result is taken.
  std::string unique(const std::string& base);

private:
  std::set<std::string> m_names;
};

int64_t intAttr(const onnx::NodeProto& n, const std::string& name, int64_t fallback);
float floatAttr(const onnx::NodeProto& n, const std::string& name, float fallback);

} // namespace gs::quantize::proto
