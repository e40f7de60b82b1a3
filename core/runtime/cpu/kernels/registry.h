// The kernel table of the CPU device: the union of the per-family tables below, indexed once. A node
// finds its kernel with one lookup by (domain, op type), then the row whose opset range holds the
// model's opset and whose dtype list holds input 0's type (and whose check, if any, passes). The same
// rows are what the device lists (--list-ops), so the listing and supports() cannot disagree.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/runtime/cpu/kernel.h"

namespace gs::runtime::cpu {

// Neural-network kernels (oneDNN-backed conv/matmul/pool, normalisations, RNNs, resize, ...) and
// GearStudio's fused and channels-last ops.
std::span<const KernelEntry> nnKernels();
// Elementwise, broadcast, reduction, shape, indexing and type kernels.
std::span<const KernelEntry> basicKernels();
// Quantization: QuantizeLinear / DequantizeLinear, integer and QLinear conv / matmul, QuantConv.
std::span<const KernelEntry> quantKernels();
// Control flow (If, Loop, Scan): they run subgraphs through RunContext::subgraphs.
std::span<const KernelEntry> controlFlowKernels();

class KernelTable {
public:
  explicit KernelTable(std::vector<KernelEntry> entries);

  // The row for node n at `opset` (the default domain's; ai.gearstudio ops use their own version)
  // with these input types, or null; `why` (when given) then says what is missing: the op, the opset
  // or the types.
  const KernelEntry* find(const ir::Node& n, int64_t opset, std::span<const ir::DataType> inputTypes,
                          std::string* why = nullptr) const;
  // Whether some row implements (domain, opType) at opset, whatever the types.
  bool has(std::string_view domain, std::string_view opType, int64_t opset) const;
  std::span<const KernelEntry> entries() const { return m_entries; }
  // This table without the rows of (domain, opType): a device that lacks that kernel (tests).
  KernelTable without(std::string_view domain, std::string_view opType) const;

private:
  const std::vector<std::size_t>* rows(std::string_view domain, std::string_view opType) const;

  std::vector<KernelEntry> m_entries;
  std::unordered_map<std::string, std::vector<std::size_t>> m_index; // "domain/op" -> rows
};

// The opset a node of `domain` is looked up at, given the model's default-domain opset.
int64_t domainOpset(std::string_view domain, int64_t defaultOpset);

// nnKernels() + basicKernels() + controlFlowKernels().
const KernelTable& cpuKernelTable();

} // namespace gs::runtime::cpu
