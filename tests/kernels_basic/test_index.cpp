// Indexing, generator, type and selection kernels against plain-loop references: Gather family
// (negative and out-of-range indices), Scatter with reductions, ConstantOfShape, Range, EyeLike,
// OneHot, Trilu, Cast (float16 rounding included), TopK with ties, and the data-dependent NonZero
// and Compress whose outputs are allocated by the kernel. Also checks the kernel table itself.
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include "core/runtime/cpu/kernels/registry.h"
#include "harness.h"

using namespace kt;

namespace {

template <class F> HostTensor gatherRef(const HostTensor& in, const Dims& outDims, F src) {
  HostTensor y(in.dtype(), outDims);
  const std::size_t s = gs::ir::dtypeSize(in.dtype());
  for (int64_t i = 0; i < y.numel(); ++i)
    std::memcpy(static_cast<std::byte*>(y.data()) + i * s,
                static_cast<const std::byte*>(in.data()) + src(unravel(i, outDims)) * s, s);
  return y;
}

// IEEE half -> float, written out from the format's definition.
double halfValue(uint16_t h) {
  const int e = (h >> 10) & 31, m = h & 1023;
  const double sign = (h & 0x8000) ? -1.0 : 1.0;
  if (e == 0) return sign * std::ldexp(m, -24);
  if (e == 31) return m ? std::numeric_limits<double>::quiet_NaN() : sign * std::numeric_limits<double>::infinity();
  return sign * std::ldexp(1024 + m, e - 25);
}

} // namespace

class TestIndex : public QObject {
  Q_OBJECT

private slots:
  void gatherAll() {
    for (int trial = 0; trial < 40; ++trial) {
      const int rank = static_cast<int>(randInt(1, 4));
      const Dims dims = randomDims(rank, 1, 5);
      const int64_t axis = randInt(-rank, rank - 1);
      const auto a = static_cast<std::size_t>(axis < 0 ? axis + rank : axis);
      const Dims idxDims = randomDims(static_cast<int>(randInt(0, 2)), 0, 3);
      const HostTensor data = trial % 2 ? randomFloat(dims) : randomInt<int64_t>(dims, -1000, 1000);
      HostTensor idx = randomInt<int64_t>(idxDims, -dims[a], dims[a] - 1);
      Dims out(dims.begin(), dims.begin() + static_cast<std::ptrdiff_t>(a));
      out.insert(out.end(), idxDims.begin(), idxDims.end());
      out.insert(out.end(), dims.begin() + static_cast<std::ptrdiff_t>(a) + 1, dims.end());
      const HostTensor want = gatherRef(data, out, [&](const Dims& o) {
        Dims in(o.begin(), o.begin() + static_cast<std::ptrdiff_t>(a));
        const Dims ii(o.begin() + static_cast<std::ptrdiff_t>(a),
                      o.begin() + static_cast<std::ptrdiff_t>(a + idxDims.size()));
        int64_t v = idx.as<int64_t>()[ravel(ii, idxDims)];
        in.push_back(v < 0 ? v + dims[a] : v);
        in.insert(in.end(), o.begin() + static_cast<std::ptrdiff_t>(a + idxDims.size()), o.end());
        return ravel(in, dims);
      });
      OpSpec s("Gather", 13);
      if (trial % 3 == 0) {
        HostTensor i32(DataType::Int32, idxDims);
        for (int64_t i = 0; i < idx.numel(); ++i)
          i32.as<int32_t>()[i] = static_cast<int32_t>(idx.as<int64_t>()[i]);
        s.attrInt("axis", axis).in(copyOf(data)).in(std::move(i32)).out(data.dtype());
      } else {
        s.attrInt("axis", axis).in(copyOf(data)).in(copyOf(idx), trial % 2 == 0).out(data.dtype());
      }
      KT_OK(check(s, want));

      // GatherElements: indices of the data's rank, any size along the axis.
      Dims ge = dims;
      for (auto& d : ge)
        d = randInt(1, d);
      ge[a] = randInt(0, 4);
      const HostTensor eidx = randomInt<int64_t>(ge, -dims[a], dims[a] - 1);
      const HostTensor ewant = gatherRef(data, ge, [&](const Dims& o) {
        Dims in = o;
        const int64_t v = eidx.as<int64_t>()[ravel(o, ge)];
        in[a] = v < 0 ? v + dims[a] : v;
        return ravel(in, dims);
      });
      OpSpec e("GatherElements", 13);
      e.attrInt("axis", axis).in(copyOf(data)).in(copyOf(eidx)).out(data.dtype());
      KT_OK(check(e, ewant));
    }
    OpSpec bad("Gather", 13);
    bad.in(randomFloat({3, 2})).in(i64({3})).out(DataType::Float32);
    KT_OK(expectFailure(bad, {Dims{1, 2}}));
  }

