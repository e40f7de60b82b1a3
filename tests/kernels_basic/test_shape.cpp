// Shape and data-movement kernels against plain-loop references: Reshape family (aliasing
// included), Dropout, Shape/Size, Transpose over random perms and element sizes, DepthToSpace /
// SpaceToDepth, Concat/Split, Slice with negative steps and clamping, Pad in every mode, Expand,
// Tile. Opset-dependent attribute/input forms are both exercised.
#include <QtTest>

#include <algorithm>
#include <limits>
#include <numeric>

#include "harness.h"

using namespace kt;

namespace {

// A random tensor of one of the element sizes 1, 2, 4, 8.
HostTensor randomOfSize(int which, const Dims& dims) {
  switch (which % 4) {
  case 0:
    return randomInt<uint8_t>(dims, 0, 255);
  case 1:
    return randomInt<int16_t>(dims, -30000, 30000);
  case 2:
    return randomFloat(dims);
  default:
    return randomInt<int64_t>(dims, -(int64_t{1} << 50), int64_t{1} << 50);
  }
}

// out[i] = in[src(i)] for a reference index map.
template <class F> HostTensor gatherRef(const HostTensor& in, const Dims& outDims, F src) {
  HostTensor y(in.dtype(), outDims);
  const std::size_t s = gs::ir::dtypeSize(in.dtype());
  for (int64_t i = 0; i < y.numel(); ++i)
    std::memcpy(static_cast<std::byte*>(y.data()) + i * s,
                static_cast<const std::byte*>(in.data()) + src(unravel(i, outDims)) * s, s);
  return y;
}

HostTensor withDims(const HostTensor& t, const Dims& dims) {
  HostTensor y(t.dtype(), dims);
  std::memcpy(y.data(), t.data(), t.byteSize());
  return y;
}

// ONNX slice semantics as a list of the selected indices: start clamps to [0, dim] (forward) or
// [0, dim-1] (backward), end to [0, dim] or [-1, dim-1].
std::vector<int64_t> sliceIndices(int64_t dim, int64_t start, int64_t end, int64_t step) {
  std::vector<int64_t> r;
  if (dim == 0) return r;
  auto wrap = [&](int64_t v) { return v < 0 ? std::max(v, std::numeric_limits<int64_t>::min() + dim) + dim : v; };
  const int64_t s = std::clamp<int64_t>(wrap(start), 0, step > 0 ? dim : dim - 1);
  const int64_t e = std::clamp<int64_t>(wrap(end), step > 0 ? 0 : -1, step > 0 ? dim : dim - 1);
  for (int64_t i = s; step > 0 ? i < e : i > e; i += step)
    r.push_back(i);
  return r;
}

} // namespace

