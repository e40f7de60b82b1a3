// Dim-flow analysis for pad-to-gear cropping (see crop_map.h). One rule per op family; anything else
// that a padded dim reaches is unsafe.
#include "core/compiler/crop_map.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <optional>
#include <set>

#include "core/ops/registry.h"

namespace gs::compiler {
namespace {

// A dim's size rule (input -1: follows nothing) and whether the padded region of that dim may hold
// values other than the zeros an exact-shape run's own padding would read ("dirty": a bias, a
// sigmoid, a conv spreading real values into it). The analysis assumes the pad value 0.
struct Tag : om::CropDim {
  bool dirty = false;
};

struct ValueInfo {
  std::vector<Tag> dims; // one per dim when the rank is known
  std::string unsafe;    // why the values differ from an exact-shape run everywhere (output returned whole)
  std::string edge;      // why values near the padded edge may differ (output still cropped)
  bool known = false;    // dims valid
};

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

class Analysis {
public:
  Analysis(ir::Graph& g, int64_t opset, std::vector<std::optional<ir::Tensor>>& known)
      : m_g(g), m_opset(opset), m_known(known), m_info(g.values.size()) {}

  ValueInfo& info(ir::ValueId v) { return m_info[static_cast<std::size_t>(v)]; }
  const ir::Shape& shape(ir::ValueId v) const { return m_g.values[static_cast<std::size_t>(v)].shape; }
  int64_t dim(ir::ValueId v, std::size_t k) const {
    const auto& s = shape(v);
    return s.rankKnown && k < s.dims.size() ? s.dims[k].value : -1;
  }
  std::size_t rank(ir::ValueId v) const { return shape(v).rankKnown ? shape(v).dims.size() : 0; }

  std::optional<std::vector<int64_t>> ints(const ir::Node& n, std::size_t i) const {
    if (i >= n.inputs.size() || n.inputs[i] == ir::kNone) return std::nullopt;
    const auto& v = m_g.values[static_cast<std::size_t>(n.inputs[i])];
    const ir::Tensor* t = v.constant ? &*v.constant : nullptr;
    if (!t && m_known[static_cast<std::size_t>(n.inputs[i])]) t = &*m_known[static_cast<std::size_t>(n.inputs[i])];
    if (!t) return std::nullopt;
    if (t->dtype == ir::DataType::Int64) return t->toVector<int64_t>();
    if (t->dtype == ir::DataType::Int32) {
      auto v32 = t->toVector<int32_t>();
      return std::vector<int64_t>(v32.begin(), v32.end());
    }
    return std::nullopt;
  }
  std::optional<std::vector<float>> floats(const ir::Node& n, std::size_t i) const {
    if (i >= n.inputs.size() || n.inputs[i] == ir::kNone) return std::nullopt;
    const auto& v = m_g.values[static_cast<std::size_t>(n.inputs[i])];
    const ir::Tensor* t = v.constant ? &*v.constant : nullptr;
    if (!t && m_known[static_cast<std::size_t>(n.inputs[i])]) t = &*m_known[static_cast<std::size_t>(n.inputs[i])];
    if (!t || t->dtype != ir::DataType::Float32) return std::nullopt;
    return t->toVector<float>();
  }

  // Marks every output of n unsafe (keeping shapes unknown to cropping).
  void unsafe(const ir::Node& n, const std::string& why) {
    for (auto o : n.outputs)
      if (o != ir::kNone) {
        auto& oi = info(o);
        oi.known = false;
        oi.dims.clear();
        if (oi.unsafe.empty()) oi.unsafe = why;
      }
  }
  std::string inheritedUnsafe(const ir::Node& n) {
    for (auto i : n.inputs)
      if (i != ir::kNone && !info(i).unsafe.empty()) return info(i).unsafe;
    return {};
  }
  bool anyPadded(const ir::Node& n) {
    for (auto i : n.inputs)
      if (i != ir::kNone && (tagged(info(i)) || !info(i).unsafe.empty())) return true;
    return false;
  }
  void setOut(ir::ValueId o, std::vector<Tag> dims, const std::string& inherited) {
    auto& oi = info(o);
    oi.dims = std::move(dims);
    oi.known = true;
    if (oi.unsafe.empty()) oi.unsafe = inherited;
    if (oi.edge.empty()) oi.edge = m_edge;
  }
  // Tagged dims of `dims` marked dirty.
  static std::vector<Tag> dirtied(std::vector<Tag> dims) {
    for (auto& t : dims)
      if (t.follows()) t.dirty = true;
    return dims;
  }
  std::string where(const ir::Node& n) const { return n.opType + " node '" + n.name + "'"; }

