// Normalisations (BatchNormalization, InstanceNormalization, LayerNormalization with optional outputs,
// LpNormalization, LRN) and the softmax family (Softmax, LogSoftmax, Hardmax; opset < 13 coercion vs
// opset >= 13 axis semantics) against naive loops.
#include <QtTest>

#include <limits>

#include "harness.h"
#include "reference.h"

using namespace gs;
using namespace gs::test;

namespace {

std::vector<int64_t> randomDims(std::mt19937& rng, std::size_t minRank, std::size_t maxRank, int64_t maxDim = 6) {
  std::vector<int64_t> d(
      static_cast<std::size_t>(randInt(rng, static_cast<int64_t>(minRank), static_cast<int64_t>(maxRank))));
  for (auto& x : d)
    x = randInt(rng, 1, maxDim);
  return d;
}

// [outer, n, inner] split of dims around axis (or coerced to 2-D when `coerce`).
void split(const std::vector<int64_t>& d, std::size_t axis, bool coerce, int64_t& outer, int64_t& n, int64_t& inner) {
  outer = 1;
  n = 1;
  inner = 1;
  for (std::size_t i = 0; i < d.size(); ++i) {
    if (i < axis)
      outer *= d[i];
    else if (i == axis || coerce)
      n *= d[i];
    else
      inner *= d[i];
  }
}

} // namespace

class TestNormSoftmax : public QObject {
  Q_OBJECT

private slots:
  void batchNorm() {
    std::mt19937 rng(21);
    for (int i = 0; i < 20; ++i) {
      auto d = randomDims(rng, 2, 5);
      const int64_t c = d[1];
      auto x = randomTensor(d, rng);
      auto s = randomTensor({c}, rng), b = randomTensor({c}, rng), m = randomTensor({c}, rng);
      auto v = randomTensor({c}, rng, 0.1f, 2.0f);
      const float eps = i % 2 ? 1e-5f : 1e-3f;
      std::vector<float> ref(static_cast<std::size_t>(x.numel()));
      const int64_t inner = numelOf(d) / (d[0] * c);
      for (std::size_t k = 0; k < ref.size(); ++k) {
        const auto ch = static_cast<int64_t>(k) / inner % c;
        ref[k] = (x.as<float>()[k] - m.as<float>()[ch]) / std::sqrt(v.as<float>()[ch] + eps) * s.as<float>()[ch] +
                 b.as<float>()[ch];
      }
      ir::Attributes a;
      a.set("epsilon", ir::Attribute::ofFloat(eps));
      const bool constant = i % 2 == 0;
      GS_ASSIGN_OK(auto outs, runOp("BatchNormalization", 9,
                                    inputs(in(std::move(x)), in(std::move(s), constant), in(std::move(b), constant),
                                           in(std::move(m), constant), in(std::move(v), constant)),
                                    {out(d)}, a));
      GS_EXPECT_CLOSE(outs[0], ref, "batchnorm " + std::to_string(i));
    }
  }

  void instanceNorm() {
    std::mt19937 rng(22);
    for (int i = 0; i < 12; ++i) {
      auto d = randomDims(rng, 3, 5, 7);
      const int64_t c = d[1], inner = numelOf(d) / (d[0] * d[1]);
      auto x = randomTensor(d, rng);
      auto s = randomTensor({c}, rng), b = randomTensor({c}, rng);
      std::vector<float> ref(static_cast<std::size_t>(x.numel()));
      for (int64_t p = 0; p < d[0] * c; ++p) {
        double mean = 0.0, var = 0.0;
        for (int64_t k = 0; k < inner; ++k)
          mean += x.as<float>()[p * inner + k];
        mean /= static_cast<double>(inner);
        for (int64_t k = 0; k < inner; ++k)
          var += (x.as<float>()[p * inner + k] - mean) * (x.as<float>()[p * inner + k] - mean);
        var /= static_cast<double>(inner);
        for (int64_t k = 0; k < inner; ++k)
          ref[static_cast<std::size_t>(p * inner + k)] =
              static_cast<float>((x.as<float>()[p * inner + k] - mean) / std::sqrt(var + 1e-5)) * s.as<float>()[p % c] +
              b.as<float>()[p % c];
      }
      GS_ASSIGN_OK(auto outs,
                   runOp("InstanceNormalization", 6,
                         inputs(in(std::move(x)), in(std::move(s), true), in(std::move(b), true)), {out(d)}));
      GS_EXPECT_CLOSE(outs[0], ref, "instancenorm " + std::to_string(i));
    }
  }

