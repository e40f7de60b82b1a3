// See display_graph.h.
#include "ui/views/display_graph.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <set>
#include <tuple>

#include <QFontMetricsF>

#include "core/common/log.h"
#include "core/ops/registry.h"

namespace gs::ui {
namespace gst = graph_style;

// Names of an op's inputs for the constant rows, as the ONNX operator documents call them.
QString inputRole(const std::string& opType, std::size_t index) {
  static const std::unordered_map<std::string_view, std::vector<const char*>> roles = {
      {"Conv", {"X", "W", "B"}},
      {"ConvTranspose", {"X", "W", "B"}},
      {"Gemm", {"A", "B", "C"}},
      {"MatMul", {"A", "B"}},
      {"FusedConv", {"X", "W", "B", "Z"}}, // GearStudio's ops (core/ir/gs_ops.h)
      {"FusedConvTranspose", {"X", "W", "B"}},
      {"FusedGemm", {"A", "B", "C"}},
      {"FusedMatMul", {"A", "B"}},
      {"BatchNormalization", {"X", "scale", "B", "mean", "var"}},
      {"InstanceNormalization", {"input", "scale", "B"}},
      {"LayerNormalization", {"X", "scale", "B"}},
      {"GroupNormalization", {"X", "scale", "bias"}},
      {"Add", {"A", "B"}},
      {"Sub", {"A", "B"}},
      {"Mul", {"A", "B"}},
      {"Div", {"A", "B"}},
      {"Pow", {"X", "Y"}},
      {"PRelu", {"X", "slope"}},
      {"Clip", {"input", "min", "max"}},
      {"Reshape", {"data", "shape"}},
      {"Expand", {"input", "shape"}},
      {"Tile", {"input", "repeats"}},
      {"Squeeze", {"data", "axes"}},
      {"Unsqueeze", {"data", "axes"}},
      {"Resize", {"X", "roi", "scales", "sizes"}},
      {"Upsample", {"X", "scales"}},
      {"Slice", {"data", "starts", "ends", "axes", "steps"}},
      {"Pad", {"data", "pads", "value", "axes"}},
      {"Gather", {"data", "indices"}},
      {"GatherElements", {"data", "indices"}},
      {"Split", {"input", "split"}},
      {"Where", {"condition", "X", "Y"}},
      {"TopK", {"X", "K"}},
      {"Range", {"start", "limit", "delta"}},
      {"ReduceSum", {"data", "axes"}},
      {"ReduceMean", {"data", "axes"}},
      {"ReduceMax", {"data", "axes"}},
      {"ReduceMin", {"data", "axes"}},
      {"LSTM", {"X", "W", "R", "B", "seq_lens", "initial_h", "initial_c", "P"}},
      {"GRU", {"X", "W", "R", "B", "seq_lens", "initial_h"}},
      {"RNN", {"X", "W", "R", "B", "seq_lens", "initial_h"}},
      {"Einsum", {"in0", "in1", "in2", "in3"}},
  };
  const auto it = roles.find(opType);
  if (it != roles.end() && index < it->second.size()) return QString::fromLatin1(it->second[index]);
  return QStringLiteral("in%1").arg(index);
}

namespace {

QString elide(QString s) {
  if (s.size() > gst::kMaxValueChars) s = s.left(gst::kMaxValueChars - 1) + QChar(0x2026);
  return s;
}

QString joinInts(const std::vector<int64_t>& v, const QString& sep) {
  QString s;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i) s += sep;
    s += QString::number(v[i]);
  }
  return s;
}

QString number(double v) { return QString::number(v, 'g', 4); }

bool allEqual(const std::vector<int64_t>& v, int64_t x) {
  return std::all_of(v.begin(), v.end(), [x](int64_t e) { return e == x; });
}

// Attributes at their usual defaults say nothing in a box (the properties panel lists them all).
bool isTrivial(const std::string& name, const ir::Attribute& a) {
  using K = ir::Attribute::Kind;
  if (a.kind == K::Ints && (name == "dilations" || name == "strides")) return allEqual(a.ints, 1);
  if (a.kind == K::Ints && name == "pads") return allEqual(a.ints, 0);
  if (a.kind == K::Int && name == "group") return a.i == 1;
  if (a.kind == K::String && name == "auto_pad") return a.s == "NOTSET";
  return false;
}

