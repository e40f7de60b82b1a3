// The long-tail kernels against plain references: arithmetic, Max/Min/Sum and Clip over every
// numeric dtype on random broadcast shapes; float64 reductions and Einsum-free paths; the window
// functions; DFT and STFT against the O(n^2) definition (power-of-two and other lengths, inverse,
// onesided, dft_length); MelWeightMatrix's shape and partition; Unique against a std::map reference
// (sorted and not, with axis); NonMaxSuppression against a brute-force greedy selection; Det against
// cofactor expansion; MaxUnpool as MaxPool's inverse; GridSample and RoiAlign on images whose samples
// are known; TfIdfVectorizer on hand-counted n-grams; the optimizers against their formulas; and
// training-mode Dropout (NumPy's seeded stream, keep ratio, scaling, mask).
#include <QtTest>

#include <cmath>
#include <complex>
#include <map>
#include <numbers>
#include <set>

#include "harness.h"

using namespace kt;

namespace {

template <class T> HostTensor randomOf(const Dims& dims, int64_t lo, int64_t hi) {
  if constexpr (std::is_floating_point_v<T>) {
    HostTensor t(gs::ir::dtypeOf<T>(), dims);
    std::uniform_real_distribution<double> u(static_cast<double>(lo), static_cast<double>(hi));
    for (int64_t i = 0; i < t.numel(); ++i)
      t.as<T>()[i] = static_cast<T>(u(rng()));
    return t;
  } else {
    return randomInt<T>(dims, lo, hi);
  }
}

// A random pair of shapes that broadcast, and their result.
std::tuple<Dims, Dims, Dims> broadcastPair() {
  const int rank = static_cast<int>(randInt(0, 4));
  Dims out = randomDims(rank, 1, 4), a = out, b = out;
  for (int d = 0; d < rank; ++d) {
    const auto k = randInt(0, 2);
    if (k == 1) a[static_cast<std::size_t>(d)] = 1;
    if (k == 2) b[static_cast<std::size_t>(d)] = 1;
  }
  if (rank > 0 && randInt(0, 1)) b.erase(b.begin()); // lower rank on one side
  // The result by numpy's rule (a dim of 1 against a missing one stays 1).
  for (std::size_t d = 0; d < out.size(); ++d) {
    const std::size_t bd = d + b.size() - out.size(); // wraps when b has no such dim
    const int64_t bv = d + b.size() >= out.size() ? b[bd] : 1;
    out[d] = std::max(a[d], bv);
  }
  return {a, b, out};
}

template <class T> T refArith(const std::string& op, T x, T y) {
  if (op == "Add") return static_cast<T>(x + y);
  if (op == "Sub") return static_cast<T>(x - y);
  if (op == "Mul") return static_cast<T>(x * y);
  if (op == "Max") return x < y ? y : x;
  if (op == "Min") return y < x ? y : x;
  if (op == "Div") {
    if constexpr (std::is_integral_v<T>) return y == 0 ? T{0} : static_cast<T>(x / y);
    return static_cast<T>(x / y);
  }
  // Mod (fmod = 0): the sign of the divisor.
  if constexpr (std::is_integral_v<T>) {
    if (y == 0) return T{0};
    T r = static_cast<T>(x % y);
    if constexpr (std::is_signed_v<T>)
      if (r != 0 && ((r < 0) != (y < 0))) r = static_cast<T>(r + y);
    return r;
  } else {
    T r = std::fmod(x, y);
    if (r != 0 && ((r < 0) != (y < 0))) r += y;
    return r;
  }
}

template <class T> void arithmeticOf(const char* typeName) {
  const bool isFloat = std::is_floating_point_v<T>;
  const int64_t lo = std::is_signed_v<T> ? -50 : 0, hi = 100;
  for (const std::string op : {"Add", "Sub", "Mul", "Div", "Mod", "Max", "Min"}) {
    for (int rep = 0; rep < 6; ++rep) {
      auto [da, db, dout] = broadcastPair();
      HostTensor a = randomOf<T>(da, lo, hi), b = randomOf<T>(db, lo, hi);
      if (op == "Div" || op == "Mod")
        for (int64_t i = 0; i < b.numel(); ++i)
          if (b.as<T>()[i] == T{0}) b.as<T>()[i] = T{3};
      HostTensor want(a.dtype(), dout);
      for (int64_t i = 0; i < want.numel(); ++i) {
        const Dims idx = unravel(i, dout);
        want.as<T>()[i] = refArith<T>(op, a.as<T>()[broadcastIndex(idx, da)], b.as<T>()[broadcastIndex(idx, db)]);
      }
      OpSpec s(op, 13);
      s.in(copyOf(a)).in(copyOf(b)).out(a.dtype());
      const auto msg = check(s, want, isFloat ? 1e-6 : 0, isFloat ? 1e-6 : 0);
      QVERIFY2(msg.empty(), (op + " " + typeName + " " + str(da) + " " + str(db) + ": " + msg).c_str());
    }
  }
  // Clip with both bounds, and Sum of three inputs.
  const Dims d = randomDims(static_cast<int>(randInt(1, 3)));
  HostTensor x = randomOf<T>(d, lo, hi);
  const T cl = static_cast<T>(std::is_signed_v<T> ? -10 : 10), ch = static_cast<T>(60);
  HostTensor clipped(x.dtype(), d), sum(x.dtype(), d);
  for (int64_t i = 0; i < x.numel(); ++i) {
    const T v = x.as<T>()[i];
    clipped.as<T>()[i] = v < cl ? cl : (v > ch ? ch : v);
    sum.as<T>()[i] = static_cast<T>(static_cast<T>(v + v) + v);
  }
  OpSpec c("Clip", 13);
  c.in(copyOf(x)).in(scalar<T>(cl)).in(scalar<T>(ch)).out(x.dtype());
  KT_OK(check(c, clipped));
  OpSpec s3("Sum", 13);
  s3.in(copyOf(x)).in(copyOf(x)).in(copyOf(x)).out(x.dtype());
  KT_OK(check(s3, sum, 1e-6, 1e-6));
}

std::vector<std::complex<double>> naiveDft(const std::vector<std::complex<double>>& x, int64_t n, bool inverse) {
  std::vector<std::complex<double>> y(static_cast<std::size_t>(n));
  for (int64_t k = 0; k < n; ++k) {
    std::complex<double> acc;
    for (int64_t j = 0; j < n; ++j) {
      const auto v = j < static_cast<int64_t>(x.size()) ? x[static_cast<std::size_t>(j)] : std::complex<double>{};
      const double ang = (inverse ? 2 : -2) * std::numbers::pi * static_cast<double>(j * k) / static_cast<double>(n);
      acc += v * std::polar(1.0, ang);
    }
    y[static_cast<std::size_t>(k)] = inverse ? acc / static_cast<double>(n) : acc;
  }
  return y;
}

double det3(const std::vector<double>& a, int64_t m) {
  if (m == 1) return a[0];
  double d = 0;
  for (int64_t c = 0; c < m; ++c) {
    std::vector<double> minor;
    for (int64_t r = 1; r < m; ++r)
      for (int64_t k = 0; k < m; ++k)
        if (k != c) minor.push_back(a[static_cast<std::size_t>(r * m + k)]);
    d += (c % 2 ? -1 : 1) * a[static_cast<std::size_t>(c)] * det3(minor, m - 1);
  }
  return d;
}

} // namespace

