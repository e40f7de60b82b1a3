// The dim-flow analysis behind cropMap (crop_map.h), shared by its two source files: crop_analysis.cpp
// (the walk, broadcasting and the element-wise families) and crop_rules.cpp (windows, reductions,
// MatMul, reshapes, Resize). Internal to the compiler.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/common/status.h"
#include "core/ir/graph.h"
#include "core/om/model.h"

namespace gs::compiler::crop_detail {

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

// Tag arithmetic: reduce a x + b over s by their common divisor; a window (size = floor((in + c) /
// stride) + 1) or a scale (floor(in * p / q)) applied to a tag; whether any dim of a value follows a
// padded input dim.
Tag normalised(Tag t);
Tag throughWindow(Tag t, int64_t c, int64_t stride);
std::optional<Tag> throughScale(Tag t, int64_t p, int64_t q);
bool tagged(const ValueInfo& v);

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
                                            std::string& why);

  Status run(const std::vector<ir::NodeId>& order);
  void visit(const ir::Node& n);

  // The op-family rules (crop_rules.cpp).
  void window(const ir::Node& n, const std::vector<Tag>& in, const std::string& inherited);
  void reduce(const ir::Node& n, const std::vector<Tag>& in, const std::string& inherited);
  void matmul(const ir::Node& n, const std::string& inherited);
  // Squeeze / Unsqueeze / Reshape / Flatten: pair input and output dims by equal running products; a
  // padded dim passes when its group is that dim alone (plus dims of 1) on both sides.
  void reshapeLike(const ir::Node& n, const std::vector<Tag>& in, const std::string& inherited);
  void resize(const ir::Node& n, const std::vector<Tag>& in, const std::string& inherited);

private:
  ir::Graph& m_g;
  std::string m_edge; // the edge note of the node being visited (inherited or set by it)
  int64_t m_opset;
  std::vector<std::optional<ir::Tensor>>& m_known;
  std::vector<ValueInfo> m_info;
};

} // namespace gs::compiler::crop_detail