class TestShape : public QObject {
  Q_OBJECT

private slots:
  void reshapeFamily() {
    const HostTensor x = randomFloat({2, 3, 4});
    OpSpec r("Reshape", 14);
    r.in(copyOf(x)).in(i64({0, -1}), true).out(DataType::Float32);
    KT_OK(check(r, withDims(x, {2, 12})));
    OpSpec r2("Reshape", 14);
    r2.in(copyOf(x)).in(i64({4, -1, 1, 2})).out(DataType::Float32);
    KT_OK(check(r2, withDims(x, {4, 3, 1, 2})));
    OpSpec zero("Reshape", 14); // allowzero: a 0 in shape is a real 0
    zero.attrInt("allowzero", 1).in(HostTensor(DataType::Float32, {0, 3})).in(i64({3, 0})).out(DataType::Float32);
    KT_OK(check(zero, HostTensor(DataType::Float32, {3, 0})));
    OpSpec toScalar("Reshape", 14);
    toScalar.in(make<int64_t>({1, 1}, {42})).in(i64({})).out(DataType::Int64);
    KT_OK(check(toScalar, scalar<int64_t>(42)));
    OpSpec bad("Reshape", 14);
    bad.in(copyOf(x)).in(i64({5, -1})).out(DataType::Float32);
    KT_OK(expectFailure(bad, {std::nullopt}));
    // The executor may alias input and output of a copy: then nothing moves.
    OpSpec alias("Reshape", 14);
    alias.aliasOutput = true;
    alias.in(copyOf(x)).in(i64({24})).out(DataType::Float32);
    KT_OK(check(alias, withDims(x, {24})));

    for (int rank = 0; rank <= 4; ++rank) {
      const Dims dims = randomDims(rank, 1, 4);
      const HostTensor t = randomInt<int32_t>(dims, -9, 9);
      for (int64_t axis = -rank; axis <= rank; ++axis) {
        const auto a = static_cast<std::size_t>(axis < 0 ? axis + rank : axis);
        const Dims out{numel(Dims(dims.begin(), dims.begin() + static_cast<std::ptrdiff_t>(a))),
                       numel(Dims(dims.begin() + static_cast<std::ptrdiff_t>(a), dims.end()))};
        OpSpec f("Flatten", 13);
        f.attrInt("axis", axis).in(copyOf(t)).out(DataType::Int32);
        KT_OK(check(f, withDims(t, out)));
      }
    }

    const HostTensor s = randomFloat({1, 3, 1, 2, 1});
    OpSpec sqAll("Squeeze", 13);
    sqAll.in(copyOf(s)).out(DataType::Float32);
    KT_OK(check(sqAll, withDims(s, {3, 2})));
    OpSpec sqAttr("Squeeze", 11);
    sqAttr.attrInts("axes", {0, -1}).in(copyOf(s)).out(DataType::Float32);
    KT_OK(check(sqAttr, withDims(s, {3, 1, 2})));
    OpSpec sqIn("Squeeze", 13);
    sqIn.in(copyOf(s)).in(i64({2})).out(DataType::Float32);
    KT_OK(check(sqIn, withDims(s, {1, 3, 2, 1})));
    OpSpec sqBad("Squeeze", 13);
    sqBad.in(copyOf(s)).in(i64({1})).out(DataType::Float32);
    KT_OK(expectFailure(sqBad, {std::nullopt}));
    const HostTensor u = randomInt<int64_t>({3, 2}, 0, 100);
    OpSpec unAttr("Unsqueeze", 11);
    unAttr.attrInts("axes", {0, -1}).in(copyOf(u)).out(DataType::Int64);
    KT_OK(check(unAttr, withDims(u, {1, 3, 2, 1})));
    OpSpec unIn("Unsqueeze", 13);
    unIn.in(copyOf(u)).in(i64({1, 3}), true).out(DataType::Int64);
    KT_OK(check(unIn, withDims(u, {3, 1, 2, 1})));
    OpSpec unScalar("Unsqueeze", 13);
    unScalar.in(scalar<bool>(true)).in(i64({0})).out(DataType::Bool);
    KT_OK(check(unScalar, make<bool>({1}, {true})));
    OpSpec id("Identity");
    id.in(copyOf(u)).out(DataType::Int64);
    KT_OK(check(id, u));
  }

  void dropoutShapeSize() {
    const HostTensor x = randomFloat({2, 5});
    OpSpec d("Dropout", 13);
    d.in(copyOf(x)).in(scalar<float>(0.3f)).out(DataType::Float32).out(DataType::Bool);
    HostTensor mask(DataType::Bool, {2, 5});
    std::fill_n(mask.as<bool>(), 10, true);
    KT_OK(check(d, {&x, &mask}));
    OpSpec noMask("Dropout", 7);
    noMask.in(copyOf(x)).out(DataType::Float32);
    KT_OK(check(noMask, x));
    // Training mode drops at random (test_tail.cpp checks its stream): each element is 0 or 2x.
    OpSpec train("Dropout", 13);
    train.in(copyOf(x)).in(scalar<float>(0.5f)).in(scalar<bool>(true)).out(DataType::Float32);
    const auto trained = runOp(train, {Dims{2, 5}});
    QVERIFY(trained.has_value());
    for (int64_t i = 0; i < 10; ++i) {
      const float y = (*trained)[0].as<float>()[i], v = x.as<float>()[i];
      QVERIFY(y == 0.0f || std::abs(y - 2 * v) < 1e-6f);
    }

    const HostTensor t(DataType::Float32, {2, 3, 0, 5});
    OpSpec sh("Shape");
    sh.in(copyOf(t)).out(DataType::Int64);
    KT_OK(check(sh, i64({2, 3, 0, 5})));
    OpSpec part("Shape", 15);
    part.attrInt("start", -3).attrInt("end", -1).in(copyOf(t)).out(DataType::Int64);
    KT_OK(check(part, i64({3, 0})));
    OpSpec clamped("Shape", 15);
    clamped.attrInt("start", 3).attrInt("end", 1).in(copyOf(t)).out(DataType::Int64);
    KT_OK(check(clamped, i64({})));
    OpSpec size("Size");
    size.in(randomFloat({3, 7})).out(DataType::Int64);
    KT_OK(check(size, scalar<int64_t>(21)));
    OpSpec size0("Size");
    size0.in(scalar<float>(1.0f)).out(DataType::Int64);
    KT_OK(check(size0, scalar<int64_t>(1)));
  }

