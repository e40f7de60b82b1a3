// The dynamic executor: per-run shapes, pooled memory released after each tensor's last consumer.
#include "core/runtime/dynamic_executor.h"

#include <algorithm>
#include <chrono>
#include <functional>
#include <set>

#include "core/runtime/device.h"
#include "core/runtime/subgraph_runner.h"

namespace gs::runtime {
namespace {

// Names of outer-scope values read anywhere inside the subgraphs of `n` (recursively).
void collectOuterNames(const ir::Graph& g, std::set<std::string>& names) {
  for (const auto& v : g.values)
    if (v.outerScope) names.insert(v.name);
  for (const auto& n : g.nodes)
    for (const auto& [key, a] : n.attrs) {
      if (a.g) collectOuterNames(*a.g, names);
      for (const auto& sg : a.graphs)
        if (sg) collectOuterNames(*sg, names);
    }
}

std::set<std::string> implicitInputs(const ir::Node& n) {
  std::set<std::string> names;
  for (const auto& [key, a] : n.attrs) {
    if (a.g) collectOuterNames(*a.g, names);
    for (const auto& sg : a.graphs)
      if (sg) collectOuterNames(*sg, names);
  }
  return names;
}

bool typesKnown(const ir::Graph& g, const ir::Node& n) {
  for (auto id : n.inputs)
    if (id != ir::kNone && g.values[static_cast<std::size_t>(id)].dtype == ir::DataType::Undefined) return false;
  for (auto id : n.outputs)
    if (id != ir::kNone && g.values[static_cast<std::size_t>(id)].dtype == ir::DataType::Undefined) return false;
  return true;
}

} // namespace

GraphExec::GraphExec(ExecEnv env, const ir::Graph& graph, const Frame* parent)
    : m_env(env), m_graph(graph), m_frame{&graph, &m_values, parent} {
  m_bodies = std::make_unique<BodyRunner>(env, &m_frame);
}

GraphExec::~GraphExec() { releaseRun(); }

Status GraphExec::prepare() {
  const auto& g = m_graph;
  GS_ASSIGN_OR_RETURN(m_order, g.topoOrder());
  const std::size_t nv = g.values.size();
  const std::size_t ns = m_order.size();
  m_values.assign(nv, TensorRef{});
  m_owned.assign(nv, 0);
  for (std::size_t v = 0; v < nv; ++v) {
    const auto& val = g.values[v];
    if (val.constant) {
      m_values[v] = TensorRef{val.constant->dtype, val.constant->dims, const_cast<std::byte*>(val.constant->data())};
    } else if (val.outerScope) {
      const TensorRef* slot = m_frame.parent ? m_frame.parent->find(val.name) : nullptr;
      if (!slot)
        return makeError(codes::kInvalid, "graph '" + g.name + "': outer-scope value '" + val.name +
                                              "' is not defined in an enclosing graph");
      m_outer.emplace_back(static_cast<ir::ValueId>(v), slot);
    }
  }

  // Last use of each value (explicit inputs, and implicit reads by subgraph bodies).
  std::vector<int64_t> lastUse(nv, -1), producedAt(nv, -1);
  for (std::size_t s = 0; s < ns; ++s) {
    const auto& n = g.nodes[static_cast<std::size_t>(m_order[s])];
    for (auto id : n.inputs)
      if (id != ir::kNone) lastUse[static_cast<std::size_t>(id)] = static_cast<int64_t>(s);
    for (const auto& name : implicitInputs(n)) {
      const auto id = g.findValue(name);
      if (id != ir::kNone) lastUse[static_cast<std::size_t>(id)] = static_cast<int64_t>(s);
    }
    for (auto id : n.outputs)
      if (id != ir::kNone) producedAt[static_cast<std::size_t>(id)] = static_cast<int64_t>(s);
  }
  m_release.assign(ns, {});
  for (std::size_t v = 0; v < nv; ++v) {
    if (producedAt[v] < 0 || g.isGraphOutput(static_cast<ir::ValueId>(v))) continue;
    m_release[static_cast<std::size_t>(std::max(lastUse[v], producedAt[v]))].push_back(static_cast<ir::ValueId>(v));
  }

  m_nodes.clear();
  m_nodes.resize(ns);
  m_in.assign(ns, {});
  m_out.assign(ns, {});
  for (std::size_t s = 0; s < ns; ++s) {
    const auto& n = g.nodes[static_cast<std::size_t>(m_order[s])];
    m_in[s].resize(n.inputs.size());
    m_out[s].resize(n.outputs.size());
    if (!typesKnown(g, n)) continue; // made on first run, from the actual types
    auto inTypes = graphInputTypes(g, n);
    std::vector<ir::DataType> outTypes;
    for (auto id : n.outputs)
      outTypes.push_back(id == ir::kNone ? ir::DataType::Undefined : g.values[static_cast<std::size_t>(id)].dtype);
    GS_ASSIGN_OR_RETURN(m_nodes[s].kernel, makeKernel(m_env, g, n, inTypes, outTypes));
    m_nodes[s].kernelInputTypes = std::move(inTypes);
  }

  m_ctx.subgraphs = m_bodies.get();
  m_ctx.allocateOutput = [this](std::size_t i, std::vector<int64_t> dims) -> Expected<TensorRef> {
    auto& out = m_out[m_step];
    const auto& st = m_nodes[m_step];
    if (i >= out.size()) return makeError(codes::kInternal, "allocateOutput: no output " + std::to_string(i));
    TensorRef r{st.outTypes[i], std::move(dims), nullptr};
    if (r.dtype == ir::DataType::Undefined || ir::dtypeSize(r.dtype) == 0)
      return makeError(codes::kRuntime, "allocateOutput: output " + std::to_string(i) + " has no numeric type");
    for (auto d : r.dims)
      if (d < 0) return makeError(codes::kRuntime, "allocateOutput: negative dim");
    r.data = m_env.pool->allocate(r.byteSize());
    out[i] = r;
    return r;
  };
  return ok();
}

Status GraphExec::run(std::span<const TensorRef> inputs, double* nodeMillis) {
  const auto& g = m_graph;
  if (inputs.size() != g.inputs.size())
    return makeError(codes::kRuntime, "graph '" + g.name + "' takes " + std::to_string(g.inputs.size()) +
                                          " inputs, got " + std::to_string(inputs.size()));
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const auto id = static_cast<std::size_t>(g.inputs[i]);
    const auto want = g.values[id].dtype;
    if (want != ir::DataType::Undefined && inputs[i].dtype != want)
      return makeError(codes::kRuntime, "input '" + g.values[id].name + "' must be " +
                                            std::string(ir::dtypeName(want)) + ", got " +
                                            std::string(ir::dtypeName(inputs[i].dtype)));
    m_values[id] = inputs[i];
  }
  for (const auto& [id, slot] : m_outer)
    m_values[static_cast<std::size_t>(id)] = *slot;
  for (std::size_t s = 0; s < m_order.size(); ++s) {
    auto st = runNode(s, nodeMillis);
    if (!st) {
      releaseRun();
      return st;
    }
  }
  return ok();
}

