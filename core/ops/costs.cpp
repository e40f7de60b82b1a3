// Cost models: floating-point operations (a multiply-add counts 2) of the compute-heavy ops. Bytes are
// left at 0 so that nodeCost counts every input and output once; the shapes here are static.
#include <map>

#include "core/ir/gs_ops.h"
#include "core/ops/shape_fns.h"

namespace gs::ops {

namespace {

double numel(const ir::Shape* s) {
  if (!s) return 0;
  auto n = s->numel();
  return n ? static_cast<double>(*n) : 0.0;
}

const ir::Shape* at(Shapes s, std::size_t i) { return i < s.size() ? s[i] : nullptr; }

double dim(const ir::Shape* s, std::size_t i) {
  return s && i < s->rank() && s->dims[i].isKnown() ? static_cast<double>(s->dims[i].value) : 0.0;
}

// Extra elementwise work of GearStudio's fused forms: the activation and the residual add.
double fusedExtra(const ir::Node& n, double outElems) {
  double f = 0;
  if (ir::gsop::hasActivation(n)) f += outElems;
  if (ir::gsop::hasResidual(n)) f += outElems;
  return f;
}

Cost flopsOnly(double f) { return Cost{f, 0}; }

} // namespace

Cost costElementwise(const ir::Node& n, Shapes in, Shapes out) {
  std::size_t present = 0;
  for (const auto* s : in)
    present += s != nullptr;
  const double ops = present > 2 ? static_cast<double>(present - 1) : 1.0; // Sum/Max/Mean of k inputs
  (void)n;
  return flopsOnly(ops * numel(at(out, 0)));
}

Cost costConv(const ir::Node& n, Shapes in, Shapes out) {
  const auto* w = at(in, 1);
  const double outElems = numel(at(out, 0));
  double perOut = w ? dim(w, 1) : 0; // input channels per group
  for (std::size_t i = 2; w && i < w->rank(); ++i)
    perOut *= dim(w, i);
  const bool bias = at(in, 2) != nullptr;
  return flopsOnly(2 * outElems * perOut + (bias ? outElems : 0) + fusedExtra(n, outElems));
}

Cost costConvTranspose(const ir::Node& n, Shapes in, Shapes out) {
  const auto* w = at(in, 1);
  double perIn = w ? dim(w, 1) : 0; // output channels per group
  for (std::size_t i = 2; w && i < w->rank(); ++i)
    perIn *= dim(w, i);
  const double outElems = numel(at(out, 0));
  return flopsOnly(2 * numel(at(in, 0)) * perIn + (at(in, 2) ? outElems : 0) + fusedExtra(n, outElems));
}

Cost costMatMul(const ir::Node& n, Shapes in, Shapes out) {
  const auto* a = at(in, 0);
  const double k = a && a->rank() > 0 ? dim(a, a->rank() - 1) : 0;
  const double outElems = numel(at(out, 0));
  return flopsOnly(2 * outElems * k + fusedExtra(n, outElems));
}

Cost costGemm(const ir::Node& n, Shapes in, Shapes out) {
  const auto* a = at(in, 0);
  const double k = dim(a, n.attrs.getInt("transA", 0) ? 0 : 1);
  const double outElems = numel(at(out, 0));
  return flopsOnly(2 * outElems * k + (at(in, 2) ? 2 * outElems : 0) + fusedExtra(n, outElems));
}

Cost costEinsum(const ir::Node& n, Shapes in, Shapes out) {
  // 2 x (output elements) x (product of the contracted labels' sizes).
  std::string eq;
  for (char c : n.attrs.getString("equation", ""))
    if (c != ' ') eq += c;
  const auto arrow = eq.find("->");
  const std::string lhs = eq.substr(0, arrow);
  std::map<char, double> sizes;
  std::map<char, int> counts;
  std::size_t term = 0;
  for (std::size_t begin = 0; begin <= lhs.size(); ++term) {
    auto comma = lhs.find(',', begin);
    if (comma == std::string::npos) comma = lhs.size();
    const std::string t = lhs.substr(begin, comma - begin);
    begin = comma + 1;
    const auto* s = at(in, term);
    const auto ell = t.find("...");
    const std::size_t named = t.size() - (ell == std::string::npos ? 0 : 3);
    // Ellipsis dims are broadcast batch dims that show up in the output: skip them.
    const std::size_t ellRank = s && s->rank() > named ? s->rank() - named : 0;
    std::size_t d = 0;
    for (std::size_t i = 0; i < t.size(); ++i) {
      if (i == ell) {
        d += ellRank;
        i += 2;
        continue;
      }
      ++counts[t[i]];
      sizes[t[i]] = std::max(sizes[t[i]], dim(s, d++));
    }
  }
  std::string rhs;
  if (arrow != std::string::npos)
    rhs = eq.substr(arrow + 2);
  else
    for (const auto& [c, k] : counts)
      if (k == 1) rhs += c;
  double contracted = 1;
  for (const auto& [c, s] : sizes)
    if (rhs.find(c) == std::string::npos) contracted *= s;
  return flopsOnly(2 * numel(at(out, 0)) * contracted);
}

Cost costPool(const ir::Node& n, Shapes in, Shapes out) {
  (void)in;
  double k = 1;
  for (auto v : n.attrs.getInts("kernel_shape"))
    k *= static_cast<double>(v);
  return flopsOnly(numel(at(out, 0)) * k);
}

Cost costGlobalPool(const ir::Node& n, Shapes in, Shapes out) {
  (void)n;
  (void)out;
  return flopsOnly(numel(at(in, 0)));
}

Cost costReduce(const ir::Node& n, Shapes in, Shapes out) {
  (void)out;
  const std::string_view op = n.opType;
  const double perElem = op == "ReduceSumSquare" || op == "ReduceL2" || op == "ReduceLogSumExp" ? 2.0 : 1.0;
  return flopsOnly(perElem * numel(at(in, 0)));
}

Cost costBatchNorm(const ir::Node& n, Shapes in, Shapes out) {
  (void)n;
  (void)in;
  return flopsOnly(2 * numel(at(out, 0))); // folded to one scale and one shift per element
}

Cost costNorm(const ir::Node& n, Shapes in, Shapes out) {
  (void)in;
  // mean (1), variance (3), normalise (2), affine (2) per element; LpNormalization: square, sum, divide.
  const double perElem = n.opType == "LpNormalization" ? 3.0 : 8.0;
  return flopsOnly(perElem * numel(at(out, 0)));
}

Cost costLrn(const ir::Node& n, Shapes in, Shapes out) {
  (void)in;
  const double size = static_cast<double>(n.attrs.getInt("size", 1));
  return flopsOnly((2 * size + 3) * numel(at(out, 0)));
}

Cost costSoftmax(const ir::Node& n, Shapes in, Shapes out) {
  (void)n;
  (void)in;
  return flopsOnly(5 * numel(at(out, 0))); // max, subtract, exp, sum, divide
}

Cost costRnn(const ir::Node& n, Shapes in, Shapes out) {
  const std::string_view op = n.opType;
  const double gates = op == "LSTM" ? 4 : op == "GRU" ? 3 : 1;
  const auto* x = at(in, 0);
  const auto* y = at(out, 0);
  const auto* yh = at(out, 1);
  const bool batchFirst = n.attrs.getInt("layout", 0) == 1;
  const double seq = dim(x, batchFirst ? 1 : 0), batch = dim(x, batchFirst ? 0 : 1), input = dim(x, 2);
  const auto* state = y ? y : yh;
  const double hidden = state && state->rank() > 0 ? dim(state, state->rank() - 1) : 0;
  const double dirs = n.attrs.getString("direction", "forward") == "bidirectional" ? 2 : 1;
  // Per step and direction: the gate matmuls on [x, h] plus about 3 elementwise ops per gate value.
  const double perStep = 2 * batch * gates * hidden * (input + hidden) + 3 * batch * gates * hidden;
  return flopsOnly(seq * dirs * perStep);
}

Cost costResize(const ir::Node& n, Shapes in, Shapes out) {
  (void)in;
  const auto mode = n.attrs.getString("mode", "nearest");
  const double perElem = mode == "nearest" ? 0 : mode == "cubic" ? 32 : 8;
  return flopsOnly(perElem * numel(at(out, 0)));
}

} // namespace gs::ops
