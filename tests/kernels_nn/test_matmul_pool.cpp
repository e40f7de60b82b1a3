// MatMul (broadcasting, 1-D operands, constant weights, activations), Gemm (transposes, alpha, beta, every
// C broadcast) and the pools (MaxPool with Indices and storage_order, AveragePool with
// count_include_pad, ceil_mode, dilations, auto_pad; global pools) against naive loops.
#include <QtTest>

#include <limits>

#include "harness.h"
#include "reference.h"

using namespace gs;
using namespace gs::test;

namespace {

// Reference batched matmul with numpy broadcasting; dims after 1-D promotion are returned in yDims.
std::vector<float> refMatMul(const HostTensor& a, const HostTensor& b, std::vector<int64_t>& yDims,
                             const RefActivation& act) {
  auto ad = a.dims(), bd = b.dims();
  const bool aVec = ad.size() == 1, bVec = bd.size() == 1;
  if (aVec) ad.insert(ad.begin(), 1);
  if (bVec) bd.push_back(1);
  const std::size_t r = std::max(ad.size(), bd.size());
  ad.insert(ad.begin(), r - ad.size(), 1);
  bd.insert(bd.begin(), r - bd.size(), 1);
  const int64_t m = ad[r - 2], k = ad[r - 1], n = bd[r - 1];
  std::vector<int64_t> batch(r - 2);
  for (std::size_t i = 0; i + 2 < r; ++i)
    batch[i] = std::max(ad[i], bd[i]);
  const auto as = stridesOf(ad), bs = stridesOf(bd);
  const int64_t nb = numelOf(batch);
  std::vector<float> y(static_cast<std::size_t>(nb * m * n));
  for (int64_t bi = 0; bi < nb; ++bi) {
    int64_t rem = bi, aOff = 0, bOff = 0;
    for (std::size_t i = r - 2; i-- > 0;) {
      const int64_t idx = rem % batch[i];
      rem /= batch[i];
      aOff += (ad[i] == 1 ? 0 : idx) * as[i];
      bOff += (bd[i] == 1 ? 0 : idx) * bs[i];
    }
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        double s = 0.0;
        for (int64_t p = 0; p < k; ++p)
          s += static_cast<double>(a.as<float>()[aOff + i * k + p]) * b.as<float>()[bOff + p * n + j];
        y[static_cast<std::size_t>((bi * m + i) * n + j)] = act.apply(static_cast<float>(s));
      }
  }
  yDims = batch;
  if (!aVec) yDims.push_back(m);
  if (!bVec) yDims.push_back(n);
  return y;
}

struct PoolCase {
  std::vector<int64_t> x, k, s, d, pl, pr;
  bool ceil = false, includePad = false;
  std::string autoPad = "NOTSET";
  int64_t storageOrder = 0;
};

// Output spatial sizes and begin pads (ceil_mode drops a last window that would start in the right pad).
void poolGeometry(const PoolCase& pc, std::vector<int64_t>& out, std::vector<int64_t>& pl, std::vector<int64_t>& pr) {
  out.clear();
  pl = pc.pl;
  pr = pc.pr;
  for (std::size_t i = 0; i < pc.k.size(); ++i) {
    const int64_t in = pc.x[i + 2], ext = (pc.k[i] - 1) * pc.d[i] + 1;
    if (pc.autoPad == "SAME_UPPER" || pc.autoPad == "SAME_LOWER") {
      const int64_t o = (in + pc.s[i] - 1) / pc.s[i];
      const int64_t total = std::max<int64_t>(0, (o - 1) * pc.s[i] + ext - in);
      pl[i] = pc.autoPad == "SAME_UPPER" ? total / 2 : total - total / 2;
      pr[i] = total - pl[i];
      out.push_back(o);
      continue;
    }
    if (pc.autoPad == "VALID") pl[i] = pr[i] = 0;
    const int64_t span = in + pl[i] + pr[i] - ext;
    int64_t o = (pc.ceil ? (span + pc.s[i] - 1) / pc.s[i] : span / pc.s[i]) + 1;
    if (pc.ceil && (o - 1) * pc.s[i] >= in + pl[i]) --o;
    out.push_back(o);
  }
}

