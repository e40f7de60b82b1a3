// An int8 oneDNN convolution or matmul bound to plain ONNX tensors (VNNI where the CPU has it): built
// once per shape, run without allocation. The source may be float (quantized at the boundary exactly as
// QuantizeLinear does, in the same pass that lays it out channels-last for the convolution) or already
// uint8/int8. Weights are constant int8 (zero point 0), packed once into oneDNN's layout through the
// WeightCache. Per-channel scales are output scales, the source zero point a runtime attribute, the
// output zero point and activation attributes too; the destination is brought back to the plain
// layout (dequantized when it was quantized). The boundary conversions are own loops: oneDNN 2.6's
// reorders drop a destination zero point for some shapes (measured: f32 NCHW -> u8 NHWC, 18 channels).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <oneapi/dnnl/dnnl.hpp>

#include "core/runtime/cpu/kernels/nn/nn_common.h"

namespace gs::runtime::cpu::nn {

class Int8Primitive {
public:
  struct Spec {
    bool conv = true;                                    // else matmul
    std::vector<int64_t> srcDims, dstDims, weightDims;   // weightDims: oneDNN's (groups first for conv)
    std::vector<int64_t> strides, dilations, padL, padR; // conv; dilations as ONNX (1 = dense)
    ir::DataType srcUser = ir::DataType::Float32;        // float32, uint8 or int8
    ir::DataType srcQuant = ir::DataType::UInt8;         // uint8 or int8: what the primitive reads
    float srcScale = 1.0f;                               // float source: x_scale
    int32_t srcZero = 0;                                 // float source: x_zero_point (integer source: run())
    const int8_t* weights = nullptr;                     // constant, plain layout, zero point 0
    std::vector<float> bias;      // per output channel in accumulator units (added before outScales; empty: none)
    std::vector<float> outScales; // per output channel (size 1: common)
    Activation activation;
    ir::DataType dstUser = ir::DataType::Float32; // float32 or int32 (int32: no scales, bias or activation)
    bool dstQuantized = false;                    // quantize with dstScale/dstZero, then dequantize
    ir::DataType dstQuant = ir::DataType::UInt8;
    float dstScale = 1.0f;
    int32_t dstZero = 0;
    bool channelsLast = false; // conv with a float source: X and Y are NHWC in memory (dims stay NCHW)
    WeightCache* cache = nullptr;
    std::string cacheTag;
  };

  Expected<std::size_t> build(const ir::Node& node, const Spec& spec);
  // srcZero: the integer source's zero point (ignored for a float source).
  Status run(const ir::Node& node, const void* src, int32_t srcZero, void* dst, void* workspace,
             std::size_t workspaceBytes);
  const std::string& implName() const { return m_impl; }

private:
  int m_threads = 1;
  dnnl::primitive m_prim;
  dnnl::memory m_src, m_weights, m_bias, m_dst, m_scratch, m_zero;
  std::unordered_map<int, dnnl::memory> m_args;
  std::shared_ptr<const void> m_packed;
  std::vector<float> m_bias32;
  int32_t m_zeroValue = 0;
  bool m_floatSrc = true, m_hasZero = false, m_conv = true, m_srcStaged = false, m_dstStaged = false;
  // Boundary geometry: [outer, channels, inner] of source and destination (NCHW: N, C, H*W; a matmul's
  // rows are outer with inner 1, so channels-last is its plain layout).
  int64_t m_srcOuter = 0, m_srcC = 0, m_srcInner = 0, m_dstOuter = 0, m_dstC = 0, m_dstInner = 0;
  ir::DataType m_srcUser = ir::DataType::Float32, m_srcQuant = ir::DataType::UInt8, m_dstType = ir::DataType::Float32;
  float m_srcScale = 1.0f, m_dstScale = 1.0f;
  int32_t m_srcZero = 0, m_dstZero = 0;
  bool m_dstQuantized = false;
  std::size_t m_srcOff = 0, m_dstOff = 0, m_scratchOff = 0, m_wsBytes = 0;
  std::string m_impl;
};

} // namespace gs::runtime::cpu::nn
