// A oneDNN matmul primitive over plain (possibly strided, for transposes) tensors, shared by MatMul and
// Gemm. Constant weights are packed once through the WeightCache into the layout oneDNN prefers.
#pragma once

#include <memory>
#include <unordered_map>

#include <oneapi/dnnl/dnnl.hpp>

#include "core/runtime/cpu/kernels/nn/nn_common.h"

namespace gs::runtime::cpu::nn {

class MatmulPrimitive {
public:
  struct Spec {
    dnnl::memory::desc src, weights, dst; // weights: the user layout (plain or strided)
    dnnl::memory::desc bias;              // zero desc: none
    const void* constWeights = nullptr;   // set: pack into oneDNN's preferred layout once
    float alpha = 1.0f;                   // output scale
    bool sum = false;                     // dst = alpha * A.B + beta * dst (dst pre-filled)
    float beta = 1.0f;
    Activation activation;
    WeightCache* cache = nullptr;
    std::string cacheTag;
  };

  Expected<std::size_t> build(const ir::Node& node, const Spec& spec);
  Status run(const ir::Node& node, const float* src, const float* weights, const float* bias, float* dst,
             void* workspace, std::size_t workspaceBytes);
  std::size_t packedBytes() const { return m_packedBytes; }

private:
  int m_threads = 1; // OpenMP threads at creation and execution (thread_policy.h)
  dnnl::primitive m_prim;
  dnnl::memory m_src, m_weights, m_bias, m_dst, m_scratch;
  std::unordered_map<int, dnnl::memory> m_args;
  std::shared_ptr<const void> m_packed;
  std::size_t m_packedBytes = 0, m_wsBytes = 0;
  bool m_hasBias = false;
};

} // namespace gs::runtime::cpu::nn
