// Conv and ConvTranspose against naive loops: random shapes, groups, depthwise, strides, dilations,
// asymmetric pads, auto_pad modes, bias, every fused activation, fused add, every layout policy; and
// packed weights shared across two gears through one WeightCache.
#include <QtTest>

#include "core/runtime/cpu/kernels/nn/window_primitive.h"
#include "harness.h"
#include "reference.h"

using namespace gs;
using namespace gs::test;
namespace nn = gs::runtime::cpu::nn;

namespace {

struct ConvCase {
  int64_t n = 1, c = 1, m = 1, group = 1;
  std::vector<int64_t> in, k, s, d, pl, pr, outPad, outShape;
  std::string autoPad = "NOTSET";
  bool bias = false, fusedAdd = false;
  RefActivation act;
};

// Pads the spatial description to 3 dims so one loop nest covers 1D/2D/3D.
struct Geo3 {
  int64_t in[3] = {1, 1, 1}, out[3] = {1, 1, 1}, k[3] = {1, 1, 1}, s[3] = {1, 1, 1}, d[3] = {1, 1, 1},
          pl[3] = {0, 0, 0};
};

Geo3 geo3(const ConvCase& cc, const std::vector<int64_t>& out, const std::vector<int64_t>& pl) {
  Geo3 g;
  for (std::size_t i = 0; i < cc.in.size(); ++i) {
    g.in[i] = cc.in[i];
    g.out[i] = out[i];
    g.k[i] = cc.k[i];
    g.s[i] = cc.s[i];
    g.d[i] = cc.d[i];
    g.pl[i] = pl[i];
  }
  return g;
}

// Forward conv output sizes and begin pads, resolving auto_pad as ONNX describes it.
void convGeometry(const ConvCase& cc, std::vector<int64_t>& out, std::vector<int64_t>& pl) {
  out.clear();
  pl.clear();
  for (std::size_t i = 0; i < cc.in.size(); ++i) {
    const int64_t ext = (cc.k[i] - 1) * cc.d[i] + 1;
    int64_t l = cc.pl[i], r = cc.pr[i];
    if (cc.autoPad == "VALID") l = r = 0;
    if (cc.autoPad == "SAME_UPPER" || cc.autoPad == "SAME_LOWER") {
      const int64_t o = (cc.in[i] + cc.s[i] - 1) / cc.s[i];
      const int64_t total = std::max<int64_t>(0, (o - 1) * cc.s[i] + ext - cc.in[i]);
      l = cc.autoPad == "SAME_UPPER" ? total / 2 : (total + 1) / 2;
      r = total - l;
    }
    out.push_back((cc.in[i] + l + r - ext) / cc.s[i] + 1);
    pl.push_back(l);
  }
}

std::vector<float> refConv(const ConvCase& cc, const HostTensor& x, const HostTensor& w, const HostTensor* b,
                           const HostTensor* add, std::vector<int64_t>& yDims) {
  std::vector<int64_t> out, pl;
  convGeometry(cc, out, pl);
  const Geo3 g = geo3(cc, out, pl);
  yDims = {cc.n, cc.m};
  yDims.insert(yDims.end(), out.begin(), out.end());
  std::vector<float> y(static_cast<std::size_t>(numelOf(yDims)));
  const int64_t cg = cc.c / cc.group, mg = cc.m / cc.group;
  const int64_t inPlane = g.in[0] * g.in[1] * g.in[2], outPlane = g.out[0] * g.out[1] * g.out[2];
  const int64_t kPlane = g.k[0] * g.k[1] * g.k[2];
  for (int64_t n = 0; n < cc.n; ++n)
    for (int64_t m = 0; m < cc.m; ++m) {
      const int64_t grp = m / mg;
      for (int64_t o0 = 0; o0 < g.out[0]; ++o0)
        for (int64_t o1 = 0; o1 < g.out[1]; ++o1)
          for (int64_t o2 = 0; o2 < g.out[2]; ++o2) {
            double acc = b ? b->as<float>()[m] : 0.0;
            for (int64_t c = 0; c < cg; ++c)
              for (int64_t k0 = 0; k0 < g.k[0]; ++k0)
                for (int64_t k1 = 0; k1 < g.k[1]; ++k1)
                  for (int64_t k2 = 0; k2 < g.k[2]; ++k2) {
                    const int64_t i0 = o0 * g.s[0] - g.pl[0] + k0 * g.d[0];
                    const int64_t i1 = o1 * g.s[1] - g.pl[1] + k1 * g.d[1];
                    const int64_t i2 = o2 * g.s[2] - g.pl[2] + k2 * g.d[2];
                    if (i0 < 0 || i1 < 0 || i2 < 0 || i0 >= g.in[0] || i1 >= g.in[1] || i2 >= g.in[2]) continue;
                    const float xv =
                        x.as<float>()[(n * cc.c + grp * cg + c) * inPlane + (i0 * g.in[1] + i1) * g.in[2] + i2];
                    const float wv = w.as<float>()[(m * cg + c) * kPlane + (k0 * g.k[1] + k1) * g.k[2] + k2];
                    acc += static_cast<double>(xv) * wv;
                  }
            const int64_t yi = (n * cc.m + m) * outPlane + (o0 * g.out[1] + o1) * g.out[2] + o2;
            if (add) acc += add->as<float>()[yi];
            y[static_cast<std::size_t>(yi)] = cc.act.apply(static_cast<float>(acc));
          }
    }
  return y;
}

std::vector<float> refConvTranspose(const ConvCase& cc, const HostTensor& x, const HostTensor& w, const HostTensor* b,
                                    std::vector<int64_t>& yDims) {
  const std::size_t sp = cc.in.size();
  std::vector<int64_t> out, pl;
  for (std::size_t i = 0; i < sp; ++i) {
    const int64_t ext = (cc.k[i] - 1) * cc.d[i] + 1;
    const int64_t full = cc.s[i] * (cc.in[i] - 1) + cc.outPad[i] + ext;
    if (!cc.outShape.empty() || cc.autoPad != "NOTSET") {
      const int64_t o = cc.outShape.empty() ? cc.in[i] * cc.s[i] : cc.outShape[i];
      const int64_t total = std::max<int64_t>(0, full - o);
      pl.push_back(cc.autoPad == "SAME_UPPER" ? total / 2 : total - total / 2);
      out.push_back(o);
    } else {
      pl.push_back(cc.pl[i]);
      out.push_back(full - cc.pl[i] - cc.pr[i]);
    }
  }
  const Geo3 g = geo3(cc, out, pl);
  yDims = {cc.n, cc.m};
  yDims.insert(yDims.end(), out.begin(), out.end());
  std::vector<double> acc(static_cast<std::size_t>(numelOf(yDims)), 0.0);
  const int64_t cg = cc.c / cc.group, mg = cc.m / cc.group;
  const int64_t inPlane = g.in[0] * g.in[1] * g.in[2], outPlane = g.out[0] * g.out[1] * g.out[2];
  const int64_t kPlane = g.k[0] * g.k[1] * g.k[2];
  for (int64_t n = 0; n < cc.n; ++n)
    for (int64_t c = 0; c < cc.c; ++c) {
      const int64_t grp = c / cg;
      for (int64_t i0 = 0; i0 < g.in[0]; ++i0)
        for (int64_t i1 = 0; i1 < g.in[1]; ++i1)
          for (int64_t i2 = 0; i2 < g.in[2]; ++i2) {
            const float xv = x.as<float>()[(n * cc.c + c) * inPlane + (i0 * g.in[1] + i1) * g.in[2] + i2];
            for (int64_t m = 0; m < mg; ++m)
              for (int64_t k0 = 0; k0 < g.k[0]; ++k0)
                for (int64_t k1 = 0; k1 < g.k[1]; ++k1)
                  for (int64_t k2 = 0; k2 < g.k[2]; ++k2) {
                    const int64_t o0 = i0 * g.s[0] + k0 * g.d[0] - g.pl[0];
                    const int64_t o1 = i1 * g.s[1] + k1 * g.d[1] - g.pl[1];
                    const int64_t o2 = i2 * g.s[2] + k2 * g.d[2] - g.pl[2];
                    if (o0 < 0 || o1 < 0 || o2 < 0 || o0 >= g.out[0] || o1 >= g.out[1] || o2 >= g.out[2]) continue;
                    const float wv = w.as<float>()[(c * mg + m) * kPlane + (k0 * g.k[1] + k1) * g.k[2] + k2];
                    acc[static_cast<std::size_t>((n * cc.m + grp * mg + m) * outPlane +
                                                 (o0 * g.out[1] + o1) * g.out[2] + o2)] += static_cast<double>(xv) * wv;
                  }
          }
    }
  std::vector<float> y(acc.size());
  for (std::size_t i = 0; i < acc.size(); ++i) {
    const int64_t m = static_cast<int64_t>(i) / outPlane % cc.m;
    y[i] = cc.act.apply(static_cast<float>(acc[i] + (b ? b->as<float>()[m] : 0.0f)));
  }
  return y;
}

ir::Attributes convAttrs(const ConvCase& cc, bool transpose) {
  ir::Attributes a;
  a.set("kernel_shape", ir::Attribute::ofInts(cc.k));
  a.set("strides", ir::Attribute::ofInts(cc.s));
  a.set("dilations", ir::Attribute::ofInts(cc.d));
  a.set("group", ir::Attribute::ofInt(cc.group));
  if (cc.autoPad != "NOTSET")
    a.set("auto_pad", ir::Attribute::ofString(cc.autoPad));
  else {
    auto pads = cc.pl;
    pads.insert(pads.end(), cc.pr.begin(), cc.pr.end());
    a.set("pads", ir::Attribute::ofInts(pads));
  }
  if (transpose && !cc.outPad.empty()) a.set("output_padding", ir::Attribute::ofInts(cc.outPad));
  if (transpose && !cc.outShape.empty()) a.set("output_shape", ir::Attribute::ofInts(cc.outShape));
  cc.act.setOn(a);
  return a;
}

ConvCase randomConv(std::mt19937& rng, int i, bool big) {
  ConvCase cc;
  const std::size_t sp = big ? 2 : static_cast<std::size_t>(std::vector<int>{1, 2, 2, 2, 3}[randInt(rng, 0, 4)]);
  cc.n = randInt(rng, 1, 2);
  const int64_t kind = randInt(rng, 0, 2); // 0 dense, 1 grouped, 2 depthwise
  if (kind == 0) {
    cc.group = 1;
    cc.c = big ? 16 * randInt(rng, 1, 3) : randInt(rng, 1, 7);
    cc.m = big ? 16 * randInt(rng, 1, 3) : randInt(rng, 1, 7);
  } else if (kind == 1) {
    cc.group = randInt(rng, 2, 3);
    cc.c = cc.group * (big ? 8 : randInt(rng, 1, 3));
    cc.m = cc.group * (big ? 8 : randInt(rng, 1, 3));
  } else {
    cc.c = big ? 32 : randInt(rng, 2, 9);
    cc.group = cc.c;
    cc.m = cc.c * (big ? 1 : randInt(rng, 1, 2));
  }
  for (std::size_t j = 0; j < sp; ++j) {
    const int64_t maxK = sp == 3 ? 3 : 5;
    cc.k.push_back(randInt(rng, 1, maxK));
    cc.s.push_back(randInt(rng, 1, 3));
    cc.d.push_back(randInt(rng, 0, 3) == 0 ? 2 : 1);
    cc.pl.push_back(randInt(rng, 0, std::min<int64_t>(2, cc.k.back() - 1)));
    cc.pr.push_back(randInt(rng, 0, std::min<int64_t>(2, cc.k.back() - 1)));
    const int64_t ext = (cc.k.back() - 1) * cc.d.back() + 1;
    cc.in.push_back(ext + randInt(rng, 0, big ? 24 : (sp == 3 ? 4 : 9)));
  }
  const char* modes[] = {"NOTSET", "NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID"};
  cc.autoPad = modes[randInt(rng, 0, 4)];
  cc.bias = randInt(rng, 0, 1) == 1;
  cc.act = activationByIndex(i);
  return cc;
}

} // namespace

