// The ATC "model to JSON" view of an imported model: what the model declares (inputs with symbolic
// dims, outputs, nodes with attributes, initializers), for the CLI's --mode=1 and the studio.
#pragma once

#include <nlohmann/json.hpp>

#include "core/ir/graph.h"

namespace gs::onnx_import {

// {name, ir_version, producer{name,version}, doc_string, metadata, opset_import[{domain,version}],
//  inputs/outputs[{name, dtype, shape}], nodes[{name, op_type, domain, inputs, outputs, attributes}],
//  initializers[{name, dtype, dims}], node_count}. A shape is a list whose dims are numbers, symbol
// strings or "?" (null when even the rank is unknown). Tensor attributes are summarised by dtype and
// dims (plus values when there are at most 16), subgraphs are nested with the same graph fields and
// their outer-scope reads listed. node_count includes subgraph nodes. Strings that are not valid
// UTF-8 are escaped, so the result can always be dumped.
nlohmann::json modelToJson(const ir::Model& model);

// The graph part alone (name, inputs, outputs, nodes, initializers, outer_scope, node_count).
nlohmann::json graphToJson(const ir::Graph& graph);

} // namespace gs::onnx_import
