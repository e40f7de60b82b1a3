// Reductions over axes: ReduceSum ReduceMean ReduceMax ReduceMin ReduceProd ReduceL1 ReduceL2
// ReduceLogSum ReduceLogSumExp ReduceSumSquare for float32, float64, int32 and int64. Axes come from the
// attribute or, where the opset moved them there (ReduceSum 13, the others 18), from input 1; with
// empty axes the op reduces everything unless noop_with_empty_axes is set. Float sums accumulate in
// double; an empty reduction gives the op's identity (0, 1, -inf/lowest, +inf/max; NaN for a float mean).
#include <cmath>
#include <limits>
#include <string_view>

#include "core/runtime/cpu/kernels/basic/dispatch.h"
#include "core/runtime/cpu/kernels/basic/kernels.h"
#include "core/runtime/cpu/kernels/basic/parallel.h"
#include "core/runtime/cpu/kernels/basic/reduce_plan.h"

namespace gs::runtime::cpu::basic {
namespace {

enum class Kind { Sum, Mean, Max, Min, Prod, L1, L2, LogSum, LogSumExp, SumSquare };

struct KindName {
  std::string_view op;
  Kind kind;
};
constexpr KindName kKinds[] = {
    {"ReduceSum", Kind::Sum},
    {"ReduceMean", Kind::Mean},
    {"ReduceMax", Kind::Max},
    {"ReduceMin", Kind::Min},
    {"ReduceProd", Kind::Prod},
    {"ReduceL1", Kind::L1},
    {"ReduceL2", Kind::L2},
    {"ReduceLogSum", Kind::LogSum},
    {"ReduceLogSumExp", Kind::LogSumExp},
    {"ReduceSumSquare", Kind::SumSquare},
};

bool kindOf(std::string_view op, Kind& k) {
  for (const auto& e : kKinds)
    if (e.op == op) {
      k = e.kind;
      return true;
    }
  return false;
}

template <class T> using Wide = std::conditional_t<std::is_floating_point_v<T>, double, int64_t>;

// One output element: reduce the input elements the plan lists for base.
template <class T, Kind K> T reduceOne(const ReducePlan& p, const T* x, int64_t base) {
  using W = Wide<T>;
  if constexpr (K == Kind::Max || K == Kind::Min) {
    T acc = K == Kind::Max
                ? (std::is_floating_point_v<T> ? -std::numeric_limits<T>::infinity() : std::numeric_limits<T>::lowest())
                : (std::is_floating_point_v<T> ? std::numeric_limits<T>::infinity() : std::numeric_limits<T>::max());
    bool nan = false;
    forEachReduced(p, base, [&](int64_t i) {
      const T v = x[i];
      if constexpr (std::is_floating_point_v<T>) nan |= std::isnan(v);
      if (K == Kind::Max ? v > acc : v < acc) acc = v;
    });
    if constexpr (std::is_floating_point_v<T>)
      if (nan) return std::numeric_limits<T>::quiet_NaN();
    return acc;
  } else if constexpr (K == Kind::LogSumExp) {
    double m = -std::numeric_limits<double>::infinity();
    forEachReduced(p, base, [&](int64_t i) { m = std::max(m, static_cast<double>(x[i])); });
    if (std::isinf(m)) return static_cast<T>(m); // empty, or all -inf / an +inf present
    double s = 0;
    forEachReduced(p, base, [&](int64_t i) { s += std::exp(static_cast<double>(x[i]) - m); });
    return static_cast<T>(m + std::log(s));
  } else {
    W acc = K == Kind::Prod ? W{1} : W{0};
    forEachReduced(p, base, [&](int64_t i) {
      const W v = static_cast<W>(x[i]);
      if constexpr (K == Kind::Prod)
        acc *= v;
      else if constexpr (K == Kind::L1)
        acc += v < 0 ? -v : v;
      else if constexpr (K == Kind::L2 || K == Kind::SumSquare)
        acc += v * v;
      else
        acc += v;
    });
    if constexpr (K == Kind::Mean) {
      if (p.redCount == 0) return std::is_floating_point_v<T> ? std::numeric_limits<T>::quiet_NaN() : T{0};
      return static_cast<T>(acc / static_cast<W>(p.redCount));
    }
    if constexpr (K == Kind::L2) return static_cast<T>(std::sqrt(static_cast<double>(acc)));
    if constexpr (K == Kind::LogSum) return static_cast<T>(std::log(static_cast<double>(acc)));
    return static_cast<T>(acc);
  }
}

using ReduceFn = void (*)(const ReducePlan& p, const void* x, void* out, int64_t o0, int64_t o1);

template <class T, Kind K> void reduceRange(const ReducePlan& p, const void* xv, void* ov, int64_t o0, int64_t o1) {
  const T* x = static_cast<const T*>(xv);
  T* out = static_cast<T*>(ov);
  forEachKept(p, o0, o1, [&](int64_t o, int64_t base) { out[o] = reduceOne<T, K>(p, x, base); });
}

template <class T> ReduceFn pickKind(Kind k) {
  switch (k) {
  case Kind::Sum:
    return reduceRange<T, Kind::Sum>;
  case Kind::Mean:
    return reduceRange<T, Kind::Mean>;
  case Kind::Max:
    return reduceRange<T, Kind::Max>;
  case Kind::Min:
    return reduceRange<T, Kind::Min>;
  case Kind::Prod:
    return reduceRange<T, Kind::Prod>;
  case Kind::L1:
    return reduceRange<T, Kind::L1>;
  case Kind::L2:
    return reduceRange<T, Kind::L2>;
  case Kind::LogSum:
    return reduceRange<T, Kind::LogSum>;
  case Kind::LogSumExp:
    return reduceRange<T, Kind::LogSumExp>;
  case Kind::SumSquare:
    return reduceRange<T, Kind::SumSquare>;
  }
  return nullptr;
}

class ReduceKernel final : public BasicKernel {
public:
  ReduceKernel(const CreateContext& c, ReduceFn fn, std::size_t elemSize)
      : BasicKernel(c), m_fn(fn), m_elemSize(elemSize), m_keepDims(c.node.attrs.getInt("keepdims", 1) != 0),
        m_noopEmpty(c.node.attrs.getInt("noop_with_empty_axes", 0) != 0), m_attrAxes(c.node.attrs.getInts("axes")) {}

