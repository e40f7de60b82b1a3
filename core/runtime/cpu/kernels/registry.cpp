// Joins the per-family kernel tables into one indexed table.
#include "core/runtime/cpu/kernels/registry.h"

#include <algorithm>

#include "core/ir/gs_ops.h"
#include "core/runtime/cpu/kernels/half_widen.h"

namespace gs::runtime::cpu {
namespace {

std::string_view canonical(std::string_view domain) { return domain == "ai.onnx" ? std::string_view{} : domain; }

std::string key(std::string_view domain, std::string_view opType) {
  std::string k(canonical(domain));
  k += '/';
  k += opType;
  return k;
}

std::string typeList(std::span<const ir::DataType> types) {
  std::string s;
  for (auto t : types) {
    s += s.empty() ? "" : ", ";
    s += t == ir::DataType::Undefined ? std::string_view("-") : ir::dtypeName(t);
  }
  return s;
}

} // namespace

int64_t domainOpset(std::string_view domain, int64_t defaultOpset) {
  return domain == ir::gsop::kDomain ? ir::gsop::kOpsetVersion : defaultOpset;
}

KernelTable::KernelTable(std::vector<KernelEntry> entries) : m_entries(std::move(entries)) {
  for (std::size_t i = 0; i < m_entries.size(); ++i)
    m_index[key(m_entries[i].domain, m_entries[i].opType)].push_back(i);
}

const std::vector<std::size_t>* KernelTable::rows(std::string_view domain, std::string_view opType) const {
  const auto it = m_index.find(key(domain, opType));
  return it == m_index.end() ? nullptr : &it->second;
}

const KernelEntry* KernelTable::find(const ir::Node& n, int64_t opset, std::span<const ir::DataType> inputTypes,
                                     std::string* why) const {
  const auto* r = rows(n.domain, n.opType);
  const std::string domain = n.domain.empty() ? "ai.onnx" : n.domain;
  if (!r) {
    if (why) *why = "no kernel for op " + domain + "." + n.opType;
    return nullptr;
  }
  const int64_t version = domainOpset(n.domain, opset);
  bool opsetCovered = false;
  const ir::DataType t0 = inputTypes.empty() ? ir::DataType::Undefined : inputTypes[0];
  for (auto i : *r) {
    const auto& e = m_entries[i];
    if (!e.create || !e.coversOpset(version)) continue;
    opsetCovered = true;
    if (!e.types.has(t0)) continue;
    if (e.check && !(e.widensHalf ? e.check(n, widenHalfTypes(inputTypes)) : e.check(n, inputTypes))) continue;
    return &e;
  }
  if (why) {
    if (!opsetCovered)
      *why = "no kernel for op " + domain + "." + n.opType + " at opset " + std::to_string(version);
    else
      *why = "no kernel for op " + domain + "." + n.opType + " with input types [" + typeList(inputTypes) + "]";
  }
  return nullptr;
}

bool KernelTable::has(std::string_view domain, std::string_view opType, int64_t opset) const {
  const auto* r = rows(domain, opType);
  if (!r) return false;
  const int64_t version = domainOpset(domain, opset);
  return std::any_of(r->begin(), r->end(),
                     [&](std::size_t i) { return m_entries[i].create && m_entries[i].coversOpset(version); });
}

KernelTable KernelTable::without(std::string_view domain, std::string_view opType) const {
  std::vector<KernelEntry> kept;
  for (const auto& e : m_entries)
    if (canonical(e.domain) != canonical(domain) || e.opType != opType) kept.push_back(e);
  return KernelTable(std::move(kept));
}

const KernelTable& cpuKernelTable() {
  static const KernelTable table = [] {
    std::vector<KernelEntry> v;
    for (auto part : {nnKernels(), quantKernels(), basicKernels(), controlFlowKernels()})
      v.insert(v.end(), part.begin(), part.end());
    const auto half = halfWidenedRows(v); // float16/bfloat16 through the float32 kernels
    v.insert(v.end(), half.begin(), half.end());
    return KernelTable(std::move(v));
  }();
  return table;
}

} // namespace gs::runtime::cpu
