// Reductions, ArgMax/ArgMin and CumSum against plain-loop references: random ranks 0..5 and axis
// subsets (negative axes), keepdims, axes as attribute and as input, noop_with_empty_axes, empty
// reductions, int64 paths, ties with select_last_index, exclusive/reverse scans.
#include <QtTest>

#include <cmath>
#include <limits>

#include "harness.h"

using namespace kt;

namespace {

const char* const kReduceOps[] = {"ReduceSum", "ReduceMean", "ReduceMax",    "ReduceMin",       "ReduceProd",
                                  "ReduceL1",  "ReduceL2",   "ReduceLogSum", "ReduceLogSumExp", "ReduceSumSquare"};

// Reference reduction in double: every input element is added into the output element it maps to.
HostTensor reduceRef(const std::string& op, const HostTensor& x, const std::vector<bool>& reduced, bool keepDims) {
  const Dims& dims = x.dims();
  Dims keep = dims, out;
  for (std::size_t d = 0; d < dims.size(); ++d) {
    if (reduced[d]) keep[d] = 1;
    if (!reduced[d])
      out.push_back(dims[d]);
    else if (keepDims)
      out.push_back(1);
  }
  const int64_t n = numel(keep);
  const bool isMax = op == "ReduceMax", isMin = op == "ReduceMin", isProd = op == "ReduceProd";
  const bool isLse = op == "ReduceLogSumExp";
  std::vector<double> acc(static_cast<std::size_t>(n), isProd ? 1.0 : 0.0);
  if (isMax) acc.assign(static_cast<std::size_t>(n), -std::numeric_limits<double>::infinity());
  if (isMin) acc.assign(static_cast<std::size_t>(n), std::numeric_limits<double>::infinity());
  std::vector<int64_t> count(static_cast<std::size_t>(n), 0);
  for (int64_t i = 0; i < x.numel(); ++i) {
    Dims idx = unravel(i, dims);
    for (std::size_t d = 0; d < dims.size(); ++d)
      if (reduced[d]) idx[d] = 0;
    const auto o = static_cast<std::size_t>(ravel(idx, keep));
    const double v = at(x, i);
    ++count[o];
    if (isMax)
      acc[o] = std::max(acc[o], v);
    else if (isMin)
      acc[o] = std::min(acc[o], v);
    else if (isProd)
      acc[o] *= v;
    else if (op == "ReduceL1")
      acc[o] += std::fabs(v);
    else if (op == "ReduceL2" || op == "ReduceSumSquare")
      acc[o] += v * v;
    else if (isLse)
      acc[o] += std::exp(v);
    else
      acc[o] += v;
  }
  HostTensor y(x.dtype(), out);
  for (int64_t o = 0; o < n; ++o) {
    double r = acc[static_cast<std::size_t>(o)];
    const auto c = count[static_cast<std::size_t>(o)];
    if (op == "ReduceMean") r = x.dtype() == DataType::Float32 ? r / static_cast<double>(c) : r;
    if (op == "ReduceL2") r = std::sqrt(r);
    if (op == "ReduceLogSum" || isLse) r = std::log(r);
    if (x.dtype() == DataType::Float32)
      y.as<float>()[o] = static_cast<float>(r);
    else if (op == "ReduceMean")
      y.as<int64_t>()[o] = c ? static_cast<int64_t>(r) / c : 0; // integer mean truncates
    else if (std::isinf(r)) // an empty Max/Min: the integer identity (casting inf is undefined)
      y.as<int64_t>()[o] = r > 0 ? std::numeric_limits<int64_t>::max() : std::numeric_limits<int64_t>::lowest();
    else
      y.as<int64_t>()[o] = static_cast<int64_t>(r);
  }
  return y;
}

struct AxesCase {
  Dims dims;
  std::vector<int64_t> axes; // as passed (possibly negative); empty: all
  std::vector<bool> reduced;
};

AxesCase randomAxes(int rank) {
  AxesCase c;
  c.dims = randomDims(rank, 1, 5);
  if (rank >= 2 && randInt(0, 5) == 0) c.dims[static_cast<std::size_t>(randInt(0, rank - 1))] = 0;
  c.reduced.assign(static_cast<std::size_t>(rank), false);
  for (int d = 0; d < rank; ++d)
    if (randInt(0, 1)) {
      c.reduced[static_cast<std::size_t>(d)] = true;
      c.axes.push_back(randInt(0, 1) ? d : d - rank);
    }
  if (c.axes.empty()) c.reduced.assign(static_cast<std::size_t>(rank), true);
  return c;
}

} // namespace

