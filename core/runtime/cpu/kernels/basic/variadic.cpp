// Variadic elementwise kernels with numpy broadcasting (Sum, Mean, Max, Min over 1..N inputs) and
// Where (select by a bool condition, any element type by size). Variadic ops fold the inputs into
// the output pairwise: out = f(in0, in1), then out = f(out, ink); each step has its own plan.
#include <cmath>
#include <string_view>

#include "core/runtime/cpu/kernels/basic/binary_loop.h"
#include "core/runtime/cpu/kernels/basic/dispatch.h"
#include "core/runtime/cpu/kernels/basic/kernels.h"
#include "core/runtime/cpu/kernels/basic/parallel.h"

namespace gs::runtime::cpu::basic {
namespace {

enum class Fold { Sum, Mean, Max, Min };

// Max/Min propagate NaN as numpy.maximum/minimum do.
template <class T> T maxOf(T x, T y) {
  if constexpr (std::is_floating_point_v<T>)
    if (std::isnan(x) || std::isnan(y)) return std::numeric_limits<T>::quiet_NaN();
  return x < y ? y : x;
}
template <class T> T minOf(T x, T y) {
  if constexpr (std::is_floating_point_v<T>)
    if (std::isnan(x) || std::isnan(y)) return std::numeric_limits<T>::quiet_NaN();
  return y < x ? y : x;
}

template <class T> void foldSpan(Fold f, const BroadcastPlan& p, const T* a, const T* b, T* o, int64_t e0, int64_t e1) {
  switch (f) {
  case Fold::Sum:
  case Fold::Mean:
    binarySpans(p, a, b, o, e0, e1, [](T x, T y) { return static_cast<T>(x + y); });
    break;
  case Fold::Max:
    binarySpans(p, a, b, o, e0, e1, [](T x, T y) { return maxOf(x, y); });
    break;
  case Fold::Min:
    binarySpans(p, a, b, o, e0, e1, [](T x, T y) { return minOf(x, y); });
    break;
  }
}

class VariadicKernel final : public BasicKernel {
public:
  VariadicKernel(const CreateContext& c, Fold f, ir::DataType t) : BasicKernel(c), m_fold(f), m_type(t) {}

  Expected<std::size_t> reshape(const ReshapeContext& r) override {
    GS_RETURN_IF_ERROR(plan(r.inputDims));
    return std::size_t{0};
  }

  Status run(std::span<const TensorRef> inputs, std::span<TensorRef> outputs, RunContext& ctx) override {
    if (inputs.empty()) return fail("expects at least one input");
    bool same = m_dims.size() == inputs.size();
    for (std::size_t i = 0; same && i < inputs.size(); ++i)
      same = inputs[i].dims == m_dims[i];
    if (!same) {
      std::vector<std::vector<int64_t>> dims;
      for (const auto& in : inputs)
        dims.push_back(in.dims);
      GS_RETURN_IF_ERROR(plan(dims));
    }
    GS_RETURN_IF_ERROR(prepareOutput(outputs, 0, m_outDims, ctx));
    void* out = outputs[0].data;
    visitType<float, int32_t, int64_t, double, int8_t, int16_t, uint8_t, uint16_t, uint32_t, uint64_t>(
        m_type, [&](auto tag) {
          using T = decltype(tag);
          T* o = static_cast<T*>(out);
          if (inputs.size() == 1) {
            // One input: the output is a broadcast copy (Sum/Max/Min/Mean of a single tensor).
            const T* a = inputs[0].as<const T>();
            const BroadcastPlan& p = m_plans[0];
            parallelFor(p.total, kGrainCheap,
                        [&](int64_t e0, int64_t e1) { binarySpans(p, a, a, o, e0, e1, [](T x, T) { return x; }); });
            return;
          }
          for (std::size_t k = 1; k < inputs.size(); ++k) {
            const T* a = k == 1 ? inputs[0].as<const T>() : o;
            const T* b = inputs[k].as<const T>();
            const BroadcastPlan& p = m_plans[k - 1];
            parallelFor(p.total, kGrainCheap, [&](int64_t e0, int64_t e1) { foldSpan<T>(m_fold, p, a, b, o, e0, e1); });
          }
          if (m_fold == Fold::Mean) {
            const T n = static_cast<T>(inputs.size());
            parallelFor(m_plans[0].total, kGrainCheap, [&](int64_t e0, int64_t e1) {
              for (int64_t i = e0; i < e1; ++i)
                o[i] = static_cast<T>(o[i] / n);
            });
          }
        });
    return ok();
  }

private:
  Status plan(std::span<const std::vector<int64_t>> dims) {
    if (dims.empty()) return fail("expects at least one input");
    m_outDims = dims[0];
    std::vector<int64_t> tmp;
    for (std::size_t k = 1; k < dims.size(); ++k) {
      if (!broadcastShapes(m_outDims, dims[k], tmp))
        return fail("cannot broadcast " + dimsString(m_outDims) + " with " + dimsString(dims[k]));
      m_outDims = tmp;
    }
    m_plans.resize(std::max<std::size_t>(dims.size() - 1, 1));
    if (dims.size() == 1) {
      const std::span<const int64_t> ins[] = {dims[0], dims[0]};
      makeBroadcastPlan(ins, m_outDims, m_plans[0]);
    }
    for (std::size_t k = 1; k < dims.size(); ++k) {
      const std::span<const int64_t> ins[] = {k == 1 ? std::span<const int64_t>(dims[0]) : m_outDims, dims[k]};
      if (!makeBroadcastPlan(ins, m_outDims, m_plans[k - 1])) return fail("rank exceeds the supported maximum");
    }
    m_dims.assign(dims.begin(), dims.end());
    return ok();
  }

