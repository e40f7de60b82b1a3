// GearStudio's own ops: every op the compiler creates lives in the domain "ai.gearstudio" (as ONNX
// Runtime's fusions live in "com.microsoft"), never as an ONNX op with private attributes. Each is
// registered like an ONNX op (core/ops: schema, shape function, cost) and has a kernel in a device's
// table; a device without the kernel refuses the graph at load, naming the op.
//
//   FusedConv(X, W, B?, Z?)       Conv attributes + activation, activation_params, post_scale,
//                                 post_shift, layout. Y = act(conv(X, W) + B + Z) * post_scale + post_shift
//   FusedConvTranspose(X, W, B?)  ConvTranspose attributes + activation, activation_params, layout
//   FusedGemm(A, B, C?)           Gemm attributes + activation, activation_params
//   FusedMatMul(A, B)             activation, activation_params
//   NhwcMaxPool, NhwcAveragePool, NhwcGlobalAveragePool, NhwcGlobalMaxPool
//                                 the ONNX pool's attributes; X and Y channels-last [N, H, W, C]
//
// docs/architecture.md states the contracts in full; core/ops/gearstudio_ops.cpp holds the schemas.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/ir/graph.h"

namespace gs::ir::gsop {

inline constexpr std::string_view kDomain = "ai.gearstudio";
// The version of the ai.gearstudio op set this build writes and reads.
inline constexpr int64_t kOpsetVersion = 1;

inline constexpr std::string_view kFusedConv = "FusedConv";
inline constexpr std::string_view kFusedConvTranspose = "FusedConvTranspose";
inline constexpr std::string_view kFusedGemm = "FusedGemm";
inline constexpr std::string_view kFusedMatMul = "FusedMatMul";
inline constexpr std::string_view kNhwcMaxPool = "NhwcMaxPool";
inline constexpr std::string_view kNhwcAveragePool = "NhwcAveragePool";
inline constexpr std::string_view kNhwcGlobalAveragePool = "NhwcGlobalAveragePool";
inline constexpr std::string_view kNhwcGlobalMaxPool = "NhwcGlobalMaxPool";
// Integer conv / matmul made by the fuse-qdq pass (core/compiler/passes/fuse_qdq.h): float X in, X
// quantized as its QuantizeLinear did, int8 weights, float Y out (optionally quantized and dequantized).
inline constexpr std::string_view kQuantConv = "QuantConv";
inline constexpr std::string_view kQuantMatMul = "QuantMatMul";

// Attributes of the fused ops (they belong to these ops only).
// activation: Relu, Clip, HardSigmoid, ...; activation_params: Clip [min,max], HardSigmoid [a,b],
// LeakyRelu [a]; post_scale, post_shift (FusedConv): y = act(..) * post_scale + post_shift.
inline constexpr const char* kActivation = "activation";
inline constexpr const char* kActivationParams = "activation_params";
inline constexpr const char* kPostScale = "post_scale";
inline constexpr const char* kPostShift = "post_shift";
inline constexpr const char* kLayout = "layout"; // FusedConv/FusedConvTranspose: "NCHW" (default) or "NHWC"
inline constexpr std::string_view kNchw = "NCHW";
inline constexpr std::string_view kNhwc = "NHWC";

// The activations a fused op applies.
inline constexpr std::string_view kActivations[] = {"Relu",      "Clip",    "HardSigmoid", "HardSwish",
                                                    "LeakyRelu", "Sigmoid", "Tanh"};

inline bool inDomain(const Node& n) { return n.domain == kDomain; }
inline bool is(const Node& n, std::string_view op) { return n.domain == kDomain && n.opType == op; }
// An ONNX op (default domain).
inline bool isOnnx(const Node& n, std::string_view op) {
  return (n.domain.empty() || n.domain == "ai.onnx") && n.opType == op;
}

// The ONNX op whose semantics a GearStudio op extends ("FusedConv" -> "Conv", "NhwcMaxPool" ->
// "MaxPool"); empty for anything else.
inline std::string_view baseOp(std::string_view gsOp) {
  if (gsOp == kFusedConv) return "Conv";
  if (gsOp == kFusedConvTranspose) return "ConvTranspose";
  if (gsOp == kFusedGemm) return "Gemm";
  if (gsOp == kFusedMatMul) return "MatMul";
  if (gsOp == kNhwcMaxPool) return "MaxPool";
  if (gsOp == kNhwcAveragePool) return "AveragePool";
  if (gsOp == kNhwcGlobalAveragePool) return "GlobalAveragePool";
  if (gsOp == kNhwcGlobalMaxPool) return "GlobalMaxPool";
  if (gsOp == kQuantConv) return "Conv";
  if (gsOp == kQuantMatMul) return "MatMul";
  return {};
}
// The op type as its ONNX base for GearStudio ops, else the node's own op type.
inline std::string_view baseOpOf(const Node& n) {
  if (!inDomain(n)) return n.opType;
  const auto b = baseOp(n.opType);
  return b.empty() ? std::string_view(n.opType) : b;
}

// The fused op of an ONNX Conv/ConvTranspose/Gemm/MatMul ("" when it has none).
inline std::string_view fusedOpFor(std::string_view onnxOp) {
  if (onnxOp == "Conv") return kFusedConv;
  if (onnxOp == "ConvTranspose") return kFusedConvTranspose;
  if (onnxOp == "Gemm") return kFusedGemm;
  if (onnxOp == "MatMul") return kFusedMatMul;
  return {};
}
// The channels-last pool of an ONNX pool ("" when it has none).
inline std::string_view nhwcPoolFor(std::string_view onnxOp) {
  if (onnxOp == "MaxPool") return kNhwcMaxPool;
  if (onnxOp == "AveragePool") return kNhwcAveragePool;
  if (onnxOp == "GlobalAveragePool") return kNhwcGlobalAveragePool;
  if (onnxOp == "GlobalMaxPool") return kNhwcGlobalMaxPool;
  return {};
}

// Turns an ONNX Conv/ConvTranspose/Gemm/MatMul node into its fused op (attributes kept; the op's
// semantics are the ONNX op's until fused attributes or inputs are added). True when n is now (or
// already was) a fused op.
inline bool makeFused(Node& n) {
  if (inDomain(n)) return !baseOp(n.opType).empty() && n.opType.rfind("Fused", 0) == 0;
  if (!n.domain.empty() && n.domain != "ai.onnx") return false;
  const auto f = fusedOpFor(n.opType);
  if (f.empty()) return false;
  n.domain = std::string(kDomain);
  n.opType = std::string(f);
  return true;
}

inline bool hasActivation(const Node& n) { return inDomain(n) && n.attrs.has(kActivation); }

// FusedConv's residual Z (input 3) is present.
inline bool hasResidual(const Node& n) { return is(n, kFusedConv) && n.inputs.size() >= 4 && n.inputs[3] != kNone; }

} // namespace gs::ir::gsop
