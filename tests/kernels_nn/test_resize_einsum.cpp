// Resize / Upsample against hand-computed ONNX cases and an N-D (non-separable) reference over every
// mode, coordinate transformation, nearest rounding, cubic option and tf_crop_and_resize; Einsum
// against a scatter-style reference over many equations (implicit output, ellipsis, diagonals).
#include <QtTest>

#include <map>

#include "harness.h"
#include "reference.h"

using namespace gs;
using namespace gs::test;

namespace {

struct ResizeCase {
  std::string mode = "nearest", transform = "half_pixel", nearest = "round_prefer_floor";
  float cubicA = -0.75f, extrapolation = 0.0f;
  bool excludeOutside = false;
  std::vector<float> scales, roi;
  std::vector<int64_t> sizes;
};

// Per-axis taps (index, weight) following ONNX's reference: neighbours with edge clamping.
std::vector<std::pair<int64_t, float>> taps(const ResizeCase& rc, int64_t in, int64_t out, float scale, int64_t o,
                                            float roiStart, float roiEnd, bool& outside) {
  const float x = static_cast<float>(o);
  float src = 0.0f;
  const auto fin = static_cast<float>(in);
  // With scales the resized length is in * scale, not the floored output dim (ONNX's reference).
  const float fout = rc.scales.empty() ? static_cast<float>(out) : fin * scale;
  if (rc.transform == "half_pixel")
    src = (x + 0.5f) / scale - 0.5f;
  else if (rc.transform == "pytorch_half_pixel")
    src = fout > 1 ? (x + 0.5f) / scale - 0.5f : 0.0f;
  else if (rc.transform == "align_corners")
    src = fout == 1 ? 0.0f : x * (fin - 1) / (fout - 1);
  else if (rc.transform == "asymmetric")
    src = x / scale;
  else if (rc.transform == "tf_half_pixel_for_nn")
    src = (x + 0.5f) / scale;
  else if (rc.transform == "tf_crop_and_resize")
    src = fout > 1 ? roiStart * (fin - 1) + x * (roiEnd - roiStart) * (fin - 1) / (fout - 1)
                   : 0.5f * (roiStart + roiEnd) * (fin - 1);
  outside = rc.transform == "tf_crop_and_resize" && (src < 0 || src > fin - 1);
  auto clampI = [&](int64_t i) { return std::min(std::max<int64_t>(i, 0), in - 1); };
  if (rc.mode == "nearest") {
    int64_t i = 0;
    if (rc.nearest == "round_prefer_floor")
      i = static_cast<int64_t>(std::ceil(src - 0.5f));
    else if (rc.nearest == "round_prefer_ceil")
      i = static_cast<int64_t>(std::floor(src + 0.5f));
    else if (rc.nearest == "floor")
      i = static_cast<int64_t>(std::floor(src));
    else if (rc.nearest == "ceil")
      i = static_cast<int64_t>(std::ceil(src));
    else
      i = scale < 1 ? static_cast<int64_t>(std::ceil(src)) : static_cast<int64_t>(src); // opset < 11
    return {{clampI(i), 1.0f}};
  }
  const auto f = static_cast<int64_t>(std::floor(src));
  const float r = src - static_cast<float>(f);
  if (rc.mode == "linear") return {{clampI(f), 1 - r}, {clampI(f + 1), r}};
  const float a = rc.cubicA;
  const float c[4] = {((a * (r + 1) - 5 * a) * (r + 1) + 8 * a) * (r + 1) - 4 * a, ((a + 2) * r - (a + 3)) * r * r + 1,
                      ((a + 2) * (1 - r) - (a + 3)) * (1 - r) * (1 - r) + 1,
                      ((a * (2 - r) - 5 * a) * (2 - r) + 8 * a) * (2 - r) - 4 * a};
  std::vector<std::pair<int64_t, float>> t;
  float sum = 0;
  for (int k = 0; k < 4; ++k) {
    const int64_t i = f - 1 + k;
    const float w = rc.excludeOutside && (i < 0 || i >= in) ? 0.0f : c[k];
    t.emplace_back(clampI(i), w);
    sum += w;
  }
  if (rc.excludeOutside)
    for (auto& p : t)
      p.second /= sum;
  return t;
}

std::vector<float> refResize(const ResizeCase& rc, const HostTensor& x, std::vector<int64_t>& outDims) {
  const auto& in = x.dims();
  const std::size_t r = in.size();
  outDims.assign(r, 0);
  std::vector<float> scale(r);
  for (std::size_t a = 0; a < r; ++a) {
    outDims[a] =
        rc.scales.empty() ? rc.sizes[a] : static_cast<int64_t>(std::floor(static_cast<float>(in[a]) * rc.scales[a]));
    scale[a] = rc.scales.empty() ? static_cast<float>(outDims[a]) / static_cast<float>(in[a]) : rc.scales[a];
  }
  const auto inStr = stridesOf(in);
  std::vector<float> y;
  const int64_t total = numelOf(outDims);
  for (int64_t e = 0; e < total; ++e) {
    std::vector<std::vector<std::pair<int64_t, float>>> perAxis(r);
    int64_t rem = e;
    bool outside = false;
    for (std::size_t a = r; a-- > 0;) {
      const int64_t o = rem % outDims[a];
      rem /= outDims[a];
      bool out = false;
      perAxis[a] = taps(rc, in[a], outDims[a], scale[a], o, rc.roi.empty() ? 0 : rc.roi[a],
                        rc.roi.empty() ? 1 : rc.roi[a + r], out);
      outside = outside || out;
    }
    if (outside) {
      y.push_back(rc.extrapolation);
      continue;
    }
    // Sum over the product of all axes' taps (not separable on purpose).
    double acc = 0.0;
    std::vector<std::size_t> k(r, 0);
    while (true) {
      double w = 1.0;
      int64_t off = 0;
      for (std::size_t a = 0; a < r; ++a) {
        w *= perAxis[a][k[a]].second;
        off += perAxis[a][k[a]].first * inStr[a];
      }
      acc += w * x.as<float>()[off];
      std::size_t a = r;
      while (a-- > 0 && ++k[a] == perAxis[a].size())
        k[a] = 0;
      if (a == static_cast<std::size_t>(-1)) break;
    }
    y.push_back(static_cast<float>(acc));
  }
  return y;
}

ir::Attributes resizeAttrs(const ResizeCase& rc) {
  ir::Attributes a;
  a.set("mode", ir::Attribute::ofString(rc.mode));
  a.set("coordinate_transformation_mode", ir::Attribute::ofString(rc.transform));
  a.set("nearest_mode", ir::Attribute::ofString(rc.nearest));
  a.set("cubic_coeff_a", ir::Attribute::ofFloat(rc.cubicA));
  a.set("exclude_outside", ir::Attribute::ofInt(rc.excludeOutside));
  a.set("extrapolation_value", ir::Attribute::ofFloat(rc.extrapolation));
  return a;
}

// Einsum reference: scatter over every assignment of every label.
std::vector<float> refEinsum(const std::string& eq, const std::vector<const HostTensor*>& ops,
                             std::vector<int64_t>& outDims) {
  const auto arrow = eq.find("->");
  std::vector<std::string> terms;
  std::string lhs = eq.substr(0, arrow), rhs;
  for (std::size_t s = 0;;) {
    const auto c = lhs.find(',', s);
    terms.push_back(lhs.substr(s, c == std::string::npos ? std::string::npos : c - s));
    if (c == std::string::npos) break;
    s = c + 1;
  }
  // Expand "..." into capital letters from the right (test equations use lower case only).
  std::size_t ell = 0;
  for (std::size_t i = 0; i < terms.size(); ++i)
    if (auto p = terms[i].find("..."); p != std::string::npos)
      ell = std::max(ell, ops[i]->dims().size() - (terms[i].size() - 3));
  auto expand = [&](std::string t, std::size_t rank) {
    if (auto p = t.find("..."); p != std::string::npos) {
      const std::size_t n = rank - (t.size() - 3);
      std::string caps;
      for (std::size_t k = 0; k < n; ++k)
        caps += static_cast<char>('Z' - (n - 1 - k));
      t.replace(p, 3, caps);
    }
    return t;
  };
  std::map<char, int64_t> size;
  std::map<char, int> count;
  for (std::size_t i = 0; i < terms.size(); ++i) {
    terms[i] = expand(terms[i], ops[i]->dims().size());
    for (std::size_t d = 0; d < terms[i].size(); ++d) {
      auto& s = size[terms[i][d]];
      s = std::max(s, ops[i]->dims()[d]);
      ++count[terms[i][d]];
    }
  }
  if (arrow != std::string::npos) {
    rhs = expand(eq.substr(arrow + 2),
                 ell + (eq.size() - arrow - 2 - (eq.find("...", arrow) != std::string::npos ? 3 : 0)));
  } else {
    for (std::size_t k = 0; k < ell; ++k)
      rhs += static_cast<char>('Z' - (ell - 1 - k));
    for (auto [l, c] : count)
      if (c == 1 && l >= 'a') rhs += l;
  }
  outDims.clear();
  for (char l : rhs)
    outDims.push_back(size[l]);
  std::vector<double> acc(static_cast<std::size_t>(numelOf(outDims)), 0.0);
  std::vector<char> labels;
  for (auto& [l, s] : size)
    labels.push_back(l);
  std::map<char, int64_t> v;
  std::function<void(std::size_t)> rec = [&](std::size_t li) {
    if (li == labels.size()) {
      double p = 1.0;
      for (std::size_t i = 0; i < terms.size(); ++i) {
        int64_t off = 0;
        const auto st = stridesOf(ops[i]->dims());
        for (std::size_t d = 0; d < terms[i].size(); ++d)
          off += (ops[i]->dims()[d] == 1 ? 0 : v[terms[i][d]]) * st[d];
        p *= ops[i]->as<float>()[off];
      }
      int64_t o = 0;
      for (char l : rhs)
        o = o * size[l] + v[l];
      acc[static_cast<std::size_t>(o)] += p;
      return;
    }
    for (int64_t k = 0; k < size[labels[li]]; ++k) {
      v[labels[li]] = k;
      rec(li + 1);
    }
  };
  rec(0);
  return std::vector<float>(acc.begin(), acc.end());
}

} // namespace

