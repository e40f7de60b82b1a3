// NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss. The scores [N,C,d1..dk] are viewed as
// [N, C, D] with D = d1*..*dk and targets as [N, D]. Each element's loss is -w[t] * x[n,t,d] (x being
// the log-softmax over C for SCE); targets equal to ignore_index contribute 0 with weight 0, so "mean"
// divides by the summed weights of the targets that count. Reductions accumulate in double.
#include "core/runtime/cpu/kernels/basic/loss.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>

#include "core/runtime/cpu/kernels/basic/common.h"
#include "core/runtime/cpu/kernels/basic/dispatch.h"
#include "core/runtime/cpu/kernels/basic/parallel.h"

namespace gs::runtime::cpu::basic {
namespace {

enum class Reduction { None, Sum, Mean };

class LossKernel final : public BasicKernel {
public:
  LossKernel(const CreateContext& c, ir::DataType t, Reduction r)
      : BasicKernel(c), m_type(t), m_softmax(c.node.opType == "SoftmaxCrossEntropyLoss"), m_reduction(r) {
    if (c.node.attrs.has("ignore_index")) m_ignore = c.node.attrs.getInt("ignore_index", 0);
  }

  Status run(std::span<const TensorRef> inputs, std::span<TensorRef> outputs, RunContext& ctx) override {
    if (!hasInput(inputs, 0) || !hasInput(inputs, 1)) return fail("expects the scores and the targets");
    const TensorRef& x = inputs[0];
    const TensorRef& t = inputs[1];
    const std::size_t rank = x.dims.size();
    if (rank < 2) return fail("scores must have rank >= 2, got " + dimsString(x.dims));
    if (t.dims.size() + 1 != rank || t.dims[0] != x.dims[0] ||
        !std::equal(t.dims.begin() + 1, t.dims.end(), x.dims.begin() + 2))
      return fail("targets " + dimsString(t.dims) + " do not match scores " + dimsString(x.dims));
    const int64_t n = x.dims[0], c = x.dims[1], d = productOf(x.dims, 2, rank);
    const bool weighted = hasInput(inputs, 2);
    if (weighted && (inputs[2].dims.size() != 1 || inputs[2].dims[0] != c))
      return fail("weight " + dimsString(inputs[2].dims) + " must be [" + std::to_string(c) + "]");
    GS_RETURN_IF_ERROR(checkTargets(t, c));

    if (m_reduction == Reduction::None)
      GS_RETURN_IF_ERROR(prepareOutput(outputs, 0, t.dims, ctx));
    else
      GS_RETURN_IF_ERROR(prepareOutput(outputs, 0, std::span<const int64_t>{}, ctx));
    const bool wantLogProb = m_softmax && hasOutput(outputs, 1);
    if (wantLogProb) GS_RETURN_IF_ERROR(prepareOutput(outputs, 1, x.dims, ctx));

    const bool done = visitType<float, double>(m_type, [&](auto tag) {
      using T = decltype(tag);
      compute<T>(x.as<const T>(), t, weighted ? inputs[2].as<const T>() : nullptr, outputs[0].as<T>(),
                 wantLogProb ? outputs[1].as<T>() : nullptr, n, c, d);
    });
    if (!done) return fail("unsupported scores type");
    return ok();
  }

private:
  int64_t targetAt(const TensorRef& t, int64_t i) const {
    return t.dtype == ir::DataType::Int32 ? t.as<const int32_t>()[i] : t.as<const int64_t>()[i];
  }

  Status checkTargets(const TensorRef& t, int64_t c) const {
    const int64_t total = t.numel();
    for (int64_t i = 0; i < total; ++i) {
      const int64_t v = targetAt(t, i);
      if (m_ignore && v == *m_ignore) continue;
      if (v < 0 || v >= c)
        return fail("target " + std::to_string(v) + " at " + std::to_string(i) + " is outside [0, " +
                    std::to_string(c) + ")");
    }
    return ok();
  }