  void gatherNd() {
    for (int batch = 0; batch <= 1; ++batch)
      for (int trial = 0; trial < 15; ++trial) {
        const Dims dims = randomDims(static_cast<int>(randInt(batch + 1, 4)), 1, 4);
        const auto k = static_cast<int64_t>(randInt(1, static_cast<int64_t>(dims.size()) - batch));
        Dims idxDims(dims.begin(), dims.begin() + batch);
        idxDims.push_back(randInt(0, 3));
        idxDims.push_back(k);
        HostTensor idx(DataType::Int64, idxDims);
        for (int64_t i = 0; i < idx.numel(); ++i) {
          const int64_t n = dims[static_cast<std::size_t>(batch + i % k)];
          idx.as<int64_t>()[i] = randInt(-n, n - 1);
        }
        const HostTensor data = randomFloat(dims);
        Dims out(idxDims.begin(), idxDims.end() - 1);
        out.insert(out.end(), dims.begin() + batch + k, dims.end());
        const HostTensor want = gatherRef(data, out, [&](const Dims& o) {
          Dims in(o.begin(), o.begin() + batch);
          const Dims tuple(o.begin(), o.begin() + static_cast<std::ptrdiff_t>(idxDims.size() - 1));
          for (int64_t j = 0; j < k; ++j) {
            Dims ii = tuple;
            ii.push_back(j);
            const int64_t v = idx.as<int64_t>()[ravel(ii, idxDims)];
            in.push_back(v < 0 ? v + dims[static_cast<std::size_t>(batch + j)] : v);
          }
          in.insert(in.end(), o.begin() + static_cast<std::ptrdiff_t>(idxDims.size() - 1), o.end());
          return ravel(in, dims);
        });
        OpSpec s("GatherND", 13);
        s.attrInt("batch_dims", batch).in(copyOf(data)).in(copyOf(idx)).out(DataType::Float32);
        KT_OK(check(s, want));
      }
  }

