// Pass "precision-policy" (see precision_policy.h).
#include "core/compiler/passes/precision_policy.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <utility>

#include "core/common/log.h"
#include "core/compiler/passes/graph_helpers.h"
#include "core/compiler/passes/precision_ops.h"
#include "core/ops/registry.h"

namespace gs::compiler::passes {

namespace {

using ir::DataType;
using shape_config::PrecisionMode;

std::string_view suffixOf(DataType t) {
  switch (t) {
  case DataType::Float16:
    return "_fp16";
  case DataType::BFloat16:
    return "_bf16";
  default:
    return "_fp32";
  }
}

bool isHalf(DataType t) { return t == DataType::Float16 || t == DataType::BFloat16; }

// What a mode converts: values of dtype `from` (as the node's data) into `to`.
struct Direction {
  ir::DtypeSet from;
  DataType to = DataType::Undefined;
};

std::optional<Direction> directionOf(PrecisionMode mode) {
  switch (mode) {
  case PrecisionMode::ForceFp16:
  case PrecisionMode::AllowFp32ToFp16:
  case PrecisionMode::AllowMixPrecision:
    return Direction{ir::DtypeSet{DataType::Float32}, DataType::Float16};
  case PrecisionMode::Bf16:
    return Direction{ir::DtypeSet{DataType::Float32}, DataType::BFloat16};
  case PrecisionMode::ForceFp32:
    return Direction{ir::DtypeSet{DataType::Float16, DataType::BFloat16}, DataType::Float32};
  case PrecisionMode::Default:
  case PrecisionMode::MustKeepOriginDtype:
    return std::nullopt;
  }
  return std::nullopt;
}

bool kept(const shape_config::KeepList& keep, const ir::Node& n) {
  return std::find(keep.nodes.begin(), keep.nodes.end(), n.name) != keep.nodes.end() ||
         std::find(keep.opTypes.begin(), keep.opTypes.end(), n.opType) != keep.opTypes.end();
}

// A model Cast to a 16-bit type that force_fp32 turns into a Cast to float32.
bool isHalfCast(const ir::Graph& g, const ir::Node& n) {
  if (!(n.domain.empty() && n.opType == "Cast") || n.inputs.size() != 1 || n.inputs[0] == ir::kNone) return false;
  const auto to = ir::dtypeFromOnnx(static_cast<int32_t>(n.attrs.getInt("to", 0)));
  return to && isHalf(*to) && ir::isFloat(g.values[static_cast<std::size_t>(n.inputs[0])].dtype) && n.attrs.size() == 1;
}

// Shape/Size read only the shape; a Cast reads any float exactly as its value holds it (float16 ->
// float32 is exact, and under force_fp32 the wider value is the one meant): no Cast back for them.
bool readsAnyFloat(const ir::Node& n) {
  return precision::readsShapeOnly(n) || (n.domain.empty() && n.opType == "Cast");
}

void collectNodeNames(const ir::Graph& g, std::set<std::string>& names, std::set<std::string>& types) {
  for (const auto& n : g.nodes) {
    names.insert(n.name);
    types.insert(n.opType);
    for (const auto& [an, a] : n.attrs) {
      if (a.g) collectNodeNames(*a.g, names, types);
      for (const auto& sg : a.graphs)
        if (sg) collectNodeNames(*sg, names, types);
    }
  }
}

class Rewriter {
public:
  Rewriter(ir::Graph& g, PassContext& ctx, Direction dir) : m_g(g), m_ctx(ctx), m_dir(dir) {
    for (const auto& n : g.nodes)
      m_usedNodeNames.insert(n.name);
  }