class TestResizeEinsum : public QObject {
  Q_OBJECT

private slots:
  void resizeHandComputed() {
    // ONNX backend cases: resize_upsample_scales_nearest, resize_downsample_scales_linear,
    // resize_upsample_scales_linear_align_corners.
    ResizeCase rc;
    rc.scales = {1, 1, 2, 3};
    GS_ASSIGN_OK(auto a, runOp("Resize", 13,
                               inputs(in(fromValues({1, 1, 2, 2}, {1, 2, 3, 4})), absent(),
                                      in(fromValues({4}, rc.scales), true)),
                               {out({1, 1, 4, 6})}, resizeAttrs(rc)));
    GS_EXPECT_CLOSE(a[0], (std::vector<float>{1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 3, 3, 3, 4, 4, 4}),
                    "nearest");
    rc.mode = "linear";
    rc.scales = {1, 1, 0.6f, 0.6f};
    GS_ASSIGN_OK(auto b, runOp("Resize", 13,
                               inputs(in(fromValues({1, 1, 2, 4}, {1, 2, 3, 4, 5, 6, 7, 8})), absent(),
                                      in(fromValues({4}, rc.scales), true)),
                               {out({1, 1, 1, 2})}, resizeAttrs(rc)));
    GS_EXPECT_CLOSE(b[0], (std::vector<float>{2.6666665f, 4.3333331f}), "linear downsample");
    // resize_downsample_scales_linear_align_corners: the resized length is 4 * 0.6 = 2.4, not the
    // output dim 2, so output x = 1 reads input x = 3 / 1.4.
    rc.transform = "align_corners";
    GS_ASSIGN_OK(auto b2, runOp("Resize", 13,
                                inputs(in(fromValues({1, 1, 2, 4}, {1, 2, 3, 4, 5, 6, 7, 8})), absent(),
                                       in(fromValues({4}, rc.scales), true)),
                                {out({1, 1, 1, 2})}, resizeAttrs(rc)));
    GS_EXPECT_CLOSE(b2[0], (std::vector<float>{1.0f, 1.0f + 3.0f / 1.4f}), "linear downsample align corners");
    rc.transform = "align_corners";
    rc.scales = {1, 1, 2, 2};
    GS_ASSIGN_OK(auto c, runOp("Resize", 11,
                               inputs(in(fromValues({1, 1, 2, 2}, {1, 2, 3, 4})), in(fromValues({0}, {}), true),
                                      in(fromValues({4}, rc.scales), true)),
                               {out({1, 1, 4, 4})}, resizeAttrs(rc)));
    const float t = 1.0f / 3.0f;
    GS_EXPECT_CLOSE(c[0],
                    (std::vector<float>{1, 1 + t, 1 + 2 * t, 2, 1 + 2 * t, 2, 2 + t, 2 + 2 * t, 1 + 4 * t, 2 + 2 * t, 3,
                                        3 + t, 3, 3 + t, 3 + 2 * t, 4}),
                    "align corners");
    // Upsample-7 (scales attribute) and Upsample-9 (scales input), nearest.
    ir::Attributes up;
    up.set("mode", ir::Attribute::ofString("nearest"));
    up.set("scales", ir::Attribute::ofFloats({1, 1, 2, 2}));
    GS_ASSIGN_OK(auto d,
                 runOp("Upsample", 7, inputs(in(fromValues({1, 1, 2, 2}, {1, 2, 3, 4}))), {out({1, 1, 4, 4})}, up));
    GS_EXPECT_CLOSE(d[0], (std::vector<float>{1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4}), "upsample-7");
    up.erase("scales");
    GS_ASSIGN_OK(auto e, runOp("Upsample", 9,
                               inputs(in(fromValues({1, 1, 2, 2}, {1, 2, 3, 4})), in(fromValues({4}, {1, 1, 2, 3}))),
                               {out({1, 1, 4, 6})}, up));
    GS_EXPECT_CLOSE(e[0], (std::vector<float>{1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 3, 3, 3, 4, 4, 4}),
                    "upsample-9 runtime scales");
  }