  void scatter() {
    for (const char* red : {"none", "add", "mul"}) {
      for (int trial = 0; trial < 15; ++trial) {
        const int rank = static_cast<int>(randInt(1, 3));
        const Dims dims = randomDims(rank, 1, 4);
        const int64_t axis = randInt(-rank, rank - 1);
        const auto a = static_cast<std::size_t>(axis < 0 ? axis + rank : axis);
        Dims id = dims;
        for (auto& d : id)
          d = randInt(1, d);
        const HostTensor data = randomInt<int64_t>(dims, -5, 5);
        const HostTensor idx = randomInt<int64_t>(id, -dims[a], dims[a] - 1);
        const HostTensor upd = randomInt<int64_t>(id, -5, 5);
        HostTensor want = copyOf(data);
        for (int64_t i = 0; i < idx.numel(); ++i) { // in order: the last duplicate wins for "none"
          Dims t = unravel(i, id);
          const int64_t v = idx.as<int64_t>()[i];
          t[a] = v < 0 ? v + dims[a] : v;
          int64_t& dst = want.as<int64_t>()[ravel(t, dims)];
          const int64_t u = upd.as<int64_t>()[i];
          dst = std::string(red) == "add" ? dst + u : std::string(red) == "mul" ? dst * u : u;
        }
        OpSpec s("ScatterElements", 16);
        s.attrInt("axis", axis)
            .attrString("reduction", red)
            .in(copyOf(data))
            .in(copyOf(idx))
            .in(copyOf(upd))
            .out(DataType::Int64);
        KT_OK(check(s, want));

        // ScatterND with k leading index dims
        const auto k = static_cast<std::size_t>(randInt(1, rank));
        const int64_t tuples = randInt(0, 3);
        HostTensor nidx(DataType::Int64, {tuples, static_cast<int64_t>(k)});
        for (int64_t t = 0; t < tuples; ++t)
          for (std::size_t j = 0; j < k; ++j)
            nidx.as<int64_t>()[t * static_cast<int64_t>(k) + static_cast<int64_t>(j)] = randInt(-dims[j], dims[j] - 1);
        Dims ud{tuples};
        ud.insert(ud.end(), dims.begin() + static_cast<std::ptrdiff_t>(k), dims.end());
        const HostTensor nupd = randomInt<int64_t>(ud, -5, 5);
        HostTensor nwant = copyOf(data);
        const int64_t slice = numel(Dims(dims.begin() + static_cast<std::ptrdiff_t>(k), dims.end()));
        for (int64_t t = 0; t < tuples; ++t) {
          Dims base(dims.size(), 0);
          for (std::size_t j = 0; j < k; ++j) {
            const int64_t v = nidx.as<int64_t>()[t * static_cast<int64_t>(k) + static_cast<int64_t>(j)];
            base[j] = v < 0 ? v + dims[j] : v;
          }
          const int64_t off = ravel(base, dims);
          for (int64_t i = 0; i < slice; ++i) {
            int64_t& dst = nwant.as<int64_t>()[off + i];
            const int64_t u = nupd.as<int64_t>()[t * slice + i];
            dst = std::string(red) == "add" ? dst + u : std::string(red) == "mul" ? dst * u : u;
          }
        }
        OpSpec n("ScatterND", 16);
        n.attrString("reduction", red).in(copyOf(data)).in(copyOf(nidx)).in(copyOf(nupd)).out(DataType::Int64);
        KT_OK(check(n, nwant));
      }
    }
    OpSpec f("Scatter", 10); // the deprecated name, float data
    f.attrInt("axis", 1)
        .in(make<float>({1, 5}, {1, 2, 3, 4, 5}))
        .in(make<int64_t>({1, 2}, {1, 3}))
        .in(make<float>({1, 2}, {-1, -2}))
        .out(DataType::Float32);
    KT_OK(check(f, make<float>({1, 5}, {1, -1, 3, -2, 5})));
  }