class TestConv : public QObject {
  Q_OBJECT

private:
  void checkConv(const ConvCase& cc, std::mt19937& rng, const QString& label) {
    std::vector<int64_t> xd{cc.n, cc.c}, wd{cc.m, cc.c / cc.group};
    xd.insert(xd.end(), cc.in.begin(), cc.in.end());
    wd.insert(wd.end(), cc.k.begin(), cc.k.end());
    auto x = randomTensor(xd, rng);
    auto w = randomTensor(wd, rng);
    auto b = randomTensor({cc.m}, rng);
    std::vector<int64_t> yd;
    std::vector<float> ref;
    HostTensor add;
    if (cc.fusedAdd) {
      refConv(cc, x, w, nullptr, nullptr, yd); // output dims only
      add = randomTensor(yd, rng);
    }
    ref = refConv(cc, x, w, cc.bias ? &b : nullptr, cc.fusedAdd ? &add : nullptr, yd);
    auto ins = inputs(in(std::move(x)), in(std::move(w), true));
    if (cc.bias) ins.push_back(in(std::move(b), true));
    if (cc.fusedAdd) {
      if (!cc.bias) ins.push_back(absent()); // FusedConv's residual Z is input 3
      ins.push_back(in(std::move(add)));
    }
    GS_ASSIGN_OK(auto outs, runOp("Conv", 13, std::move(ins), {out(yd)}, convAttrs(cc, false)));
    GS_EXPECT_CLOSE(outs[0], ref, label.toStdString());
  }

