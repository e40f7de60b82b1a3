// Quantization kernels against plain loops: QuantizeLinear / DequantizeLinear (int8, uint8, int16,
// uint16; per tensor, per axis, blocked; ties and saturation), DynamicQuantizeLinear, ConvInteger and
// MatMulInteger (exact; the oneDNN path with constant weights and the integer loop), QLinearConv,
// QLinearMatMul, and GearStudio's QuantConv / QuantMatMul against the unfused QDQ computation they
// replace (Q -> DQ -> float conv -> [Q -> DQ]): within one quantisation step.
#include <QtTest>

#include <cmath>
#include <cstring>

#include "core/ir/gs_ops.h"
#include "harness.h"

using namespace gs;
using namespace gs::test;
using ir::DataType;

namespace {

struct Range {
  int64_t lo, hi;
};
Range rangeOf(DataType t) {
  switch (t) {
  case DataType::UInt8:
    return {0, 255};
  case DataType::Int8:
    return {-128, 127};
  case DataType::UInt16:
    return {0, 65535};
  case DataType::Int16:
    return {-32768, 32767};
  default:
    return {INT32_MIN, INT32_MAX};
  }
}

HostTensor intTensor(DataType t, const std::vector<int64_t>& dims, const std::vector<int64_t>& v) {
  HostTensor h(t, dims);
  for (std::size_t i = 0; i < v.size(); ++i) {
    switch (t) {
    case DataType::UInt8:
      h.as<uint8_t>()[i] = static_cast<uint8_t>(v[i]);
      break;
    case DataType::Int8:
      h.as<int8_t>()[i] = static_cast<int8_t>(v[i]);
      break;
    case DataType::UInt16:
      h.as<uint16_t>()[i] = static_cast<uint16_t>(v[i]);
      break;
    case DataType::Int16:
      h.as<int16_t>()[i] = static_cast<int16_t>(v[i]);
      break;
    default:
      h.as<int32_t>()[i] = static_cast<int32_t>(v[i]);
    }
  }
  return h;
}
HostTensor copyOf(const HostTensor& t) {
  HostTensor c(t.dtype(), t.dims());
  if (t.byteSize()) std::memcpy(c.data(), t.data(), t.byteSize());
  return c;
}
int64_t intAt(const HostTensor& h, int64_t i) {
  switch (h.dtype()) {
  case DataType::UInt8:
    return h.as<uint8_t>()[i];
  case DataType::Int8:
    return h.as<int8_t>()[i];
  case DataType::UInt16:
    return h.as<uint16_t>()[i];
  case DataType::Int16:
    return h.as<int16_t>()[i];
  default:
    return h.as<int32_t>()[i];
  }
}
std::vector<int64_t> randomInts(std::mt19937& rng, std::size_t n, int64_t lo, int64_t hi) {
  std::uniform_int_distribution<int64_t> d(lo, hi);
  std::vector<int64_t> v(n);
  for (auto& x : v)
    x = d(rng);
  return v;
}
int64_t numel(const std::vector<int64_t>& d) {
  int64_t n = 1;
  for (auto x : d)
    n *= x;
  return n;
}
// ONNX: saturate(rint(x / scale) + zero), the division in float32 as the reference computes it.
int64_t quantize(float x, float scale, int64_t zero, Range r) {
  const double v = std::nearbyint(static_cast<double>(x / scale)) + static_cast<double>(zero);
  return static_cast<int64_t>(std::clamp(v, static_cast<double>(r.lo), static_cast<double>(r.hi)));
}

// The geometry of a 2-D conv case.
struct ConvCase {
  int64_t n, c, h, w, m, group, kh, kw, s, d, pad;
  int64_t oh() const { return (h + 2 * pad - ((kh - 1) * d + 1)) / s + 1; }
  int64_t ow() const { return (w + 2 * pad - ((kw - 1) * d + 1)) / s + 1; }
  ir::Attributes attrs() const {
    ir::Attributes a;
    a.set("group", ir::Attribute::ofInt(group));
    a.set("strides", ir::Attribute::ofInts({s, s}));
    a.set("dilations", ir::Attribute::ofInts({d, d}));
    a.set("pads", ir::Attribute::ofInts({pad, pad, pad, pad}));
    return a;
  }
};
// sum over the window of xf(n, c, y, x) * wf(m, c, ky, kx), with padding as zero contribution.
template <class XF, class WF> std::vector<double> refConv(const ConvCase& cc, XF xf, WF wf) {
  std::vector<double> out(static_cast<std::size_t>(cc.n * cc.m * cc.oh() * cc.ow()));
  const int64_t cg = cc.c / cc.group, mg = cc.m / cc.group;
  std::size_t o = 0;
  for (int64_t n = 0; n < cc.n; ++n)
    for (int64_t m = 0; m < cc.m; ++m)
      for (int64_t oy = 0; oy < cc.oh(); ++oy)
        for (int64_t ox = 0; ox < cc.ow(); ++ox) {
          double s = 0;
          for (int64_t c = 0; c < cg; ++c)
            for (int64_t ky = 0; ky < cc.kh; ++ky)
              for (int64_t kx = 0; kx < cc.kw; ++kx) {
                const int64_t y = oy * cc.s - cc.pad + ky * cc.d, x = ox * cc.s - cc.pad + kx * cc.d;
                if (y < 0 || y >= cc.h || x < 0 || x >= cc.w) continue;
                const int64_t ci = (m / mg) * cg + c;
                s += xf(((n * cc.c + ci) * cc.h + y) * cc.w + x) * wf(((m * cg + c) * cc.kh + ky) * cc.kw + kx);
              }
          out[o++] = s;
        }
  return out;
}

ConvCase randomConv(std::mt19937& rng, int i) {
  std::uniform_int_distribution<int64_t> u(1, 4);
  ConvCase cc{};
  cc.n = 1 + i % 2;
  cc.group = i % 3 == 0 ? 1 : (i % 3 == 1 ? 2 : 0);
  const int64_t cg = u(rng) + 1;
  cc.c = cc.group == 0 ? 8 : cg * cc.group;
  if (cc.group == 0) cc.group = cc.c; // depthwise
  cc.m = cc.group * (cc.group == cc.c ? 1 : u(rng));
  cc.h = 5 + u(rng) * 2;
  cc.w = 5 + u(rng) * 3;
  cc.kh = cc.kw = i % 4 == 0 ? 1 : 3;
  cc.s = 1 + i % 2;
  cc.d = i % 5 == 4 ? 2 : 1;
  cc.pad = i % 3 == 2 ? 0 : 1;
  return cc;
}

class QuantTest : public QObject {
  Q_OBJECT

private slots:
  void quantizeLinearForms() {
    std::mt19937 rng(11);
    const DataType types[] = {DataType::UInt8, DataType::Int8, DataType::UInt16, DataType::Int16};
    for (int i = 0; i < 40; ++i) {
      const DataType t = types[i % 4];
      const Range r = rangeOf(t);
      std::vector<int64_t> dims{1 + i % 3, 2 + i % 4, 3, 1 + i % 5};
      const int form = i % 3; // 0 per tensor, 1 per axis, 2 blocked (opset 21)
      const int64_t axis = i % 4;
      const int64_t block = 2;
      std::vector<int64_t> sdims;
      if (form == 1) sdims = {dims[static_cast<std::size_t>(axis)]};
      if (form == 2) {
        sdims = dims;
        sdims[static_cast<std::size_t>(axis)] = (dims[static_cast<std::size_t>(axis)] + block - 1) / block;
      }
      const int64_t ns = numel(sdims);
      std::vector<float> sv(static_cast<std::size_t>(ns));
      std::uniform_real_distribution<float> us(0.01f, 0.5f);
      for (auto& s : sv)
        s = us(rng);
      // Scales that are powers of two make x / scale exact, so ties (k + 0.5) really are ties.
      if (i % 2 == 0)
        for (auto& s : sv)
          s = std::ldexp(1.0f, -static_cast<int>(1 + i % 4));
      auto zv = randomInts(rng, sv.size(), std::max<int64_t>(r.lo, -50), std::min<int64_t>(r.hi, 50));
      const int64_t n = numel(dims);
      HostTensor x(DataType::Float32, dims);
      std::uniform_real_distribution<float> ux(-40.0f, 40.0f);
      auto paramIndex = [&](int64_t e) -> std::size_t {
        if (form == 0) return 0;
        const int64_t inner = numel(std::vector<int64_t>(dims.begin() + axis + 1, dims.end()));
        const int64_t a = (e / inner) % dims[static_cast<std::size_t>(axis)];
        if (form == 1) return static_cast<std::size_t>(a);
        const int64_t o = e / (inner * dims[static_cast<std::size_t>(axis)]);
        const int64_t nb = sdims[static_cast<std::size_t>(axis)];
        return static_cast<std::size_t>((o * nb + a / block) * inner + e % inner);
      };
      for (int64_t e = 0; e < n; ++e) {
        const float s = sv[paramIndex(e)];
        // A third exact ties, a few far out of range (saturation), the rest random.
        const int kind = static_cast<int>(e % 7);
        x.as<float>()[e] =
            kind < 2 ? (static_cast<float>(e % 9) - 4.0f + 0.5f) * s : (kind == 2 ? (e % 2 ? 1e6f : -1e6f) : ux(rng));
      }
      ir::Attributes attrs;
      if (form != 0) attrs.set("axis", ir::Attribute::ofInt(axis));
      if (form == 2) attrs.set("block_size", ir::Attribute::ofInt(block));
      HostTensor scale(DataType::Float32, sdims);
      std::copy(sv.begin(), sv.end(), scale.as<float>());
      GS_ASSIGN_OK(auto outs, runOp("QuantizeLinear", form == 2 ? 21 : 13,
                                    inputs(in(copyOf(x)), in(copyOf(scale), i % 2 == 0), in(intTensor(t, sdims, zv))),
                                    {out(dims, t)}, attrs));
      for (int64_t e = 0; e < n; ++e) {
        const auto k = paramIndex(e);
        const int64_t want = quantize(x.as<float>()[e], sv[k], zv[k], r);
        if (intAt(outs[0], e) != want)
          QFAIL(qPrintable(QString("case %1 element %2: x %3 got %4 want %5")
                               .arg(i)
                               .arg(e)
                               .arg(x.as<float>()[e])
                               .arg(intAt(outs[0], e))
                               .arg(want)));
      }
      // And back: DequantizeLinear of the result.
      GS_ASSIGN_OK(auto back, runOp("DequantizeLinear", form == 2 ? 21 : 13,
                                    inputs(in(copyOf(outs[0])), in(copyOf(scale)), in(intTensor(t, sdims, zv))),
                                    {out(dims)}, attrs));
      std::vector<float> want(static_cast<std::size_t>(n));
      for (int64_t e = 0; e < n; ++e) {
        const auto k = paramIndex(e);
        want[static_cast<std::size_t>(e)] = static_cast<float>(intAt(outs[0], e) - zv[k]) * sv[k];
      }
      GS_EXPECT_CLOSE(back[0], want, "dequantize case " + std::to_string(i));
    }
  }