Status GraphExec::runNode(std::size_t s, double* nodeMillis) {
  const auto& g = m_graph;
  const auto& n = g.nodes[static_cast<std::size_t>(m_order[s])];
  auto& st = m_nodes[s];
  auto& in = m_in[s];
  auto& out = m_out[s];
  for (std::size_t i = 0; i < n.inputs.size(); ++i) {
    const auto id = n.inputs[i];
    in[i] = id == ir::kNone ? TensorRef{} : m_values[static_cast<std::size_t>(id)];
    if (id != ir::kNone && !in[i].present())
      return makeError(codes::kInternal,
                       describeNode(n) + ": input '" + g.values[static_cast<std::size_t>(id)].name + "' has no value");
  }
  const auto t0 = nodeMillis ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point{};
  GS_RETURN_IF_ERROR(resolveDynamicNode(m_env, g, n, in, st));
  m_workspace = std::max(m_workspace, st.workspace);
  m_env.workspace->grow(st.workspace);
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (n.outputs[i] == ir::kNone || !st.outDims[i] || ir::dtypeSize(st.outTypes[i]) == 0) {
      out[i] = TensorRef{n.outputs[i] == ir::kNone ? ir::DataType::Undefined : st.outTypes[i], {}, nullptr};
      continue;
    }
    out[i] = TensorRef{st.outTypes[i], *st.outDims[i], nullptr};
    out[i].data = m_env.pool->allocate(out[i].byteSize());
  }
  m_ctx.workspace = m_env.workspace->data();
  m_ctx.workspaceBytes = m_env.workspace->size();
  m_step = s;
  Status status;
  try {
    status = st.kernel->run(in, out, m_ctx);
  } catch (const std::exception& e) {
    status = makeError(codes::kInternal, std::string("kernel threw: ") + e.what());
  }
  // Take ownership of what was allocated even when the kernel failed, so releaseRun() frees it.
  for (std::size_t i = 0; i < out.size(); ++i) {
    const auto id = n.outputs[i];
    if (id == ir::kNone) {
      if (out[i].data) m_env.pool->release(static_cast<std::byte*>(out[i].data), out[i].byteSize());
      continue;
    }
    m_values[static_cast<std::size_t>(id)] = out[i];
    m_owned[static_cast<std::size_t>(id)] = out[i].data ? 1 : 0;
  }
  if (!status) return std::unexpected(withContext(status.error(), describeNode(n)));
  for (std::size_t i = 0; i < out.size(); ++i)
    if (n.outputs[i] != ir::kNone && !out[i].data)
      return makeError(codes::kInternal, describeNode(n) + ": kernel produced no data for output " + std::to_string(i));
  if (nodeMillis)
    nodeMillis[s] += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  if (m_observer && s < m_observedNodes.size()) {
    m_observed.clear();
    for (std::size_t i = 0; i < out.size(); ++i)
      if (n.outputs[i] != ir::kNone && out[i].present())
        m_observed.push_back(ObservedValue{g.values[static_cast<std::size_t>(n.outputs[i])].name, i, out[i]});
    (*m_observer)(NodeEvent{s, &m_observedNodes[s], m_observed});
  }
  for (auto v : m_release[s])
    releaseValue(v);
  return ok();
}

void GraphExec::releaseValue(ir::ValueId v) {
  const auto i = static_cast<std::size_t>(v);
  if (!m_owned[i]) return;
  m_env.pool->release(static_cast<std::byte*>(m_values[i].data), m_values[i].byteSize());
  m_owned[i] = 0;
  m_values[i] = TensorRef{};
}

void GraphExec::releaseRun() {
  for (std::size_t v = 0; v < m_owned.size(); ++v)
    releaseValue(static_cast<ir::ValueId>(v));
}

const TensorRef& GraphExec::output(std::size_t i) const {
  return m_values[static_cast<std::size_t>(m_graph.outputs[i])];
}

} // namespace gs::runtime