class TestTail : public QObject {
  Q_OBJECT

private slots:
  void arithmeticEveryDtype() {
    arithmeticOf<float>("float32");
    arithmeticOf<double>("float64");
    arithmeticOf<int8_t>("int8");
    arithmeticOf<int16_t>("int16");
    arithmeticOf<int32_t>("int32");
    arithmeticOf<int64_t>("int64");
    arithmeticOf<uint8_t>("uint8");
    arithmeticOf<uint16_t>("uint16");
    arithmeticOf<uint32_t>("uint32");
    arithmeticOf<uint64_t>("uint64");
  }

  void float64ReduceAndPow() {
    const Dims d{3, 4, 5};
    HostTensor x = randomOf<double>(d, -3, 3);
    HostTensor want(DataType::Float64, {3, 1, 5});
    for (int64_t i = 0; i < 3; ++i)
      for (int64_t k = 0; k < 5; ++k) {
        double s = 0;
        for (int64_t j = 0; j < 4; ++j)
          s += std::exp(x.as<double>()[(i * 4 + j) * 5 + k]);
        want.as<double>()[i * 5 + k] = std::log(s);
      }
    OpSpec s("ReduceLogSumExp", 13);
    s.in(copyOf(x)).attrInts("axes", {1}).attrInt("keepdims", 1).out(DataType::Float64);
    KT_OK(check(s, want, 1e-12, 1e-12));
    HostTensor e = make<uint32_t>({1}, {3});
    HostTensor f = randomFloat({2, 3});
    HostTensor cubed(DataType::Float32, {2, 3});
    for (int64_t i = 0; i < 6; ++i)
      cubed.as<float>()[i] = static_cast<float>(std::pow(f.as<float>()[i], 3.0f));
    OpSpec p("Pow", 15);
    p.in(copyOf(f)).in(copyOf(e)).out(DataType::Float32);
    KT_OK(check(p, cubed));
  }

