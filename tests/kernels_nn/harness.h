// Test harness for the neural-network kernels: builds a node, drives create -> reshape -> run exactly as
// the executor does (constant inputs as ir::Tensors, workspace from reshape), and compares results.
#pragma once

#include <optional>
#include <random>
#include <string>
#include <vector>

#include "core/ir/graph.h"
#include "core/runtime/cpu/kernel.h"
#include "core/runtime/tensor.h"

namespace gs::test {

using runtime::HostTensor;

struct Input {
  HostTensor t;
  bool constant = false;
  bool present = true;
  std::optional<ir::Tensor> irConst; // reuse this exact constant (weight sharing across gears)
};

inline Input in(HostTensor t, bool constant = false) { return Input{std::move(t), constant, true, std::nullopt}; }
// Builds the (move-only) input list: inputs(in(x), in(w, true), absent()).
template <class... T> std::vector<Input> inputs(T&&... xs) {
  std::vector<Input> v;
  v.reserve(sizeof...(xs));
  (v.push_back(std::move(xs)), ...);
  return v;
}
inline Input absent() { return Input{HostTensor(), false, false, std::nullopt}; }

HostTensor randomTensor(const std::vector<int64_t>& dims, std::mt19937& rng, float lo = -1.0f, float hi = 1.0f);
HostTensor fromValues(const std::vector<int64_t>& dims, const std::vector<float>& values);
HostTensor int64Tensor(const std::vector<int64_t>& dims, const std::vector<int64_t>& values);
HostTensor int32Tensor(const std::vector<int64_t>& dims, const std::vector<int32_t>& values);
ir::Tensor toIr(const HostTensor& t);

struct OutSpec {
  std::optional<std::vector<int64_t>> dims; // nullopt: output omitted
  ir::DataType dtype = ir::DataType::Float32;
};
inline OutSpec out(std::vector<int64_t> dims, ir::DataType t = ir::DataType::Float32) { return OutSpec{dims, t}; }
inline OutSpec noOut() { return OutSpec{std::nullopt, ir::DataType::Undefined}; }

// A kernel taken through create and reshape, ready to run.
struct Prepared {
  std::unique_ptr<runtime::cpu::Kernel> kernel;
  std::size_t workspace = 0;
  std::vector<ir::Tensor> constants;
};

ir::Node makeNode(const std::string& opType, const std::vector<Input>& inputs, const std::vector<OutSpec>& outputs,
                  ir::Attributes attrs = {});
Expected<Prepared> prepare(const ir::Node& node, int64_t opset, std::vector<Input>& inputs,
                           const std::vector<OutSpec>& outputs, runtime::cpu::WeightCache* cache = nullptr);
Expected<std::vector<HostTensor>> execute(Prepared& p, const std::vector<Input>& inputs,
                                          const std::vector<OutSpec>& outputs);
// prepare + execute in one go.
Expected<std::vector<HostTensor>> runOp(const std::string& opType, int64_t opset, std::vector<Input> inputs,
                                        const std::vector<OutSpec>& outputs, ir::Attributes attrs = {},
                                        runtime::cpu::WeightCache* cache = nullptr);

// Element-wise |a - b| <= atol + rtol * |b|; on failure `why` names the first bad index.
bool allClose(const HostTensor& got, const std::vector<float>& want, std::string* why, float rtol = 1e-4f,
              float atol = 1e-4f);

} // namespace gs::test

// Unwraps an Expected inside a void test function, failing the test with the error's text.
#define GS_TEST_CAT2_(a, b) a##b
#define GS_TEST_CAT_(a, b) GS_TEST_CAT2_(a, b)
#define GS_ASSIGN_OK(decl, expr) GS_ASSIGN_OK_IMPL_(GS_TEST_CAT_(gs_ok_, __LINE__), decl, expr)
#define GS_ASSIGN_OK_IMPL_(tmp, decl, expr)                                                                            \
  auto tmp = (expr);                                                                                                   \
  if (!tmp) QFAIL(qPrintable(QString::fromStdString(tmp.error().str())));                                              \
  decl = std::move(*tmp)
// Compares and fails with the first mismatch and a label naming the case.
#define GS_EXPECT_CLOSE(got, want, label)                                                                              \
  do {                                                                                                                 \
    std::string why_;                                                                                                  \
    if (!gs::test::allClose((got), (want), &why_))                                                                     \
      QFAIL(qPrintable(QString::fromStdString(std::string(label) + ": " + why_)));                                     \
  } while (0)