  void checkConvTranspose(const ConvCase& cc, std::mt19937& rng, QString label) {
    label += QString(" c%1 m%2 g%3 %4").arg(cc.c).arg(cc.m).arg(cc.group).arg(QString::fromStdString(cc.autoPad));
    for (std::size_t j = 0; j < cc.in.size(); ++j)
      label += QString(" [in%1 k%2 s%3 d%4 p%5,%6 op%7]")
                   .arg(cc.in[j])
                   .arg(cc.k[j])
                   .arg(cc.s[j])
                   .arg(cc.d[j])
                   .arg(cc.pl[j])
                   .arg(cc.pr[j])
                   .arg(cc.outPad[j]);
    std::vector<int64_t> xd{cc.n, cc.c}, wd{cc.c, cc.m / cc.group};
    xd.insert(xd.end(), cc.in.begin(), cc.in.end());
    wd.insert(wd.end(), cc.k.begin(), cc.k.end());
    auto x = randomTensor(xd, rng);
    auto w = randomTensor(wd, rng);
    auto b = randomTensor({cc.m}, rng);
    std::vector<int64_t> yd;
    const auto ref = refConvTranspose(cc, x, w, cc.bias ? &b : nullptr, yd);
    auto ins = inputs(in(std::move(x)), in(std::move(w), true));
    if (cc.bias) ins.push_back(in(std::move(b), true));
    auto outs = runOp("ConvTranspose", 13, std::move(ins), {out(yd)}, convAttrs(cc, true));
    if (!outs) QFAIL(qPrintable(label + ": " + QString::fromStdString(outs.error().str())));
    GS_EXPECT_CLOSE((*outs)[0], ref, label.toStdString());
  }

private slots:
  void cleanup() { nn::setLayoutPolicy(nn::LayoutPolicy::Auto); }