// Reference pooling over up to 3 spatial dims; indices as ONNX defines them.
void refPool(const PoolCase& pc, bool isMax, const HostTensor& x, std::vector<float>& y, std::vector<int64_t>& idx,
             std::vector<int64_t>& yDims) {
  std::vector<int64_t> out, pl, pr;
  poolGeometry(pc, out, pl, pr);
  yDims = {pc.x[0], pc.x[1]};
  yDims.insert(yDims.end(), out.begin(), out.end());
  int64_t in3[3] = {1, 1, 1}, o3[3] = {1, 1, 1}, k3[3] = {1, 1, 1}, s3[3] = {1, 1, 1}, d3[3] = {1, 1, 1},
          l3[3] = {0, 0, 0}, r3[3] = {0, 0, 0};
  const std::size_t sp = pc.k.size();
  for (std::size_t i = 0; i < sp; ++i) {
    in3[i] = pc.x[i + 2];
    o3[i] = out[i];
    k3[i] = pc.k[i];
    s3[i] = pc.s[i];
    d3[i] = pc.d[i];
    l3[i] = pl[i];
    r3[i] = pr[i];
  }
  const int64_t planes = pc.x[0] * pc.x[1], inPlane = in3[0] * in3[1] * in3[2];
  for (int64_t p = 0; p < planes; ++p)
    for (int64_t a = 0; a < o3[0]; ++a)
      for (int64_t b = 0; b < o3[1]; ++b)
        for (int64_t c = 0; c < o3[2]; ++c) {
          double acc = 0.0;
          float best = -std::numeric_limits<float>::infinity();
          int64_t bestIdx = 0, count = 0, padCount = 1;
          const int64_t st[3] = {a * s3[0] - l3[0], b * s3[1] - l3[1], c * s3[2] - l3[2]};
          for (int j = 0; j < 3; ++j) {
            int64_t n = 0;
            for (int64_t t = 0; t < k3[j]; ++t) {
              const int64_t pos = st[j] + t * d3[j];
              if (pos < in3[j] + r3[j]) ++n;
            }
            padCount *= n;
          }
          for (int64_t u = 0; u < k3[0]; ++u)
            for (int64_t v = 0; v < k3[1]; ++v)
              for (int64_t w = 0; w < k3[2]; ++w) {
                const int64_t i0 = st[0] + u * d3[0], i1 = st[1] + v * d3[1], i2 = st[2] + w * d3[2];
                if (i0 < 0 || i1 < 0 || i2 < 0 || i0 >= in3[0] || i1 >= in3[1] || i2 >= in3[2]) continue;
                const float val = x.as<float>()[p * inPlane + (i0 * in3[1] + i1) * in3[2] + i2];
                acc += val;
                ++count;
                if (val > best) {
                  best = val;
                  const int64_t rowMajor = (i0 * in3[1] + i1) * in3[2] + i2;
                  const int64_t colMajor = i0 + i1 * in3[0] + i2 * in3[0] * in3[1];
                  bestIdx = p * inPlane + (pc.storageOrder ? colMajor : rowMajor);
                }
              }
          if (isMax) {
            y.push_back(best);
            idx.push_back(bestIdx);
          } else {
            y.push_back(static_cast<float>(acc / static_cast<double>(pc.includePad ? padCount : count)));
          }
        }
}

ir::Attributes poolAttrs(const PoolCase& pc, bool isMax) {
  ir::Attributes a;
  a.set("kernel_shape", ir::Attribute::ofInts(pc.k));
  a.set("strides", ir::Attribute::ofInts(pc.s));
  if (isMax) a.set("dilations", ir::Attribute::ofInts(pc.d));
  if (pc.autoPad != "NOTSET") a.set("auto_pad", ir::Attribute::ofString(pc.autoPad));
  auto pads = pc.pl;
  pads.insert(pads.end(), pc.pr.begin(), pc.pr.end());
  if (pc.autoPad == "NOTSET") a.set("pads", ir::Attribute::ofInts(pads));
  a.set("ceil_mode", ir::Attribute::ofInt(pc.ceil));
  if (!isMax) a.set("count_include_pad", ir::Attribute::ofInt(pc.includePad));
  if (isMax && pc.storageOrder) a.set("storage_order", ir::Attribute::ofInt(pc.storageOrder));
  return a;
}

} // namespace

