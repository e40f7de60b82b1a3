// The static executor: prepare binds everything; run copies in, runs kernels, copies out.
#include "core/runtime/static_executor.h"

#include <chrono>
#include <cstring>

#include "core/runtime/subgraph_runner.h"

namespace gs::runtime {

StaticPlan::StaticPlan(ExecEnv env, const om::GearPlan& gear)
    : m_env(env), m_gear(gear), m_graph(gear.graph), m_frame{&gear.graph, &m_refs, nullptr} {}

StaticPlan::~StaticPlan() { releaseRunAllocations(); }

Expected<std::unique_ptr<StaticPlan>> StaticPlan::create(ExecEnv env, const om::GearPlan& gear, const Arena& arena) {
  std::unique_ptr<StaticPlan> p(new StaticPlan(env, gear));
  auto st = p->prepare(arena);
  if (!st) return std::unexpected(withContext(st.error(), "gear " + std::to_string(gear.index)));
  return p;
}

std::size_t StaticPlan::islandCount() const {
  std::size_t n = 0;
  for (const auto& s : m_steps)
    n += s.island ? 1 : 0;
  return n;
}

Status StaticPlan::prepare(const Arena& arena) {
  const auto& g = m_graph;
  const std::size_t nv = g.values.size();
  if (m_gear.offsets.size() != nv)
    return makeError(codes::kFormat, "memory plan has " + std::to_string(m_gear.offsets.size()) + " offsets for " +
                                         std::to_string(nv) + " values");
  // Which values need storage: graph inputs and node outputs.
  std::vector<char> needed(nv, 0);
  for (auto id : g.inputs)
    needed[static_cast<std::size_t>(id)] = 1;
  for (const auto& n : g.nodes)
    for (auto id : n.outputs)
      if (id != ir::kNone) needed[static_cast<std::size_t>(id)] = 1;

  m_refs.assign(nv, TensorRef{});
  m_dynamic.assign(nv, 0);
  for (std::size_t v = 0; v < nv; ++v) {
    const auto& val = g.values[v];
    if (val.constant) {
      m_refs[v] = TensorRef{val.constant->dtype, val.constant->dims, const_cast<std::byte*>(val.constant->data())};
      continue;
    }
    if (!needed[v]) continue;
    if (val.outerScope) return makeError(codes::kFormat, "top-level value '" + val.name + "' is marked outer-scope");
    if (!val.shape.isStatic()) {
      m_dynamic[v] = 1;
      m_refs[v] = TensorRef{val.dtype, {}, nullptr};
      continue;
    }
    TensorRef r{val.dtype, *val.shape.values(), nullptr};
    const auto bytes = r.byteSize();
    const int64_t off = m_gear.offsets[v];
    if (off >= 0) {
      if (static_cast<uint64_t>(off) + bytes > arena.size())
        return makeError(codes::kFormat, "value '" + val.name + "' (" + std::to_string(bytes) + " bytes at offset " +
                                             std::to_string(off) + ") lies outside the arena of " +
                                             std::to_string(arena.size()) + " bytes");
      r.data = arena.data() + off;
    } else if (ir::dtypeSize(val.dtype) != 0) {
      m_private.emplace_back(val.dtype, r.dims);
      r.data = m_private.back().data();
    }
    m_refs[v] = std::move(r);
  }
  for (auto id : g.inputs)
    if (m_dynamic[static_cast<std::size_t>(id)])
      return makeError(codes::kFormat,
                       "gear input '" + g.values[static_cast<std::size_t>(id)].name + "' has no static shape");

  GS_ASSIGN_OR_RETURN(auto order, g.topoOrder());
  m_steps.resize(order.size());
  for (std::size_t s = 0; s < order.size(); ++s) {
    auto& step = m_steps[s];
    const auto& n = g.nodes[static_cast<std::size_t>(order[s])];
    step.node = &n;
    m_nodes.push_back(PlanNode{n.name, n.opType});
    step.in.resize(n.inputs.size());
    step.out.resize(n.outputs.size());
    for (auto id : n.inputs)
      if (id != ir::kNone && m_dynamic[static_cast<std::size_t>(id)]) step.island = true;
    if (step.island) continue;

    auto inTypes = graphInputTypes(g, n);
    std::vector<ir::DataType> outTypes;
    std::vector<std::vector<int64_t>> inDims;
    std::vector<std::optional<std::vector<int64_t>>> outDims;
    for (std::size_t i = 0; i < n.inputs.size(); ++i) {
      const auto id = n.inputs[i];
      step.in[i] = id == ir::kNone ? TensorRef{} : m_refs[static_cast<std::size_t>(id)];
      inDims.push_back(step.in[i].dims);
    }
    for (std::size_t i = 0; i < n.outputs.size(); ++i) {
      const auto id = n.outputs[i];
      if (id == ir::kNone) {
        outTypes.push_back(ir::DataType::Undefined);
        outDims.emplace_back(std::nullopt);
        continue;
      }
      const auto v = static_cast<std::size_t>(id);
      outTypes.push_back(g.values[v].dtype);
      step.out[i] = m_refs[v];
      if (m_dynamic[v]) {
        step.allocates = true;
        outDims.emplace_back(std::nullopt);
      } else {
        outDims.emplace_back(m_refs[v].dims);
      }
    }
    GS_ASSIGN_OR_RETURN(step.kernel, makeKernel(m_env, g, n, inTypes, outTypes));
    cpu::ReshapeContext rctx{inDims, inTypes, outDims};
    try {
      auto ws = step.kernel->reshape(rctx);
      if (!ws) return std::unexpected(withContext(ws.error(), describeNode(n)));
      m_workspace = std::max(m_workspace, *ws);
    } catch (const std::exception& e) {
      return makeError(codes::kInternal, describeNode(n) + ": reshape threw: " + e.what());
    }
  }
  m_env.workspace->grow(m_workspace);
  m_runAllocs.reserve(64);

  m_bodies = std::make_unique<BodyRunner>(m_env, &m_frame);
  m_ctx.subgraphs = m_bodies.get();
  m_ctx.allocateOutput = [this](std::size_t i, std::vector<int64_t> dims) -> Expected<TensorRef> {
    auto& step = m_steps[m_current];
    if (i >= step.out.size()) return makeError(codes::kInternal, "allocateOutput: no output " + std::to_string(i));
    const auto id = step.node->outputs[i];
    ir::DataType dtype =
        step.island ? step.dyn.outTypes[i]
                    : (id == ir::kNone ? ir::DataType::Undefined : m_graph.values[static_cast<std::size_t>(id)].dtype);
    if (ir::dtypeSize(dtype) == 0)
      return makeError(codes::kRuntime, "allocateOutput: output " + std::to_string(i) + " has no numeric type");
    for (auto d : dims)
      if (d < 0) return makeError(codes::kRuntime, "allocateOutput: negative dim");
    TensorRef r{dtype, std::move(dims), nullptr};
    auto* p = m_env.pool->allocate(r.byteSize());
    m_runAllocs.emplace_back(p, r.byteSize());
    r.data = p;
    step.out[i] = r;
    return r;
  };
  return ok();
}

Status StaticPlan::runIsland(Step& step) {
  const auto& n = *step.node;
  for (std::size_t i = 0; i < n.inputs.size(); ++i) {
    const auto id = n.inputs[i];
    step.in[i] = id == ir::kNone ? TensorRef{} : m_refs[static_cast<std::size_t>(id)];
  }
  GS_RETURN_IF_ERROR(resolveDynamicNode(m_env, m_graph, n, step.in, step.dyn));
  m_env.workspace->grow(step.dyn.workspace);
  for (std::size_t i = 0; i < n.outputs.size(); ++i) {
    const auto id = n.outputs[i];
    const auto& dims = step.dyn.outDims[i];
    if (id == ir::kNone) {
      step.out[i] = TensorRef{};
      continue;
    }
    const auto v = static_cast<std::size_t>(id);
    if (!m_dynamic[v]) {
      if (dims && *dims != m_refs[v].dims)
        return makeError(codes::kRuntime, describeNode(n) + ": output '" + m_graph.values[v].name +
                                              "' got a shape other than the planned one");
      step.out[i] = m_refs[v];
    } else if (dims && ir::dtypeSize(step.dyn.outTypes[i]) != 0) {
      TensorRef r{step.dyn.outTypes[i], *dims, nullptr};
      auto* p = m_env.pool->allocate(r.byteSize());
      m_runAllocs.emplace_back(p, r.byteSize());
      r.data = p;
      step.out[i] = std::move(r);
    } else {
      step.out[i] = TensorRef{step.dyn.outTypes[i], {}, nullptr};
    }
  }
  m_ctx.workspace = m_env.workspace->data();
  m_ctx.workspaceBytes = m_env.workspace->size();
  return step.dyn.kernel->run(step.in, step.out, m_ctx);
}

Status StaticPlan::runStep(std::size_t s) {
  auto& step = m_steps[s];
  m_current = s;
  Status st;
  if (step.island) {
    st = runIsland(step);
  } else {
    if (step.allocates)
      for (std::size_t i = 0; i < step.out.size(); ++i) {
        const auto id = step.node->outputs[i];
        if (id != ir::kNone && m_dynamic[static_cast<std::size_t>(id)])
          step.out[i] = m_refs[static_cast<std::size_t>(id)];
      }
    m_ctx.workspace = m_env.workspace->data();
    m_ctx.workspaceBytes = m_env.workspace->size();
    st = step.kernel->run(step.in, step.out, m_ctx);
  }
  if (!st) return std::unexpected(withContext(st.error(), describeNode(*step.node)));
  if (step.island || step.allocates)
    for (std::size_t i = 0; i < step.out.size(); ++i) {
      const auto id = step.node->outputs[i];
      if (id == ir::kNone || !m_dynamic[static_cast<std::size_t>(id)]) continue;
      if (!step.out[i].data)
        return makeError(codes::kInternal,
                         describeNode(*step.node) + ": kernel produced no data for output " + std::to_string(i));
      m_refs[static_cast<std::size_t>(id)] = step.out[i];
    }
  return ok();
}

Status StaticPlan::run(std::span<const HostTensor> inputs, std::vector<HostTensor>& outputs, double* nodeMillis) {
  const auto& g = m_graph;
  if (inputs.size() != g.inputs.size())
    return makeError(codes::kRuntime, "gear " + std::to_string(m_gear.index) + " takes " +
                                          std::to_string(g.inputs.size()) + " inputs, got " +
                                          std::to_string(inputs.size()));
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const auto& r = m_refs[static_cast<std::size_t>(g.inputs[i])];
    if (inputs[i].dtype() != r.dtype || inputs[i].dims() != r.dims)
      return makeError(codes::kRuntime, "input '" + g.values[static_cast<std::size_t>(g.inputs[i])].name +
                                            "' does not match gear " + std::to_string(m_gear.index));
    if (r.byteSize()) std::memcpy(r.data, inputs[i].data(), r.byteSize());
  }
  Status status;
  try {
    if (nodeMillis || m_observer) {
      for (std::size_t s = 0; s < m_steps.size() && status; ++s) {
        const auto t0 = nodeMillis ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point{};
        status = runStep(s);
        if (nodeMillis)
          nodeMillis[s] += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        if (status && m_observer) notify(s);
      }
    } else {
      for (std::size_t s = 0; s < m_steps.size() && status; ++s)
        status = runStep(s);
    }
  } catch (const std::exception& e) {
    status = makeError(codes::kInternal, describeNode(*m_steps[m_current].node) + ": kernel threw: " + e.what());
  }
  if (status) {
    outputs.resize(g.outputs.size());
    for (std::size_t i = 0; i < g.outputs.size(); ++i) {
      const auto& r = m_refs[static_cast<std::size_t>(g.outputs[i])];
      if (outputs[i].dtype() != r.dtype || outputs[i].dims() != r.dims) outputs[i] = HostTensor(r.dtype, r.dims);
      if (r.byteSize()) std::memcpy(outputs[i].data(), r.data, r.byteSize());
    }
  }
  releaseRunAllocations();
  return status;
}

void StaticPlan::notify(std::size_t s) {
  const auto& step = m_steps[s];
  m_observed.clear();
  for (std::size_t i = 0; i < step.out.size(); ++i) {
    const auto id = step.node->outputs[i];
    if (id == ir::kNone || !step.out[i].present()) continue;
    m_observed.push_back(ObservedValue{m_graph.values[static_cast<std::size_t>(id)].name, i, step.out[i]});
  }
  (*m_observer)(NodeEvent{s, &m_nodes[s], m_observed});
}

void StaticPlan::releaseRunAllocations() {
  for (auto [p, bytes] : m_runAllocs)
    m_env.pool->release(p, bytes);
  m_runAllocs.clear();
  for (std::size_t v = 0; v < m_dynamic.size(); ++v)
    if (m_dynamic[v]) m_refs[v] = TensorRef{m_graph.values[v].dtype, {}, nullptr};
}

} // namespace gs::runtime