QString attributeKey(const std::string& name) {
  if (name == "kernel_shape") return QStringLiteral("kernel");
  if (name == "activation_params") return QStringLiteral("act. params");
  return QString::fromStdString(name);
}

QString attributeValue(const std::string& name, const ir::Attribute& a) {
  using K = ir::Attribute::Kind;
  const QString times(QChar(0x00d7));
  switch (a.kind) {
  case K::Int:
    return QString::number(a.i);
  case K::Float:
    return number(a.f);
  case K::String:
    return QString::fromStdString(a.s);
  case K::Ints:
    if (name == "kernel_shape" || name == "strides" || name == "dilations") return joinInts(a.ints, times);
    return joinInts(a.ints, QStringLiteral(", "));
  case K::Floats: {
    QString s;
    for (std::size_t i = 0; i < a.floats.size(); ++i)
      s += (i ? QStringLiteral(", ") : QString()) + number(a.floats[i]);
    return s;
  }
  case K::Strings: {
    QStringList parts;
    for (const auto& e : a.strings)
      parts << QString::fromStdString(e);
    return parts.join(QStringLiteral(", "));
  }
  case K::Tensor:
    return tensorSummary(a.t);
  case K::Graph:
    return QStringLiteral("graph (%1 nodes)").arg(a.g ? a.g->nodes.size() : 0);
  case K::Tensors:
    return QStringLiteral("%1 tensors").arg(a.tensors.size());
  case K::Graphs:
    return QStringLiteral("%1 graphs").arg(a.graphs.size());
  }
  return {};
}

void sizeOpNode(DisplayNode& n, const TextMetrics& m) {
  double w = m.width(TextMetrics::Font::Title, n.title) + 2 * gst::kPadX;
  for (const auto& r : n.rows)
    w = std::max(w, m.width(TextMetrics::Font::Row, r.key) + gst::kRowGap + m.width(TextMetrics::Font::Row, r.value) +
                        2 * gst::kPadX);
  n.width = std::ceil(std::max(w, gst::kMinOpWidth));
  n.height = gst::kTitleHeight;
  if (!n.rows.empty()) n.height += static_cast<double>(n.rows.size()) * gst::kRowHeight + 2 * gst::kRowsPadY;
}

DisplayNode makeOpNode(const ir::Graph& g, ir::NodeId id, const TextMetrics& m) {
  const ir::Node& node = g.nodes[static_cast<std::size_t>(id)];
  DisplayNode n;
  n.kind = DisplayNode::Kind::Op;
  n.irIndex = id;
  n.title = QString::fromStdString(node.opType);
  n.name = nodeDisplayName(g, id);
  n.category = gst::categoryOf(node.opType);
  for (const auto& [name, attr] : node.attrs)
    n.hasBody = n.hasBody || (attr.kind == ir::Attribute::Kind::Graph && attr.g);
  for (std::size_t i = 0; i < node.inputs.size(); ++i) {
    const ir::ValueId v = node.inputs[i];
    if (v == ir::kNone || !g.values[static_cast<std::size_t>(v)].isConstant()) continue;
    n.rows.push_back(
        {inputRole(node.opType, i), elide(tensorSummary(*g.values[static_cast<std::size_t>(v)].constant))});
  }
  for (const auto& [name, attr] : node.attrs) {
    if (isTrivial(name, attr)) continue;
    n.rows.push_back({attributeKey(name), elide(attributeValue(name, attr))});
  }
  if (static_cast<int>(n.rows.size()) > gst::kMaxRows) {
    const auto hidden = n.rows.size() - static_cast<std::size_t>(gst::kMaxRows - 1);
    n.rows.resize(static_cast<std::size_t>(gst::kMaxRows - 1));
    n.rows.push_back({QString(QChar(0x2026)), QStringLiteral("%1 more").arg(hidden)});
  }
  sizeOpNode(n, m);
  return n;
}

DisplayNode makeGroupNode(const ScopeGroup& group, const TextMetrics& m) {
  DisplayNode n;
  n.kind = DisplayNode::Kind::Group;
  n.name = QString::fromStdString(group.path);
  n.scope = n.name;
  n.title = QString::fromStdString(scopeLeaf(group.path)) + QStringLiteral(" \u25b8");
  n.members = group.members;
  n.rows.push_back({QStringLiteral("scope"), elide(n.name)});
  n.rows.push_back({QStringLiteral("nodes"), QString::number(group.members)});
  for (const auto& [op, count] : group.commonestOps)
    n.rows.push_back({QString::fromStdString(op), QStringLiteral("\u00d7%1").arg(count)});
  sizeOpNode(n, m);
  return n;
}

