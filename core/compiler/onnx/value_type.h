// ONNX value types (TypeProto) -> ir dtype + shape. Only tensor types exist in the IR; every other
// kind is reported by name instead of being dropped.
#pragma once

#include <string>

#include <onnx/onnx_pb.h>

#include "core/common/status.h"
#include "core/ir/graph.h"

namespace gs::onnx_import {

// ONNX's notation: "tensor(float)", "sequence(tensor(float))", "map(int64,tensor(float))", ...
std::string typeString(const onnx::TypeProto& t);
// ONNX's name of an element type number the IR has no DataType for ("float8e4m3fn", "int4", ...);
// "element type N" for numbers ONNX does not define either.
std::string onnxOnlyTypeName(int32_t onnxType);

// Sets v's dtype and shape from info. what names the value in messages ("input 'x'"). Non-tensor
// types and unknown element types give kUnsupported. Negative dim_values (written by some
// exporters for "dynamic") become unknown dims.
Status applyValueInfo(const onnx::ValueInfoProto& info, ir::Value& v, const std::string& what);

} // namespace gs::onnx_import
