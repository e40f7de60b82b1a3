// Joins the per-family kernel tables into one lookup.
#include "core/runtime/cpu/kernels/registry.h"

namespace gs::runtime::cpu {

const std::vector<KernelEntry>& allKernels() {
  static const std::vector<KernelEntry> all = [] {
    std::vector<KernelEntry> v;
    for (auto table : {nnKernels(), basicKernels(), controlFlowKernels()})
      v.insert(v.end(), table.begin(), table.end());
    return v;
  }();
  return all;
}

const KernelEntry* findKernel(std::string_view domain, std::string_view opType) {
  if (domain == "ai.onnx") domain = "";
  for (const auto& e : allKernels())
    if (e.domain == domain && e.opType == opType) return &e;
  return nullptr;
}

} // namespace gs::runtime::cpu