  // Broadcasting combination of inputs `ids` into an output of rank r. Empty optional: conflict (why set).
  std::optional<std::vector<Tag>> broadcast(const ir::Node& n, const std::vector<ir::ValueId>& ids, std::size_t r,
                                            std::string& why) {
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

  Status run(const std::vector<ir::NodeId>& order) {
    for (auto id : order)
      visit(m_g.nodes[static_cast<std::size_t>(id)]);
    return ok();
  }

  void visit(const ir::Node& n) {
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
        const auto lo =
            n.attrs.has("min") ? std::optional(std::vector<float>{n.attrs.getFloat("min", 0)}) : floats(n, 1);
        const auto hi =
            n.attrs.has("max") ? std::optional(std::vector<float>{n.attrs.getFloat("max", 0)}) : floats(n, 2);
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
    if (op == "Squeeze" || op == "Unsqueeze" || op == "Reshape" || op == "Flatten")
      return reshapeLike(n, in, inherited);
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
          if (in[k].follows() && dim(o, k) != dim(x, k))
            return unsafe(n, where(n) + " cuts or pads along a padded dim");
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

  void window(const ir::Node& n, const std::vector<Tag>& in, const std::string& inherited) {
    const auto y = n.outputs[0];
    const auto r = in.size();
    if (r < 3 || rank(y) != r) return unsafe(n, where(n) + ": unexpected rank");
    const auto& op = n.opType;
    const bool conv = op == "Conv" || op == "ConvTranspose";
    if (in[1].follows()) return unsafe(n, where(n) + " mixes a padded channel dim");
    const std::size_t spatial = r - 2;
    std::vector<int64_t> kernel = n.attrs.getInts("kernel_shape");
    if (kernel.empty() && conv && n.inputs.size() > 1) {
      const auto w = n.inputs[1];
      for (std::size_t k = 2; k < rank(w); ++k)
        kernel.push_back(dim(w, k));
    }
    if (kernel.size() != spatial) return unsafe(n, where(n) + ": kernel shape unknown");
    auto strides = n.attrs.getInts("strides", std::vector<int64_t>(spatial, 1));
    auto dil = n.attrs.getInts("dilations", std::vector<int64_t>(spatial, 1));
    auto pads = n.attrs.getInts("pads", std::vector<int64_t>(2 * spatial, 0));
    const auto autoPad = n.attrs.getString("auto_pad", "NOTSET");
    const bool ceilMode = n.attrs.getInt("ceil_mode", 0) != 0;
    if (strides.size() != spatial || dil.size() != spatial || pads.size() != 2 * spatial)
      return unsafe(n, where(n) + ": attribute sizes");
    std::vector<Tag> out(r);
    out[0] = in[0];
    const bool bias = conv && n.inputs.size() > 2 && n.inputs[2] != ir::kNone;
    std::string edge;
    for (std::size_t k = 0; k < spatial; ++k) {
      Tag t = in[2 + k];
      if (!t.follows()) continue;
      const int64_t st = strides[k], keff = dil[k] * (kernel[k] - 1) + 1;
      if (st < 1 || keff < 1) return unsafe(n, where(n) + ": bad stride or kernel");
      // Does a window of a real output read past the request's end? Then it reads the padded region
      // where an exact run reads the op's own padding (zeros for Conv, -inf for MaxPool, nothing for
      // AveragePool without count_include_pad).
      const bool same = autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER";
      const bool readsPast = op == "ConvTranspose" || same || ceilMode || (autoPad != "VALID" && pads[k + spatial] > 0);
      if (readsPast && edge.empty()) {
        if (conv && t.dirty)
          edge = where(n) + " reads the padded region, which earlier ops filled with non-zero values";
        else if (op == "MaxPool" || op == "LpPool")
          edge = where(n) + " pools over the padded region (an exact run pads with -inf or skips it)";
        else if (op == "AveragePool" && (t.dirty || n.attrs.getInt("count_include_pad", 0) == 0))
          edge = where(n) + " averages over the padded region";
      }
      // The output's padded region holds zeros only for a 1-wide window without bias over zeros.
      const bool dirty = t.dirty || keff > 1 || bias || op == "ConvTranspose";
      t.dirty = false;
      if (op == "ConvTranspose") {
        if (n.attrs.has("output_shape")) return unsafe(n, where(n) + ": fixed output_shape");
        if (t.s != 1) return unsafe(n, where(n) + ": a transposed conv after a strided op has no exact size rule");
        const auto outPad = n.attrs.getInts("output_padding", std::vector<int64_t>(spatial, 0));
        t.a *= st;
        if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
          t.b *= st;
        } else {
          t.b = st * (t.b - 1) + (k < outPad.size() ? outPad[k] : 0) + keff -
                (autoPad == "VALID" ? 0 : pads[k] + pads[k + spatial]);
        }
        out[2 + k] = normalised(t);
      } else if (same) {
        out[2 + k] = throughWindow(t, st - 1 - st, st); // ceil(in / st) = floor((in + st - 1) / st)
      } else {
        const int64_t padSum = autoPad == "VALID" ? 0 : pads[k] + pads[k + spatial];
        int64_t c = padSum - keff;
        if (ceilMode && !conv) c += st - 1;
        out[2 + k] = throughWindow(t, c, st);
      }
      out[2 + k].dirty = dirty;
    }
    if (!edge.empty() && m_edge.empty()) m_edge = edge;
    setOut(y, out, inherited);
    if (n.outputs.size() > 1 && n.outputs[1] != ir::kNone) { // MaxPool indices count padded positions
      auto& idx = info(n.outputs[1]);
      idx.known = false;
      idx.unsafe = where(n) + ": pooling indices count padded positions";
    }
  }

  void reduce(const ir::Node& n, const std::vector<Tag>& in, const std::string& inherited) {
    const auto y = n.outputs[0];
    const auto r = static_cast<int64_t>(in.size());
    std::vector<int64_t> axes;
    bool keep = n.attrs.getInt("keepdims", 1) != 0;
    if (n.opType == "ArgMax" || n.opType == "ArgMin") {
      axes = {n.attrs.getInt("axis", 0)};
    } else if (n.attrs.has("axes")) {
      axes = n.attrs.getInts("axes");
    } else if (n.inputs.size() > 1 && n.inputs[1] != ir::kNone) {
      auto a = ints(n, 1);
      if (!a) return unsafe(n, where(n) + ": reduction axes unknown");
      axes = *a;
    }
    if (axes.empty()) {
      if (n.attrs.getInt("noop_with_empty_axes", 0) != 0) return setOut(y, in, inherited);
      for (int64_t k = 0; k < r; ++k)
        axes.push_back(k);
    }
    std::vector<bool> reduced(in.size(), false);
    for (auto a : axes) {
      if (a < 0) a += r;
      if (a < 0 || a >= r) return unsafe(n, where(n) + ": bad axis");
      reduced[static_cast<std::size_t>(a)] = true;
      if (in[static_cast<std::size_t>(a)].follows()) return unsafe(n, where(n) + " reduces over a padded dim");
    }
    std::vector<Tag> out;
    for (std::size_t k = 0; k < in.size(); ++k)
      if (!reduced[k])
        out.push_back(in[k]);
      else if (keep)
        out.push_back(Tag{});
    if (out.size() != rank(y)) return unsafe(n, where(n) + ": rank mismatch");
    setOut(y, dirtied(out), inherited);
  }

  void matmul(const ir::Node& n, const std::string& inherited) {
    const auto y = n.outputs[0];
    const auto a = n.inputs[0], b = n.inputs[1];
    if (!info(a).known || !info(b).known) return unsafe(n, where(n) + ": shapes unknown");
    auto ad = info(a).dims, bd = info(b).dims;
    if (ad.empty() || bd.empty()) return unsafe(n, where(n) + ": scalar operand");
    const bool aVec = ad.size() == 1, bVec = bd.size() == 1;
    if (ad.back().follows() || (bVec ? bd[0] : bd[bd.size() - 2]).follows())
      return unsafe(n, where(n) + " contracts over a padded dim (attention or a dense layer over it)");
    std::vector<Tag> out;
    const std::size_t batchA = aVec ? 0 : ad.size() - 2, batchB = bVec ? 0 : bd.size() - 2;
    const std::size_t batch = std::max(batchA, batchB);
    for (std::size_t j = 0; j < batch; ++j) {
      const Tag ta = j + batchA >= batch ? ad[j + batchA - batch] : Tag{};
      const Tag tb = j + batchB >= batch ? bd[j + batchB - batch] : Tag{};
      if (ta.follows() && tb.follows() && !(ta == tb)) return unsafe(n, where(n) + " combines two padded dims");
      out.push_back(ta.follows() ? ta : tb);
    }
    if (!aVec) out.push_back(ad[ad.size() - 2]);
    if (!bVec) out.push_back(bd.back());
    if (out.size() != rank(y)) return unsafe(n, where(n) + ": rank mismatch");
    setOut(y, out, inherited);
  }

  // Squeeze / Unsqueeze / Reshape / Flatten: pair input and output dims by equal running products; a
  // padded dim passes when its group is that dim alone (plus dims of 1) on both sides.
  void reshapeLike(const ir::Node& n, const std::vector<Tag>& in, const std::string& inherited) {
    const auto x = n.inputs[0], y = n.outputs[0];
    const auto ri = in.size(), ro = rank(y);
    std::vector<int64_t> id(ri), od(ro);
    for (std::size_t k = 0; k < ri; ++k)
      id[k] = dim(x, k);
    for (std::size_t k = 0; k < ro; ++k)
      od[k] = dim(y, k);
    if (std::any_of(id.begin(), id.end(), [](int64_t d) { return d < 0; }) ||
        std::any_of(od.begin(), od.end(), [](int64_t d) { return d < 0; }))
      return unsafe(n, where(n) + ": shapes unknown");
    std::vector<Tag> out(ro);
    std::size_t i = 0, o = 0;
    while (i < ri || o < ro) {
      // Dims of 1 pair with nothing unless both sides have one; an untagged 1 is skipped.
      if (i < ri && o < ro && id[i] == od[o]) {
        out[o] = in[i];
        ++i;
        ++o;
        continue;
      }
      if (i < ri && id[i] == 1) {
        if (in[i].follows()) {
          // A padded dim whose gear size is 1 disappears: the request's size is 1 too.
        }
        ++i;
        continue;
      }
      if (o < ro && od[o] == 1) {
        ++o;
        continue;
      }
      // A group of several dims with the same product.
      if (i >= ri || o >= ro) return unsafe(n, where(n) + ": shapes do not pair");
      int64_t pi = id[i], po = od[o];
      bool paddedIn = in[i].follows();
      ++i;
      ++o;
      while (pi != po) {
        if (pi < po) {
          if (i >= ri) return unsafe(n, where(n) + ": shapes do not pair");
          paddedIn = paddedIn || in[i].follows();
          pi *= id[i++];
        } else {
          if (o >= ro) return unsafe(n, where(n) + ": shapes do not pair");
          po *= od[o++];
        }
      }
      if (paddedIn) return unsafe(n, where(n) + " merges or splits a padded dim with others");
    }
    setOut(y, out, inherited);
  }

  void resize(const ir::Node& n, const std::vector<Tag>& in, const std::string& inherited) {
    const auto x = n.inputs[0], y = n.outputs[0];
    if (rank(y) != in.size()) return unsafe(n, where(n) + ": rank changed");
    std::optional<std::vector<float>> scales;
    if (n.opType == "Upsample") {
      scales = n.attrs.has("scales") ? std::optional(n.attrs.getFloats("scales")) : floats(n, 1);
    } else {
      const bool hasSizes = n.inputs.size() > 3 && n.inputs[3] != ir::kNone;
      if (hasSizes) return unsafe(n, where(n) + " resizes to fixed sizes");
      scales = floats(n, n.opType == "Resize" && m_opset >= 11 ? 2 : 1);
    }
    if (!scales || scales->size() != in.size()) return unsafe(n, where(n) + ": scales unknown");
    std::vector<Tag> out(in.size());
    for (std::size_t k = 0; k < in.size(); ++k) {
      if (!in[k].follows()) continue;
      const double sc = (*scales)[k];
      std::optional<Tag> t;
      for (int64_t q = 1; q <= 64 && !t; ++q) {
        const double p = sc * static_cast<double>(q);
        if (std::abs(p - std::round(p)) < 1e-6 && std::round(p) >= 1)
          t = throughScale(in[k], static_cast<int64_t>(std::round(p)), q);
        if (std::abs(p - std::round(p)) < 1e-6) break;
      }
      if (!t) return unsafe(n, where(n) + ": no exact size rule for scale " + std::to_string(sc));
      out[k] = *t;
    }
    (void)x;
    const auto mode = n.attrs.getString("mode", "nearest");
    if (mode != "nearest") {
      if (m_edge.empty()) m_edge = where(n) + " interpolates across the request's end into the padded region";
      out = dirtied(out);
    }
    setOut(y, out, inherited);
  }

private:
  ir::Graph& m_g;
  std::string m_edge; // the edge note of the node being visited (inherited or set by it)
  int64_t m_opset;
  std::vector<std::optional<ir::Tensor>>& m_known;
  std::vector<ValueInfo> m_info;
};

} // namespace

Expected<std::vector<om::OutputCrop>> cropMap(const ir::Graph& source, int64_t opset,
                                              const std::vector<om::TensorDesc>& inputs,
                                              const std::map<std::string, std::vector<bool>>& padded,
                                              const std::vector<om::TensorDesc>& outputs) {
  ir::Graph g = source; // constants share storage
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const auto v = g.findValue(inputs[i].name);
    if (v == ir::kNone)
      return makeError(codes::kInternal, "crop map: gear input '" + inputs[i].name + "' is not in the graph");
    g.values[static_cast<std::size_t>(v)].shape = ir::Shape::fromValues(inputs[i].dims);
  }
  ops::GraphInferOptions io;
  io.allowUnknownOps = true;
  io.keepDeclaredShapes = false;
  std::vector<std::optional<ir::Tensor>> known;
  GS_RETURN_IF_ERROR(ops::inferGraph(g, opset, io, &known));
  GS_ASSIGN_OR_RETURN(auto order, g.topoOrder());

