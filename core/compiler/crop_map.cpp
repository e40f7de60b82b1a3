// The crop map of a gear (see crop_map.h): runs the dim-flow analysis (crop_analysis.h; one rule per
// op family, anything else a padded dim reaches is unsafe) and reads each output's crop rule.
#include "core/compiler/crop_map.h"

#include <algorithm>

#include "core/compiler/crop_analysis.h"
#include "core/ops/registry.h"

namespace gs::compiler {

using crop_detail::Analysis;
using crop_detail::Tag;
using crop_detail::ValueInfo;

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
