// Shared pieces of the basic CPU kernels: the kernel base class (errors naming the node, output
// preparation for preallocated and data-dependent outputs), axis handling, reading shape-like
// inputs, and fixed-size index arrays so run() needs no heap allocation.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/runtime/cpu/kernel.h"

namespace gs::runtime::cpu::basic {

// Highest rank the index arithmetic handles (fixed arrays on the stack, no allocation in run()).
inline constexpr int kMaxRank = 16;
using DimArray = std::array<int64_t, kMaxRank>;

int64_t productOf(std::span<const int64_t> dims, std::size_t begin, std::size_t end);
inline int64_t productOf(std::span<const int64_t> dims) { return productOf(dims, 0, dims.size()); }
std::string dimsString(std::span<const int64_t> dims);

inline bool hasInput(std::span<const TensorRef> inputs, std::size_t i) {
  return i < inputs.size() && inputs[i].present();
}
inline bool hasOutput(std::span<TensorRef> outputs, std::size_t i) {
  return i < outputs.size() && outputs[i].present();
}
ir::DataType inputType(const CreateContext& c, std::size_t i);
// The constant data of input i, or null when it is computed at run time (or omitted).
const ir::Tensor* constInput(const CreateContext& c, std::size_t i);
// Integer values of a constant input, when it is constant.
std::optional<std::vector<int64_t>> constInts(const CreateContext& c, std::size_t i);

// A creation failure naming the node (codes::kUnsupported for dtype/attribute combinations we lack).
std::unexpected<Error> unsupported(const CreateContext& c, const std::string& what);
std::unexpected<Error> invalid(const CreateContext& c, const std::string& what);

// Copies bytes (in parallel when large); no-op when source and destination are the same buffer.
void copyBytes(void* dst, const void* src, std::size_t bytes);

class BasicKernel : public Kernel {
public:
  explicit BasicKernel(const CreateContext& c) : m_name(c.node.name), m_op(c.node.opType), m_opset(c.opset) {}

protected:
  // A run-time failure naming the node (codes::kRuntime).
  std::unexpected<Error> fail(const std::string& what) const;
  // Axis in [-rank, rank) -> [0, rank).
  Expected<int64_t> normAxis(int64_t axis, int64_t rank) const;
  // Makes output i ready for dims: a preallocated output must have exactly these dims; an output
  // without a buffer (data-dependent, or dynamic mode) is allocated through ctx.allocateOutput.
  Status prepareOutput(std::span<TensorRef> outputs, std::size_t i, std::span<const int64_t> dims,
                       RunContext& ctx) const;
  // Reads an integer tensor (int64, int32, ... ) into out, reusing its capacity.
  Status readInts(const TensorRef& t, std::vector<int64_t>& out) const;
  // Reads a one-element tensor of any numeric type as double.
  Expected<double> readScalar(const TensorRef& t) const;
  Status checkRank(std::size_t rank) const;

  std::string m_name;
  std::string m_op;
  int64_t m_opset = 0;
};

// Reads element i of a numeric tensor of any type as double / int64 (slow path, for scalars).
double elementAsDouble(ir::DataType t, const void* data, int64_t i);

} // namespace gs::runtime::cpu::basic
