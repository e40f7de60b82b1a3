// Session: device loading, gear matching, runs and per-run profiles.
#include "core/runtime/session.h"

#include <chrono>

namespace gs::runtime {
namespace {

int64_t elements(const std::vector<om::TensorDesc>& descs) {
  int64_t n = 0;
  for (const auto& d : descs) {
    int64_t e = 1;
    for (auto x : d.dims)
      e *= x;
    n += e;
  }
  return n;
}

} // namespace

Session::~Session() = default;

Expected<std::unique_ptr<Session>> Session::create(std::shared_ptr<const om::Model> model,
                                                   const SessionOptions& options) {
  if (!model) return makeError(codes::kInvalid, "Session::create: no model");
  const auto t0 = std::chrono::steady_clock::now();
  const Device* device = findDevice(options.device);
  if (!device) {
    std::string names;
    for (const auto* d : devices()) {
      names += names.empty() ? "" : ", ";
      names += d->name();
    }
    return makeError(codes::kInvalid, "unknown device '" + options.device + "' (available: " + names + ")");
  }
  if (model->gears.empty() && !model->dynamic)
    return makeError(codes::kInvalid, "the model has neither gears nor a dynamic-shape graph");
  std::unique_ptr<Session> s(new Session());
  s->m_model = std::move(model);
  s->m_device = device;
  s->m_options = options;
  GS_ASSIGN_OR_RETURN(s->m_deviceModel, device->load(s->m_model, DeviceOptions{options.threads}));
  std::size_t maxNodes = 0;
  if (s->m_model->gears.empty()) {
    GS_ASSIGN_OR_RETURN(auto plan, s->m_deviceModel->prepare(kDynamicGear));
    maxNodes = plan->nodes().size();
    s->m_plans.push_back(std::move(plan));
  } else {
    for (int g = 0; g < s->gearCount(); ++g) {
      GS_ASSIGN_OR_RETURN(auto plan, s->m_deviceModel->prepare(g));
      maxNodes = std::max(maxNodes, plan->nodes().size());
      s->m_plans.push_back(std::move(plan));
    }
  }
  s->m_nodeMillis.assign(maxNodes, 0.0);
  s->m_loadMillis = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  return s;
}

int Session::largestGear() const {
  int best = isDynamic() ? -1 : 0;
  int64_t bestElems = -1;
  for (int g = 0; g < gearCount(); ++g) {
    const auto e = elements(m_model->gears[static_cast<std::size_t>(g)].inputs);
    if (e >= bestElems) {
      bestElems = e;
      best = g;
    }
  }
  return best;
}

std::string Session::describeGear(int gear) const {
  std::string s;
  for (const auto& d : inputDescs(gear)) {
    s += s.empty() ? "" : "; ";
    s += d.name + ":" + ir::joinDims(d.dims);
  }
  return s;
}

std::vector<om::TensorDesc> Session::inputDescs(int gear) const {
  if (!isDynamic()) {
    if (gear < 0 || gear >= gearCount()) gear = largestGear();
    return m_model->gears[static_cast<std::size_t>(gear)].inputs;
  }
  std::vector<om::TensorDesc> out;
  for (const auto& r : m_model->dynamic->ranges) {
    om::TensorDesc d{r.name, r.dtype, {}};
    for (const auto& dr : r.dims)
      d.dims.push_back(dr.lo == dr.hi ? dr.lo : -1);
    out.push_back(std::move(d));
  }
  return out;
}

std::vector<om::TensorDesc> Session::outputDescs(int gear) const {
  if (!isDynamic()) {
    if (gear < 0 || gear >= gearCount()) gear = largestGear();
    return m_model->gears[static_cast<std::size_t>(gear)].outputs;
  }
  std::vector<om::TensorDesc> out;
  const auto& g = m_model->dynamic->graph;
  for (auto id : g.outputs) {
    const auto& v = g.values[static_cast<std::size_t>(id)];
    om::TensorDesc d{v.name, v.dtype, {}};
    for (const auto& dim : v.shape.dims)
      d.dims.push_back(dim.isKnown() ? dim.value : -1);
    out.push_back(std::move(d));
  }
  return out;
}

Expected<int> Session::matchGear(std::span<const std::vector<int64_t>> inputDims) const {
  if (isDynamic()) return -1;
  for (int g = 0; g < gearCount(); ++g) {
    const auto& ins = m_model->gears[static_cast<std::size_t>(g)].inputs;
    if (ins.size() != inputDims.size()) continue;
    bool match = true;
    for (std::size_t i = 0; i < ins.size() && match; ++i)
      match = ins[i].dims == inputDims[i];
    if (match) return g;
  }
  std::string given;
  const auto& ins = m_model->gears.front().inputs;
  for (std::size_t i = 0; i < inputDims.size(); ++i) {
    given += given.empty() ? "" : "; ";
    if (i < ins.size()) {
      given += ins[i].name;
    } else {
      given += '#';
      given += std::to_string(i);
    }
    given += ':';
    given += ir::joinDims(inputDims[i]);
  }
  std::string gears;
  for (int g = 0; g < gearCount(); ++g)
    gears += "\n  gear " + std::to_string(g) + ": " + describeGear(g);
  return makeError(codes::kRuntime,
                   "input shapes [" + given + "] match no gear of the model; available gears:" + gears);
}

Status Session::checkInputs(std::span<const HostTensor> inputs, int gear) const {
  if (isDynamic()) return ok(); // the dynamic plan checks ranges itself
  const auto& descs = m_model->gears[static_cast<std::size_t>(gear)].inputs;
  if (inputs.size() != descs.size())
    return makeError(codes::kRuntime, "the model takes " + std::to_string(descs.size()) + " inputs, got " +
                                          std::to_string(inputs.size()));
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i].dtype() != descs[i].dtype)
      return makeError(codes::kRuntime, "input '" + descs[i].name + "' must be " +
                                            std::string(ir::dtypeName(descs[i].dtype)) + ", got " +
                                            std::string(ir::dtypeName(inputs[i].dtype())));
    if (inputs[i].dims() != descs[i].dims)
      return makeError(codes::kRuntime, "input '" + descs[i].name + "' has shape [" + ir::joinDims(inputs[i].dims()) +
                                            "] but gear " + std::to_string(gear) + " takes [" +
                                            ir::joinDims(descs[i].dims) + "]");
  }
  return ok();
}