  void resizeRandom() {
    std::mt19937 rng(41);
    const char* modes[] = {"nearest", "linear", "cubic"};
    const char* transforms[] = {"half_pixel", "pytorch_half_pixel",   "align_corners",
                                "asymmetric", "tf_half_pixel_for_nn", "tf_crop_and_resize"};
    const char* rounding[] = {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"};
    for (int i = 0; i < 90; ++i) {
      ResizeCase rc;
      rc.mode = modes[i % 3];
      rc.transform = transforms[(i / 3) % 6];
      rc.nearest = rounding[randInt(rng, 0, 3)];
      rc.cubicA = i % 2 ? -0.75f : -0.5f;
      rc.excludeOutside = i % 4 == 1;
      rc.extrapolation = i % 2 ? 0.0f : -2.5f;
      const std::size_t rank = static_cast<std::size_t>(randInt(rng, 3, 4));
      std::vector<int64_t> d(rank);
      for (auto& x : d)
        x = randInt(rng, 1, 6);
      const bool useSizes = i % 2 == 1;
      for (std::size_t a = 0; a < rank; ++a) {
        const bool change = a >= rank - 2 || randInt(rng, 0, 2) == 0;
        if (useSizes)
          rc.sizes.push_back(change ? randInt(rng, 1, 9) : d[a]);
        else
          rc.scales.push_back(change ? std::vector<float>{0.5f, 0.75f, 1.5f, 2.0f, 3.0f, 1.3f}[randInt(rng, 0, 5)]
                                     : 1.0f);
      }
      if (!useSizes)
        for (std::size_t a = 0; a < rank; ++a)
          if (std::floor(static_cast<float>(d[a]) * rc.scales[a]) < 1) rc.scales[a] = 1.0f;
      if (rc.transform == "tf_crop_and_resize") {
        for (std::size_t a = 0; a < rank; ++a)
          rc.roi.push_back(a < rank - 2 ? 0.0f : std::uniform_real_distribution<float>(-0.2f, 0.4f)(rng));
        for (std::size_t a = 0; a < rank; ++a)
          rc.roi.push_back(a < rank - 2 ? 1.0f : std::uniform_real_distribution<float>(0.6f, 1.2f)(rng));
      }
      auto x = randomTensor(d, rng);
      std::vector<int64_t> yd;
      const auto ref = refResize(rc, x, yd);
      auto ins = inputs(in(std::move(x)));
      ins.push_back(rc.roi.empty() ? absent() : in(fromValues({static_cast<int64_t>(rc.roi.size())}, rc.roi), true));
      const bool constant = i % 5 != 4; // some cases read scales/sizes at run time
      if (useSizes) {
        ins.push_back(absent());
        ins.push_back(in(int64Tensor({static_cast<int64_t>(rank)}, rc.sizes), constant));
      } else {
        ins.push_back(in(fromValues({static_cast<int64_t>(rank)}, rc.scales), constant));
      }
      const auto label = "resize case " + std::to_string(i) + " " + rc.mode + " " + rc.transform + " " + rc.nearest;
      GS_ASSIGN_OK(auto res, runOp("Resize", 13, std::move(ins), {out(yd)}, resizeAttrs(rc)));
      GS_EXPECT_CLOSE(res[0], ref, label);
    }
  }

  void resizeOpset10AndUpsampleLinear() {
    std::mt19937 rng(42);
    for (int i = 0; i < 10; ++i) {
      ResizeCase rc;
      rc.mode = i % 2 ? "linear" : "nearest";
      rc.transform = "asymmetric";
      rc.nearest = "simple";
      rc.scales = {1, 1, i % 3 ? 2.0f : 0.5f, i % 4 ? 1.5f : 3.0f};
      auto x = randomTensor({1, 2, randInt(rng, 2, 6), randInt(rng, 2, 6)}, rng);
      std::vector<int64_t> yd;
      const auto ref = refResize(rc, x, yd);
      ir::Attributes a;
      a.set("mode", ir::Attribute::ofString(rc.mode));
      GS_ASSIGN_OK(auto r10, runOp(i % 2 ? "Upsample" : "Resize", i % 2 ? 9 : 10,
                                   inputs(in(std::move(x)), in(fromValues({4}, rc.scales), true)), {out(yd)}, a));
      GS_EXPECT_CLOSE(r10[0], ref, "opset-10 resize / upsample case " + std::to_string(i));
    }
  }

  void einsumEquations() {
    std::mt19937 rng(43);
    struct Case {
      std::string eq;
      std::vector<std::vector<int64_t>> dims;
    };
    const std::vector<Case> cases{
        {"ij,jk->ik", {{3, 4}, {4, 5}}},
        {"bij,bjk->bik", {{2, 3, 4}, {2, 4, 5}}},
        {"bhqd,bhkd->bhqk", {{1, 2, 3, 4}, {1, 2, 5, 4}}},
        {"ii->i", {{4, 4}}},
        {"ii", {{5, 5}}},
        {"ij->ji", {{3, 7}}},
        {"i,i", {{6}, {6}}},
        {"ij,kj", {{3, 4}, {5, 4}}},
        {"i,j->ij", {{3}, {4}}},
        {"...ij,...jk->...ik", {{2, 1, 3, 4}, {3, 4, 2}}},
        {"abc,cd,de->abe", {{2, 3, 4}, {4, 5}, {5, 2}}},
        {"ij->", {{3, 4}}},
        {"bii->bi", {{2, 3, 3}}},
        {"...i->...", {{2, 3, 4}}},
    };
    for (const auto& c : cases) {
      std::vector<HostTensor> ops;
      for (const auto& d : c.dims)
        ops.push_back(randomTensor(d, rng));
      std::vector<const HostTensor*> ptrs;
      for (const auto& o : ops)
        ptrs.push_back(&o);
      std::vector<int64_t> yd;
      const auto ref = refEinsum(c.eq, ptrs, yd);
      std::vector<Input> ins;
      for (auto& o : ops)
        ins.push_back(in(HostTensor::fromIr(toIr(o))));
      ir::Attributes a;
      a.set("equation", ir::Attribute::ofString(c.eq));
      GS_ASSIGN_OK(auto res, runOp("Einsum", 12, std::move(ins), {out(yd)}, a));
      GS_EXPECT_CLOSE(res[0], ref, "einsum " + c.eq);
    }
  }
};

int runResizeEinsumTests(int argc, char** argv) {
  TestResizeEinsum t;
  return QTest::qExec(&t, argc, argv);
}

#include "test_resize_einsum.moc"
