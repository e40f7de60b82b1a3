// Binary elementwise kernels with numpy broadcasting: arithmetic (Add Sub Mul Div Pow Mod PRelu),
// comparisons (Equal Less Greater LessOrEqual GreaterOrEqual -> bool), logic (And Or Xor on bool)
// and BitShift (unsigned). Integer Div truncates toward zero as in C; an integer division or
// modulo by zero yields 0 instead of trapping.
#include <cmath>
#include <limits>
#include <string_view>
#include <type_traits>

#include "core/runtime/cpu/kernels/basic/binary_loop.h"
#include "core/runtime/cpu/kernels/basic/dispatch.h"
#include "core/runtime/cpu/kernels/basic/kernels.h"
#include "core/runtime/cpu/kernels/basic/parallel.h"

namespace gs::runtime::cpu::basic {
namespace {

using BinaryFn = void (*)(const BroadcastPlan& p, const void* a, const void* b, void* o, int64_t e0, int64_t e1);

template <class A, class B, class O, auto F>
void binaryLoop(const BroadcastPlan& p, const void* a, const void* b, void* o, int64_t e0, int64_t e1) {
  binarySpans(p, static_cast<const A*>(a), static_cast<const B*>(b), static_cast<O*>(o), e0, e1, F);
}

constexpr auto kAdd = [](auto x, auto y) { return static_cast<decltype(x)>(x + y); };
constexpr auto kSub = [](auto x, auto y) { return static_cast<decltype(x)>(x - y); };
constexpr auto kMul = [](auto x, auto y) { return static_cast<decltype(x)>(x * y); };
constexpr auto kDiv = [](auto x, auto y) {
  using T = decltype(x);
  if constexpr (std::is_integral_v<T>) {
    if (y == 0) return T{0};
    if constexpr (std::is_signed_v<T>)
      if (y == -1) return static_cast<T>(T{0} - x); // avoids the INT_MIN / -1 trap
  }
  return static_cast<T>(x / y);
};
// Mod with fmod = 0: the result takes the sign of the divisor (Python's %).
constexpr auto kMod = [](auto x, auto y) {
  using T = decltype(x);
  if constexpr (std::is_unsigned_v<T>) {
    return y == 0 ? T{0} : static_cast<T>(x % y);
  } else if constexpr (std::is_integral_v<T>) {
    if (y == 0 || y == -1) return T{0};
    T r = static_cast<T>(x % y);
    if (r != 0 && ((r < 0) != (y < 0))) r = static_cast<T>(r + y);
    return r;
  } else {
    T r = std::fmod(x, y);
    if (r != 0 && ((r < 0) != (y < 0))) r += y;
    return r;
  }
};
// Mod with fmod = 1: C's remainder, sign of the dividend.
constexpr auto kFmod = [](auto x, auto y) {
  using T = decltype(x);
  if constexpr (std::is_unsigned_v<T>) {
    return y == 0 ? T{0} : static_cast<T>(x % y);
  } else if constexpr (std::is_integral_v<T>) {
    if (y == 0 || y == -1) return T{0};
    return static_cast<T>(x % y);
  } else {
    return std::fmod(x, y);
  }
};
constexpr auto kPRelu = [](auto x, auto s) { return x < 0 ? static_cast<decltype(x)>(s * x) : x; };
constexpr auto kEqual = [](auto x, auto y) { return x == y; };
constexpr auto kLess = [](auto x, auto y) { return x < y; };
constexpr auto kGreater = [](auto x, auto y) { return x > y; };
constexpr auto kLessEq = [](auto x, auto y) { return x <= y; };
constexpr auto kGreaterEq = [](auto x, auto y) { return x >= y; };
constexpr auto kAnd = [](bool x, bool y) { return x && y; };
constexpr auto kOr = [](bool x, bool y) { return x || y; };
constexpr auto kXor = [](bool x, bool y) { return x != y; };
constexpr auto kShl = [](auto x, auto y) {
  using T = decltype(x);
  return y >= sizeof(T) * 8 ? T{0} : static_cast<T>(x << y);
};
constexpr auto kShr = [](auto x, auto y) {
  using T = decltype(x);
  return y >= sizeof(T) * 8 ? T{0} : static_cast<T>(x >> y);
};

// Integer power by squaring; negative exponents give 0 unless the base is +-1 (integer semantics).
template <class T> T intPow(T base, int64_t e) {
  if (e < 0) return base == 1 ? T{1} : (base == -1 ? static_cast<T>((e & 1) ? -1 : 1) : T{0});
  T r = 1;
  while (e) {
    if (e & 1) r = static_cast<T>(r * base);
    base = static_cast<T>(base * base);
    e >>= 1;
  }
  return r;
}
constexpr auto kPow = [](auto x, auto y) {
  using A = decltype(x);
  using B = decltype(y);
  if constexpr (std::is_floating_point_v<A>) {
    return static_cast<A>(std::pow(x, static_cast<A>(y)));
  } else if constexpr (std::is_integral_v<B>) {
    return intPow<A>(x, static_cast<int64_t>(y));
  } else {
    return static_cast<A>(std::pow(static_cast<double>(x), static_cast<double>(y)));
  }
};

struct TypedFn {
  ir::DataType a = ir::DataType::Undefined;
  ir::DataType b = ir::DataType::Undefined;
  BinaryFn fn = nullptr;
};

constexpr std::size_t kMaxTyped = 16;

struct BinaryDef {
  std::string_view op;
  std::array<TypedFn, kMaxTyped> fns;
  bool boolOut = false;
  int64_t grain = kGrainCheap;
};

constexpr auto F32 = ir::DataType::Float32;
constexpr auto I32 = ir::DataType::Int32;
constexpr auto I64 = ir::DataType::Int64;
constexpr auto BOOL = ir::DataType::Bool;

template <class T, auto F> constexpr TypedFn same() {
  return {ir::dtypeOf<T>(), ir::dtypeOf<T>(), binaryLoop<T, T, T, F>};
}
// Arithmetic over every numeric type (the narrow integer and float64 rows serve the ONNX forms that
// declare them; integer results wrap as in C, as ONNX Runtime's do).
template <auto F> constexpr std::array<TypedFn, kMaxTyped> arith() {
  return {{same<float, F>(), same<int32_t, F>(), same<int64_t, F>(), same<double, F>(), same<int8_t, F>(),
           same<int16_t, F>(), same<uint8_t, F>(), same<uint16_t, F>(), same<uint32_t, F>(), same<uint64_t, F>()}};
}
template <auto F> constexpr std::array<TypedFn, kMaxTyped> compare(bool withBool) {
  std::array<TypedFn, kMaxTyped> r{{{F32, F32, binaryLoop<float, float, bool, F>},
                                    {I32, I32, binaryLoop<int32_t, int32_t, bool, F>},
                                    {I64, I64, binaryLoop<int64_t, int64_t, bool, F>}}};
  if (withBool) r[3] = {BOOL, BOOL, binaryLoop<bool, bool, bool, F>};
  return r;
}
template <auto F> constexpr std::array<TypedFn, kMaxTyped> logic() {
  return {{{BOOL, BOOL, binaryLoop<bool, bool, bool, F>}}};
}
template <auto F> constexpr std::array<TypedFn, kMaxTyped> shifts() {
  return {{{ir::DataType::UInt8, ir::DataType::UInt8, binaryLoop<uint8_t, uint8_t, uint8_t, F>},
           {ir::DataType::UInt16, ir::DataType::UInt16, binaryLoop<uint16_t, uint16_t, uint16_t, F>},
           {ir::DataType::UInt32, ir::DataType::UInt32, binaryLoop<uint32_t, uint32_t, uint32_t, F>},
           {ir::DataType::UInt64, ir::DataType::UInt64, binaryLoop<uint64_t, uint64_t, uint64_t, F>}}};
}
template <class A, class B> constexpr TypedFn powFn() {
  return {ir::dtypeOf<A>(), ir::dtypeOf<B>(), binaryLoop<A, B, A, kPow>};
}

const BinaryDef kBinary[] = {
    {"Add", arith<kAdd>()},
    {"Sub", arith<kSub>()},
    {"Mul", arith<kMul>()},
    {"Div", arith<kDiv>(), false, kGrainMedium},
    {"Mod", arith<kMod>(), false, kGrainMedium},
    {"Mod/fmod", arith<kFmod>(), false, kGrainMedium},
    {"PRelu", {{same<float, kPRelu>(), same<int32_t, kPRelu>(), same<int64_t, kPRelu>()}}},
    {"Pow",
     {{powFn<float, float>(), powFn<float, int32_t>(), powFn<float, int64_t>(), powFn<int32_t, int32_t>(),
       powFn<int32_t, int64_t>(), powFn<int64_t, int64_t>(), powFn<int64_t, int32_t>(), powFn<int32_t, float>(),
       powFn<int64_t, float>(), powFn<float, uint32_t>(), powFn<float, uint64_t>(), powFn<float, double>(),
       powFn<double, double>(), powFn<double, float>(), powFn<double, int64_t>(), powFn<double, int32_t>()}},
     false,
     kGrainHeavy},
    {"Equal", compare<kEqual>(true), true},
    {"Less", compare<kLess>(false), true},
    {"Greater", compare<kGreater>(false), true},
    {"LessOrEqual", compare<kLessEq>(false), true},
    {"GreaterOrEqual", compare<kGreaterEq>(false), true},
    {"And", logic<kAnd>(), true},
    {"Or", logic<kOr>(), true},
    {"Xor", logic<kXor>(), true},
    {"BitShift/left", shifts<kShl>()},
    {"BitShift/right", shifts<kShr>()},
};

std::string defName(const ir::Node& n) {
  if (n.opType == "Mod" && n.attrs.getInt("fmod", 0) != 0) return "Mod/fmod";
  if (n.opType == "BitShift") return n.attrs.getString("direction", "") == "LEFT" ? "BitShift/left" : "BitShift/right";
  return n.opType;
}

BinaryFn findBinary(const ir::Node& n, ir::DataType a, ir::DataType b, bool* boolOut = nullptr) {
  const std::string name = defName(n);
  for (const auto& d : kBinary) {
    if (d.op != name) continue;
    for (const auto& f : d.fns)
      if (f.fn && f.a == a && f.b == b) {
        if (boolOut) *boolOut = d.boolOut;
        return f.fn;
      }
  }
  return nullptr;
}

int64_t grainOf(const std::string& name) {
  for (const auto& d : kBinary)
    if (d.op == name) return d.grain;
  return kGrainCheap;
}

class BinaryKernel final : public BasicKernel {
public:
  BinaryKernel(const CreateContext& c, BinaryFn fn, std::size_t sa, std::size_t sb, std::size_t so, bool prelu)
      : BasicKernel(c), m_fn(fn), m_sizeA(sa), m_sizeB(sb), m_sizeOut(so), m_prelu(prelu),
        m_preluPerChannel(prelu && c.opset < 7), m_grain(grainOf(defName(c.node))) {}