  Expected<std::size_t> reshape(const ReshapeContext& r) override {
    // Axes from an input are only known at run time; plan now when they come from the attribute.
    if (r.inputDims.size() < 2 || r.inputTypes.size() < 2 || r.inputTypes[1] == ir::DataType::Undefined)
      GS_RETURN_IF_ERROR(plan(r.inputDims[0], m_attrAxes));
    return std::size_t{0};
  }

  Status run(std::span<const TensorRef> inputs, std::span<TensorRef> outputs, RunContext& ctx) override {
    if (!hasInput(inputs, 0)) return fail("missing input");
    const TensorRef& x = inputs[0];
    if (hasInput(inputs, 1)) {
      GS_RETURN_IF_ERROR(readInts(inputs[1], m_inputAxes));
      if (!m_planned || x.dims != m_planDims || m_inputAxes != m_planAxes)
        GS_RETURN_IF_ERROR(plan(x.dims, m_inputAxes));
    } else if (!m_planned || x.dims != m_planDims) {
      GS_RETURN_IF_ERROR(plan(x.dims, m_attrAxes));
    }
    GS_RETURN_IF_ERROR(prepareOutput(outputs, 0, m_outDims, ctx));
    if (m_copy) {
      copyBytes(outputs[0].data, x.data, x.byteSize());
      return ok();
    }
    const int64_t grain = std::max<int64_t>(1, kGrainMedium / std::max<int64_t>(m_plan.redCount, 1));
    const void* in = x.data;
    void* out = outputs[0].data;
    parallelFor(m_plan.outCount, grain, [&](int64_t o0, int64_t o1) { m_fn(m_plan, in, out, o0, o1); });
    return ok();
  }

private:
  Status plan(const std::vector<int64_t>& dims, const std::vector<int64_t>& axes) {
    GS_RETURN_IF_ERROR(checkRank(dims.size()));
    const auto rank = static_cast<int64_t>(dims.size());
    std::array<bool, kMaxRank> reduced{};
    m_copy = axes.empty() && m_noopEmpty;
    for (auto a : axes) {
      GS_ASSIGN_OR_RETURN(const int64_t ax, normAxis(a, rank));
      reduced[static_cast<std::size_t>(ax)] = true;
    }
    if (axes.empty() && !m_noopEmpty) reduced.fill(true);
    m_outDims.clear();
    for (int64_t d = 0; d < rank && !m_copy; ++d) {
      if (!reduced[static_cast<std::size_t>(d)])
        m_outDims.push_back(dims[static_cast<std::size_t>(d)]);
      else if (m_keepDims)
        m_outDims.push_back(1);
    }
    if (m_copy) m_outDims = dims;
    m_plan = makeReducePlan(dims, std::span<const bool>(reduced.data(), dims.size()));
    m_planDims = dims;
    m_planAxes = axes;
    m_planned = true;
    return ok();
  }

  ReduceFn m_fn;
  std::size_t m_elemSize;
  bool m_keepDims;
  bool m_noopEmpty;
  std::vector<int64_t> m_attrAxes;
  std::vector<int64_t> m_inputAxes;
  bool m_planned = false;
  bool m_copy = false;
  ReducePlan m_plan;
  std::vector<int64_t> m_planDims, m_planAxes, m_outDims;
};

} // namespace

Expected<std::unique_ptr<Kernel>> createReduce(const CreateContext& c) {
  Kind k{};
  if (!kindOf(c.node.opType, k)) return unsupported(c, "not a reduction");
  const auto t = inputType(c, 0);
  ReduceFn fn = nullptr;
  visitType<float, int32_t, int64_t, double>(t, [&](auto tag) { fn = pickKind<decltype(tag)>(k); });
  if (!fn) return unsupported(c, "no kernel for input type " + std::string(ir::dtypeName(t)));
  return std::make_unique<ReduceKernel>(c, fn, ir::dtypeSize(t));
}

bool supportsReduce(const ir::Node& node, std::span<const ir::DataType> types) {
  Kind k{};
  return kindOf(node.opType, k) && !types.empty() &&
         (types[0] == ir::DataType::Float32 || types[0] == ir::DataType::Int32 || types[0] == ir::DataType::Int64 ||
          types[0] == ir::DataType::Float64);
}

} // namespace gs::runtime::cpu::basic
