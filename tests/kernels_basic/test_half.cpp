// float16 / bfloat16 kernels. The bulk conversions agree bit for bit with the scalar ones; every
// float32 kernel row has a 16-bit row; and each op on 16-bit tensors (elementwise, reductions, the
// neural-network ops, data movement) gives exactly the float32 kernel's result on the widened
// inputs, rounded once to the 16-bit type (ONNX's semantics with float32 accumulation), over random
// shapes, with constant and non-constant weights, preallocated and kernel-allocated outputs. MatMul
// and Conv are also checked against a plain double-precision loop: float32 accumulation keeps long
// dot products within a few 16-bit ulps where 16-bit accumulation would not.
#include <QtTest>

#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <set>

#include "core/runtime/cpu/kernels/basic/half.h"
#include "core/runtime/cpu/kernels/basic/half_convert.h"
#include "core/runtime/cpu/kernels/registry.h"
#include "harness.h"

using namespace kt;
namespace basic = gs::runtime::cpu::basic;

namespace {

uint32_t bitsOf(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}

float widen1(DataType t, uint16_t b) {
  return t == DataType::Float16 ? basic::Half::toFloat(b) : basic::bitsFloat(static_cast<uint32_t>(b) << 16);
}
uint16_t narrow1(DataType t, float f) {
  return t == DataType::Float16 ? basic::Half::fromFloat(f) : basic::BFloat16::fromFloat(f);
}

// A float32 tensor rounded to the 16-bit type `t`.
HostTensor toHalf(const HostTensor& f, DataType t) {
  HostTensor h(t, f.dims());
  for (int64_t i = 0; i < f.numel(); ++i)
    h.as<uint16_t>()[i] = narrow1(t, f.as<float>()[i]);
  return h;
}
HostTensor toFloat(const HostTensor& h) {
  HostTensor f(DataType::Float32, h.dims());
  for (int64_t i = 0; i < h.numel(); ++i)
    f.as<float>()[i] = widen1(h.dtype(), h.as<uint16_t>()[i]);
  return f;
}

// One random case: an op on float32 inputs; `keepFloat` lists the inputs that stay float32 in a
// 16-bit model (Resize scales).
struct Case {
  OpSpec spec;
  std::set<std::size_t> keepFloat;
  // The neural-network kernels need their outputs preallocated (as the executors do): their dims.
  // Empty: the kernel may also allocate them (checked both ways).
  std::vector<Dims> outDims = {};
};

using Maker = std::function<Case()>;

Case unary(const char* op, float lo = -4, float hi = 4) {
  OpSpec s(op);
  s.in(randomFloat(randomDims(static_cast<int>(randInt(1, 4)), 1, 7), lo, hi)).out(DataType::Float32);
  return {std::move(s), {}};
}

Case binary(const char* op, DataType out = DataType::Float32, float lo = -4, float hi = 4) {
  const Dims a = randomDims(static_cast<int>(randInt(1, 4)), 1, 5);
  Dims b = a;
  for (auto& d : b)
    if (randInt(0, 2) == 0) d = 1; // broadcast some dims
  OpSpec s(op);
  s.in(randomFloat(a, lo, hi)).in(randomFloat(b, lo, hi), randInt(0, 1) == 1).out(out);
  return {std::move(s), {}};
}

std::vector<std::pair<std::string, Maker>> cases() {
  std::vector<std::pair<std::string, Maker>> v;
  for (const char* op :
       {"Relu", "Neg", "Abs", "Sigmoid", "Tanh", "Exp", "Erf", "Floor", "Round", "Softplus", "HardSwish", "Sin", "Elu"})
    v.push_back({op, [op] { return unary(op); }});
  v.push_back({"Sqrt", [] { return unary("Sqrt", 0.01f, 9); }});
  v.push_back({"Log", [] { return unary("Log", 0.01f, 9); }});
  v.push_back({"Reciprocal", [] { return unary("Reciprocal", 0.5f, 9); }});
  v.push_back({"LeakyRelu", [] {
                 auto c = unary("LeakyRelu");
                 c.spec.attrFloat("alpha", 0.1f);
                 return c;
               }});
  v.push_back({"HardSigmoid", [] {
                 auto c = unary("HardSigmoid");
                 c.spec.attrFloat("alpha", 0.2f).attrFloat("beta", 0.5f);
                 return c;
               }});
  for (const char* op : {"Add", "Sub", "Mul", "PRelu"})
    v.push_back({op, [op] { return binary(op); }});
  v.push_back({"Div", [] { return binary("Div", DataType::Float32, 0.5f, 4); }});
  v.push_back({"Pow", [] { return binary("Pow", DataType::Float32, 0.5f, 2); }});
  for (const char* op : {"Equal", "Less", "GreaterOrEqual"})
    v.push_back({op, [op] { return binary(op, DataType::Bool); }});
  for (const char* op : {"Max", "Min", "Sum", "Mean"})
    v.push_back({op, [op] {
                   auto c = binary(op);
                   c.spec.op = op;
                   return c;
                 }});
  v.push_back(
      {"Clip", [] {
         OpSpec s("Clip");
         s.in(randomFloat(randomDims(3), -4, 4)).in(make<float>({}, {-1.5f}), true).in(make<float>({}, {2.25f}));
         s.out(DataType::Float32);
         return Case{std::move(s), {}};
       }});
  for (const char* op : {"ReduceMean", "ReduceSum", "ReduceMax", "ReduceL2", "ReduceLogSumExp"})
    v.push_back({op, [op] {
                   const int rank = static_cast<int>(randInt(1, 4));
                   OpSpec s(op, 13);
                   s.in(randomFloat(randomDims(rank, 1, 9))).attrInts("axes", {randInt(0, rank - 1)});
                   s.attrInt("keepdims", randInt(0, 1)).out(DataType::Float32);
                   return Case{std::move(s), {}};
                 }});
  v.push_back({"ArgMax", [] {
                 OpSpec s("ArgMax", 13);
                 s.in(randomFloat(randomDims(3, 1, 9))).attrInt("axis", randInt(0, 2)).out(DataType::Int64);
                 return Case{std::move(s), {}};
               }});
  v.push_back({"CumSum", [] {
                 OpSpec s("CumSum", 14);
                 s.in(randomFloat(randomDims(2, 1, 40))).in(make<int64_t>({}, {1}), true).out(DataType::Float32);
                 return Case{std::move(s), {}};
               }});
  v.push_back({"Softmax", [] {
                 OpSpec s("Softmax", 13);
                 const Dims d = randomDims(3, 1, 30);
                 s.in(randomFloat(d)).attrInt("axis", -1).out(DataType::Float32);
                 return Case{std::move(s), {}, {d}};
               }});
  v.push_back({"LayerNormalization", [] {
                 const Dims d = randomDims(3, 2, 20);
                 OpSpec s("LayerNormalization", 17);
                 s.in(randomFloat(d)).in(randomFloat({d[2]}), true).in(randomFloat({d[2]}), true);
                 s.attrInt("axis", -1).out(DataType::Float32);
                 return Case{std::move(s), {}, {d}};
               }});
  v.push_back({"BatchNormalization", [] {
                 const Dims d = randomDims(4, 1, 6);
                 const Dims c{d[1]};
                 OpSpec s("BatchNormalization", 15);
                 s.in(randomFloat(d)).in(randomFloat(c), true).in(randomFloat(c), true).in(randomFloat(c), true);
                 s.in(randomFloat(c, 0.5f, 2), true).out(DataType::Float32);
                 return Case{std::move(s), {}, {d}};
               }});
  v.push_back(
      {"InstanceNormalization", [] {
         const Dims d = randomDims(4, 1, 6);
         OpSpec s("InstanceNormalization");
         s.in(randomFloat(d)).in(randomFloat({d[1]}), true).in(randomFloat({d[1]}), true).out(DataType::Float32);
         return Case{std::move(s), {}, {d}};
       }});
  v.push_back({"MatMul", [] {
                 const int64_t m = randInt(1, 9), k = randInt(1, 70), n = randInt(1, 9);
                 OpSpec s("MatMul");
                 const int64_t b = randInt(1, 3);
                 s.in(randomFloat({b, m, k}, -1, 1)).in(randomFloat({k, n}, -1, 1), randInt(0, 1) == 1);
                 s.out(DataType::Float32);
                 return Case{std::move(s), {}, {{b, m, n}}};
               }});
  v.push_back({"Gemm", [] {
                 const int64_t m = randInt(1, 9), k = randInt(1, 40), n = randInt(1, 9);
                 OpSpec s("Gemm", 13);
                 s.in(randomFloat({m, k}, -1, 1)).in(randomFloat({n, k}, -1, 1), true).in(randomFloat({n}), true);
                 s.attrInt("transB", 1).attrFloat("alpha", 0.5f).out(DataType::Float32);
                 return Case{std::move(s), {}, {{m, n}}};
               }});
  v.push_back({"Conv", [] {
                 const int64_t c = randInt(1, 8), oc = randInt(1, 8), k = randInt(1, 3);
                 OpSpec s("Conv", 11);
                 const int64_t n = randInt(1, 2), h = randInt(k, 12), w = randInt(k, 12), sh = randInt(1, 2),
                               sw = randInt(1, 2), p = k / 2;
                 s.in(randomFloat({n, c, h, w}, -1, 1));
                 s.in(randomFloat({oc, c, k, k}, -1, 1), randInt(0, 3) != 0).in(randomFloat({oc}), true);
                 s.attrInts("pads", {p, p, p, p}).attrInts("strides", {sh, sw});
                 s.out(DataType::Float32);
                 return Case{std::move(s), {}, {{n, oc, (h + 2 * p - k) / sh + 1, (w + 2 * p - k) / sw + 1}}};
               }});
  v.push_back({"ConvTranspose", [] {
                 const int64_t c = randInt(1, 6), oc = randInt(1, 6);
                 OpSpec s("ConvTranspose", 11);
                 const int64_t h = randInt(1, 8), w = randInt(1, 8);
                 s.in(randomFloat({1, c, h, w}, -1, 1)).in(randomFloat({c, oc, 2, 2}, -1, 1), true);
                 s.attrInts("strides", {2, 2}).out(DataType::Float32);
                 return Case{std::move(s), {}, {{1, oc, 2 * h, 2 * w}}};
               }});
  for (const char* op : {"MaxPool", "AveragePool"})
    v.push_back({op, [op] {
                   OpSpec s(op, 11);
                   const int64_t c = randInt(1, 5), h = randInt(3, 12), w = randInt(3, 12);
                   s.in(randomFloat({1, c, h, w}));
                   s.attrInts("kernel_shape", {3, 3}).attrInts("strides", {2, 2}).attrInts("pads", {1, 1, 1, 1});
                   s.out(DataType::Float32);
                   return Case{std::move(s), {}, {{1, c, (h - 1) / 2 + 1, (w - 1) / 2 + 1}}};
                 }});
  for (const char* op : {"GlobalAveragePool", "GlobalMaxPool"})
    v.push_back({op, [op] {
                   OpSpec s(op);
                   const int64_t n = randInt(1, 3), c = randInt(1, 9);
                   s.in(randomFloat({n, c, randInt(1, 12), randInt(1, 12)})).out(DataType::Float32);
                   return Case{std::move(s), {}, {{n, c, 1, 1}}};
                 }});
  v.push_back({"Resize", [] {
                 OpSpec s("Resize", 13);
                 const int64_t c = randInt(1, 4), h = randInt(1, 9), w = randInt(1, 9);
                 s.in(randomFloat({1, c, h, w})).in(make<float>({0}, {}), true);
                 s.in(make<float>({4}, {1, 1, 2, 2}), true).attrString("mode", randInt(0, 1) ? "linear" : "nearest");
                 s.out(DataType::Float32);
                 return Case{std::move(s), {1, 2}, {{1, c, 2 * h, 2 * w}}};
               }});
  v.push_back({"TopK", [] {
                 OpSpec s("TopK", 11);
                 const int64_t r = randInt(1, 5);
                 s.in(randomFloat({r, randInt(3, 20)})).in(i64({2}), true);
                 s.out(DataType::Float32).out(DataType::Int64);
                 return Case{std::move(s), {}, {{r, 2}, {r, 2}}};
               }});
  return v;
}

// The 16-bit form of a float32 case: float inputs rounded to `t` (except keepFloat), float outputs `t`.
OpSpec clone(const OpSpec& o) {
  OpSpec s(o.op, o.opset);
  s.attrs = o.attrs;
  for (std::size_t i = 0; i < o.inputs.size(); ++i)
    s.in(copyOf(o.inputs[i]), o.constant[i]);
  s.outTypes = o.outTypes;
  s.aliasOutput = o.aliasOutput;
  return s;
}

OpSpec halfSpec(const Case& c, DataType t) {
  OpSpec s = clone(c.spec);
  for (std::size_t i = 0; i < s.inputs.size(); ++i)
    if (s.inputs[i].dtype() == DataType::Float32 && !c.keepFloat.count(i)) s.inputs[i] = toHalf(s.inputs[i], t);
  for (auto& o : s.outTypes)
    if (o == DataType::Float32) o = t;
  return s;
}

// The float32 case on the 16-bit inputs, widened back: what the 16-bit op must compute before rounding.
OpSpec widenedSpec(const OpSpec& half) {
  OpSpec s = clone(half);
  for (auto& in : s.inputs)
    if (basic::isHalfFloat(in.dtype())) in = toFloat(in);
  for (auto& o : s.outTypes)
    if (basic::isHalfFloat(o)) o = DataType::Float32;
  return s;
}

} // namespace

