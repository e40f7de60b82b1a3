// The compile driver: gear-independent pipeline once, then per gear (clone, per-gear pipeline, memory
// plan, cost), or the symbolic graph for dynamic shape; metadata and statistics into the om::Model.
#include "core/compiler/compile.h"

#include <openssl/evp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <set>
#include <tuple>

#include "core/common/log.h"
#include "core/compiler/crop_map.h"
#include "core/compiler/memory/graph_plan.h"
#include "core/compiler/passes/pipeline.h"
#include "core/compiler/passes/precision_ops.h"
#include "core/compiler/passes/precision_policy.h"
#include "core/compiler/passes/specialize_shapes.h"
#include "core/compiler/size_limits.h"
#include "core/ops/registry.h"

#ifndef GS_VERSION
#define GS_VERSION "0"
#endif

namespace gs::compiler {

namespace {

using Clock = std::chrono::steady_clock;

double millisSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

std::string utcNow() {
  const auto t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::vector<om::TensorDesc> describe(const ir::Graph& g, const std::vector<ir::ValueId>& ids) {
  std::vector<om::TensorDesc> out;
  for (auto id : ids) {
    const auto& v = g.values[id];
    om::TensorDesc d{v.name, v.dtype, {}};
    for (const auto& dim : v.shape.dims)
      d.dims.push_back(dim.value);
    out.push_back(std::move(d));
  }
  return out;
}

// Bytes of distinct constant data: a weight shared by several gears (same buffer and offset) counts once.
uint64_t distinctWeightBytes(const om::Model& m) {
  std::set<std::tuple<const ir::Buffer*, std::size_t, std::size_t>> seen;
  uint64_t total = 0;
  auto visit = [&](const ir::Graph& g) {
    for (const auto& v : g.values)
      if (v.constant && v.constant->buffer) {
        const auto key = std::make_tuple(v.constant->buffer.get(), v.constant->offset, v.constant->byteSize());
        if (seen.insert(key).second) total += v.constant->byteSize();
      }
  };
  for (const auto& gear : m.gears)
    visit(gear.graph);
  if (m.dynamic) visit(m.dynamic->graph);
  if (m.fallback) visit(m.fallback->graph);
  return total;
}

// Input shapes of the dynamic graph: fixed dims where lo == hi, else the model's symbol or a new one.
std::map<std::string, ir::Shape> symbolicInputs(const ir::Graph& g, const std::vector<om::InputRange>& ranges) {
  std::map<std::string, ir::Shape> out;
  for (const auto& r : ranges) {
    const auto v = g.findValue(r.name);
    const ir::Shape* model = v == ir::kNone ? nullptr : &g.values[v].shape;
    std::vector<ir::Dim> dims;
    for (std::size_t i = 0; i < r.dims.size(); ++i) {
      const auto& d = r.dims[i];
      if (d.lo == d.hi && d.lo >= 0) {
        dims.push_back(ir::Dim::known(d.lo));
      } else if (model && model->rankKnown && i < model->dims.size() && model->dims[i].isSymbolic()) {
        dims.push_back(model->dims[i]);
      } else {
        dims.push_back(ir::Dim::symbolic(r.name + "_d" + std::to_string(i)));
      }
    }
    out[r.name] = ir::Shape(std::move(dims));
  }
  return out;
}

// What each node of a compiled graph computes in: the record the .om keeps and the runtime follows.
std::vector<ir::DataType> nodePrecision(const ir::Graph& g, int64_t opset) {
  std::vector<ir::DataType> out;
  out.reserve(g.nodes.size());
  for (const auto& n : g.nodes)
    out.push_back(precision::computeType(g, n, opset));
  return out;
}

double graphFlops(const ir::Graph& g) {
  double flops = 0;
  for (const auto& n : g.nodes)
    flops += ops::nodeCost(g, n).flops;
  return flops;
}

Expected<om::GearPlan> compileGear(const ir::Graph& base, const shape_config::GearShapes& shapes, int index,
                                   const PassContext& baseCtx, const PipelineRunOptions& runOptions,
                                   const std::vector<om::PassStat>& sharedStats) {
  const auto start = Clock::now();
  om::GearPlan plan;
  plan.index = index;
  plan.graph = base; // constants share their buffers
  PassContext ctx = baseCtx;
  ctx.symbolic = false;
  ctx.maxFoldElements = 1 << 16; // per-gear folds stay small: weights must not be duplicated per gear
  GS_RETURN_IF_ERROR(checkGearInputSizes(base, shapes, index));
  for (const auto& [name, dims] : shapes.inputs)
    ctx.inputShapes[name] = ir::Shape::fromValues(dims);
  plan.passes = sharedStats;
  GS_RETURN_IF_ERROR(runPipeline(perGearPipeline(), plan.graph, ctx, runOptions, plan.passes));
  GS_RETURN_IF_ERROR(checkGearSizes(plan.graph, index));
  const auto memStart = Clock::now();
  GS_ASSIGN_OR_RETURN(auto mem, memory::planGraphMemory(plan.graph));
  GS_RETURN_IF_ERROR(checkArenaSize(mem.arenaBytes, index));
  om::PassStat memStat;
  memStat.pass = "memory-plan";
  memStat.nodesBefore = memStat.nodesAfter = static_cast<int64_t>(plan.graph.nodes.size());
  memStat.millis = millisSince(memStart);
  memStat.counters = {{"planned", mem.planned}, {"data-dependent", mem.dataDependent}};
  plan.passes.push_back(std::move(memStat));
  plan.offsets = std::move(mem.offsets);
  plan.arenaBytes = mem.arenaBytes;
  plan.arenaLowerBoundBytes = mem.lowerBoundBytes;
  plan.inputs = describe(plan.graph, plan.graph.inputs);
  plan.outputs = describe(plan.graph, plan.graph.outputs);
  plan.flops = graphFlops(plan.graph);
  plan.nodePrecision = nodePrecision(plan.graph, ctx.opset);
  plan.compileMillis = millisSince(start);
  return plan;
}

// Per input, the dims whose value differs between gears: the dims requests are padded along.
std::map<std::string, std::vector<bool>> differingDims(const std::vector<shape_config::GearShapes>& gears) {
  std::map<std::string, std::vector<bool>> out;
  if (gears.empty()) return out;
  for (const auto& [name, dims] : gears.front().inputs)
    out[name].assign(dims.size(), false);
  for (const auto& g : gears)
    for (const auto& [name, dims] : g.inputs) {
      auto& mask = out[name];
      const auto& first = gears.front().inputs;
      for (const auto& [n0, d0] : first)
        if (n0 == name)
          for (std::size_t k = 0; k < dims.size() && k < d0.size() && k < mask.size(); ++k)
            mask[k] = mask[k] || dims[k] != d0[k];
    }
  return out;
}

// Ranges of the dynamic fallback: padded dims unbounded, the others fixed at the first gear's value.
std::vector<om::InputRange> fallbackRanges(const om::GearPlan& gear,
                                           const std::map<std::string, std::vector<bool>>& padded) {
  std::vector<om::InputRange> out;
  for (const auto& in : gear.inputs) {
    om::InputRange r{in.name, in.dtype, {}};
    const auto it = padded.find(in.name);
    for (std::size_t k = 0; k < in.dims.size(); ++k) {
      const bool free = it != padded.end() && k < it->second.size() && it->second[k];
      r.dims.push_back(free ? om::DimRange{1, -1} : om::DimRange{in.dims[k], in.dims[k]});
    }
    out.push_back(std::move(r));
  }
  return out;
}

} // namespace

std::span<const PassInfo> passRegistry() { return passTable(); }

std::string pipelineText(const Target& target) { return printPipelines(target); }

std::string sha256Bytes(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &len, EVP_sha256(), nullptr);
  std::string hex;
  char pair[3];
  for (unsigned int i = 0; i < len; ++i) {
    std::snprintf(pair, sizeof pair, "%02x", digest[i]);
    hex += pair;
  }
  return hex;
}

Expected<std::string> sha256File(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return makeError(codes::kIo, "cannot open '" + path + "' to hash it");
  auto* md = EVP_MD_CTX_new();
  if (!md) return makeError(codes::kInternal, "OpenSSL: cannot allocate a digest context");
  EVP_DigestInit_ex(md, EVP_sha256(), nullptr);
  std::vector<char> buf(1 << 20);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    if (in.gcount() > 0) EVP_DigestUpdate(md, buf.data(), static_cast<std::size_t>(in.gcount()));
  }
  const bool failed = in.bad();
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(md, digest, &len);
  EVP_MD_CTX_free(md);
  if (failed) return makeError(codes::kIo, "error while reading '" + path + "'");
  std::string hex;
  char pair[3];
  for (unsigned int i = 0; i < len; ++i) {
    std::snprintf(pair, sizeof pair, "%02x", digest[i]);
    hex += pair;
  }
  return hex;
}