  void windows() {
    for (const char* op : {"HannWindow", "HammingWindow", "BlackmanWindow"})
      for (int periodic = 0; periodic <= 1; ++periodic)
        for (int64_t size : {1, 2, 7, 16}) {
          const double n = static_cast<double>(periodic ? size : size - 1);
          HostTensor want(DataType::Float32, {size});
          for (int64_t i = 0; i < size; ++i) {
            const double x = n > 0 ? 2 * std::numbers::pi * static_cast<double>(i) / n : 0.0;
            const std::string o = op;
            const double v = o == "HannWindow"      ? std::pow(std::sin(x / 2), 2)
                             : o == "HammingWindow" ? 0.54347826086956519 - 0.45652173913043481 * std::cos(x)
                                                    : 0.42 - 0.5 * std::cos(x) + 0.08 * std::cos(2 * x);
            want.as<float>()[i] = static_cast<float>(v);
          }
          OpSpec s(op, 17);
          s.in(scalar<int32_t>(static_cast<int32_t>(size))).attrInt("periodic", periodic).out(DataType::Float32);
          KT_OK(check(s, want, 1e-5, 1e-6));
        }
  }

  void dftAgainstDefinition() {
    for (int64_t len : {1, 2, 5, 8, 12, 16, 31}) {
      for (int complexIn = 0; complexIn <= 1; ++complexIn)
        for (int inverse = 0; inverse <= 1; ++inverse)
          for (int onesided = 0; onesided <= (complexIn || inverse ? 0 : 1); ++onesided) {
            const int64_t batch = 2, comps = complexIn ? 2 : 1;
            HostTensor x = randomFloat({batch, len, comps}, -1, 1);
            const int64_t outLen = onesided ? len / 2 + 1 : len;
            HostTensor want(DataType::Float32, {batch, outLen, 2});
            for (int64_t b = 0; b < batch; ++b) {
              std::vector<std::complex<double>> sig;
              for (int64_t k = 0; k < len; ++k) {
                const float* p = x.as<float>() + (b * len + k) * comps;
                sig.emplace_back(p[0], complexIn ? p[1] : 0.0f);
              }
              const auto y = naiveDft(sig, len, inverse != 0);
              for (int64_t k = 0; k < outLen; ++k) {
                want.as<float>()[(b * outLen + k) * 2] = static_cast<float>(y[static_cast<std::size_t>(k)].real());
                want.as<float>()[(b * outLen + k) * 2 + 1] = static_cast<float>(y[static_cast<std::size_t>(k)].imag());
              }
            }
            OpSpec s("DFT", 17);
            s.in(copyOf(x)).attrInt("axis", 1).attrInt("inverse", inverse).attrInt("onesided", onesided);
            s.out(DataType::Float32);
            const auto msg = check(s, want, 1e-4, 1e-4);
            QVERIFY2(msg.empty(), (std::to_string(len) + ": " + msg).c_str());
          }
    }
    // dft_length pads with zeros (and crops).
    for (int64_t n : {4, 9, 3}) {
      HostTensor x = randomFloat({1, 6, 1}, -1, 1);
      std::vector<std::complex<double>> sig;
      for (int64_t k = 0; k < std::min<int64_t>(6, n); ++k)
        sig.emplace_back(x.as<float>()[k], 0.0);
      const auto y = naiveDft(sig, n, false);
      HostTensor want(DataType::Float32, {1, n, 2});
      for (int64_t k = 0; k < n; ++k) {
        want.as<float>()[k * 2] = static_cast<float>(y[static_cast<std::size_t>(k)].real());
        want.as<float>()[k * 2 + 1] = static_cast<float>(y[static_cast<std::size_t>(k)].imag());
      }
      OpSpec s("DFT", 17);
      s.in(copyOf(x)).in(make<int64_t>({}, {n})).attrInt("axis", 1).out(DataType::Float32);
      KT_OK(check(s, want, 1e-4, 1e-4));
    }
  }

