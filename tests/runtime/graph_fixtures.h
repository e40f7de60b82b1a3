// Small graphs and hand-planned om::Models for the runtime tests (no compiler involved, so the
// runtime is tested on its own; the session tests cover the compiler + runtime path).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/ir/graph.h"
#include "core/om/model.h"

namespace gs::test {

inline ir::Shape shapeOf(const std::vector<int64_t>& dims) { return ir::Shape::fromValues(dims); }

inline ir::ValueId addNode(ir::Graph& g, const std::string& op, std::vector<ir::ValueId> inputs,
                           std::vector<ir::ValueId> outputs, ir::Attributes attrs = {}) {
  ir::Node n;
  n.name = op + "_" + std::to_string(g.nodes.size());
  n.opType = op;
  n.inputs = std::move(inputs);
  n.outputs = std::move(outputs);
  n.attrs = std::move(attrs);
  g.addNode(std::move(n));
  return g.nodes.back().outputs.empty() ? ir::kNone : g.nodes.back().outputs.front();
}

// A memory plan without reuse: every non-constant value with a static shape gets its own 64-byte
// aligned slot; everything else -1.
inline om::GearPlan planGear(ir::Graph g, int index) {
  om::GearPlan p;
  p.index = index;
  uint64_t off = 0;
  for (const auto& v : g.values) {
    const bool storable = !v.isConstant() && !v.outerScope && v.shape.isStatic() && ir::dtypeSize(v.dtype) > 0;
    if (!storable) {
      p.offsets.push_back(-1);
      continue;
    }
    p.offsets.push_back(static_cast<int64_t>(off));
    const auto bytes = static_cast<uint64_t>(*v.shape.numel()) * ir::dtypeSize(v.dtype);
    off += (bytes + 63) / 64 * 64;
  }
  p.arenaBytes = off;
  for (auto id : g.inputs) {
    const auto& v = g.values[static_cast<std::size_t>(id)];
    p.inputs.push_back(om::TensorDesc{v.name, v.dtype, v.shape.values().value_or(std::vector<int64_t>{})});
  }
  for (auto id : g.outputs) {
    const auto& v = g.values[static_cast<std::size_t>(id)];
    p.outputs.push_back(om::TensorDesc{v.name, v.dtype, v.shape.values().value_or(std::vector<int64_t>{})});
  }
  p.graph = std::move(g);
  return p;
}

inline std::shared_ptr<om::Model> modelOf(std::vector<om::GearPlan> gears) {
  auto m = std::make_shared<om::Model>();
  m->meta.opset = 17;
  m->meta.strategy = gears.size() > 1 ? Strategy::DynamicBatch : Strategy::Static;
  for (auto& g : gears)
    m->sharedArenaBytes = std::max(m->sharedArenaBytes, g.arenaBytes);
  m->gears = std::move(gears);
  return m;
}

} // namespace gs::test
