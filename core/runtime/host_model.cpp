// Shared per-model state and plan preparation for kernel-interface devices.
#include "core/runtime/host_model.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <optional>

#include "core/runtime/cpu/kernels/nn/thread_policy.h"
#include "core/runtime/dynamic_executor.h"
#include "core/runtime/static_executor.h"

namespace gs::runtime {
namespace {

// The dynamic model as a Plan: checks inputs against the recorded ranges, then runs the graph.
class DynamicPlan final : public Plan {
public:
  DynamicPlan(ExecEnv env, const om::DynamicModel& dyn) : m_dyn(dyn), m_exec(env, dyn.graph, nullptr) {}

  Status prepare() {
    GS_RETURN_IF_ERROR(m_exec.prepare());
    for (auto nodeId : m_exec.order()) {
      const auto& n = m_dyn.graph.nodes[static_cast<std::size_t>(nodeId)];
      m_nodes.push_back(PlanNode{n.name, n.opType});
    }
    m_inputs.resize(m_dyn.graph.inputs.size());
    return ok();
  }

  Status run(std::span<const HostTensor> inputs, std::vector<HostTensor>& outputs, double* nodeMillis) override {
    const auto& g = m_dyn.graph;
    if (inputs.size() != g.inputs.size())
      return makeError(codes::kRuntime, "the model takes " + std::to_string(g.inputs.size()) + " inputs, got " +
                                            std::to_string(inputs.size()));
    GS_RETURN_IF_ERROR(checkRanges(inputs));
    for (std::size_t i = 0; i < inputs.size(); ++i)
      m_inputs[i] = TensorRef{inputs[i].dtype(), inputs[i].dims(), const_cast<void*>(inputs[i].data())};
    GS_RETURN_IF_ERROR(m_exec.run(m_inputs, nodeMillis));
    outputs.resize(m_exec.outputCount());
    for (std::size_t i = 0; i < m_exec.outputCount(); ++i) {
      const auto& r = m_exec.output(i);
      if (outputs[i].dtype() != r.dtype || outputs[i].dims() != r.dims) outputs[i] = HostTensor(r.dtype, r.dims);
      if (r.byteSize()) std::memcpy(outputs[i].data(), r.data, r.byteSize());
    }
    m_exec.releaseRun();
    return ok();
  }

  std::span<const PlanNode> nodes() const override { return m_nodes; }
  std::size_t workspaceBytes() const override { return m_exec.workspaceBytes(); }
  bool setObserver(const NodeObserver* observer) override {
    m_exec.setObserver(observer, m_nodes);
    return true;
  }

private:
  Status checkRanges(std::span<const HostTensor> inputs) const {
    for (std::size_t i = 0; i < inputs.size() && i < m_dyn.ranges.size(); ++i) {
      const auto& range = m_dyn.ranges[i];
      const auto& dims = inputs[i].dims();
      if (range.dtype != ir::DataType::Undefined && inputs[i].dtype() != range.dtype)
        return makeError(codes::kRuntime, "input '" + range.name + "' must be " +
                                              std::string(ir::dtypeName(range.dtype)) + ", got " +
                                              std::string(ir::dtypeName(inputs[i].dtype())));
      if (dims.size() != range.dims.size())
        return makeError(codes::kRuntime, "input '" + range.name + "' must have rank " +
                                              std::to_string(range.dims.size()) + ", got " +
                                              std::to_string(dims.size()));
      for (std::size_t d = 0; d < dims.size(); ++d) {
        const auto& r = range.dims[d];
        if (dims[d] < r.lo || (r.hi >= 0 && dims[d] > r.hi))
          return makeError(codes::kRuntime, "input '" + range.name + "' dim " + std::to_string(d) + " is " +
                                                std::to_string(dims[d]) + ", outside its range [" +
                                                std::to_string(r.lo) + "~" +
                                                (r.hi >= 0 ? std::to_string(r.hi) : std::string("inf")) + "]");
      }
    }
    return ok();
  }

  const om::DynamicModel& m_dyn;
  GraphExec m_exec;
  std::vector<PlanNode> m_nodes;
  std::vector<TensorRef> m_inputs;
};

// The device's thread count for one call (prepare or run), the caller's restored after it.
class ThreadScope {
public:
  explicit ThreadScope(int threads) {
    if (threads > 0) m_scope.emplace(threads);
  }

private:
  std::optional<cpu::nn::ScopedMaxThreads> m_scope;
};

// Runs a plan with the device's thread count.
class ThreadedPlan final : public Plan {
public:
  ThreadedPlan(std::unique_ptr<Plan> inner, int threads) : m_inner(std::move(inner)), m_threads(threads) {}
  Status run(std::span<const HostTensor> inputs, std::vector<HostTensor>& outputs, double* nodeMillis) override {
    ThreadScope scope(m_threads);
    return m_inner->run(inputs, outputs, nodeMillis);
  }
  std::span<const PlanNode> nodes() const override { return m_inner->nodes(); }
  std::size_t workspaceBytes() const override { return m_inner->workspaceBytes(); }
  bool setObserver(const NodeObserver* observer) override { return m_inner->setObserver(observer); }

private:
  std::unique_ptr<Plan> m_inner;
  int m_threads;
};

} // namespace

HostModel::HostModel(std::shared_ptr<const cpu::KernelTable> kernels, std::string_view deviceName,
                     std::shared_ptr<const om::Model> model, const DeviceOptions& options)
    : m_kernels(std::move(kernels)), m_deviceName(deviceName), m_model(std::move(model)), m_options(options) {
  uint64_t arena = m_model->sharedArenaBytes;
  for (const auto& g : m_model->gears)
    arena = std::max(arena, g.arenaBytes);
  if (!m_model->gears.empty()) m_arena.grow(arena);
}

Expected<std::unique_ptr<Plan>> HostModel::prepare(int gear) {
  // Kernels made here (oneDNN primitives) are sized for the thread count they will run with.
  ThreadScope scope(m_options.threads);
  ExecEnv env{m_kernels.get(), m_deviceName, m_model->meta.opset, &m_weights, &m_pool, &m_workspace};
  std::unique_ptr<Plan> plan;
  if (gear == kDynamicGear) {
    if (!m_model->dynamic) return makeError(codes::kInvalid, "the model has no dynamic-shape graph");
    auto dynamic = std::make_unique<DynamicPlan>(env, *m_model->dynamic);
    GS_RETURN_IF_ERROR(dynamic->prepare());
    plan = std::move(dynamic);
  } else {
    if (gear < 0 || static_cast<std::size_t>(gear) >= m_model->gears.size())
      return makeError(codes::kInvalid, "gear " + std::to_string(gear) + " does not exist (the model has " +
                                            std::to_string(m_model->gears.size()) + ")");
    GS_ASSIGN_OR_RETURN(plan, StaticPlan::create(env, m_model->gears[static_cast<std::size_t>(gear)], m_arena));
  }
  if (m_options.threads > 0) plan = std::make_unique<ThreadedPlan>(std::move(plan), m_options.threads);
  return plan;
}

MemoryUse HostModel::memory() const {
  MemoryUse m;
  m.constantBytes = m_model->weightBytes;
  m.packedWeightBytes = m_weights.bytes();
  m.arenaBytes = m_arena.size();
  m.workspaceBytes = m_workspace.size();
  m.dynamicBytes = m_pool.reservedBytes();
  return m;
}

} // namespace gs::runtime