  void stftAgainstDefinition() {
    const int64_t len = 40, frame = 10, step = 7;
    HostTensor sig = randomFloat({2, len, 1}, -1, 1);
    HostTensor window = randomFloat({frame}, 0, 1);
    const int64_t frames = (len - frame) / step + 1, bins = frame / 2 + 1;
    HostTensor want(DataType::Float32, {2, frames, bins, 2});
    for (int64_t b = 0; b < 2; ++b)
      for (int64_t f = 0; f < frames; ++f) {
        std::vector<std::complex<double>> seg;
        for (int64_t k = 0; k < frame; ++k)
          seg.emplace_back(sig.as<float>()[b * len + f * step + k] * window.as<float>()[k], 0.0);
        const auto y = naiveDft(seg, frame, false);
        for (int64_t k = 0; k < bins; ++k) {
          want.as<float>()[((b * frames + f) * bins + k) * 2] =
              static_cast<float>(y[static_cast<std::size_t>(k)].real());
          want.as<float>()[((b * frames + f) * bins + k) * 2 + 1] =
              static_cast<float>(y[static_cast<std::size_t>(k)].imag());
        }
      }
    OpSpec s("STFT", 17);
    s.in(copyOf(sig)).in(make<int64_t>({}, {step})).in(copyOf(window)).out(DataType::Float32);
    KT_OK(check(s, want, 1e-4, 1e-4));
  }

  void melWeightMatrixShapeAndRange() {
    OpSpec s("MelWeightMatrix", 17);
    s.in(scalar<int32_t>(8))
        .in(scalar<int32_t>(64))
        .in(scalar<int32_t>(16000))
        .in(scalar<float>(0))
        .in(scalar<float>(8000))
        .out(DataType::Float32);
    auto r = runOp(s, {std::nullopt});
    QVERIFY2(r.has_value(), r ? "" : r.error().str().c_str());
    const auto& w = (*r)[0];
    QCOMPARE(w.dims(), (Dims{33, 8}));
    double total = 0;
    for (int64_t i = 0; i < w.numel(); ++i) {
      QVERIFY(w.as<float>()[i] >= 0 && w.as<float>()[i] <= 1);
      total += w.as<float>()[i];
    }
    QVERIFY(total >= 8); // every filter peaks at 1
  }

