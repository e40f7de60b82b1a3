// Shape functions of MatMul (numpy semantics, batch broadcasting), Gemm (transA/transB, C broadcast to
// the output) and Einsum (explicit and implicit output, ellipsis). FusedMatMul and FusedGemm share
// them (their activation does not change shapes).
#include <algorithm>
#include <cctype>
#include <map>

#include "core/ops/op_util.h"
#include "core/ops/shape_fns.h"

namespace gs::ops {

using namespace util;

Status inferMatMul(InferContext& ctx) {
  if (!has(ctx, 0) || !has(ctx, 1)) return invalid(ctx, "needs inputs A and B");
  const auto& a = *shapeOf(ctx, 0);
  const auto& b = *shapeOf(ctx, 1);
  const auto dtype = dtypeOf(ctx, 0);
  if (!a.rankKnown || !b.rankKnown) {
    setOutput(ctx, 0, dtype, ir::Shape::unknownRank());
    return ok();
  }
  if (a.rank() == 0 || b.rank() == 0) return invalid(ctx, "inputs must not be scalars");
  ir::Shape pa = a, pb = b;
  if (a.rank() == 1) pa.dims.insert(pa.dims.begin(), ir::Dim::known(1));
  if (b.rank() == 1) pb.dims.push_back(ir::Dim::known(1));
  const auto& k1 = pa.dims[pa.rank() - 1];
  const auto& k2 = pb.dims[pb.rank() - 2];
  if (k1.isKnown() && k2.isKnown() && k1.value != k2.value)
    return invalid(ctx, "inner dims differ: A " + a.str() + ", B " + b.str());
  const ir::Shape ba(std::vector<ir::Dim>(pa.dims.begin(), pa.dims.end() - 2));
  const ir::Shape bb(std::vector<ir::Dim>(pb.dims.begin(), pb.dims.end() - 2));
  const ir::Shape* batches[] = {&ba, &bb};
  GS_ASSIGN_OR_RETURN(auto out, broadcast(ctx, batches));
  if (a.rank() != 1) out.dims.push_back(pa.dims[pa.rank() - 2]);
  if (b.rank() != 1) out.dims.push_back(pb.dims[pb.rank() - 1]);
  setOutput(ctx, 0, dtype, std::move(out));
  return ok();
}

Status inferGemm(InferContext& ctx) {
  if (!has(ctx, 0) || !has(ctx, 1)) return invalid(ctx, "needs inputs A and B");
  const auto& a = *shapeOf(ctx, 0);
  const auto& b = *shapeOf(ctx, 1);
  const auto dtype = dtypeOf(ctx, 0);
  const bool ta = ctx.node.attrs.getInt("transA", 0) != 0;
  const bool tb = ctx.node.attrs.getInt("transB", 0) != 0;
  if (a.rankKnown && a.rank() != 2) return invalid(ctx, "A must be 2-D, got " + a.str());
  if (b.rankKnown && b.rank() != 2) return invalid(ctx, "B must be 2-D, got " + b.str());
  const ir::Dim m = a.rankKnown ? a.dims[ta ? 1 : 0] : freshDim(ctx);
  const ir::Dim n = b.rankKnown ? b.dims[tb ? 0 : 1] : freshDim(ctx);
  if (a.rankKnown && b.rankKnown) {
    const auto& ka = a.dims[ta ? 0 : 1];
    const auto& kb = b.dims[tb ? 1 : 0];
    if (ka.isKnown() && kb.isKnown() && ka.value != kb.value)
      return invalid(ctx, "inner dims differ: A " + a.str() + (ta ? "^T" : "") + ", B " + b.str() + (tb ? "^T" : ""));
  }
  ir::Shape out({m, n});
  if (const auto* c = shapeOf(ctx, 2); c && c->rankKnown) {
    // C broadcasts one way, into [M, N].
    if (c->rank() > 2) return invalid(ctx, "C must have rank <= 2, got " + c->str());
    for (std::size_t i = 0; i < c->rank(); ++i) {
      const auto& d = c->dims[i];
      auto& o = out.dims[2 - c->rank() + i];
      if (!d.isKnown() || d.value == 1) continue;
      if (o.isKnown() && o.value != d.value)
        return invalid(ctx, "C " + c->str() + " does not broadcast to " + out.str());
      o = d;
    }
  }
  setOutput(ctx, 0, dtype, std::move(out));
  return ok();
}

Status inferEinsum(InferContext& ctx) {
  const auto* eqAttr = ctx.node.attrs.find("equation");
  if (!eqAttr) return invalidAttr(ctx, "equation", "is required");
  std::string eq;
  for (char c : eqAttr->s)
    if (c != ' ') eq += c;
  const auto arrow = eq.find("->");
  const std::string lhs = eq.substr(0, arrow);
  std::vector<std::string> terms;
  for (std::size_t start = 0;;) {
    const auto comma = lhs.find(',', start);
    terms.push_back(lhs.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  const auto dtype = dtypeOf(ctx, 0);
  if (terms.size() != ctx.inputs.size())
    return invalidAttr(ctx, "equation",
                       "has " + std::to_string(terms.size()) + " terms for " + std::to_string(ctx.inputs.size()) +
                           " inputs");
  std::map<char, ir::Dim> letters;
  std::map<char, int> counts;
  std::vector<const ir::Shape*> ellipsisShapes;
  std::vector<ir::Shape> ellipsisStore;
  ellipsisStore.reserve(terms.size());
  for (std::size_t t = 0; t < terms.size(); ++t) {
    const auto* s = shapeOf(ctx, t);
    if (!s) return invalid(ctx, "input " + std::to_string(t) + " is missing");
    if (!s->rankKnown) {
      setOutput(ctx, 0, dtype, ir::Shape::unknownRank());
      return ok();
    }
    const auto& term = terms[t];
    const auto ell = term.find("...");
    const std::size_t named = term.size() - (ell == std::string::npos ? 0 : 3);
    if (ell == std::string::npos ? named != s->rank() : named > s->rank())
      return invalidAttr(ctx, "equation", "term '" + term + "' does not match input " + s->str());
    const std::size_t ellRank = s->rank() - named;
    std::size_t dim = 0;
    for (std::size_t i = 0; i < term.size(); ++i) {
      if (ell != std::string::npos && i == ell) {
        ellipsisStore.emplace_back(std::vector<ir::Dim>(s->dims.begin() + static_cast<std::ptrdiff_t>(dim),
                                                        s->dims.begin() + static_cast<std::ptrdiff_t>(dim + ellRank)));
        ellipsisShapes.push_back(&ellipsisStore.back());
        dim += ellRank;
        i += 2;
        continue;
      }
      const char c = term[i];
      if (!std::isalpha(static_cast<unsigned char>(c))) return invalidAttr(ctx, "equation", "bad character");
      ++counts[c];
      const auto& d = s->dims[dim++];
      auto it = letters.find(c);
      if (it == letters.end()) {
        letters[c] = d;
      } else if (!(d.isKnown() && d.value == 1)) {
        if (it->second.isKnown() && it->second.value == 1) {
          it->second = d;
        } else {
          GS_ASSIGN_OR_RETURN(it->second, unifyDims(ctx, it->second, d, std::string("label '") + c + "'"));
        }
      }
    }
  }
  GS_ASSIGN_OR_RETURN(auto ellOut, broadcast(ctx, ellipsisShapes));
  std::string rhs;
  if (arrow != std::string::npos) {
    rhs = eq.substr(arrow + 2);
  } else {
    if (!ellipsisShapes.empty()) rhs = "...";
    for (const auto& [c, n] : counts)
      if (n == 1) rhs += c;
  }
  std::vector<ir::Dim> out;
  for (std::size_t i = 0; i < rhs.size(); ++i) {
    if (rhs.compare(i, 3, "...") == 0) {
      out.insert(out.end(), ellOut.dims.begin(), ellOut.dims.end());
      i += 2;
      continue;
    }
    auto it = letters.find(rhs[i]);
    if (it == letters.end())
      return invalidAttr(ctx, "equation", std::string("output label '") + rhs[i] + "' is not an input label");
    out.push_back(it->second);
  }
  setOutput(ctx, 0, dtype, ir::Shape(std::move(out)));
  return ok();
}

} // namespace gs::ops
