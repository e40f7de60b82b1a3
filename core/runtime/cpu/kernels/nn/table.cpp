// The explicit table of neural-network kernels (op type -> factory, dtype check, dtype coverage).
#include "core/runtime/cpu/kernels/registry.h"

#include "core/runtime/cpu/kernels/nn/conv.h"
#include "core/runtime/cpu/kernels/nn/conv_transpose.h"
#include "core/runtime/cpu/kernels/nn/einsum.h"
#include "core/runtime/cpu/kernels/nn/matmul.h"
#include "core/runtime/cpu/kernels/nn/norm.h"
#include "core/runtime/cpu/kernels/nn/pool.h"
#include "core/runtime/cpu/kernels/nn/resize.h"
#include "core/runtime/cpu/kernels/nn/rnn.h"
#include "core/runtime/cpu/kernels/nn/softmax.h"

namespace gs::runtime::cpu {

std::span<const KernelEntry> nnKernels() {
  using namespace nn;
  static const KernelEntry table[] = {
      {"", "Conv", createConv, supportsConv, "float32"},
      {"", "ConvTranspose", createConvTranspose, supportsConvTranspose, "float32"},
      {"", "MatMul", createMatMul, supportsMatMul, "float32"},
      {"", "Gemm", createGemm, supportsMatMul, "float32"},
      {"", "MaxPool", createMaxPool, supportsPool, "float32"},
      {"", "AveragePool", createAveragePool, supportsPool, "float32"},
      {"", "GlobalAveragePool", createGlobalAveragePool, supportsPool, "float32"},
      {"", "GlobalMaxPool", createGlobalMaxPool, supportsPool, "float32"},
      {"", "BatchNormalization", createBatchNormalization, supportsNorm, "float32"},
      {"", "InstanceNormalization", createInstanceNormalization, supportsNorm, "float32"},
      {"", "LayerNormalization", createLayerNormalization, supportsNorm, "float32"},
      {"", "LpNormalization", createLpNormalization, supportsNorm, "float32"},
      {"", "LRN", createLrn, supportsNorm, "float32"},
      {"", "Softmax", createSoftmax, supportsSoftmax, "float32"},
      {"", "LogSoftmax", createLogSoftmax, supportsSoftmax, "float32"},
      {"", "Hardmax", createHardmax, supportsSoftmax, "float32"},
      {"", "LSTM", createLstm, supportsRnn, "float32 (sequence_lens int32)"},
      {"", "GRU", createGru, supportsRnn, "float32 (sequence_lens int32)"},
      {"", "RNN", createRnn, supportsRnn, "float32 (sequence_lens int32)"},
      {"", "Resize", createResize, supportsResize, "float32 (roi/scales float, sizes int64)"},
      {"", "Upsample", createUpsample, supportsResize, "float32"},
      {"", "Einsum", createEinsum, supportsEinsum, "float32"},
  };
  return table;
}

} // namespace gs::runtime::cpu