  void uniqueAgainstMap() {
    for (int sorted = 0; sorted <= 1; ++sorted)
      for (int rep = 0; rep < 5; ++rep) {
        HostTensor x = randomInt<int64_t>({randInt(1, 20)}, -3, 3);
        std::map<int64_t, std::pair<int64_t, int64_t>> seen; // value -> first index, count
        std::vector<int64_t> firstOrder;
        for (int64_t i = 0; i < x.numel(); ++i) {
          const auto v = x.as<int64_t>()[i];
          auto [it, fresh] = seen.try_emplace(v, i, 0);
          ++it->second.second;
          if (fresh) firstOrder.push_back(v);
        }
        std::vector<int64_t> order;
        if (sorted)
          for (auto& [v, fc] : seen)
            order.push_back(v);
        else
          order = firstOrder;
        const auto g = static_cast<int64_t>(order.size());
        HostTensor y(DataType::Int64, {g}), idx(DataType::Int64, {g}), inv(DataType::Int64, {x.numel()}),
            counts(DataType::Int64, {g});
        for (int64_t k = 0; k < g; ++k) {
          y.as<int64_t>()[k] = order[static_cast<std::size_t>(k)];
          idx.as<int64_t>()[k] = seen[order[static_cast<std::size_t>(k)]].first;
          counts.as<int64_t>()[k] = seen[order[static_cast<std::size_t>(k)]].second;
        }
        for (int64_t i = 0; i < x.numel(); ++i)
          inv.as<int64_t>()[i] = std::find(order.begin(), order.end(), x.as<int64_t>()[i]) - order.begin();
        OpSpec s("Unique", 11);
        s.in(copyOf(x)).attrInt("sorted", sorted);
        for (int o = 0; o < 4; ++o)
          s.out(DataType::Int64);
        KT_OK(check(s, {&y, &idx, &inv, &counts}));
      }
    // Rows of a matrix (axis 0), sorted lexicographically.
    HostTensor m = make<float>({4, 2}, {1, 2, 0, 5, 1, 2, 0, 1});
    HostTensor want = make<float>({3, 2}, {0, 1, 0, 5, 1, 2});
    OpSpec s("Unique", 11);
    s.in(copyOf(m)).attrInt("axis", 0).out(DataType::Float32);
    KT_OK(check(s, want));
  }

  void nmsAgainstGreedy() {
    for (int rep = 0; rep < 5; ++rep) {
      const int64_t n = randInt(1, 12), classes = randInt(1, 3);
      HostTensor boxes(DataType::Float32, {1, n, 4}), scores = randomFloat({1, classes, n}, 0, 1);
      for (int64_t i = 0; i < n; ++i) {
        const float y = static_cast<float>(randInt(0, 10)), x = static_cast<float>(randInt(0, 10));
        const float h = static_cast<float>(randInt(1, 5)), w = static_cast<float>(randInt(1, 5));
        float* b = boxes.as<float>() + i * 4;
        b[0] = y, b[1] = x, b[2] = y + h, b[3] = x + w;
      }
      const int64_t maxOut = randInt(1, 5);
      const float iouT = 0.3f, scoreT = 0.2f;
      auto iou = [&](int64_t a, int64_t b) {
        const float* p = boxes.as<float>() + a * 4;
        const float* q = boxes.as<float>() + b * 4;
        const double ih = std::max(0.0f, std::min(p[2], q[2]) - std::max(p[0], q[0]));
        const double iw = std::max(0.0f, std::min(p[3], q[3]) - std::max(p[1], q[1]));
        const double inter = ih * iw, ua = (p[2] - p[0]) * (p[3] - p[1]) + (q[2] - q[0]) * (q[3] - q[1]) - inter;
        return inter / ua;
      };
      std::vector<int64_t> sel;
      for (int64_t c = 0; c < classes; ++c) {
        std::vector<bool> used(static_cast<std::size_t>(n), false);
        std::vector<int64_t> kept;
        while (static_cast<int64_t>(kept.size()) < maxOut) {
          int64_t best = -1;
          for (int64_t i = 0; i < n; ++i) {
            const float sc = scores.as<float>()[c * n + i];
            if (used[static_cast<std::size_t>(i)] || sc <= scoreT) continue;
            if (best < 0 || sc > scores.as<float>()[c * n + best]) best = i;
          }
          if (best < 0) break;
          used[static_cast<std::size_t>(best)] = true;
          bool ok = true;
          for (auto k : kept)
            ok = ok && iou(k, best) <= iouT;
          if (!ok) continue;
          kept.push_back(best);
          sel.insert(sel.end(), {0, c, best});
        }
      }
      HostTensor want(DataType::Int64, {static_cast<int64_t>(sel.size() / 3), 3});
      for (std::size_t i = 0; i < sel.size(); ++i)
        want.as<int64_t>()[i] = sel[i];
      OpSpec s("NonMaxSuppression", 11);
      s.in(copyOf(boxes)).in(copyOf(scores)).in(make<int64_t>({1}, {maxOut})).in(make<float>({1}, {iouT}));
      s.in(make<float>({1}, {scoreT})).out(DataType::Int64);
      auto r = runOp(s, {std::nullopt});
      QVERIFY2(r.has_value(), r ? "" : r.error().str().c_str());
      KT_OK(compare((*r)[0], want, 0, 0));
    }
  }

