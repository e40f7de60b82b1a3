// Helpers shared by the neural-network kernels: dtype checks, the process-wide oneDNN engine and
// per-thread stream, fused activations (as oneDNN post-ops and as scalar code), window (conv/pool)
// padding arithmetic, and packing constant weights once through the WeightCache.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <oneapi/dnnl/dnnl.hpp>

#include "core/common/status.h"
#include "core/ir/graph.h"
#include "core/runtime/cpu/kernel.h"

namespace gs::runtime::cpu::nn {

// One CPU engine for the process (engines are thread-safe) and one stream per thread: a kernel may be
// run from whichever thread the executor uses.
const dnnl::engine& dnnlEngine();
dnnl::stream& dnnlStream();

// True when every present input type is float32 (the dtype coverage of most kernels here).
bool allInputsFloat32(const ir::Node& node, std::span<const ir::DataType> inputTypes);
// True when the inputs at `floatIdx` that are present are float32.
bool inputsFloat32(std::span<const ir::DataType> inputTypes, std::initializer_list<std::size_t> floatIdx);

Error kernelError(const ir::Node& node, const std::string& message, const char* code = codes::kRuntime);

// The activation of a FusedConv/FusedConvTranspose/FusedGemm/FusedMatMul node (none for ONNX ops).
struct Activation {
  enum class Kind { None, Relu, Clip, HardSigmoid, HardSwish, LeakyRelu, Sigmoid, Tanh };
  Kind kind = Kind::None;
  float a = 0.0f; // Clip min, HardSigmoid alpha, LeakyRelu alpha
  float b = 0.0f; // Clip max, HardSigmoid beta
  // An affine step after the activation (FusedConv's post_scale, post_shift: the fuse-post-affine pass folds
  // a scalar Mul/Add/Sub/Div that follows the activation into it): y = act(x) * postScale + postShift.
  float postScale = 1.0f, postShift = 0.0f;
  bool hasPost() const { return postScale != 1.0f || postShift != 0.0f; }
  bool any() const { return kind != Kind::None || hasPost(); }
};
Expected<Activation> readActivation(const ir::Node& node);
// Appends the activation as eltwise post-ops (HardSigmoid: linear then clip, oneDNN 2.6 lacks it).
void appendActivation(dnnl::post_ops& ops, const Activation& act);
// The same activation over a plain float buffer (own kernels, fallbacks); OpenMP-parallel when large.
void applyActivation(float* data, int64_t n, const Activation& act);

// Spatial window geometry of Conv, ConvTranspose and the pools (ONNX attributes resolved per shape).
enum class AutoPad { NotSet, SameUpper, SameLower, Valid };
Expected<AutoPad> readAutoPad(const ir::Node& node);
struct Window {
  std::vector<int64_t> kernel, strides, dilations, padL, padR; // dilations: ONNX (1 = dense)
};
// Reads kernel_shape (or `kernelFallback` from weights), strides, dilations, pads for `spatial` dims.
Expected<Window> readWindow(const ir::Node& node, std::size_t spatial, const std::vector<int64_t>& kernelFallback);
// Resolves auto_pad for a forward window op over input spatial sizes `in` (SAME_*: output = ceil(in/s)).
void resolveAutoPad(Window& w, AutoPad mode, std::span<const int64_t> in);
// Output size of a forward window op (floor or ceil mode).
int64_t windowOutput(int64_t in, int64_t kernel, int64_t stride, int64_t dilation, int64_t padL, int64_t padR,
                     bool ceilMode);

// oneDNN helpers.
dnnl::memory::dims toDnnl(std::span<const int64_t> v);
dnnl::memory::dims minusOne(std::span<const int64_t> v); // ONNX dilations -> oneDNN dilations
// A row-major (plain) f32 descriptor.
dnnl::memory::desc plainDesc(std::span<const int64_t> dims);
// A stable text form of a descriptor (dims, format kind, strides, blocks): part of WeightCache keys.
// The descriptor of a tensor as the executor stores it, dims in NCHW order: row-major, or for a 4-D
// tensor of a channels-last node (core/ir/layout.h) NHWC bytes.
dnnl::memory::desc userDesc(std::span<const int64_t> nchwDims, bool channelsLast);
std::string describe(const dnnl::memory::desc& md);
bool isPlain(const dnnl::memory::desc& md, std::span<const int64_t> dims);

// A 64-byte aligned float buffer owned by a shared_ptr (packed weights live in these).
std::shared_ptr<void> alignedShared(std::size_t bytes);

// Reorders constant weights from `userMd` at `source` into `packedMd`, once per (source, layout) in
// the cache (every gear asks with the same source pointer). Without a cache the result is private.
Expected<std::shared_ptr<const void>> packWeights(WeightCache* cache, const void* source, const std::string& tag,
                                                  const dnnl::memory::desc& userMd, const dnnl::memory::desc& packedMd);

// Runs f, turning oneDNN exceptions into a GS0007 error naming the node.
template <class F> Status guardDnnl(const ir::Node& node, F&& f) {
  try {
    return f();
  } catch (const dnnl::error& e) {
    return std::unexpected(kernelError(node, std::string("oneDNN: ") + e.what()));
  }
}

inline std::size_t alignUp(std::size_t v, std::size_t a = 64) { return (v + a - 1) / a * a; }

// Product of dims[from, to).
int64_t product(std::span<const int64_t> dims, std::size_t from, std::size_t to);
// ONNX axis normalisation; error when out of range.
Expected<int64_t> normalizeAxis(const ir::Node& node, int64_t axis, std::size_t rank);

} // namespace gs::runtime::cpu::nn
