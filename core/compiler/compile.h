// The compile pipeline: an imported model plus a shape configuration in, an om::Model out. The
// gear-independent passes run once on the symbolic graph (weights they fold are made once and shared
// by every gear); then each gear is a clone with static input shapes that is specialised, fused,
// ordered and memory-planned. Fully dynamic mode keeps one symbolic graph with input ranges.
#pragma once

#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/progress.h"
#include "core/common/status.h"
#include "core/compiler/passes/pass.h"
#include "core/compiler/shape_config/shape_config.h"
#include "core/ir/graph.h"
#include "core/om/model.h"

namespace gs::compiler {

struct CompileOptions {
  Target target;                           // the device the model is for (passes.h): gates fusion passes
  std::string atcCommand;                  // canonical ATC command line, recorded in the metadata
  std::string sourceSha256;                // hex SHA-256 of the source model file (see sha256File)
  std::vector<std::string> disabledPasses; // pass names (see passRegistry); required passes cannot be disabled
  bool verifyEachPass = false;             // ir::verify after every pass (slower; for debugging passes)
  // Gear models: also store a dynamic-shape graph for inputs outside every gear (the dims that differ
  // between gears become unbounded ranges): gearatc --dynamic_fallback, dispatch pad-or-dynamic.
  bool dynamicFallback = false;
  // Per input, the dims requests may be padded along (for the gears' crop maps). Empty: the dims that
  // differ between gears. Give it for a static model that requests are padded into.
  std::map<std::string, std::vector<bool>> paddedDims;
};

// Compiles every gear of config (or the dynamic model). Errors: the config's ATC codes (E100xx),
// codes::kUnsupported naming the op and node the registry does not know, codes::kInvalid for a gear
// value that does not come out static, codes::kCancelled when progress.cancelled() turns true
// (checked before every pass and gear). Progress is reported per pass and gear.
Expected<om::Model> compile(const ir::Model& model, const shape_config::ShapeConfig& config,
                            const CompileOptions& options, const Progress& progress);

// Every pass the compiler has (name, summary, whether it can be disabled), in table order.
std::span<const PassInfo> passRegistry();

// The pipelines as text, with the passes `target` cannot run marked: what `gearatc --print-pipeline`
// prints.
std::string pipelineText(const Target& target = {});

// Lower-case hex SHA-256 of bytes (e.g. a serialized .om).
std::string sha256Bytes(std::string_view bytes);

// Lower-case hex SHA-256 of a file's bytes. Errors: codes::kIo naming the path.
Expected<std::string> sha256File(const std::string& path);

} // namespace gs::compiler