  void transposeRandom() {
    std::vector<std::pair<Dims, Dims>> cases = {
        {{2, 64, 33, 35}, {0, 2, 3, 1}}, // NCHW -> NHWC (blocked 2-D)
        {{2, 33, 35, 64}, {0, 3, 1, 2}}, // NHWC -> NCHW
        {{3, 40, 5, 70}, {0, 2, 1, 3}},  // last dim kept: row copies
        {{300, 400}, {1, 0}},
        {{5}, {0}},
        {{}, {}},
        {{2, 0, 3}, {2, 0, 1}},
    };
    for (int i = 0; i < 40; ++i) {
      const int rank = static_cast<int>(randInt(1, 5));
      Dims perm(static_cast<std::size_t>(rank));
      std::iota(perm.begin(), perm.end(), 0);
      std::shuffle(perm.begin(), perm.end(), rng());
      cases.push_back({randomDims(rank, 1, 5), perm});
    }
    int which = 0;
    for (const auto& [dims, perm] : cases) {
      const HostTensor x = randomOfSize(which++, dims);
      Dims out(perm.size());
      for (std::size_t k = 0; k < perm.size(); ++k)
        out[k] = dims[static_cast<std::size_t>(perm[k])];
      const HostTensor want = gatherRef(x, out, [&](const Dims& o) {
        Dims in(dims.size());
        for (std::size_t k = 0; k < perm.size(); ++k)
          in[static_cast<std::size_t>(perm[k])] = o[k];
        return ravel(in, dims);
      });
      OpSpec s("Transpose");
      Dims attrPerm = perm;
      if (which % 3 == 0)
        for (auto& p : attrPerm)
          p -= static_cast<int64_t>(perm.size()); // negative perm entries are accepted too
      if (!(which % 5 == 0 && std::is_sorted(perm.rbegin(), perm.rend()))) s.attrInts("perm", attrPerm);
      s.in(copyOf(x)).out(x.dtype());
      KT_OK(check(s, want));
    }
  }

  void depthSpace() {
    for (int64_t b : {1, 2, 3}) {
      const int64_t n = 2, c = 2, h = 3, w = 4;
      const HostTensor x = randomFloat({n, c * b * b, h, w});
      for (const char* mode : {"DCR", "CRD"}) {
        const Dims out{n, c, h * b, w * b};
        const bool dcr = std::string(mode) == "DCR";
        const HostTensor want = gatherRef(x, out, [&](const Dims& o) {
          const int64_t i = o[2] % b, j = o[3] % b;
          const int64_t ch = dcr ? (i * b + j) * c + o[1] : o[1] * b * b + i * b + j;
          return ravel({o[0], ch, o[2] / b, o[3] / b}, x.dims());
        });
        OpSpec s("DepthToSpace", 13);
        s.attrInt("blocksize", b).attrString("mode", mode).in(copyOf(x)).out(DataType::Float32);
        KT_OK(check(s, want));
      }
      const HostTensor y = randomInt<int64_t>({n, c, h * b, w * b}, -99, 99);
      const Dims out{n, c * b * b, h, w};
      const HostTensor want = gatherRef(y, out, [&](const Dims& o) {
        const int64_t ch = o[1] % c, blk = o[1] / c;
        return ravel({o[0], ch, o[2] * b + blk / b, o[3] * b + blk % b}, y.dims());
      });
      OpSpec s("SpaceToDepth");
      s.attrInt("blocksize", b).in(copyOf(y)).out(DataType::Int64);
      KT_OK(check(s, want));
    }
  }

