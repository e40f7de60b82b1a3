// The pass table (every pass once: name, summary, function) and the two pipelines built from it, as
// data: the gear-independent pipeline runs once on the symbolic graph, the per-gear pipeline once per
// gear (or once, symbolically, for dynamic shape). Printable (`gearatc --print-pipeline`).
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/progress.h"
#include "core/compiler/passes/pass.h"
#include "core/om/model.h"

namespace gs::compiler {

std::span<const PassInfo> passTable();
const PassInfo* findPass(std::string_view name);

struct PipelineStep {
  std::vector<std::string_view> passes;
  bool untilFixedPoint = false; // repeat the group until no pass in it changes the graph (at most 8 rounds)
};

struct Pipeline {
  std::string_view name;
  std::string_view summary;
  std::vector<PipelineStep> steps;
};

const Pipeline& gearIndependentPipeline();
const Pipeline& perGearPipeline();

// Both pipelines and the analyses after them, one pass per line with its summary; passes `target`
// cannot run are marked with the reason they are skipped.
std::string printPipelines(const Target& target);

struct PipelineRunOptions {
  std::vector<std::string> disabledPasses; // by name; a required pass cannot be disabled (error)
  bool verifyEachPass = false;             // ir::verify after every pass; the error names the pass
  const Progress* progress = nullptr;      // cancellation is checked before every pass
  const Target* target = nullptr;          // passes it cannot run are skipped (null: none)
};

// Runs every pass of the pipeline on g; one PassStat per pass run is appended to stats.
Status runPipeline(const Pipeline& pipeline, ir::Graph& g, PassContext& ctx, const PipelineRunOptions& options,
                   std::vector<om::PassStat>& stats);

// An error naming the first unknown or required pass in disabled.
Status checkDisabledPasses(const std::vector<std::string>& disabled);

} // namespace gs::compiler