class TestReduce : public QObject {
  Q_OBJECT

private slots:
  void reduceFloatRandom() {
    for (const char* op : kReduceOps) {
      const std::string name = op;
      for (int trial = 0; trial < 24; ++trial) {
        const int rank = static_cast<int>(randInt(0, 5));
        AxesCase c = randomAxes(rank);
        if (trial == 0) c = {{64, 700}, {1}, {false, true}};             // parallel over rows, contiguous reduction
        if (trial == 1) c = {{700, 3, 40}, {0, 2}, {true, false, true}}; // strided reductions
        const bool keep = randInt(0, 1) != 0;
        const bool positive = name == "ReduceLogSum" || name == "ReduceProd";
        const HostTensor x = randomFloat(c.dims, positive ? 0.5f : -2.0f, positive ? 1.5f : 2.0f);
        const HostTensor want = reduceRef(name, x, c.reduced, keep);
        // Axes as attribute (opset 11) and as input (13 for ReduceSum, 18 for the others).
        OpSpec a(op, 11);
        if (!c.axes.empty()) a.attrInts("axes", c.axes);
        a.attrInt("keepdims", keep).in(copyOf(x)).out(DataType::Float32);
        const double tol = c.dims.size() > 1 && numel(c.dims) > 10000 ? 1e-4 : 1e-5;
        QVERIFY2(check(a, want, tol, 1e-5).empty(), (check(a, want, tol, 1e-5) + " dims " + str(c.dims)).c_str());
        OpSpec b(op, name == "ReduceSum" ? 13 : 18);
        b.attrInt("keepdims", keep).in(copyOf(x));
        if (!c.axes.empty()) b.in(i64(c.axes), trial % 2 == 0);
        b.out(DataType::Float32);
        KT_OK(check(b, want, tol, 1e-5));
      }
    }
  }