  void generators() {
    OpSpec c("ConstantOfShape", 9);
    c.attr("value", gs::ir::Attribute::ofTensor(gs::ir::Tensor::fromVector<int64_t>({7}, {1})))
        .in(i64({2, 3}))
        .out(DataType::Int64);
    KT_OK(check(c, make<int64_t>({2, 3}, {7, 7, 7, 7, 7, 7})));
    OpSpec c0("ConstantOfShape", 9); // default: float 0; an empty shape gives a scalar
    c0.in(i64({})).out(DataType::Float32);
    KT_OK(check(c0, scalar<float>(0)));
    OpSpec ce("ConstantOfShape", 9);
    ce.in(i64({3, 0})).out(DataType::Float32);
    KT_OK(check(ce, HostTensor(DataType::Float32, {3, 0})));

    struct RangeCase {
      double start, limit, delta;
    };
    for (const auto& r : {RangeCase{0, 10, 3}, RangeCase{10, 0, -3}, RangeCase{5, 5, 1}, RangeCase{1, 0, 1},
                          RangeCase{-2.5, 2.5, 0.75}}) {
      const auto n = static_cast<int64_t>(std::max(std::ceil((r.limit - r.start) / r.delta), 0.0));
      HostTensor wf(DataType::Float32, {n});
      for (int64_t i = 0; i < n; ++i)
        wf.as<float>()[i] = static_cast<float>(r.start + static_cast<double>(i) * r.delta);
      OpSpec f("Range", 11);
      f.in(scalar<float>(static_cast<float>(r.start)))
          .in(scalar<float>(static_cast<float>(r.limit)))
          .in(scalar<float>(static_cast<float>(r.delta)))
          .out(DataType::Float32);
      KT_OK(check(f, wf));
      if (r.delta != std::floor(r.delta) || r.start != std::floor(r.start)) continue;
      HostTensor wi(DataType::Int64, {n});
      for (int64_t i = 0; i < n; ++i)
        wi.as<int64_t>()[i] = static_cast<int64_t>(r.start) + i * static_cast<int64_t>(r.delta);
      OpSpec g("Range", 11);
      g.in(scalar<int64_t>(static_cast<int64_t>(r.start)))
          .in(scalar<int64_t>(static_cast<int64_t>(r.limit)))
          .in(scalar<int64_t>(static_cast<int64_t>(r.delta)))
          .out(DataType::Int64);
      KT_OK(check(g, wi));
    }

    for (int64_t k : {-1, 0, 2}) {
      HostTensor want(DataType::Int32, {3, 4});
      for (int64_t i = 0; i < 3; ++i)
        for (int64_t j = 0; j < 4; ++j)
          want.as<int32_t>()[i * 4 + j] = j - i == k ? 1 : 0;
      OpSpec e("EyeLike", 9);
      e.attrInt("k", k).attrInt("dtype", 6).in(randomFloat({3, 4})).out(DataType::Int32);
      KT_OK(check(e, want));
    }

    for (int trial = 0; trial < 10; ++trial) {
      const Dims idxDims = randomDims(static_cast<int>(randInt(0, 3)), 1, 4);
      const int64_t depth = randInt(1, 5);
      const auto outRank = static_cast<int64_t>(idxDims.size()) + 1;
      const int64_t axis = randInt(-outRank, outRank - 1);
      const auto a = static_cast<std::size_t>(axis < 0 ? axis + outRank : axis);
      const HostTensor idx = randomInt<int64_t>(idxDims, -depth - 1, depth); // some out of range
      Dims out = idxDims;
      out.insert(out.begin() + static_cast<std::ptrdiff_t>(a), depth);
      HostTensor want(DataType::Float32, out);
      for (int64_t i = 0; i < want.numel(); ++i) {
        Dims o = unravel(i, out);
        const int64_t d = o[a];
        o.erase(o.begin() + static_cast<std::ptrdiff_t>(a));
        int64_t v = idx.as<int64_t>()[ravel(o, idxDims)];
        if (v < 0) v += depth;
        want.as<float>()[i] = v == d ? 5.0f : -1.0f;
      }
      OpSpec s("OneHot", 11);
      s.attrInt("axis", axis)
          .in(copyOf(idx))
          .in(scalar<float>(static_cast<float>(depth)))
          .in(make<float>({2}, {-1, 5}))
          .out(DataType::Float32);
      KT_OK(check(s, want));
    }

    for (int trial = 0; trial < 12; ++trial) {
      const Dims dims = randomDims(static_cast<int>(randInt(2, 4)), 1, 6);
      const bool upper = trial % 2 == 0;
      const int64_t k = randInt(-3, 3);
      const HostTensor x = randomInt<int64_t>(dims, 1, 9);
      HostTensor want = copyOf(x);
      for (int64_t i = 0; i < x.numel(); ++i) {
        const Dims o = unravel(i, dims);
        const int64_t r = o[o.size() - 2], c = o.back();
        if (upper ? c - r < k : c - r > k) want.as<int64_t>()[i] = 0;
      }
      OpSpec s("Trilu", 14);
      s.attrInt("upper", upper).in(copyOf(x));
      if (k != 0 || trial % 4) s.in(scalar<int64_t>(k));
      s.out(DataType::Int64);
      KT_OK(check(s, want));
    }
  }