  Expected<bool> run(const shape_config::PrecisionConfig& config) {
    GS_ASSIGN_OR_RETURN(auto order, m_g.topoOrder());
    const auto convert = decide(config, order);
    if (std::none_of(convert.begin(), convert.end(), [](bool b) { return b; })) return false;

    // Values that must keep their name and dtype: graph outputs and what subgraph bodies read by name.
    std::set<std::string> outer;
    for (const auto& n : m_g.nodes)
      for (auto& name : helpers::outerScopeReads(n))
        outer.insert(std::move(name));
    m_protected.assign(m_g.values.size(), false);
    for (auto o : m_g.outputs)
      m_protected[static_cast<std::size_t>(o)] = true;
    for (std::size_t v = 0; v < m_g.values.size(); ++v)
      if (outer.count(m_g.values[v].name)) m_protected[v] = true;
    m_orig.reserve(m_g.values.size());
    for (const auto& v : m_g.values)
      m_orig.push_back(v.dtype);

    std::vector<ir::Node> old = std::move(m_g.nodes);
    m_g.nodes.clear();
    for (auto id : order) {
      ir::Node n = std::move(old[static_cast<std::size_t>(id)]);
      const bool conv = convert[static_cast<std::size_t>(id)];
      for (std::size_t i = 0; i < n.inputs.size(); ++i) {
        const auto v = n.inputs[i];
        if (v == ir::kNone) continue;
        const auto orig = m_orig[static_cast<std::size_t>(v)];
        if (conv && !isHalfCast(m_g, n) && precision::isDataInput(n, i, m_ctx.opset) && m_dir.from.has(orig))
          n.inputs[i] = as(v, m_dir.to);
        else if (!readsAnyFloat(n) && m_g.values[static_cast<std::size_t>(v)].dtype != orig)
          n.inputs[i] = as(v, orig);
      }
      std::vector<std::pair<ir::ValueId, ir::ValueId>> castsAfter; // (from, into): protected outputs
      if (conv) {
        if (isHalfCast(m_g, n)) n.attrs.set("to", ir::Attribute::ofInt(static_cast<int64_t>(m_dir.to)));
        for (auto& o : n.outputs) {
          if (o == ir::kNone || !m_dir.from.has(m_orig[static_cast<std::size_t>(o)])) continue;
          if (m_protected[static_cast<std::size_t>(o)]) {
            const auto inner = newValueLike(o, m_dir.to);
            m_cache[{o, m_dir.to}] = inner;
            castsAfter.emplace_back(inner, o);
            o = inner;
          } else {
            m_g.values[static_cast<std::size_t>(o)].dtype = m_dir.to;
          }
        }
        m_ctx.count("converted");
      }
      m_g.nodes.push_back(std::move(n));
      for (const auto& [from, into] : castsAfter)
        pushCast(from, into);
    }
    for (auto& v : m_g.values)
      if (!v.constant) v.producer = ir::kNone;
    for (std::size_t i = 0; i < m_g.nodes.size(); ++i)
      for (auto o : m_g.nodes[i].outputs)
        if (o != ir::kNone) m_g.values[static_cast<std::size_t>(o)].producer = static_cast<ir::NodeId>(i);
    return true;
  }

private:
  std::vector<bool> decide(const shape_config::PrecisionConfig& config, const std::vector<ir::NodeId>& order) {
    std::vector<bool> convert(m_g.nodes.size(), false);
    // Whether a value will hold the target type (converted output, or already of that type).
    std::vector<bool> target(m_g.values.size(), false);
    for (std::size_t v = 0; v < m_g.values.size(); ++v)
      target[v] = m_g.values[v].dtype == m_dir.to;
    for (auto id : order) {
      const auto& n = m_g.nodes[static_cast<std::size_t>(id)];
      if (kept(config.keep, n)) continue;
      bool yes = false;
      if (config.mode == PrecisionMode::ForceFp32 && isHalfCast(m_g, n)) {
        yes = true;
      } else if (precision::isConvertible(n) && hasDataIn(n)) {
        switch (config.mode) {
        case PrecisionMode::AllowFp32ToFp16:
          yes = precision::isMatrixOp(n);
          break;
        case PrecisionMode::AllowMixPrecision:
          yes = !precision::isSensitive(n) && (!precision::followsInputs(n) || dataInputsAreTarget(n, target));
          break;
        default:
          yes = true;
        }
      }
      if (!yes) continue;
      convert[static_cast<std::size_t>(id)] = true;
      for (auto o : n.outputs)
        if (o != ir::kNone && m_dir.from.has(m_g.values[static_cast<std::size_t>(o)].dtype))
          target[static_cast<std::size_t>(o)] = true;
    }
    return convert;
  }