  void layerNorm() {
    std::mt19937 rng(23);
    for (int i = 0; i < 20; ++i) {
      auto d = randomDims(rng, 1, 4, 9);
      const auto r = static_cast<int64_t>(d.size());
      const int64_t axis = randInt(rng, -r, r - 1);
      const auto a = static_cast<std::size_t>(axis < 0 ? axis + r : axis);
      std::vector<int64_t> nd(d.begin() + static_cast<std::ptrdiff_t>(a), d.end());
      int64_t outer, n, inner;
      split(d, a, true, outer, n, inner);
      auto x = randomTensor(d, rng);
      auto s = randomTensor(nd, rng), b = randomTensor(nd, rng);
      const bool withBias = i % 3 != 0, withStats = i % 2 == 0;
      std::vector<float> ref, refMean, refInv;
      for (int64_t o = 0; o < outer; ++o) {
        double mean = 0.0, var = 0.0;
        for (int64_t k = 0; k < n; ++k)
          mean += x.as<float>()[o * n + k];
        mean /= static_cast<double>(n);
        for (int64_t k = 0; k < n; ++k)
          var += (x.as<float>()[o * n + k] - mean) * (x.as<float>()[o * n + k] - mean);
        var /= static_cast<double>(n);
        const double inv = 1.0 / std::sqrt(var + 1e-5);
        for (int64_t k = 0; k < n; ++k)
          ref.push_back(static_cast<float>((x.as<float>()[o * n + k] - mean) * inv * s.as<float>()[k] +
                                           (withBias ? b.as<float>()[k] : 0.0f)));
        refMean.push_back(static_cast<float>(mean));
        refInv.push_back(static_cast<float>(inv));
      }
      std::vector<int64_t> statDims = d;
      for (std::size_t k = a; k < statDims.size(); ++k)
        statDims[k] = 1;
      ir::Attributes at;
      at.set("axis", ir::Attribute::ofInt(axis));
      auto ins = inputs(in(std::move(x)), in(std::move(s), true));
      if (withBias) ins.push_back(in(std::move(b), true));
      std::vector<OutSpec> outs{out(d)};
      if (withStats) {
        outs.push_back(out(statDims));
        outs.push_back(out(statDims));
      }
      GS_ASSIGN_OK(auto res, runOp("LayerNormalization", 17, std::move(ins), outs, at));
      GS_EXPECT_CLOSE(res[0], ref, "layernorm " + std::to_string(i));
      if (withStats) {
        GS_EXPECT_CLOSE(res[1], refMean, "layernorm mean");
        GS_EXPECT_CLOSE(res[2], refInv, "layernorm invstddev");
      }
    }
  }

  void lpNormAndLrn() {
    std::mt19937 rng(24);
    for (int i = 0; i < 16; ++i) {
      auto d = randomDims(rng, 2, 4, 7);
      const auto r = static_cast<int64_t>(d.size());
      const int64_t axis = randInt(rng, -r, r - 1), p = i % 2 + 1;
      int64_t outer, n, inner;
      split(d, static_cast<std::size_t>(axis < 0 ? axis + r : axis), false, outer, n, inner);
      auto x = randomTensor(d, rng);
      std::vector<float> ref(static_cast<std::size_t>(x.numel()));
      for (int64_t o = 0; o < outer; ++o)
        for (int64_t k = 0; k < inner; ++k) {
          double norm = 0.0;
          for (int64_t j = 0; j < n; ++j) {
            const float v = x.as<float>()[(o * n + j) * inner + k];
            norm += p == 1 ? std::abs(v) : v * v;
          }
          if (p == 2) norm = std::sqrt(norm);
          for (int64_t j = 0; j < n; ++j)
            ref[static_cast<std::size_t>((o * n + j) * inner + k)] =
                static_cast<float>(x.as<float>()[(o * n + j) * inner + k] / norm);
        }
      ir::Attributes a;
      a.set("axis", ir::Attribute::ofInt(axis));
      a.set("p", ir::Attribute::ofInt(p));
      GS_ASSIGN_OK(auto outs, runOp("LpNormalization", 1, inputs(in(HostTensor::fromIr(toIr(x)))), {out(d)}, a));
      GS_EXPECT_CLOSE(outs[0], ref, "lpnorm " + std::to_string(i));

      // LRN across channels (axis 1) of the same data.
      const int64_t size = randInt(rng, 1, 5), c = d[1], sp = numelOf(d) / (d[0] * c);
      const float alpha = 2e-2f, beta = 0.75f, bias = 1.5f;
      std::vector<float> lrn(static_cast<std::size_t>(x.numel()));
      for (int64_t b = 0; b < d[0]; ++b)
        for (int64_t ch = 0; ch < c; ++ch)
          for (int64_t k = 0; k < sp; ++k) {
            double sq = 0.0;
            for (int64_t j = std::max<int64_t>(0, ch - (size - 1) / 2); j <= std::min(c - 1, ch + size / 2); ++j)
              sq += std::pow(x.as<float>()[(b * c + j) * sp + k], 2.0);
            const auto idx = static_cast<std::size_t>((b * c + ch) * sp + k);
            lrn[idx] =
                static_cast<float>(x.as<float>()[idx] / std::pow(bias + alpha / static_cast<double>(size) * sq, beta));
          }
      ir::Attributes la;
      la.set("size", ir::Attribute::ofInt(size));
      la.set("alpha", ir::Attribute::ofFloat(alpha));
      la.set("beta", ir::Attribute::ofFloat(beta));
      la.set("bias", ir::Attribute::ofFloat(bias));
      GS_ASSIGN_OK(auto lo, runOp("LRN", 13, inputs(in(std::move(x))), {out(d)}, la));
      GS_EXPECT_CLOSE(lo[0], lrn, "lrn " + std::to_string(i));
    }
  }

