// Read-only views of an om::Model for people and tools: the JSON of `gearatc --mode=1 --om=X.om
// --json=OUT.json` and the text of `gearatc --mode=6` (ATC's "display model info").
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "core/om/model.h"

namespace gs::om {

// {"metadata": {...}, "weight_bytes", "shared_arena_bytes", "gear_count", "gears": [{"index",
// "inputs"/"outputs": [{"name","dtype","shape"}], "arena_bytes", "arena_lower_bound_bytes", "flops",
// "node_count", "total_node_count", "compile_millis", "passes": [...], "precision": {"float16": 41,
// "float32": 6} (nodes per compute dtype; absent in files without a record), "graph": graphJson}],
// "dynamic": {..., "graph"} (when present)}. Strings that are not valid UTF-8 have the bad bytes
// replaced by U+FFFD, so dump() never throws.
nlohmann::json toJson(const Model& model);

// Every node of g in execution order: {"inputs": [names], "outputs": [names], "nodes": [{"name",
// "domain" ("ai.onnx" or "ai.gearstudio"...), "op_type", "attributes": {name: value; tensors as
// {"tensor": {"dtype","dims"}}, bodies as {"graph": graphJson}}, "inputs", "outputs" ("" for an
// omitted optional one)}]}.
// With a precision record (one dtype per node, GearPlan::nodePrecision), each node also has
// "precision": the dtype it computes in ("float16"), or null for a node without float compute.
nlohmann::json graphJson(const ir::Graph& g, const std::vector<ir::DataType>& nodePrecision = {});

// A human-readable summary: metadata, weight size, memory size, gear count, per-gear shapes,
// arena and lower bound, dynamic ranges, ATC command.
std::string infoText(const Model& model);

} // namespace gs::om