DisplayNode makeIoNode(const ir::Graph& g, ir::ValueId v, DisplayNode::Kind kind, const TextMetrics& m) {
  DisplayNode n;
  n.kind = kind;
  n.irIndex = v;
  n.title = QString::fromStdString(g.values[static_cast<std::size_t>(v)].name);
  n.name = n.title;
  n.width = std::ceil(m.width(TextMetrics::Font::Row, n.title) + 2 * gst::kIoPadX);
  n.height = gst::kIoHeight;
  return n;
}

// Outlines around the open scopes: the bounding box of what is shown inside each, padded more for
// outer scopes so nested outlines do not share edges.
void addOutlines(DisplayGraph& dg, const std::vector<std::string>& outlined) {
  if (outlined.empty()) return;
  std::unordered_map<std::string, std::size_t> index;
  for (const auto& path : outlined) {
    index.emplace(path, dg.outlines.size());
    ScopeOutline o;
    o.path = QString::fromStdString(path);
    o.depth = static_cast<int>(std::count(path.begin(), path.end(), '/'));
    o.left = o.top = 1e300;
    o.right = o.bottom = -1e300;
    dg.outlines.push_back(o);
  }
  for (const auto& n : dg.nodes) {
    if (n.scope.isEmpty()) continue;
    // An op lies in its scope and the enclosing ones; a group in the scopes enclosing its own.
    const std::string scope = n.scope.toStdString();
    for (const auto& p : scopeChain(n.kind == DisplayNode::Kind::Group ? scopeOf(scope) : scope)) {
      const auto it = index.find(p);
      if (it == index.end()) continue;
      ScopeOutline& o = dg.outlines[it->second];
      o.left = std::min(o.left, n.x - n.width / 2);
      o.right = std::max(o.right, n.x + n.width / 2);
      o.top = std::min(o.top, n.y - n.height / 2);
      o.bottom = std::max(o.bottom, n.y + n.height / 2);
    }
  }
  int maxDepth = 0;
  for (const auto& o : dg.outlines)
    maxDepth = std::max(maxDepth, o.depth);
  for (auto& o : dg.outlines) {
    const double pad = 6.0 + 6.0 * (maxDepth - o.depth);
    o.left -= pad;
    o.right += pad;
    o.top -= pad + gst::kTitleHeight; // room for the path above the first row
    o.bottom += pad;
  }
  std::erase_if(dg.outlines, [](const ScopeOutline& o) { return o.right < o.left; });
}

} // namespace

TextMetrics TextMetrics::measure() {
  TextMetrics t;
  const std::array<QFont, 3> fonts{gst::titleFont(), gst::rowFont(), gst::labelFont()};
  // Characters outside the table that node rows and labels use.
  const char16_t extras[] = {0x00d7, 0x2026, 0x27e8, 0x27e9, 0x2192, 0x00b7, 0x2212};
  for (std::size_t f = 0; f < fonts.size(); ++f) {
    const QFontMetricsF fm(fonts[f]);
    t.m_widths[f].resize(kTableSize);
    for (int c = 0; c < kTableSize; ++c)
      t.m_widths[f][static_cast<std::size_t>(c)] = static_cast<float>(c < 32 ? 0.0 : fm.horizontalAdvance(QChar(c)));
    for (char16_t c : extras)
      t.m_extra[f][c] = static_cast<float>(fm.horizontalAdvance(QChar(c)));
    t.m_fallback[f] = static_cast<float>(fm.horizontalAdvance(QChar('M')));
  }
  return t;
}

double TextMetrics::width(Font font, const QString& text) const {
  const auto f = static_cast<std::size_t>(font);
  if (m_widths[f].empty()) return 7.0 * static_cast<double>(text.size()); // not measured: a rough guess
  double w = 0;
  for (QChar ch : text) {
    const char16_t c = ch.unicode();
    if (c < kTableSize) {
      w += m_widths[f][c];
    } else {
      const auto it = m_extra[f].find(c);
      w += it != m_extra[f].end() ? it->second : m_fallback[f];
    }
  }
  return w;
}

