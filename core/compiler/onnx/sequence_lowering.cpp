// Rewrites static sequences into tensor ops (see sequence_lowering.h). Works on the ONNX message
// before the graph is imported, on a copy of the node list: any sequence it cannot resolve leaves the
// graph untouched.
#include "core/compiler/onnx/sequence_lowering.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace gs::onnx_import {
namespace {

// An item of a sequence whose count is known but whose tensor is not (see lowerSplit).
const std::string kUnknownItem;

bool isSequenceOp(const onnx::NodeProto& n) {
  static const std::set<std::string> ops = {"SequenceEmpty",      "SequenceConstruct", "SequenceInsert",
                                            "SequenceErase",      "SequenceAt",        "SequenceLength",
                                            "ConcatFromSequence", "SplitToSequence"};
  return (n.domain().empty() || n.domain() == "ai.onnx") && ops.contains(n.op_type());
}

// The integer values of an INT32/INT64 tensor message.
std::optional<std::vector<int64_t>> intsOfTensor(const onnx::TensorProto& t) {
  std::vector<int64_t> v;
  if (t.data_location() == onnx::TensorProto::EXTERNAL) return std::nullopt;
  if (t.data_type() == onnx::TensorProto::INT64) {
    if (!t.raw_data().empty()) {
      if (t.raw_data().size() % 8) return std::nullopt;
      v.resize(t.raw_data().size() / 8);
      std::memcpy(v.data(), t.raw_data().data(), t.raw_data().size());
    } else {
      v.assign(t.int64_data().begin(), t.int64_data().end());
    }
  } else if (t.data_type() == onnx::TensorProto::INT32) {
    if (!t.raw_data().empty()) {
      if (t.raw_data().size() % 4) return std::nullopt;
      std::vector<int32_t> w(t.raw_data().size() / 4);
      std::memcpy(w.data(), t.raw_data().data(), t.raw_data().size());
      v.assign(w.begin(), w.end());
    } else {
      v.assign(t.int32_data().begin(), t.int32_data().end());
    }
  } else {
    return std::nullopt;
  }
  return v;
}

struct Lowering {
  onnx::GraphProto& g;
  int64_t opset;
  std::map<std::string, std::vector<int64_t>> constants; // int tensors known at import
  std::map<std::string, std::vector<int64_t>> dims;      // declared static shapes
  std::map<std::string, std::vector<std::string>> seqs;  // sequence value -> its tensors
  std::vector<onnx::NodeProto> out;
  int fresh = 0;
  int rewritten = 0;

  std::string freshName(const std::string& base) { return base + "__seq" + std::to_string(fresh++); }

  void collect() {
    for (const auto& t : g.initializer()) {
      if (auto v = intsOfTensor(t)) constants[t.name()] = *v;
      dims[t.name()] = std::vector<int64_t>(t.dims().begin(), t.dims().end());
    }
    auto declared = [&](const onnx::ValueInfoProto& vi) {
      if (!vi.type().has_tensor_type() || !vi.type().tensor_type().has_shape()) return;
      std::vector<int64_t> d;
      for (const auto& dim : vi.type().tensor_type().shape().dim()) {
        if (!dim.has_dim_value()) return;
        d.push_back(dim.dim_value());
      }
      dims.emplace(vi.name(), std::move(d));
    };
    for (const auto& vi : g.input())
      declared(vi);
    for (const auto& vi : g.value_info())
      declared(vi);
  }

  std::optional<int64_t> scalarInput(const onnx::NodeProto& n, int i) {
    if (n.input_size() <= i || n.input(i).empty()) return std::nullopt;
    const auto it = constants.find(n.input(i));
    if (it == constants.end() || it->second.size() != 1) return std::nullopt;
    return it->second[0];
  }

  int64_t intAttr(const onnx::NodeProto& n, const std::string& name, int64_t def) {
    for (const auto& a : n.attribute())
      if (a.name() == name) return a.i();
    return def;
  }

  onnx::NodeProto& emit(const std::string& op, std::vector<std::string> inputs, std::vector<std::string> outputs,
                        const std::string& name) {
    auto& n = out.emplace_back();
    n.set_op_type(op);
    n.set_name(name);
    for (auto& s : inputs)
      n.add_input(s);
    for (auto& s : outputs)
      n.add_output(s);
    return n;
  }

  std::string emitInts(const std::vector<int64_t>& v, bool scalar, const std::string& base) {
    const auto name = freshName(base);
    auto& n = emit("Constant", {}, {name}, name);
    auto* a = n.add_attribute();
    a->set_name("value");
    a->set_type(onnx::AttributeProto::TENSOR);
    auto* t = a->mutable_t();
    t->set_data_type(onnx::TensorProto::INT64);
    if (!scalar) t->add_dims(static_cast<int64_t>(v.size()));
    for (auto x : v)
      t->add_int64_data(x);
    constants[name] = v;
    return name;
  }

