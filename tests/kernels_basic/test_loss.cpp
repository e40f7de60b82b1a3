// NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss against plain-loop references: random
// [N,C,d1..dk] shapes (k = 0..3), reductions none/sum/mean, with and without class weights,
// ignore_index (negative and in-range), int32/int64 targets, float32/float64, the optional log_prob
// output, and out-of-range targets as errors.
#include <QtTest>

#include <cmath>

#include "harness.h"

using namespace kt;

namespace {

struct Case {
  bool softmax = false;
  std::string reduction = "mean";
  bool weighted = false;
  std::optional<int64_t> ignore;
  DataType scoreType = DataType::Float32;
  DataType targetType = DataType::Int64;
  bool logProb = false;
};

// Reference in double, written straight from the ONNX definitions: index every element by its
// multi-index, no [N,C,D] view.
void reference(const Case& k, const HostTensor& x, const HostTensor& t, const HostTensor* w, HostTensor& loss,
               HostTensor& logProb) {
  const Dims& xd = x.dims();
  const int64_t c = xd[1];
  std::vector<double> lp(static_cast<std::size_t>(x.numel()));
  for (int64_t i = 0; i < x.numel(); ++i)
    lp[static_cast<std::size_t>(i)] = at(x, i);
  if (k.softmax) {
    // log_softmax over axis 1 for every (n, d1..dk) position.
    for (int64_t i = 0; i < x.numel(); ++i) {
      Dims idx = unravel(i, xd);
      double s = 0;
      for (int64_t cc = 0; cc < c; ++cc) {
        idx[1] = cc;
        s += std::exp(at(x, ravel(idx, xd)));
      }
      lp[static_cast<std::size_t>(i)] = at(x, i) - std::log(s);
    }
    for (int64_t i = 0; i < x.numel(); ++i)
      logProb.as<double>()[i] = lp[static_cast<std::size_t>(i)];
  }
  double sum = 0, wsum = 0;
  for (int64_t e = 0; e < t.numel(); ++e) {
    const auto cls = static_cast<int64_t>(at(t, e));
    double value = 0;
    if (!(k.ignore && cls == *k.ignore)) {
      const Dims ti = unravel(e, t.dims());
      Dims xi = {ti[0], cls};
      xi.insert(xi.end(), ti.begin() + 1, ti.end());
      const double wt = w ? at(*w, cls) : 1.0;
      value = -wt * lp[static_cast<std::size_t>(ravel(xi, xd))];
      wsum += wt;
    }
    sum += value;
    if (k.reduction == "none") loss.as<double>()[e] = value;
  }
  if (k.reduction == "sum") loss.as<double>()[0] = sum;
  if (k.reduction == "mean") loss.as<double>()[0] = sum / wsum;
}

HostTensor castTo(const HostTensor& src, DataType type) {
  HostTensor out(type, src.dims());
  for (int64_t i = 0; i < src.numel(); ++i) {
    if (type == DataType::Float32)
      out.as<float>()[i] = static_cast<float>(at(src, i));
    else if (type == DataType::Float64)
      out.as<double>()[i] = at(src, i);
    else if (type == DataType::Int32)
      out.as<int32_t>()[i] = static_cast<int32_t>(at(src, i));
    else
      out.as<int64_t>()[i] = static_cast<int64_t>(at(src, i));
  }
  return out;
}

std::string runCase(const Case& k) {
  Dims xd = {randInt(1, 3), randInt(2, 5)};
  const int extra = static_cast<int>(randInt(0, 3));
  for (int i = 0; i < extra; ++i)
    xd.push_back(randInt(1, 3));
  Dims td = {xd[0]};
  td.insert(td.end(), xd.begin() + 2, xd.end());
  const int64_t c = xd[1];
  HostTensor x = castTo(randomFloat(xd), k.scoreType);
  HostTensor t64 = randomInt<int64_t>(td, 0, c - 1);
  // Make about a third of the targets ignored (and keep at least one counted, so mean is defined).
  if (k.ignore)
    for (int64_t i = 1; i < t64.numel(); ++i)
      if (randInt(0, 2) == 0) t64.as<int64_t>()[i] = *k.ignore;
  if (k.ignore && t64.as<int64_t>()[0] == *k.ignore) t64.as<int64_t>()[0] = (*k.ignore + 1) % c;
  HostTensor t = castTo(t64, k.targetType);
  HostTensor w = castTo(randomFloat({c}, 0.1f, 2.0f), k.scoreType);

  OpSpec s(k.softmax ? "SoftmaxCrossEntropyLoss" : "NegativeLogLikelihoodLoss", 13);
  s.attrString("reduction", k.reduction);
  if (k.ignore) s.attrInt("ignore_index", *k.ignore);
  s.in(copyOf(x)).in(copyOf(t));
  if (k.weighted) s.in(copyOf(w), true);
  s.out(k.scoreType);
  if (k.logProb) s.out(k.scoreType);

  HostTensor lossRef(DataType::Float64, k.reduction == "none" ? td : Dims{});
  HostTensor lpRef(DataType::Float64, xd);
  reference(k, x, t, k.weighted ? &w : nullptr, lossRef, lpRef);
  HostTensor loss = castTo(lossRef, k.scoreType), lp = castTo(lpRef, k.scoreType);
  std::vector<const HostTensor*> expected = {&loss};
  if (k.logProb) expected.push_back(&lp);
  const std::string msg = check(s, expected, 1e-5, 1e-5);
  return msg.empty() ? msg : s.op + " " + k.reduction + " x" + str(xd) + ": " + msg;
}

} // namespace

class TestLoss : public QObject {
  Q_OBJECT

private slots:
  void randomCases() {
    const char* reductions[] = {"none", "sum", "mean"};
    for (int iter = 0; iter < 4; ++iter)
      for (bool softmax : {false, true})
        for (const char* r : reductions)
          for (bool weighted : {false, true}) {
            Case k;
            k.softmax = softmax;
            k.reduction = r;
            k.weighted = weighted;
            k.logProb = softmax && iter % 2 == 1;
            if (iter >= 2) k.ignore = iter == 2 ? -1 : 1;
            k.targetType = iter % 2 == 0 ? DataType::Int64 : DataType::Int32;
            KT_OK(runCase(k));
          }
  }

  void float64() {
    for (bool softmax : {false, true}) {
      Case k;
      k.softmax = softmax;
      k.weighted = true;
      k.ignore = 0;
      k.scoreType = DataType::Float64;
      k.logProb = softmax;
      KT_OK(runCase(k));
    }
  }

  void targetOutOfRange() {
    for (const char* op : {"NegativeLogLikelihoodLoss", "SoftmaxCrossEntropyLoss"}) {
      OpSpec s(op, 13);
      s.in(randomFloat({2, 3})).in(make<int64_t>({2}, {0, 3})).out(DataType::Float32);
      KT_OK(expectFailure(s, {Dims{}}));
      // A negative target is only allowed when it is the ignore_index.
      OpSpec neg(op, 13);
      neg.attrInt("ignore_index", -2).in(randomFloat({2, 3})).in(make<int64_t>({2}, {-1, 0})).out(DataType::Float32);
      KT_OK(expectFailure(neg, {Dims{}}));
    }
  }
};

int runLossTests(int argc, char** argv) {
  TestLoss t;
  return QTest::qExec(&t, argc, argv);
}

#include "test_loss.moc"
