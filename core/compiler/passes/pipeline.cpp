// The pass table and pipelines, and the loop that runs them with timing, statistics and cancellation.
#include "core/compiler/passes/pipeline.h"

#include <algorithm>
#include <chrono>

#include "core/common/log.h"
#include "core/compiler/passes/constant_nodes.h"
#include "core/compiler/passes/dead_code.h"
#include "core/compiler/passes/eliminate_identity.h"
#include "core/compiler/passes/fold_affine_into_conv.h"
#include "core/compiler/passes/fold_cast_pairs.h"
#include "core/compiler/passes/fold_constants.h"
#include "core/compiler/passes/fold_conv_affine.h"
#include "core/compiler/passes/fold_conv_batchnorm.h"
#include "core/compiler/passes/fold_shape_values.h"
#include "core/compiler/passes/fuse_activation.h"
#include "core/compiler/passes/fuse_conv_add.h"
#include "core/compiler/passes/fuse_hardswish.h"
#include "core/compiler/passes/fuse_post_affine.h"
#include "core/compiler/passes/fuse_qdq.h"
#include "core/compiler/passes/layout_nhwc.h"
#include "core/compiler/passes/precision_policy.h"
#include "core/compiler/passes/reduce_pow.h"
#include "core/compiler/passes/select_outputs.h"
#include "core/compiler/passes/simplify_arithmetic.h"
#include "core/compiler/passes/specialize_shapes.h"
#include "core/compiler/passes/topo_sort.h"

