// prepareModel (quantize_model.h): the float model made ready for QDQ quantization, and the list of
// nodes to quantize.
#include <algorithm>
#include <climits>
#include <cmath>
#include <functional>
#include <new>
#include <optional>
#include <set>

#include <onnx/version_converter/convert.h>

#include "core/common/log.h"
#include "core/compiler/onnx/tensor_proto.h"
#include "core/compiler/quantize/proto_helpers.h"
#include "core/compiler/quantize/quantize_model.h"

namespace gs::quantize {
namespace {

// Per-axis DequantizeLinear needs opset 13. A model below it is raised to 14, where HardSwish is a
// standard op too (the compiler then recognises PaddlePaddle's x * Clip(x + 3, 0, 6) / 6 as one).
constexpr int64_t kQdqOpset = 13;
constexpr int64_t kRaisedOpset = 14;

bool isQuantizedOp(const onnx::NodeProto& n) {
  const auto& op = n.op_type();
  return op == "QuantizeLinear" || op == "DequantizeLinear" || op == "DynamicQuantizeLinear" ||
         op.starts_with("QLinear") || op == "ConvInteger" || op == "MatMulInteger" ||
         (n.domain() == "ai.gearstudio" && op.starts_with("Quant"));
}

bool is16Bit(int32_t elem) { return elem == onnx::TensorProto::FLOAT16 || elem == onnx::TensorProto::BFLOAT16; }

bool has16BitType(const onnx::ValueInfoProto& v) {
  return v.type().has_tensor_type() && is16Bit(v.type().tensor_type().elem_type());
}

// A quantized or 16-bit model cannot be calibrated again: say which part makes it so.
Status checkFloatModel(const onnx::GraphProto& g) {
  for (const auto& n : g.node())
    if (isQuantizedOp(n))
      return makeError(codes::kUnsupported, "the model is already quantized (node '" + n.name() + "' is " +
                                                n.op_type() + "); --quantize=int8 needs a float32 model");
  auto sixteen = [](const std::string& what) {
    return makeError(codes::kUnsupported,
                     "the model is a 16-bit float model (" + what + "); --quantize=int8 needs a float32 model");
  };
  for (const auto& v : g.input())
    if (has16BitType(v)) return sixteen("input '" + v.name() + "'");
  for (const auto& v : g.output())
    if (has16BitType(v)) return sixteen("output '" + v.name() + "'");
  for (const auto& t : g.initializer())
    if (is16Bit(t.data_type())) return sixteen("initializer '" + t.name() + "'");
  for (const auto& n : g.node()) {
    if (n.op_type() == "Cast" && is16Bit(static_cast<int32_t>(proto::intAttr(n, "to", 0))))
      return sixteen("node '" + n.name() + "' casts to a 16-bit float");
    if (n.op_type() == "Constant")
      for (const auto& a : n.attribute())
        if (a.has_t() && is16Bit(a.t().data_type())) return sixteen("constant '" + n.output(0) + "'");
  }
  return ok();
}

// External-data initializers are read into the model, so the prepared bytes stand alone.
Status inlineExternalData(onnx::GraphProto& g, const std::string& baseDir) {
  for (auto& t : *g.mutable_initializer()) {
    if (t.data_location() != onnx::TensorProto::EXTERNAL) continue;
    GS_ASSIGN_OR_RETURN(auto tensor, onnx_import::tensorFromProto(t, baseDir));
    proto::setRaw(t, t.data_type(), tensor.dims, tensor.data(), tensor.byteSize());
  }
  return ok();
}

// Constant nodes of the main graph become initializers (weights are found by name afterwards).
void constantsToInitializers(onnx::GraphProto& g) {
  google::protobuf::RepeatedPtrField<onnx::NodeProto> kept;
  for (auto& n : *g.mutable_node()) {
    if (n.op_type() != "Constant" || !n.domain().empty() || n.output_size() != 1 || n.attribute_size() != 1) {
      kept.Add(std::move(n));
      continue;
    }
    const auto& a = n.attribute(0);
    onnx::TensorProto t;
    if (a.name() == "value" && a.has_t()) {
      t = a.t();
    } else if (a.name() == "value_float") {
      t.set_data_type(onnx::TensorProto::FLOAT);
      t.add_float_data(a.f());
    } else if (a.name() == "value_floats") {
      t.set_data_type(onnx::TensorProto::FLOAT);
      t.add_dims(a.floats_size());
      for (float f : a.floats())
        t.add_float_data(f);
    } else if (a.name() == "value_int") {
      t.set_data_type(onnx::TensorProto::INT64);
      t.add_int64_data(a.i());
    } else if (a.name() == "value_ints") {
      t.set_data_type(onnx::TensorProto::INT64);
      t.add_dims(a.ints_size());
      for (auto i : a.ints())
        t.add_int64_data(i);
    } else {
      kept.Add(std::move(n));
      continue;
    }
    t.set_name(n.output(0));
    *g.add_initializer() = std::move(t);
  }
  g.mutable_node()->Swap(&kept);
}

// Raises the default opset to 14 with ONNX's version converter. Its Softmax adapter needs the input's
// rank, which exported models rarely declare; before opset 13 Softmax normalises over the flattened
// dims from `axis` on, which is the same as opset 13's Softmax when axis is the last dim. Such nodes
// travel through the converter as Identity and get their axis back; any other axis is refused.
Status raiseOpset(onnx::ModelProto& m, const std::map<std::string, int64_t>& ranks) {
  struct Held {
    std::string op;
    int64_t axis;
  };
  std::map<std::string, Held> held; // by output name
  for (auto& n : *m.mutable_graph()->mutable_node()) {
    if (!n.domain().empty() || (n.op_type() != "Softmax" && n.op_type() != "LogSoftmax" && n.op_type() != "Hardmax"))
      continue;
    const int64_t axis = proto::intAttr(n, "axis", 1);
    bool last = axis == -1;
    if (!last && n.input_size() > 0)
      if (auto it = ranks.find(n.input(0)); it != ranks.end()) last = axis == it->second - 1 || axis == -1;
    if (!last)
      return makeError(codes::kUnsupported,
                       "cannot raise the model's opset to 14 for per-channel quantization: " + n.op_type() + " '" +
                           n.name() + "' normalises over axis " + std::to_string(axis) +
                           " of an input whose rank is unknown or larger (opset 13 changed its meaning)");
    held[n.output(0)] = {n.op_type(), axis};
    n.set_op_type("Identity");
    n.clear_attribute();
  }
  onnx::ModelProto converted;
  try {
    converted = onnx::version_conversion::ConvertVersion(m, static_cast<int>(kRaisedOpset));
  } catch (const std::exception& e) {
    return makeError(codes::kUnsupported,
                     std::string("cannot raise the model's opset to 14 for per-channel quantization: ") + e.what());
  }
  for (auto& n : *converted.mutable_graph()->mutable_node()) {
    if (n.op_type() != "Identity" || n.output_size() != 1) continue;
    auto it = held.find(n.output(0));
    if (it == held.end()) continue;
    n.set_op_type(it->second.op);
    auto* a = n.add_attribute();
    a->set_name("axis");
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(it->second.axis);
  }
  m = std::move(converted);
  if (m.ir_version() < 7) m.set_ir_version(7);
  return ok();
}

void dropUnusedInitializers(onnx::GraphProto& g);

// How many nodes read each value (graph outputs count as readers).
std::map<std::string, int> readerCounts(const onnx::GraphProto& g) {
  std::map<std::string, int> uses;
  for (const auto& n : g.node())
    for (const auto& i : n.input())
      if (!i.empty()) ++uses[i];
  for (const auto& o : g.output())
    ++uses[o.name()];
  return uses;
}

// A per-output-channel affine y = x * a[c] + b[c] read from a node after a Conv: BatchNormalization
// (inference form), or Mul / Add / Sub (x - c) / Div (x / c) by a constant that is a scalar or one
// value per channel ([M], [M,1,1], [1,M,1,1]). nullopt when the node is none of these.
struct Affine {
  std::vector<double> a, b;
};
std::optional<Affine> affineOf(const onnx::NodeProto& n, const std::string& x, std::size_t m,
                               std::map<std::string, onnx::TensorProto*>& inits) {
  if (!n.domain().empty() || n.output_size() != 1) return std::nullopt;
  Affine f{std::vector<double>(m, 1.0), std::vector<double>(m, 0.0)};
  if (n.op_type() == "BatchNormalization") {
    if (n.input_size() != 5 || n.input(0) != x || proto::intAttr(n, "training_mode", 0) != 0) return std::nullopt;
    std::vector<std::vector<float>> p;
    for (int k = 1; k < 5; ++k) {
      auto it = inits.find(n.input(k));
      if (it == inits.end()) return std::nullopt;
      auto v = proto::floatValues(*it->second);
      if (!v || v->size() != m) return std::nullopt;
      p.push_back(std::move(*v));
    }
    const double eps = proto::floatAttr(n, "epsilon", 1e-5f);
    for (std::size_t c = 0; c < m; ++c) {
      f.a[c] = p[0][c] / std::sqrt(static_cast<double>(p[3][c]) + eps);
      f.b[c] = p[1][c] - p[2][c] * f.a[c];
    }
    return f;
  }
  const auto& op = n.op_type();
  if ((op != "Mul" && op != "Add" && op != "Sub" && op != "Div") || n.input_size() != 2) return std::nullopt;
  const bool xFirst = n.input(0) == x;
  if (!xFirst && n.input(1) != x) return std::nullopt;
  if (!xFirst && (op == "Sub" || op == "Div")) return std::nullopt;
  auto it = inits.find(n.input(xFirst ? 1 : 0));
  if (it == inits.end()) return std::nullopt;
  const auto dims = proto::dimsOf(*it->second);
  auto v = proto::floatValues(*it->second);
  if (!v || (v->size() != 1 && v->size() != m)) return std::nullopt;
  if (v->size() == m && m != 1) {
    // Per channel: [M], [M,1,1] or [1,M,1,1] against an [N,M,H,W] output ([M] broadcasts over W only
    // for M == W; refused).
    const bool perChannel =
        (dims.size() == 3 && dims[0] == static_cast<int64_t>(m) && dims[1] == 1 && dims[2] == 1) ||
        (dims.size() == 4 && dims[0] == 1 && dims[1] == static_cast<int64_t>(m) && dims[2] == 1 && dims[3] == 1);
    if (!perChannel) return std::nullopt;
  } else if (dims.size() > 4) {
    return std::nullopt;
  }
  for (std::size_t c = 0; c < m; ++c) {
    const double k = (*v)[v->size() == 1 ? 0 : c];
    if (op == "Mul")
      f.a[c] = k;
    else if (op == "Add")
      f.b[c] = k;
    else if (op == "Sub")
      f.b[c] = -k;
    else if (k == 0)
      return std::nullopt;
    else
      f.a[c] = 1.0 / k;
  }
  return f;
}

// Conv -> (BatchNormalization | Mul | Add | Sub | Div by constants per channel) chains, the Conv's
// output read only by that node, become one Conv with new weights and bias: the same folds the
// compiler makes on float models (fold-conv-batchnorm, fold-conv-affine), which it cannot make once
// the weights sit behind DequantizeLinear. Returns how many nodes were folded.
Expected<int> foldConvAffine(onnx::GraphProto& g) {
  int folded = 0;
  proto::NameSet names(g);
  for (bool changed = true; changed;) {
    changed = false;
    auto uses = readerCounts(g);
    auto inits = proto::initializers(g);
    std::map<std::string, int> reader; // value -> the one node reading it
    for (int i = 0; i < g.node_size(); ++i)
      for (const auto& in : g.node(i).input())
        reader[in] = i;
    std::vector<onnx::TensorProto> added;
    std::set<int> drop;
    for (int ci = 0; ci < g.node_size(); ++ci) {
      auto& conv = *g.mutable_node(ci);
      if (conv.op_type() != "Conv" || !conv.domain().empty() || conv.input_size() < 2 || conv.output_size() != 1 ||
          !inits.count(conv.input(1)))
        continue;
      const auto y = conv.output(0);
      if (uses[y] != 1 || !reader.count(y) || drop.count(reader[y])) continue;
      const bool hasBias = conv.input_size() > 2 && !conv.input(2).empty();
      if (hasBias && !inits.count(conv.input(2))) continue;
      const auto wdims = proto::dimsOf(*inits[conv.input(1)]);
      if (wdims.empty() || wdims[0] <= 0) continue;
      const auto m = static_cast<std::size_t>(wdims[0]);
      const int ai = reader[y];
      const auto& next = g.node(ai);
      auto f = affineOf(next, y, m, inits);
      if (!f) continue;
      GS_ASSIGN_OR_RETURN(auto w, proto::floatValues(*inits[conv.input(1)]));
      std::vector<float> bias(m, 0.0f);
      if (hasBias) {
        GS_ASSIGN_OR_RETURN(bias, proto::floatValues(*inits[conv.input(2)]));
      }
      if (bias.size() != m || w.size() % m != 0) continue;
      const std::size_t per = w.size() / m;
      std::vector<float> nb(m);
      for (std::size_t c = 0; c < m; ++c) {
        for (std::size_t k = 0; k < per; ++k)
          w[c * per + k] = static_cast<float>(w[c * per + k] * f->a[c]);
        nb[c] = static_cast<float>(bias[c] * f->a[c] + f->b[c]);
      }
      onnx::TensorProto wt, bt;
      wt.set_name(names.unique(conv.name().empty() ? y + "_w_folded" : conv.name() + "_w_folded"));
      proto::setValues(wt, onnx::TensorProto::FLOAT, wdims, w);
      bt.set_name(names.unique(conv.name().empty() ? y + "_b_folded" : conv.name() + "_b_folded"));
      proto::setValues(bt, onnx::TensorProto::FLOAT, {static_cast<int64_t>(m)}, nb);
      conv.set_input(1, wt.name());
      if (hasBias)
        conv.set_input(2, bt.name());
      else {
        while (conv.input_size() < 2)
          conv.add_input("");
        conv.add_input(bt.name());
      }
      conv.set_output(0, next.output(0));
      added.push_back(std::move(wt));
      added.push_back(std::move(bt));
      drop.insert(ai);
    }
    if (drop.empty()) break;
    google::protobuf::RepeatedPtrField<onnx::NodeProto> kept;
    for (int i = 0; i < g.node_size(); ++i)
      if (!drop.count(i)) kept.Add(std::move(*g.mutable_node(i)));
    g.mutable_node()->Swap(&kept);
    for (auto& t : added)
      *g.add_initializer() = std::move(t);
    dropUnusedInitializers(g);
    folded += static_cast<int>(drop.size());
    changed = true;
  }
  return folded;
}

// Initializers nothing reads any more are dropped.
void dropUnusedInitializers(onnx::GraphProto& g) {
  std::set<std::string> used;
  std::function<void(const onnx::GraphProto&)> collect = [&](const onnx::GraphProto& graph) {
    for (const auto& n : graph.node()) {
      for (const auto& i : n.input())
        used.insert(i);
      for (const auto& a : n.attribute()) {
        if (a.has_g()) collect(a.g());
        for (const auto& sub : a.graphs())
          collect(sub);
      }
    }
    for (const auto& o : graph.output())
      used.insert(o.name());
  };
  collect(g);
  google::protobuf::RepeatedPtrField<onnx::TensorProto> kept;
  for (auto& t : *g.mutable_initializer())
    if (used.count(t.name())) kept.Add(std::move(t));
  g.mutable_initializer()->Swap(&kept);
}

bool inList(const std::vector<std::string>& list, const std::string& s) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

// The Conv / MatMul / Gemm nodes the compiler's fuse-qdq pass runs on int8 kernels once quantized:
// constant float weights (4-D for Conv, 2-D for MatMul and Gemm), a computed input, a constant
// 1-D bias, Gemm without transA, alpha or beta.
void findTargets(onnx::GraphProto& g, const QuantizeOptions& options, PreparedModel& out) {
  auto inits = proto::initializers(g);
  proto::NameSet names(g);
  std::set<std::string> seen;
  for (int i = 0; i < g.node_size(); ++i) {
    auto& n = *g.mutable_node(i);
    const auto& op = n.op_type();
    if (!n.domain().empty() || (op != "Conv" && op != "MatMul" && op != "Gemm") || n.input_size() < 2 ||
        inits.count(n.input(0)) || !inits.count(n.input(1)))
      continue;
    const auto& w = *inits[n.input(1)];
    if (w.data_type() != onnx::TensorProto::FLOAT) continue;
    int64_t axis = 0;
    if (op == "Conv") {
      if (w.dims_size() != 4) continue;
    } else {
      if (w.dims_size() != 2) continue;
      if (op == "Gemm") {
        if (proto::intAttr(n, "transA", 0) != 0 || proto::floatAttr(n, "alpha", 1.0f) != 1.0f ||
            proto::floatAttr(n, "beta", 1.0f) != 1.0f)
          continue;
        axis = proto::intAttr(n, "transB", 0) != 0 ? 0 : 1;
      } else {
        axis = 1;
      }
    }
    if (n.input_size() > 2 && !n.input(2).empty()) {
      auto b = inits.find(n.input(2));
      if (b == inits.end() || b->second->data_type() != onnx::TensorProto::FLOAT || b->second->dims_size() != 1 ||
          b->second->dims(0) != w.dims(static_cast<int>(axis)))
        continue;
    }
    if (n.name().empty()) n.set_name(names.unique(op + "_" + n.output(0)));
    if (inList(options.keepNodes, n.name()) || inList(options.keepOpTypes, op)) {
      out.kept.push_back(n.name());
      continue;
    }
    out.targets.push_back({n.name(), op, n.input(0), n.input(1), axis});
    if (seen.insert(n.input(0)).second) out.activations.push_back(n.input(0));
  }
}

Expected<PreparedModel> prepare(std::string bytes, const std::string& baseDir, const QuantizeOptions& options) {
  onnx::ModelProto m;
  if (bytes.empty() || bytes.size() > static_cast<std::size_t>(INT_MAX) || !m.ParseFromString(bytes) || !m.has_graph())
    return makeError(codes::kFormat, "the model cannot be parsed as an ONNX model");
  std::string().swap(bytes);
  auto& g = *m.mutable_graph();
  GS_RETURN_IF_ERROR(checkFloatModel(g));
  GS_RETURN_IF_ERROR(inlineExternalData(g, baseDir));
  PreparedModel out;
  out.opsetBefore = proto::defaultOpset(m);
  constantsToInitializers(g);
  if (out.opsetBefore < kQdqOpset) {
    GS_RETURN_IF_ERROR(raiseOpset(m, options.ranks));
    constantsToInitializers(*m.mutable_graph());
  }
  out.opsetAfter = proto::defaultOpset(m);
  GS_ASSIGN_OR_RETURN(out.foldedAffine, foldConvAffine(*m.mutable_graph()));
  dropUnusedInitializers(*m.mutable_graph());
  findTargets(*m.mutable_graph(), options, out);
  if (out.targets.empty())
    return makeError(codes::kInvalid, out.kept.empty()
                                          ? "the model has no Conv, MatMul or Gemm with constant weights to quantize"
                                          : "every Conv, MatMul and Gemm is in the --keep_dtype list: nothing to "
                                            "quantize");
  if (!m.SerializeToString(&out.bytes)) return makeError(codes::kInternal, "the prepared model cannot be serialized");
  return out;
}

} // namespace

Expected<PreparedModel> prepareModel(std::string onnxBytes, const std::string& baseDir,
                                     const QuantizeOptions& options) {
  try {
    return prepare(std::move(onnxBytes), baseDir, options);
  } catch (const std::bad_alloc&) {
    return makeError(codes::kFormat, "out of memory while preparing the model for quantization");
  } catch (const std::exception& e) {
    return makeError(codes::kFormat, std::string("preparing the model for quantization failed: ") + e.what());
  }
}

} // namespace gs::quantize