  void quantizeWithoutZeroPointIsUint8AndInt32Dequantizes() {
    HostTensor x = fromValues({4}, {-1.0f, 0.5f, 1.5f, 300.0f});
    GS_ASSIGN_OK(auto q, runOp("QuantizeLinear", 13, inputs(in(copyOf(x)), in(fromValues({}, {1.0f}))),
                               {out({4}, DataType::UInt8)}));
    QCOMPARE(int(q[0].as<uint8_t>()[0]), 0);   // saturates at 0
    QCOMPARE(int(q[0].as<uint8_t>()[1]), 0);   // 0.5 rounds to even 0
    QCOMPARE(int(q[0].as<uint8_t>()[2]), 2);   // 1.5 rounds to even 2
    QCOMPARE(int(q[0].as<uint8_t>()[3]), 255); // saturates at 255
    GS_ASSIGN_OK(auto d, runOp("DequantizeLinear", 13,
                               inputs(in(intTensor(DataType::Int32, {3}, {-7, 0, 100000})), in(fromValues({}, {0.5f}))),
                               {out({3})}));
    GS_EXPECT_CLOSE(d[0], (std::vector<float>{-3.5f, 0.0f, 50000.0f}), "int32 dequantize");
  }

  void dynamicQuantizeLinear() {
    std::mt19937 rng(5);
    for (int i = 0; i < 12; ++i) {
      const std::vector<int64_t> dims{1 + i % 3, 7 + i};
      HostTensor x = randomTensor(dims, rng, i % 3 == 0 ? 0.5f : -4.0f, i % 3 == 1 ? -0.5f : 6.0f);
      if (i == 11)
        for (int64_t e = 0; e < x.numel(); ++e)
          x.as<float>()[e] = 0.0f;
      GS_ASSIGN_OK(auto outs, runOp("DynamicQuantizeLinear", 11, inputs(in(copyOf(x))),
                                    {out(dims, DataType::UInt8), out({}), out({}, DataType::UInt8)}));
      float lo = 0, hi = 0;
      for (int64_t e = 0; e < x.numel(); ++e) {
        lo = std::min(lo, x.as<float>()[e]);
        hi = std::max(hi, x.as<float>()[e]);
      }
      const float scale = (hi - lo) / 255.0f;
      QCOMPARE(outs[1].as<float>()[0], scale);
      const int64_t zero = scale == 0 ? 0 : std::clamp<int64_t>(int64_t(std::nearbyint(-lo / scale)), 0, 255);
      QCOMPARE(int64_t(outs[2].as<uint8_t>()[0]), zero);
      for (int64_t e = 0; e < x.numel(); ++e) {
        const int64_t want = scale == 0 ? 0 : quantize(x.as<float>()[e], scale, zero, {0, 255});
        QCOMPARE(int64_t(outs[0].as<uint8_t>()[e]), want);
      }
    }
  }

