// Elementwise kernels against plain-loop references: every unary op on random shapes of rank 0..5
// (with empty tensors), Clip in both opset styles, binary ops under every broadcasting pattern,
// integer/bool paths, variadic Sum/Mean/Max/Min and Where.
#include <QtTest>

#include <cmath>
#include <functional>

#include "harness.h"

using namespace kt;

namespace {

using RefFn = std::function<double(double)>;

struct UnaryCase {
  const char* op;
  RefFn ref;
  float lo, hi; // input domain
  std::vector<std::pair<const char*, float>> attrs;
};

double softplusRef(double x) { return std::log(1.0 + std::exp(x)); }

std::vector<UnaryCase> unaryCases() {
  return {
      {"Abs", [](double x) { return std::fabs(x); }, -5, 5, {}},
      {"Neg", [](double x) { return -x; }, -5, 5, {}},
      {"Exp", [](double x) { return std::exp(x); }, -5, 5, {}},
      {"Log", [](double x) { return std::log(x); }, 0.01f, 10, {}},
      {"Sqrt", [](double x) { return std::sqrt(x); }, 0, 10, {}},
      {"Reciprocal", [](double x) { return 1.0 / x; }, 0.1f, 10, {}},
      {"Floor", [](double x) { return std::floor(x); }, -5, 5, {}},
      {"Ceil", [](double x) { return std::ceil(x); }, -5, 5, {}},
      {"Sign", [](double x) { return x > 0 ? 1.0 : (x < 0 ? -1.0 : 0.0); }, -5, 5, {}},
      {"Relu", [](double x) { return x > 0 ? x : 0; }, -5, 5, {}},
      {"Sigmoid", [](double x) { return 1.0 / (1.0 + std::exp(-x)); }, -20, 20, {}},
      {"Tanh", [](double x) { return std::tanh(x); }, -5, 5, {}},
      {"Erf", [](double x) { return std::erf(x); }, -3, 3, {}},
      {"Sin", [](double x) { return std::sin(x); }, -5, 5, {}},
      {"Cos", [](double x) { return std::cos(x); }, -5, 5, {}},
      {"Tan", [](double x) { return std::tan(x); }, -1.2f, 1.2f, {}},
      {"Asin", [](double x) { return std::asin(x); }, -0.99f, 0.99f, {}},
      {"Acos", [](double x) { return std::acos(x); }, -0.99f, 0.99f, {}},
      {"Atan", [](double x) { return std::atan(x); }, -5, 5, {}},
      {"Sinh", [](double x) { return std::sinh(x); }, -4, 4, {}},
      {"Cosh", [](double x) { return std::cosh(x); }, -4, 4, {}},
      {"Asinh", [](double x) { return std::asinh(x); }, -5, 5, {}},
      {"Acosh", [](double x) { return std::acosh(x); }, 1.01f, 6, {}},
      {"Atanh", [](double x) { return std::atanh(x); }, -0.95f, 0.95f, {}},
      {"Softplus", softplusRef, -10, 10, {}},
      {"Softsign", [](double x) { return x / (1 + std::fabs(x)); }, -5, 5, {}},
      {"Elu", [](double x) { return x >= 0 ? x : 0.7 * (std::exp(x) - 1); }, -4, 4, {{"alpha", 0.7f}}},
      {"Selu",
       [](double x) { return 1.0507009873554805 * (x > 0 ? x : 1.6732632423543772 * (std::exp(x) - 1)); },
       -4,
       4,
       {}},
      {"Celu",
       [](double x) { return std::max(0.0, x) + std::min(0.0, 1.5 * (std::exp(x / 1.5) - 1)); },
       -4,
       4,
       {{"alpha", 1.5f}}},
      {"LeakyRelu", [](double x) { return x >= 0 ? x : 0.01 * x; }, -4, 4, {}},
      {"ThresholdedRelu", [](double x) { return x > 0.5 ? x : 0; }, -2, 2, {{"alpha", 0.5f}}},
      {"HardSigmoid", [](double x) { return std::clamp(0.2 * x + 0.5, 0.0, 1.0); }, -4, 4, {}},
      {"HardSwish", [](double x) { return x * std::clamp(x / 6 + 0.5, 0.0, 1.0); }, -5, 5, {}},
      {"Mish", [](double x) { return x * std::tanh(softplusRef(x)); }, -6, 6, {}},
      {"Shrink",
       [](double x) { return x < -1.0 ? x + 0.25 : (x > 1.0 ? x - 0.25 : 0.0); },
       -3,
       3,
       {{"lambd", 1.0f}, {"bias", 0.25f}}},
  };
}

HostTensor mapRef(const HostTensor& x, const RefFn& f) {
  HostTensor y(DataType::Float32, x.dims());
  for (int64_t i = 0; i < x.numel(); ++i)
    y.as<float>()[i] = static_cast<float>(f(x.as<float>()[i]));
  return y;
}

// Output dims and two broadcast-compatible input dims: equal, scalar, per-channel, size-1 dims and
// rank mismatch, all drawn at random.
struct BcastCase {
  Dims out, a, b;
};

Dims shrinkTo(const Dims& out, int mode) {
  Dims d = out;
  if (mode == 1) {
    for (auto& x : d)
      if (randInt(0, 2) == 0) x = 1;
  } else if (mode == 2 && !d.empty()) {
    d.erase(d.begin(), d.begin() + randInt(0, static_cast<int64_t>(d.size())));
  } else if (mode == 3) {
    d.clear();
  } else if (mode == 4) {
    d.assign(d.size(), 1);
  }
  return d;
}

// Numpy broadcast of two shapes (the shapes given are compatible by construction).
Dims bcastDims(const Dims& a, const Dims& b) {
  const std::size_t r = std::max(a.size(), b.size());
  Dims out(r);
  for (std::size_t i = 0; i < r; ++i) {
    const int64_t x = i < r - a.size() ? 1 : a[i - (r - a.size())];
    const int64_t y = i < r - b.size() ? 1 : b[i - (r - b.size())];
    out[i] = x == 1 ? y : x;
  }
  return out;
}

std::vector<BcastCase> bcastCases() {
  std::vector<BcastCase> cases;
  cases.push_back({{2, 3, 4, 5}, {2, 3, 4, 5}, {3, 1, 1}});    // per-channel
  cases.push_back({{2, 3, 4, 5}, {1, 3, 1, 1}, {2, 3, 4, 5}}); // per-channel, first operand
  cases.push_back({{2, 3, 4, 5}, {2, 3, 4, 5}, {}});           // scalar
  cases.push_back({{7, 1, 5}, {7, 1, 1}, {1, 1, 5}});          // outer product
  cases.push_back({{3, 4}, {3, 1}, {4}});                      // rank mismatch
  cases.push_back({{0, 3}, {0, 3}, {3}});                      // empty
  cases.push_back({{4, 0, 2}, {4, 1, 2}, {0, 1}});             // empty by broadcasting
  cases.push_back({{}, {}, {}});                               // scalars
  cases.push_back({{1, 1, 1}, {1}, {1, 1, 1}});                // all ones
  cases.push_back({{70000}, {70000}, {70000}});                // large enough to run in parallel
  cases.push_back({{64, 33, 17}, {64, 1, 17}, {33, 1}});       // large and broadcast
  for (int i = 0; i < 30; ++i) {
    const Dims out = randomDims(static_cast<int>(randInt(0, 5)), 1, 5);
    const Dims a = shrinkTo(out, static_cast<int>(randInt(0, 4)));
    const Dims b = shrinkTo(out, static_cast<int>(randInt(0, 4)));
    cases.push_back({bcastDims(a, b), a, b});
  }
  return cases;
}

template <class O, class A, class B, class F>
HostTensor bcastRef(const Dims& out, const HostTensor& a, const HostTensor& b, F f) {
  HostTensor y(gs::ir::dtypeOf<O>(), out);
  for (int64_t i = 0; i < y.numel(); ++i) {
    const Dims idx = unravel(i, out);
    y.as<O>()[i] =
        static_cast<O>(f(a.as<A>()[broadcastIndex(idx, a.dims())], b.as<B>()[broadcastIndex(idx, b.dims())]));
  }
  return y;
}

int64_t pyMod(int64_t a, int64_t b) {
  int64_t r = a % b;
  return (r != 0 && ((r < 0) != (b < 0))) ? r + b : r;
}

} // namespace