class TestMatMulPool : public QObject {
  Q_OBJECT

private slots:
  void matmulBroadcasting() {
    std::mt19937 rng(11);
    for (int i = 0; i < 60; ++i) {
      const int64_t m = randInt(rng, 1, 9), k = randInt(rng, 1, 40), n = randInt(rng, 1, 33);
      const auto ra = static_cast<std::size_t>(randInt(rng, 1, 4)), rb = static_cast<std::size_t>(randInt(rng, 1, 4));
      std::vector<int64_t> batch{randInt(rng, 1, 3), randInt(rng, 1, 4)};
      std::vector<int64_t> ad, bd;
      for (std::size_t j = 0; j + 2 < ra; ++j)
        ad.push_back(randInt(rng, 0, 2) ? batch[j + 4 - ra] : 1);
      for (std::size_t j = 0; j + 2 < rb; ++j)
        bd.push_back(randInt(rng, 0, 2) ? batch[j + 4 - rb] : 1);
      if (ra >= 2) ad.push_back(m);
      ad.push_back(k);
      bd.push_back(k);
      if (rb >= 2) bd.push_back(n);
      auto a = randomTensor(ad, rng);
      auto b = randomTensor(bd, rng);
      const auto act = activationByIndex(i);
      std::vector<int64_t> yd;
      const auto ref = refMatMul(a, b, yd, act);
      ir::Attributes attrs;
      act.setOn(attrs);
      GS_ASSIGN_OK(auto outs,
                   runOp("MatMul", 13, inputs(in(std::move(a)), in(std::move(b), i % 2 == 0)), {out(yd)}, attrs));
      GS_EXPECT_CLOSE(outs[0], ref, "matmul case " + std::to_string(i));
    }
  }

  void gemmVariants() {
    std::mt19937 rng(12);
    for (int i = 0; i < 60; ++i) {
      const int64_t m = randInt(rng, 1, 17), k = randInt(rng, 1, 30), n = randInt(rng, 1, 25);
      const bool ta = randInt(rng, 0, 1), tb = randInt(rng, 0, 1);
      const float alpha = i % 3 == 0 ? 1.0f : 0.7f, beta = i % 4 == 0 ? 1.0f : -1.3f;
      const std::vector<std::vector<int64_t>> cShapes{{}, {n}, {1, n}, {m, 1}, {m, n}, {1}, {1, 1}};
      const auto cIdx = static_cast<std::size_t>(i % 8); // 7 = no C
      auto a = randomTensor(ta ? std::vector<int64_t>{k, m} : std::vector<int64_t>{m, k}, rng);
      auto b = randomTensor(tb ? std::vector<int64_t>{n, k} : std::vector<int64_t>{k, n}, rng);
      HostTensor c = cIdx < 7 ? randomTensor(cShapes[cIdx], rng) : HostTensor();
      const auto act = activationByIndex(i / 2);
      std::vector<float> ref(static_cast<std::size_t>(m * n));
      for (int64_t r = 0; r < m; ++r)
        for (int64_t col = 0; col < n; ++col) {
          double s = 0.0;
          for (int64_t p = 0; p < k; ++p)
            s += static_cast<double>(a.as<float>()[ta ? p * m + r : r * k + p]) *
                 b.as<float>()[tb ? col * k + p : p * n + col];
          double cv = 0.0;
          if (cIdx < 7) {
            auto cd = c.dims();
            cd.insert(cd.begin(), 2 - cd.size(), 1);
            cv = c.as<float>()[(cd[0] == 1 ? 0 : r) * cd[1] + (cd[1] == 1 ? 0 : col)];
          }
          ref[static_cast<std::size_t>(r * n + col)] = act.apply(static_cast<float>(alpha * s + beta * cv));
        }
      ir::Attributes attrs;
      attrs.set("transA", ir::Attribute::ofInt(ta));
      attrs.set("transB", ir::Attribute::ofInt(tb));
      attrs.set("alpha", ir::Attribute::ofFloat(alpha));
      attrs.set("beta", ir::Attribute::ofFloat(beta));
      act.setOn(attrs);
      auto ins = inputs(in(std::move(a)), in(std::move(b), i % 2 == 1));
      if (cIdx < 7) ins.push_back(in(std::move(c), true));
      GS_ASSIGN_OK(auto outs, runOp("Gemm", 13, std::move(ins), {out({m, n})}, attrs));
      GS_EXPECT_CLOSE(outs[0], ref, "gemm case " + std::to_string(i));
    }
  }

