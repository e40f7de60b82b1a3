// Kernel creation and run-time shape resolution shared by the static and dynamic executors.
#include "core/runtime/node_exec.h"

#include <cstring>

#include "core/ops/registry.h"
#include "core/runtime/device.h"

namespace gs::runtime {
namespace {

// A non-owning view of run-time tensor bytes, so shape functions can read input values without a copy.
class ViewBuffer final : public ir::Buffer {
public:
  ViewBuffer(const void* data, std::size_t size) : m_data(static_cast<const std::byte*>(data)), m_size(size) {}
  const std::byte* data() const override { return m_data; }
  std::size_t size() const override { return m_size; }

private:
  const std::byte* m_data;
  std::size_t m_size;
};

const ir::Shape& unknownShape() {
  static const ir::Shape s = ir::Shape::unknownRank();
  return s;
}

// Whether shape functions get this input's values: small integer tensors (shapes, axes, pads, k)
// and tiny tensors of other types (Range's float bounds, Resize's scales).
bool passValues(const TensorRef& r) {
  if (!r.present() || !r.data) return false;
  const auto n = r.numel();
  switch (r.dtype) {
  case ir::DataType::Int64:
  case ir::DataType::Int32:
    return n <= 1024;
  case ir::DataType::Float32:
  case ir::DataType::Float64:
  case ir::DataType::Int8:
  case ir::DataType::UInt8:
  case ir::DataType::Int16:
  case ir::DataType::Bool:
    return n <= 8;
  default:
    return false;
  }
}

void appendValues(const TensorRef& r, std::vector<int64_t>& key) {
  const auto n = r.numel();
  const auto* p = static_cast<const std::byte*>(r.data);
  const std::size_t es = ir::dtypeSize(r.dtype);
  for (int64_t i = 0; i < n; ++i) {
    int64_t v = 0;
    std::memcpy(&v, p + i * es, es); // raw bits are enough for equality
    key.push_back(v);
  }
}

void buildKey(std::span<const TensorRef> inputs, std::vector<int64_t>& key) {
  key.clear();
  key.push_back(static_cast<int64_t>(inputs.size()));
  for (const auto& r : inputs) {
    key.push_back(static_cast<int64_t>(r.dtype));
    key.push_back(static_cast<int64_t>(r.dims.size()));
    key.insert(key.end(), r.dims.begin(), r.dims.end());
    if (passValues(r)) {
      key.push_back(1);
      appendValues(r, key);
    } else {
      key.push_back(0);
    }
  }
}

} // namespace

const TensorRef* Frame::find(std::string_view name) const {
  for (const Frame* f = this; f; f = f->parent) {
    const auto id = f->graph->findValue(name);
    if (id != ir::kNone && !f->graph->values[static_cast<std::size_t>(id)].outerScope)
      return &(*f->values)[static_cast<std::size_t>(id)];
  }
  return nullptr;
}

std::string describeNode(const ir::Node& n) {
  return "node '" + n.name + "' (" + (n.domain.empty() ? "" : n.domain + ".") + n.opType + ")";
}

std::vector<ir::DataType> graphInputTypes(const ir::Graph& g, const ir::Node& n) {
  std::vector<ir::DataType> types;
  types.reserve(n.inputs.size());
  for (auto id : n.inputs)
    types.push_back(id == ir::kNone ? ir::DataType::Undefined : g.values[static_cast<std::size_t>(id)].dtype);
  return types;
}

Expected<std::unique_ptr<cpu::Kernel>> makeKernel(const ExecEnv& env, const ir::Graph& g, const ir::Node& n,
                                                  std::span<const ir::DataType> inputTypes,
                                                  std::span<const ir::DataType> outputTypes) {
  std::string why;
  const auto* entry = env.kernels->find(n, env.opset, inputTypes, &why);
  if (!entry)
    return makeError(codes::kUnsupported, describeNode(n) + ": device '" + std::string(env.device) + "': " + why);
  std::vector<const ir::Tensor*> consts;
  std::vector<const ir::Shape*> shapes;
  consts.reserve(n.inputs.size());
  shapes.reserve(n.inputs.size());
  for (auto id : n.inputs) {
    if (id == ir::kNone) {
      consts.push_back(nullptr);
      shapes.push_back(&unknownShape());
      continue;
    }
    const auto& v = g.values[static_cast<std::size_t>(id)];
    consts.push_back(v.constant ? &*v.constant : nullptr);
    shapes.push_back(&v.shape);
  }
  cpu::CreateContext ctx{n, env.opset, inputTypes, consts, shapes, outputTypes, env.weights};
  try {
    auto k = entry->create(ctx);
    if (!k) return std::unexpected(withContext(k.error(), describeNode(n)));
    if (!*k) return makeError(codes::kInternal, describeNode(n) + ": kernel factory returned null");
    return k;
  } catch (const std::exception& e) {
    return makeError(codes::kInternal, describeNode(n) + ": kernel creation threw: " + e.what());
  }
}

Status resolveDynamicNode(const ExecEnv& env, const ir::Graph& g, const ir::Node& n, std::span<const TensorRef> inputs,
                          DynamicNode& state) {
  buildKey(inputs, state.scratchKey);
  if (state.keyValid && state.kernel && state.scratchKey == state.key) return ok();

  // Shape inference on the concrete inputs.
  const std::size_t ni = inputs.size();
  std::vector<ir::Shape> shapes(ni);
  std::vector<std::optional<ir::Tensor>> values(ni);
  std::vector<ops::InputInfo> infos(ni);
  std::vector<ir::DataType> inTypes(ni, ir::DataType::Undefined);
  for (std::size_t i = 0; i < ni; ++i) {
    const auto& r = inputs[i];
    if (!r.present()) continue;
    inTypes[i] = r.dtype;
    shapes[i] = ir::Shape::fromValues(r.dims);
    infos[i].dtype = r.dtype;
    infos[i].shape = &shapes[i];
    const auto id = n.inputs[i];
    const auto& v = g.values[static_cast<std::size_t>(id)];
    if (v.constant) {
      infos[i].value = &*v.constant;
    } else if (passValues(r)) {
      ir::Tensor t;
      t.dtype = r.dtype;
      t.dims = r.dims;
      t.buffer = std::make_shared<ViewBuffer>(r.data, r.byteSize());
      values[i] = std::move(t);
      infos[i].value = &*values[i];
    }
  }
  const std::size_t no = n.outputs.size();
  std::vector<ops::OutputInfo> outs(no);
  state.outTypes.assign(no, ir::DataType::Undefined);
  state.outDims.assign(no, std::nullopt);
  if (ops::findOp(n.domain, n.opType, env.opset)) {
    ops::SymbolFactory symbols;
    ops::InferContext ictx{n, env.opset, infos, outs, &symbols};
    auto st = ops::inferNode(ictx);
    if (!st) return std::unexpected(withContext(st.error(), "shape inference of " + describeNode(n)));
    for (std::size_t i = 0; i < no; ++i) {
      state.outTypes[i] = outs[i].dtype;
      if (outs[i].shape.isStatic()) state.outDims[i] = *outs[i].shape.values();
    }
  }
  // Types the registry left open (ops without a shape function, e.g. control flow): the graph's.
  for (std::size_t i = 0; i < no; ++i)
    if (state.outTypes[i] == ir::DataType::Undefined && n.outputs[i] != ir::kNone)
      state.outTypes[i] = g.values[static_cast<std::size_t>(n.outputs[i])].dtype;

  if (!state.kernel || state.kernelInputTypes != inTypes) {
    GS_ASSIGN_OR_RETURN(state.kernel, makeKernel(env, g, n, inTypes, state.outTypes));
    state.kernelInputTypes = inTypes;
  }
  std::vector<std::vector<int64_t>> dims(ni);
  for (std::size_t i = 0; i < ni; ++i)
    dims[i] = inputs[i].dims;
  cpu::ReshapeContext rctx{dims, inTypes, state.outDims};
  try {
    auto ws = state.kernel->reshape(rctx);
    if (!ws) return std::unexpected(withContext(ws.error(), describeNode(n)));
    state.workspace = *ws;
  } catch (const std::exception& e) {
    return makeError(codes::kInternal, describeNode(n) + ": reshape threw: " + e.what());
  }
  state.key.swap(state.scratchKey);
  state.keyValid = true;
  return ok();
}

} // namespace gs::runtime