  void convIntegerExact() {
    std::mt19937 rng(21);
    for (int i = 0; i < 24; ++i) {
      const auto cc = randomConv(rng, i);
      const DataType xt = i % 2 ? DataType::Int8 : DataType::UInt8;
      // Weights: int8, or uint8 around 128 (fits int8 after the zero point: oneDNN) or wide (the loop).
      const DataType wt = i % 3 == 0 ? DataType::Int8 : DataType::UInt8;
      const Range xr = rangeOf(xt);
      const std::vector<int64_t> xd{cc.n, cc.c, cc.h, cc.w}, wd{cc.m, cc.c / cc.group, cc.kh, cc.kw};
      const auto xv = randomInts(rng, std::size_t(numel(xd)), xr.lo, xr.hi);
      const bool wide = i % 6 == 5;
      const auto wv = wt == DataType::Int8 ? randomInts(rng, std::size_t(numel(wd)), -128, 127)
                                           : randomInts(rng, std::size_t(numel(wd)), wide ? 0 : 1, 255);
      const int64_t xz = randomInts(rng, 1, xr.lo, xr.hi)[0];
      const bool perChannel = i % 4 == 1;
      std::vector<int64_t> wz = perChannel ? randomInts(rng, std::size_t(cc.m), 120, 136)
                                           : std::vector<int64_t>{wt == DataType::UInt8 ? 128 : 0};
      if (wide) wz.assign(wz.size(), 3);
      const bool constW = i % 5 != 3;
      GS_ASSIGN_OK(
          auto outs,
          runOp("ConvInteger", 10,
                inputs(in(intTensor(xt, xd, xv)), in(intTensor(wt, wd, wv), constW), in(intTensor(xt, {}, {xz}), true),
                       in(intTensor(wt, perChannel ? std::vector<int64_t>{cc.m} : std::vector<int64_t>{}, wz), true)),
                {out({cc.n, cc.m, cc.oh(), cc.ow()}, DataType::Int32)}, cc.attrs()));
      const int64_t mPer = numel(wd) / cc.m;
      const auto ref = refConv(
          cc, [&](int64_t e) { return double(xv[std::size_t(e)] - xz); },
          [&](int64_t e) { return double(wv[std::size_t(e)] - wz[perChannel ? std::size_t(e / mPer) : 0]); });
      for (std::size_t e = 0; e < ref.size(); ++e)
        if (outs[0].as<int32_t>()[e] != int64_t(ref[e]))
          QFAIL(qPrintable(QString("case %1 element %2: got %3 want %4")
                               .arg(i)
                               .arg(e)
                               .arg(outs[0].as<int32_t>()[e])
                               .arg(int64_t(ref[e]))));
    }
  }