  void detAgainstCofactors() {
    for (int64_t m : {1, 2, 3, 4}) {
      HostTensor x = randomOf<double>({3, m, m}, -2, 2);
      HostTensor want(DataType::Float64, {3});
      for (int64_t b = 0; b < 3; ++b) {
        std::vector<double> a(x.as<double>() + b * m * m, x.as<double>() + (b + 1) * m * m);
        want.as<double>()[b] = det3(a, m);
      }
      OpSpec s("Det", 11);
      s.in(copyOf(x)).out(DataType::Float64);
      KT_OK(check(s, want, 1e-9, 1e-9));
    }
  }

  void maxUnpoolInvertsMaxPool() {
    // 1x1x4x4 pooled 2x2 stride 2: the maxima go back to their places, zeros elsewhere.
    HostTensor x = randomFloat({1, 1, 4, 4});
    HostTensor pooled(DataType::Float32, {1, 1, 2, 2}), idx(DataType::Int64, {1, 1, 2, 2});
    HostTensor want(DataType::Float32, {1, 1, 4, 4});
    for (int64_t py = 0; py < 2; ++py)
      for (int64_t px = 0; px < 2; ++px) {
        int64_t best = py * 2 * 4 + px * 2;
        for (int64_t dy = 0; dy < 2; ++dy)
          for (int64_t dx = 0; dx < 2; ++dx) {
            const int64_t i = (py * 2 + dy) * 4 + px * 2 + dx;
            if (x.as<float>()[i] > x.as<float>()[best]) best = i;
          }
        pooled.as<float>()[py * 2 + px] = x.as<float>()[best];
        idx.as<int64_t>()[py * 2 + px] = best;
        want.as<float>()[best] = x.as<float>()[best];
      }
    OpSpec s("MaxUnpool", 11);
    s.in(copyOf(pooled)).in(copyOf(idx)).attrInts("kernel_shape", {2, 2}).attrInts("strides", {2, 2});
    s.out(DataType::Float32);
    KT_OK(check(s, want));
  }

  void gridSampleAtPixelCentres() {
    // align_corners = 1: grid points at -1 + 2k/(n-1) hit pixel centres, so every mode reads the pixels.
    HostTensor x = randomFloat({1, 2, 3, 4});
    HostTensor grid(DataType::Float32, {1, 3, 4, 2});
    for (int64_t i = 0; i < 3; ++i)
      for (int64_t j = 0; j < 4; ++j) {
        grid.as<float>()[(i * 4 + j) * 2] = -1.0f + 2.0f * static_cast<float>(j) / 3.0f;
        grid.as<float>()[(i * 4 + j) * 2 + 1] = -1.0f + 2.0f * static_cast<float>(i) / 2.0f;
      }
    for (const char* mode : {"bilinear", "nearest", "bicubic"})
      for (const char* pad : {"zeros", "border", "reflection"}) {
        OpSpec s("GridSample", 16);
        s.in(copyOf(x)).in(copyOf(grid)).attrInt("align_corners", 1).attrString("mode", mode);
        s.attrString("padding_mode", pad).out(DataType::Float32);
        const auto msg = check(s, x, 1e-4, 1e-5);
        QVERIFY2(msg.empty(), (std::string(mode) + "/" + pad + ": " + msg).c_str());
      }
    // Outside the image: zeros padding reads 0, border the edge pixel.
    HostTensor far = make<float>({1, 1, 1, 2}, {5.0f, 5.0f});
    HostTensor one = make<float>({1, 1, 2, 2}, {1, 2, 3, 4});
    OpSpec z("GridSample", 16);
    z.in(copyOf(one)).in(copyOf(far)).attrString("padding_mode", "zeros").out(DataType::Float32);
    KT_OK(check(z, make<float>({1, 1, 1, 1}, {0})));
    OpSpec b("GridSample", 16);
    b.in(copyOf(one)).in(copyOf(far)).attrString("padding_mode", "border").out(DataType::Float32);
    KT_OK(check(b, make<float>({1, 1, 1, 1}, {4})));
  }

