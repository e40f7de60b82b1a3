// The explicit table of neural-network kernels: (domain, op type) -> factory, further check, dtypes of
// input 0, the other inputs' types. GearStudio's ops (core/ir/gs_ops.h) share the ONNX ops' kernels,
// which read the fused attributes and layout only on those ops.
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
#include "core/runtime/cpu/kernels/nn/unary_vector.h"

namespace gs::runtime::cpu {

std::span<const KernelEntry> nnKernels() {
  using namespace nn;
  constexpr ir::DtypeSet kF32{ir::DataType::Float32};
  static const KernelEntry table[] = {
      {"", "Conv", createConv, supportsConv, kF32, ""},
      {"", "ConvTranspose", createConvTranspose, supportsConvTranspose, kF32, ""},
      {"", "MatMul", createMatMul, supportsMatMul, kF32, ""},
      {"", "Gemm", createGemm, supportsMatMul, kF32, ""},
      {"", "MaxPool", createMaxPool, supportsPool, kF32, ""},
      {"", "AveragePool", createAveragePool, supportsPool, kF32, ""},
      {"", "GlobalAveragePool", createGlobalAveragePool, supportsPool, kF32, ""},
      {"", "GlobalMaxPool", createGlobalMaxPool, supportsPool, kF32, ""},
      {"", "BatchNormalization", createBatchNormalization, supportsNorm, kF32, ""},
      {"", "InstanceNormalization", createInstanceNormalization, supportsNorm, kF32, ""},
      {"", "LayerNormalization", createLayerNormalization, supportsNorm, kF32, ""},
      {"", "LpNormalization", createLpNormalization, supportsNorm, kF32, ""},
      {"", "LRN", createLrn, supportsNorm, kF32, ""},
      {"", "Softmax", createSoftmax, supportsSoftmax, kF32, ""},
      {"", "LogSoftmax", createLogSoftmax, supportsSoftmax, kF32, ""},
      {"", "Hardmax", createHardmax, supportsSoftmax, kF32, ""},
      {"", "LSTM", createLstm, supportsRnn, kF32, "sequence_lens int32,int64"},
      {"", "GRU", createGru, supportsRnn, kF32, "sequence_lens int32,int64"},
      {"", "RNN", createRnn, supportsRnn, kF32, "sequence_lens int32,int64"},
      {"", "Resize", createResize, supportsResize, kF32, "roi/scales float32,float64; sizes int64"},
      {"", "Upsample", createUpsample, supportsResize, kF32, ""},
      {"", "Einsum", createEinsum, supportsEinsum, kF32 | ir::DtypeSet{ir::DataType::Float64}, ""},
      // Vectorised float32 math (unary_vector.h); the basic table's rows serve the other dtypes.
      {"", "Exp", createVectorUnary, supportsVectorUnary, kF32, ""},
      {"", "Log", createVectorUnary, supportsVectorUnary, kF32, ""},
      {"", "Tanh", createVectorUnary, supportsVectorUnary, kF32, ""},
      {"", "Sigmoid", createVectorUnary, supportsVectorUnary, kF32, ""},
      {"", "Sqrt", createVectorUnary, supportsVectorUnary, kF32, ""},
      {"", "Erf", createVectorUnary, supportsVectorUnary, kF32, ""},
      // GearStudio's ops: fused activation / residual / affine epilogue, channels-last layout.
      {"ai.gearstudio", "FusedConv", createConv, supportsConv, kF32, ""},
      {"ai.gearstudio", "FusedConvTranspose", createConvTranspose, supportsConvTranspose, kF32, ""},
      {"ai.gearstudio", "FusedGemm", createGemm, supportsMatMul, kF32, ""},
      {"ai.gearstudio", "FusedMatMul", createMatMul, supportsMatMul, kF32, ""},
      {"ai.gearstudio", "NhwcMaxPool", createMaxPool, supportsPool, kF32, ""},
      {"ai.gearstudio", "NhwcAveragePool", createAveragePool, supportsPool, kF32, ""},
      {"ai.gearstudio", "NhwcGlobalAveragePool", createGlobalAveragePool, supportsPool, kF32, ""},
      {"ai.gearstudio", "NhwcGlobalMaxPool", createGlobalMaxPool, supportsPool, kF32, ""},
  };
  return table;
}

} // namespace gs::runtime::cpu