  void matMulIntegerExact() {
    std::mt19937 rng(31);
    for (int i = 0; i < 24; ++i) {
      std::uniform_int_distribution<int64_t> u(1, 9);
      const int64_t m = u(rng), k = u(rng) * 3, n = u(rng) * 2;
      const int64_t batch = i % 3 == 0 ? 1 : 1 + i % 4;
      const bool broadcastB = i % 2 == 0; // B 2-D (constant weights case) or batched
      const DataType at = i % 2 ? DataType::Int8 : DataType::UInt8, bt = i % 3 ? DataType::Int8 : DataType::UInt8;
      const std::vector<int64_t> ad{batch, m, k};
      const std::vector<int64_t> bd = broadcastB ? std::vector<int64_t>{k, n} : std::vector<int64_t>{batch, k, n};
      const Range ar = rangeOf(at), br = rangeOf(bt);
      const auto av = randomInts(rng, std::size_t(numel(ad)), ar.lo, ar.hi);
      const auto bv = randomInts(rng, std::size_t(numel(bd)), br.lo, br.hi);
      const bool rowZero = i % 4 == 3;
      const auto az = rowZero ? randomInts(rng, std::size_t(m), ar.lo, ar.hi) : randomInts(rng, 1, ar.lo, ar.hi);
      const auto bz = i % 5 == 2 ? randomInts(rng, std::size_t(n), br.lo, br.hi)
                                 : std::vector<int64_t>{bt == DataType::UInt8 ? 128 : 0};
      GS_ASSIGN_OK(
          auto outs,
          runOp("MatMulInteger", 10,
                inputs(in(intTensor(at, ad, av)), in(intTensor(bt, bd, bv), i % 3 != 1),
                       in(intTensor(at, rowZero ? std::vector<int64_t>{m} : std::vector<int64_t>{}, az)),
                       in(intTensor(bt, bz.size() > 1 ? std::vector<int64_t>{n} : std::vector<int64_t>{}, bz), true)),
                {out({batch, m, n}, DataType::Int32)}));
      for (int64_t b = 0; b < batch; ++b)
        for (int64_t r = 0; r < m; ++r)
          for (int64_t c = 0; c < n; ++c) {
            int64_t s = 0;
            for (int64_t p = 0; p < k; ++p) {
              const int64_t bi = (broadcastB ? 0 : b * k * n) + p * n + c;
              s += (av[std::size_t((b * m + r) * k + p)] - az[rowZero ? std::size_t(r) : 0]) *
                   (bv[std::size_t(bi)] - bz[bz.size() > 1 ? std::size_t(c) : 0]);
            }
            QCOMPARE(int64_t(outs[0].as<int32_t>()[(b * m + r) * n + c]), s);
          }
    }
  }

