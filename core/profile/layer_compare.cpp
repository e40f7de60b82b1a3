// Output and per-layer comparison of two builds run on the same inputs.
#include "core/profile/layer_compare.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <unordered_map>

#include "core/ir/layout.h"

namespace gs::profile {
namespace {

bool permIs(const ir::Node& n, const int64_t (&perm)[4]) {
  const auto* a = n.attrs.find("perm");
  if (!a || a->ints.size() != 4) return false;
  for (std::size_t i = 0; i < 4; ++i)
    if (a->ints[i] != perm[i]) return false;
  return true;
}

// A channels-last [N, H, W, C] view copied into NCHW order (any element size).
runtime::HostTensor nhwcToNchwCopy(const runtime::TensorRef& t) {
  const auto& d = t.dims; // N, H, W, C
  runtime::HostTensor out(t.dtype, ir::nhwcToNchw(std::span<const int64_t>(d)));
  const std::size_t es = ir::dtypeSize(t.dtype);
  const int64_t n = d[0], h = d[1], w = d[2], c = d[3];
  const auto* src = static_cast<const std::byte*>(t.data);
  auto* dst = static_cast<std::byte*>(out.data());
  for (int64_t in = 0; in < n; ++in)
    for (int64_t ih = 0; ih < h; ++ih)
      for (int64_t iw = 0; iw < w; ++iw)
        for (int64_t ic = 0; ic < c; ++ic) {
          const auto s = static_cast<std::size_t>(((in * h + ih) * w + iw) * c + ic);
          const auto o = static_cast<std::size_t>(((in * c + ic) * h + ih) * w + iw);
          std::memcpy(dst + o * es, src + s * es, es);
        }
  return out;
}

runtime::HostTensor copyOf(const runtime::TensorRef& t) {
  runtime::HostTensor out(t.dtype, t.dims);
  if (t.byteSize() && t.data) std::memcpy(out.data(), t.data, t.byteSize());
  return out;
}

bool numeric(ir::DataType t) { return t != ir::DataType::String && t != ir::DataType::Undefined && ir::dtypeSize(t); }

struct Captured {
  runtime::HostTensor tensor; // logical (NCHW) copy
  bool channelsLast = false;
};

runtime::RunOptions runOptions(int gear, const runtime::NodeObserver* observer) {
  runtime::RunOptions o;
  o.gear = gear;
  o.observer = observer;
  return o;
}

// For each candidate output, the reference output it compares with: by name when any name matches,
// else by position.
std::vector<std::optional<std::size_t>> matchOutputs(const std::vector<std::string>& refNames,
                                                     const std::vector<std::string>& candNames) {
  bool anyNameMatches = false;
  for (const auto& c : candNames)
    anyNameMatches = anyNameMatches || std::find(refNames.begin(), refNames.end(), c) != refNames.end();
  std::vector<std::optional<std::size_t>> out;
  for (std::size_t i = 0; i < candNames.size(); ++i) {
    if (anyNameMatches) {
      const auto it = std::find(refNames.begin(), refNames.end(), candNames[i]);
      out.push_back(it == refNames.end() ? std::nullopt
                                         : std::optional<std::size_t>(static_cast<std::size_t>(it - refNames.begin())));
    } else {
      out.push_back(i < refNames.size() ? std::optional<std::size_t>(i) : std::nullopt);
    }
  }
  return out;
}

std::vector<std::string> outputNames(const runtime::Session& s, int gear, std::size_t count) {
  const auto descs = s.outputDescs(gear);
  std::vector<std::string> names;
  for (std::size_t i = 0; i < count; ++i)
    names.push_back(i < descs.size() ? descs[i].name : "output_" + std::to_string(i));
  return names;
}

std::vector<TensorAccuracy> compareOutputTensors(const runtime::Session& reference, int referenceGear,
                                                 const runtime::RunResult& ref, const runtime::Session& candidate,
                                                 int candidateGear, const runtime::RunResult& cand) {
  const auto refDescs = reference.outputDescs(referenceGear);
  const auto candDescs = candidate.outputDescs(candidateGear);
  auto nameOf = [](const std::vector<om::TensorDesc>& d, std::size_t i) {
    return i < d.size() ? d[i].name : "output_" + std::to_string(i);
  };
  bool anyNameMatches = false;
  for (std::size_t i = 0; i < cand.outputs.size(); ++i)
    for (std::size_t j = 0; j < ref.outputs.size(); ++j)
      anyNameMatches = anyNameMatches || nameOf(candDescs, i) == nameOf(refDescs, j);
  std::vector<TensorAccuracy> out;
  for (std::size_t i = 0; i < cand.outputs.size(); ++i) {
    const auto name = nameOf(candDescs, i);
    std::optional<std::size_t> j;
    if (anyNameMatches) {
      for (std::size_t k = 0; k < ref.outputs.size() && !j; ++k)
        if (nameOf(refDescs, k) == name) j = k;
    } else if (i < ref.outputs.size()) {
      j = i;
    }
    if (!j) {
      TensorAccuracy a;
      a.name = name;
      a.candidateType = cand.outputs[i].dtype();
      a.dims = cand.outputs[i].dims();
      a.skipped = "the reference has no output of this name";
      out.push_back(std::move(a));
      continue;
    }
    out.push_back(compareTensors(name, ref.outputs[*j].ref(), cand.outputs[i].ref()));
  }
  return out;
}

} // namespace

std::vector<std::string> perLayerDisabledPasses() {
  return {"fold-conv-batchnorm", "fold-conv-affine", "fold-affine-into-conv", "fuse-qdq",   "fuse-conv-add",
          "fuse-hardswish",      "fuse-activation",  "fuse-post-affine",      "layout-nhwc"};
}

std::unordered_set<std::string> channelsLastValues(const ir::Graph& graph) {
  std::unordered_set<std::string> out;
  std::vector<char> nhwc(graph.values.size(), 0);
  auto order = graph.topoOrder();
  if (!order) return out;
  for (auto id : *order) {
    const auto& n = graph.nodes[static_cast<std::size_t>(id)];
    bool layout = false;
    if (ir::isChannelsLast(n)) {
      layout = true;
    } else if (n.domain.empty() && n.opType == "Transpose") {
      layout = permIs(n, ir::kNhwcOrder);
    } else {
      for (auto in : n.inputs)
        layout = layout || (in != ir::kNone && nhwc[static_cast<std::size_t>(in)]);
    }
    if (!layout) continue;
    for (std::size_t i = 0; i < n.outputs.size(); ++i) {
      const auto v = n.outputs[i];
      if (v == ir::kNone) continue;
      const auto& val = graph.values[static_cast<std::size_t>(v)];
      if (ir::isChannelsLast(n) && !ir::isLayoutOutput(n, i)) continue;
      if (val.shape.rankKnown && val.shape.rank() != 4) continue;
      nhwc[static_cast<std::size_t>(v)] = 1;
      out.insert(val.name);
    }
  }
  return out;
}

const ir::Graph& runGraph(const runtime::Session& session, int gear) {
  const auto& m = session.model();
  if (m.gears.empty() || gear < 0 || static_cast<std::size_t>(gear) >= m.gears.size()) {
    if (m.dynamic) return m.dynamic->graph;
    return m.gears.front().graph;
  }
  return m.gears[static_cast<std::size_t>(gear)].graph;
}

Expected<std::vector<runtime::HostTensor>> adaptInputs(std::span<const runtime::HostTensor> inputs,
                                                       const std::vector<om::TensorDesc>& from,
                                                       const std::vector<om::TensorDesc>& to) {
  if (inputs.size() != from.size())
    return makeError(codes::kInvalid, "got " + std::to_string(inputs.size()) + " inputs for a model with " +
                                          std::to_string(from.size()));
  bool byName = true;
  for (const auto& t : to)
    byName = byName && std::any_of(from.begin(), from.end(), [&](const auto& f) { return f.name == t.name; });
  if (!byName && from.size() != to.size())
    return makeError(codes::kInvalid, "the two models' inputs differ in names and count (" +
                                          std::to_string(from.size()) + " and " + std::to_string(to.size()) + ")");
  std::vector<runtime::HostTensor> out;
  for (std::size_t i = 0; i < to.size(); ++i) {
    std::size_t j = i;
    if (byName)
      j = static_cast<std::size_t>(
          std::find_if(from.begin(), from.end(), [&](const auto& f) { return f.name == to[i].name; }) - from.begin());
    const auto& t = inputs[j];
    if (t.dtype() == to[i].dtype || to[i].dtype == ir::DataType::Undefined) {
      out.push_back(copyOf(t.ref()));
      continue;
    }
    auto converted = convertFloat(t, to[i].dtype);
    if (!converted)
      return makeError(codes::kInvalid, "input '" + to[i].name + "' is " + std::string(ir::dtypeName(to[i].dtype)) +
                                            " in one model and " + std::string(ir::dtypeName(t.dtype())) +
                                            " in the other; only float types convert");
    out.push_back(std::move(*converted));
  }
  return out;
}

Expected<std::vector<TensorAccuracy>> compareOutputs(runtime::Session& reference, int referenceGear,
                                                     runtime::Session& candidate, int candidateGear,
                                                     std::span<const runtime::HostTensor> inputs) {
  GS_ASSIGN_OR_RETURN(auto ref, reference.run(inputs, runOptions(referenceGear, nullptr)));
  GS_ASSIGN_OR_RETURN(auto candInputs,
                      adaptInputs(inputs, reference.inputDescs(referenceGear), candidate.inputDescs(candidateGear)));
  GS_ASSIGN_OR_RETURN(auto cand, candidate.run(candInputs, runOptions(candidateGear, nullptr)));
  return compareOutputTensors(reference, referenceGear, ref, candidate, candidateGear, cand);
}

Expected<std::vector<TensorAccuracy>> compareOutputs(runtime::Session& reference, int referenceGear,
                                                     runtime::Session& candidate, int candidateGear,
                                                     std::span<const std::vector<runtime::HostTensor>> samples) {
  if (samples.empty()) return makeError(codes::kInvalid, "no sample to compare");
  if (samples.size() == 1) return compareOutputs(reference, referenceGear, candidate, candidateGear, samples[0]);
  struct Acc {
    std::optional<std::size_t> ref;
    std::vector<double> r, c;
    std::vector<int64_t> dims;
    ir::DataType refType = ir::DataType::Undefined, candType = ir::DataType::Undefined;
    bool classes = false;
    double worst = 1;
    std::string skipped;
  };
  std::vector<Acc> acc;
  std::vector<std::string> names;
  for (std::size_t s = 0; s < samples.size(); ++s) {
    GS_ASSIGN_OR_RETURN(auto ref, reference.run(samples[s], runOptions(referenceGear, nullptr)));
    GS_ASSIGN_OR_RETURN(auto candInputs, adaptInputs(samples[s], reference.inputDescs(referenceGear),
                                                     candidate.inputDescs(candidateGear)));
    GS_ASSIGN_OR_RETURN(auto cand, candidate.run(candInputs, runOptions(candidateGear, nullptr)));
    if (s == 0) {
      names = outputNames(candidate, candidateGear, cand.outputs.size());
      const auto match = matchOutputs(outputNames(reference, referenceGear, ref.outputs.size()), names);
      acc.resize(cand.outputs.size());
      for (std::size_t i = 0; i < acc.size(); ++i) {
        acc[i].ref = match[i];
        if (match[i]) acc[i].classes = looksLikeClassScores(ref.outputs[*match[i]].ref());
      }
    }
    for (std::size_t i = 0; i < acc.size() && i < cand.outputs.size(); ++i) {
      auto& a = acc[i];
      if (!a.ref || !a.skipped.empty()) continue;
      const auto& r = ref.outputs[*a.ref];
      const auto& c = cand.outputs[i];
      auto one = compareTensors(names[i], r.ref(), c.ref());
      if (!one.compared()) {
        a.skipped = "sample " + std::to_string(s) + ": " + one.skipped;
        continue;
      }
      a.worst = s == 0 ? one.cosine : std::min(a.worst, one.cosine);
      a.dims = r.dims();
      a.refType = r.dtype();
      a.candType = c.dtype();
      const auto rv = toDoubles(r.ref()), cv = toDoubles(c.ref());
      a.r.insert(a.r.end(), rv.begin(), rv.end());
      a.c.insert(a.c.end(), cv.begin(), cv.end());
    }
  }
  std::vector<TensorAccuracy> out;
  for (std::size_t i = 0; i < acc.size(); ++i) {
    auto& a = acc[i];
    TensorAccuracy t;
    if (!a.ref) {
      t.name = names[i];
      t.skipped = "the reference has no output of this name";
    } else if (!a.skipped.empty()) {
      t.name = names[i];
      t.skipped = a.skipped;
    } else {
      t = compareValues(names[i], a.r, a.c, a.dims, a.classes);
      t.referenceType = a.refType;
      t.candidateType = a.candType;
      t.samples = static_cast<int>(samples.size());
      t.worstSampleCosine = a.worst;
    }
    out.push_back(std::move(t));
  }
  return out;
}

Expected<LayerComparison> compareLayers(runtime::Session& reference, int referenceGear, runtime::Session& candidate,
                                        int candidateGear, std::span<const runtime::HostTensor> inputs,
                                        const LayerCompareOptions& options) {
  LayerComparison c;
  c.threshold = options.threshold;

  // 1. The reference run: every node output the candidate also produces kept, in NCHW (only those:
  // a reference's tensors can be a large multiple of the model's activation memory).
  const auto refLayout = channelsLastValues(runGraph(reference, referenceGear));
  std::unordered_set<std::string> wanted;
  for (const auto& n : runGraph(candidate, candidateGear).nodes)
    for (auto v : n.outputs)
      if (v != ir::kNone) wanted.insert(runGraph(candidate, candidateGear).values[static_cast<std::size_t>(v)].name);
  std::unordered_map<std::string, Captured> captured;
  runtime::NodeObserver capture = [&](const runtime::NodeEvent& e) {
    for (const auto& v : e.outputs) {
      if (!numeric(v.tensor.dtype) || !v.tensor.data || !wanted.contains(std::string(v.name))) continue;
      Captured cap;
      cap.channelsLast = v.tensor.dims.size() == 4 && refLayout.contains(std::string(v.name));
      cap.tensor = cap.channelsLast ? nhwcToNchwCopy(v.tensor) : copyOf(v.tensor);
      captured[std::string(v.name)] = std::move(cap);
    }
  };
  GS_ASSIGN_OR_RETURN(auto ref, reference.run(inputs, runOptions(referenceGear, &capture)));

  // 2. The candidate run: each node's outputs compared as it runs.
  GS_ASSIGN_OR_RETURN(auto candInputs,
                      adaptInputs(inputs, reference.inputDescs(referenceGear), candidate.inputDescs(candidateGear)));
  const auto candLayout = channelsLastValues(runGraph(candidate, candidateGear));
  runtime::NodeObserver compare = [&](const runtime::NodeEvent& e) {
    ++c.candidateNodes;
    LayerAccuracy layer;
    layer.index = e.index;
    layer.node = e.node ? e.node->name : std::string();
    layer.opType = e.node ? e.node->opType : std::string();
    for (const auto& v : e.outputs) {
      ++c.candidateTensors;
      const std::string name(v.name);
      auto it = captured.find(name);
      if (it == captured.end()) {
        c.skipped.push_back({name, layer.node, "no tensor of this name in the reference run"});
        continue;
      }
      if (!numeric(v.tensor.dtype) || !v.tensor.data) {
        c.skipped.push_back({name, layer.node, "not numeric data"});
        continue;
      }
      const bool nhwc = v.tensor.dims.size() == 4 && candLayout.contains(name);
      std::optional<runtime::HostTensor> logical;
      if (nhwc) logical = nhwcToNchwCopy(v.tensor);
      auto a = compareTensors(name, it->second.tensor.ref(), logical ? logical->ref() : v.tensor);
      if (!a.compared()) {
        c.skipped.push_back({name, layer.node, a.skipped});
        continue;
      }
      ++c.comparedTensors;
      layer.channelsLast = layer.channelsLast || nhwc || it->second.channelsLast;
      if (layer.outputs.empty() || a.cosine < layer.cosine) layer.cosine = a.cosine;
      layer.maxAbsError = std::max(layer.maxAbsError, a.maxAbsError);
      layer.maxRelError = std::max(layer.maxRelError, a.maxRelError);
      layer.outputs.push_back(std::move(a));
    }
    if (layer.outputs.empty()) return;
    // A layer whose outputs disagree on NaN/inf is bad whatever its cosine says.
    const bool nonFinite = std::any_of(layer.outputs.begin(), layer.outputs.end(),
                                       [](const TensorAccuracy& a) { return a.nonFiniteMismatches > 0; });
    if (!c.firstBad && (layer.cosine < c.threshold || nonFinite)) c.firstBad = c.layers.size();
    c.layers.push_back(std::move(layer));
  };
  GS_ASSIGN_OR_RETURN(auto cand, candidate.run(candInputs, runOptions(candidateGear, &compare)));
  c.outputs = compareOutputTensors(reference, referenceGear, ref, candidate, candidateGear, cand);
  return c;
}

std::vector<LayerAccuracy> worstLayers(const LayerComparison& c, std::size_t n) {
  std::vector<LayerAccuracy> out = c.layers;
  std::stable_sort(out.begin(), out.end(),
                   [](const LayerAccuracy& a, const LayerAccuracy& b) { return a.cosine < b.cosine; });
  if (out.size() > n) out.resize(n);
  return out;
}

nlohmann::json toJson(const LayerAccuracy& l) {
  auto names = nlohmann::json::array();
  for (const auto& o : l.outputs)
    names.push_back(o.name);
  return {{"index", l.index},
          {"node", l.node},
          {"op_type", l.opType},
          {"cosine", l.cosine},
          {"max_abs_error", l.maxAbsError},
          {"max_rel_error", std::isfinite(l.maxRelError) ? nlohmann::json(l.maxRelError) : nlohmann::json(nullptr)},
          {"channels_last", l.channelsLast},
          {"tensors", std::move(names)}};
}

nlohmann::json toJson(const LayerComparison& c) {
  nlohmann::json first = nullptr;
  if (c.firstBad) {
    const auto& l = c.layers[*c.firstBad];
    first = {{"index", l.index}, {"node", l.node}, {"op_type", l.opType}, {"cosine", l.cosine}};
  }
  auto layers = nlohmann::json::array();
  for (const auto& l : c.layers)
    layers.push_back(toJson(l));
  auto skipped = nlohmann::json::array();
  for (const auto& s : c.skipped)
    skipped.push_back({{"name", s.name}, {"node", s.node}, {"reason", s.reason}});
  return {{"threshold", c.threshold},
          {"first_bad_layer", std::move(first)},
          {"candidate_nodes", c.candidateNodes},
          {"candidate_tensors", c.candidateTensors},
          {"compared_tensors", c.comparedTensors},
          {"layers", std::move(layers)},
          {"skipped", std::move(skipped)}};
}

} // namespace gs::profile
