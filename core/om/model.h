// The in-memory form of GearStudio's offline model (.om): what the compiler produces and the runtime
// loads. The file layout is in docs/om-format.md; om_file.h converts between the two.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/common/strategy.h"
#include "core/ir/graph.h"

namespace gs::om {

struct TensorDesc {
  std::string name;
  ir::DataType dtype = ir::DataType::Undefined;
  std::vector<int64_t> dims;
};

struct PassStat {
  std::string pass;
  int64_t nodesBefore = 0;
  int64_t nodesAfter = 0;
  double millis = 0;
  std::map<std::string, int64_t> counters; // "folded", "fused", ...
};

// Pad-to-gear dispatch: how one output dim follows a padded input dim. The dim's size for an input
// whose dim `inputDim` of graph input `input` is x is floor((a * x + b) / s); input -1: it follows none.
struct CropDim {
  int input = -1;
  int inputDim = -1;
  int64_t a = 1, b = 0, s = 1;
  bool operator==(const CropDim&) const = default;
  bool follows() const { return input >= 0; }
  int64_t size(int64_t x) const { return (a * x + b) >= 0 ? (a * x + b) / s : -((-(a * x + b) + s - 1) / s); }
};
struct OutputCrop {
  std::vector<CropDim> dims; // one per output dim
  std::string unsafe;        // non-empty: why padding changes this output (a reduction over a padded dim...)
  std::string edge;          // non-empty: why values near the padded edge may differ (cropped all the same)
  bool operator==(const OutputCrop&) const = default;
};

// One gear: a specialised, optimised, topologically ordered graph whose values all have static
// shapes (except data-dependent ones, e.g. NonZero outputs, marked by offset -1), plus its memory plan.
struct GearPlan {
  int index = 0;
  std::vector<TensorDesc> inputs;  // the shapes this gear accepts, in graph input order
  std::vector<TensorDesc> outputs; // the shapes it produces, in graph output order
  ir::Graph graph;                 // constants share storage with Model::weights' buffer after read
  // Per ValueId of graph: byte offset in the shared arena; -1 when not in the arena (constants,
  // omitted values, data-dependent shapes, subgraph-internal values).
  std::vector<int64_t> offsets;
  uint64_t arenaBytes = 0;           // this gear's arena need
  uint64_t arenaLowerBoundBytes = 0; // the largest sum of live tensor bytes at any step
  double flops = 0;                  // total floating-point operations of one run
  double compileMillis = 0;
  std::vector<PassStat> passes;
  // Per graph output (empty when not recorded): which dims to crop after padding the inputs to this gear.
  std::vector<OutputCrop> crops;
  // (graph input index, dim) pairs requests may be padded along; the crop map is relative to them.
  std::vector<std::pair<int, int>> paddedDims;
  // Per node of graph (format 2.1; empty when not recorded): the dtype the node computes in, as the
  // compiler's precision policy left it (Undefined for a node without float compute: Cast, Shape,
  // integer ops). The runtime picks each node's kernel by the same dtypes.
  std::vector<ir::DataType> nodePrecision;
};

// Nodes per compute dtype ("float16" -> 41, "float32" -> 6) of a graph's precision record; nodes
// without float compute are not counted.
std::map<std::string, int64_t> precisionSummary(const std::vector<ir::DataType>& nodePrecision);

struct DimRange {
  int64_t lo = 1;
  int64_t hi = -1; // -1: unbounded
};

struct InputRange {
  std::string name;
  ir::DataType dtype = ir::DataType::Undefined;
  std::vector<DimRange> dims; // lo == hi for fixed dims
};

// Fully dynamic mode: the graph keeps symbolic dims; the runtime resolves shapes per run.
struct DynamicModel {
  ir::Graph graph;
  std::vector<InputRange> ranges;          // in graph input order
  std::vector<ir::DataType> nodePrecision; // as GearPlan::nodePrecision
};

struct Metadata {
  std::string producer = "GearStudio";
  std::string producerVersion;
  std::string sourcePath;
  std::string sourceSha256; // hex digest of the source model file
  std::string atcCommand;   // the canonical ATC command line this model was built with
  std::string socVersion;
  std::string inputFormat = "NCHW";
  Strategy strategy = Strategy::Static;
  int64_t opset = 0;        // default-domain ONNX opset of the graphs
  std::string createdUtc;   // ISO 8601
  double compileMillis = 0; // whole compile
  std::map<std::string, std::string> extra;
};

struct Model {
  Metadata meta;
  std::vector<GearPlan> gears;         // empty for a fully dynamic model
  std::optional<DynamicModel> dynamic; // set for Strategy::DynamicShape
  // A gear model's dynamic-shape graph for inputs outside every gear (gearatc --dynamic_fallback).
  std::optional<DynamicModel> fallback;
  uint64_t sharedArenaBytes = 0; // max over gears: one arena serves every gear
  uint64_t weightBytes = 0;      // bytes of distinct constant data (stored once)
};

} // namespace gs::om
