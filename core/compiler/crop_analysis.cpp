// The walk of the crop-map analysis (crop_analysis.h): helpers, broadcasting, and the per-node
// dispatch with the element-wise families; the other rules are in crop_rules.cpp.
#include "core/compiler/crop_analysis.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>

#include "core/ops/registry.h"

namespace gs::compiler::crop_detail {
namespace {

// Unary ops with f(0) == 0: a clean (zero) padded region stays clean.
const std::set<std::string> kZeroPreserving = {
    "Relu",  "LeakyRelu", "Tanh",     "Neg",  "Abs",  "Sqrt",  "Identity",
    "Cast",  "CastLike",  "Dropout",  "Erf",  "Sign", "Floor", "Ceil",
    "Round", "Sin",       "Tan",      "Atan", "Asin", "Sinh",  "HardSwish",
    "Gelu",  "Mish",      "Softsign", "Elu",  "Selu", "Celu",  "ThresholdedRelu",
    "PRelu"};

const std::set<std::string> kUnary = {"Relu",
                                      "LeakyRelu",
                                      "Sigmoid",
                                      "HardSigmoid",
                                      "HardSwish",
                                      "Tanh",
                                      "Exp",
                                      "Log",
                                      "Sqrt",
                                      "Abs",
                                      "Neg",
                                      "Erf",
                                      "Cast",
                                      "CastLike",
                                      "Identity",
                                      "Dropout",
                                      "Clip",
                                      "Elu",
                                      "Selu",
                                      "Celu",
                                      "Softplus",
                                      "Softsign",
                                      "Mish",
                                      "Gelu",
                                      "Floor",
                                      "Ceil",
                                      "Round",
                                      "Sign",
                                      "Reciprocal",
                                      "Sin",
                                      "Cos",
                                      "Tan",
                                      "Not",
                                      "IsNaN",
                                      "IsInf",
                                      "ThresholdedRelu",
                                      "Shrink",
                                      "QuantizeLinear",
                                      "DequantizeLinear",
                                      "Atan",
                                      "Asin",
                                      "Acos",
                                      "Sinh",
                                      "Cosh",
                                      "BatchNormalization"};
const std::set<std::string> kBroadcast = {"Add",         "Sub",  "Mul",   "Div",   "Pow",     "Max",   "Min",
                                          "Sum",         "Mean", "Where", "Equal", "Greater", "Less",  "GreaterOrEqual",
                                          "LessOrEqual", "And",  "Or",    "Xor",   "Mod",     "PRelu", "BitShift"};
const std::set<std::string> kReduce = {"ReduceMean",      "ReduceSum",       "ReduceMax", "ReduceMin",
                                       "ReduceProd",      "ReduceL1",        "ReduceL2",  "ReduceLogSum",
                                       "ReduceLogSumExp", "ReduceSumSquare", "ArgMax",    "ArgMin"};

} // namespace

int64_t gcd3(int64_t a, int64_t b, int64_t c) { return std::gcd(std::gcd(a, std::abs(b)), c); }

Tag normalised(Tag t) {
  const auto g = gcd3(t.a, t.b, t.s);
  if (g > 1) {
    t.a /= g;
    t.b /= g;
    t.s /= g;
  }
  return t;
}

// size = floor((in + c) / stride) + 1 applied to in = floor((a x + b) / s).
Tag throughWindow(Tag t, int64_t c, int64_t stride) {
  t.b = t.b + t.s * c + t.s * stride;
  t.s = t.s * stride;
  return normalised(t);
}
// size = floor(in * p / q).
std::optional<Tag> throughScale(Tag t, int64_t p, int64_t q) {
  if (t.s == 1) {
    t.a *= p;
    t.b *= p;
    t.s = q;
    return normalised(t);
  }
  if (p == 1) {
    t.s *= q;
    return normalised(t);
  }
  return std::nullopt;
}

bool tagged(const ValueInfo& v) {
  return std::any_of(v.dims.begin(), v.dims.end(), [](const Tag& t) { return t.follows(); });
}

// Broadcasting combination of inputs `ids` into an output of rank r. Empty optional: conflict (why set).
std::optional<std::vector<Tag>> Analysis::broadcast(const ir::Node& n, const std::vector<ir::ValueId>& ids,
                                                    std::size_t r, std::string& why) {
  std::vector<Tag> out(r);
  for (std::size_t j = 0; j < r; ++j) {
    std::optional<Tag> tag;
    bool plainFull = false; // an input without a tag whose dim is not broadcast
    bool anyDirty = false, anyClean = false, firstClean = false, allTagged = true;
    std::size_t position = 0;
    for (auto id : ids) {
      const bool first = position++ == 0;
      if (id == ir::kNone) continue;
      const auto ri = rank(id);
      if (ri + j < r) {
        allTagged = false;
        continue; // this input has no dim here
      }
      const auto k = j - (r - ri);
      const auto& ii = info(id);
      const Tag t = ii.known && k < ii.dims.size() ? ii.dims[k] : Tag{};
      if (!t.follows()) allTagged = false;
      if (t.follows()) {
        anyDirty = anyDirty || t.dirty;
        anyClean = anyClean || !t.dirty;
        firstClean = firstClean || (first && !t.dirty);
      }
      if (t.follows()) {
        if (tag && !(static_cast<const om::CropDim&>(*tag) == static_cast<const om::CropDim&>(t))) {
          why = where(n) + " combines two different padded dims";
          return std::nullopt;
        }
        tag = t;
      } else if (dim(id, k) > 1) {
        plainFull = true;
      }
    }
    if (tag && plainFull) {
      why = where(n) + " combines a padded dim with a tensor of the gear's size that is not padded";
      return std::nullopt;
    }
    if (tag) {
      out[j] = *tag;
      // The padded region of the result: 0 * x = 0, 0 / x = 0, 0 + 0 = 0; anything else may not be 0.
      if (n.opType == "Mul" || n.opType == "And")
        out[j].dirty = !anyClean;
      else if (n.opType == "Div")
        out[j].dirty = !firstClean;
      else
        out[j].dirty = anyDirty || !allTagged;
    }
  }
  return out;
}

Status Analysis::run(const std::vector<ir::NodeId>& order) {
  for (auto id : order)
    visit(m_g.nodes[static_cast<std::size_t>(id)]);
  return ok();
}

void Analysis::visit(const ir::Node& n) {
  m_edge.clear();
  for (auto i : n.inputs)
    if (i != ir::kNone && m_edge.empty()) m_edge = info(i).edge;
  if (!anyPadded(n)) { // nothing padded reaches this node: plain values
    for (auto o : n.outputs)
      if (o != ir::kNone) setOut(o, std::vector<Tag>(rank(o)), {});
    return;
  }
  const auto inherited = inheritedUnsafe(n);
  const auto x = n.inputs.empty() ? ir::kNone : n.inputs[0];
  const auto y = n.outputs.empty() ? ir::kNone : n.outputs[0];
  if (x == ir::kNone || y == ir::kNone || !info(x).known || !shape(y).rankKnown) {
    unsafe(n, inherited.empty() ? where(n) + ": shapes unknown to the padding analysis" : inherited);
    return;
  }
  const auto& in = info(x).dims;
  const auto& op = n.opType;
  if (!n.domain.empty() && n.domain != "ai.onnx") {
    unsafe(n, where(n) + " (domain " + n.domain + ") is not analysed for padding");
    return;
  }
  if (kUnary.count(op)) {
    if (rank(y) != in.size()) return unsafe(n, where(n) + ": rank changed");
    bool zero = kZeroPreserving.count(op) != 0;
    if (op == "Clip") { // keeps 0 when 0 lies in [min, max]
      const auto lo = n.attrs.has("min") ? std::optional(std::vector<float>{n.attrs.getFloat("min", 0)}) : floats(n, 1);
      const auto hi = n.attrs.has("max") ? std::optional(std::vector<float>{n.attrs.getFloat("max", 0)}) : floats(n, 2);
      const bool noLo = n.inputs.size() < 2 || n.inputs[1] == ir::kNone;
      const bool noHi = n.inputs.size() < 3 || n.inputs[2] == ir::kNone;
      zero = (n.attrs.has("min") || noLo || (lo && !lo->empty())) &&
             (n.attrs.has("max") || noHi || (hi && !hi->empty())) && (!lo || lo->empty() || (*lo)[0] <= 0) &&
             (!hi || hi->empty() || (*hi)[0] >= 0);
    }
    setOut(y, zero ? in : dirtied(in), inherited);
    for (std::size_t k = 1; k < n.outputs.size(); ++k) // Dropout's mask: same shape
      if (n.outputs[k] != ir::kNone && op == "Dropout") setOut(n.outputs[k], in, inherited);
    return;
  }
  if (kBroadcast.count(op)) {
    std::string why;
    auto out = broadcast(n, n.inputs, rank(y), why);
    if (!out) return unsafe(n, why);
    setOut(y, *out, inherited);
    return;
  }
  if (op == "Conv" || op == "MaxPool" || op == "AveragePool" || op == "LpPool" || op == "ConvTranspose")
    return window(n, in, inherited);
  if (op == "GlobalAveragePool" || op == "GlobalMaxPool" || op == "GlobalLpPool") {
    for (std::size_t k = 2; k < in.size(); ++k)
      if (in[k].follows()) return unsafe(n, where(n) + " pools over a padded dim");
    if (in.size() > 1 && in[1].follows()) return unsafe(n, where(n) + ": padded channel dim");
    std::vector<Tag> out(rank(y));
    if (!out.empty() && !in.empty()) out[0] = in[0];
    setOut(y, out, inherited);
    return;
  }
  if (kReduce.count(op)) return reduce(n, in, inherited);
  if (op == "Softmax" || op == "LogSoftmax" || op == "Hardmax") {
    const auto r = static_cast<int64_t>(in.size());
    auto axis = n.attrs.getInt("axis", m_opset >= 13 ? -1 : 1);
    if (axis < 0) axis += r;
    const auto last = m_opset >= 13 ? axis : r - 1;
    for (auto k = axis; k <= last && k < r; ++k)
      if (k >= 0 && in[static_cast<std::size_t>(k)].follows())
        return unsafe(n, where(n) + " normalises over a padded dim");
    setOut(y, dirtied(in), inherited);
    return;
  }
  if (op == "LayerNormalization" || op == "InstanceNormalization" || op == "GroupNormalization" || op == "LRN" ||
      op == "MeanVarianceNormalization" || op == "LpNormalization") {
    const auto r = static_cast<int64_t>(in.size());
    std::vector<int64_t> axes;
    if (op == "LayerNormalization") {
      auto a = n.attrs.getInt("axis", -1);
      if (a < 0) a += r;
      for (auto k = a; k < r; ++k)
        axes.push_back(k);
    } else if (op == "InstanceNormalization") {
      for (int64_t k = 2; k < r; ++k)
        axes.push_back(k);
    } else if (op == "GroupNormalization") {
      for (int64_t k = 1; k < r; ++k)
        axes.push_back(k);
    } else if (op == "LRN") {
      axes = {1};
    } else if (op == "LpNormalization") {
      auto a = n.attrs.getInt("axis", -1);
      axes = {a < 0 ? a + r : a};
    } else {
      axes = n.attrs.getInts("axes", {0, 2, 3});
    }
    for (auto k : axes) {
      if (k < 0) k += r;
      if (k >= 0 && k < r && in[static_cast<std::size_t>(k)].follows())
        return unsafe(n, where(n) + " normalises over a padded dim");
    }
    setOut(y, dirtied(in), inherited);
    return;
  }
  if (op == "MatMul") return matmul(n, inherited);
  if (op == "Gemm") {
    const auto& a = info(n.inputs[0]);
    const auto& b = info(n.inputs[1]);
    if (!b.known || a.dims.size() != 2 || b.dims.size() != 2) return unsafe(n, where(n) + ": shapes unknown");
    const bool ta = n.attrs.getInt("transA", 0) != 0, tb = n.attrs.getInt("transB", 0) != 0;
    const Tag m = a.dims[ta ? 1 : 0], ka = a.dims[ta ? 0 : 1], kb = b.dims[tb ? 1 : 0], nn = b.dims[tb ? 0 : 1];
    if (ka.follows() || kb.follows()) return unsafe(n, where(n) + " contracts a padded dim");
    std::vector<Tag> out{m, nn};
    if (n.inputs.size() > 2 && n.inputs[2] != ir::kNone && tagged(info(n.inputs[2])))
      return unsafe(n, where(n) + ": a padded bias");
    setOut(y, n.inputs.size() > 2 && n.inputs[2] != ir::kNone ? dirtied(out) : out, inherited);
    return;
  }
  if (op == "Transpose") {
    std::vector<int64_t> perm = n.attrs.getInts("perm");
    if (perm.empty())
      for (auto k = static_cast<int64_t>(in.size()) - 1; k >= 0; --k)
        perm.push_back(k);
    if (perm.size() != in.size()) return unsafe(n, where(n) + ": perm does not match the rank");
    std::vector<Tag> out;
    for (auto p : perm) {
      if (p < 0 || static_cast<std::size_t>(p) >= in.size()) return unsafe(n, where(n) + ": bad perm");
      out.push_back(in[static_cast<std::size_t>(p)]);
    }
    setOut(y, out, inherited);
    return;
  }
  if (op == "Squeeze" || op == "Unsqueeze" || op == "Reshape" || op == "Flatten") return reshapeLike(n, in, inherited);
  if (op == "Concat") {
    auto axis = n.attrs.getInt("axis", 0);
    const auto r = static_cast<int64_t>(rank(y));
    if (axis < 0) axis += r;
    for (auto i : n.inputs)
      if (i != ir::kNone && info(i).known && axis >= 0 && static_cast<std::size_t>(axis) < info(i).dims.size() &&
          info(i).dims[static_cast<std::size_t>(axis)].follows())
        return unsafe(n, where(n) + " concatenates along a padded dim");
    std::string why;
    // Inputs agree on the other dims: combine them like a broadcast, then clear the concat axis.
    auto out = broadcast(n, n.inputs, rank(y), why);
    if (!out) return unsafe(n, why);
    if (axis >= 0 && axis < r) (*out)[static_cast<std::size_t>(axis)] = Tag{};
    setOut(y, *out, inherited);
    return;
  }
  if (op == "Split" || op == "Slice" || op == "Pad") {
    // Safe when every padded dim keeps its full size (the op acts on other dims only).
    for (auto o : n.outputs) {
      if (o == ir::kNone) continue;
      if (rank(o) != in.size()) return unsafe(n, where(n) + ": rank changed");
      for (std::size_t k = 0; k < in.size(); ++k)
        if (in[k].follows() && dim(o, k) != dim(x, k)) return unsafe(n, where(n) + " cuts or pads along a padded dim");
    }
    for (auto o : n.outputs)
      if (o != ir::kNone) setOut(o, in, inherited);
    return;
  }
  if (op == "Gather") {
    auto axis = n.attrs.getInt("axis", 0);
    if (axis < 0) axis += static_cast<int64_t>(in.size());
    if (axis < 0 || static_cast<std::size_t>(axis) >= in.size()) return unsafe(n, where(n) + ": bad axis");
    if (in[static_cast<std::size_t>(axis)].follows()) return unsafe(n, where(n) + " gathers along a padded dim");
    if (n.inputs.size() < 2 || tagged(info(n.inputs[1]))) return unsafe(n, where(n) + ": padded indices");
    std::vector<Tag> out(in.begin(), in.begin() + axis);
    for (std::size_t k = 0; k < rank(n.inputs[1]); ++k)
      out.push_back(Tag{});
    out.insert(out.end(), in.begin() + axis + 1, in.end());
    if (out.size() != rank(y)) return unsafe(n, where(n) + ": rank mismatch");
    setOut(y, out, inherited);
    return;
  }
  if (op == "Resize" || op == "Upsample") return resize(n, in, inherited);
  if (op == "Shape" || op == "Size") {
    setOut(y, std::vector<Tag>(rank(y)), {}); // shape data: the gear's, not the request's values
    return;
  }
  unsafe(n, where(n) + " is not analysed for padding");
}

} // namespace gs::compiler::crop_detail
