// ONNX AttributeProto -> ir::Attribute, and Constant nodes -> constant tensors. Subgraph attributes
// are handed to a callback so that graph import (which knows the enclosing scopes) stays in charge.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <onnx/onnx_pb.h>

#include "core/common/status.h"
#include "core/compiler/onnx/tensor_proto.h"
#include "core/ir/attribute.h"
#include "core/ir/graph.h"

namespace gs::onnx_import {

using SubgraphImporter = std::function<Expected<std::shared_ptr<ir::Graph>>(onnx::GraphProto&, const std::string&)>;

// Converts one attribute, consuming its tensors (raw_data moved, not copied). nodeLabel names the
// node in messages. Sparse tensors and type protos give kUnsupported.
Expected<ir::Attribute> convertAttribute(onnx::AttributeProto& a, const std::string& nodeLabel, ExternalData& external,
                                         const SubgraphImporter& importSubgraph);

// True for ONNX's Constant op (default domain).
bool isConstantNode(const onnx::NodeProto& n);

// The value a Constant node defines: value, value_float(s), value_int(s) or value_string(s).
Expected<ir::Tensor> constantNodeValue(onnx::NodeProto& n, const std::string& nodeLabel, ExternalData& external);

} // namespace gs::onnx_import
