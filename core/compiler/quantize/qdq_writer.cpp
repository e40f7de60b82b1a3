// writeQdqModel (quantize_model.h): QuantizeLinear -> DequantizeLinear on the activations, int8
// per-channel weights and int32 biases behind DequantizeLinear.
#include <algorithm>
#include <climits>
#include <cmath>
#include <limits>
#include <new>
#include <optional>
#include <set>

#include "core/common/log.h"
#include "core/compiler/quantize/proto_helpers.h"
#include "core/compiler/quantize/quantize_model.h"

namespace gs::quantize {

ActivationParams activationParams(const ActivationRange& range, ActivationScheme scheme) {
  // Zero must be exactly representable (padding, Relu outputs): the range always holds it.
  const double lo = std::min(0.0, static_cast<double>(range.lo));
  const double hi = std::max(0.0, static_cast<double>(range.hi));
  ActivationParams p;
  if (scheme == ActivationScheme::Symmetric) {
    if (lo < 0) {
      const double a = std::max(-lo, hi);
      p.isSigned = true;
      p.scale = a > 0 ? static_cast<float>(a / 127.0) : 1.0f;
    } else {
      p.scale = hi > 0 ? static_cast<float>(hi / 255.0) : 1.0f;
    }
    return p;
  }
  if (hi <= lo) return p;
  p.scale = static_cast<float>((hi - lo) / 255.0);
  p.zeroPoint = static_cast<int32_t>(std::clamp(std::nearbyint(-lo / p.scale), 0.0, 255.0));
  return p;
}

ChannelQuantized quantizeWeights(const std::vector<float>& w, const std::vector<int64_t>& dims, int64_t axis,
                                 const std::vector<float>& minScales) {
  ChannelQuantized q;
  const auto channels = static_cast<std::size_t>(dims.at(static_cast<std::size_t>(axis)));
  std::size_t inner = 1;
  for (std::size_t d = static_cast<std::size_t>(axis) + 1; d < dims.size(); ++d)
    inner *= static_cast<std::size_t>(dims[d]);
  const std::size_t outer = channels == 0 || inner == 0 ? 0 : w.size() / (channels * inner);
  std::vector<float> absMax(channels, 0.0f);
  for (std::size_t o = 0; o < outer; ++o)
    for (std::size_t c = 0; c < channels; ++c)
      for (std::size_t k = 0; k < inner; ++k)
        absMax[c] = std::max(absMax[c], std::abs(w[(o * channels + c) * inner + k]));
  q.scales.resize(channels);
  for (std::size_t c = 0; c < channels; ++c) {
    q.scales[c] = absMax[c] > 0 ? absMax[c] / 127.0f : 1.0f;
    if (c < minScales.size()) q.scales[c] = std::max(q.scales[c], minScales[c]);
  }
  q.values.resize(w.size());
  for (std::size_t o = 0; o < outer; ++o)
    for (std::size_t c = 0; c < channels; ++c)
      for (std::size_t k = 0; k < inner; ++k) {
        const auto i = (o * channels + c) * inner + k;
        const float v = std::nearbyint(w[i] / q.scales[c]); // half to even (the default rounding mode)
        q.values[i] = static_cast<int8_t>(std::clamp(v, -127.0f, 127.0f));
      }
  return q;
}

namespace {

onnx::NodeProto makeNode(const std::string& op, const std::string& name, std::vector<std::string> inputs,
                         const std::string& output, std::optional<int64_t> axis = std::nullopt) {
  onnx::NodeProto n;
  n.set_op_type(op);
  n.set_name(name);
  for (auto& i : inputs)
    n.add_input(i);
  n.add_output(output);
  if (axis) {
    auto* a = n.add_attribute();
    a->set_name("axis");
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(*axis);
  }
  return n;
}

class Writer {
public:
  Writer(onnx::ModelProto& m, const QuantizeOptions& options) : m_g(*m.mutable_graph()), m_names(m_g), m_opt(options) {}