class TestElementwise : public QObject {
  Q_OBJECT

private slots:
  void unaryFloatOps() {
    for (const auto& c : unaryCases()) {
      for (int rank = 0; rank <= 5; ++rank) {
        Dims dims = randomDims(rank, 1, 6);
        if (rank == 3) dims[1] = 0;     // empty tensor
        if (rank == 1) dims[0] = 40000; // parallel path
        const HostTensor x = randomFloat(dims, c.lo, c.hi);
        OpSpec s(c.op);
        for (const auto& [name, v] : c.attrs)
          s.attrFloat(name, v);
        s.in(copyOf(x)).out(DataType::Float32);
        KT_OK(check(s, mapRef(x, c.ref), 2e-5, 2e-6));
      }
    }
  }

  void roundIsHalfToEven() {
    const std::vector<float> x = {0.5f, 1.5f, 2.5f, -0.5f, -2.5f, 2.4f, -2.6f, 3.5f, 0.0f};
    const std::vector<float> want = {0.0f, 2.0f, 2.0f, -0.0f, -2.0f, 2.0f, -3.0f, 4.0f, 0.0f};
    OpSpec s("Round");
    s.in(make<float>({9}, x)).out(DataType::Float32);
    KT_OK(check(s, make<float>({9}, want)));
  }

