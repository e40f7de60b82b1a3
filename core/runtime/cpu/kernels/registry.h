// The explicit kernel table of the CPU device: the union of the per-family tables below.
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "core/runtime/cpu/kernel.h"

namespace gs::runtime::cpu {

// Neural-network kernels (oneDNN-backed conv/matmul/pool, normalisations, RNNs, resize, ...).
std::span<const KernelEntry> nnKernels();
// Elementwise, broadcast, reduction, shape, indexing and type kernels.
std::span<const KernelEntry> basicKernels();
// Control flow (If, Loop, Scan): they run subgraphs through RunContext::subgraphs.
std::span<const KernelEntry> controlFlowKernels();

// All of the above; first match wins.
const std::vector<KernelEntry>& allKernels();
const KernelEntry* findKernel(std::string_view domain, std::string_view opType);

} // namespace gs::runtime::cpu