  Status run(const PreparedModel& prepared, const std::map<std::string, ActivationRange>& ranges) {
    auto inits = proto::initializers(m_g);
    std::map<std::string, const QuantTarget*> byNode;
    for (const auto& t : prepared.targets)
      byNode[t.node] = &t;
    // New nodes go right before the first node that reads them, which keeps the order topological.
    google::protobuf::RepeatedPtrField<onnx::NodeProto> nodes;
    std::map<std::string, std::string> dequantized; // activation -> its DequantizeLinear output
    std::map<std::string, ActivationParams> params;
    for (auto& n : *m_g.mutable_node()) {
      auto it = n.name().empty() ? byNode.end() : byNode.find(n.name());
      if (it != byNode.end()) {
        const auto& t = *it->second;
        const auto& x = t.activation;
        if (!dequantized.count(x)) {
          auto r = ranges.find(x);
          if (r == ranges.end()) return makeError(codes::kInvalid, "no calibrated range for tensor '" + x + "'");
          const auto p = activationParams(r->second, m_opt.scheme);
          params[x] = p;
          const auto scale = addInit(x + "_scale", onnx::TensorProto::FLOAT, {}, std::vector<float>{p.scale});
          const auto zero = p.isSigned ? addInit(x + "_zero_point", onnx::TensorProto::INT8, {},
                                                 std::vector<int8_t>{static_cast<int8_t>(p.zeroPoint)})
                                       : addInit(x + "_zero_point", onnx::TensorProto::UINT8, {},
                                                 std::vector<uint8_t>{static_cast<uint8_t>(p.zeroPoint)});
          const auto q = m_names.unique(x + "_quantized");
          const auto dq = m_names.unique(x + "_dequantized");
          *nodes.Add() = makeNode("QuantizeLinear", m_names.unique(x + "_QuantizeLinear"), {x, scale, zero}, q);
          *nodes.Add() = makeNode("DequantizeLinear", m_names.unique(x + "_DequantizeLinear"), {q, scale, zero}, dq);
          dequantized[x] = dq;
        }
        GS_RETURN_IF_ERROR(quantizeWeightsAndBias(n, t, params[x].scale, inits, nodes));
        n.set_input(0, dequantized[x]);
      }
      nodes.Add(std::move(n));
    }
    m_g.mutable_node()->Swap(&nodes);
    for (auto& t : m_added)
      *m_g.add_initializer() = std::move(t);
    dropUnused();
    return ok();
  }

private:
  template <class T>
  std::string addInit(const std::string& base, int32_t dtype, const std::vector<int64_t>& dims,
                      const std::vector<T>& values) {
    onnx::TensorProto t;
    t.set_name(m_names.unique(base));
    proto::setValues(t, dtype, dims, values);
    m_added.push_back(std::move(t));
    return m_added.back().name();
  }

