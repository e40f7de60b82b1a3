// Test harness implementation (see harness.h).
#include "harness.h"

#include <cmath>
#include <cstring>

#include "core/ir/gs_ops.h"
#include "core/runtime/cpu/kernels/registry.h"

namespace gs::test {

using runtime::cpu::CreateContext;
using runtime::cpu::ReshapeContext;
using runtime::cpu::RunContext;

HostTensor randomTensor(const std::vector<int64_t>& dims, std::mt19937& rng, float lo, float hi) {
  HostTensor t(ir::DataType::Float32, dims);
  std::uniform_real_distribution<float> dist(lo, hi);
  for (int64_t i = 0; i < t.numel(); ++i)
    t.as<float>()[i] = dist(rng);
  return t;
}

HostTensor fromValues(const std::vector<int64_t>& dims, const std::vector<float>& values) {
  HostTensor t(ir::DataType::Float32, dims);
  if (!values.empty()) std::memcpy(t.data(), values.data(), values.size() * sizeof(float)); // null data when empty
  return t;
}

HostTensor int64Tensor(const std::vector<int64_t>& dims, const std::vector<int64_t>& values) {
  HostTensor t(ir::DataType::Int64, dims);
  if (!values.empty()) std::memcpy(t.data(), values.data(), values.size() * sizeof(int64_t)); // null data when empty
  return t;
}

HostTensor int32Tensor(const std::vector<int64_t>& dims, const std::vector<int32_t>& values) {
  HostTensor t(ir::DataType::Int32, dims);
  if (!values.empty()) std::memcpy(t.data(), values.data(), values.size() * sizeof(int32_t)); // null data when empty
  return t;
}

ir::Tensor toIr(const HostTensor& t) {
  std::string bytes(t.byteSize(), '\0');
  if (!bytes.empty()) std::memcpy(bytes.data(), t.data(), bytes.size());
  return ir::Tensor::fromBytes(t.dtype(), t.dims(), std::move(bytes));
}

ir::Node makeNode(const std::string& opType, const std::vector<Input>& inputs, const std::vector<OutSpec>& outputs,
                  ir::Attributes attrs) {
  ir::Node n;
  n.name = opType + "_test";
  n.opType = opType;
  for (std::size_t i = 0; i < inputs.size(); ++i)
    n.inputs.push_back(inputs[i].present ? static_cast<ir::ValueId>(i) : ir::kNone);
  for (std::size_t i = 0; i < outputs.size(); ++i)
    n.outputs.push_back(outputs[i].dims ? static_cast<ir::ValueId>(100 + i) : ir::kNone);
  n.attrs = std::move(attrs);
  // A fused activation, epilogue, layout or residual makes the node the GearStudio op (FusedConv, ...):
  // the ONNX op's kernel ignores them.
  const bool fused = n.attrs.has(ir::gsop::kActivation) || n.attrs.has(ir::gsop::kPostScale) ||
                     n.attrs.has(ir::gsop::kPostShift) || n.attrs.has(ir::gsop::kLayout) ||
                     (opType == "Conv" && n.inputs.size() >= 4);
  if (fused) ir::gsop::makeFused(n);
  return n;
}

Expected<Prepared> prepare(const ir::Node& node, int64_t opset, std::vector<Input>& inputs,
                           const std::vector<OutSpec>& outputs, runtime::cpu::WeightCache* cache) {
  Prepared p;
  std::vector<ir::DataType> types;
  std::vector<ir::Shape> shapes;
  std::vector<const ir::Shape*> shapePtrs;
  std::vector<const ir::Tensor*> consts;
  std::vector<std::vector<int64_t>> dims;
  p.constants.reserve(inputs.size());
  for (auto& i : inputs) {
    types.push_back(i.present ? i.t.dtype() : ir::DataType::Undefined);
    dims.push_back(i.present ? i.t.dims() : std::vector<int64_t>{});
    shapes.push_back(ir::Shape::fromValues(dims.back()));
    if (i.present && i.constant) {
      p.constants.push_back(i.irConst ? *i.irConst : toIr(i.t));
      consts.push_back(&p.constants.back());
    } else {
      consts.push_back(nullptr);
    }
  }
  for (auto& s : shapes)
    shapePtrs.push_back(&s);
  std::vector<ir::DataType> outTypes;
  std::vector<std::optional<std::vector<int64_t>>> outDims;
  for (const auto& o : outputs) {
    outTypes.push_back(o.dims ? o.dtype : ir::DataType::Undefined);
    outDims.push_back(o.dims);
  }
  // One lookup in the CPU device's table, as the executors do.
  std::string why;
  const auto* entry = runtime::cpu::cpuKernelTable().find(node, opset, types, &why);
  if (!entry) return makeError(codes::kUnsupported, why);
  CreateContext cc{node, opset, types, consts, shapePtrs, outTypes, cache};
  GS_ASSIGN_OR_RETURN(p.kernel, entry->create(cc));
  ReshapeContext rc{dims, types, outDims};
  GS_ASSIGN_OR_RETURN(p.workspace, p.kernel->reshape(rc));
  return p;
}

Expected<std::vector<HostTensor>> execute(Prepared& p, const std::vector<Input>& inputs,
                                          const std::vector<OutSpec>& outputs) {
  std::vector<runtime::TensorRef> ins;
  for (const auto& i : inputs)
    ins.push_back(i.present ? i.t.ref() : runtime::TensorRef{});
  std::vector<HostTensor> outs;
  std::vector<runtime::TensorRef> outRefs;
  for (const auto& o : outputs) {
    if (o.dims) {
      outs.emplace_back(o.dtype, *o.dims);
      // Garbage in the output buffer: kernels must not rely on zero-filled outputs.
      if (o.dtype == ir::DataType::Float32)
        for (int64_t k = 0; k < outs.back().numel(); ++k)
          outs.back().as<float>()[k] = std::nanf("");
      outRefs.push_back(outs.back().ref());
    } else {
      outs.emplace_back();
      outRefs.push_back(runtime::TensorRef{});
    }
  }
  std::byte* ws = p.workspace ? runtime::alignedAlloc(p.workspace) : nullptr;
  RunContext rc;
  rc.workspace = ws;
  rc.workspaceBytes = p.workspace;
  auto st = p.kernel->run(ins, outRefs, rc);
  if (ws) runtime::alignedFree(ws);
  if (!st) return std::unexpected(st.error());
  return outs;
}

Expected<std::vector<HostTensor>> runOp(const std::string& opType, int64_t opset, std::vector<Input> inputs,
                                        const std::vector<OutSpec>& outputs, ir::Attributes attrs,
                                        runtime::cpu::WeightCache* cache) {
  const auto node = makeNode(opType, inputs, outputs, std::move(attrs));
  GS_ASSIGN_OR_RETURN(auto p, prepare(node, opset, inputs, outputs, cache));
  return execute(p, inputs, outputs);
}

bool allClose(const HostTensor& got, const std::vector<float>& want, std::string* why, float rtol, float atol) {
  if (static_cast<std::size_t>(got.numel()) != want.size()) {
    if (why) *why = "size " + std::to_string(got.numel()) + " vs " + std::to_string(want.size());
    return false;
  }
  const float* g = got.as<float>();
  for (std::size_t i = 0; i < want.size(); ++i) {
    const bool bothNan = std::isnan(g[i]) && std::isnan(want[i]);
    if (!bothNan && !(std::abs(g[i] - want[i]) <= atol + rtol * std::abs(want[i]))) {
      if (why)
        *why = "index " + std::to_string(i) + ": got " + std::to_string(g[i]) + ", want " + std::to_string(want[i]);
      return false;
    }
  }
  return true;
}

} // namespace gs::test