  void unaryIntAndBool() {
    for (const char* op : {"Abs", "Neg", "Sign", "Relu"}) {
      const HostTensor x32 = randomInt<int32_t>({3, 5}, -50, 50);
      const HostTensor x64 = randomInt<int64_t>({2, 0, 3}, -50, 50);
      const HostTensor x64b = randomInt<int64_t>({4, 7}, -(int64_t{1} << 40), int64_t{1} << 40);
      auto ref = [&](const HostTensor& x, auto tag) {
        using T = decltype(tag);
        HostTensor y(x.dtype(), x.dims());
        for (int64_t i = 0; i < x.numel(); ++i) {
          const T v = x.as<T>()[i];
          T r = 0;
          if (std::string(op) == "Abs") r = v < 0 ? -v : v;
          if (std::string(op) == "Neg") r = -v;
          if (std::string(op) == "Sign") r = v > 0 ? 1 : (v < 0 ? -1 : 0);
          if (std::string(op) == "Relu") r = v > 0 ? v : 0;
          y.as<T>()[i] = r;
        }
        return y;
      };
      OpSpec a(op), b(op), c(op);
      a.in(copyOf(x32)).out(DataType::Int32);
      KT_OK(check(a, ref(x32, int32_t{})));
      b.in(copyOf(x64)).out(DataType::Int64);
      KT_OK(check(b, ref(x64, int64_t{})));
      c.in(copyOf(x64b)).out(DataType::Int64);
      KT_OK(check(c, ref(x64b, int64_t{})));
    }
    // Not on bool
    const HostTensor x = randomBool({3, 1, 4});
    HostTensor want(DataType::Bool, x.dims());
    for (int64_t i = 0; i < x.numel(); ++i)
      want.as<bool>()[i] = !x.as<bool>()[i];
    OpSpec n("Not");
    n.in(copyOf(x)).out(DataType::Bool);
    KT_OK(check(n, want));
    // Float-only ops refuse integer input.
    OpSpec bad("Exp");
    bad.in(randomInt<int32_t>({2}, 0, 3)).out(DataType::Int32);
    KT_OK(expectFailure(bad, {Dims{2}}));
  }

  void isNanIsInf() {
    const float inf = std::numeric_limits<float>::infinity();
    const float nan = std::numeric_limits<float>::quiet_NaN();
    const HostTensor x = make<float>({2, 3}, {1.0f, inf, -inf, nan, 0.0f, -2.0f});
    OpSpec a("IsNaN");
    a.in(make<float>({2, 3}, {1.0f, inf, -inf, nan, 0.0f, -2.0f})).out(DataType::Bool);
    KT_OK(check(a, make<bool>({2, 3}, {false, false, false, true, false, false})));
    for (int pos = 0; pos <= 1; ++pos)
      for (int neg = 0; neg <= 1; ++neg) {
        OpSpec s("IsInf");
        s.attrInt("detect_positive", pos).attrInt("detect_negative", neg);
        s.in(make<float>({2, 3}, {1.0f, inf, -inf, nan, 0.0f, -2.0f})).out(DataType::Bool);
        KT_OK(check(s, make<bool>({2, 3}, {false, pos == 1, neg == 1, false, false, false})));
      }
  }