  Analysis a(g, opset, known);
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const auto v = g.findValue(inputs[i].name);
    auto& vi = a.info(v);
    vi.known = true;
    vi.dims.assign(inputs[i].dims.size(), Tag{});
    const auto it = padded.find(inputs[i].name);
    if (it == padded.end()) continue;
    for (std::size_t d = 0; d < vi.dims.size() && d < it->second.size(); ++d)
      if (it->second[d]) vi.dims[d] = Tag{{static_cast<int>(i), static_cast<int>(d), 1, 0, 1}, false};
  }
  for (std::size_t v = 0; v < g.values.size(); ++v) // constants and other sources: plain
    if (!a.info(static_cast<ir::ValueId>(v)).known && g.values[v].producer == ir::kNone) {
      auto& vi = a.info(static_cast<ir::ValueId>(v));
      vi.known = true;
      vi.dims.assign(a.rank(static_cast<ir::ValueId>(v)), Tag{});
    }
  GS_RETURN_IF_ERROR(a.run(order));

  std::vector<om::OutputCrop> out;
  for (const auto& o : outputs) {
    om::OutputCrop crop;
    crop.dims.assign(o.dims.size(), om::CropDim{});
    const auto v = g.findValue(o.name);
    if (v == ir::kNone) {
      crop.unsafe = "output '" + o.name + "' is not in the source graph: no crop rule";
      out.push_back(std::move(crop));
      continue;
    }
    const auto& vi = a.info(v);
    crop.unsafe = vi.unsafe;
    crop.edge = vi.edge;
    if (!vi.known || vi.dims.size() != o.dims.size()) {
      if (crop.unsafe.empty()) crop.unsafe = "output '" + o.name + "': its dims cannot be traced to the inputs";
      out.push_back(std::move(crop));
      continue;
    }
    for (std::size_t d = 0; d < o.dims.size(); ++d) {
      const auto& t = vi.dims[d];
      if (!t.follows()) continue;
      const auto x = inputs[static_cast<std::size_t>(t.input)].dims[static_cast<std::size_t>(t.inputDim)];
      if (t.size(x) != o.dims[d]) {
        crop.unsafe = "output '" + o.name + "' dim " + std::to_string(d) + ": the size rule gives " +
                      std::to_string(t.size(x)) + " at the gear's shape, shape inference " + std::to_string(o.dims[d]);
        continue;
      }
      crop.dims[d] = static_cast<const om::CropDim&>(t);
    }
    out.push_back(std::move(crop));
  }
  return out;
}

} // namespace gs::compiler