namespace gs::compiler {

namespace {

using namespace gs::compiler::passes;

constexpr std::string_view kGs = "ai.gearstudio";
// What the fusion passes create (core/ir/gs_ops.h).
constexpr OpKey kNeedsFusedConv[] = {{kGs, "FusedConv"}};
constexpr OpKey kNeedsFused[] = {
    {kGs, "FusedConv"}, {kGs, "FusedConvTranspose"}, {kGs, "FusedGemm"}, {kGs, "FusedMatMul"}};
constexpr OpKey kNeedsHardSwish[] = {
    {kGs, "FusedConv"}, {kGs, "FusedConvTranspose"}, {kGs, "FusedGemm"}, {kGs, "FusedMatMul"}, {"", "HardSwish"}};
constexpr OpKey kNeedsPowReduction[] = {{"", "Mul"}, {"", "Sqrt"}, {"", "Reciprocal"}};
constexpr OpKey kNeedsQuant[] = {{kGs, "QuantConv"}, {kGs, "QuantMatMul"}};
constexpr OpKey kNeedsChannelsLast[] = {
    {kGs, "FusedConv"},       {kGs, "FusedConvTranspose"},    {kGs, "NhwcMaxPool"},
    {kGs, "NhwcAveragePool"}, {kGs, "NhwcGlobalAveragePool"}, {kGs, "NhwcGlobalMaxPool"},
    {"", "Transpose"}};

// The one list of passes. The studio shows it; pipelines refer to passes by name.
const PassInfo kPasses[] = {
    {"select-outputs", "Make the --out_nodes tensors the model outputs", selectOutputs, true},
    {"constant-nodes", "Turn ONNX Constant nodes into constant values", constantNodes, false},
    {"eliminate-identity", "Remove Identity, inference Dropout, same-type Cast and no-op reshapes", eliminateIdentity,
     false},
    {"fold-cast-pairs", "Read x directly in Cast(Cast(x)) where the first Cast is exact (float16 -> float32 ...)",
     foldCastPairs, false},
    {"fold-constants", "Evaluate nodes whose inputs are all constants", foldConstants, false},
    {"simplify-arithmetic", "Remove x*1, x/1, x+0, x-0 and x^1", simplifyArithmetic, false},
    {"reduce-pow", "Pow with a constant exponent 2, 3, 4, 0.5, -0.5, -1, -2 as Mul, Sqrt, Reciprocal", reducePow, false,
     kNeedsPowReduction},
    {"fold-conv-batchnorm", "Fold BatchNormalization into the preceding Conv/ConvTranspose weights", foldConvBatchNorm,
     false},
    {"fold-conv-affine", "Fold per-channel Mul/Div/Add/Sub after a Conv into its weights and bias", foldConvAffine,
     false},
    {"fold-affine-into-conv", "Fold a scalar Mul/Add feeding only unpadded Convs into them", foldAffineIntoConv, false},
    {"precision-policy",
     "Apply --precision_mode and --keep_dtype: ops computed in float16/bfloat16/float32, constants converted "
     "once, Casts where regions meet",
     applyPrecisionPolicy, false},
    {"dead-code", "Remove nodes and values nothing reads", deadCode, false},
    {"specialize-shapes", "Set the gear's input shapes and infer every value (with shape data)", specializeShapes,
     true},
    {"fold-shape-values", "Turn propagated shape data (Shape/Gather/Concat chains) into constants", foldShapeValues,
     false},
    {"fuse-qdq",
     "Run DequantizeLinear -> Conv/MatMul/Gemm (-> QuantizeLinear) on int8 kernels (QuantConv, QuantMatMul)", fuseQdq,
     false, kNeedsQuant},
    {"fuse-conv-add", "Fuse a same-shape Add into the preceding Conv (FusedConv with residual Z)", fuseConvAdd, false,
     kNeedsFusedConv},
    {"fuse-hardswish", "Recognise x*Clip(x+3,0,6)/6 and x*HardSigmoid(x) as HardSwish", fuseHardSwish, false,
     kNeedsHardSwish},
    {"fuse-activation",
     "Fuse Relu/Clip/HardSigmoid/HardSwish/LeakyRelu/Sigmoid/Tanh into Conv/ConvTranspose/Gemm/MatMul (Fused*)",
     fuseActivation, false, kNeedsFused},
    {"fuse-post-affine", "Fold a scalar Mul/Div/Add/Sub after a FusedConv's activation into its epilogue",
     fusePostAffine, false, kNeedsFusedConv},
    {"layout-nhwc",
     "Keep Conv chains and the ops between them channels-last (FusedConv layout NHWC, Nhwc* pools), transposing "
     "at the edges",
     layoutNhwc, false, kNeedsChannelsLast},
    {"topo-sort", "Order nodes topologically: the execution order of the plan", topoSort, true},
};

int64_t nodeCount(const ir::Graph& g) { return static_cast<int64_t>(g.nodes.size()); }

} // namespace

std::span<const PassInfo> passTable() { return kPasses; }

const PassInfo* findPass(std::string_view name) {
  for (const auto& p : kPasses)
    if (p.name == name) return &p;
  return nullptr;
}

const Pipeline& gearIndependentPipeline() {
  static const Pipeline p{
      "gear-independent",
      "once, on the symbolic graph; weights it folds are shared by every gear",
      {{{"select-outputs", "constant-nodes", "eliminate-identity"}, false},
       {{"fold-constants", "simplify-arithmetic", "fold-conv-affine", "fold-conv-batchnorm", "fold-affine-into-conv"},
        true},
       // HardSwish is recognised before the precision policy, so a 16-bit model rounds it once (as an
       // accelerator's fused HardSwish does) instead of after each of its four elementwise ops.
       {{"fuse-hardswish", "precision-policy", "dead-code"}, false}}};
  return p;
}

const Pipeline& perGearPipeline() {
  static const Pipeline p{
      "per-gear",
      "once per gear on a clone of the graph (constants share storage)",
      {{{"specialize-shapes", "fold-shape-values", "fold-constants", "simplify-arithmetic", "reduce-pow",
         "fold-cast-pairs", "eliminate-identity", "fuse-qdq", "dead-code", "fuse-conv-add", "fuse-hardswish",
         "fuse-activation", "fuse-post-affine", "layout-nhwc", "dead-code", "topo-sort"},
        false}}};
  return p;
}

std::string gatedReason(const PassInfo& pass, const Target& target, int64_t opset) {
  if (!target.hasOp) return {};
  for (const auto& op : pass.needs)
    if (!target.hasOp(op.domain, op.opType, opset))
      return "target '" + target.device + "' has no kernel for " +
             (op.domain.empty() ? std::string("ai.onnx") : std::string(op.domain)) + "." + std::string(op.opType);
  return {};
}

std::string printPipelines(const Target& target) {
  // Without a model there is no opset: ask for the newest (open-ended kernel rows cover it).
  constexpr int64_t kAnyOpset = int64_t{1} << 20;
  std::string out;
  out += "target device: " + target.device + (target.hasOp ? "" : " (its ops not known: no pass is gated)") + "\n";
  auto printOne = [&](const Pipeline& p) {
    out += std::string(p.name) + " pipeline (" + std::string(p.summary) + "):\n";
    for (const auto& step : p.steps) {
      const std::string indent = step.untilFixedPoint ? "    " : "  ";
      if (step.untilFixedPoint) out += "  repeat until no change {\n";
      for (auto name : step.passes) {
        const auto* info = findPass(name);
        std::string line = indent + std::string(name);
        line.resize(std::max<std::size_t>(line.size() + 1, 28), ' ');
        out += line + (info ? std::string(info->summary) : "?") + (info && info->required ? " [required]" : "");
        if (info) {
          if (const auto why = gatedReason(*info, target, kAnyOpset); !why.empty()) out += " [skipped: " + why + "]";
        }
        out += "\n";
      }
      if (step.untilFixedPoint) out += "  }\n";
    }
  };
  printOne(gearIndependentPipeline());
  printOne(perGearPipeline());
  out += "then per gear: memory-plan (lifetimes over the execution order, best-fit offsets in one 64-byte aligned "
         "arena shared by all gears), cost (FLOPs per node)\n";
  return out;
}

Status checkDisabledPasses(const std::vector<std::string>& disabled) {
  for (const auto& name : disabled) {
    const auto* info = findPass(name);
    if (!info) return makeError(codes::kInvalid, "unknown pass '" + name + "' (see --print-pipeline)");
    if (info->required) return makeError(codes::kInvalid, "pass '" + name + "' is required and cannot be disabled");
  }
  return ok();
}

Status runPipeline(const Pipeline& pipeline, ir::Graph& g, PassContext& ctx, const PipelineRunOptions& options,
                   std::vector<om::PassStat>& stats) {
  auto disabled = [&](std::string_view name) {
    return std::find(options.disabledPasses.begin(), options.disabledPasses.end(), name) !=
           options.disabledPasses.end();
  };
  for (const auto& step : pipeline.steps) {
    const int rounds = step.untilFixedPoint ? 8 : 1;
    for (int round = 0; round < rounds; ++round) {
      bool anyChange = false;
      for (auto name : step.passes) {
        if (disabled(name)) continue;
        if (options.progress && options.progress->cancelled())
          return makeError(codes::kCancelled, "compile cancelled before pass '" + std::string(name) + "'");
        const auto* info = findPass(name);
        if (!info) return makeError(codes::kInternal, "pipeline names an unknown pass '" + std::string(name) + "'");
        if (options.target) {
          if (const auto why = gatedReason(*info, *options.target, ctx.opset); !why.empty()) {
            if (round == 0) log::get("compiler")->debug("pass '{}' skipped: {}", name, why);
            continue;
          }
        }
        om::PassStat stat;
        stat.pass = std::string(name);
        stat.nodesBefore = nodeCount(g);
        ctx.counters.clear();
        const auto start = std::chrono::steady_clock::now();
        auto changed = info->run(g, ctx);
        stat.millis = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
        if (!changed) return std::unexpected(withContext(changed.error(), "pass '" + std::string(name) + "'"));
        if (options.verifyEachPass) {
          if (auto v = ir::verify(g); !v)
            return std::unexpected(withContext(v.error(), "after pass '" + std::string(name) + "'"));
        }
        anyChange = anyChange || *changed;
        stat.nodesAfter = nodeCount(g);
        stat.counters = ctx.counters;
        stats.push_back(std::move(stat));
      }
      if (!anyChange) break;
    }
  }
  return ok();
}

} // namespace gs::compiler
