// Elementwise unary kernels: math functions and activations (float32; Abs/Neg/Sign/Relu also int32
// and int64; IsNaN/IsInf float32 -> bool; Not bool). Each op is a small function inlined into one
// contiguous loop that OpenMP splits when the tensor is large.
#include <cmath>
#include <limits>
#include <string_view>

#include "core/runtime/cpu/kernels/basic/common.h"
#include "core/runtime/cpu/kernels/basic/kernels.h"
#include "core/runtime/cpu/kernels/basic/parallel.h"

namespace gs::runtime::cpu::basic {
namespace {

struct UnaryParams {
  float alpha = 0;
  float beta = 0;
  float gamma = 0;
  bool detectPositive = true;
  bool detectNegative = true;
};

using UnaryFn = void (*)(const void* in, void* out, int64_t n, const UnaryParams& p);

template <class In, class Out, auto F> void mapLoop(const void* in, void* out, int64_t n, const UnaryParams& p) {
  const auto* x = static_cast<const In*>(in);
  auto* y = static_cast<Out*>(out);
  for (int64_t i = 0; i < n; ++i)
    y[i] = static_cast<Out>(F(x[i], p));
}

using P = const UnaryParams&;
constexpr auto kAbs = [](auto x, P) { return x < 0 ? static_cast<decltype(x)>(-x) : x; };
constexpr auto kNeg = [](auto x, P) { return static_cast<decltype(x)>(-x); };
constexpr auto kSignF = [](float x, P) { return x > 0 ? 1.0f : (x < 0 ? -1.0f : x); }; // keeps NaN and 0
constexpr auto kSignI = [](auto x, P) { return static_cast<decltype(x)>((x > 0) - (x < 0)); };
constexpr auto kReluI = [](auto x, P) { return x > 0 ? x : decltype(x){0}; };
constexpr auto kExp = [](float x, P) { return std::exp(x); };
constexpr auto kLog = [](float x, P) { return std::log(x); };
constexpr auto kSqrt = [](float x, P) { return std::sqrt(x); };
constexpr auto kReciprocal = [](float x, P) { return 1.0f / x; };
constexpr auto kFloor = [](float x, P) { return std::floor(x); };
constexpr auto kCeil = [](float x, P) { return std::ceil(x); };
// Round half to even: nearbyint under the default round-to-nearest-even mode.
constexpr auto kRound = [](float x, P) { return std::nearbyint(x); };
constexpr auto kRelu = [](float x, P) { return x > 0 ? x : 0.0f; };
constexpr auto kSigmoid = [](float x, P) {
  // Split by sign so exp never overflows.
  if (x >= 0) return 1.0f / (1.0f + std::exp(-x));
  const float e = std::exp(x);
  return e / (1.0f + e);
};
constexpr auto kTanh = [](float x, P) { return std::tanh(x); };
constexpr auto kErf = [](float x, P) { return std::erf(x); };
constexpr auto kSin = [](float x, P) { return std::sin(x); };
constexpr auto kCos = [](float x, P) { return std::cos(x); };
constexpr auto kTan = [](float x, P) { return std::tan(x); };
constexpr auto kAsin = [](float x, P) { return std::asin(x); };
constexpr auto kAcos = [](float x, P) { return std::acos(x); };
constexpr auto kAtan = [](float x, P) { return std::atan(x); };
constexpr auto kSinh = [](float x, P) { return std::sinh(x); };
constexpr auto kCosh = [](float x, P) { return std::cosh(x); };
constexpr auto kAsinh = [](float x, P) { return std::asinh(x); };
constexpr auto kAcosh = [](float x, P) { return std::acosh(x); };
constexpr auto kAtanh = [](float x, P) { return std::atanh(x); };
// log(1 + exp(x)) without overflow for large x.
inline float softplus(float x) { return x > 0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x)); }
constexpr auto kSoftplus = [](float x, P) { return softplus(x); };
constexpr auto kSoftsign = [](float x, P) { return x / (1.0f + std::abs(x)); };
constexpr auto kElu = [](float x, P p) { return x >= 0 ? x : p.alpha * std::expm1(x); };
constexpr auto kSelu = [](float x, P p) { return p.gamma * (x > 0 ? x : p.alpha * std::expm1(x)); };
constexpr auto kCelu = [](float x, P p) {
  return std::max(0.0f, x) + std::min(0.0f, p.alpha * std::expm1(x / p.alpha));
};
constexpr auto kLeakyRelu = [](float x, P p) { return x >= 0 ? x : p.alpha * x; };
constexpr auto kThresholdedRelu = [](float x, P p) { return x > p.alpha ? x : 0.0f; };
constexpr auto kHardSigmoid = [](float x, P p) { return std::max(0.0f, std::min(1.0f, p.alpha * x + p.beta)); };
constexpr auto kHardSwish = [](float x, P) { return x * std::max(0.0f, std::min(1.0f, x / 6.0f + 0.5f)); };
constexpr auto kMish = [](float x, P) { return x * std::tanh(softplus(x)); };
constexpr auto kShrink = [](float x, P p) { return x < -p.alpha ? x + p.beta : (x > p.alpha ? x - p.beta : 0.0f); };
constexpr auto kIsNaN = [](float x, P) { return std::isnan(x); };
constexpr auto kIsInf = [](float x, P p) {
  return std::isinf(x) && ((x > 0 && p.detectPositive) || (x < 0 && p.detectNegative));
};
constexpr auto kNot = [](bool x, P) { return !x; };

