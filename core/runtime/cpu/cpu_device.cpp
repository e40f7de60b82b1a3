// The CPU device over its kernel table.
#include "core/runtime/cpu/cpu_device.h"

#include <algorithm>
#include <thread>

#include "core/runtime/cpu/peak_probe.h"
#include "core/runtime/host_model.h"
#include "core/runtime/node_exec.h"

namespace gs::runtime::cpu {
namespace {

// Every node of g has a kernel for its input types (what prepare would find), and every node of its
// subgraph bodies a kernel for its op (their types are only known when the body runs).
Status checkBody(const KernelTable& table, const ir::Graph& g, int64_t opset, const std::string& where);

Status checkBodies(const KernelTable& table, const ir::Node& n, int64_t opset, const std::string& where) {
  for (const auto& [name, a] : n.attrs) {
    const std::string at = where + describeNode(n) + " body '" + name + "': ";
    if (a.kind == ir::Attribute::Kind::Graph && a.g) GS_RETURN_IF_ERROR(checkBody(table, *a.g, opset, at));
    if (a.kind == ir::Attribute::Kind::Graphs)
      for (const auto& body : a.graphs)
        if (body) GS_RETURN_IF_ERROR(checkBody(table, *body, opset, at));
  }
  return ok();
}

Status checkBody(const KernelTable& table, const ir::Graph& g, int64_t opset, const std::string& where) {
  for (const auto& n : g.nodes) {
    if (!table.has(n.domain, n.opType, opset)) {
      std::string why;
      table.find(n, opset, {}, &why);
      return makeError(codes::kUnsupported, where + describeNode(n) + ": " + why);
    }
    GS_RETURN_IF_ERROR(checkBodies(table, n, opset, where));
  }
  return ok();
}

Status checkGraph(const KernelTable& table, const ir::Graph& g, int64_t opset, const std::string& where) {
  for (const auto& n : g.nodes) {
    const auto types = graphInputTypes(g, n);
    std::string why;
    if (!table.find(n, opset, types, &why)) return makeError(codes::kUnsupported, where + describeNode(n) + ": " + why);
    GS_RETURN_IF_ERROR(checkBodies(table, n, opset, where));
  }
  return ok();
}

} // namespace

CpuDevice::CpuDevice(KernelTable table) : m_table(std::make_shared<const KernelTable>(std::move(table))) {}

std::vector<OpSupport> CpuDevice::supportedOps() const {
  std::vector<OpSupport> out;
  for (const auto& e : m_table->entries())
    out.push_back(OpSupport{std::string(e.domain), std::string(e.opType), e.sinceVersion, e.untilVersion, e.types,
                            std::string(e.note)});
  return out;
}

bool CpuDevice::supports(const ir::Node& node, int64_t opset, std::span<const ir::DataType> inputTypes,
                         std::string* why) const {
  return m_table->find(node, opset, inputTypes, why) != nullptr;
}

bool CpuDevice::hasOp(std::string_view domain, std::string_view opType, int64_t opset) const {
  return m_table->has(domain, opType, opset);
}

Status checkModelKernels(const KernelTable& table, const om::Model& model, std::string_view deviceName) {
  const std::string device = "device '" + std::string(deviceName) + "' cannot run this model: ";
  for (std::size_t i = 0; i < model.gears.size(); ++i)
    GS_RETURN_IF_ERROR(
        checkGraph(table, model.gears[i].graph, model.meta.opset, device + "gear " + std::to_string(i) + ", "));
  if (model.dynamic) GS_RETURN_IF_ERROR(checkGraph(table, model.dynamic->graph, model.meta.opset, device));
  return ok();
}

Expected<std::unique_ptr<DeviceModel>> CpuDevice::load(std::shared_ptr<const om::Model> model,
                                                       const DeviceOptions& options) const {
  if (!model) return makeError(codes::kInvalid, "no model");
  GS_RETURN_IF_ERROR(checkModelKernels(*m_table, *model, name()));
  return std::unique_ptr<DeviceModel>(std::make_unique<HostModel>(m_table, name(), std::move(model), options));
}

std::optional<PeakCompute> CpuDevice::peakCompute(int threads) const {
  auto p = cachedPeak();
  if (!p) return std::nullopt;
  const int n = threads > 0 ? threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  return PeakCompute{p->machineGflops(n), p->isa};
}

const CpuDevice& cpuDevice() {
  static const CpuDevice d;
  return d;
}

} // namespace gs::runtime::cpu