  void concatAndSplit() {
    for (int trial = 0; trial < 30; ++trial) {
      const int rank = static_cast<int>(randInt(1, 4));
      const Dims base = randomDims(rank, 1, 4);
      const int64_t axis = randInt(-rank, rank - 1);
      const auto a = static_cast<std::size_t>(axis < 0 ? axis + rank : axis);
      const auto count = static_cast<int>(randInt(1, 4));
      std::vector<HostTensor> parts;
      std::vector<int64_t> sizes;
      for (int k = 0; k < count; ++k) {
        Dims d = base;
        d[a] = randInt(0, 3);
        sizes.push_back(d[a]);
        parts.push_back(randomOfSize(trial, d));
      }
      Dims out = base;
      out[a] = std::accumulate(sizes.begin(), sizes.end(), int64_t{0});
      HostTensor whole(parts[0].dtype(), out);
      const std::size_t es = gs::ir::dtypeSize(whole.dtype());
      for (int64_t i = 0; i < whole.numel(); ++i) {
        Dims idx = unravel(i, out);
        std::size_t k = 0;
        while (idx[a] >= sizes[k])
          idx[a] -= sizes[k++];
        std::memcpy(static_cast<std::byte*>(whole.data()) + i * es,
                    static_cast<const std::byte*>(parts[k].data()) + ravel(idx, parts[k].dims()) * es, es);
      }
      OpSpec c("Concat", 13);
      c.attrInt("axis", axis);
      for (const auto& p : parts)
        c.in(copyOf(p));
      c.out(whole.dtype());
      KT_OK(check(c, whole));
      // Split the whole back: sizes as attribute (opset 11) and as input (opset 13).
      std::vector<const HostTensor*> want;
      for (const auto& p : parts)
        want.push_back(&p);
      OpSpec s11("Split", 11);
      s11.attrInt("axis", axis).attrInts("split", sizes).in(copyOf(whole));
      OpSpec s13("Split", 13);
      s13.attrInt("axis", axis).in(copyOf(whole)).in(i64(sizes), trial % 2 == 0);
      for (int k = 0; k < count; ++k) {
        s11.out(whole.dtype());
        s13.out(whole.dtype());
      }
      KT_OK(check(s11, want));
      KT_OK(check(s13, want));
    }
    // Even split without sizes, and opset 18's uneven num_outputs split.
    const HostTensor x = randomFloat({7, 2});
    auto rows = [&](int64_t from, int64_t n) {
      return gatherRef(x, {n, 2}, [&](const Dims& o) { return ravel({o[0] + from, o[1]}, x.dims()); });
    };
    const HostTensor p0 = rows(0, 3), p1 = rows(3, 3), p2 = rows(6, 1);
    OpSpec uneven("Split", 18);
    uneven.attrInt("num_outputs", 3).in(copyOf(x)).out(DataType::Float32).out(DataType::Float32).out(DataType::Float32);
    KT_OK(check(uneven, {&p0, &p1, &p2}));
    const HostTensor y = randomFloat({2, 6});
    const HostTensor q0 = gatherRef(y, {2, 3}, [&](const Dims& o) { return ravel(o, y.dims()); });
    const HostTensor q1 = gatherRef(y, {2, 3}, [&](const Dims& o) { return ravel({o[0], o[1] + 3}, y.dims()); });
    OpSpec even("Split", 13);
    even.attrInt("axis", -1).in(copyOf(y)).out(DataType::Float32).out(DataType::Float32);
    KT_OK(check(even, {&q0, &q1}));
  }

