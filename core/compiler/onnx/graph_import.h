// ONNX GraphProto -> ir::Graph, recursively for If/Loop/Scan bodies. Internal to the importer.
#pragma once

#include <onnx/onnx_pb.h>

#include "core/common/status.h"
#include "core/compiler/onnx/importer.h"
#include "core/compiler/onnx/tensor_proto.h"
#include "core/ir/graph.h"

namespace gs::onnx_import {

// State shared by every graph of one model import.
struct ImportContext {
  ImportOptions options;
  ExternalData external;
};

// Imports the main graph, consuming the proto's tensors (their data moves into the IR). Errors name
// the value, node or attribute at fault and the subgraph path leading to it.
Expected<ir::Graph> importMainGraph(onnx::GraphProto& proto, ImportContext& ctx);

} // namespace gs::onnx_import