  void castBetweenTypes() {
    const std::vector<double> values = {0.0, 1.0, -1.0, 2.75, -2.75, 100.0, 0.5, -0.4};
    const DataType types[] = {DataType::Float32, DataType::Float64, DataType::Int32, DataType::Int64,
                              DataType::Int8,    DataType::UInt8,   DataType::Bool,  DataType::Int16};
    auto fill = [&](DataType t) {
      HostTensor h(t, {static_cast<int64_t>(values.size())});
      for (std::size_t i = 0; i < values.size(); ++i) {
        double v = values[i];
        if (t == DataType::UInt8) v = std::fabs(v);
        switch (t) {
        case DataType::Float32:
          h.as<float>()[i] = static_cast<float>(v);
          break;
        case DataType::Float64:
          h.as<double>()[i] = v;
          break;
        case DataType::Int32:
          h.as<int32_t>()[i] = static_cast<int32_t>(v);
          break;
        case DataType::Int64:
          h.as<int64_t>()[i] = static_cast<int64_t>(v);
          break;
        case DataType::Int8:
          h.as<int8_t>()[i] = static_cast<int8_t>(v);
          break;
        case DataType::UInt8:
          h.as<uint8_t>()[i] = static_cast<uint8_t>(v);
          break;
        case DataType::Int16:
          h.as<int16_t>()[i] = static_cast<int16_t>(v);
          break;
        default:
          h.as<bool>()[i] = v != 0;
          break;
        }
      }
      return h;
    };
    for (DataType from : types)
      for (DataType to : types) {
        const HostTensor x = fill(from);
        HostTensor want(to, x.dims());
        for (int64_t i = 0; i < x.numel(); ++i) {
          const double v = at(x, i);
          const double t = to == DataType::Bool
                               ? (v != 0)
                               : (to == DataType::Float32 || to == DataType::Float64 ? v : std::trunc(v));
          switch (to) {
          case DataType::Float32:
            want.as<float>()[i] = static_cast<float>(t);
            break;
          case DataType::Float64:
            want.as<double>()[i] = t;
            break;
          case DataType::Int32:
            want.as<int32_t>()[i] = static_cast<int32_t>(t);
            break;
          case DataType::Int64:
            want.as<int64_t>()[i] = static_cast<int64_t>(t);
            break;
          case DataType::Int8:
            want.as<int8_t>()[i] = static_cast<int8_t>(t);
            break;
          case DataType::UInt8:
            // integers wrap modulo 256 as in C; floats saturate (their C conversion is undefined)
            want.as<uint8_t>()[i] = from == DataType::Float32 || from == DataType::Float64
                                        ? static_cast<uint8_t>(std::clamp(t, 0.0, 255.0))
                                        : static_cast<uint8_t>(static_cast<int64_t>(t));
            break;
          case DataType::Int16:
            want.as<int16_t>()[i] = static_cast<int16_t>(t);
            break;
          default:
            want.as<bool>()[i] = t != 0;
            break;
          }
        }
        OpSpec s("Cast", 13);
        s.attrInt("to", static_cast<int64_t>(to)).in(copyOf(x)).out(to);
        const auto msg = check(s, want);
        QVERIFY2(msg.empty(),
                 (msg + " from " + std::string(gs::ir::dtypeName(from)) + " to " + std::string(gs::ir::dtypeName(to)))
                     .c_str());
        OpSpec like("CastLike", 15);
        like.in(copyOf(x)).in(HostTensor(to, {1})).out(to);
        KT_OK(check(like, want));
      }
  }

  void castFloat16() {
    // Known encodings, ties to even, overflow, subnormals, NaN.
    const std::vector<float> in = {1.0f,
                                   -2.5f,
                                   65504.0f,
                                   70000.0f,
                                   0.1f,
                                   1e-7f,
                                   1.00048828125f,
                                   1.00146484375f,
                                   std::numeric_limits<float>::infinity(),
                                   6.103515625e-05f,
                                   -0.0f};
    const std::vector<uint16_t> bits = {0x3C00, 0xC100, 0x7BFF, 0x7C00, 0x2E66, 0x0002,
                                        0x3C00, 0x3C02, 0x7C00, 0x0400, 0x8000};
    HostTensor want(DataType::Float16, {static_cast<int64_t>(in.size())});
    std::memcpy(want.data(), bits.data(), bits.size() * 2);
    OpSpec s("Cast", 13);
    s.attrInt("to", 10).in(make<float>({static_cast<int64_t>(in.size())}, in)).out(DataType::Float16);
    KT_OK(check(s, want));
    // Every half value converts to float exactly; random floats round to the nearest half.
    HostTensor all(DataType::Float16, {65536});
    HostTensor allWant(DataType::Float32, {65536});
    for (int i = 0; i < 65536; ++i) {
      all.as<uint16_t>()[i] = static_cast<uint16_t>(i);
      allWant.as<float>()[i] = static_cast<float>(halfValue(static_cast<uint16_t>(i)));
    }
    OpSpec back("Cast", 13);
    back.attrInt("to", 1).in(copyOf(all)).out(DataType::Float32);
    KT_OK(check(back, allWant, 0, 0));
    const HostTensor r = randomFloat({5000}, -70000, 70000);
    OpSpec fwd("Cast", 13);
    fwd.attrInt("to", 10).in(copyOf(r)).out(DataType::Float16);
    auto got = runOp(fwd, {Dims{5000}});
    QVERIFY(got.has_value());
    for (int64_t i = 0; i < r.numel(); ++i) {
      const double x = r.as<float>()[i];
      const uint16_t h = (*got)[0].as<uint16_t>()[i];
      const double err = std::fabs(halfValue(h) - x);
      if (std::isinf(halfValue(h))) {
        QVERIFY(std::fabs(x) >= 65520);
        continue;
      }
      for (int step : {-1, 1}) // no neighbouring half is closer
        QVERIFY2(err <= std::fabs(halfValue(static_cast<uint16_t>(h + step)) - x), std::to_string(x).c_str());
    }
  }

