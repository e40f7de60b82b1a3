// Value type conversion and naming.
#include "core/compiler/onnx/value_type.h"

#include "core/common/log.h"

namespace gs::onnx_import {
namespace {

std::string elemName(int32_t elemType) {
  const auto d = ir::dtypeFromOnnx(elemType);
  if (!d) return onnxOnlyTypeName(elemType);
  switch (*d) { // ONNX's own spelling, as in its error messages
  case ir::DataType::Float32:
    return "float";
  case ir::DataType::Float64:
    return "double";
  default:
    return std::string(ir::dtypeName(*d));
  }
}

} // namespace

std::string onnxOnlyTypeName(int32_t onnxType) {
  switch (onnxType) {
  case 17:
    return "float8e4m3fn";
  case 18:
    return "float8e4m3fnuz";
  case 19:
    return "float8e5m2";
  case 20:
    return "float8e5m2fnuz";
  case 21:
    return "uint4";
  case 22:
    return "int4";
  case 23:
    return "float4e2m1";
  default:
    return "element type " + std::to_string(onnxType);
  }
}

std::string typeString(const onnx::TypeProto& t) {
  switch (t.value_case()) {
  case onnx::TypeProto::kTensorType:
    return "tensor(" + elemName(t.tensor_type().elem_type()) + ")";
  case onnx::TypeProto::kSparseTensorType:
    return "sparse_tensor(" + elemName(t.sparse_tensor_type().elem_type()) + ")";
  case onnx::TypeProto::kSequenceType:
    return "sequence(" + typeString(t.sequence_type().elem_type()) + ")";
  case onnx::TypeProto::kOptionalType:
    return "optional(" + typeString(t.optional_type().elem_type()) + ")";
  case onnx::TypeProto::kMapType:
    return "map(" + elemName(t.map_type().key_type()) + "," + typeString(t.map_type().value_type()) + ")";
  case onnx::TypeProto::kOpaqueType:
    return "opaque(" + t.opaque_type().domain() + "." + t.opaque_type().name() + ")";
  case onnx::TypeProto::VALUE_NOT_SET:
    break;
  }
  return "an unset type";
}

Status applyValueInfo(const onnx::ValueInfoProto& info, ir::Value& v, const std::string& what) {
  if (!info.has_type()) return ok(); // allowed for intermediates; nothing to learn
  const auto& type = info.type();
  if (type.value_case() == onnx::TypeProto::VALUE_NOT_SET) return ok();
  if (type.value_case() != onnx::TypeProto::kTensorType)
    return makeError(codes::kUnsupported,
                     what + " has type " + typeString(type) + ", which GearStudio does not support");
  const auto& tensor = type.tensor_type();
  const auto dtype = ir::dtypeFromOnnx(tensor.elem_type());
  if (!dtype)
    return makeError(codes::kUnsupported,
                     what + " has type " + typeString(type) + ", whose element type GearStudio does not support");
  v.dtype = *dtype;
  if (!tensor.has_shape()) {
    v.shape = ir::Shape::unknownRank();
    return ok();
  }
  std::vector<ir::Dim> dims;
  dims.reserve(static_cast<std::size_t>(tensor.shape().dim_size()));
  for (const auto& d : tensor.shape().dim()) {
    if (d.has_dim_value()) {
      if (d.dim_value() >= 0) {
        dims.push_back(ir::Dim::known(d.dim_value()));
      } else {
        log::get("import")->warn("{} has dimension {}; treating it as unknown", what, d.dim_value());
        dims.push_back(ir::Dim::unknown());
      }
    } else if (d.has_dim_param() && !d.dim_param().empty()) {
      dims.push_back(ir::Dim::symbolic(d.dim_param()));
    } else {
      dims.push_back(ir::Dim::unknown());
    }
  }
  v.shape = ir::Shape(std::move(dims));
  return ok();
}

} // namespace gs::onnx_import