  void roiAlignOnALinearImage() {
    // X(y, x) = x: bilinear sampling is exact, so each bin's average is its centre's x.
    HostTensor x(DataType::Float32, {1, 1, 8, 8});
    for (int64_t i = 0; i < 64; ++i)
      x.as<float>()[i] = static_cast<float>(i % 8);
    HostTensor rois = make<float>({1, 4}, {1, 1, 5, 5}); // x1 y1 x2 y2
    OpSpec s("RoiAlign", 16);
    s.in(copyOf(x)).in(copyOf(rois)).in(make<int64_t>({1}, {0})).attrInt("output_height", 2);
    s.attrInt("output_width", 2)
        .attrInt("sampling_ratio", 2)
        .attrString("coordinate_transformation_mode", "output_half_pixel");
    s.out(DataType::Float32);
    KT_OK(check(s, make<float>({1, 1, 2, 2}, {2, 4, 2, 4}), 1e-5, 1e-5));
  }

  void tfidfCounts() {
    // Pool: unigrams {2, 3}, bigram (2, 3). Tokens 2 3 2 3 5 2.
    OpSpec s("TfIdfVectorizer", 9);
    s.in(make<int64_t>({6}, {2, 3, 2, 3, 5, 2})).attrString("mode", "TF").attrInt("min_gram_length", 1);
    s.attrInt("max_gram_length", 2).attrInt("max_skip_count", 0).attrInts("ngram_counts", {0, 2});
    s.attrInts("ngram_indexes", {0, 1, 2}).attrInts("pool_int64s", {2, 3, 2, 3}).out(DataType::Float32);
    KT_OK(check(s, make<float>({3}, {3, 2, 2})));
    // With skips up to 1: (2, 3) also at positions 2 -> ... and (2, _, 2)? no: only (2,3) pairs count.
    OpSpec k("TfIdfVectorizer", 9);
    k.in(make<int64_t>({1, 4}, {2, 5, 3, 3})).attrString("mode", "TF").attrInt("min_gram_length", 2);
    k.attrInt("max_gram_length", 2).attrInt("max_skip_count", 1).attrInts("ngram_counts", {0, 0});
    k.attrInts("ngram_indexes", {0}).attrInts("pool_int64s", {2, 3}).out(DataType::Float32);
    KT_OK(check(k, make<float>({1, 1}, {1})));
  }

