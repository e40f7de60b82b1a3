// What the graph view shows, built off the GUI thread: one box per op (with its constant inputs and key
// attributes as rows), a pill per graph input and output, edges per value, all sized with precomputed
// font metrics and laid out by graph_layout. Immutable once built; the scene items point into it.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <QString>

#include "core/common/progress.h"
#include "core/common/status.h"
#include "core/ir/graph.h"
#include "ui/views/graph_layout.h"
#include "ui/views/graph_scopes.h"
#include "ui/views/graph_style.h"

namespace gs::ui {

// Text widths in the graph fonts, measured once on the GUI thread (needs a QGuiApplication) so that
// workers can size boxes without the font system. Kerning is off in those fonts, so per-character
// advances add up to the painted width.
class TextMetrics {
public:
  enum class Font { Title = 0, Row = 1, Label = 2 };
  static TextMetrics measure();
  double width(Font font, const QString& text) const;

private:
  static constexpr int kTableSize = 0x250; // Latin ranges; other characters are looked up in m_extra
  std::array<std::vector<float>, 3> m_widths;
  std::array<std::unordered_map<char16_t, float>, 3> m_extra;
  std::array<float, 3> m_fallback{};
};

struct DisplayRow {
  QString key;   // "W", "kernel"
  QString value; // "⟨64×3×3×3⟩", "3×3"
};

struct DisplayNode {
  // Group: a collapsed name scope standing for the op nodes inside it (see graph_scopes.h).
  enum class Kind { Op, Input, Output, Group };
  Kind kind = Kind::Op;
  int32_t irIndex = -1; // node index (Op) or value id (Input, Output); -1 for a Group
  QString title;        // op type, the value's name, or the last part of a group's scope
  QString name;         // what selection and find use: nodeDisplayName(), the value's name, a group's scope
  QString scope;        // an op's name scope ("/backbone/stage1"); a group's own scope
  int members = 0;      // op nodes inside a Group
  graph_style::Category category = graph_style::Category::Other;
  std::vector<DisplayRow> rows;
  double width = 0;
  double height = 0;
  double x = 0; // centre, after layout
  double y = 0;
  int rank = 0;            // layer, from the top
  bool outerScope = false; // an Input pill for a value a subgraph body reads from its enclosing graph
  bool hasBody = false;    // an op with a graph attribute (If, Loop, Scan): its body can be opened
};

struct DisplayEdge {
  int from = 0; // display node indices
  int to = 0;
  ir::ValueId value = ir::kNone;
  std::vector<layout::Point> route;
};

// The outline of an open name scope around what is shown inside it.
struct ScopeOutline {
  QString path;
  int depth = 0; // 1 for a top scope
  double left = 0, top = 0, right = 0, bottom = 0;
};

struct DisplayGraph {
  std::shared_ptr<const ir::Graph> graph; // what is shown (a copy with inferred shapes when asked)
  std::vector<DisplayNode> nodes;
  std::vector<DisplayEdge> edges;
  std::vector<ScopeOutline> outlines; // outermost first
  std::vector<int> displayOfIr;       // per IR node: its display node, or the Group that holds it
  ScopeOptions scopeOptions;          // what this picture was built with
  double width = 0;
  double height = 0;
  layout::LayoutStats stats;
  double millis = 0; // shape inference + building + layout
};

struct DisplayOptions {
  // > 0: infer dtypes and shapes (ops::inferGraph with this ONNX opset) on a copy first, so that edges
  // carry the model's symbolic shapes even when the file had no value_info.
  int64_t inferOpset = 0;
  layout::LayoutOptions layout;
  ScopeOptions scopes;
};

// The name an op node goes by in the view: its ONNX name, or "<OpType>#<index>" when it has none.
QString nodeDisplayName(const ir::Graph& graph, ir::NodeId node);
// "[1,3,N,W]" -> "1×3×N×W"; other spellings are returned as they are.
QString shapeLabel(const std::string& shape);
// The name ONNX's operator documents give an op's input ("W" of Conv), or "in<i>".
QString inputRole(const std::string& opType, std::size_t index);
// For tight spots (status bar, inputs table): a dim as its number, its symbol when short ("N", "batch"),
// else "?" (generated names such as "p2o.DynamicDimension.0" say nothing and take the room).
QString shortDimLabel(const ir::Dim& dim);
// The shape with shortDimLabel() dims: "?×3×48×192"; "?" when even the rank is unknown, "scalar" for rank 0.
QString shortShapeLabel(const ir::Shape& shape);
// For edge labels: dims spelled as long symbols are shortened ("p2o.DynamicDimension.0" -> "DD0",
// "very_long_symbol_name" -> "very_lo…"); short ones and numbers are kept.
QString compactShapeLabel(const QString& label);
// A short summary of a constant for a node row: its values when tiny, else ⟨dims⟩.
QString tensorSummary(const ir::Tensor& t);

Expected<std::shared_ptr<DisplayGraph>> buildDisplayGraph(std::shared_ptr<const ir::Graph> graph,
                                                          const TextMetrics& metrics,
                                                          const DisplayOptions& options = {},
                                                          const CancelToken* cancel = nullptr);

} // namespace gs::ui