  Status quantizeWeightsAndBias(onnx::NodeProto& n, const QuantTarget& t, float xScale,
                                std::map<std::string, onnx::TensorProto*>& inits,
                                google::protobuf::RepeatedPtrField<onnx::NodeProto>& nodes) {
    auto wi = inits.find(t.weight);
    if (wi == inits.end()) return makeError(codes::kInvalid, "weight '" + t.weight + "' is not an initializer");
    GS_ASSIGN_OR_RETURN(auto w, proto::floatValues(*wi->second));
    const auto dims = proto::dimsOf(*wi->second);
    // The bias (if any) decides the smallest weight scale per channel: |b| / (x_scale * w_scale) must
    // fit int32 with room to spare (2^30), and x_scale * w_scale must stay a normal float.
    std::vector<float> b, minScales;
    if (n.input_size() > 2 && !n.input(2).empty())
      if (auto bi = inits.find(n.input(2)); bi != inits.end()) {
        GS_ASSIGN_OR_RETURN(b, proto::floatValues(*bi->second));
        for (float v : b)
          minScales.push_back(std::max(static_cast<float>(std::abs(static_cast<double>(v)) / xScale / 1073741824.0),
                                       std::numeric_limits<float>::min() * 1024.0f / xScale));
      }
    const auto q = quantizeWeights(w, dims, t.weightAxis, minScales);
    const auto channels = static_cast<int64_t>(q.scales.size());
    const auto wq = addInit(t.weight + "_quantized", onnx::TensorProto::INT8, dims, q.values);
    const auto ws = addInit(t.weight + "_scale", onnx::TensorProto::FLOAT, {channels}, q.scales);
    const auto wdq = m_names.unique(t.weight + "_dequantized");
    *nodes.Add() = makeNode("DequantizeLinear", m_names.unique(t.weight + "_DequantizeLinear"), {wq, ws}, wdq,
                            channels == 1 ? std::nullopt : std::optional<int64_t>(t.weightAxis));
    n.set_input(1, wdq);
    if (n.input_size() < 3 || n.input(2).empty()) return ok();
    if (static_cast<int64_t>(b.size()) != channels) return ok(); // prepareModel only picks constant 1-D biases
    std::vector<float> bs(b.size());
    std::vector<int32_t> bq(b.size());
    int clipped = 0;
    for (std::size_t c = 0; c < b.size(); ++c) {
      bs[c] = xScale * q.scales[c];
      const double v = std::nearbyint(static_cast<double>(b[c]) / bs[c]);
      const double lim = static_cast<double>(INT32_MAX);
      clipped += std::abs(v) > lim ? 1 : 0;
      bq[c] = static_cast<int32_t>(std::clamp(v, -lim, lim));
    }
    if (clipped)
      log::get("quantize")
          ->warn("node '{}': {} bias values exceed int32 at scale x_scale * w_scale and were clipped", n.name(),
                 clipped);
    const auto bname = n.input(2);
    const auto bqn = addInit(bname + "_quantized", onnx::TensorProto::INT32, {channels}, bq);
    const auto bsn = addInit(bname + "_scale", onnx::TensorProto::FLOAT, {channels}, bs);
    const auto bdq = m_names.unique(bname + "_dequantized");
    *nodes.Add() = makeNode("DequantizeLinear", m_names.unique(bname + "_DequantizeLinear"), {bqn, bsn}, bdq,
                            channels == 1 ? std::nullopt : std::optional<int64_t>(0));
    n.set_input(2, bdq);
    return ok();
  }

  void dropUnused() {
    std::set<std::string> used;
    for (const auto& n : m_g.node())
      for (const auto& i : n.input())
        used.insert(i);
    for (const auto& o : m_g.output())
      used.insert(o.name());
    google::protobuf::RepeatedPtrField<onnx::TensorProto> kept;
    for (auto& t : *m_g.mutable_initializer())
      if (used.count(t.name())) kept.Add(std::move(t));
    m_g.mutable_initializer()->Swap(&kept);
  }

  onnx::GraphProto& m_g;
  proto::NameSet m_names;
  const QuantizeOptions& m_opt;
  std::vector<onnx::TensorProto> m_added;
};

} // namespace

Expected<std::string> writeQdqModel(const PreparedModel& prepared, const std::map<std::string, ActivationRange>& ranges,
                                    const QuantizeOptions& options) {
  try {
    onnx::ModelProto m;
    if (prepared.bytes.size() > static_cast<std::size_t>(INT_MAX) || !m.ParseFromString(prepared.bytes))
      return makeError(codes::kFormat, "the prepared model cannot be parsed");
    for (const auto& a : prepared.activations)
      if (!ranges.count(a)) return makeError(codes::kInvalid, "no calibrated range for tensor '" + a + "'");
    Writer w(m, options);
    GS_RETURN_IF_ERROR(w.run(prepared, ranges));
    m.set_producer_name("GearStudio int8 calibration");
    std::string out;
    if (!m.SerializeToString(&out)) return makeError(codes::kInternal, "the quantized model cannot be serialized");
    return out;
  } catch (const std::bad_alloc&) {
    return makeError(codes::kInternal, "out of memory while writing the quantized model");
  } catch (const std::exception& e) {
    return makeError(codes::kInternal, std::string("writing the quantized model failed: ") + e.what());
  }
}

} // namespace gs::quantize
