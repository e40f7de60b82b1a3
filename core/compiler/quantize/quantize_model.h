// Static int8 quantization of an ONNX model as a QDQ graph, in two steps around calibration:
//   prepareModel: the float model made ready (Constant nodes as initializers, an opset below 13 raised
//     to 14 for per-axis DequantizeLinear, BatchNormalization folded into the Conv before it) plus the list of
//     nodes to quantize and the activation tensors whose ranges calibration must measure;
//   writeQdqModel: the prepared model with QuantizeLinear -> DequantizeLinear on each quantized
//     node's activation input (per tensor, from the measured range), weights stored int8 symmetric
//     per output channel behind DequantizeLinear, and the bias stored int32 (scale x_scale *
//     w_scale) behind DequantizeLinear.
// The result is a standard ONNX model (ONNX Runtime runs it) in the form the compiler's fuse-qdq pass
// turns into QuantConv / QuantMatMul. Models travel as serialized bytes, so this header needs no
// ONNX headers. Every protobuf/ONNX exception is caught here and becomes an Error.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/common/status.h"
#include "core/compiler/quantize/range_statistics.h"

namespace gs::quantize {

// Which integer type an activation uses.
enum class ActivationScheme {
  // uint8 with the zero point placing the range's minimum at 0 (ONNX Runtime's default).
  Asymmetric,
  // uint8 with zero point 0 for tensors without negative values, otherwise int8 with zero point 0.
  Symmetric,
};

struct QuantizeOptions {
  std::vector<std::string> keepNodes;   // node names kept float
  std::vector<std::string> keepOpTypes; // op types kept float
  ActivationScheme scheme = ActivationScheme::Asymmetric;
  // Ranks of tensors where known (the importer's shape inference): raising a model's opset to 14
  // needs the rank of each Softmax / LogSoftmax / Hardmax input, which exported models often leave
  // undeclared.
  std::map<std::string, int64_t> ranks;
};

// One node that gets quantized.
struct QuantTarget {
  std::string node;       // its name (a generated one when the model left it empty)
  std::string opType;     // Conv, MatMul or Gemm
  std::string activation; // the float tensor it reads as input 0 (quantized per tensor)
  std::string weight;     // the initializer it reads as input 1
  int64_t weightAxis = 0; // the output-channel axis of the weight
  bool operator==(const QuantTarget&) const = default;
};

struct PreparedModel {
  std::string bytes; // serialized ModelProto of the prepared float model
  std::vector<QuantTarget> targets;
  std::vector<std::string> activations; // tensors to calibrate, each once, in node order
  std::vector<std::string> kept;        // Conv/MatMul/Gemm nodes the keep list left float
  int64_t opsetBefore = 0;
  int64_t opsetAfter = 0;
  int foldedAffine = 0; // BatchNormalization / per-channel Mul, Add, Sub, Div nodes folded into Convs
};

// Quantization parameters of one activation tensor from its range.
struct ActivationParams {
  float scale = 1.0f;
  int32_t zeroPoint = 0;
  bool isSigned = false; // int8 (else uint8)
};
ActivationParams activationParams(const ActivationRange& range, ActivationScheme scheme);

// Per-output-channel symmetric int8 weights: scale[c] = max|w_c| / 127 (1 for an all-zero channel),
// q = round_half_even(w / scale[c]) clamped to [-127, 127]. `dims` are w's dims, `axis` the channel axis.
// minScales (one per channel, optional) raises a channel's scale: a channel whose weights are almost
// zero (BatchNormalization folds make such "dead" channels) would otherwise get a scale so small that
// its bias, stored as int32 at scale x_scale * w_scale, no longer fits and is clipped.
struct ChannelQuantized {
  std::vector<int8_t> values;
  std::vector<float> scales;
};
ChannelQuantized quantizeWeights(const std::vector<float>& w, const std::vector<int64_t>& dims, int64_t axis,
                                 const std::vector<float>& minScales = {});

// Errors: codes::kFormat for bytes that are no ONNX model; codes::kUnsupported for a model that is
// already quantized (QuantizeLinear, DequantizeLinear, QLinear*, *Integer or DynamicQuantizeLinear
// nodes) or holds 16-bit floats, or whose opset cannot be raised to 14; codes::kInvalid when no
// node can be quantized. baseDir: the folder external weights are read from ("" refuses them).
Expected<PreparedModel> prepareModel(std::string onnxBytes, const std::string& baseDir, const QuantizeOptions& options);

// The QDQ model. ranges must hold every tensor of prepared.activations (codes::kInvalid naming the
// first missing one otherwise).
Expected<std::string> writeQdqModel(const PreparedModel& prepared, const std::map<std::string, ActivationRange>& ranges,
                                    const QuantizeOptions& options);

} // namespace gs::quantize