  Expected<std::size_t> reshape(const ReshapeContext& r) override {
    if (r.inputDims.size() < 2) return fail("expects two inputs");
    GS_RETURN_IF_ERROR(plan(r.inputDims[0], r.inputDims[1]));
    return std::size_t{0};
  }

  Status run(std::span<const TensorRef> inputs, std::span<TensorRef> outputs, RunContext& ctx) override {
    if (!hasInput(inputs, 0) || !hasInput(inputs, 1)) return fail("expects two inputs");
    const TensorRef& a = inputs[0];
    const TensorRef& b = inputs[1];
    if (!m_planned || a.dims != m_dimsA || b.dims != m_dimsB) GS_RETURN_IF_ERROR(plan(a.dims, b.dims));
    GS_RETURN_IF_ERROR(prepareOutput(outputs, 0, m_outDims, ctx));
    const void* pa = a.data;
    const void* pb = b.data;
    void* po = outputs[0].data;
    parallelFor(m_plan.total, m_grain, [&](int64_t e0, int64_t e1) { m_fn(m_plan, pa, pb, po, e0, e1); });
    return ok();
  }

private:
  Status plan(const std::vector<int64_t>& a, const std::vector<int64_t>& b) {
    if (m_prelu) {
      // PRelu broadcasts the slope to X only (unidirectional).
      m_outDims = a;
    } else if (!broadcastShapes(a, b, m_outDims)) {
      return fail("cannot broadcast " + dimsString(a) + " with " + dimsString(b));
    }
    // PRelu before opset 7 (no numpy broadcasting yet) applies a 1-D slope per channel (axis 1).
    std::vector<int64_t> slope = b;
    if (m_preluPerChannel && b.size() == 1 && a.size() >= 2 && b[0] == a[1]) {
      slope.assign(a.size() - 1, 1);
      slope[0] = b[0];
    }
    const std::span<const int64_t> ins[] = {a, slope};
    if (!makeBroadcastPlan(ins, m_outDims, m_plan))
      return fail("cannot broadcast " + dimsString(b) + " to " + dimsString(m_outDims));
    m_dimsA = a;
    m_dimsB = b;
    m_planned = true;
    return ok();
  }

  BinaryFn m_fn;
  std::size_t m_sizeA, m_sizeB, m_sizeOut;
  bool m_prelu, m_preluPerChannel;
  int64_t m_grain;
  bool m_planned = false;
  BroadcastPlan m_plan;
  std::vector<int64_t> m_dimsA, m_dimsB, m_outDims;
};

} // namespace

Expected<std::unique_ptr<Kernel>> createBinary(const CreateContext& c) {
  const auto ta = inputType(c, 0);
  const auto tb = inputType(c, 1);
  bool boolOut = false;
  BinaryFn fn = findBinary(c.node, ta, tb, &boolOut);
  if (!fn)
    return unsupported(c, "no kernel for input types " + std::string(ir::dtypeName(ta)) + ", " +
                              std::string(ir::dtypeName(tb)));
  return std::make_unique<BinaryKernel>(c, fn, ir::dtypeSize(ta), ir::dtypeSize(tb),
                                        boolOut ? std::size_t{1} : ir::dtypeSize(ta), c.node.opType == "PRelu");
}

bool supportsBinary(const ir::Node& node, std::span<const ir::DataType> types) {
  return types.size() >= 2 && findBinary(node, types[0], types[1]) != nullptr;
}

} // namespace gs::runtime::cpu::basic