  void sliceRandom() {
    const int64_t big = std::numeric_limits<int64_t>::max(), small = std::numeric_limits<int64_t>::min();
    for (int trial = 0; trial < 60; ++trial) {
      Dims dims = randomDims(static_cast<int>(randInt(1, 4)), 1, 7);
      if (trial == 0) dims = {200, 300};
      const int rank = static_cast<int>(dims.size());
      const HostTensor x = randomOfSize(trial, dims);
      std::vector<int64_t> starts, ends, axes, steps;
      std::vector<std::vector<int64_t>> pick(dims.size());
      for (std::size_t d = 0; d < dims.size(); ++d) {
        pick[d].resize(static_cast<std::size_t>(dims[d]));
        std::iota(pick[d].begin(), pick[d].end(), 0);
      }
      for (int d = 0; d < rank; ++d) {
        if (randInt(0, 3) == 0) continue;
        const int64_t n = dims[static_cast<std::size_t>(d)];
        int64_t st = randInt(-3, 3);
        if (st == 0) st = 1;
        int64_t s = randInt(-n - 2, n + 2), e = randInt(-n - 2, n + 2);
        if (randInt(0, 6) == 0) e = st > 0 ? big : small;
        starts.push_back(s);
        ends.push_back(e);
        axes.push_back(randInt(0, 1) ? d : d - rank);
        steps.push_back(st);
        pick[static_cast<std::size_t>(d)] = sliceIndices(n, s, e, st);
      }
      Dims out;
      for (const auto& p : pick)
        out.push_back(static_cast<int64_t>(p.size()));
      const HostTensor want = gatherRef(x, out, [&](const Dims& o) {
        Dims in(o.size());
        for (std::size_t k = 0; k < o.size(); ++k)
          in[k] = pick[k][static_cast<std::size_t>(o[k])];
        return ravel(in, dims);
      });
      OpSpec s("Slice", 13);
      s.in(copyOf(x)).in(i64(starts), trial % 2 == 0).in(i64(ends)).in(i64(axes)).in(i64(steps)).out(x.dtype());
      KT_OK(check(s, want));
    }
    // Opset 9: attributes, no steps; axes default to 0..n-1.
    const HostTensor x = randomFloat({4, 5});
    OpSpec s9("Slice", 9);
    s9.attrInts("starts", {1, -3}).attrInts("ends", {100, -1}).in(copyOf(x)).out(DataType::Float32);
    KT_OK(check(s9, gatherRef(x, {3, 2}, [&](const Dims& o) { return ravel({o[0] + 1, o[1] + 2}, x.dims()); })));
    OpSpec zeroStep("Slice", 13);
    zeroStep.in(copyOf(x)).in(i64({0})).in(i64({2})).in(i64({0})).in(i64({0})).out(DataType::Float32);
    KT_OK(expectFailure(zeroStep, {std::nullopt}));
  }