  void clipBothOpsetStyles() {
    const Dims dims{3, 4, 5};
    const HostTensor x = randomFloat(dims, -3, 3);
    auto ref = [&](double lo, double hi) { return mapRef(x, [=](double v) { return std::min(std::max(v, lo), hi); }); };
    auto copyX = [&] { return copyOf(x); };
    OpSpec old("Clip", 6);
    old.attrFloat("min", -1.0f).attrFloat("max", 0.5f).in(copyX()).out(DataType::Float32);
    KT_OK(check(old, ref(-1.0, 0.5)));
    OpSpec both("Clip", 13);
    both.in(copyX()).in(scalar<float>(-0.5f), true).in(scalar<float>(2.0f)).out(DataType::Float32);
    KT_OK(check(both, ref(-0.5, 2.0)));
    OpSpec maxOnly("Clip", 13);
    maxOnly.in(copyX()).omit().in(scalar<float>(0.0f)).out(DataType::Float32);
    KT_OK(check(maxOnly, ref(-1e30, 0.0)));
    OpSpec none("Clip", 13);
    none.in(copyX()).out(DataType::Float32);
    KT_OK(check(none, ref(-1e30, 1e30)));
    OpSpec ints("Clip", 13);
    ints.in(make<int64_t>({5}, {-10, -3, 0, 4, 99}))
        .in(scalar<int64_t>(-3))
        .in(scalar<int64_t>(5))
        .out(DataType::Int64);
    KT_OK(check(ints, make<int64_t>({5}, {-3, -3, 0, 4, 5})));
  }

  void binaryArithmeticBroadcasting() {
    for (const auto& c : bcastCases()) {
      const HostTensor a = randomFloat(c.a, -4, 4);
      const HostTensor b = randomFloat(c.b, 0.5f, 4); // positive: Div and Pow stay finite
      struct Op {
        const char* name;
        std::function<double(double, double)> f;
      };
      const Op ops[] = {{"Add", [](double x, double y) { return x + y; }},
                        {"Sub", [](double x, double y) { return x - y; }},
                        {"Mul", [](double x, double y) { return x * y; }},
                        {"Div", [](double x, double y) { return x / y; }},
                        {"Pow", [](double x, double y) { return std::pow(std::fabs(x), y); }}};
      for (const auto& op : ops) {
        OpSpec s(op.name);
        HostTensor ai(DataType::Float32, c.a), bi(DataType::Float32, c.b);
        std::memcpy(ai.data(), a.data(), a.byteSize());
        std::memcpy(bi.data(), b.data(), b.byteSize());
        if (std::string(op.name) == "Pow")
          for (int64_t i = 0; i < ai.numel(); ++i)
            ai.as<float>()[i] = std::fabs(ai.as<float>()[i]);
        s.in(std::move(ai)).in(std::move(bi)).out(DataType::Float32);
        const HostTensor want =
            bcastRef<float, float, float>(c.out, a, b, [&](float x, float y) { return op.f(x, y); });
        const std::string msg = check(s, want, 1e-5, 1e-5);
        QVERIFY2(msg.empty(), (msg + " a=" + str(c.a) + " b=" + str(c.b)).c_str());
      }
    }
  }

