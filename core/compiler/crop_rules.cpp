// The crop-map rules for windows (Conv, pools), reductions, MatMul, reshapes and Resize (see
// crop_analysis.h).
#include "core/compiler/crop_analysis.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace gs::compiler::crop_detail {

void Analysis::window(const ir::Node& n, const std::vector<Tag>& in, const std::string& inherited) {
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

void Analysis::reduce(const ir::Node& n, const std::vector<Tag>& in, const std::string& inherited) {
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

void Analysis::matmul(const ir::Node& n, const std::string& inherited) {
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
void Analysis::reshapeLike(const ir::Node& n, const std::vector<Tag>& in, const std::string& inherited) {
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

void Analysis::resize(const ir::Node& n, const std::vector<Tag>& in, const std::string& inherited) {
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

} // namespace gs::compiler::crop_detail
