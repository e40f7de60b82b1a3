// Test models for the .om tests, the seed generator and the fuzzer: gears of a small conv graph that
// share constants, an If with two subgraph bodies (one with its own constant), a node carrying every
// attribute kind, string tensors, omitted optional inputs, and a dynamic graph with symbolic dims.
// Plus a deep comparison of two om::Models. Plain C++ (no Qt) so non-Qt tools can use it.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "core/om/model.h"

namespace gs::om::fixture {

struct Options {
  int gears = 3;
  bool dynamic = true;
  int64_t channels = 8;
  bool copyWeightsPerGear = false; // identical bytes in separate buffers (dedup by content)
};

struct Weights {
  ir::Tensor w;    // conv weight [C, C, 3, 3]
  ir::Tensor b;    // conv bias [C]
  ir::Tensor big;  // a 1 KiB attribute tensor (stored as a weight, not inline)
  ir::Tensor cond; // If condition
};

inline Weights makeWeights(int64_t c) {
  Weights w;
  std::vector<float> wv(static_cast<std::size_t>(c * c * 9));
  for (std::size_t i = 0; i < wv.size(); ++i)
    wv[i] = static_cast<float>((i * 7919) % 1000) / 1000.0f - 0.5f;
  w.w = ir::Tensor::fromVector<float>(wv, {c, c, 3, 3});
  std::vector<float> bv(static_cast<std::size_t>(c));
  for (std::size_t i = 0; i < bv.size(); ++i)
    bv[i] = 0.25f * static_cast<float>(i);
  w.b = ir::Tensor::fromVector<float>(bv, {c});
  std::vector<int32_t> big(256);
  for (std::size_t i = 0; i < big.size(); ++i)
    big[i] = static_cast<int32_t>(i * i);
  w.big = ir::Tensor::fromVector<int32_t>(big, {16, 16});
  w.cond = ir::Tensor::scalar<bool>(true);
  return w;
}

inline ir::Tensor deepCopy(const ir::Tensor& t) {
  return ir::Tensor::fromBytes(t.dtype, t.dims, std::string(reinterpret_cast<const char*>(t.data()), t.byteSize()));
}

inline ir::Tensor stringTensor(std::vector<std::string> s) {
  ir::Tensor t;
  t.dtype = ir::DataType::String;
  t.dims = {static_cast<int64_t>(s.size())};
  t.strings = std::move(s);
  return t;
}

// A body reading the enclosing graph's value `outer` (shape given) and, optionally, a constant.
inline std::shared_ptr<ir::Graph> makeBody(const std::string& name, const ir::Shape& outerShape, const ir::Tensor* k) {
  auto g = std::make_shared<ir::Graph>();
  g->name = name;
  const auto r = g->addValue("r", ir::DataType::Float32, outerShape);
  g->values[r].outerScope = true;
  const auto out = g->addValue(name + "_out", ir::DataType::Float32, outerShape);
  if (k) {
    const auto kc = g->addConstant(name + "_k", *k);
    g->addNode(ir::Node{name + "_add", "Add", "", {r, kc}, {out}, {}});
  } else {
    g->addNode(ir::Node{name + "_id", "Identity", "", {r}, {out}, {}});
  }
  g->outputs.push_back(out);
  return g;
}

inline ir::Attributes allKinds(const Weights& w) {
  ir::Attributes a;
  a.set("alpha", ir::Attribute::ofFloat(0.125f));
  a.set("count", ir::Attribute::ofInt(-42));
  a.set("mode", ir::Attribute::ofString(std::string("na\0me\xff", 7)));
  a.set("small", ir::Attribute::ofTensor(ir::Tensor::fromVector<int64_t>({1, -2, 3}, {3})));
  a.set("big", ir::Attribute::ofTensor(w.big));
  a.set("body", ir::Attribute::ofGraph(makeBody("attr_body", ir::Shape::fromValues({2}), nullptr)));
  a.set("scales", ir::Attribute::ofFloats({1.5f, -0.0f, 3e30f}));
  a.set("axes", ir::Attribute::ofInts({0, -1, INT64_MAX}));
  ir::Attribute strs;
  strs.kind = ir::Attribute::Kind::Strings;
  strs.strings = {"a", "", "b\xc3\xa9"};
  a.set("names", strs);
  ir::Attribute ts;
  ts.kind = ir::Attribute::Kind::Tensors;
  ts.tensors = {ir::Tensor::scalar<double>(2.5), stringTensor({"x", "yz"}), w.big};
  a.set("tensors", ts);
  ir::Attribute gs;
  gs.kind = ir::Attribute::Kind::Graphs;
  gs.graphs = {makeBody("list_body", ir::Shape::fromValues({2}), &w.b), nullptr};
  a.set("bodies", gs);
  ir::Attribute nullGraph;
  nullGraph.kind = ir::Attribute::Kind::Graph;
  a.set("no_body", nullGraph);
  return a;
}

// x[B,C,8,8] -> Conv(w,b) -> Relu -> If(cond){r | r+b} -> Reshape(shape) -> AllKinds -> z.
// `batch` < 0 builds the dynamic graph (symbolic batch "N", one unknown dim, one unknown rank).
inline ir::Graph makeGraph(int64_t batch, int64_t c, const Weights& w, bool copyWeights) {
  ir::Graph g;
  g.name = batch < 0 ? "dynamic" : "gear_b" + std::to_string(batch);
  const ir::Dim bd = batch < 0 ? ir::Dim::symbolic("N") : ir::Dim::known(batch);
  const ir::Shape act({bd, ir::Dim::known(c), ir::Dim::known(8), ir::Dim::known(8)});
  const ir::Shape flat({bd, ir::Dim::known(c * 64)});
  const auto x = g.addValue("x", ir::DataType::Float32, act);
  g.inputs.push_back(x);
  const auto wv = g.addConstant("conv.w", copyWeights ? deepCopy(w.w) : w.w);
  const auto bv = g.addConstant("conv.b", copyWeights ? deepCopy(w.b) : w.b);
  const auto cond = g.addConstant("cond", w.cond);
  const auto shp = g.addConstant("shape", ir::Tensor::fromVector<int64_t>({batch < 0 ? 0 : batch, c * 64}, {2}));
  const auto labels = g.addConstant("labels", stringTensor({"cat", "dog", ""}));
  const auto cv = g.addValue("c", ir::DataType::Float32, act);
  const auto r = g.addValue("r", ir::DataType::Float32, act);
  const auto iv = g.addValue("i", ir::DataType::Float32, act);
  const auto y = g.addValue("y", ir::DataType::Float32, flat);
  const auto z = g.addValue("z", ir::DataType::Float32, batch < 0 ? ir::Shape({bd, ir::Dim::unknown()}) : flat);
  const auto extra = g.addValue("extra", ir::DataType::Int64,
                                batch < 0 ? ir::Shape::unknownRank() : ir::Shape(std::vector<ir::Dim>{}));
  ir::Attributes conv;
  conv.set("kernel_shape", ir::Attribute::ofInts({3, 3}));
  conv.set("pads", ir::Attribute::ofInts({1, 1, 1, 1}));
  conv.set("group", ir::Attribute::ofInt(1));
  conv.set("auto_pad", ir::Attribute::ofString("NOTSET"));
  g.addNode(ir::Node{"conv", "Conv", "", {x, wv, bv}, {cv}, conv});
  g.addNode(ir::Node{"relu", "Relu", "", {cv}, {r}, {}});
  ir::Attributes branches;
  branches.set("then_branch", ir::Attribute::ofGraph(makeBody("then", act, nullptr)));
  branches.set("else_branch", ir::Attribute::ofGraph(makeBody("else", act, &w.b)));
  g.addNode(ir::Node{"if", "If", "", {cond}, {iv}, branches});
  g.addNode(ir::Node{"reshape", "Reshape", "", {iv, shp}, {y}, {}});
  g.addNode(ir::Node{"all_kinds", "AllKinds", "gs.test", {y, ir::kNone, labels}, {z, ir::kNone, extra}, allKinds(w)});
  g.outputs.push_back(z);
  g.outputs.push_back(extra);
  return g;
}

inline GearPlan makeGear(int index, int64_t batch, int64_t c, const Weights& w, bool copyWeights) {
  GearPlan gear;
  gear.index = index;
  gear.graph = makeGraph(batch, c, w, copyWeights);
  gear.inputs = {TensorDesc{"x", ir::DataType::Float32, {batch, c, 8, 8}}};
  gear.outputs = {TensorDesc{"z", ir::DataType::Float32, {batch, c * 64}},
                  TensorDesc{"extra", ir::DataType::Int64, {}}};
  // A simple bump allocation: every static non-constant value gets its own 64-byte aligned slot.
  uint64_t end = 0, largest = 0;
  for (const auto& v : gear.graph.values) {
    const auto n = v.shape.numel();
    if (v.isConstant() || !n || ir::dtypeSize(v.dtype) == 0) {
      gear.offsets.push_back(-1);
      continue;
    }
    const uint64_t bytes = static_cast<uint64_t>(*n) * ir::dtypeSize(v.dtype);
    gear.offsets.push_back(static_cast<int64_t>(end));
    end = (end + bytes + 63) / 64 * 64;
    largest = std::max(largest, bytes);
  }
  gear.arenaBytes = end;
  gear.arenaLowerBoundBytes = 2 * largest;
  gear.flops = 2.0 * static_cast<double>(batch * c * c * 9 * 64);
  gear.compileMillis = 1.25 * (index + 1);
  PassStat fold{"constant_folding", 7, 5, 0.5, {{"folded", 2}}};
  PassStat fuse{"conv_relu_fusion", 5, 5, 0.25, {{"fused", 0}, {"visited", 5}}};
  gear.passes = {fold, fuse};
  return gear;
}

inline Model makeModel(const Options& o = {}) {
  const auto w = makeWeights(o.channels);
  Model m;
  m.meta.producer = "GearStudio";
  m.meta.producerVersion = "0.1.0";
  m.meta.sourcePath = "/models/tiny.onnx";
  m.meta.sourceSha256 = std::string(64, 'a');
  m.meta.atcCommand = "atc --model=tiny.onnx --framework=5 --output=tiny --soc_version=Ascend310 "
                      "--input_shape=\"x:-1,8,8,8\" --dynamic_batch_size=\"1,2,4\"";
  m.meta.socVersion = "Ascend310";
  m.meta.inputFormat = "NCHW";
  m.meta.strategy = Strategy::DynamicBatch;
  m.meta.opset = 17;
  m.meta.createdUtc = "2026-01-02T03:04:05Z";
  m.meta.compileMillis = 12.5;
  m.meta.extra = {{"note", "fixture"}, {"bytes", std::string("\x01\x02\xfe", 3)}};
  for (int i = 0; i < o.gears; ++i) {
    m.gears.push_back(makeGear(i, int64_t{1} << (i % 5), o.channels, w, o.copyWeightsPerGear));
    m.sharedArenaBytes = std::max(m.sharedArenaBytes, m.gears.back().arenaBytes);
  }
  if (o.dynamic) {
    DynamicModel d;
    d.graph = makeGraph(-1, o.channels, w, o.copyWeightsPerGear);
    d.ranges = {InputRange{"x", ir::DataType::Float32, {{1, 16}, {o.channels, o.channels}, {8, 8}, {8, -1}}}};
    m.dynamic = std::move(d);
  }
  return m;
}

// ---- deep comparison: an empty string means equal ----

inline bool sameBytes(const ir::Tensor& a, const ir::Tensor& b) {
  if (a.dtype != b.dtype || a.dims != b.dims || a.strings != b.strings) return false;
  if (a.dtype == ir::DataType::String || a.dtype == ir::DataType::Undefined) return true;
  const auto n = a.byteSize();
  return n == b.byteSize() && (n == 0 || std::memcmp(a.data(), b.data(), n) == 0);
}

inline std::string diffGraphs(const ir::Graph& a, const ir::Graph& b, const std::string& where);

inline std::string diffAttr(const ir::Attribute& a, const ir::Attribute& b, const std::string& where) {
  using K = ir::Attribute::Kind;
  if (a.kind != b.kind) return where + ": kind differs";
  switch (a.kind) {
  case K::Float:
    return std::memcmp(&a.f, &b.f, sizeof a.f) == 0 ? "" : where + ": float differs";
  case K::Int:
    return a.i == b.i ? "" : where + ": int differs";
  case K::String:
    return a.s == b.s ? "" : where + ": string differs";
  case K::Tensor:
    return sameBytes(a.t, b.t) ? "" : where + ": tensor differs";
  case K::Graph:
    if (!a.g || !b.g) return (!a.g && !b.g) ? "" : where + ": graph presence differs";
    return diffGraphs(*a.g, *b.g, where + "/");
  case K::Floats:
    return a.floats.size() == b.floats.size() &&
                   (a.floats.empty() || std::memcmp(a.floats.data(), b.floats.data(), a.floats.size() * 4) == 0)
               ? ""
               : where + ": floats differ";
  case K::Ints:
    return a.ints == b.ints ? "" : where + ": ints differ";
  case K::Strings:
    return a.strings == b.strings ? "" : where + ": strings differ";
  case K::Tensors:
    if (a.tensors.size() != b.tensors.size()) return where + ": tensor count differs";
    for (std::size_t i = 0; i < a.tensors.size(); ++i)
      if (!sameBytes(a.tensors[i], b.tensors[i])) return where + ": tensor " + std::to_string(i) + " differs";
    return "";
  case K::Graphs:
    if (a.graphs.size() != b.graphs.size()) return where + ": graph count differs";
    for (std::size_t i = 0; i < a.graphs.size(); ++i) {
      if (!a.graphs[i] || !b.graphs[i]) {
        if (a.graphs[i] || b.graphs[i]) return where + ": graph presence differs";
        continue;
      }
      if (auto d = diffGraphs(*a.graphs[i], *b.graphs[i], where + "/"); !d.empty()) return d;
    }
    return "";
  }
  return where + ": unknown kind";
}

inline std::string diffGraphs(const ir::Graph& a, const ir::Graph& b, const std::string& outer) {
  const std::string where = outer + a.name;
  if (a.name != b.name) return where + ": name differs";
  if (a.values.size() != b.values.size()) return where + ": value count differs";
  if (a.nodes.size() != b.nodes.size()) return where + ": node count differs";
  if (a.inputs != b.inputs || a.outputs != b.outputs) return where + ": graph inputs/outputs differ";
  for (std::size_t i = 0; i < a.values.size(); ++i) {
    const auto& va = a.values[i];
    const auto& vb = b.values[i];
    const std::string vw = where + " value " + va.name;
    if (va.name != vb.name || va.dtype != vb.dtype || !(va.shape == vb.shape) || va.producer != vb.producer ||
        va.outerScope != vb.outerScope || va.isConstant() != vb.isConstant())
      return vw + ": fields differ";
    if (va.constant && !sameBytes(*va.constant, *vb.constant)) return vw + ": constant differs";
  }
  for (std::size_t i = 0; i < a.nodes.size(); ++i) {
    const auto& na = a.nodes[i];
    const auto& nb = b.nodes[i];
    const std::string nw = where + " node " + na.name;
    if (na.name != nb.name || na.opType != nb.opType || na.domain != nb.domain || na.inputs != nb.inputs ||
        na.outputs != nb.outputs || na.attrs.size() != nb.attrs.size())
      return nw + ": fields differ";
    for (const auto& [name, attr] : na.attrs) {
      const auto* other = nb.attrs.find(name);
      if (!other) return nw + ": attribute " + name + " missing";
      if (auto d = diffAttr(attr, *other, nw + " attr " + name); !d.empty()) return d;
    }
  }
  return "";
}

inline std::string diffDescs(const std::vector<TensorDesc>& a, const std::vector<TensorDesc>& b) {
  if (a.size() != b.size()) return "count";
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i].name != b[i].name || a[i].dtype != b[i].dtype || a[i].dims != b[i].dims) return a[i].name;
  return "";
}

