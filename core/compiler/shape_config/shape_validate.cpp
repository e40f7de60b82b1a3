// A ShapeConfig against a model: input names, ranks, inputs left to the model's own shape, out
// nodes; then the concrete per-gear input shapes and the dynamic-shape ranges.
#include "core/compiler/shape_config/shape_config.h"

#include <algorithm>
#include <charconv>
#include <map>

#include "core/common/log.h"
#include "core/compiler/shape_config/shape_parse.h"

namespace gs::shape_config {
namespace {

using detail::formatInput;
using detail::invalidValue;

std::string inputList(const ir::Graph& g) {
  std::string out;
  for (auto id : g.inputs)
    out += (out.empty() ? "" : ", ") + g.values[id].name + " " + g.values[id].shape.str();
  return out.empty() ? "(none)" : out;
}

ir::ValueId findInput(const ir::Graph& g, std::string_view name) {
  for (auto id : g.inputs)
    if (g.values[id].name == name) return id;
  return ir::kNone;
}

// "node:0" (a node's output index) or an output tensor name; ONNX tensor names win.
bool outNodeExists(const ir::Graph& g, std::string_view spec) {
  const auto v = g.findValue(spec);
  if (v != ir::kNone && !g.values[v].isConstant()) return true;
  const auto colon = spec.rfind(':');
  if (colon == std::string_view::npos || colon + 1 == spec.size()) return false;
  const auto idx = spec.substr(colon + 1);
  std::size_t index = 0;
  const auto [end, ec] = std::from_chars(idx.data(), idx.data() + idx.size(), index);
  if (ec != std::errc() || end != idx.data() + idx.size()) return false;
  const auto node = spec.substr(0, colon);
  return std::any_of(g.nodes.begin(), g.nodes.end(),
                     [&](const ir::Node& n) { return n.name == node && index < n.outputs.size(); });
}

Status checkListedInput(const ShapeConfig& c, const InputSpec& in, const ir::Graph& g) {
  const auto id = findInput(g, in.name);
  if (id == ir::kNone)
    return makeError("E10016", "Input [" + in.name + "] in parameter [--" +
                                   (c.fromDeprecatedRange ? "input_shape_range" : "input_shape") +
                                   "] is not an input of the model. The model's inputs are: " + inputList(g) + ".");
  const auto& shape = g.values[id].shape;
  if (!shape.rankKnown) return ok();
  if (shape.rank() != in.dims.size())
    return makeError("E10001", invalidValue(c.fromDeprecatedRange ? "input_shape_range" : "input_shape",
                                            formatInput(in, c.fromDeprecatedRange),
                                            "input [" + in.name + "] has " + std::to_string(shape.rank()) +
                                                " dims in the model " + shape.str() + " but " +
                                                std::to_string(in.dims.size()) + " here"));
  for (std::size_t i = 0; i < in.dims.size(); ++i) {
    const auto& d = in.dims[i];
    const auto& m = shape.dims[i];
    // Replacing a dim the model fixes is legal (ATC allows it) but often breaks reshapes inside.
    if (d.kind == DimSpec::Kind::Fixed && m.isKnown() && m.value != d.value)
      log::get("shape_config")
          ->warn("input [{}] dim {} is {} in the model but {} in --input_shape", in.name, i, m.value, d.value);
  }
  return ok();
}

Status checkUnlistedInput(const ShapeConfig& c, ir::ValueId id, const ir::Graph& g) {
  const auto& v = g.values[id];
  if (c.inputFormat == "NCDHW" && v.shape.rankKnown && v.shape.rank() != 5)
    return makeError("E10001", "Input [" + v.name + "] has the shape " + v.shape.str() + " in the model (" +
                                   std::to_string(v.shape.rank()) +
                                   " dims), but --input_format=NCDHW describes 5-D inputs.");
  if (!v.shape.isStatic())
    return makeError("E10001", "Input [" + v.name + "] has the dynamic shape " + v.shape.str() +
                                   " in the model and is not given in --input_shape; give its shape there, e.g. "
                                   "--input_shape=\"" +
                                   v.name + ":...\".");
  if (c.strategy == Strategy::Static)
    for (std::size_t i = 0; i < v.shape.dims.size(); ++i)
      if (v.shape.dims[i].value < 0 || (v.shape.dims[i].value == 0 && !c.allowEmptyDims))
        return makeError("E10011", "Input [" + v.name + "] has the shape " + v.shape.str() + " in the model: dim " +
                                       std::to_string(i) + " is 0; in static mode every dim must be > 0.");
  return ok();
}

// Dims of each graph input before gear values are filled in (-1 at Gear dims), graph order.
std::vector<std::pair<std::string, std::vector<int64_t>>> baseShapes(const ShapeConfig& c, const ir::Graph& g) {
  std::vector<std::pair<std::string, std::vector<int64_t>>> out;
  for (auto id : g.inputs) {
    const auto& v = g.values[id];
    std::vector<int64_t> dims;
    if (const auto* in = c.findInput(v.name)) {
      for (const auto& d : in->dims)
        dims.push_back(d.kind == DimSpec::Kind::Fixed ? d.value : -1);
    } else {
      dims = *v.shape.values();
    }
    out.emplace_back(v.name, std::move(dims));
  }
  return out;
}

} // namespace

Status validate(const ShapeConfig& config, const ir::Graph& graph) {
  GS_RETURN_IF_ERROR(checkConfig(config));
  for (const auto& in : config.inputs)
    GS_RETURN_IF_ERROR(checkListedInput(config, in, graph));
  for (auto id : graph.inputs)
    if (!config.findInput(graph.values[id].name)) GS_RETURN_IF_ERROR(checkUnlistedInput(config, id, graph));
  for (const auto& node : config.outNodes) {
    if (const auto v = graph.findValue(node); v != ir::kNone && graph.isGraphInput(v))
      return makeError("E10016", "Output [" + node +
                                     "] in parameter [--out_nodes] is an input of the model, not the output of a "
                                     "node: give a node name with an output index (\"node:0\") or an output tensor "
                                     "name.");
    if (!outNodeExists(graph, node))
      return makeError("E10016", "Output [" + node +
                                     "] in parameter [--out_nodes] is not in the model: give a node name with an "
                                     "output index (\"node:0\") or an output tensor name.");
  }
  return ok();
}

Status validate(const ShapeConfig& config, const ir::Model& model) { return validate(config, model.graph); }

Expected<std::vector<GearShapes>> expandGears(const ShapeConfig& config, const ir::Graph& graph) {
  GS_RETURN_IF_ERROR(validate(config, graph));
  if (config.strategy == Strategy::DynamicShape)
    return makeError(codes::kInvalid, "The dynamic_shape strategy has no gears; its inputs are described by ranges.");
  const auto base = baseShapes(config, graph);
  if (config.strategy == Strategy::Static) return std::vector<GearShapes>{GearShapes{base}};

  std::vector<GearShapes> out;
  for (const auto& gear : config.gears) {
    // Gear values per listed input, walking --input_shape in its own order: dynamic_dims numbers
    // its -1s across inputs in that order, not in graph order.
    std::map<std::string, std::vector<int64_t>> filled;
    std::size_t global = 0;
    for (const auto& in : config.inputs) {
      std::vector<int64_t> dims;
      std::size_t local = 0;
      for (const auto& d : in.dims) {
        if (d.kind != DimSpec::Kind::Gear) {
          dims.push_back(d.value);
        } else if (config.strategy == Strategy::DynamicBatch) {
          dims.push_back(gear[0]);
        } else if (config.strategy == Strategy::DynamicImageSize) {
          dims.push_back(gear[local++]);
        } else {
          dims.push_back(gear[global++]);
        }
      }
      filled.emplace(in.name, std::move(dims));
    }
    GearShapes shapes;
    for (const auto& [name, dims] : base) {
      const auto it = filled.find(name);
      shapes.inputs.emplace_back(name, it != filled.end() ? it->second : dims);
    }
    out.push_back(std::move(shapes));
  }
  return out;
}

Expected<std::vector<om::InputRange>> dynamicRanges(const ShapeConfig& config, const ir::Graph& graph) {
  GS_RETURN_IF_ERROR(validate(config, graph));
  std::vector<om::InputRange> out;
  if (config.strategy != Strategy::DynamicShape) {
    GS_ASSIGN_OR_RETURN(auto gears, expandGears(config, graph));
    for (std::size_t i = 0; i < graph.inputs.size(); ++i) {
      om::InputRange r{gears[0].inputs[i].first, graph.values[graph.inputs[i]].dtype, {}};
      for (std::size_t d = 0; d < gears[0].inputs[i].second.size(); ++d) {
        int64_t lo = gears[0].inputs[i].second[d];
        int64_t hi = lo;
        for (const auto& g : gears) {
          lo = std::min(lo, g.inputs[i].second[d]);
          hi = std::max(hi, g.inputs[i].second[d]);
        }
        r.dims.push_back({lo, hi});
      }
      out.push_back(std::move(r));
    }
    return out;
  }
  for (auto id : graph.inputs) {
    const auto& v = graph.values[id];
    om::InputRange r{v.name, v.dtype, {}};
    if (const auto* in = config.findInput(v.name)) {
      for (const auto& d : in->dims)
        r.dims.push_back(d.kind == DimSpec::Kind::Fixed ? om::DimRange{d.value, d.value} : om::DimRange{d.lo, d.hi});
    } else {
      const auto values = *v.shape.values(); // validate() made sure it is static
      for (auto d : values)
        r.dims.push_back({d, d});
    }
    out.push_back(std::move(r));
  }
  return out;
}

} // namespace gs::shape_config