  // Unsqueeze / Squeeze with axes as an attribute (before opset 13) or an input.
  void emitAxesOp(const std::string& op, const std::string& in, const std::string& outName, int64_t axis,
                  const std::string& base) {
    if (opset >= 13) {
      const auto axes = emitInts({axis}, false, base + "_axes");
      emit(op, {in, axes}, {outName}, freshName(base));
    } else {
      auto& n = emit(op, {in}, {outName}, freshName(base));
      auto* a = n.add_attribute();
      a->set_name("axes");
      a->set_type(onnx::AttributeProto::INTS);
      a->add_ints(axis);
    }
  }

  bool lowerNode(const onnx::NodeProto& n) {
    const auto& op = n.op_type();
    const std::string base = n.name().empty() ? op : n.name();
    auto seqOf = [&](int i) -> std::vector<std::string>* {
      if (n.input_size() <= i) return nullptr;
      const auto it = seqs.find(n.input(i));
      return it == seqs.end() ? nullptr : &it->second;
    };
    if (n.output_size() < 1) return false;
    const std::string& result = n.output(0);
    if (op == "SequenceEmpty") {
      seqs[result] = {};
    } else if (op == "SequenceConstruct") {
      std::vector<std::string> items(n.input().begin(), n.input().end());
      seqs[result] = std::move(items);
    } else if (op == "SequenceInsert") {
      auto* s = seqOf(0);
      if (!s || n.input_size() < 2) return false;
      auto items = *s;
      auto size = static_cast<int64_t>(items.size());
      int64_t pos = size;
      if (n.input_size() > 2 && !n.input(2).empty()) {
        const auto p = scalarInput(n, 2);
        if (!p) return false;
        pos = *p < 0 ? *p + size : *p;
      }
      if (pos < 0 || pos > size) return false;
      items.insert(items.begin() + pos, n.input(1));
      seqs[result] = std::move(items);
    } else if (op == "SequenceErase") {
      auto* s = seqOf(0);
      if (!s) return false;
      auto items = *s;
      const auto size = static_cast<int64_t>(items.size());
      int64_t pos = size - 1;
      if (n.input_size() > 1 && !n.input(1).empty()) {
        const auto p = scalarInput(n, 1);
        if (!p) return false;
        pos = *p < 0 ? *p + size : *p;
      }
      if (pos < 0 || pos >= size) return false;
      items.erase(items.begin() + pos);
      seqs[result] = std::move(items);
    } else if (op == "SequenceAt") {
      auto* s = seqOf(0);
      const auto p = scalarInput(n, 1);
      if (!s || !p) return false;
      const auto size = static_cast<int64_t>(s->size());
      const int64_t pos = *p < 0 ? *p + size : *p;
      if (pos < 0 || pos >= size || (*s)[static_cast<std::size_t>(pos)] == kUnknownItem) return false;
      emit("Identity", {(*s)[static_cast<std::size_t>(pos)]}, {result}, base);
    } else if (op == "SequenceLength") {
      auto* s = seqOf(0);
      if (!s) return false;
      auto& c = emit("Constant", {}, {result}, base);
      auto* a = c.add_attribute();
      a->set_name("value");
      a->set_type(onnx::AttributeProto::TENSOR);
      a->mutable_t()->set_data_type(onnx::TensorProto::INT64);
      a->mutable_t()->add_int64_data(static_cast<int64_t>(s->size()));
    } else if (op == "ConcatFromSequence") {
      auto* s = seqOf(0);
      if (!s || s->empty() || std::find(s->begin(), s->end(), kUnknownItem) != s->end()) return false;
      const int64_t axis = intAttr(n, "axis", 0);
      const bool newAxis = intAttr(n, "new_axis", 0) != 0;
      std::vector<std::string> parts = *s;
      if (newAxis)
        for (auto& p : parts) {
          const auto u = freshName(base + "_unsqueezed");
          emitAxesOp("Unsqueeze", p, u, axis, base);
          p = u;
        }
      auto& c = emit("Concat", parts, {result}, base);
      auto* a = c.add_attribute();
      a->set_name("axis");
      a->set_type(onnx::AttributeProto::INT);
      a->set_i(axis);
    } else if (op == "SplitToSequence") {
      return lowerSplit(n, base);
    } else {
      return false;
    }
    ++rewritten;
    return true;
  }