  void convRandomShapes() {
    std::mt19937 rng(1234);
    const nn::LayoutPolicy policies[] = {nn::LayoutPolicy::Auto, nn::LayoutPolicy::Plain, nn::LayoutPolicy::Blocked};
    for (int i = 0; i < 90; ++i) {
      nn::setLayoutPolicy(policies[i % 3]);
      auto cc = randomConv(rng, i, i % 6 == 5);
      cc.fusedAdd = i % 4 == 3;
      checkConv(cc, rng, QString("conv case %1").arg(i));
    }
  }

  void convWeightsAtRunTime() {
    // Weights that are not constants are reordered per run into the workspace.
    std::mt19937 rng(77);
    ConvCase cc = randomConv(rng, 1, true);
    std::vector<int64_t> xd{cc.n, cc.c}, wd{cc.m, cc.c / cc.group};
    xd.insert(xd.end(), cc.in.begin(), cc.in.end());
    wd.insert(wd.end(), cc.k.begin(), cc.k.end());
    auto x = randomTensor(xd, rng);
    auto w = randomTensor(wd, rng);
    std::vector<int64_t> yd;
    const auto ref = refConv(cc, x, w, nullptr, nullptr, yd);
    GS_ASSIGN_OK(auto outs,
                 runOp("Conv", 11, inputs(in(std::move(x)), in(std::move(w))), {out(yd)}, convAttrs(cc, false)));
    GS_EXPECT_CLOSE(outs[0], ref, "runtime weights");
  }