int Session::findGear(std::span<const HostTensor> inputs) const {
  for (int g = 0; g < gearCount(); ++g) {
    const auto& ins = m_model->gears[static_cast<std::size_t>(g)].inputs;
    if (ins.size() != inputs.size()) continue;
    bool match = true;
    for (std::size_t i = 0; i < ins.size() && match; ++i)
      match = ins[i].dims == inputs[i].dims();
    if (match) return g;
  }
  return -1;
}

Expected<RunResult> Session::run(std::span<const HostTensor> inputs, const RunOptions& options) {
  RunResult r;
  GS_RETURN_IF_ERROR(run(inputs, r, options));
  return r;
}

Status Session::run(std::span<const HostTensor> inputs, RunResult& result, const RunOptions& options) {
  std::lock_guard lock(m_mutex);
  int gear = -1;
  if (!isDynamic()) {
    if (options.gear >= 0) {
      if (options.gear >= gearCount())
        return makeError(codes::kRuntime, "gear " + std::to_string(options.gear) + " does not exist (the model has " +
                                              std::to_string(gearCount()) + " gears)");
      gear = options.gear;
    } else if (gear = findGear(inputs); gear < 0) {
      std::vector<std::vector<int64_t>> dims;
      for (const auto& t : inputs)
        dims.push_back(t.dims());
      return std::unexpected(matchGear(dims).error());
    }
  }
  GS_RETURN_IF_ERROR(checkInputs(inputs, gear));
  Plan& plan = *m_plans[isDynamic() ? 0 : static_cast<std::size_t>(gear)];
  double* nodeMillis = nullptr;
  if (options.profile) {
    std::fill(m_nodeMillis.begin(), m_nodeMillis.end(), 0.0);
    if (m_nodeMillis.size() < plan.nodes().size()) m_nodeMillis.resize(plan.nodes().size(), 0.0);
    nodeMillis = m_nodeMillis.data();
  }
  if (options.observer && !plan.setObserver(options.observer))
    return makeError(codes::kUnsupported,
                     "device '" + std::string(m_device->name()) + "' cannot show the outputs of each node");
  const auto t0 = std::chrono::steady_clock::now();
  auto st = plan.run(inputs, result.outputs, nodeMillis);
  if (options.observer) plan.setObserver(nullptr);
  GS_RETURN_IF_ERROR(st);
  result.millis = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  result.gear = gear;
  result.opTimes.clear();
  if (options.profile) {
    const auto nodes = plan.nodes();
    result.opTimes.reserve(nodes.size());
    for (std::size_t i = 0; i < nodes.size(); ++i)
      result.opTimes.push_back(OpTime{nodes[i].name, nodes[i].opType, m_nodeMillis[i]});
  }
  return ok();
}

MemoryUse Session::memory() const {
  std::lock_guard lock(m_mutex);
  return m_deviceModel->memory();
}

std::size_t Session::workspaceBytes(int gear) const {
  if (isDynamic()) return m_plans.front()->workspaceBytes();
  if (gear < 0 || gear >= gearCount()) return 0;
  return m_plans[static_cast<std::size_t>(gear)]->workspaceBytes();
}

} // namespace gs::runtime