  bool lowerSplit(const onnx::NodeProto& n, const std::string& base) {
    const auto it = dims.find(n.input(0));
    const int64_t keepdims = intAttr(n, "keepdims", 1);
    int64_t axis = intAttr(n, "axis", 0);
    const bool hasSplit = n.input_size() > 1 && !n.input(1).empty();
    std::vector<int64_t> sizes; // explicit split sizes, when known
    int64_t count = 0;
    std::optional<int64_t> dim; // the split dim, from the input's declared shape
    if (it != dims.end()) {
      const auto rank = static_cast<int64_t>(it->second.size());
      if (axis < 0) axis += rank;
      if (axis < 0 || axis >= rank) return false;
      dim = it->second[static_cast<std::size_t>(axis)];
    }
    if (!hasSplit) {
      if (!dim || *dim < 1) return false;
      count = *dim;
      sizes.assign(static_cast<std::size_t>(count), 1);
    } else {
      const auto& splitName = n.input(1);
      const auto c = constants.find(splitName);
      const auto d = dims.find(splitName);
      if (c != constants.end() && d != dims.end() && d->second.empty()) { // a scalar chunk size
        if (!dim || c->second.size() != 1 || c->second[0] < 1) return false;
        for (int64_t left = *dim; left > 0; left -= c->second[0])
          sizes.push_back(std::min(left, c->second[0]));
        count = static_cast<int64_t>(sizes.size());
      } else if (c != constants.end()) {
        sizes = c->second;
        count = static_cast<int64_t>(sizes.size());
      } else if (d != dims.end() && d->second.size() == 1) { // computed sizes of a known count
        count = d->second[0];
      } else {
        return false;
      }
      if (count < 1) return false;
    }
    std::vector<std::string> parts;
    if (hasSplit && sizes.empty() && opset < 13) {
      // Before opset 13 Split takes its sizes as an attribute, so computed sizes cannot be passed on:
      // the count is known, the tensors are not (kUnknownItem). A later op that reads them fails.
      seqs[n.output(0)] = std::vector<std::string>(static_cast<std::size_t>(count), kUnknownItem);
      ++rewritten;
      return true;
    }
    for (int64_t i = 0; i < count; ++i)
      parts.push_back(freshName(base + "_part"));
    std::vector<std::string> splitOuts = parts;
    const bool squeeze = !hasSplit && keepdims == 0;
    if (squeeze)
      for (auto& p : splitOuts)
        p += "_kept";
    std::vector<std::string> inputs{n.input(0)};
    const bool sizesAsInput = opset >= 13;
    if (hasSplit && sizes.empty()) {
      if (!sizesAsInput) return false;
      inputs.push_back(n.input(1));
    } else if (sizesAsInput) {
      inputs.push_back(emitInts(sizes, false, base + "_sizes"));
    }
    auto& s = emit("Split", inputs, splitOuts, freshName(base));
    auto* a = s.add_attribute();
    a->set_name("axis");
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(axis);
    if (!sizesAsInput) {
      auto* sp = s.add_attribute();
      sp->set_name("split");
      sp->set_type(onnx::AttributeProto::INTS);
      for (auto v : sizes)
        sp->add_ints(v);
    }
    if (squeeze)
      for (std::size_t i = 0; i < parts.size(); ++i)
        emitAxesOp("Squeeze", splitOuts[i], parts[i], axis, base);
    seqs[n.output(0)] = parts;
    ++rewritten;
    return true;
  }

  bool referencesSequence(const onnx::NodeProto& n) const {
    for (const auto& in : n.input())
      if (seqs.contains(in)) return true;
    return false;
  }

  bool run() {
    collect();
    for (const auto& n : g.node()) {
      for (const auto& a : n.attribute())
        if (a.has_g() || a.graphs_size() > 0) {
          if (!seqs.empty()) return false; // a subgraph might read a sequence: leave the graph alone
        }
      if (isSequenceOp(n)) {
        if (!lowerNode(n)) return false;
      } else {
        if (referencesSequence(n)) return false;
        out.push_back(n);
      }
    }
    for (const auto& o : g.output())
      if (seqs.contains(o.name())) return false;
    return true;
  }
};

} // namespace

int lowerStaticSequences(onnx::GraphProto& graph, int64_t opset) {
  bool any = false;
  for (const auto& n : graph.node())
    any = any || isSequenceOp(n);
  if (!any) return 0;
  Lowering l{graph, opset, {}, {}, {}, {}, 0, 0};
  if (!l.run()) return 0;
  graph.clear_node();
  for (auto& n : l.out)
    *graph.add_node() = std::move(n);
  // Declared types of the sequences that are gone.
  auto* vi = graph.mutable_value_info();
  for (int i = vi->size() - 1; i >= 0; --i)
    if (l.seqs.contains(vi->Get(i).name())) vi->DeleteSubrange(i, 1);
  return l.rewritten;
}

} // namespace gs::onnx_import
