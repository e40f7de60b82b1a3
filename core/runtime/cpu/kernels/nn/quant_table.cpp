// The explicit table of quantization kernels (quant_*.cpp): QuantizeLinear / DequantizeLinear /
// DynamicQuantizeLinear, the integer and QLinear conv and matmul, and GearStudio's QuantConv /
// QuantMatMul made by the fuse-qdq pass.
#include "core/runtime/cpu/kernels/nn/quant_conv.h"
#include "core/runtime/cpu/kernels/nn/quant_linear.h"
#include "core/runtime/cpu/kernels/nn/quant_matmul.h"
#include "core/runtime/cpu/kernels/registry.h"

namespace gs::runtime::cpu {

std::span<const KernelEntry> quantKernels() {
  using namespace nn;
  using ir::DataType;
  constexpr ir::DtypeSet kF32{DataType::Float32};
  constexpr ir::DtypeSet kInt8{DataType::UInt8, DataType::Int8};
  static const KernelEntry table[] = {
      {"",
       "QuantizeLinear",
       createQuantizeLinear,
       supportsQuantizeLinear,
       {DataType::Float32, DataType::Int32},
       "y_scale float32; y_zero_point int8,uint8,int16,uint16",
       10},
      {"",
       "DequantizeLinear",
       createDequantizeLinear,
       supportsDequantizeLinear,
       {DataType::UInt8, DataType::Int8, DataType::UInt16, DataType::Int16, DataType::Int32},
       "x_scale float32; x_zero_point as x",
       10},
      {"", "DynamicQuantizeLinear", createDynamicQuantizeLinear, supportsDynamicQuantizeLinear, kF32,
       "outputs uint8, float32, uint8", 11},
      {"", "ConvInteger", createConvInteger, supportsConvInteger, kInt8, "w int8,uint8; output int32", 10},
      {"", "MatMulInteger", createMatMulInteger, supportsMatMulInteger, kInt8, "B int8,uint8; output int32", 10},
      {"", "QLinearConv", createQLinearConv, supportsQLinearConv, kInt8, "w int8,uint8; B int32", 10},
      {"", "QLinearMatMul", createQLinearMatMul, supportsQLinearMatMul, kInt8, "b int8,uint8", 10},
      {"ai.gearstudio", "QuantConv", createQuantConv, supportsQuantConv, kF32, "W int8"},
      {"ai.gearstudio", "QuantMatMul", createQuantMatMul, supportsQuantMatMul, kF32, "B int8"},
  };
  return table;
}

} // namespace gs::runtime::cpu
