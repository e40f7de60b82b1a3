// The fast paths added for the broad bench rows, against scalar references:
// - float32 Exp, Log, Tanh, Sigmoid, Sqrt (oneDNN eltwise) and Erf (libmvec), found through the kernel
//   table like the executor does: relative error against double-precision libm over wide value ranges
//   and many sizes (vector tails, threaded splits, in place), and libm's results exactly at NaN,
//   infinities, overflow and underflow, zero and negative inputs;
// - 1-D Conv with few input channels and a long kernel (im2col + sgemm) against a naive loop: strides,
//   dilations, pads, bias, fused activations, batches (threaded per item), an STFT-like shape.
#include <QtTest>

#include <cmath>
#include <limits>

#include "core/runtime/cpu/kernels/nn/eltwise.h"
#include "harness.h"
#include "reference.h"

using namespace gs;
using namespace gs::test;
namespace nn = gs::runtime::cpu::nn;

namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

double reference(const std::string& op, double x) {
  if (op == "Exp") return std::exp(x);
  if (op == "Log") return std::log(x);
  if (op == "Tanh") return std::tanh(x);
  if (op == "Sigmoid") return 1.0 / (1.0 + std::exp(-x));
  if (op == "Sqrt") return std::sqrt(x);
  return std::erf(x);
}

// The value range each op is exercised on (beyond it: the specials below).
std::pair<float, float> rangeOf(const std::string& op) {
  if (op == "Exp") return {-87.0f, 88.0f};
  if (op == "Log" || op == "Sqrt") return {1e-30f, 1e30f};
  if (op == "Sigmoid") return {-80.0f, 80.0f};
  return {-10.0f, 10.0f};
}

// Relative error with a floor of FLT_MIN-ish magnitudes (tiny results compare absolutely).
double relError(float got, double want) {
  return std::abs(static_cast<double>(got) - want) / std::max(std::abs(want), 1e-30);
}

bool sameSpecial(float got, float want) {
  if (std::isnan(want)) return std::isnan(got);
  return got == want && std::signbit(got) == std::signbit(want);
}

// Conv1d reference: y[n][m][o] = b[m] + sum_c,t x[n][c][o*s + t*d - pl] * w[m][c][t].
std::vector<float> refConv1d(const HostTensor& x, const HostTensor& w, const float* bias, int64_t s, int64_t d,
                             int64_t pl, int64_t ow) {
  const int64_t n = x.dims()[0], c = x.dims()[1], iw = x.dims()[2], m = w.dims()[0], k = w.dims()[2];
  std::vector<float> y(static_cast<std::size_t>(n * m * ow));
  for (int64_t b = 0; b < n; ++b)
    for (int64_t j = 0; j < m; ++j)
      for (int64_t o = 0; o < ow; ++o) {
        double acc = bias ? bias[j] : 0.0;
        for (int64_t ci = 0; ci < c; ++ci)
          for (int64_t t = 0; t < k; ++t) {
            const int64_t i = o * s + t * d - pl;
            if (i >= 0 && i < iw)
              acc += double(x.as<float>()[(b * c + ci) * iw + i]) * w.as<float>()[(j * c + ci) * k + t];
          }
        y[static_cast<std::size_t>((b * m + j) * ow + o)] = static_cast<float>(acc);
      }
  return y;
}

} // namespace