class HalfKernelTests : public QObject {
  Q_OBJECT

private slots:
  void bulkConversionsMatchScalar() {
    // Every 16-bit pattern widens exactly (NaN payloads included).
    std::vector<uint16_t> all(65536);
    for (int i = 0; i < 65536; ++i)
      all[static_cast<std::size_t>(i)] = static_cast<uint16_t>(i);
    std::vector<float> wide(all.size());
    for (DataType t : {DataType::Float16, DataType::BFloat16}) {
      basic::widenToFloat(t, all.data(), wide.data(), all.size());
      for (std::size_t i = 0; i < all.size(); ++i) {
        if (std::isnan(widen1(t, all[i]))) { // the F16C path quiets signalling NaNs: still NaN, same sign
          QVERIFY(std::isnan(wide[i]) && std::signbit(wide[i]) == std::signbit(widen1(t, all[i])));
          continue;
        }
        QCOMPARE(bitsOf(wide[i]), bitsOf(widen1(t, all[i])));
      }
    }
    // Narrowing: ties, subnormals, overflow edges, infinities, NaN, random values; every tail length.
    std::vector<float> f = {0.0f,
                            -0.0f,
                            1.0f,
                            1.00048828125f,
                            1.00146484375f,
                            65504.0f,
                            65519.99f,
                            65520.0f,
                            1e-8f,
                            2.98e-8f,
                            5.96e-8f,
                            6.1e-5f,
                            1e-40f,
                            std::numeric_limits<float>::infinity(),
                            -std::numeric_limits<float>::infinity(),
                            std::numeric_limits<float>::quiet_NaN(),
                            3.3895314e38f,
                            1.0078125f,
                            1.01171875f,
                            -2.5f};
    std::mt19937 g(7);
    std::uniform_int_distribution<uint32_t> bits;
    while (f.size() < 200000)
      f.push_back(basic::bitsFloat(bits(g)));
    for (DataType t : {DataType::Float16, DataType::BFloat16}) {
      for (std::size_t n : {std::size_t{1}, std::size_t{7}, std::size_t{15}, std::size_t{16}, std::size_t{17},
                            std::size_t{33}, f.size()}) {
        std::vector<uint16_t> out(n);
        basic::narrowFromFloat(t, f.data(), out.data(), n);
        for (std::size_t i = 0; i < n; ++i) {
          if (std::isnan(f[i])) { // NaN stays NaN with its sign (payload bits may differ)
            QVERIFY(std::isnan(widen1(t, out[i])) && std::signbit(widen1(t, out[i])) == std::signbit(f[i]));
            continue;
          }
          if (out[i] != narrow1(t, f[i]))
            QFAIL(qPrintable(QString("%1 of %2: bulk 0x%3, scalar 0x%4")
                                 .arg(gs::ir::dtypeName(t).data())
                                 .arg(static_cast<double>(f[i]))
                                 .arg(out[i], 0, 16)
                                 .arg(narrow1(t, f[i]), 0, 16)));
        }
      }
    }
  }