inline std::string diffModels(const Model& a, const Model& b) {
  const auto &ma = a.meta, &mb = b.meta;
  if (ma.producer != mb.producer || ma.producerVersion != mb.producerVersion || ma.sourcePath != mb.sourcePath ||
      ma.sourceSha256 != mb.sourceSha256 || ma.atcCommand != mb.atcCommand || ma.socVersion != mb.socVersion ||
      ma.inputFormat != mb.inputFormat || ma.strategy != mb.strategy || ma.opset != mb.opset ||
      ma.createdUtc != mb.createdUtc || ma.compileMillis != mb.compileMillis || ma.extra != mb.extra)
    return "metadata differs";
  if (a.sharedArenaBytes != b.sharedArenaBytes) return "shared arena differs";
  if (a.gears.size() != b.gears.size()) return "gear count differs";
  for (std::size_t i = 0; i < a.gears.size(); ++i) {
    const auto &ga = a.gears[i], &gb = b.gears[i];
    const std::string w = "gear " + std::to_string(i) + ": ";
    if (ga.index != gb.index) return w + "index";
    if (auto d = diffDescs(ga.inputs, gb.inputs); !d.empty()) return w + "inputs " + d;
    if (auto d = diffDescs(ga.outputs, gb.outputs); !d.empty()) return w + "outputs " + d;
    if (ga.offsets != gb.offsets) return w + "offsets";
    if (ga.arenaBytes != gb.arenaBytes || ga.arenaLowerBoundBytes != gb.arenaLowerBoundBytes || ga.flops != gb.flops ||
        ga.compileMillis != gb.compileMillis)
      return w + "numbers";
    if (ga.passes.size() != gb.passes.size()) return w + "pass count";
    for (std::size_t p = 0; p < ga.passes.size(); ++p) {
      const auto &pa = ga.passes[p], &pb = gb.passes[p];
      if (pa.pass != pb.pass || pa.nodesBefore != pb.nodesBefore || pa.nodesAfter != pb.nodesAfter ||
          pa.millis != pb.millis || pa.counters != pb.counters)
        return w + "pass " + pa.pass;
    }
    if (auto d = diffGraphs(ga.graph, gb.graph, w); !d.empty()) return d;
  }
  if (a.dynamic.has_value() != b.dynamic.has_value()) return "dynamic presence differs";
  if (a.dynamic) {
    const auto &ra = a.dynamic->ranges, &rb = b.dynamic->ranges;
    if (ra.size() != rb.size()) return "dynamic range count";
    for (std::size_t i = 0; i < ra.size(); ++i) {
      if (ra[i].name != rb[i].name || ra[i].dtype != rb[i].dtype || ra[i].dims.size() != rb[i].dims.size())
        return "dynamic range " + ra[i].name;
      for (std::size_t d = 0; d < ra[i].dims.size(); ++d)
        if (ra[i].dims[d].lo != rb[i].dims[d].lo || ra[i].dims[d].hi != rb[i].dims[d].hi)
          return "dynamic range " + ra[i].name;
    }
    if (auto d = diffGraphs(a.dynamic->graph, b.dynamic->graph, "dynamic: "); !d.empty()) return d;
  }
  return "";
}

} // namespace gs::om::fixture