QString nodeDisplayName(const ir::Graph& graph, ir::NodeId node) {
  const ir::Node& n = graph.nodes[static_cast<std::size_t>(node)];
  if (!n.name.empty()) return QString::fromStdString(n.name);
  return QStringLiteral("%1#%2").arg(QString::fromStdString(n.opType)).arg(node);
}

QString shapeLabel(const std::string& shape) {
  QString s = QString::fromStdString(shape);
  if (s.size() >= 2 && s.front() == '[' && s.back() == ']') {
    s = s.mid(1, s.size() - 2);
    s.replace(QChar(','), QChar(0x00d7));
    if (s.isEmpty()) s = QStringLiteral("scalar");
  }
  return s;
}

QString shortDimLabel(const ir::Dim& dim) {
  constexpr std::size_t kShortSymbol = 6;
  if (dim.isKnown()) return QString::number(dim.value);
  if (dim.symbol.empty() || dim.symbol.size() > kShortSymbol) return QStringLiteral("?");
  return QString::fromStdString(dim.symbol);
}

QString shortShapeLabel(const ir::Shape& shape) {
  if (!shape.rankKnown) return QStringLiteral("?");
  if (shape.dims.empty()) return QStringLiteral("scalar");
  QStringList dims;
  for (const auto& d : shape.dims)
    dims << shortDimLabel(d);
  return dims.join(QChar(0x00d7));
}

QString compactShapeLabel(const QString& label) {
  constexpr int kLongSymbol = 10;
  const QChar times(0x00d7);
  QStringList dims = label.split(times);
  for (QString& d : dims) {
    if (d.size() <= kLongSymbol) continue;
    const QStringList parts = d.split(QChar('.'));
    const QString last = parts.back();
    bool numeric = !last.isEmpty();
    for (QChar c : last)
      numeric = numeric && c.isDigit();
    if (numeric && parts.size() > 1) {
      // "<prefix>.DynamicDimension.0": the capitals of the last word, then the number.
      QString caps;
      for (QChar c : parts[parts.size() - 2])
        if (c.isUpper()) caps += c;
      d = (caps.isEmpty() ? parts[parts.size() - 2].left(1) : caps) + last;
    } else if (last.size() <= kLongSymbol && parts.size() > 1) {
      d = last;
    } else {
      d = last.left(kLongSymbol - 3) + QChar(0x2026);
    }
  }
  return dims.join(times);
}

QString tensorSummary(const ir::Tensor& t) {
  const int64_t n = t.numel();
  const bool numeric = t.dtype != ir::DataType::String && t.dtype != ir::DataType::Float16 &&
                       t.dtype != ir::DataType::BFloat16 && t.dtype != ir::DataType::Complex64 &&
                       t.dtype != ir::DataType::Complex128 && t.dtype != ir::DataType::Undefined;
  if (numeric && t.data() && n >= 1 && n <= 6) {
    const auto values = t.toVector<double>();
    QString s;
    for (std::size_t i = 0; i < values.size(); ++i)
      s += (i ? QStringLiteral(", ") : QString()) + number(values[i]);
    return t.dims.empty() ? s : QStringLiteral("[") + s + QStringLiteral("]");
  }
  return QChar(0x27e8) + joinInts(t.dims, QString(QChar(0x00d7))) + QChar(0x27e9);
}