  void qlinearConvAndMatMul() {
    std::mt19937 rng(41);
    for (int i = 0; i < 12; ++i) {
      const auto cc = randomConv(rng, i);
      const DataType xt = i % 2 ? DataType::Int8 : DataType::UInt8, yt = i % 3 ? DataType::UInt8 : DataType::Int8;
      const Range xr = rangeOf(xt), yr = rangeOf(yt);
      const std::vector<int64_t> xd{cc.n, cc.c, cc.h, cc.w}, wd{cc.m, cc.c / cc.group, cc.kh, cc.kw};
      const auto xv = randomInts(rng, std::size_t(numel(xd)), xr.lo, xr.hi);
      const auto wv = randomInts(rng, std::size_t(numel(wd)), -127, 127);
      const int64_t xz = randomInts(rng, 1, xr.lo, xr.hi)[0], yz = randomInts(rng, 1, yr.lo, yr.hi)[0];
      std::vector<float> ws(std::size_t(cc.m));
      for (auto& s : ws)
        s = std::uniform_real_distribution<float>(0.001f, 0.01f)(rng);
      const float xs = 0.05f, ys = 0.2f + 0.05f * float(i);
      const auto bias = randomInts(rng, std::size_t(cc.m), -2000, 2000);
      HostTensor wsT(DataType::Float32, {cc.m});
      std::copy(ws.begin(), ws.end(), wsT.as<float>());
      GS_ASSIGN_OK(auto outs,
                   runOp("QLinearConv", 10,
                         inputs(in(intTensor(xt, xd, xv)), in(fromValues({}, {xs})), in(intTensor(xt, {}, {xz})),
                                in(intTensor(DataType::Int8, wd, wv), true), in(std::move(wsT)),
                                in(intTensor(DataType::Int8, {cc.m}, std::vector<int64_t>(std::size_t(cc.m), 0))),
                                in(fromValues({}, {ys})), in(intTensor(yt, {}, {yz})),
                                in(intTensor(DataType::Int32, {cc.m}, bias))),
                         {out({cc.n, cc.m, cc.oh(), cc.ow()}, yt)}, cc.attrs()));
      const auto acc = refConv(
          cc, [&](int64_t e) { return double(xv[std::size_t(e)] - xz); },
          [&](int64_t e) { return double(wv[std::size_t(e)]); });
      const int64_t plane = cc.oh() * cc.ow();
      for (std::size_t e = 0; e < acc.size(); ++e) {
        const auto oc = std::size_t((int64_t(e) / plane) % cc.m);
        const double mult = double(xs * ws[oc] / ys);
        const int64_t want =
            std::clamp<int64_t>(int64_t(std::nearbyint((acc[e] + double(bias[oc])) * mult)) + yz, yr.lo, yr.hi);
        QCOMPARE(intAt(outs[0], int64_t(e)), want);
      }
    }
    // QLinearMatMul with per-column b scales.
    for (int i = 0; i < 8; ++i) {
      const int64_t m = 3 + i, k = 5 + 2 * i, n = 4;
      const auto av = randomInts(rng, std::size_t(m * k), 0, 255);
      const auto bv = randomInts(rng, std::size_t(k * n), -128, 127);
      const std::vector<float> bs{0.01f, 0.02f, 0.005f, 0.03f};
      HostTensor bsT(DataType::Float32, {n});
      std::copy(bs.begin(), bs.end(), bsT.as<float>());
      GS_ASSIGN_OK(auto outs,
                   runOp("QLinearMatMul", 10,
                         inputs(in(intTensor(DataType::UInt8, {m, k}, av)), in(fromValues({}, {0.1f})),
                                in(intTensor(DataType::UInt8, {}, {113})), in(intTensor(DataType::Int8, {k, n}, bv)),
                                in(std::move(bsT)), in(intTensor(DataType::Int8, {n}, {0, 1, -1, 2})),
                                in(fromValues({}, {0.3f})), in(intTensor(DataType::UInt8, {}, {90}))),
                         {out({m, n}, DataType::UInt8)}));
      const int64_t bz[] = {0, 1, -1, 2};
      for (int64_t r = 0; r < m; ++r)
        for (int64_t c = 0; c < n; ++c) {
          int64_t s = 0;
          for (int64_t p = 0; p < k; ++p)
            s += (av[std::size_t(r * k + p)] - 113) * (bv[std::size_t(p * n + c)] - bz[c]);
          const double mult = double(0.1f * bs[std::size_t(c)] / 0.3f);
          const int64_t want = std::clamp<int64_t>(int64_t(std::nearbyint(double(s) * mult)) + 90, 0, 255);
          QCOMPARE(int64_t(outs[0].as<uint8_t>()[r * n + c]), want);
        }
    }
  }

