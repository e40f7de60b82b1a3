// Cast and CastLike between float32, float64, float16, bfloat16, int8..int64, uint8..uint64 and
// bool. Float -> integer truncates toward zero; NaN becomes 0 and values beyond the target's range
// saturate (the C++ conversion would be undefined there). Anything -> bool is "!= 0".
#include <cmath>
#include <limits>

#include "core/runtime/cpu/kernels/basic/common.h"
#include "core/runtime/cpu/kernels/basic/dispatch.h"
#include "core/runtime/cpu/kernels/basic/half.h"
#include "core/runtime/cpu/kernels/basic/kernels.h"
#include "core/runtime/cpu/kernels/basic/parallel.h"

namespace gs::runtime::cpu::basic {
namespace {

using CastFn = void (*)(const void* in, void* out, int64_t begin, int64_t end);

// Widen a source element: floats (incl. 16-bit) to double, integers stay integers.
template <class S> auto widen(S v) {
  if constexpr (std::is_same_v<S, Half> || std::is_same_v<S, BFloat16>)
    return static_cast<double>(static_cast<float>(v));
  else
    return v;
}

template <class D, class V> D narrow(V v) {
  if constexpr (std::is_same_v<D, bool>) {
    return v != V{0};
  } else if constexpr (std::is_same_v<D, Half> || std::is_same_v<D, BFloat16>) {
    return D(static_cast<float>(v));
  } else if constexpr (std::is_integral_v<D> && std::is_floating_point_v<V>) {
    if (std::isnan(v)) return D{0};
    if (v <= static_cast<V>(std::numeric_limits<D>::lowest())) return std::numeric_limits<D>::lowest();
    if (v >= static_cast<V>(std::numeric_limits<D>::max())) return std::numeric_limits<D>::max();
    return static_cast<D>(v);
  } else {
    return static_cast<D>(v);
  }
}

template <class S, class D> void castLoop(const void* in, void* out, int64_t b, int64_t e) {
  const S* s = static_cast<const S*>(in);
  D* d = static_cast<D*>(out);
  for (int64_t i = b; i < e; ++i)
    d[i] = narrow<D>(widen(s[i]));
}

template <class F> bool visitCastType(ir::DataType t, F&& f) {
  if (t == ir::DataType::Float16) {
    f(Half{});
    return true;
  }
  if (t == ir::DataType::BFloat16) {
    f(BFloat16{});
    return true;
  }
  return visitType<float, double, int8_t, int16_t, int32_t, int64_t, uint8_t, uint16_t, uint32_t, uint64_t, bool>(
      t, std::forward<F>(f));
}

CastFn findCast(ir::DataType from, ir::DataType to) {
  CastFn fn = nullptr;
  visitCastType(from, [&](auto s) { visitCastType(to, [&](auto d) { fn = castLoop<decltype(s), decltype(d)>; }); });
  return fn;
}

class CastKernel final : public BasicKernel {
public:
  CastKernel(const CreateContext& c, CastFn fn, bool same) : BasicKernel(c), m_fn(fn), m_same(same) {}

  Status run(std::span<const TensorRef> inputs, std::span<TensorRef> outputs, RunContext& ctx) override {
    if (!hasInput(inputs, 0)) return fail("missing input");
    const TensorRef& x = inputs[0];
    GS_RETURN_IF_ERROR(prepareOutput(outputs, 0, x.dims, ctx));
    if (m_same) {
      copyBytes(outputs[0].data, x.data, x.byteSize());
      return ok();
    }
    void* out = outputs[0].data;
    parallelFor(x.numel(), kGrainCheap, [&](int64_t b, int64_t e) { m_fn(x.data, out, b, e); });
    return ok();
  }

private:
  CastFn m_fn;
  bool m_same;
};

std::optional<ir::DataType> targetType(const ir::Node& node, std::span<const ir::DataType> types) {
  if (node.opType == "CastLike") {
    if (types.size() < 2) return std::nullopt;
    return types[1];
  }
  return ir::dtypeFromOnnx(static_cast<int32_t>(node.attrs.getInt("to", 0)));
}

} // namespace

Expected<std::unique_ptr<Kernel>> createCast(const CreateContext& c) {
  const auto from = inputType(c, 0);
  const auto to = targetType(c.node, c.inputTypes);
  if (!to) return invalid(c, "no target type");
  CastFn fn = findCast(from, *to);
  if (!fn)
    return unsupported(c,
                       "no cast from " + std::string(ir::dtypeName(from)) + " to " + std::string(ir::dtypeName(*to)));
  return std::make_unique<CastKernel>(c, fn, from == *to);
}

bool supportsCast(const ir::Node& node, std::span<const ir::DataType> types) {
  const auto to = targetType(node, types);
  return !types.empty() && to && findCast(types[0], *to) != nullptr;
}

} // namespace gs::runtime::cpu::basic
