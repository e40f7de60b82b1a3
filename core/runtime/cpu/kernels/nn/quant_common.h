// Helpers shared by the quantization kernels (quant_*.cpp): ONNX's integer rounding and saturation,
// reading scales and zero points (per tensor, per axis, blocked), and the plain integer conv / matmul
// loops that serve as the exact path (any zero points, uint8 weights) and as the tests' reference.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "core/runtime/cpu/kernels/nn/nn_common.h"

namespace gs::runtime::cpu::nn::quant {

// ONNX rounds half to even (np.rint); nearbyint does under the default rounding mode.
inline double roundHalfEven(double v) { return std::nearbyint(v); }

// saturate(rint(x / scale) + zero) in float, as QuantizeLinear: x / scale is clamped to the range
// shifted by the zero point first (the bounds are integers, so clamping before rounding gives the same
// result; NaN becomes the low bound), then rounded half to even by adding and subtracting 1.5 * 2^23
// (exact for |v| < 2^22 under the default rounding mode; the build keeps IEEE semantics, so the two
// additions are not folded, and the loop vectorises without SSE4.1's round instruction, which the
// baseline x86-64 build lacks), then the zero point is added.
inline float quantizeValue(float x, float scale, float zero, float lo, float hi) {
  float v = x / scale;
  v = v > lo - zero ? v : lo - zero;
  v = v < hi - zero ? v : hi - zero;
  constexpr float kMagic = 12582912.0f;
  return ((v + kMagic) - kMagic) + zero;
}

// The [lo, hi] range of an integer quantized type.
struct IntRange {
  int64_t lo = 0, hi = 0;
};
Expected<IntRange> rangeOf(ir::DataType t);
bool isQuantType(ir::DataType t); // int8, uint8, int16, uint16 (what QuantizeLinear may produce here)

// Reads element i of an integer tensor of type t as int64 (uint8/int8/uint16/int16/int32).
int64_t readInt(const void* data, ir::DataType t, int64_t i);
void writeInt(void* data, ir::DataType t, int64_t i, int64_t v);

// Which scale / zero point applies to an element of x: per tensor, per axis, or per block along the
// axis (opset 21). index(e) = the parameter index of flat element e.
struct ParamLayout {
  int64_t outer = 1, axisLen = 1, inner = 1, block = 0, count = 1;
  bool perTensor = true;
  int64_t index(int64_t e) const {
    if (perTensor) return 0;
    const int64_t i = e % inner;
    const int64_t a = (e / inner) % axisLen;
    if (block == 0) return a;
    const int64_t o = e / (inner * axisLen);
    const int64_t blocks = (axisLen + block - 1) / block;
    return (o * blocks + a / block) * inner + i;
  }
};
// The layout of scale `scaleDims` against x `xDims` for a Q/DQ node (axis, block_size attributes).
Expected<ParamLayout> paramLayout(const ir::Node& node, std::span<const int64_t> xDims,
                                  std::span<const int64_t> scaleDims);

// Conv geometry for the integer loops (2-D; 1-D convs use H = 1).
struct ConvGeom {
  int64_t n = 0, c = 0, h = 0, w = 0, m = 0, group = 1, kh = 1, kw = 1;
  int64_t oh = 0, ow = 0, sh = 1, sw = 1, dh = 1, dw = 1, padT = 0, padL = 0;
};
// Resolves a (Conv-attribute) node's window for x and w dims (rank 3 or 4).
Expected<ConvGeom> convGeom(const ir::Node& node, std::span<const int64_t> x, std::span<const int64_t> w);
// int32 accumulators of conv(x - xZero, w - wZero[m]) (wZero one per output channel), NCHW.
void convInt32(const ConvGeom& g, const void* x, ir::DataType xt, int32_t xZero, const void* w, ir::DataType wt,
               std::span<const int32_t> wZero, int32_t* acc);

// The batch-broadcast geometry of an integer matmul (numpy rules).
struct MatMulGeom {
  int64_t m = 0, k = 0, n = 0, batches = 1;
  std::vector<int64_t> aBatch, bBatch; // per output batch: the batch index into A and B
  std::vector<int64_t> out;            // output dims
};
Expected<MatMulGeom> matmulGeom(const ir::Node& node, std::span<const int64_t> a, std::span<const int64_t> b);
// int32 accumulators of (A - aZero[row]) x (B - bZero[col]) (zero points per row of A / column of B, or
// one each: spans of size 1).
void matmulInt32(const MatMulGeom& g, const void* a, ir::DataType at, std::span<const int32_t> aZero, const void* b,
                 ir::DataType bt, std::span<const int32_t> bZero, int32_t* acc);

// The int32 values of an (optional) zero-point tensor; `fallback` elements of 0 when absent.
std::vector<int32_t> zeroPoints(const TensorRef* t, int64_t fallback = 1);
// Float values of a scale tensor (float32).
std::vector<float> scales(const TensorRef& t);

// Requantizes accumulators as ONNX's QLinear ops: saturate(rint(acc * multiplier) + zero).
inline int64_t requantize(int64_t acc, double multiplier, int64_t zero, IntRange r) {
  const double v = roundHalfEven(static_cast<double>(acc) * multiplier) + static_cast<double>(zero);
  return static_cast<int64_t>(std::clamp(v, static_cast<double>(r.lo), static_cast<double>(r.hi)));
}

} // namespace gs::runtime::cpu::nn::quant