  // QuantConv against the QDQ graph it replaces, computed unfused in double.
  void quantConvMatchesUnfusedQdq() {
    std::mt19937 rng(51);
    // Channel counts of real models that are no multiple of oneDNN's blocks (PP-OCR det: 18, 42, 3).
    const ConvCase fixed[] = {{1, 18, 40, 40, 96, 1, 1, 1, 1, 1, 0},
                              {1, 42, 20, 20, 96, 1, 1, 1, 1, 1, 0},
                              {1, 3, 32, 32, 16, 1, 3, 3, 2, 1, 1},
                              {2, 96, 20, 20, 18, 1, 1, 1, 1, 1, 0}};
    for (int i = 0; i < 32; ++i) {
      const auto cc = i < 24 ? randomConv(rng, i) : fixed[i % 4];
      const DataType xt = i % 2 ? DataType::UInt8 : DataType::Int8;
      const Range xr = rangeOf(xt);
      const std::vector<int64_t> xd{cc.n, cc.c, cc.h, cc.w}, wd{cc.m, cc.c / cc.group, cc.kh, cc.kw};
      HostTensor x = randomTensor(xd, rng, -2.0f, 3.0f);
      const float xs = 5.0f / 255.0f;
      const int64_t xz = xt == DataType::UInt8 ? 102 : -26;
      const auto wv = randomInts(rng, std::size_t(numel(wd)), -127, 127);
      const bool perChannel = i % 3 != 0;
      std::vector<float> ws(perChannel ? std::size_t(cc.m) : 1);
      for (auto& s : ws)
        s = std::uniform_real_distribution<float>(0.002f, 0.02f)(rng);
      const bool bias = i % 2 == 0, quantOut = i % 3 != 2;
      const bool relu = i % 4 == 1;
      HostTensor b = randomTensor({cc.m}, rng, -1.0f, 1.0f);
      const float ys = 0.05f;
      const int64_t yz = relu ? 0 : 128;
      HostTensor wsT(DataType::Float32, {int64_t(ws.size())});
      std::copy(ws.begin(), ws.end(), wsT.as<float>());
      if (!perChannel) wsT = fromValues({}, {ws[0]});
      auto ins =
          inputs(in(copyOf(x)), in(intTensor(DataType::Int8, wd, wv), true), bias ? in(copyOf(b), true) : absent(),
                 in(fromValues({}, {xs}), true), in(intTensor(xt, {}, {xz}), true), in(std::move(wsT), true), absent());
      if (quantOut) {
        ins.push_back(in(fromValues({}, {ys}), true));
        ins.push_back(in(intTensor(DataType::UInt8, {}, {yz}), true));
      }
      auto attrs = cc.attrs();
      if (relu) attrs.set(ir::gsop::kActivation, ir::Attribute::ofString("Relu"));
      const std::vector<OutSpec> outs{out({cc.n, cc.m, cc.oh(), cc.ow()})};
      auto node = makeNode("QuantConv", ins, outs, attrs);
      node.domain = std::string(ir::gsop::kDomain);
      GS_ASSIGN_OK(auto prepared, prepare(node, 13, ins, outs));
      GS_ASSIGN_OK(auto got, execute(prepared, ins, outs));
      const int64_t mPer = numel(wd) / cc.m;
      const auto ref = refConv(
          cc, [&](int64_t e) { return double(quantize(x.as<float>()[e], xs, xz, xr) - xz) * double(xs); },
          [&](int64_t e) { return double(wv[std::size_t(e)]) * double(ws[perChannel ? std::size_t(e / mPer) : 0]); });
      const int64_t plane = cc.oh() * cc.ow();
      std::vector<float> want(ref.size());
      for (std::size_t e = 0; e < ref.size(); ++e) {
        double v = ref[e] + (bias ? double(b.as<float>()[(int64_t(e) / plane) % cc.m]) : 0.0);
        if (relu) v = std::max(v, 0.0);
        if (quantOut) v = double(quantize(float(v), ys, yz, {0, 255}) - yz) * double(ys);
        want[e] = float(v);
      }
      // Float outputs: float rounding, or one input step where x / x_scale is a tie the fused
      // quantizer (x * (1 / x_scale)) rounds the other way. Quantized outputs: exact, or one step.
      const float inputStep = xs * *std::max_element(ws.begin(), ws.end()) * 127.0f;
      std::string why;
      if (!allClose(got[0], want, &why, 1e-4f, quantOut ? ys * 1.001f : inputStep))
        QFAIL(qPrintable(QString("case %1: %2").arg(i).arg(QString::fromStdString(why))));
      if (quantOut) {
        int steps = 0;
        for (std::size_t e = 0; e < want.size(); ++e)
          steps += std::abs(got[0].as<float>()[e] - want[e]) > ys * 0.5f;
        QVERIFY2(steps * 100 <= int(want.size()) + 1,
                 qPrintable(QString("case %1: %2 of %3 off by a step").arg(i).arg(steps).arg(want.size())));
      }
    }
  }