  void everyFloat32RowHasA16BitRow() {
    const auto& table = gs::runtime::cpu::cpuKernelTable();
    for (const auto& e : table.entries()) {
      if (!e.types.has(DataType::Float32)) continue;
      bool f16 = e.types.has(DataType::Float16), bf16 = e.types.has(DataType::BFloat16);
      for (const auto& w : table.entries())
        if (w.domain == e.domain && w.opType == e.opType && w.sinceVersion == e.sinceVersion &&
            w.untilVersion == e.untilVersion) {
          f16 = f16 || w.types.has(DataType::Float16);
          bf16 = bf16 || w.types.has(DataType::BFloat16);
        }
      QVERIFY2(f16 && bf16, qPrintable(QString::fromUtf8(e.opType.data(), static_cast<int>(e.opType.size()))));
    }
  }

  void opsRoundTheFloat32ResultOnce() {
    int ran = 0;
    for (const auto& [name, make] : cases()) {
      for (int rep = 0; rep < 4; ++rep) {
        const Case c = make();
        for (DataType t : {DataType::Float16, DataType::BFloat16}) {
          const OpSpec half = halfSpec(c, t);
          const OpSpec wide = widenedSpec(half);
          std::vector<std::optional<Dims>> dims(wide.outTypes.size());
          for (std::size_t i = 0; i < c.outDims.size() && i < dims.size(); ++i)
            dims[i] = c.outDims[i];
          auto ref = runOp(wide, dims);
          QVERIFY2(ref.has_value(), qPrintable(QString::fromStdString(name + ": " + (ref ? "" : ref.error().str()))));
          std::vector<HostTensor> want;
          for (std::size_t i = 0; i < half.outTypes.size(); ++i)
            want.push_back(basic::isHalfFloat(half.outTypes[i]) ? toHalf((*ref)[i], t) : copyOf((*ref)[i]));
          std::string msg;
          if (c.outDims.empty()) {
            std::vector<const HostTensor*> ptrs;
            for (const auto& w : want)
              ptrs.push_back(&w);
            msg = check(half, ptrs, 0, 0);
          } else {
            auto got = runOp(half, dims);
            msg = got ? "" : got.error().str();
            for (std::size_t i = 0; got && msg.empty() && i < want.size(); ++i)
              msg = compare((*got)[i], want[i], 0, 0);
            if (!msg.empty()) msg = name + ": " + msg;
          }
          QVERIFY2(msg.empty(), qPrintable(QString::fromStdString(std::string(gs::ir::dtypeName(t)) + " " + msg)));
          ++ran;
        }
      }
    }
    QVERIFY(ran > 200);
  }

