// Kernels that walk one axis: ArgMax / ArgMin (keepdims, select_last_index; int64 output) and
// CumSum (exclusive, reverse; the axis is a scalar input). Each views the input as
// [outer, n, inner] around the axis.
#include <string_view>

#include "core/runtime/cpu/kernels/basic/common.h"
#include "core/runtime/cpu/kernels/basic/dispatch.h"
#include "core/runtime/cpu/kernels/basic/kernels.h"
#include "core/runtime/cpu/kernels/basic/parallel.h"

namespace gs::runtime::cpu::basic {
namespace {

struct AxisView {
  int64_t outer = 1, n = 1, inner = 1;
};

AxisView viewAround(std::span<const int64_t> dims, int64_t axis) {
  const auto a = static_cast<std::size_t>(axis);
  return {productOf(dims, 0, a), dims[a], productOf(dims, a + 1, dims.size())};
}

class ArgReduceKernel final : public BasicKernel {
public:
  ArgReduceKernel(const CreateContext& c, ir::DataType t)
      : BasicKernel(c), m_type(t), m_max(c.node.opType == "ArgMax"), m_axis(c.node.attrs.getInt("axis", 0)),
        m_keepDims(c.node.attrs.getInt("keepdims", 1) != 0), m_last(c.node.attrs.getInt("select_last_index", 0) != 0) {}

  Status run(std::span<const TensorRef> inputs, std::span<TensorRef> outputs, RunContext& ctx) override {
    if (!hasInput(inputs, 0)) return fail("missing input");
    const TensorRef& x = inputs[0];
    const auto rank = static_cast<int64_t>(x.dims.size());
    GS_ASSIGN_OR_RETURN(const int64_t axis, normAxis(m_axis, std::max<int64_t>(rank, 1)));
    if (rank == 0) return fail("expects a tensor of rank >= 1");
    m_outDims = x.dims;
    if (m_keepDims)
      m_outDims[static_cast<std::size_t>(axis)] = 1;
    else
      m_outDims.erase(m_outDims.begin() + axis);
    GS_RETURN_IF_ERROR(prepareOutput(outputs, 0, m_outDims, ctx));
    const AxisView v = viewAround(x.dims, axis);
    if (v.n == 0 && v.outer * v.inner > 0) return fail("cannot select over an empty axis");
    int64_t* out = outputs[0].as<int64_t>();
    visitType<float, int32_t, int64_t>(m_type, [&](auto tag) {
      using T = decltype(tag);
      const T* in = x.as<const T>();
      parallelFor(v.outer * v.inner, std::max<int64_t>(1, kGrainCheap / std::max<int64_t>(v.n, 1)),
                  [&](int64_t c0, int64_t c1) {
                    for (int64_t c = c0; c < c1; ++c) {
                      const T* p = in + (c / v.inner) * v.n * v.inner + c % v.inner;
                      T best = p[0];
                      int64_t bi = 0;
                      for (int64_t k = 1; k < v.n; ++k) {
                        const T val = p[k * v.inner];
                        const bool better =
                            m_max ? (m_last ? val >= best : val > best) : (m_last ? val <= best : val < best);
                        if (better) {
                          best = val;
                          bi = k;
                        }
                      }
                      out[c] = bi;
                    }
                  });
    });
    return ok();
  }

private:
  ir::DataType m_type;
  bool m_max;
  int64_t m_axis;
  bool m_keepDims;
  bool m_last;
  std::vector<int64_t> m_outDims;
};

class CumSumKernel final : public BasicKernel {
public:
  CumSumKernel(const CreateContext& c, ir::DataType t)
      : BasicKernel(c), m_type(t), m_exclusive(c.node.attrs.getInt("exclusive", 0) != 0),
        m_reverse(c.node.attrs.getInt("reverse", 0) != 0) {}

  Status run(std::span<const TensorRef> inputs, std::span<TensorRef> outputs, RunContext& ctx) override {
    if (!hasInput(inputs, 1)) return fail("expects x and axis");
    const TensorRef& x = inputs[0];
    GS_ASSIGN_OR_RETURN(const double axisValue, readScalar(inputs[1]));
    const auto rank = static_cast<int64_t>(x.dims.size());
    if (rank == 0) return fail("expects a tensor of rank >= 1");
    GS_ASSIGN_OR_RETURN(const int64_t axis, normAxis(static_cast<int64_t>(axisValue), rank));
    GS_RETURN_IF_ERROR(prepareOutput(outputs, 0, x.dims, ctx));
    const AxisView v = viewAround(x.dims, axis);
    constexpr int64_t kBlock = 1024;
    const int64_t blocks = (v.inner + kBlock - 1) / kBlock;
    visitType<float, double, int32_t, int64_t>(m_type, [&](auto tag) {
      using T = decltype(tag);
      const T* in = x.as<const T>();
      T* out = outputs[0].as<T>();
      const int64_t grain = std::max<int64_t>(1, kGrainCheap / std::max<int64_t>(v.n * std::min(v.inner, kBlock), 1));
      parallelFor(v.outer * blocks, grain, [&](int64_t t0, int64_t t1) {
        for (int64_t t = t0; t < t1; ++t) {
          const int64_t o = t / blocks;
          const int64_t i0 = (t % blocks) * kBlock;
          const int64_t i1 = std::min(v.inner, i0 + kBlock);
          for (int64_t s = 0; s < v.n; ++s) {
            // Step s walks the axis forwards, or backwards when reverse.
            const int64_t k = m_reverse ? v.n - 1 - s : s;
            const int64_t kp = m_reverse ? k + 1 : k - 1;
            T* row = out + (o * v.n + k) * v.inner;
            const T* xr = in + (o * v.n + k) * v.inner;
            const T* prevOut = out + (o * v.n + kp) * v.inner;
            const T* prevIn = in + (o * v.n + kp) * v.inner;
            for (int64_t i = i0; i < i1; ++i) {
              if (s == 0)
                row[i] = m_exclusive ? T{0} : xr[i];
              else
                row[i] = static_cast<T>(prevOut[i] + (m_exclusive ? prevIn[i] : xr[i]));
            }
          }
        }
      });
    });
    return ok();
  }

private:
  ir::DataType m_type;
  bool m_exclusive;
  bool m_reverse;
};

bool numeric3(ir::DataType t) {
  return t == ir::DataType::Float32 || t == ir::DataType::Int32 || t == ir::DataType::Int64;
}

} // namespace

Expected<std::unique_ptr<Kernel>> createArgReduce(const CreateContext& c) {
  if (!supportsArgReduce(c.node, c.inputTypes))
    return unsupported(c, "no kernel for input type " + std::string(ir::dtypeName(inputType(c, 0))));
  return std::make_unique<ArgReduceKernel>(c, inputType(c, 0));
}

bool supportsArgReduce(const ir::Node&, std::span<const ir::DataType> types) {
  return !types.empty() && numeric3(types[0]);
}

Expected<std::unique_ptr<Kernel>> createCumSum(const CreateContext& c) {
  if (!supportsCumSum(c.node, c.inputTypes))
    return unsupported(c, "no kernel for input type " + std::string(ir::dtypeName(inputType(c, 0))));
  return std::make_unique<CumSumKernel>(c, inputType(c, 0));
}

bool supportsCumSum(const ir::Node&, std::span<const ir::DataType> types) {
  return !types.empty() && (numeric3(types[0]) || types[0] == ir::DataType::Float64);
}

} // namespace gs::runtime::cpu::basic
