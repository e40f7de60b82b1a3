// Pass "fold-cast-pairs" (see fold_cast_pairs.h).
#include "core/compiler/passes/fold_cast_pairs.h"

#include <optional>

#include "core/compiler/passes/graph_helpers.h"

namespace gs::compiler::passes {

namespace {

using ir::DataType;

// Significand bits including the implicit one (integers up to 2^bits are exact), 0 for non-floats.
int significandBits(DataType t) {
  switch (t) {
  case DataType::Float16:
    return 11;
  case DataType::BFloat16:
    return 8;
  case DataType::Float32:
    return 24;
  case DataType::Float64:
    return 53;
  default:
    return 0;
  }
}

// An integer type's range: bits of magnitude, and whether negative values exist.
struct IntInfo {
  int bits = 0; // magnitude bits (7 for int8, 8 for uint8)
  bool isSigned = false;
};

std::optional<IntInfo> intInfo(DataType t) {
  switch (t) {
  case DataType::Bool:
    return IntInfo{1, false};
  case DataType::Int8:
    return IntInfo{7, true};
  case DataType::UInt8:
    return IntInfo{8, false};
  case DataType::Int16:
    return IntInfo{15, true};
  case DataType::UInt16:
    return IntInfo{16, false};
  case DataType::Int32:
    return IntInfo{31, true};
  case DataType::UInt32:
    return IntInfo{32, false};
  case DataType::Int64:
    return IntInfo{63, true};
  case DataType::UInt64:
    return IntInfo{64, false};
  default:
    return std::nullopt;
  }
}

} // namespace

bool castIsExact(DataType from, DataType to) {
  if (from == to) return true;
  const int fromSig = significandBits(from);
  const int toSig = significandBits(to);
  if (fromSig && toSig) {
    // float -> float: wider significand and exponent range. bfloat16 has float32's exponent range,
    // float16 a narrower one than both; float16 <-> bfloat16 loses either way.
    if (from == DataType::Float16) return to == DataType::Float32 || to == DataType::Float64;
    if (from == DataType::BFloat16) return to == DataType::Float32 || to == DataType::Float64;
    return from == DataType::Float32 && to == DataType::Float64;
  }
  const auto fi = intInfo(from);
  if (!fi) return false; // a float into an integer type truncates
  if (toSig) return fi->bits <= toSig;
  const auto ti = intInfo(to);
  if (!ti || to == DataType::Bool) return false;
  if (fi->isSigned && !ti->isSigned) return false;
  return fi->bits <= ti->bits;
}

Expected<bool> foldCastPairs(ir::Graph& g, PassContext& ctx) {
  bool changed = false;
  for (auto& n : g.nodes) {
    if (n.opType != "Cast" || !n.domain.empty() || n.inputs.size() != 1 || n.inputs[0] == ir::kNone) continue;
    if (n.attrs.size() != 1 || !n.attrs.has("to")) continue; // e.g. float8 `saturate`: leave alone
    const ir::NodeId p = helpers::producerOf(g, n.inputs[0]);
    if (p == ir::kNone) continue;
    const auto& first = g.nodes[static_cast<std::size_t>(p)];
    if (first.opType != "Cast" || !first.domain.empty() || first.inputs.size() != 1 || first.inputs[0] == ir::kNone ||
        first.attrs.size() != 1)
      continue;
    const DataType a = g.values[first.inputs[0]].dtype;
    const DataType b = g.values[n.inputs[0]].dtype;
    if (a == DataType::Undefined || b == DataType::Undefined || !castIsExact(a, b)) continue;
    n.inputs[0] = first.inputs[0]; // Cast(x, C): the first Cast stays while others read it
    changed = true;
    ctx.count(static_cast<int64_t>(a) == n.attrs.getInt("to", -1) ? "round-trip" : "shortened");
  }
  return changed;
}

} // namespace gs::compiler::passes