  void dataMovementMoves16BitElements() {
    for (DataType t : {DataType::Float16, DataType::BFloat16}) {
      const HostTensor x = toHalf(randomFloat({2, 3, 4}), t);
      OpSpec tr("Transpose");
      tr.in(copyOf(x)).attrInts("perm", {2, 0, 1}).out(t);
      HostTensor want(t, {4, 2, 3});
      for (int64_t a = 0; a < 2; ++a)
        for (int64_t b = 0; b < 3; ++b)
          for (int64_t c = 0; c < 4; ++c)
            want.as<uint16_t>()[(c * 2 + a) * 3 + b] = x.as<uint16_t>()[(a * 3 + b) * 4 + c];
      KT_OK(check(tr, want, 0, 0));
      OpSpec cat("Concat");
      cat.in(copyOf(x)).in(copyOf(x)).attrInt("axis", 0).out(t);
      HostTensor catWant(t, {4, 3, 4});
      std::memcpy(catWant.data(), x.data(), x.byteSize());
      std::memcpy(static_cast<std::byte*>(catWant.data()) + x.byteSize(), x.data(), x.byteSize());
      KT_OK(check(cat, catWant, 0, 0));
      OpSpec gather("Gather");
      gather.in(copyOf(x)).in(i64({1})).attrInt("axis", 0).out(t);
      HostTensor gWant(t, {1, 3, 4});
      std::memcpy(gWant.data(), static_cast<const std::byte*>(x.data()) + 24, 24);
      KT_OK(check(gather, gWant, 0, 0));
    }
  }

