// A oneDNN convolution-like primitive (Conv, ConvTranspose) bound to plain ONNX tensors: built once per
// shape in reshape() (primitive, reorders, packed weights, workspace layout) and executed in run()
// without allocation. The primitive may compute in a blocked layout (nChw16c ...) chosen by oneDNN;
// then src/dst (and a fused addend) are reordered at the boundary, inside the workspace. Keeping the
// boundary explicit here is what lets a later layout pass hand blocked tensors straight through.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <oneapi/dnnl/dnnl.hpp>

#include "core/runtime/cpu/kernels/nn/nn_common.h"

namespace gs::runtime::cpu::nn {

// Which src/dst layout conv-like primitives compute in. Auto: plain NC[D]HW when oneDNN has a jit
// kernel for it, else the blocked layout oneDNN prefers with reorders at the boundary.
enum class LayoutPolicy { Auto, Plain, Blocked };
void setLayoutPolicy(LayoutPolicy policy); // process-wide (benchmarks and tests)
LayoutPolicy layoutPolicy();

class WindowPrimitive {
public:
  struct Spec {
    std::vector<int64_t> srcDims, dstDims;
    dnnl::memory::desc userWeightsMd;   // the ONNX weights as oneDNN sees them (dims incl. groups)
    const void* constWeights = nullptr; // null: weights arrive at run time (reordered per run)
    bool hasBias = false;
    int64_t biasLen = 0;
    bool fusedAdd = false;
    Activation activation;
    bool activationOutside = false; // never fuse the activation (deconvolution: slow post-ops)
    bool preferPlain = false;       // Auto keeps the plain layout even for a gemm-based kernel
    bool channelsLast = false;      // src, dst and addend are NHWC in memory (dims stay NCHW)
    WeightCache* cache = nullptr;
    std::string cacheTag; // "conv", "deconv"
  };
  // Output pixels up to which a 1x1 stride-1 conv stays plain under LayoutPolicy::Auto: it is one sgemm
  // per image in NC[D]HW, and on small images that beats the two boundary reorders of a blocked kernel
  // (measured on PP-OCR shapes: 96->24 channels at 40x40, 0.04 vs 0.13 ms; 64->64 at 80x80, 0.4 vs 2.5).
  static constexpr int64_t kPlainGemmMaxSpatial = 80 * 80;
  // Makes the primitive descriptor for the given src/weights/dst descriptors (format `any` allowed).
  using PdMaker = std::function<dnnl::primitive_desc(const dnnl::memory::desc& src, const dnnl::memory::desc& weights,
                                                     const dnnl::memory::desc& bias, const dnnl::memory::desc& dst,
                                                     const dnnl::primitive_attr& attr)>;

  // Returns the workspace bytes run() needs.
  Expected<std::size_t> build(const ir::Node& node, const Spec& spec, const PdMaker& maker);
  Status run(const ir::Node& node, const float* src, const float* weights, const float* bias, const float* addend,
             float* dst, void* workspace, std::size_t workspaceBytes);

  const std::string& implName() const { return m_impl; }
  bool srcBlocked() const { return m_srcBlocked; }
  bool dstBlocked() const { return m_dstBlocked; }
  std::size_t packedBytes() const { return m_packedBytes; }
  bool ownActivation() const { return m_ownActivation; }

private:
  Expected<dnnl::primitive_desc> choose(const ir::Node& node, const Spec& spec, const PdMaker& maker);

  dnnl::primitive m_prim;
  dnnl::memory m_src, m_weights, m_bias, m_dst, m_scratch;
  dnnl::memory m_userSrc, m_userDst, m_userAdd, m_userWeights;
  std::optional<dnnl::reorder> m_srcReorder, m_dstReorder, m_addReorder, m_weightsReorder;
  std::unordered_map<int, dnnl::memory> m_args;
  std::shared_ptr<const void> m_packed; // packed constant weights (shared through the WeightCache)
  std::size_t m_packedBytes = 0;
  std::size_t m_srcOff = 0, m_dstOff = 0, m_weiOff = 0, m_scratchOff = 0, m_wsBytes = 0;
  std::size_t m_dstBytes = 0;
  int64_t m_dstElems = 0;
  bool m_ownActivation = false;
  int m_threads = 1; // OpenMP threads at creation and execution (thread_policy.h)
  Activation m_activation;
  bool m_srcBlocked = false, m_dstBlocked = false, m_runtimeWeights = false, m_hasBias = false, m_fusedAdd = false;
  std::string m_impl;
};

// Copies n floats with OpenMP when large (fused-add operand into the output buffer).
void parallelCopy(float* dst, const float* src, int64_t n);

} // namespace gs::runtime::cpu::nn