  void convTransposeRandomShapes() {
    std::mt19937 rng(99);
    for (int i = 0; i < 60; ++i) {
      nn::setLayoutPolicy(i % 2 ? nn::LayoutPolicy::Blocked : nn::LayoutPolicy::Auto);
      auto cc = randomConv(rng, i, i % 5 == 4);
      const char* modes[] = {"NOTSET", "NOTSET", "NOTSET", "SAME_UPPER", "SAME_LOWER"};
      cc.autoPad = modes[i % 5];
      for (std::size_t j = 0; j < cc.in.size(); ++j) {
        cc.in[j] = randInt(rng, 1, cc.in.size() == 3 ? 4 : 8);
        // output_padding < stride: oneDNN 2.6 rejects the larger values ONNX allows when dilation > stride.
        cc.outPad.push_back(randInt(rng, 0, cc.s[j] - 1));
        const int64_t full = cc.s[j] * (cc.in[j] - 1) + cc.outPad[j] + (cc.k[j] - 1) * cc.d[j] + 1;
        if (full - cc.pl[j] - cc.pr[j] <= 0) cc.pl[j] = cc.pr[j] = 0;
      }
      if (i % 7 == 6 && cc.autoPad == "NOTSET") {
        for (std::size_t j = 0; j < cc.in.size(); ++j)
          cc.outShape.push_back(cc.s[j] * (cc.in[j] - 1) + (cc.k[j] - 1) * cc.d[j] + 1 - randInt(rng, 0, 1));
        cc.outPad.assign(cc.in.size(), 0);
      }
      checkConvTranspose(cc, rng, QString("conv transpose case %1").arg(i));
    }
  }

  void convTransposeDbHead() {
    // PP-OCR det's head: 2x2 stride-2 transposed convs with bias and Relu.
    std::mt19937 rng(5);
    ConvCase cc;
    cc.n = 1;
    cc.c = 24;
    cc.m = 24;
    cc.in = {20, 28};
    cc.k = {2, 2};
    cc.s = {2, 2};
    cc.d = {1, 1};
    cc.pl = cc.pr = cc.outPad = {0, 0};
    cc.bias = true;
    cc.act = {"Relu", {}};
    checkConvTranspose(cc, rng, "db head");
  }

  void convTransposeNonOverlapping() {
    // kernel == stride (the sgemm + scatter path): batches, non-square windows, several row blocks
    // (large images), no bias, output_padding cancelled by the end pad, every fused activation.
    std::mt19937 rng(11);
    for (int i = 0; i < 8; ++i) {
      ConvCase cc;
      cc.n = randInt(rng, 1, 3);
      cc.c = randInt(rng, 1, 40);
      cc.m = randInt(rng, 1, 40);
      cc.in = i < 2 ? std::vector<int64_t>{randInt(rng, 60, 90), randInt(rng, 60, 90)}
                    : std::vector<int64_t>{randInt(rng, 1, 20), randInt(rng, 1, 20)};
      cc.k = {randInt(rng, 1, 3), randInt(rng, 1, 3)};
      cc.s = cc.k;
      cc.d = {1, 1};
      cc.pl = cc.pr = cc.outPad = {0, 0};
      if (i == 3) cc.pr = cc.outPad = {1, 1};
      if (i == 3) cc.s = cc.k = {2, 2};
      cc.bias = i % 2 == 0;
      cc.act = activationByIndex(i);
      checkConvTranspose(cc, rng, QString("non-overlapping case %1").arg(i));
    }
  }