struct UnaryDef {
  std::string_view op;
  UnaryFn f32 = nullptr;
  UnaryFn i32 = nullptr;
  UnaryFn i64 = nullptr;
  UnaryFn boolean = nullptr;
  ir::DataType out = ir::DataType::Undefined; // Undefined: same as the input
  int64_t grain = kGrainHeavy;
};

template <auto F> constexpr UnaryFn ff() { return mapLoop<float, float, F>; }

const UnaryDef kUnary[] = {
    {"Abs", ff<kAbs>(), mapLoop<int32_t, int32_t, kAbs>, mapLoop<int64_t, int64_t, kAbs>, nullptr,
     ir::DataType::Undefined, kGrainCheap},
    {"Neg", ff<kNeg>(), mapLoop<int32_t, int32_t, kNeg>, mapLoop<int64_t, int64_t, kNeg>, nullptr,
     ir::DataType::Undefined, kGrainCheap},
    {"Sign", ff<kSignF>(), mapLoop<int32_t, int32_t, kSignI>, mapLoop<int64_t, int64_t, kSignI>, nullptr,
     ir::DataType::Undefined, kGrainCheap},
    {"Relu", ff<kRelu>(), mapLoop<int32_t, int32_t, kReluI>, mapLoop<int64_t, int64_t, kReluI>, nullptr,
     ir::DataType::Undefined, kGrainCheap},
    {"Exp", ff<kExp>()},
    {"Log", ff<kLog>()},
    {"Sqrt", ff<kSqrt>()},
    {"Reciprocal", ff<kReciprocal>(), nullptr, nullptr, nullptr, ir::DataType::Undefined, kGrainMedium},
    {"Floor", ff<kFloor>(), nullptr, nullptr, nullptr, ir::DataType::Undefined, kGrainCheap},
    {"Ceil", ff<kCeil>(), nullptr, nullptr, nullptr, ir::DataType::Undefined, kGrainCheap},
    {"Round", ff<kRound>(), nullptr, nullptr, nullptr, ir::DataType::Undefined, kGrainCheap},
    {"Sigmoid", ff<kSigmoid>()},
    {"Tanh", ff<kTanh>()},
    {"Erf", ff<kErf>()},
    {"Sin", ff<kSin>()},
    {"Cos", ff<kCos>()},
    {"Tan", ff<kTan>()},
    {"Asin", ff<kAsin>()},
    {"Acos", ff<kAcos>()},
    {"Atan", ff<kAtan>()},
    {"Sinh", ff<kSinh>()},
    {"Cosh", ff<kCosh>()},
    {"Asinh", ff<kAsinh>()},
    {"Acosh", ff<kAcosh>()},
    {"Atanh", ff<kAtanh>()},
    {"Softplus", ff<kSoftplus>()},
    {"Softsign", ff<kSoftsign>(), nullptr, nullptr, nullptr, ir::DataType::Undefined, kGrainMedium},
    {"Elu", ff<kElu>()},
    {"Selu", ff<kSelu>()},
    {"Celu", ff<kCelu>()},
    {"LeakyRelu", ff<kLeakyRelu>(), nullptr, nullptr, nullptr, ir::DataType::Undefined, kGrainCheap},
    {"ThresholdedRelu", ff<kThresholdedRelu>(), nullptr, nullptr, nullptr, ir::DataType::Undefined, kGrainCheap},
    {"HardSigmoid", ff<kHardSigmoid>(), nullptr, nullptr, nullptr, ir::DataType::Undefined, kGrainCheap},
    {"HardSwish", ff<kHardSwish>(), nullptr, nullptr, nullptr, ir::DataType::Undefined, kGrainCheap},
    {"Mish", ff<kMish>()},
    {"Shrink", ff<kShrink>(), nullptr, nullptr, nullptr, ir::DataType::Undefined, kGrainCheap},
    {"IsNaN", mapLoop<float, bool, kIsNaN>, nullptr, nullptr, nullptr, ir::DataType::Bool, kGrainCheap},
    {"IsInf", mapLoop<float, bool, kIsInf>, nullptr, nullptr, nullptr, ir::DataType::Bool, kGrainCheap},
    {"Not", nullptr, nullptr, nullptr, mapLoop<bool, bool, kNot>, ir::DataType::Undefined, kGrainCheap},
};