  void topK() {
    for (int trial = 0; trial < 30; ++trial) {
      const int rank = static_cast<int>(randInt(1, 4));
      const Dims dims = randomDims(rank, 1, 7);
      const int64_t axis = randInt(-rank, rank - 1);
      const auto a = static_cast<std::size_t>(axis < 0 ? axis + rank : axis);
      const int64_t k = randInt(0, dims[a]);
      const bool largest = trial % 2 == 0;
      const HostTensor xi = randomInt<int32_t>(dims, 0, 4); // ties
      HostTensor xf(DataType::Float32, dims);
      for (int64_t i = 0; i < xi.numel(); ++i)
        xf.as<float>()[i] = static_cast<float>(xi.as<int32_t>()[i]);
      Dims out = dims;
      out[a] = k;
      HostTensor wantV(DataType::Float32, out), wantI(DataType::Int64, out);
      for (int64_t o = 0; o < wantV.numel(); ++o) {
        Dims idx = unravel(o, out);
        std::vector<std::pair<float, int64_t>> line;
        for (int64_t j = 0; j < dims[a]; ++j) {
          idx[a] = j;
          line.push_back({xf.as<float>()[ravel(idx, dims)], j});
        }
        std::stable_sort(line.begin(), line.end(),
                         [&](const auto& p, const auto& q) { return largest ? p.first > q.first : p.first < q.first; });
        const int64_t rankInLine = unravel(o, out)[a];
        wantV.as<float>()[o] = line[static_cast<std::size_t>(rankInLine)].first;
        wantI.as<int64_t>()[o] = line[static_cast<std::size_t>(rankInLine)].second;
      }
      OpSpec s("TopK", 11);
      s.attrInt("axis", axis)
          .attrInt("largest", largest)
          .in(copyOf(xf))
          .in(i64({k}))
          .out(DataType::Float32)
          .out(DataType::Int64);
      KT_OK(check(s, {&wantV, &wantI}));
    }
    OpSpec old("TopK", 1);
    old.attrInt("k", 2).in(make<int64_t>({5}, {3, 9, -1, 9, 4})).out(DataType::Int64).out(DataType::Int64);
    const HostTensor v = make<int64_t>({2}, {9, 9}), i = make<int64_t>({2}, {1, 3});
    KT_OK(check(old, {&v, &i}));
    OpSpec tooMany("TopK", 11);
    tooMany.in(randomFloat({3})).in(i64({4})).out(DataType::Float32).out(DataType::Int64);
    KT_OK(expectFailure(tooMany, {std::nullopt, std::nullopt}));
  }