  // FusedConv's epilogue act(conv) * post_scale + post_shift after every activation, in NCHW and
  // channels-last, on 1x1 convs (oneDNN's 1x1 kernels) and 3x3 ones; the reference is computed in
  // NCHW and laid out as the kernel stores it.
  void epilogueInBothLayouts() {
    std::mt19937 rng(515);
    const std::pair<float, float> posts[] = {{2.0f, 0.5f}, {-1.5f, 0.25f}, {0.0f, 0.75f}};
    for (int a = 0; a < 8; ++a)
      for (const auto& [scale, shift] : posts)
        for (int64_t k : {1, 3})
          for (bool nhwc : {false, true}) {
            ConvCase cc;
            cc.c = 4 + a % 3 * 8;
            cc.m = 16 + a % 2 * 4;
            cc.k = {k, k};
            cc.in = {8 + a % 4, 6 + a % 3};
            cc.s = {1, 1};
            cc.d = {1, 1};
            cc.pl = {k / 2, k / 2};
            cc.pr = {k / 2, k / 2};
            cc.bias = a % 2 == 0;
            cc.act = activationByIndex(a);
            auto x = randomTensor({1, cc.c, cc.in[0], cc.in[1]}, rng, -3.0f, 3.0f);
            auto w = randomTensor({cc.m, cc.c, k, k}, rng);
            auto b = randomTensor({cc.m}, rng);
            std::vector<int64_t> yd;
            auto ref = refConv(cc, x, w, cc.bias ? &b : nullptr, nullptr, yd);
            for (auto& v : ref)
              v = v * scale + shift;
            // NCHW [1, C, H, W] <-> NHWC [1, H, W, C].
            auto toNhwc = [](const float* src, int64_t c, int64_t h, int64_t wd, float* dst) {
              for (int64_t ci = 0; ci < c; ++ci)
                for (int64_t i = 0; i < h * wd; ++i)
                  dst[i * c + ci] = src[ci * h * wd + i];
            };
            auto attrs = convAttrs(cc, false);
            attrs.set(ir::gsop::kPostScale, ir::Attribute::ofFloat(scale));
            attrs.set(ir::gsop::kPostShift, ir::Attribute::ofFloat(shift));
            std::vector<int64_t> outDims = yd;
            if (nhwc) {
              attrs.set(ir::gsop::kLayout, ir::Attribute::ofString("NHWC"));
              HostTensor xl(ir::DataType::Float32, {1, cc.in[0], cc.in[1], cc.c});
              toNhwc(x.as<float>(), cc.c, cc.in[0], cc.in[1], xl.as<float>());
              x = std::move(xl);
              std::vector<float> rl(ref.size());
              toNhwc(ref.data(), yd[1], yd[2], yd[3], rl.data());
              ref = std::move(rl);
              outDims = {yd[0], yd[2], yd[3], yd[1]};
            }
            auto ins = inputs(in(std::move(x)), in(std::move(w), true));
            if (cc.bias) ins.push_back(in(std::move(b), true));
            const auto label = QString("%1 post %2,%3 k%4 %5")
                                   .arg(QString::fromStdString(cc.act.name.empty() ? "none" : cc.act.name))
                                   .arg(scale)
                                   .arg(shift)
                                   .arg(k)
                                   .arg(nhwc ? "NHWC" : "NCHW");
            GS_ASSIGN_OK(auto outs, runOp("Conv", 13, std::move(ins), {out(outDims)}, attrs));
            GS_EXPECT_CLOSE(outs[0], ref, label.toStdString());
          }
  }

  void weightsSharedAcrossGears() {
    // Two gears (different input sizes) of one conv: the packed weights are made once.
    std::mt19937 rng(3);
    auto w = randomTensor({32, 16, 3, 3}, rng);
    const ir::Tensor wIr = toIr(w);
    runtime::cpu::WeightCache cache;
    ir::Attributes a;
    a.set("kernel_shape", ir::Attribute::ofInts({3, 3}));
    a.set("pads", ir::Attribute::ofInts({1, 1, 1, 1}));
    std::size_t firstBytes = 0;
    for (int64_t size : {24, 40}) {
      auto ins = inputs(in(randomTensor({1, 16, size, size}, rng)), in(HostTensor(), true));
      ins[1].t = randomTensor({32, 16, 3, 3}, rng); // shape only: the data comes from irConst
      ins[1].irConst = wIr;
      const std::vector<OutSpec> outs{out({1, 32, size, size})};
      const auto node = makeNode("Conv", ins, outs, a);
      GS_ASSIGN_OK(auto p, prepare(node, 13, ins, outs, &cache));
      if (firstBytes == 0) firstBytes = cache.bytes();
      QVERIFY(firstBytes >= 32 * 16 * 9 * sizeof(float));
      QCOMPARE(cache.bytes(), firstBytes);
      // The result uses the shared packed weights, not the (different) per-call tensor.
      ConvCase cc;
      cc.n = 1;
      cc.c = 16;
      cc.m = 32;
      cc.in = {size, size};
      cc.k = {3, 3};
      cc.s = cc.d = {1, 1};
      cc.pl = cc.pr = {1, 1};
      std::vector<int64_t> yd;
      const auto ref = refConv(cc, ins[0].t, w, nullptr, nullptr, yd);
      GS_ASSIGN_OK(auto res, execute(p, ins, outs));
      GS_EXPECT_CLOSE(res[0], ref, "shared weights");
    }
  }

  void badShapesAreErrors() {
    std::mt19937 rng(8);
    ir::Attributes a;
    a.set("group", ir::Attribute::ofInt(3));
    auto r = runOp("Conv", 13, inputs(in(randomTensor({1, 4, 5, 5}, rng)), in(randomTensor({6, 2, 3, 3}, rng), true)),
                   {out({1, 6, 3, 3})}, a);
    QVERIFY(!r);
    QVERIFY(r.error().message.find("Conv") != std::string::npos);
  }
};

int runConvTests(int argc, char** argv) {
  TestConv t;
  return QTest::qExec(&t, argc, argv);
}

#include "test_conv.moc"