const UnaryDef* findUnary(std::string_view op) {
  for (const auto& d : kUnary)
    if (d.op == op) return &d;
  return nullptr;
}

UnaryFn pick(const UnaryDef& d, ir::DataType t) {
  switch (t) {
  case ir::DataType::Float32:
    return d.f32;
  case ir::DataType::Int32:
    return d.i32;
  case ir::DataType::Int64:
    return d.i64;
  case ir::DataType::Bool:
    return d.boolean;
  default:
    return nullptr;
  }
}

UnaryParams paramsFor(const ir::Node& n) {
  UnaryParams p;
  const auto& a = n.attrs;
  const auto& op = n.opType;
  if (op == "Elu" || op == "Celu" || op == "ThresholdedRelu") p.alpha = a.getFloat("alpha", 1.0f);
  if (op == "Selu") {
    p.alpha = a.getFloat("alpha", 1.67326319217681884765625f);
    p.gamma = a.getFloat("gamma", 1.05070102214813232421875f);
  }
  if (op == "LeakyRelu") p.alpha = a.getFloat("alpha", 0.01f);
  if (op == "HardSigmoid") {
    p.alpha = a.getFloat("alpha", 0.2f);
    p.beta = a.getFloat("beta", 0.5f);
  }
  if (op == "Shrink") {
    p.alpha = a.getFloat("lambd", 0.5f);
    p.beta = a.getFloat("bias", 0.0f);
  }
  if (op == "IsInf") {
    p.detectPositive = a.getInt("detect_positive", 1) != 0;
    p.detectNegative = a.getInt("detect_negative", 1) != 0;
  }
  return p;
}

class UnaryKernel final : public BasicKernel {
public:
  UnaryKernel(const CreateContext& c, UnaryFn fn, UnaryParams p, int64_t grain, std::size_t inSize, std::size_t outSize)
      : BasicKernel(c), m_fn(fn), m_params(p), m_grain(grain), m_inSize(inSize), m_outSize(outSize) {}

  Status run(std::span<const TensorRef> inputs, std::span<TensorRef> outputs, RunContext& ctx) override {
    if (!hasInput(inputs, 0)) return fail("missing input");
    const TensorRef& x = inputs[0];
    GS_RETURN_IF_ERROR(prepareOutput(outputs, 0, x.dims, ctx));
    const auto* in = static_cast<const std::byte*>(x.data);
    auto* out = static_cast<std::byte*>(outputs[0].data);
    parallelFor(x.numel(), m_grain, [&](int64_t b, int64_t e) {
      m_fn(in + static_cast<std::size_t>(b) * m_inSize, out + static_cast<std::size_t>(b) * m_outSize, e - b, m_params);
    });
    return ok();
  }

private:
  UnaryFn m_fn;
  UnaryParams m_params;
  int64_t m_grain;
  std::size_t m_inSize;
  std::size_t m_outSize;
};

} // namespace

Expected<std::unique_ptr<Kernel>> createUnary(const CreateContext& c) {
  const UnaryDef* d = findUnary(c.node.opType);
  if (!d) return unsupported(c, "not an elementwise unary op");
  const auto t = inputType(c, 0);
  UnaryFn fn = pick(*d, t);
  if (!fn) return unsupported(c, "no kernel for input type " + std::string(ir::dtypeName(t)));
  const auto outType = d->out == ir::DataType::Undefined ? t : d->out;
  return std::make_unique<UnaryKernel>(c, fn, paramsFor(c.node), d->grain, ir::dtypeSize(t), ir::dtypeSize(outType));
}

bool supportsUnary(const ir::Node& node, std::span<const ir::DataType> types) {
  const UnaryDef* d = findUnary(node.opType);
  return d && !types.empty() && pick(*d, types[0]) != nullptr;
}

} // namespace gs::runtime::cpu::basic