  void padAllModes() {
    for (int trial = 0; trial < 60; ++trial) {
      const int rank = static_cast<int>(randInt(1, 4));
      const Dims dims = randomDims(rank, 2, 5);
      const char* modes[] = {"constant", "reflect", "edge", "wrap"};
      const std::string mode = modes[trial % 4];
      std::vector<int64_t> pads(static_cast<std::size_t>(2 * rank));
      for (auto& p : pads)
        p = randInt(mode == "constant" ? -1 : 0, mode == "reflect" ? 1 : 3);
      const HostTensor x = randomOfSize(trial, dims);
      Dims out = dims;
      for (int d = 0; d < rank; ++d)
        out[static_cast<std::size_t>(d)] +=
            pads[static_cast<std::size_t>(d)] + pads[static_cast<std::size_t>(d + rank)];
      HostTensor value = like(x.dtype(), {});
      std::memset(value.data(), 0x5a, value.byteSize()); // some constant of the element type
      HostTensor want(x.dtype(), out);
      const std::size_t es = gs::ir::dtypeSize(x.dtype());
      for (int64_t i = 0; i < want.numel(); ++i) {
        const Dims o = unravel(i, out);
        Dims in(o.size());
        bool outside = false;
        for (std::size_t d = 0; d < o.size(); ++d) {
          const int64_t n = dims[d];
          int64_t s = o[d] - pads[d];
          if (mode == "constant") outside |= s < 0 || s >= n;
          if (mode == "edge") s = std::clamp<int64_t>(s, 0, n - 1);
          if (mode == "wrap") s = ((s % n) + n) % n;
          if (mode == "reflect") s = s < 0 ? -s : (s >= n ? 2 * (n - 1) - s : s);
          in[d] = s;
        }
        const void* src = outside ? value.data() : static_cast<const std::byte*>(x.data()) + ravel(in, dims) * es;
        std::memcpy(static_cast<std::byte*>(want.data()) + i * es, src, es);
      }
      OpSpec s("Pad", 13);
      s.attrString("mode", mode).in(copyOf(x)).in(i64(pads), trial % 2 == 0);
      if (mode == "constant") s.in(copyOf(value));
      s.out(x.dtype());
      KT_OK(check(s, want));
    }
    // Opset 2: pads and value as attributes; opset 18: an axes input.
    const HostTensor x = make<float>({2, 2}, {1, 2, 3, 4});
    OpSpec p2("Pad", 2);
    p2.attrInts("pads", {0, 1, 1, 0}).attrFloat("value", 9.0f).in(copyOf(x)).out(DataType::Float32);
    KT_OK(check(p2, make<float>({3, 3}, {9, 1, 2, 9, 3, 4, 9, 9, 9})));
    OpSpec p18("Pad", 18);
    p18.attrString("mode", "edge").in(copyOf(x)).in(i64({2, 1})).omit().in(i64({-1})).out(DataType::Float32);
    KT_OK(check(p18, make<float>({2, 5}, {1, 1, 1, 2, 2, 3, 3, 3, 4, 4})));
    OpSpec p0("Pad", 13); // constant mode without a value pads with 0
    p0.in(copyOf(x)).in(i64({1, 0, 0, 0})).out(DataType::Float32);
    KT_OK(check(p0, make<float>({3, 2}, {0, 0, 1, 2, 3, 4})));
  }

  void expandAndTile() {
    for (int trial = 0; trial < 40; ++trial) {
      const int rank = static_cast<int>(randInt(0, 4));
      const Dims out = randomDims(rank, 1, 4);
      Dims in = out, shape = out;
      for (auto& d : in)
        if (randInt(0, 1)) d = 1;
      if (!in.empty() && randInt(0, 1)) in.erase(in.begin());
      for (std::size_t d = 0; d < shape.size(); ++d) // a 1 in the shape keeps the input's dim
        if (randInt(0, 2) == 0 && d >= shape.size() - in.size() && in[d - (shape.size() - in.size())] == shape[d])
          shape[d] = 1;
      if (!shape.empty() && randInt(0, 3) == 0 && shape.size() == in.size()) shape.erase(shape.begin());
      const HostTensor x = randomOfSize(trial, in);
      const HostTensor want = gatherRef(x, out, [&](const Dims& o) { return broadcastIndex(o, in); });
      OpSpec s("Expand", 13);
      s.in(copyOf(x)).in(i64(shape), trial % 2 == 0).out(x.dtype());
      KT_OK(check(s, want));

      const Dims dims = randomDims(rank, 1, 4);
      std::vector<int64_t> reps(dims.size());
      for (auto& r : reps)
        r = randInt(0, 3);
      Dims tiled = dims;
      for (std::size_t d = 0; d < dims.size(); ++d)
        tiled[d] *= reps[d];
      const HostTensor t = randomOfSize(trial + 1, dims);
      const HostTensor tw = gatherRef(t, tiled, [&](const Dims& o) {
        Dims i(o.size());
        for (std::size_t d = 0; d < o.size(); ++d)
          i[d] = o[d] % dims[d];
        return ravel(i, dims);
      });
      OpSpec tile("Tile", 13);
      tile.in(copyOf(t)).in(i64(reps)).out(t.dtype());
      KT_OK(check(tile, tw));
    }
  }
};

int runShapeTests(int argc, char** argv) {
  TestShape t;
  return QTest::qExec(&t, argc, argv);
}

#include "test_shape.moc"
