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

// Sets v's dtype and shape from info. what names the value in messages ("input 'x'"). Non-tensor
// types and unknown element types give kUnsupported. Negative dim_values (written by some
// exporters for "dynamic") become unknown dims.
Status applyValueInfo(const onnx::ValueInfoProto& info, ir::Value& v, const std::string& what);

} // namespace gs::onnx_import