  void binaryIntegerPaths() {
    for (const auto& c : bcastCases()) {
      if (numel(c.out) > 5000) continue;
      const HostTensor a = randomInt<int64_t>(c.a, -40, 40);
      HostTensor b = randomInt<int64_t>(c.b, -9, 9);
      for (int64_t i = 0; i < b.numel(); ++i)
        if (b.as<int64_t>()[i] == 0) b.as<int64_t>()[i] = 3;
      auto run64 = [&](const char* op, auto f, const std::vector<std::pair<std::string, int64_t>>& attrs = {}) {
        OpSpec s(op);
        for (const auto& [k, v] : attrs)
          s.attrInt(k, v);
        HostTensor ai(DataType::Int64, c.a), bi(DataType::Int64, c.b);
        std::memcpy(ai.data(), a.data(), a.byteSize());
        std::memcpy(bi.data(), b.data(), b.byteSize());
        s.in(std::move(ai)).in(std::move(bi)).out(DataType::Int64);
        return check(s, bcastRef<int64_t, int64_t, int64_t>(c.out, a, b, f));
      };
      KT_OK(run64("Add", [](int64_t x, int64_t y) { return x + y; }));
      KT_OK(run64("Mul", [](int64_t x, int64_t y) { return x * y; }));
      KT_OK(run64("Div", [](int64_t x, int64_t y) { return x / y; })); // C truncation
      KT_OK(run64("Mod", pyMod));
      KT_OK(run64("Mod", [](int64_t x, int64_t y) { return x % y; }, {{"fmod", 1}}));
      // int32 with an int32 exponent in [0, 3]
      HostTensor a32(DataType::Int32, c.a), e32(DataType::Int32, c.b);
      for (int64_t i = 0; i < a32.numel(); ++i)
        a32.as<int32_t>()[i] = static_cast<int32_t>(randInt(-7, 7));
      for (int64_t i = 0; i < e32.numel(); ++i)
        e32.as<int32_t>()[i] = static_cast<int32_t>(randInt(0, 3));
      const HostTensor powWant = bcastRef<int32_t, int32_t, int32_t>(c.out, a32, e32, [](int32_t x, int32_t y) {
        int32_t r = 1;
        for (int k = 0; k < y; ++k)
          r *= x;
        return r;
      });
      OpSpec p("Pow");
      p.in(std::move(a32)).in(std::move(e32)).out(DataType::Int32);
      KT_OK(check(p, powWant));
    }
    // Float Mod in both modes, and mixed Pow (float base, int64 exponent).
    const HostTensor x = make<float>({6}, {5.5f, -5.5f, 5.5f, -5.5f, 3.0f, 0.0f});
    const HostTensor y = make<float>({6}, {2.0f, 2.0f, -2.0f, -2.0f, 1.5f, 2.0f});
    OpSpec f1("Mod");
    f1.attrInt("fmod", 1)
        .in(make<float>({6}, {5.5f, -5.5f, 5.5f, -5.5f, 3.0f, 0.0f}))
        .in(make<float>({6}, {2.0f, 2.0f, -2.0f, -2.0f, 1.5f, 2.0f}))
        .out(DataType::Float32);
    KT_OK(check(f1, make<float>({6}, {1.5f, -1.5f, 1.5f, -1.5f, 0.0f, 0.0f})));
    OpSpec f0("Mod");
    f0.in(make<float>({6}, {5.5f, -5.5f, 5.5f, -5.5f, 3.0f, 0.0f}))
        .in(make<float>({6}, {2.0f, 2.0f, -2.0f, -2.0f, 1.5f, 2.0f}))
        .out(DataType::Float32);
    KT_OK(check(f0, make<float>({6}, {1.5f, 0.5f, -0.5f, -1.5f, 0.0f, 0.0f})));
    OpSpec pw("Pow");
    pw.in(make<float>({2, 2}, {2.0f, -3.0f, 0.5f, 4.0f})).in(make<int64_t>({2}, {3, 2})).out(DataType::Float32);
    KT_OK(check(pw, make<float>({2, 2}, {8.0f, 9.0f, 0.125f, 16.0f})));
  }