  void optimizersFollowTheirFormulas() {
    HostTensor x = randomFloat({5}), g = randomFloat({5}), v = randomFloat({5}), h = randomFloat({5}, 0.1f, 2);
    const double r = 0.1, norm = 0.01, alpha = 0.9, beta = 0.5;
    HostTensor xm(DataType::Float32, {5}), vm(DataType::Float32, {5});
    for (int64_t i = 0; i < 5; ++i) {
      const double gr = norm * x.as<float>()[i] + g.as<float>()[i];
      const double vn = alpha * v.as<float>()[i] + beta * gr;
      vm.as<float>()[i] = static_cast<float>(vn);
      xm.as<float>()[i] = static_cast<float>(x.as<float>()[i] - r * vn);
    }
    OpSpec m("Momentum", 17);
    m.domain = "ai.onnx.preview.training";
    m.in(scalar<float>(0.1f)).in(scalar<int64_t>(3)).in(copyOf(x)).in(copyOf(g)).in(copyOf(v));
    m.attrFloat("alpha", 0.9f).attrFloat("beta", 0.5f).attrFloat("norm_coefficient", 0.01f);
    m.attrString("mode", "standard").out(DataType::Float32).out(DataType::Float32);
    KT_OK(check(m, {&xm, &vm}, 1e-5, 1e-6));
    HostTensor xa(DataType::Float32, {5}), ha(DataType::Float32, {5});
    for (int64_t i = 0; i < 5; ++i) {
      const double gr = norm * x.as<float>()[i] + g.as<float>()[i];
      const double hn = h.as<float>()[i] + gr * gr;
      ha.as<float>()[i] = static_cast<float>(hn);
      xa.as<float>()[i] = static_cast<float>(x.as<float>()[i] - (r / (1 + 3 * 0.2)) * gr / (std::sqrt(hn) + 1e-6));
    }
    OpSpec a("Adagrad", 17);
    a.domain = "ai.onnx.preview.training";
    a.in(scalar<float>(0.1f)).in(scalar<int64_t>(3)).in(copyOf(x)).in(copyOf(g)).in(copyOf(h));
    a.attrFloat("decay_factor", 0.2f).attrFloat("norm_coefficient", 0.01f).attrFloat("epsilon", 1e-6f);
    a.out(DataType::Float32).out(DataType::Float32);
    KT_OK(check(a, {&xa, &ha}, 1e-5, 1e-6));
  }

  void trainingDropout() {
    // seed 0: NumPy's RandomState(0).random_sample() begins 0.5488135, 0.7151894, 0.6027634, 0.5448832,
    // 0.4236548, 0.6458941; ratio 0.6 keeps draws >= 0.6 and scales by 2.5.
    HostTensor x = make<float>({6}, {1, 2, 3, 4, 5, 6});
    HostTensor y = make<float>({6}, {0, 5, 7.5f, 0, 0, 15});
    HostTensor mask = make<bool>({6}, {false, true, true, false, false, true});
    OpSpec s("Dropout", 13);
    s.in(copyOf(x)).in(scalar<float>(0.6f)).in(scalar<bool>(true)).attrInt("seed", 0);
    s.out(DataType::Float32).out(DataType::Bool);
    KT_OK(check(s, {&y, &mask}));
    // Unseeded: about 1 - ratio kept, each kept element scaled, the mask agreeing.
    HostTensor big = randomFloat({20000}, 1, 2);
    OpSpec u("Dropout", 13);
    u.in(copyOf(big)).in(scalar<float>(0.25f)).in(scalar<bool>(true)).out(DataType::Float32).out(DataType::Bool);
    auto r = runOp(u, {Dims{20000}, Dims{20000}});
    QVERIFY2(r.has_value(), r ? "" : r.error().str().c_str());
    int64_t kept = 0;
    for (int64_t i = 0; i < 20000; ++i) {
      const bool k = (*r)[1].as<bool>()[i];
      kept += k;
      const float want = k ? big.as<float>()[i] / 0.75f : 0.0f;
      QVERIFY(std::abs((*r)[0].as<float>()[i] - want) < 1e-5f);
    }
    QVERIFY2(kept > 14500 && kept < 15500, std::to_string(kept).c_str());
    // A ratio of 1 or more has no scale: refused.
    OpSpec bad("Dropout", 13);
    bad.in(copyOf(x)).in(scalar<float>(1.0f)).in(scalar<bool>(true)).out(DataType::Float32);
    KT_OK(expectFailure(bad, {Dims{6}}));
  }
};

int runTailTests(int argc, char** argv) {
  TestTail t;
  return QTest::qExec(&t, argc, argv);
}

#include "test_tail.moc"