  void quantMatMulMatchesUnfusedQdq() {
    std::mt19937 rng(61);
    for (int i = 0; i < 12; ++i) {
      std::uniform_int_distribution<int64_t> u(1, 12);
      const int64_t batch = 1 + i % 3, m = u(rng), k = u(rng) * 4, n = u(rng) * 2;
      HostTensor a = randomTensor({batch, m, k}, rng, -1.0f, 1.5f);
      const float as = 2.5f / 255.0f;
      const int64_t az = 102;
      const auto bv = randomInts(rng, std::size_t(k * n), -127, 127);
      std::vector<float> bs(static_cast<std::size_t>(n));
      for (auto& s : bs)
        s = std::uniform_real_distribution<float>(0.002f, 0.02f)(rng);
      HostTensor bsT(DataType::Float32, {n});
      std::copy(bs.begin(), bs.end(), bsT.as<float>());
      HostTensor bias = randomTensor({n}, rng);
      const bool withBias = i % 2 == 0;
      auto ins = inputs(in(copyOf(a)), in(intTensor(DataType::Int8, {k, n}, bv), true),
                        withBias ? in(copyOf(bias), true) : absent(), in(fromValues({}, {as}), true),
                        in(intTensor(DataType::UInt8, {}, {az}), true), in(std::move(bsT), true));
      const std::vector<OutSpec> outs{out({batch, m, n})};
      auto node = makeNode("QuantMatMul", ins, outs);
      node.domain = std::string(ir::gsop::kDomain);
      GS_ASSIGN_OK(auto prepared, prepare(node, 13, ins, outs));
      GS_ASSIGN_OK(auto got, execute(prepared, ins, outs));
      std::vector<float> want(std::size_t(batch * m * n));
      for (int64_t bt = 0; bt < batch; ++bt)
        for (int64_t r = 0; r < m; ++r)
          for (int64_t c = 0; c < n; ++c) {
            double s = withBias ? double(bias.as<float>()[c]) : 0.0;
            for (int64_t p = 0; p < k; ++p)
              s += double(quantize(a.as<float>()[(bt * m + r) * k + p], as, az, {0, 255}) - az) * double(as) *
                   double(bv[std::size_t(p * n + c)]) * double(bs[std::size_t(c)]);
            want[std::size_t((bt * m + r) * n + c)] = float(s);
          }
      GS_EXPECT_CLOSE(got[0], want, "QuantMatMul case " + std::to_string(i));
    }
  }