  void reduceInt64() {
    for (const char* op : {"ReduceSum", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceMean", "ReduceSumSquare"}) {
      for (int trial = 0; trial < 10; ++trial) {
        const AxesCase c = randomAxes(static_cast<int>(randInt(1, 4)));
        const HostTensor x = randomInt<int64_t>(c.dims, -4, 4);
        OpSpec s(op, 11);
        if (!c.axes.empty()) s.attrInts("axes", c.axes);
        s.attrInt("keepdims", 0).in(copyOf(x)).out(DataType::Int64);
        KT_OK(check(s, reduceRef(op, x, c.reduced, false)));
      }
    }
  }

  void noopWithEmptyAxes() {
    const HostTensor x = randomFloat({2, 3});
    OpSpec s("ReduceSum", 13);
    s.attrInt("noop_with_empty_axes", 1).in(copyOf(x)).out(DataType::Float32);
    KT_OK(check(s, x));
    OpSpec e("ReduceSum", 13); // an empty axes tensor: noop
    e.attrInt("noop_with_empty_axes", 1).in(copyOf(x)).in(i64({})).out(DataType::Float32);
    KT_OK(check(e, x));
    OpSpec all("ReduceSum", 13); // without the flag, empty axes reduce everything
    all.attrInt("keepdims", 0).in(copyOf(x)).in(i64({})).out(DataType::Float32);
    KT_OK(check(all, reduceRef("ReduceSum", x, {true, true}, false)));
  }

  void emptyReductions() {
    const HostTensor x(DataType::Float32, {3, 0});
    const float inf = std::numeric_limits<float>::infinity();
    struct Case {
      const char* op;
      float want;
    };
    const Case cases[] = {{"ReduceSum", 0.0f},          {"ReduceProd", 1.0f}, {"ReduceMax", -inf},
                          {"ReduceMin", inf},           {"ReduceL2", 0.0f},   {"ReduceLogSumExp", -inf},
                          {"ReduceMean", std::nanf("")}};
    for (const auto& c : cases) {
      OpSpec s(c.op, 11);
      s.attrInts("axes", {1}).attrInt("keepdims", 1).in(copyOf(x)).out(DataType::Float32);
      KT_OK(check(s, make<float>({3, 1}, {c.want, c.want, c.want})));
    }
    OpSpec emptyOut("ReduceSum", 11); // the kept dim is empty: an empty output
    emptyOut.attrInts("axes", {0}).attrInt("keepdims", 0).in(copyOf(x)).out(DataType::Float32);
    KT_OK(check(emptyOut, HostTensor(DataType::Float32, {0})));
  }

  void argMaxArgMin() {
    for (int trial = 0; trial < 40; ++trial) {
      const int rank = static_cast<int>(randInt(1, 5));
      const Dims dims = randomDims(rank, 1, 5);
      const int64_t axis = randInt(-rank, rank - 1);
      const auto a = static_cast<std::size_t>(axis < 0 ? axis + rank : axis);
      const bool keep = randInt(0, 1) != 0;
      const bool last = randInt(0, 1) != 0;
      const bool isMax = randInt(0, 1) != 0;
      const bool asFloat = randInt(0, 1) != 0;
      const HostTensor xi = randomInt<int32_t>(dims, 0, 3); // few values: many ties
      HostTensor xf(DataType::Float32, dims);
      for (int64_t i = 0; i < xi.numel(); ++i)
        xf.as<float>()[i] = static_cast<float>(xi.as<int32_t>()[i]);
      Dims out = dims;
      out[a] = 1;
      HostTensor want(DataType::Int64, out);
      for (int64_t o = 0; o < want.numel(); ++o) {
        Dims idx = unravel(o, out);
        int64_t best = 0;
        for (int64_t k = 0; k < dims[a]; ++k) {
          idx[a] = k;
          const int32_t v = xi.as<int32_t>()[ravel(idx, dims)];
          idx[a] = best;
          const int32_t b = xi.as<int32_t>()[ravel(idx, dims)];
          const bool better = isMax ? (last ? v >= b : v > b) : (last ? v <= b : v < b);
          if (k > 0 && better) best = k;
        }
        want.as<int64_t>()[o] = best;
      }
      if (!keep) {
        Dims squeezed = out;
        squeezed.erase(squeezed.begin() + static_cast<std::ptrdiff_t>(a));
        HostTensor w2(DataType::Int64, squeezed);
        std::memcpy(w2.data(), want.data(), want.byteSize());
        want = std::move(w2);
      }
      OpSpec s(isMax ? "ArgMax" : "ArgMin", 12);
      s.attrInt("axis", axis).attrInt("keepdims", keep).attrInt("select_last_index", last);
      s.in(asFloat ? copyOf(xf) : copyOf(xi)).out(DataType::Int64);
      KT_OK(check(s, want));
    }
  }

  void cumSum() {
    for (int trial = 0; trial < 40; ++trial) {
      const int rank = static_cast<int>(randInt(1, 4));
      Dims dims = randomDims(rank, 1, 6);
      if (trial == 0) dims = {3, 200, 1500}; // blocked parallel path
      const auto r = static_cast<int64_t>(dims.size());
      const int64_t axis = randInt(-r, r - 1);
      const auto a = static_cast<std::size_t>(axis < 0 ? axis + r : axis);
      const bool exclusive = randInt(0, 1) != 0, reverse = randInt(0, 1) != 0;
      const bool ints = trial % 3 == 1;
      const HostTensor x = ints ? randomInt<int64_t>(dims, -50, 50) : randomFloat(dims);
      // Walk each line along the axis in scan order, carrying the previous result.
      HostTensor want(x.dtype(), dims);
      int64_t stride = 1;
      for (std::size_t d = a + 1; d < dims.size(); ++d)
        stride *= dims[d];
      std::vector<double> ref(static_cast<std::size_t>(x.numel()));
      const int64_t n = x.numel();
      for (int64_t s = 0; s < n; ++s) {
        const int64_t i = reverse ? n - 1 - s : s;
        const int64_t pos = (i / stride) % dims[a];
        const bool first = reverse ? pos == dims[a] - 1 : pos == 0;
        const int64_t prev = reverse ? i + stride : i - stride;
        const auto iu = static_cast<std::size_t>(i);
        if (first)
          ref[iu] = exclusive ? 0.0 : at(x, i);
        else
          ref[iu] = ref[static_cast<std::size_t>(prev)] + (exclusive ? at(x, prev) : at(x, i));
        if (ints)
          want.as<int64_t>()[i] = static_cast<int64_t>(ref[iu]);
        else
          want.as<float>()[i] = static_cast<float>(ref[iu]);
      }
      OpSpec s("CumSum", 14);
      s.attrInt("exclusive", exclusive).attrInt("reverse", reverse).in(copyOf(x));
      if (trial % 2)
        s.in(scalar<int32_t>(static_cast<int32_t>(axis)), true);
      else
        s.in(scalar<int64_t>(axis));
      s.out(x.dtype());
      KT_OK(check(s, want, 1e-4, 1e-3));
    }
  }

  void badAxisFails() {
    OpSpec s("ReduceSum", 11);
    s.attrInts("axes", {2}).in(randomFloat({2, 2})).out(DataType::Float32);
    KT_OK(expectFailure(s, {std::nullopt}));
    OpSpec a("ArgMax", 12);
    a.attrInt("axis", -3).in(randomFloat({2, 2})).out(DataType::Int64);
    KT_OK(expectFailure(a, {std::nullopt}));
  }
};

int runReduceTests(int argc, char** argv) {
  TestReduce t;
  return QTest::qExec(&t, argc, argv);
}

#include "test_reduce.moc"