  bool hasDataIn(const ir::Node& n) const {
    for (std::size_t i = 0; i < n.inputs.size(); ++i)
      if (precision::isDataInput(n, i, m_ctx.opset) &&
          m_dir.from.has(m_g.values[static_cast<std::size_t>(n.inputs[i])].dtype))
        return true;
    return false;
  }

  // allow_mix_precision's followers: every non-constant float data input already of the target type.
  bool dataInputsAreTarget(const ir::Node& n, const std::vector<bool>& target) const {
    for (std::size_t i = 0; i < n.inputs.size(); ++i) {
      if (!precision::isDataInput(n, i, m_ctx.opset)) continue;
      const auto v = static_cast<std::size_t>(n.inputs[i]);
      if (m_g.values[v].constant || !ir::isFloat(m_g.values[v].dtype)) continue;
      if (!target[v]) return false;
    }
    return true;
  }

  ir::ValueId newValueLike(ir::ValueId v, DataType t) {
    const auto& src = m_g.values[static_cast<std::size_t>(v)];
    const auto name = m_g.uniqueName(src.name + std::string(suffixOf(t)));
    const auto shape = src.shape;
    const auto id = m_g.addValue(name, t, shape);
    m_protected.push_back(false);
    m_orig.push_back(t);
    return id;
  }

  void pushCast(ir::ValueId from, ir::ValueId into) {
    ir::Node c;
    std::string base = m_g.values[static_cast<std::size_t>(into)].name + "_cast";
    std::string name = base;
    for (int k = 1; m_usedNodeNames.count(name); ++k)
      name = base + std::to_string(k);
    m_usedNodeNames.insert(name);
    c.name = std::move(name);
    c.opType = "Cast";
    c.inputs = {from};
    c.outputs = {into};
    c.attrs.set("to", ir::Attribute::ofInt(static_cast<int64_t>(m_g.values[static_cast<std::size_t>(into)].dtype)));
    m_g.nodes.push_back(std::move(c));
    m_ctx.count("casts");
  }

  // v's contents in type t: v itself, a converted constant, or the output of a (shared) Cast.
  ir::ValueId as(ir::ValueId v, DataType t) {
    if (m_g.values[static_cast<std::size_t>(v)].dtype == t) return v;
    if (const auto it = m_cache.find({v, t}); it != m_cache.end()) return it->second;
    ir::ValueId out = ir::kNone;
    if (const auto& c = m_g.values[static_cast<std::size_t>(v)].constant; c) {
      if (auto converted = convertFloatTensor(*c, t)) {
        out = m_g.addConstant(m_g.uniqueName(m_g.values[static_cast<std::size_t>(v)].name + std::string(suffixOf(t))),
                              std::move(*converted));
        m_protected.push_back(false);
        m_orig.push_back(t);
        m_ctx.count("constants");
      }
    }
    if (out == ir::kNone) {
      out = newValueLike(v, t);
      pushCast(v, out);
    }
    m_cache[{v, t}] = out;
    return out;
  }

