// Whole-model checks run before conversion: a preflight over every tensor header and subgraph (so
// that hostile dims or nesting are refused before anything trusts them, the ONNX checker included),
// and the ONNX checker itself with the false alarms it raises on newer models turned into warnings.
#pragma once

#include <string>

#include <onnx/onnx_pb.h>

#include "core/common/status.h"
#include "core/compiler/onnx/importer.h"
#include "core/compiler/onnx/tensor_proto.h"

namespace gs::onnx_import {

// Refuses subgraph nesting deeper than options.maxSubgraphDepth, sparse tensors, and every tensor
// (initializers, attributes, Constant values) that conversion would refuse: bad dtypes, negative or
// overflowing dims, data sizes that disagree with the dims, external data outside the model folder
// or out of its file's bounds. External data files get mapped here, once.
Status preflight(const onnx::ModelProto& model, const ImportOptions& options, ExternalData& external);

// Puts the nodes of the main graph and of every subgraph in topological order, as ONNX Runtime does
// when it loads a model (fp16 converters and other tools emit unsorted graphs). A node depends on
// the producers of its inputs and of the outer-scope names its subgraphs read. The order of nodes
// that are already sorted is kept. Returns what was reordered ("graph 'g': 12 of 40 nodes moved;
// ..."), empty when nothing was; a cycle is a kFormat error naming the nodes on it.
Expected<std::string> sortNodesTopologically(onnx::GraphProto& graph);

// onnx::checker::check_model with the model folder set for external data (without parsing the file
// a second time). Findings are kFormat errors, except where the checker cannot judge: a model whose
// IR version or opset is newer than this ONNX build knows, and ops it has no schema for (the
// compiler reports unsupported ops itself) only log a warning. Graph-level findings that ONNX
// Runtime tolerates are warnings too (see docs/architecture.md, "Importer"): an empty graph name,
// graph outputs without a declared type, duplicate metadata keys. Node findings (schema,
// attributes, types), SSA violations, duplicate initializers and inputs without a type stay errors,
// as ONNX Runtime refuses them as well.
Status runOnnxChecker(const onnx::ModelProto& model, const std::string& modelDir);

} // namespace gs::onnx_import