  void nonZeroAllocates() {
    for (int rank = 0; rank <= 4; ++rank)
      for (int kind = 0; kind < 3; ++kind) {
        Dims dims = randomDims(rank, 1, 5);
        if (rank == 3 && kind == 2) dims[1] = 0;
        const HostTensor x = kind == 0   ? randomBool(dims)
                             : kind == 1 ? randomInt<int64_t>(dims, -1, 1)
                                         : randomFloat(dims, -1, 1);
        std::vector<Dims> hits;
        for (int64_t i = 0; i < x.numel(); ++i)
          if (at(x, i) != 0) hits.push_back(rank == 0 ? Dims{0} : unravel(i, dims));
        const int64_t r = std::max(rank, 1), n = static_cast<int64_t>(hits.size());
        HostTensor want(DataType::Int64, {r, n});
        for (int64_t j = 0; j < n; ++j)
          for (int64_t d = 0; d < r; ++d)
            want.as<int64_t>()[d * n + j] = hits[static_cast<std::size_t>(j)][static_cast<std::size_t>(d)];
        OpSpec s("NonZero", 13);
        s.in(copyOf(x)).out(DataType::Int64);
        auto got = runOp(s, {std::nullopt}); // data-dependent: the kernel allocates
        QVERIFY2(got.has_value(), got ? "" : got.error().str().c_str());
        KT_OK(compare((*got)[0], want, 0, 0));
      }
  }

  void compressAllocates() {
    for (int trial = 0; trial < 20; ++trial) {
      const int rank = static_cast<int>(randInt(1, 3));
      const Dims dims = randomDims(rank, 1, 5);
      const bool withAxis = trial % 3 != 0;
      const int64_t axis = randInt(-rank, rank - 1);
      const auto a = static_cast<std::size_t>(axis < 0 ? axis + rank : axis);
      const int64_t len = withAxis ? dims[a] : numel(dims);
      const HostTensor cond = randomBool({randInt(0, len)}); // may be shorter than the axis
      const HostTensor x = randomFloat(dims);
      std::vector<int64_t> keep;
      for (int64_t j = 0; j < cond.numel(); ++j)
        if (cond.as<bool>()[j]) keep.push_back(j);
      Dims out = withAxis ? dims : Dims{0};
      out[withAxis ? a : 0] = static_cast<int64_t>(keep.size());
      const HostTensor want = gatherRef(x, out, [&](const Dims& o) {
        if (!withAxis) return keep[static_cast<std::size_t>(o[0])];
        Dims in = o;
        in[a] = keep[static_cast<std::size_t>(o[a])];
        return ravel(in, dims);
      });
      OpSpec s("Compress", 11);
      if (withAxis) s.attrInt("axis", axis);
      s.in(copyOf(x)).in(copyOf(cond)).out(DataType::Float32);
      auto got = runOp(s, {std::nullopt});
      QVERIFY2(got.has_value(), got ? "" : got.error().str().c_str());
      KT_OK(compare((*got)[0], want, 0, 0));
    }
  }

  void reverseSequence() {
    for (int batchAxis = 0; batchAxis <= 1; ++batchAxis) {
      const int64_t steps = 5, batch = 3;
      const Dims dims = batchAxis == 1 ? Dims{steps, batch, 2} : Dims{batch, steps, 2};
      const HostTensor x = randomFloat(dims);
      const std::vector<int64_t> lens = {5, 0, 3};
      const HostTensor want = gatherRef(x, dims, [&](const Dims& o) {
        Dims in = o;
        const auto b = static_cast<std::size_t>(o[static_cast<std::size_t>(batchAxis)]);
        const int64_t t = o[static_cast<std::size_t>(1 - batchAxis)];
        in[static_cast<std::size_t>(1 - batchAxis)] = t < lens[b] ? lens[b] - 1 - t : t;
        return ravel(in, dims);
      });
      OpSpec s("ReverseSequence", 10);
      s.attrInt("batch_axis", batchAxis)
          .attrInt("time_axis", 1 - batchAxis)
          .in(copyOf(x))
          .in(i64(lens))
          .out(DataType::Float32);
      KT_OK(check(s, want));
    }
  }

  void kernelTable() {
    const auto table = gs::runtime::cpu::basicKernels();
    std::set<std::string> names;
    for (const auto& e : table) {
      QVERIFY(e.create != nullptr);
      QVERIFY(e.check != nullptr);
      QVERIFY(!e.types.empty());
      QVERIFY2(names.insert(std::string(e.opType)).second, std::string(e.opType).c_str());
    }
    QVERIFY2(names.size() >= 100, std::to_string(names.size()).c_str());
  }
};

int runIndexTests(int argc, char** argv) {
  TestIndex t;
  return QTest::qExec(&t, argc, argv);
}

#include "test_index.moc"