  ir::Graph& m_g;
  PassContext& m_ctx;
  Direction m_dir;
  std::vector<bool> m_protected;
  std::vector<DataType> m_orig; // each value's dtype before the pass (new values: their own)
  std::map<std::pair<ir::ValueId, DataType>, ir::ValueId> m_cache;
  std::set<std::string> m_usedNodeNames;
};

} // namespace

uint16_t floatToHalfBits(float f) {
  const auto h = static_cast<_Float16>(f); // IEEE round-to-nearest-even, overflow to infinity
  return std::bit_cast<uint16_t>(h);
}

float halfBitsToFloat(uint16_t h) { return static_cast<float>(std::bit_cast<_Float16>(h)); }

uint16_t floatToBFloat16Bits(float f) {
  const uint32_t u = std::bit_cast<uint32_t>(f);
  if ((u & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((u >> 16) | 0x40u); // quiet NaN
  return static_cast<uint16_t>((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
}

float bfloat16BitsToFloat(uint16_t h) { return std::bit_cast<float>(static_cast<uint32_t>(h) << 16); }

std::optional<ir::Tensor> convertFloatTensor(const ir::Tensor& t, DataType to) {
  const auto n = static_cast<std::size_t>(t.numel());
  if (n > 0 && !t.data()) return std::nullopt;
  if (t.dtype == DataType::Float32 && isHalf(to)) {
    std::string bytes(n * 2, '\0');
    for (std::size_t i = 0; i < n; ++i) {
      float f;
      std::memcpy(&f, t.data() + i * 4, 4);
      const uint16_t h = to == DataType::Float16 ? floatToHalfBits(f) : floatToBFloat16Bits(f);
      std::memcpy(bytes.data() + i * 2, &h, 2);
    }
    return ir::Tensor::fromBytes(to, t.dims, std::move(bytes));
  }
  if (isHalf(t.dtype) && to == DataType::Float32) {
    std::string bytes(n * 4, '\0');
    for (std::size_t i = 0; i < n; ++i) {
      uint16_t h;
      std::memcpy(&h, t.data() + i * 2, 2);
      const float f = t.dtype == DataType::Float16 ? halfBitsToFloat(h) : bfloat16BitsToFloat(h);
      std::memcpy(bytes.data() + i * 4, &f, 4);
    }
    return ir::Tensor::fromBytes(to, t.dims, std::move(bytes));
  }
  return std::nullopt;
}

Status checkKeepList(const shape_config::PrecisionConfig& config, const ir::Graph& graph) {
  if (config.keep.empty()) return ok();
  std::set<std::string> names, types;
  collectNodeNames(graph, names, types);
  const std::string file =
      config.keepDtypeFile.empty() ? std::string("the keep list") : "'" + config.keepDtypeFile + "'";
  for (const auto& node : config.keep.nodes)
    if (!names.count(node))
      return makeError("E10016", "Node [" + node + "] in parameter [--keep_dtype] (" + file +
                                     ") is not a node of the model: give an ONNX node name, or OpType::TYPE for "
                                     "every node of an op type.");
  for (const auto& type : config.keep.opTypes)
    if (!types.count(type))
      log::get("compiler")->warn("--keep_dtype {}: no node of the model has op type '{}'", file, type);
  return ok();
}

Expected<bool> applyPrecisionPolicy(ir::Graph& g, PassContext& ctx) {
  const auto dir = directionOf(ctx.precision.mode);
  if (!dir) return false;
  // The imported graph has the dtypes its file declared; values without a declaration get theirs
  // from inference (shapes stay as they are: per-gear inference makes them static later).
  ir::Graph typed = g;
  ops::GraphInferOptions io;
  io.allowUnknownOps = true;
  io.propagateData = false;
  if (auto st = ops::inferGraph(typed, ctx.opset, io); !st)
    log::get("compiler")
        ->warn("precision-policy: dtype inference failed ({}); values without a declared dtype "
               "keep theirs",
               st.error().message);
  else
    for (std::size_t v = 0; v < g.values.size() && v < typed.values.size(); ++v)
      if (g.values[v].dtype == DataType::Undefined) g.values[v].dtype = typed.values[v].dtype;
  Rewriter rewriter(g, ctx, *dir);
  return rewriter.run(ctx.precision);
}

} // namespace gs::compiler::passes
