// Test harness for the basic CPU kernels (see harness.h).
#include "harness.h"

#include <cmath>
#include <cstring>
#include <sstream>

#include "core/ir/graph.h"
#include "core/runtime/cpu/kernel.h"
#include "core/runtime/cpu/kernels/registry.h"

namespace kt {

using namespace gs::runtime;
using namespace gs::runtime::cpu;

OpSpec& OpSpec::in(HostTensor t, bool isConst) {
  inputs.push_back(std::move(t));
  constant.push_back(isConst);
  return *this;
}
OpSpec& OpSpec::omit() { return in(HostTensor()); }
OpSpec& OpSpec::out(DataType t) {
  outTypes.push_back(t);
  return *this;
}
OpSpec& OpSpec::attr(const std::string& name, gs::ir::Attribute a) {
  attrs.set(name, std::move(a));
  return *this;
}

gs::Expected<std::vector<HostTensor>> runOp(const OpSpec& spec, const std::vector<std::optional<Dims>>& outDims) {
  gs::ir::Node node;
  node.name = "test_" + spec.op;
  node.opType = spec.op;
  node.domain = spec.domain;
  node.attrs = spec.attrs;
  const std::size_t nIn = spec.inputs.size();
  std::vector<DataType> inTypes(nIn);
  std::vector<gs::ir::Tensor> constData(nIn);
  std::vector<const gs::ir::Tensor*> constPtrs(nIn, nullptr);
  std::vector<gs::ir::Shape> shapes(nIn);
  std::vector<const gs::ir::Shape*> shapePtrs(nIn, nullptr);
  std::vector<Dims> inDims(nIn);
  for (std::size_t i = 0; i < nIn; ++i) {
    const HostTensor& t = spec.inputs[i];
    inTypes[i] = t.dtype();
    node.inputs.push_back(t.dtype() == DataType::Undefined ? gs::ir::kNone : static_cast<int32_t>(i));
    if (t.dtype() == DataType::Undefined) continue;
    inDims[i] = t.dims();
    shapes[i] = gs::ir::Shape::fromValues(t.dims());
    shapePtrs[i] = &shapes[i];
    if (spec.constant[i]) {
      std::string bytes(static_cast<const char*>(t.data()), t.byteSize());
      constData[i] = gs::ir::Tensor::fromBytes(t.dtype(), t.dims(), std::move(bytes));
      constPtrs[i] = &constData[i];
    }
  }
  for (std::size_t i = 0; i < spec.outTypes.size(); ++i)
    node.outputs.push_back(spec.outTypes[i] == DataType::Undefined ? gs::ir::kNone : static_cast<int32_t>(nIn + i));
  // One lookup in the CPU device's table, as the executors do.
  std::string why;
  const KernelEntry* entry = gs::runtime::cpu::cpuKernelTable().find(node, spec.opset, inTypes, &why);
  if (!entry) return gs::makeError("TEST", "kernel for " + spec.op + ": " + why);
  WeightCache cache;
  CreateContext cc{node, spec.opset, inTypes, constPtrs, shapePtrs, spec.outTypes, &cache};
  auto kernel = entry->create(cc);
  if (!kernel) return std::unexpected(kernel.error());

  const std::size_t nOut = spec.outTypes.size();
  std::vector<std::optional<Dims>> known(nOut);
  for (std::size_t i = 0; i < nOut && i < outDims.size(); ++i)
    known[i] = outDims[i];
  ReshapeContext rc{inDims, inTypes, known};
  auto ws = (*kernel)->reshape(rc);
  if (!ws) return std::unexpected(ws.error());
  std::vector<std::byte> workspace(*ws);

  std::vector<TensorRef> inRefs;
  for (const auto& t : spec.inputs)
    inRefs.push_back(t.ref());
  std::vector<HostTensor> results(nOut);
  std::vector<TensorRef> outRefs(nOut);
  for (std::size_t i = 0; i < nOut; ++i) {
    if (spec.outTypes[i] == DataType::Undefined) continue;
    if (known[i]) {
      results[i] = HostTensor(spec.outTypes[i], *known[i]);
      outRefs[i] = results[i].ref();
    } else {
      outRefs[i].dtype = spec.outTypes[i];
    }
  }
  if (spec.aliasOutput && nOut > 0 && known[0]) outRefs[0].data = inRefs[0].data;
  std::vector<bool> allocated(nOut, false);
  RunContext ctx;
  ctx.allocateOutput = [&](std::size_t i, std::vector<int64_t> dims) -> gs::Expected<TensorRef> {
    if (i >= nOut || known[i] || allocated[i]) return gs::makeError("TEST", "unexpected allocateOutput");
    allocated[i] = true;
    results[i] = HostTensor(spec.outTypes[i], std::move(dims));
    outRefs[i] = results[i].ref();
    return results[i].ref();
  };
  ctx.workspace = workspace.empty() ? nullptr : workspace.data();
  ctx.workspaceBytes = workspace.size();
  auto st = (*kernel)->run(inRefs, outRefs, ctx);
  if (!st) return std::unexpected(st.error());
  if (spec.aliasOutput && nOut > 0 && known[0] && results[0].byteSize())
    std::memcpy(results[0].data(), inRefs[0].data, results[0].byteSize());
  for (std::size_t i = 0; i < nOut; ++i)
    if (spec.outTypes[i] != DataType::Undefined && !known[i] && !allocated[i])
      return gs::makeError("TEST", "output " + std::to_string(i) + " was never allocated");
  return results;
}

double at(const HostTensor& t, int64_t i) {
  const void* p = t.data();
  switch (t.dtype()) {
  case DataType::Float32:
    return static_cast<const float*>(p)[i];
  case DataType::Float64:
    return static_cast<const double*>(p)[i];
  case DataType::Int64:
    return static_cast<double>(static_cast<const int64_t*>(p)[i]);
  case DataType::Int32:
    return static_cast<const int32_t*>(p)[i];
  case DataType::Int16:
    return static_cast<const int16_t*>(p)[i];
  case DataType::Int8:
    return static_cast<const int8_t*>(p)[i];
  case DataType::UInt8:
    return static_cast<const uint8_t*>(p)[i];
  case DataType::UInt16:
  case DataType::Float16:
  case DataType::BFloat16:
    return static_cast<const uint16_t*>(p)[i];
  case DataType::UInt32:
    return static_cast<const uint32_t*>(p)[i];
  case DataType::UInt64:
    return static_cast<double>(static_cast<const uint64_t*>(p)[i]);
  case DataType::Bool:
    return static_cast<const uint8_t*>(p)[i];
  default:
    return 0;
  }
}

std::string str(const Dims& d) {
  std::string s = "[";
  for (std::size_t i = 0; i < d.size(); ++i) {
    if (i) s += ",";
    s += std::to_string(d[i]);
  }
  return s + "]";
}

std::string compare(const HostTensor& got, const HostTensor& want, double rtol, double atol) {
  if (got.dtype() != want.dtype())
    return "dtype " + std::string(gs::ir::dtypeName(got.dtype())) +
           " != " + std::string(gs::ir::dtypeName(want.dtype()));
  if (got.dims() != want.dims()) return "dims " + str(got.dims()) + " != " + str(want.dims());
  const bool isFloat = want.dtype() == DataType::Float32 || want.dtype() == DataType::Float64;
  for (int64_t i = 0; i < want.numel(); ++i) {
    bool same;
    const double g = at(got, i), w = at(want, i);
    if (!isFloat) {
      // Exact, on the raw bytes (int64 beyond 2^53 included).
      const std::size_t s = gs::ir::dtypeSize(want.dtype());
      same = std::memcmp(static_cast<const std::byte*>(got.data()) + i * s,
                         static_cast<const std::byte*>(want.data()) + i * s, s) == 0;
    } else if (std::isnan(w)) {
      same = std::isnan(g);
    } else if (std::isinf(w)) {
      same = g == w;
    } else {
      same = std::abs(g - w) <= atol + rtol * std::abs(w);
    }
    if (!same) {
      std::ostringstream os;
      os.precision(9);
      os << "element " << i << " (index " << str(unravel(i, want.dims())) << " of " << str(want.dims()) << "): got "
         << g << ", want " << w;
      return os.str();
    }
  }
  return "";
}

std::string check(const OpSpec& spec, const std::vector<const HostTensor*>& expected, double rtol, double atol) {
  for (int mode = 0; mode < 2; ++mode) {
    std::vector<std::optional<Dims>> dims;
    for (const auto* e : expected)
      dims.push_back(mode == 0 && e ? std::optional<Dims>(e->dims()) : std::nullopt);
    auto r = runOp(spec, dims);
    const std::string where = spec.op + (mode == 0 ? " (preallocated)" : " (allocated)") + ": ";
    if (!r) return where + r.error().str();
    for (std::size_t i = 0; i < expected.size(); ++i) {
      if (!expected[i]) continue;
      const auto msg = compare((*r)[i], *expected[i], rtol, atol);
      if (!msg.empty()) return where + "output " + std::to_string(i) + ": " + msg;
    }
  }
  return "";
}

std::string check(const OpSpec& spec, const HostTensor& expected, double rtol, double atol) {
  return check(spec, std::vector<const HostTensor*>{&expected}, rtol, atol);
}

std::string expectFailure(const OpSpec& spec, const std::vector<std::optional<Dims>>& outDims) {
  auto r = runOp(spec, outDims);
  return r ? spec.op + ": expected a failure, but it ran" : "";
}

HostTensor i64(const std::vector<int64_t>& values) {
  return make<int64_t>({static_cast<int64_t>(values.size())}, values);
}
HostTensor like(DataType t, const Dims& dims) { return HostTensor(t, dims); }
HostTensor copyOf(const HostTensor& t) {
  HostTensor c(t.dtype(), t.dims());
  if (t.byteSize()) std::memcpy(c.data(), t.data(), t.byteSize());
  return c;
}

std::mt19937& rng() {
  static std::mt19937 g(20240611);
  return g;
}
int64_t randInt(int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng()); }
HostTensor randomFloat(const Dims& dims, float lo, float hi) {
  HostTensor t(DataType::Float32, dims);
  std::uniform_real_distribution<float> d(lo, hi);
  for (int64_t i = 0; i < t.numel(); ++i)
    t.as<float>()[i] = d(rng());
  return t;
}
HostTensor randomBool(const Dims& dims) {
  HostTensor t(DataType::Bool, dims);
  for (int64_t i = 0; i < t.numel(); ++i)
    t.as<bool>()[i] = randInt(0, 1) != 0;
  return t;
}
Dims randomDims(int rank, int64_t lo, int64_t hi) {
  Dims d(static_cast<std::size_t>(rank));
  for (auto& x : d)
    x = randInt(lo, hi);
  return d;
}

int64_t numel(const Dims& d) {
  int64_t n = 1;
  for (auto x : d)
    n *= x;
  return n;
}
Dims unravel(int64_t i, const Dims& dims) {
  Dims idx(dims.size());
  for (std::size_t k = dims.size(); k-- > 0;) {
    idx[k] = dims[k] ? i % dims[k] : 0;
    i = dims[k] ? i / dims[k] : 0;
  }
  return idx;
}
int64_t ravel(const Dims& idx, const Dims& dims) {
  int64_t o = 0;
  for (std::size_t k = 0; k < dims.size(); ++k)
    o = o * dims[k] + idx[k];
  return o;
}
int64_t broadcastIndex(const Dims& outIdx, const Dims& in) {
  const std::size_t off = outIdx.size() - in.size();
  Dims idx(in.size());
  for (std::size_t k = 0; k < in.size(); ++k)
    idx[k] = in[k] == 1 ? 0 : outIdx[off + k];
  return ravel(idx, in);
}

} // namespace kt