class TestPerfPaths : public QObject {
  Q_OBJECT

private slots:
  void vectorUnaryAccuracy() {
    std::mt19937 rng(2026);
    // Bounds on the relative error (float32 ulp ~ 6e-8): oneDNN's polynomial kernels and libmvec
    // stay within a few ulp; tanh and sigmoid near 0 and erf a little more.
    const std::map<std::string, double> bound{{"Exp", 1e-6},     {"Log", 1e-6},  {"Tanh", 2e-6},
                                              {"Sigmoid", 2e-6}, {"Sqrt", 2e-7}, {"Erf", 2e-6}};
    for (const auto& [op, maxRel] : bound) {
      for (int64_t n : {1, 7, 16, 17, 255, 4099, 300001}) {
        const auto [lo, hi] = rangeOf(op);
        HostTensor x(ir::DataType::Float32, {n});
        std::uniform_real_distribution<float> lin(lo, hi);
        std::uniform_real_distribution<float> logu(std::log(std::max(lo, 1e-30f)), std::log(hi));
        for (int64_t i = 0; i < n; ++i)
          x.as<float>()[i] = (op == "Log" || op == "Sqrt") ? std::exp(logu(rng)) : lin(rng);
        std::vector<float> xs(x.as<float>(), x.as<float>() + n);
        GS_ASSIGN_OK(auto outs, runOp(op, 13, inputs(in(std::move(x))), {out({n})}));
        double worst = 0;
        for (int64_t i = 0; i < n; ++i)
          worst = std::max(worst, relError(outs[0].as<float>()[i], reference(op, xs[static_cast<std::size_t>(i)])));
        if (worst > maxRel)
          QFAIL(qPrintable(QString("%1 n=%2: max relative error %3 > %4")
                               .arg(QString::fromStdString(op))
                               .arg(n)
                               .arg(worst)
                               .arg(maxRel)));
      }
    }
  }

  void vectorUnarySpecialValues() {
    // Specials anywhere in a long vector (the vector body and the tail), compared with libm's float
    // results bit for bit (sign included).
    const std::vector<float> specials{kNaN,
                                      kInf,
                                      -kInf,
                                      0.0f,
                                      -0.0f,
                                      -1.0f,
                                      89.0f,
                                      100.0f,
                                      -88.0f,
                                      -100.0f,
                                      -104.0f,
                                      1e-40f,
                                      std::numeric_limits<float>::max(),
                                      std::numeric_limits<float>::denorm_min()};
    for (const std::string op : {"Exp", "Log", "Tanh", "Sigmoid", "Sqrt", "Erf"}) {
      for (int64_t n : {int64_t{14}, int64_t{1000}}) {
        std::vector<float> v(static_cast<std::size_t>(n), 0.5f);
        for (std::size_t i = 0; i < specials.size(); ++i)
          v[(i * 37) % v.size()] = specials[i];
        v.back() = kNaN;
        GS_ASSIGN_OK(auto outs, runOp(op, 13, inputs(in(fromValues({n}, v))), {out({n})}));
        for (std::size_t i = 0; i < v.size(); ++i) {
          const float want = static_cast<float>(
              op == "Sigmoid" ? (v[i] >= 0 ? 1.0f / (1.0f + std::exp(-v[i])) : std::exp(v[i]) / (1.0f + std::exp(v[i])))
                              : reference(op, v[i]));
          const float got = outs[0].as<float>()[i];
          const bool special =
              std::isnan(want) || std::isinf(want) || want == 0.0f || std::isinf(v[i]) || std::isnan(v[i]);
          if (special ? !sameSpecial(got, want) : relError(got, want) > 2e-6)
            QFAIL(qPrintable(
                QString("%1(%2) = %3, libm %4").arg(QString::fromStdString(op)).arg(v[i]).arg(got).arg(want)));
        }
      }
    }
  }

  void vectorEltwiseInPlaceAndThreads() {
    // In place (y == x) and with explicit thread counts, including inputs that take the scalar path.
    for (auto fn : {nn::VectorEltwise::Fn::Exp, nn::VectorEltwise::Fn::Log, nn::VectorEltwise::Fn::Erf}) {
      nn::VectorEltwise e(fn);
      for (int threads : {1, 2}) {
        std::vector<float> v(100003);
        for (std::size_t i = 0; i < v.size(); ++i)
          v[i] = static_cast<float>(i % 1000) * 0.05f - 10.0f;
        v[5] = kNaN;
        v[77] = 200.0f;
        const auto x = v;
        QVERIFY(e.run(v.data(), v.data(), static_cast<int64_t>(v.size()), threads).has_value());
        for (std::size_t i = 0; i < v.size(); ++i) {
          const double want = fn == nn::VectorEltwise::Fn::Exp   ? std::exp(double(x[i]))
                              : fn == nn::VectorEltwise::Fn::Log ? std::log(double(x[i]))
                                                                 : std::erf(double(x[i]));
          const float wantF = static_cast<float>(want);
          if (std::isnan(wantF) || std::isinf(wantF)) {
            QVERIFY2(sameSpecial(v[i], wantF), qPrintable(QString("index %1: %2 vs %3").arg(i).arg(v[i]).arg(wantF)));
          } else {
            QVERIFY2(relError(v[i], want) < 2e-6, qPrintable(QString("index %1: %2 vs %3").arg(i).arg(v[i]).arg(want)));
          }
        }
      }
    }
  }