Expected<om::Model> compile(const ir::Model& model, const shape_config::ShapeConfig& config,
                            const CompileOptions& options, const Progress& progress) {
  const auto start = Clock::now();
  auto log = log::get("compiler");
  GS_RETURN_IF_ERROR(checkDisabledPasses(options.disabledPasses));
  const auto opset = model.onnxOpset();
  GS_RETURN_IF_ERROR(passes::checkOpsSupported(model.graph, opset));
  GS_RETURN_IF_ERROR(shape_config::validate(config, model));

  PipelineRunOptions runOptions{options.disabledPasses, options.verifyEachPass, &progress, &options.target};
  PassContext ctx;
  ctx.opset = opset;
  ctx.outNodes = config.outNodes;
  ctx.precision = config.precision;
  GS_RETURN_IF_ERROR(passes::checkKeepList(config.precision, model.graph));
  if (config.precision.mode == shape_config::PrecisionMode::MustKeepOriginDtype && !config.precision.keep.empty()) {
    log->warn("--keep_dtype is ignored under --precision_mode=must_keep_origin_dtype (every op keeps its dtype)");
    ctx.precision.keep = {};
  }

  om::Model out;
  out.meta.producerVersion = GS_VERSION;
  out.meta.sourcePath = model.sourcePath;
  out.meta.sourceSha256 = options.sourceSha256;
  out.meta.atcCommand = options.atcCommand;
  out.meta.socVersion = config.socVersion;
  out.meta.inputFormat = config.inputFormat;
  out.meta.strategy = config.strategy;
  out.meta.opset = opset;
  out.meta.createdUtc = utcNow();
  out.meta.extra["target_device"] = options.target.device;
  out.meta.extra["precision_mode"] = shape_config::precisionLabel(config.precision);
  for (const auto& pass : passTable())
    if (const auto why = gatedReason(pass, options.target, opset); !why.empty())
      log->info("pass '{}' skipped: {}", pass.name, why);

  // Gear-independent work, once.
  progress(0.0, "gear-independent passes");
  ir::Graph base = model.graph;
  std::vector<om::PassStat> shared;
  GS_RETURN_IF_ERROR(runPipeline(gearIndependentPipeline(), base, ctx, runOptions, shared));
  log->info("gear-independent passes: {} -> {} nodes", model.graph.nodes.size(), base.nodes.size());

  auto compileDynamic = [&](ir::Graph graph, std::vector<om::InputRange> ranges) -> Expected<om::DynamicModel> {
    PassContext dctx = ctx;
    dctx.symbolic = true;
    dctx.maxFoldElements = 1 << 16;
    dctx.inputShapes = symbolicInputs(graph, ranges);
    std::vector<om::PassStat> stats = shared;
    GS_RETURN_IF_ERROR(runPipeline(perGearPipeline(), graph, dctx, runOptions, stats));
    auto record = nodePrecision(graph, dctx.opset);
    return om::DynamicModel{std::move(graph), std::move(ranges), std::move(record)};
  };
  if (config.strategy == Strategy::DynamicShape) {
    GS_ASSIGN_OR_RETURN(auto ranges, shape_config::dynamicRanges(config, model.graph));
    progress(0.5, "dynamic shape: symbolic passes");
    GS_ASSIGN_OR_RETURN(out.dynamic, compileDynamic(std::move(base), std::move(ranges)));
    log->info("dynamic shape model: {} nodes", out.dynamic->graph.nodes.size());
  } else {
    GS_ASSIGN_OR_RETURN(auto gears, shape_config::expandGears(config, model.graph));
    const auto padded = options.paddedDims.empty() ? differingDims(gears) : options.paddedDims;
    const auto count = gears.size();
    for (std::size_t i = 0; i < count; ++i) {
      if (progress.cancelled())
        return makeError(codes::kCancelled, "compile cancelled before gear " + std::to_string(i));
      ProgressEvent event;
      event.fraction = static_cast<double>(i) / static_cast<double>(count);
      event.what = "gear " + std::to_string(i + 1) + "/" + std::to_string(count);
      event.stage = "compile";
      event.gear = static_cast<int>(i);
      event.gearCount = static_cast<int>(count);
      progress(event);
      auto gear = compileGear(base, gears[i], static_cast<int>(i), ctx, runOptions, shared);
      if (!gear) return std::unexpected(withContext(gear.error(), "gear " + std::to_string(i)));
      // The crop map serves pad-to-gear dispatch; a model whose graph the analysis cannot read still
      // compiles (its outputs are then returned whole when padded).
      for (std::size_t in = 0; in < gear->inputs.size(); ++in)
        if (const auto it = padded.find(gear->inputs[in].name); it != padded.end())
          for (std::size_t d = 0; d < it->second.size() && d < gear->inputs[in].dims.size(); ++d)
            if (it->second[d]) gear->paddedDims.emplace_back(static_cast<int>(in), static_cast<int>(d));
      if (auto crops = cropMap(model.graph, opset, gear->inputs, padded, gear->outputs))
        gear->crops = std::move(*crops);
      else
        log->warn("gear {}: no crop map: {}", i, crops.error().message);
      log->info("gear {}: {} nodes, arena {} bytes (lower bound {}), {:.1f} ms", i, gear->graph.nodes.size(),
                gear->arenaBytes, gear->arenaLowerBoundBytes, gear->compileMillis);
      out.sharedArenaBytes = std::max(out.sharedArenaBytes, gear->arenaBytes);
      out.gears.push_back(std::move(*gear));
    }
    if (options.dynamicFallback && !out.gears.empty()) {
      progress(0.95, "dynamic fallback: symbolic passes");
      auto ranges = fallbackRanges(out.gears.front(), padded);
      auto fallback = compileDynamic(std::move(base), std::move(ranges));
      if (!fallback) return std::unexpected(withContext(fallback.error(), "dynamic fallback"));
      out.fallback = std::move(*fallback);
      log->info("dynamic fallback: {} nodes", out.fallback->graph.nodes.size());
    }
  }
  out.weightBytes = distinctWeightBytes(out);
  out.meta.compileMillis = millisSince(start);
  progress(1.0, "done");
  return out;
}

} // namespace gs::compiler