  void badParametersAreErrors() {
    // Per-axis scale of the wrong length.
    auto r = runOp("QuantizeLinear", 13,
                   inputs(in(fromValues({2, 3}, {1, 2, 3, 4, 5, 6})), in(fromValues({2}, {1.0f, 1.0f})),
                          in(intTensor(DataType::UInt8, {2}, {0, 0}))),
                   {out({2, 3}, DataType::UInt8)}, [] {
                     ir::Attributes a;
                     a.set("axis", ir::Attribute::ofInt(1));
                     return a;
                   }());
    QVERIFY(!r);
    QVERIFY(r.error().message.find("per-axis") != std::string::npos);
    // QuantConv with a non-zero weight zero point is refused, not computed wrong.
    auto ins =
        inputs(in(randomTensor({1, 2, 4, 4}, kRng())), in(intTensor(DataType::Int8, {2, 2, 1, 1}, {1, 2, 3, 4}), true),
               absent(), in(fromValues({}, {0.1f}), true), in(intTensor(DataType::UInt8, {}, {0}), true),
               in(fromValues({}, {0.1f}), true), in(intTensor(DataType::Int8, {}, {3}), true));
    const std::vector<OutSpec> outs{out({1, 2, 4, 4})};
    auto node = makeNode("QuantConv", ins, outs);
    node.domain = std::string(ir::gsop::kDomain);
    auto p = prepare(node, 13, ins, outs);
    QVERIFY(!p);
    QVERIFY(p.error().message.find("w_zero_point") != std::string::npos);
  }

private:
  static std::mt19937& kRng() {
    static std::mt19937 rng(3);
    return rng;
  }
};

} // namespace

int runQuantTests(int argc, char** argv) {
  QuantTest t;
  return QTest::qExec(&t, argc, argv);
}

#include "test_quant.moc"