Expected<std::shared_ptr<DisplayGraph>> buildDisplayGraph(std::shared_ptr<const ir::Graph> graph,
                                                          const TextMetrics& metrics, const DisplayOptions& options,
                                                          const CancelToken* cancel) {
  const auto t0 = std::chrono::steady_clock::now();
  if (!graph) return makeError(codes::kInvalid, "graph view: no graph");
  auto dg = std::make_shared<DisplayGraph>();
  if (options.inferOpset > 0) {
    auto copy = std::make_shared<ir::Graph>(*graph);
    ops::GraphInferOptions io;
    io.allowUnknownOps = true;
    if (auto st = ops::inferGraph(*copy, options.inferOpset, io); !st)
      log::get("ui")->warn("graph view: shapes are partly unknown: {}", st.error().str());
    graph = std::move(copy);
  }
  dg->graph = graph;
  const ir::Graph& g = *graph;
  auto isCancelled = [cancel] { return cancel && cancel->cancelled(); };

  std::vector<int> source(g.values.size(), -1); // display node that yields each value
  for (ir::ValueId v : g.inputs) {
    source[static_cast<std::size_t>(v)] = static_cast<int>(dg->nodes.size());
    dg->nodes.push_back(makeIoNode(g, v, DisplayNode::Kind::Input, metrics));
  }
  // Collapsed name scopes become one box each, placed where their first node would be.
  const ScopeAssignment scopes = assignScopes(g, options.scopes);
  dg->scopeOptions = options.scopes;
  std::vector<int> groupNode(scopes.groups.size(), -1);
  dg->displayOfIr.assign(g.nodes.size(), -1);
  for (std::size_t i = 0; i < g.nodes.size(); ++i) {
    if ((i & 1023) == 0 && isCancelled()) return makeError(codes::kCancelled, "graph layout cancelled");
    int at = static_cast<int>(dg->nodes.size());
    if (const int grp = scopes.groupOf[i]; grp >= 0) {
      auto& node = groupNode[static_cast<std::size_t>(grp)];
      if (node < 0) {
        node = at;
        dg->nodes.push_back(makeGroupNode(scopes.groups[static_cast<std::size_t>(grp)], metrics));
      }
      at = node;
    } else {
      dg->nodes.push_back(makeOpNode(g, static_cast<ir::NodeId>(i), metrics));
      dg->nodes.back().scope = QString::fromStdString(scopeOf(g.nodes[i].name));
    }
    dg->displayOfIr[i] = at;
    for (ir::ValueId v : g.nodes[i].outputs)
      if (v != ir::kNone) source[static_cast<std::size_t>(v)] = at;
  }
  std::set<std::tuple<int, int, ir::ValueId>> seen;
  std::set<std::pair<int, int>> seenGroupEdges; // one edge between a group and a neighbour, whatever the values
  auto isGroup = [&dg](int n) { return dg->nodes[static_cast<std::size_t>(n)].kind == DisplayNode::Kind::Group; };
  auto addEdge = [&](int from, int to, ir::ValueId v) {
    if (from < 0 || from == to) return; // inside a collapsed scope
    if ((isGroup(from) || isGroup(to)) && !seenGroupEdges.insert({from, to}).second) return;
    if (seen.insert({from, to, v}).second) dg->edges.push_back({from, to, v, {}});
  };
  for (std::size_t i = 0; i < g.nodes.size(); ++i)
    for (ir::ValueId v : g.nodes[i].inputs) {
      if (v == ir::kNone) continue;
      const ir::Value& value = g.values[static_cast<std::size_t>(v)];
      if (value.isConstant()) continue;
      if (source[static_cast<std::size_t>(v)] < 0 && value.outerScope) {
        // A body reading a value of its enclosing graph: a pill like a graph input, so the edge shows.
        source[static_cast<std::size_t>(v)] = static_cast<int>(dg->nodes.size());
        dg->nodes.push_back(makeIoNode(g, v, DisplayNode::Kind::Input, metrics));
        dg->nodes.back().outerScope = true;
      }
      addEdge(source[static_cast<std::size_t>(v)], dg->displayOfIr[i], v);
    }
  for (ir::ValueId v : g.outputs) {
    const int out = static_cast<int>(dg->nodes.size());
    dg->nodes.push_back(makeIoNode(g, v, DisplayNode::Kind::Output, metrics));
    addEdge(source[static_cast<std::size_t>(v)], out, v);
  }

  layout::LayoutGraph lg;
  lg.widths.reserve(dg->nodes.size());
  lg.heights.reserve(dg->nodes.size());
  for (const auto& n : dg->nodes)
    lg.addNode(n.width, n.height);
  lg.edges.reserve(dg->edges.size());
  for (const auto& e : dg->edges)
    lg.edges.push_back({e.from, e.to});
  GS_ASSIGN_OR_RETURN(layout::LayoutResult laid, layout::computeLayout(lg, options.layout, cancel));
  for (std::size_t i = 0; i < dg->nodes.size(); ++i) {
    dg->nodes[i].x = laid.centers[i].x;
    dg->nodes[i].y = laid.centers[i].y;
    dg->nodes[i].rank = laid.ranks[i];
  }
  for (std::size_t i = 0; i < dg->edges.size(); ++i)
    dg->edges[i].route = std::move(laid.edgeRoutes[i]);
  dg->width = laid.width;
  dg->height = laid.height;
  addOutlines(*dg, scopes.outlined);
  dg->stats = laid.stats;
  dg->millis = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  return dg;
}

} // namespace gs::ui