  void comparisonsLogicAndShifts() {
    for (const auto& c : bcastCases()) {
      if (numel(c.out) > 5000) continue;
      const HostTensor a = randomInt<int32_t>(c.a, -3, 3);
      const HostTensor b = randomInt<int32_t>(c.b, -3, 3);
      struct Cmp {
        const char* name;
        std::function<bool(int32_t, int32_t)> f;
      };
      const Cmp cmps[] = {{"Equal", [](int32_t x, int32_t y) { return x == y; }},
                          {"Less", [](int32_t x, int32_t y) { return x < y; }},
                          {"Greater", [](int32_t x, int32_t y) { return x > y; }},
                          {"LessOrEqual", [](int32_t x, int32_t y) { return x <= y; }},
                          {"GreaterOrEqual", [](int32_t x, int32_t y) { return x >= y; }}};
      for (const auto& cmp : cmps) {
        const HostTensor want = bcastRef<bool, int32_t, int32_t>(c.out, a, b, cmp.f);
        // int32, and the same values as float32
        OpSpec s(cmp.name);
        HostTensor ai(DataType::Int32, c.a), bi(DataType::Int32, c.b);
        std::memcpy(ai.data(), a.data(), a.byteSize());
        std::memcpy(bi.data(), b.data(), b.byteSize());
        s.in(std::move(ai)).in(std::move(bi)).out(DataType::Bool);
        KT_OK(check(s, want));
        OpSpec f(cmp.name);
        HostTensor af(DataType::Float32, c.a), bf(DataType::Float32, c.b);
        for (int64_t i = 0; i < af.numel(); ++i)
          af.as<float>()[i] = static_cast<float>(a.as<int32_t>()[i]);
        for (int64_t i = 0; i < bf.numel(); ++i)
          bf.as<float>()[i] = static_cast<float>(b.as<int32_t>()[i]);
        f.in(std::move(af)).in(std::move(bf)).out(DataType::Bool);
        KT_OK(check(f, want));
      }
      const HostTensor p = randomBool(c.a);
      const HostTensor q = randomBool(c.b);
      struct Logic {
        const char* name;
        std::function<bool(bool, bool)> f;
      };
      const Logic logic[] = {{"And", [](bool x, bool y) { return x && y; }},
                             {"Or", [](bool x, bool y) { return x || y; }},
                             {"Xor", [](bool x, bool y) { return x != y; }},
                             {"Equal", [](bool x, bool y) { return x == y; }}};
      for (const auto& l : logic) {
        OpSpec s(l.name);
        HostTensor pi(DataType::Bool, c.a), qi(DataType::Bool, c.b);
        std::memcpy(pi.data(), p.data(), p.byteSize());
        std::memcpy(qi.data(), q.data(), q.byteSize());
        s.in(std::move(pi)).in(std::move(qi)).out(DataType::Bool);
        KT_OK(check(s, bcastRef<bool, bool, bool>(c.out, p, q, l.f)));
      }
    }
    OpSpec left("BitShift");
    left.attrString("direction", "LEFT")
        .in(make<uint8_t>({4}, {1, 3, 255, 16}))
        .in(make<uint8_t>({4}, {1, 2, 1, 9}))
        .out(DataType::UInt8);
    KT_OK(check(left, make<uint8_t>({4}, {2, 12, 254, 0})));
    OpSpec right("BitShift");
    right.attrString("direction", "RIGHT")
        .in(make<uint32_t>({2, 2}, {16, 7, 1u << 31, 5}))
        .in(make<uint32_t>({2}, {2, 1}))
        .out(DataType::UInt32);
    KT_OK(check(right, make<uint32_t>({2, 2}, {4, 3, 1u << 29, 2})));
  }

  void preluUnidirectional() {
    const HostTensor x = randomFloat({2, 3, 4, 5});
    const HostTensor slope = randomFloat({3, 1, 1}, 0, 1);
    OpSpec s("PRelu");
    HostTensor xi(DataType::Float32, x.dims()), si(DataType::Float32, slope.dims());
    std::memcpy(xi.data(), x.data(), x.byteSize());
    std::memcpy(si.data(), slope.data(), slope.byteSize());
    s.in(std::move(xi)).in(std::move(si), true).out(DataType::Float32);
    KT_OK(check(s,
                bcastRef<float, float, float>(x.dims(), x, slope, [](float v, float k) { return v < 0 ? v * k : v; })));

    // PRelu-6 (before numpy broadcasting): a 1-D slope of size C applies per channel (axis 1), also
    // where numpy rules would pick the last axis ([2,3,3]) or fail ([2,3,4]).
    for (const Dims& d : {Dims{2, 3, 4}, Dims{2, 3, 3}, Dims{2, 3, 2, 2}}) {
      HostTensor x6 = randomFloat(d, -1, 1);
      HostTensor s6 = randomFloat({3}, 0, 1);
      HostTensor want(DataType::Float32, d);
      for (int64_t i = 0; i < want.numel(); ++i) {
        const float v = x6.as<float>()[i], k = s6.as<float>()[unravel(i, d)[1]];
        want.as<float>()[i] = v < 0 ? v * k : v;
      }
      OpSpec legacy("PRelu", 6);
      legacy.in(std::move(x6)).in(std::move(s6), true).out(DataType::Float32);
      KT_OK(check(legacy, want));
    }
  }

