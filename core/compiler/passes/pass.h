// What every compiler pass shares: the context it runs in (opset, this gear's input shapes, the data
// shape inference propagated, statistics counters), its entry in the pass table (with the ops it needs
// the target device to run) and the target a compile is for. A pass edits a graph in place and says
// whether it changed anything.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/status.h"
#include "core/compiler/shape_config/precision_config.h"
#include "core/ir/graph.h"

namespace gs::compiler {

struct PassContext {
  int64_t opset = 0;     // default-domain ONNX opset of the graph
  bool symbolic = false; // dynamic-shape compile: shapes keep their symbols, nothing is required static
  // This gear's input shapes by graph input name (static per gear; symbolic in dynamic-shape mode).
  std::map<std::string, ir::Shape> inputShapes;
  // --out_nodes entries ("node:0" or a tensor name); empty keeps the model's outputs.
  std::vector<std::string> outNodes;
  // Filled by specialize-shapes (per ValueId), turned into constants by fold-shape-values.
  std::vector<std::optional<ir::Tensor>> knownValues;
  // Largest tensor (elements) a fold may create. Gear-independent folds may create big ones (they are
  // made once and shared by every gear); per-gear ones stay small so gears do not duplicate weights.
  int64_t maxFoldElements = int64_t{1} << 24;
  // --precision_mode / --keep_dtype (pass precision-policy); the default changes nothing.
  shape_config::PrecisionConfig precision;
  // Statistics of the pass being run ("folded", "fused", ...); reset before each pass.
  std::map<std::string, int64_t> counters;

  void count(std::string_view counter, int64_t n = 1) { counters[std::string(counter)] += n; }
};

// Returns whether the graph changed, or an error naming the node at fault.
using PassFn = Expected<bool> (*)(ir::Graph&, PassContext&);

// An op a pass creates, which the target device must have a kernel for.
struct OpKey {
  std::string_view domain; // "" for ai.onnx
  std::string_view opType;
};

struct PassInfo {
  std::string_view name;    // "fold-conv-batchnorm": what --print-pipeline and the studio show
  std::string_view summary; // one line
  PassFn run = nullptr;
  bool required = false;        // the pipeline cannot work without it; cannot be disabled
  std::span<const OpKey> needs; // ops it creates: the pipeline skips it for a target lacking one
};

// The device a compile is for. Passes that create ops the target has no kernel for are skipped
// (the graph keeps the ops it has), so a compiled model only holds ops its target runs.
struct Target {
  std::string device = "cpu";
  // Whether the device has a kernel for (domain, opType) at the model's default-domain opset. The
  // caller fills it from the device (session::compileTarget()); null: the target's ops are not known
  // and no pass is gated (a missing kernel is then refused when the model is loaded, naming the op).
  std::function<bool(std::string_view domain, std::string_view opType, int64_t opset)> hasOp;
};

// Why the target cannot run `pass` ("target 'cpu' has no kernel for ai.gearstudio.FusedConv"), or
// empty when it can (or when the target's ops are not known).
std::string gatedReason(const PassInfo& pass, const Target& target, int64_t opset);

} // namespace gs::compiler
