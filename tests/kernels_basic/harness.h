// Test harness for the basic CPU kernels: builds a one-node op, drives it through the kernel
// interface exactly as the executor does (create -> reshape -> run), once with outputs preallocated
// at the expected dims and once with outputs allocated by the kernel through allocateOutput, and
// compares against reference tensors computed by plain loops in the tests.
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "core/common/status.h"
#include "core/ir/attribute.h"
#include "core/runtime/tensor.h"

namespace kt {

using gs::ir::DataType;
using gs::runtime::HostTensor;
using Dims = std::vector<int64_t>;

struct OpSpec {
  std::string op;
  std::string domain; // "" for ai.onnx
  int64_t opset = 17;
  gs::ir::Attributes attrs;
  std::vector<HostTensor> inputs; // dtype Undefined: an omitted optional input
  std::vector<bool> constant;     // passed as constant data to create()
  std::vector<DataType> outTypes; // Undefined: an omitted optional output
  bool aliasOutput = false;       // output 0 shares input 0's buffer (the executor may alias copies)

  OpSpec(std::string name, int64_t set = 17) : op(std::move(name)), opset(set) {}
  OpSpec& in(HostTensor t, bool isConst = false);
  OpSpec& omit();
  OpSpec& out(DataType t);
  OpSpec& attr(const std::string& name, gs::ir::Attribute a);
  OpSpec& attrInt(const std::string& name, int64_t v) { return attr(name, gs::ir::Attribute::ofInt(v)); }
  OpSpec& attrFloat(const std::string& name, float v) { return attr(name, gs::ir::Attribute::ofFloat(v)); }
  OpSpec& attrInts(const std::string& name, std::vector<int64_t> v) {
    return attr(name, gs::ir::Attribute::ofInts(std::move(v)));
  }
  OpSpec& attrString(const std::string& name, std::string v) {
    return attr(name, gs::ir::Attribute::ofString(std::move(v)));
  }
};

// Runs the op once. outDims[i] nullopt: output i is left to the kernel's allocateOutput.
gs::Expected<std::vector<HostTensor>> runOp(const OpSpec& spec, const std::vector<std::optional<Dims>>& outDims);

// Runs both ways (preallocated at the expected dims, and kernel-allocated) and compares every output
// with `expected` (floats within atol + rtol*|want|; everything else exactly). "" when all match.
std::string check(const OpSpec& spec, const std::vector<const HostTensor*>& expected, double rtol = 1e-5,
                  double atol = 1e-6);
std::string check(const OpSpec& spec, const HostTensor& expected, double rtol = 1e-5, double atol = 1e-6);
// The op must fail (at create or run); "" when it did.
std::string expectFailure(const OpSpec& spec, const std::vector<std::optional<Dims>>& outDims);

std::string compare(const HostTensor& got, const HostTensor& want, double rtol, double atol);

// Tensor construction.
template <class T> HostTensor make(const Dims& dims, const std::vector<T>& values) {
  HostTensor t(gs::ir::dtypeOf<T>(), dims);
  for (std::size_t i = 0; i < values.size() && i < static_cast<std::size_t>(t.numel()); ++i)
    t.as<T>()[i] = values[i];
  return t;
}
template <class T> HostTensor scalar(T v) { return make<T>({}, {v}); }
HostTensor i64(const std::vector<int64_t>& values); // 1-D int64
HostTensor like(DataType t, const Dims& dims);      // zero-filled
HostTensor copyOf(const HostTensor& t);

// Deterministic random data.
std::mt19937& rng();
int64_t randInt(int64_t lo, int64_t hi); // inclusive
HostTensor randomFloat(const Dims& dims, float lo = -3.0f, float hi = 3.0f);
template <class T> HostTensor randomInt(const Dims& dims, int64_t lo, int64_t hi) {
  HostTensor t(gs::ir::dtypeOf<T>(), dims);
  for (int64_t i = 0; i < t.numel(); ++i)
    t.as<T>()[i] = static_cast<T>(randInt(lo, hi));
  return t;
}
HostTensor randomBool(const Dims& dims);
// Random dims of the given rank, sizes in [lo, hi].
Dims randomDims(int rank, int64_t lo = 1, int64_t hi = 5);

// Reference-side index helpers (deliberately independent of the kernels' plans).
int64_t numel(const Dims& d);
Dims unravel(int64_t i, const Dims& dims);
int64_t ravel(const Dims& idx, const Dims& dims);
// Index into an input of dims `in` broadcast (numpy rules) to an output index.
int64_t broadcastIndex(const Dims& outIdx, const Dims& in);
// Element i of any numeric tensor as double.
double at(const HostTensor& t, int64_t i);
std::string str(const Dims& d);

} // namespace kt

#define KT_OK(expr)                                                                                                    \
  do {                                                                                                                 \
    const std::string kt_msg_ = (expr);                                                                                \
    QVERIFY2(kt_msg_.empty(), kt_msg_.c_str());                                                                        \
  } while (0)