  void variadicFolds() {
    for (int trial = 0; trial < 20; ++trial) {
      const Dims out = randomDims(static_cast<int>(randInt(0, 4)), 1, 4);
      const auto n = static_cast<int>(randInt(1, 4));
      std::vector<HostTensor> ins;
      for (int k = 0; k < n; ++k)
        ins.push_back(randomFloat(k == 0 ? out : shrinkTo(out, static_cast<int>(randInt(0, 4)))));
      // The first input may be smaller too, as long as another one has the full shape.
      if (n > 1) std::swap(ins[0], ins[static_cast<std::size_t>(n - 1)]);
      Dims outDims = ins[0].dims();
      for (const auto& t : ins)
        outDims = bcastDims(outDims, t.dims());
      for (const char* op : {"Sum", "Mean", "Max", "Min"}) {
        HostTensor want(DataType::Float32, outDims);
        for (int64_t i = 0; i < want.numel(); ++i) {
          const Dims idx = unravel(i, outDims);
          double acc = 0;
          for (int k = 0; k < n; ++k) {
            const double v = ins[static_cast<std::size_t>(k)]
                                 .as<float>()[broadcastIndex(idx, ins[static_cast<std::size_t>(k)].dims())];
            if (k == 0)
              acc = v;
            else if (std::string(op) == "Max")
              acc = std::max(acc, v);
            else if (std::string(op) == "Min")
              acc = std::min(acc, v);
            else
              acc += v;
          }
          want.as<float>()[i] = static_cast<float>(std::string(op) == "Mean" ? acc / n : acc);
        }
        OpSpec s(op);
        for (const auto& t : ins) {
          HostTensor c(DataType::Float32, t.dims());
          std::memcpy(c.data(), t.data(), t.byteSize());
          s.in(std::move(c));
        }
        s.out(DataType::Float32);
        KT_OK(check(s, want, 1e-5, 1e-5));
      }
    }
    OpSpec ints("Max");
    ints.in(make<int64_t>({3}, {1, -5, 7}))
        .in(make<int64_t>({1}, {2}))
        .in(make<int64_t>({2, 1}, {0, 6}))
        .out(DataType::Int64);
    KT_OK(check(ints, make<int64_t>({2, 3}, {2, 2, 7, 6, 6, 7})));
  }

  void whereAllKinds() {
    for (const auto& c : bcastCases()) {
      if (numel(c.out) > 5000) continue;
      // condition broadcast from a third shape
      const Dims condDims = shrinkTo(c.out, static_cast<int>(randInt(0, 4)));
      const HostTensor cond = randomBool(condDims);
      const Dims outDims = bcastDims(condDims, c.out);
      const HostTensor x = randomInt<int64_t>(c.a, -100, 100);
      const HostTensor y = randomInt<int64_t>(c.b, -100, 100);
      HostTensor want(DataType::Int64, outDims);
      for (int64_t i = 0; i < want.numel(); ++i) {
        const Dims idx = unravel(i, outDims);
        want.as<int64_t>()[i] = cond.as<bool>()[broadcastIndex(idx, condDims)]
                                    ? x.as<int64_t>()[broadcastIndex(idx, c.a)]
                                    : y.as<int64_t>()[broadcastIndex(idx, c.b)];
      }
      OpSpec s("Where");
      HostTensor ci(DataType::Bool, condDims), xi(DataType::Int64, c.a), yi(DataType::Int64, c.b);
      std::memcpy(ci.data(), cond.data(), cond.byteSize());
      std::memcpy(xi.data(), x.data(), x.byteSize());
      std::memcpy(yi.data(), y.data(), y.byteSize());
      s.in(std::move(ci)).in(std::move(xi)).in(std::move(yi)).out(DataType::Int64);
      KT_OK(check(s, want));
    }
    OpSpec f("Where");
    f.in(make<bool>({2, 1}, {true, false}))
        .in(make<float>({3}, {1, 2, 3}))
        .in(scalar<float>(-1))
        .out(DataType::Float32);
    KT_OK(check(f, make<float>({2, 3}, {1, 2, 3, -1, -1, -1})));
    OpSpec b("Where");
    b.in(make<bool>({2}, {true, false}))
        .in(make<bool>({2}, {false, false}))
        .in(make<bool>({2}, {true, true}))
        .out(DataType::Bool);
    KT_OK(check(b, make<bool>({2}, {false, true})));
  }

  void incompatibleShapesFail() {
    OpSpec s("Add");
    s.in(randomFloat({2, 3})).in(randomFloat({4})).out(DataType::Float32);
    KT_OK(expectFailure(s, {std::nullopt}));
  }
};

int runElementwiseTests(int argc, char** argv) {
  TestElementwise t;
  return QTest::qExec(&t, argc, argv);
}

#include "test_elementwise.moc"