  void longDotProductsAccumulateInFloat32() {
    // MatMul [2, K] x [K, 3] and a 1x1 Conv with K input channels, values in [0, 1]: the exact sums
    // are about K/4; 16-bit accumulation would be off by many ulps, float32 accumulation is within
    // one rounding of the result (plus the inputs' own rounding, which the reference shares).
    const int64_t k = 3000;
    for (DataType t : {DataType::Float16, DataType::BFloat16}) {
      const HostTensor a = toHalf(randomFloat({2, k}, 0, 1), t);
      const HostTensor b = toHalf(randomFloat({k, 3}, 0, 1), t);
      HostTensor want(DataType::Float32, {2, 3});
      for (int64_t i = 0; i < 2; ++i)
        for (int64_t j = 0; j < 3; ++j) {
          double s = 0;
          for (int64_t q = 0; q < k; ++q)
            s += static_cast<double>(widen1(t, a.as<uint16_t>()[i * k + q])) * widen1(t, b.as<uint16_t>()[q * 3 + j]);
          want.as<float>()[i * 3 + j] = static_cast<float>(s);
        }
      OpSpec mm("MatMul");
      mm.in(copyOf(a)).in(copyOf(b), true).out(t);
      auto got = runOp(mm, {Dims{2, 3}});
      QVERIFY(got.has_value());
      const double ulp = t == DataType::Float16 ? 1.0 / 1024 : 1.0 / 128;
      KT_OK(compare(toFloat((*got)[0]), want, ulp, 0));

      HostTensor w(t, {3, k, 1, 1});
      std::memcpy(w.data(), b.data(), b.byteSize()); // any k*3 values
      HostTensor x(t, {1, k, 1, 2});
      std::memcpy(x.data(), a.data(), a.byteSize());
      HostTensor cwant(DataType::Float32, {1, 3, 1, 2});
      for (int64_t o = 0; o < 3; ++o)
        for (int64_t p = 0; p < 2; ++p) {
          double s = 0;
          for (int64_t q = 0; q < k; ++q)
            s += static_cast<double>(widen1(t, x.as<uint16_t>()[q * 2 + p])) * widen1(t, w.as<uint16_t>()[o * k + q]);
          cwant.as<float>()[o * 2 + p] = static_cast<float>(s);
        }
      OpSpec conv("Conv", 11);
      conv.in(copyOf(x)).in(copyOf(w), true).out(t);
      auto cgot = runOp(conv, {Dims{1, 3, 1, 2}});
      QVERIFY(cgot.has_value());
      KT_OK(compare(toFloat((*cgot)[0]), cwant, ulp, 0));
    }
  }
};

int runHalfTests(int argc, char** argv) {
  HalfKernelTests t;
  return QTest::qExec(&t, argc, argv);
}

#include "test_half.moc"