  void poolsRandom() {
    std::mt19937 rng(13);
    for (int i = 0; i < 120; ++i) {
      const bool isMax = i % 2 == 0;
      PoolCase pc;
      const auto sp = static_cast<std::size_t>(std::vector<int>{1, 2, 2, 3}[randInt(rng, 0, 3)]);
      pc.x = {randInt(rng, 1, 2), randInt(rng, 1, 5)};
      for (std::size_t j = 0; j < sp; ++j) {
        pc.k.push_back(randInt(rng, 1, sp == 3 ? 3 : 4));
        pc.s.push_back(randInt(rng, 1, 3));
        pc.d.push_back(isMax && randInt(rng, 0, 3) == 0 ? 2 : 1);
        pc.pl.push_back(randInt(rng, 0, pc.k.back() - 1));
        pc.pr.push_back(randInt(rng, 0, pc.k.back() - 1));
        pc.x.push_back((pc.k.back() - 1) * pc.d.back() + 1 + randInt(rng, 0, sp == 3 ? 4 : 9));
      }
      pc.ceil = randInt(rng, 0, 1);
      pc.includePad = randInt(rng, 0, 1);
      const char* modes[] = {"NOTSET", "NOTSET", "NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID"};
      pc.autoPad = modes[randInt(rng, 0, 5)];
      const bool withIndices = isMax && i % 4 == 0;
      pc.storageOrder = withIndices && i % 8 == 0 ? 1 : 0;
      auto x = randomTensor(pc.x, rng);
      std::vector<float> ref;
      std::vector<int64_t> refIdx, yd;
      refPool(pc, isMax, x, ref, refIdx, yd);
      std::vector<OutSpec> outs{out(yd)};
      if (withIndices) outs.push_back(out(yd, ir::DataType::Int64));
      const auto label = std::string(isMax ? "maxpool" : "avgpool") + " case " + std::to_string(i);
      GS_ASSIGN_OK(auto res,
                   runOp(isMax ? "MaxPool" : "AveragePool", 12, inputs(in(std::move(x))), outs, poolAttrs(pc, isMax)));
      GS_EXPECT_CLOSE(res[0], ref, label);
      if (withIndices)
        for (std::size_t j = 0; j < refIdx.size(); ++j)
          QCOMPARE(res[1].as<int64_t>()[j], refIdx[j]);
    }
  }

  void globalPools() {
    std::mt19937 rng(14);
    for (const auto& dims :
         std::vector<std::vector<int64_t>>{{2, 3, 7}, {1, 5, 9, 11}, {2, 2, 3, 4, 5}, {1, 64, 1, 1}}) {
      auto x = randomTensor(dims, rng);
      const int64_t planes = dims[0] * dims[1], inner = numelOf(dims) / planes;
      std::vector<float> avg, mx;
      for (int64_t p = 0; p < planes; ++p) {
        double s = 0.0;
        float m = -std::numeric_limits<float>::infinity();
        for (int64_t i = 0; i < inner; ++i) {
          s += x.as<float>()[p * inner + i];
          m = std::max(m, x.as<float>()[p * inner + i]);
        }
        avg.push_back(static_cast<float>(s / static_cast<double>(inner)));
        mx.push_back(m);
      }
      std::vector<int64_t> yd(dims.size(), 1);
      yd[0] = dims[0];
      yd[1] = dims[1];
      GS_ASSIGN_OK(auto a, runOp("GlobalAveragePool", 13, inputs(in(HostTensor::fromIr(toIr(x)))), {out(yd)}));
      GS_EXPECT_CLOSE(a[0], avg, "global average");
      GS_ASSIGN_OK(auto m, runOp("GlobalMaxPool", 13, inputs(in(std::move(x))), {out(yd)}));
      GS_EXPECT_CLOSE(m[0], mx, "global max");
    }
  }
};

int runMatMulPoolTests(int argc, char** argv) {
  TestMatMulPool t;
  return QTest::qExec(&t, argc, argv);
}

#include "test_matmul_pool.moc"