  // Writes log-softmax over C at (ni, :, di) into lp (stride d) when lp is set; returns the
  // log-probability of class cls (cls < 0: none needed).
  template <class T> static double logSoftmaxAt(const T* row, T* lp, int64_t c, int64_t d, int64_t cls) {
    double mx = -INFINITY;
    for (int64_t k = 0; k < c; ++k)
      mx = std::max(mx, static_cast<double>(row[k * d]));
    double s = 0;
    for (int64_t k = 0; k < c; ++k)
      s += std::exp(static_cast<double>(row[k * d]) - mx);
    const double lse = mx + std::log(s);
    if (lp)
      for (int64_t k = 0; k < c; ++k)
        lp[k * d] = static_cast<T>(static_cast<double>(row[k * d]) - lse);
    return cls >= 0 ? static_cast<double>(row[cls * d]) - lse : 0.0;
  }

  template <class T>
  void compute(const T* x, const TensorRef& t, const T* w, T* loss, T* logProb, int64_t n, int64_t c, int64_t d) const {
    // Loss and weight of element e = ni * d + di.
    auto element = [&](int64_t e, double& weight) -> double {
      const int64_t ni = e / d, di = e % d;
      const int64_t cls = targetAt(t, e);
      const bool ignored = m_ignore && cls == *m_ignore;
      const int64_t off = ni * c * d + di;
      double lp = 0;
      if (m_softmax)
        lp = logSoftmaxAt(x + off, logProb ? logProb + off : nullptr, c, d, ignored ? -1 : cls);
      else if (!ignored)
        lp = static_cast<double>(x[off + cls * d]);
      weight = ignored ? 0.0 : (w ? static_cast<double>(w[cls]) : 1.0);
      return ignored ? 0.0 : -weight * lp;
    };
    const int64_t total = n * d;
    const int64_t grain = std::max<int64_t>(1, kGrainHeavy / std::max<int64_t>(c, 1));
    if (m_reduction == Reduction::None) {
      parallelFor(total, grain, [&](int64_t e0, int64_t e1) {
        double weight = 0;
        for (int64_t e = e0; e < e1; ++e)
          loss[e] = static_cast<T>(element(e, weight));
      });
      return;
    }
    // Serial so that the sum is deterministic; losses are small next to the layers that feed them.
    double sum = 0, weights = 0;
    for (int64_t e = 0; e < total; ++e) {
      double weight = 0;
      sum += element(e, weight);
      weights += weight;
    }
    loss[0] = static_cast<T>(m_reduction == Reduction::Sum ? sum : sum / weights);
  }

  ir::DataType m_type;
  bool m_softmax;
  Reduction m_reduction;
  std::optional<int64_t> m_ignore;
};

bool floatScores(ir::DataType t) { return t == ir::DataType::Float32 || t == ir::DataType::Float64; }

} // namespace

Expected<std::unique_ptr<Kernel>> createLoss(const CreateContext& c) {
  if (!supportsLoss(c.node, c.inputTypes))
    return unsupported(c, "no kernel for scores " + std::string(ir::dtypeName(inputType(c, 0))) + " and targets " +
                              std::string(ir::dtypeName(inputType(c, 1))));
  const auto r = c.node.attrs.getString("reduction", "mean");
  Reduction red = Reduction::Mean;
  if (r == "none")
    red = Reduction::None;
  else if (r == "sum")
    red = Reduction::Sum;
  else if (r != "mean")
    return invalid(c, "reduction must be none, sum or mean, got '" + r + "'");
  return std::make_unique<LossKernel>(c, inputType(c, 0), red);
}

bool supportsLoss(const ir::Node&, std::span<const ir::DataType> types) {
  if (types.size() < 2 || !floatScores(types[0])) return false;
  if (types[1] != ir::DataType::Int32 && types[1] != ir::DataType::Int64) return false;
  return types.size() < 3 || types[2] == ir::DataType::Undefined || types[2] == types[0];
}

} // namespace gs::runtime::cpu::basic