  Fold m_fold;
  ir::DataType m_type;
  std::vector<std::vector<int64_t>> m_dims;
  std::vector<int64_t> m_outDims;
  std::vector<BroadcastPlan> m_plans;
};

class WhereKernel final : public BasicKernel {
public:
  WhereKernel(const CreateContext& c, std::size_t elemSize) : BasicKernel(c), m_size(elemSize) {}

  Expected<std::size_t> reshape(const ReshapeContext& r) override {
    if (r.inputDims.size() < 3) return fail("expects three inputs");
    GS_RETURN_IF_ERROR(plan(r.inputDims[0], r.inputDims[1], r.inputDims[2]));
    return std::size_t{0};
  }

  Status run(std::span<const TensorRef> inputs, std::span<TensorRef> outputs, RunContext& ctx) override {
    if (!hasInput(inputs, 2)) return fail("expects three inputs");
    if (!m_planned || inputs[0].dims != m_c || inputs[1].dims != m_x || inputs[2].dims != m_y)
      GS_RETURN_IF_ERROR(plan(inputs[0].dims, inputs[1].dims, inputs[2].dims));
    GS_RETURN_IF_ERROR(prepareOutput(outputs, 0, m_outDims, ctx));
    const bool* cond = inputs[0].as<const bool>();
    visitBySize(m_size, [&](auto tag) {
      using T = decltype(tag);
      const T* x = inputs[1].as<const T>();
      const T* y = inputs[2].as<const T>();
      T* o = outputs[0].as<T>();
      const BroadcastPlan& p = m_plan;
      parallelFor(p.total, kGrainCheap, [&](int64_t e0, int64_t e1) {
        forEachSpan(p, e0, e1, [&](int64_t e, const std::array<int64_t, kMaxBroadcastInputs>& off, int64_t n) {
          const int64_t sc = p.innerStride[0], sx = p.innerStride[1], sy = p.innerStride[2];
          for (int64_t i = 0; i < n; ++i)
            o[e + i] = cond[off[0] + i * sc] ? x[off[1] + i * sx] : y[off[2] + i * sy];
        });
      });
    });
    return ok();
  }

private:
  Status plan(const std::vector<int64_t>& c, const std::vector<int64_t>& x, const std::vector<int64_t>& y) {
    std::vector<int64_t> xy;
    if (!broadcastShapes(x, y, xy) || !broadcastShapes(c, xy, m_outDims))
      return fail("cannot broadcast " + dimsString(c) + ", " + dimsString(x) + ", " + dimsString(y));
    const std::span<const int64_t> ins[] = {c, x, y};
    if (!makeBroadcastPlan(ins, m_outDims, m_plan)) return fail("rank exceeds the supported maximum");
    m_c = c;
    m_x = x;
    m_y = y;
    m_planned = true;
    return ok();
  }

  std::size_t m_size;
  bool m_planned = false;
  BroadcastPlan m_plan;
  std::vector<int64_t> m_c, m_x, m_y, m_outDims;
};

} // namespace

Expected<std::unique_ptr<Kernel>> createVariadic(const CreateContext& c) {
  const auto& op = c.node.opType;
  const Fold f = op == "Sum" ? Fold::Sum : op == "Mean" ? Fold::Mean : op == "Max" ? Fold::Max : Fold::Min;
  const auto t = inputType(c, 0);
  if (!supportsVariadic(c.node, c.inputTypes))
    return unsupported(c, "no kernel for input type " + std::string(ir::dtypeName(t)));
  return std::make_unique<VariadicKernel>(c, f, t);
}

bool supportsVariadic(const ir::Node& node, std::span<const ir::DataType> types) {
  if (types.empty()) return false;
  for (auto t : types)
    if (t != types[0]) return false;
  if (node.opType == "Mean") return types[0] == ir::DataType::Float32 || types[0] == ir::DataType::Float64;
  return visitType<float, int32_t, int64_t, double, int8_t, int16_t, uint8_t, uint16_t, uint32_t, uint64_t>(
      types[0], [](auto) {});
}

Expected<std::unique_ptr<Kernel>> createWhere(const CreateContext& c) {
  if (!supportsWhere(c.node, c.inputTypes)) return unsupported(c, "expects a bool condition and two equal types");
  return std::make_unique<WhereKernel>(c, ir::dtypeSize(inputType(c, 1)));
}

bool supportsWhere(const ir::Node&, std::span<const ir::DataType> types) {
  return types.size() == 3 && types[0] == ir::DataType::Bool && types[1] == types[2] && ir::isFixedSize(types[1]);
}

} // namespace gs::runtime::cpu::basic