  void softmaxFamily() {
    std::mt19937 rng(25);
    for (int i = 0; i < 36; ++i) {
      auto d = randomDims(rng, 1, 4, 9);
      const auto r = static_cast<int64_t>(d.size());
      const int64_t opset = i % 2 ? 11 : 13;
      const int64_t axis = randInt(rng, -r, r - 1);
      int64_t outer, n, inner;
      split(d, static_cast<std::size_t>(axis < 0 ? axis + r : axis), opset < 13, outer, n, inner);
      auto x = randomTensor(d, rng, -4.0f, 4.0f);
      if (i % 6 == 0 && x.numel() > 1) x.as<float>()[1] = x.as<float>()[0]; // ties for Hardmax
      std::vector<float> sm(static_cast<std::size_t>(x.numel())), lsm(sm.size()), hm(sm.size());
      for (int64_t o = 0; o < outer; ++o)
        for (int64_t k = 0; k < inner; ++k) {
          auto at = [&](int64_t j) { return static_cast<std::size_t>((o * n + j) * inner + k); };
          float mx = -std::numeric_limits<float>::infinity();
          int64_t best = 0;
          for (int64_t j = 0; j < n; ++j)
            if (x.as<float>()[at(j)] > mx) {
              mx = x.as<float>()[at(j)];
              best = j;
            }
          double sum = 0.0;
          for (int64_t j = 0; j < n; ++j)
            sum += std::exp(static_cast<double>(x.as<float>()[at(j)] - mx));
          for (int64_t j = 0; j < n; ++j) {
            const double e = x.as<float>()[at(j)] - mx;
            sm[at(j)] = static_cast<float>(std::exp(e) / sum);
            lsm[at(j)] = static_cast<float>(e - std::log(sum));
            hm[at(j)] = j == best ? 1.0f : 0.0f;
          }
        }
      ir::Attributes a;
      a.set("axis", ir::Attribute::ofInt(axis));
      const auto label = " case " + std::to_string(i) + " opset " + std::to_string(opset);
      GS_ASSIGN_OK(auto s, runOp("Softmax", opset, inputs(in(HostTensor::fromIr(toIr(x)))), {out(d)}, a));
      GS_EXPECT_CLOSE(s[0], sm, "softmax" + label);
      GS_ASSIGN_OK(auto l, runOp("LogSoftmax", opset, inputs(in(HostTensor::fromIr(toIr(x)))), {out(d)}, a));
      GS_EXPECT_CLOSE(l[0], lsm, "logsoftmax" + label);
      GS_ASSIGN_OK(auto h, runOp("Hardmax", opset, inputs(in(std::move(x))), {out(d)}, a));
      GS_EXPECT_CLOSE(h[0], hm, "hardmax" + label);
    }
  }
};

int runNormSoftmaxTests(int argc, char** argv) {
  TestNormSoftmax t;
  return QTest::qExec(&t, argc, argv);
}

#include "test_norm_softmax.moc"