  void conv1dLongKernel() {
    std::mt19937 rng(160);
    struct Case {
      int64_t n, c, m, iw, k, s, d, pl, pr;
      bool bias;
      const char* act;
    };
    const Case cases[] = {
        {1, 1, 402, 16000, 400, 160, 1, 200, 200, false, ""}, // STFT as Conv1d, one second at 16 kHz
        {4, 1, 402, 4000, 400, 160, 1, 200, 200, true, ""},   // batch split across threads
        {3, 2, 17, 300, 32, 1, 1, 0, 0, true, "Relu"},
        {2, 4, 9, 500, 64, 7, 2, 5, 3, false, "Clip"},
        {5, 3, 33, 129, 33, 16, 1, 40, 40, true, "LeakyRelu"}, // pads wider than stride
        {1, 1, 5, 50, 48, 1, 1, 0, 0, true, ""},               // output of length 3
    };
    for (const auto& cs : cases) {
      auto x = randomTensor({cs.n, cs.c, cs.iw}, rng);
      auto w = randomTensor({cs.m, cs.c, cs.k}, rng);
      auto b = randomTensor({cs.m}, rng);
      const int64_t ow = (cs.iw + cs.pl + cs.pr - (cs.k - 1) * cs.d - 1) / cs.s + 1;
      auto ref = refConv1d(x, w, cs.bias ? b.as<float>() : nullptr, cs.s, cs.d, cs.pl, ow);
      RefActivation act;
      if (std::string(cs.act) == "Relu") act = {"Relu", {}};
      if (std::string(cs.act) == "Clip") act = {"Clip", {-0.5f, 0.5f}};
      if (std::string(cs.act) == "LeakyRelu") act = {"LeakyRelu", {0.1f}};
      for (auto& v : ref)
        v = act.apply(v);
      ir::Attributes a;
      a.set("kernel_shape", ir::Attribute::ofInts({cs.k}));
      a.set("strides", ir::Attribute::ofInts({cs.s}));
      a.set("dilations", ir::Attribute::ofInts({cs.d}));
      a.set("pads", ir::Attribute::ofInts({cs.pl, cs.pr}));
      act.setOn(a); // makes the node a FusedConv
      auto ins = inputs(in(std::move(x)), in(std::move(w), true));
      if (cs.bias) ins.push_back(in(std::move(b), true));
      const auto label = QString("conv1d n%1 c%2 m%3 iw%4 k%5 s%6 d%7 p%8,%9 %10")
                             .arg(cs.n)
                             .arg(cs.c)
                             .arg(cs.m)
                             .arg(cs.iw)
                             .arg(cs.k)
                             .arg(cs.s)
                             .arg(cs.d)
                             .arg(cs.pl)
                             .arg(cs.pr)
                             .arg(cs.act);
      auto outs = runOp("Conv", 13, std::move(ins), {out({cs.n, cs.m, ow})}, a);
      if (!outs) QFAIL(qPrintable(label + ": " + QString::fromStdString(outs.error().str())));
      std::string why;
      if (!allClose((*outs)[0], ref, &why, 1e-4f, 1e-4f)) QFAIL(qPrintable(label + ": " + QString::fromStdString(why)));
    }
  }
};

int runPerfPathTests(int argc, char** argv) {
  TestPerfPaths t;
  return QTest::qExec(&t, argc, argv);
}

#include "test_perf_paths.moc"
