// Shared helpers of the neural-network kernels (see nn_common.h).
#include "core/runtime/cpu/kernels/nn/nn_common.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <sstream>

#include "core/ir/gs_ops.h"

namespace gs::runtime::cpu::nn {

const dnnl::engine& dnnlEngine() {
  static const dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

dnnl::stream& dnnlStream() {
  thread_local dnnl::stream stream(dnnlEngine());
  return stream;
}

bool allInputsFloat32(const ir::Node&, std::span<const ir::DataType> inputTypes) {
  for (auto t : inputTypes)
    if (t != ir::DataType::Undefined && t != ir::DataType::Float32) return false;
  return !inputTypes.empty() && inputTypes[0] == ir::DataType::Float32;
}

bool inputsFloat32(std::span<const ir::DataType> inputTypes, std::initializer_list<std::size_t> floatIdx) {
  for (auto i : floatIdx)
    if (i < inputTypes.size() && inputTypes[i] != ir::DataType::Undefined && inputTypes[i] != ir::DataType::Float32)
      return false;
  return !inputTypes.empty() && inputTypes[0] == ir::DataType::Float32;
}

Error kernelError(const ir::Node& node, const std::string& message, const char* code) {
  return Error{code, node.opType + " node '" + node.name + "': " + message};
}

Expected<Activation> readActivation(const ir::Node& node) {
  Activation act;
  // Only GearStudio's fused ops carry an activation (core/ir/gs_ops.h); an ONNX op has none.
  if (!ir::gsop::inDomain(node)) return act;
  const auto name = node.attrs.getString(ir::gsop::kActivation, "");
  const auto params = node.attrs.getFloats(ir::gsop::kActivationParams);
  auto param = [&](std::size_t i, float def) { return i < params.size() ? params[i] : def; };
  using K = Activation::Kind;
  act.postScale = node.attrs.getFloat(ir::gsop::kPostScale, 1.0f);
  act.postShift = node.attrs.getFloat(ir::gsop::kPostShift, 0.0f);
  if (name.empty()) return act;
  if (name == "Relu") {
    act.kind = K::Relu;
  } else if (name == "Clip") {
    act.kind = K::Clip;
    act.a = param(0, std::numeric_limits<float>::lowest());
    act.b = param(1, std::numeric_limits<float>::max());
  } else if (name == "HardSigmoid") {
    act.kind = K::HardSigmoid;
    act.a = param(0, 0.2f);
    act.b = param(1, 0.5f);
  } else if (name == "HardSwish") {
    act.kind = K::HardSwish;
  } else if (name == "LeakyRelu") {
    act.kind = K::LeakyRelu;
    act.a = param(0, 0.01f);
  } else if (name == "Sigmoid") {
    act.kind = K::Sigmoid;
  } else if (name == "Tanh") {
    act.kind = K::Tanh;
  } else {
    return std::unexpected(kernelError(node, "unknown fused activation '" + name + "'", codes::kUnsupported));
  }
  return act;
}

void appendActivation(dnnl::post_ops& ops, const Activation& act) {
  using A = dnnl::algorithm;
  using K = Activation::Kind;
  switch (act.kind) {
  case K::None:
    break;
  case K::Relu:
    ops.append_eltwise(1.0f, A::eltwise_relu, 0.0f, 0.0f);
    break;
  case K::LeakyRelu:
    ops.append_eltwise(1.0f, A::eltwise_relu, act.a, 0.0f);
    break;
  case K::Clip:
    ops.append_eltwise(1.0f, A::eltwise_clip, act.a, act.b);
    break;
  case K::HardSigmoid:
    // oneDNN 2.6 has no hardsigmoid: alpha*x+beta, then clip to [0,1]. With an epilogue the affine
    // step folds into both: s*clip(a*x+b, 0, 1)+t = clip(a*s*x + b*s+t, t and s+t in order). One
    // linear post-op only: oneDNN 2.6's brgconv_1x1 (channels-last 1x1 convs on AVX-512) computes a
    // chain with two eltwise_linear post-ops wrongly.
    if (act.hasPost()) {
      const float s = act.postScale, t = act.postShift;
      ops.append_eltwise(1.0f, A::eltwise_linear, act.a * s, act.b * s + t);
      ops.append_eltwise(1.0f, A::eltwise_clip, std::min(t, s + t), std::max(t, s + t));
      return;
    }
    ops.append_eltwise(1.0f, A::eltwise_linear, act.a, act.b);
    ops.append_eltwise(1.0f, A::eltwise_clip, 0.0f, 1.0f);
    break;
  case K::HardSwish:
    // oneDNN: x * min(max(x + 3, 0), 6) / 6, which is ONNX's x * max(0, min(1, x/6 + 0.5)).
    ops.append_eltwise(1.0f, A::eltwise_hardswish, 0.0f, 0.0f);
    break;
  case K::Sigmoid:
    ops.append_eltwise(1.0f, A::eltwise_logistic, 0.0f, 0.0f);
    break;
  case K::Tanh:
    ops.append_eltwise(1.0f, A::eltwise_tanh, 0.0f, 0.0f);
    break;
  }
  if (act.hasPost()) ops.append_eltwise(1.0f, A::eltwise_linear, act.postScale, act.postShift);
}

void applyActivation(float* data, int64_t n, const Activation& act) {
  if (act.hasPost()) {
    Activation plain = act;
    plain.postScale = 1.0f;
    plain.postShift = 0.0f;
    applyActivation(data, n, plain);
    const float s = act.postScale, t = act.postShift;
#pragma omp parallel for if (n > 65536)
    for (int64_t i = 0; i < n; ++i)
      data[i] = data[i] * s + t;
    return;
  }
  using K = Activation::Kind;
  const float a = act.a, b = act.b;
  switch (act.kind) {
  case K::None:
    return;
  case K::Relu:
#pragma omp parallel for if (n > 65536)
    for (int64_t i = 0; i < n; ++i)
      data[i] = std::max(data[i], 0.0f);
    return;
  case K::LeakyRelu:
#pragma omp parallel for if (n > 65536)
    for (int64_t i = 0; i < n; ++i)
      data[i] = data[i] < 0.0f ? a * data[i] : data[i];
    return;
  case K::Clip:
#pragma omp parallel for if (n > 65536)
    for (int64_t i = 0; i < n; ++i)
      data[i] = std::min(std::max(data[i], a), b);
    return;
  case K::HardSigmoid:
#pragma omp parallel for if (n > 65536)
    for (int64_t i = 0; i < n; ++i)
      data[i] = std::min(std::max(a * data[i] + b, 0.0f), 1.0f);
    return;
  case K::HardSwish:
#pragma omp parallel for if (n > 65536)
    for (int64_t i = 0; i < n; ++i)
      data[i] = data[i] * std::min(std::max(data[i] / 6.0f + 0.5f, 0.0f), 1.0f);
    return;
  case K::Sigmoid:
#pragma omp parallel for if (n > 16384)
    for (int64_t i = 0; i < n; ++i)
      data[i] = 1.0f / (1.0f + std::exp(-data[i]));
    return;
  case K::Tanh:
#pragma omp parallel for if (n > 16384)
    for (int64_t i = 0; i < n; ++i)
      data[i] = std::tanh(data[i]);
    return;
  }
}

Expected<AutoPad> readAutoPad(const ir::Node& node) {
  const auto s = node.attrs.getString("auto_pad", "NOTSET");
  if (s == "NOTSET" || s.empty()) return AutoPad::NotSet;
  if (s == "SAME_UPPER") return AutoPad::SameUpper;
  if (s == "SAME_LOWER") return AutoPad::SameLower;
  if (s == "VALID") return AutoPad::Valid;
  return std::unexpected(kernelError(node, "invalid auto_pad '" + s + "'", codes::kInvalid));
}

Expected<Window> readWindow(const ir::Node& node, std::size_t spatial, const std::vector<int64_t>& kernelFallback) {
  Window w;
  w.kernel = node.attrs.getInts("kernel_shape", kernelFallback);
  w.strides = node.attrs.getInts("strides", std::vector<int64_t>(spatial, 1));
  w.dilations = node.attrs.getInts("dilations", std::vector<int64_t>(spatial, 1));
  auto pads = node.attrs.getInts("pads", std::vector<int64_t>(2 * spatial, 0));
  if (w.kernel.size() != spatial || w.strides.size() != spatial || w.dilations.size() != spatial ||
      pads.size() != 2 * spatial)
    return std::unexpected(kernelError(
        node, "kernel_shape/strides/dilations/pads do not match " + std::to_string(spatial) + " spatial dims",
        codes::kInvalid));
  for (std::size_t i = 0; i < spatial; ++i)
    if (w.kernel[i] < 1 || w.strides[i] < 1 || w.dilations[i] < 1 || pads[i] < 0 || pads[i + spatial] < 0)
      return std::unexpected(kernelError(node, "invalid kernel/stride/dilation/pad values", codes::kInvalid));
  w.padL.assign(pads.begin(), pads.begin() + static_cast<std::ptrdiff_t>(spatial));
  w.padR.assign(pads.begin() + static_cast<std::ptrdiff_t>(spatial), pads.end());
  return w;
}

void resolveAutoPad(Window& w, AutoPad mode, std::span<const int64_t> in) {
  if (mode == AutoPad::NotSet) return;
  for (std::size_t i = 0; i < w.kernel.size(); ++i) {
    if (mode == AutoPad::Valid) {
      w.padL[i] = w.padR[i] = 0;
      continue;
    }
    const int64_t out = (in[i] + w.strides[i] - 1) / w.strides[i];
    const int64_t ext = (w.kernel[i] - 1) * w.dilations[i] + 1;
    const int64_t total = std::max<int64_t>(0, (out - 1) * w.strides[i] + ext - in[i]);
    w.padL[i] = mode == AutoPad::SameUpper ? total / 2 : total - total / 2;
    w.padR[i] = total - w.padL[i];
  }
}

int64_t windowOutput(int64_t in, int64_t kernel, int64_t stride, int64_t dilation, int64_t padL, int64_t padR,
                     bool ceilMode) {
  const int64_t span = in + padL + padR - ((kernel - 1) * dilation + 1);
  if (span < 0) return 0;
  return (ceilMode ? (span + stride - 1) / stride : span / stride) + 1;
}

dnnl::memory::dims toDnnl(std::span<const int64_t> v) { return dnnl::memory::dims(v.begin(), v.end()); }

dnnl::memory::dims minusOne(std::span<const int64_t> v) {
  dnnl::memory::dims d;
  for (auto x : v)
    d.push_back(x - 1);
  return d;
}

dnnl::memory::desc plainDesc(std::span<const int64_t> dims) {
  dnnl::memory::dims strides(dims.size(), 1);
  for (std::size_t i = dims.size(); i-- > 1;)
    strides[i - 1] = strides[i] * std::max<int64_t>(dims[i], 1);
  return dnnl::memory::desc(toDnnl(dims), dnnl::memory::data_type::f32, strides);
}

dnnl::memory::desc userDesc(std::span<const int64_t> nchwDims, bool channelsLast) {
  if (!channelsLast || nchwDims.size() != 4) return plainDesc(nchwDims);
  const int64_t c = std::max<int64_t>(nchwDims[1], 1), h = std::max<int64_t>(nchwDims[2], 1),
                w = std::max<int64_t>(nchwDims[3], 1);
  const dnnl::memory::dims strides{h * w * c, 1, w * c, c};
  return dnnl::memory::desc(toDnnl(nchwDims), dnnl::memory::data_type::f32, strides);
}

std::string describe(const dnnl::memory::desc& md) {
  // ostringstream rather than string concatenation: GCC 12 warns falsely (-Wrestrict) on the latter.
  const auto& d = md.data;
  std::ostringstream s;
  s << 'd';
  for (int i = 0; i < d.ndims; ++i)
    s << d.dims[i] << ',';
  s << 'k' << static_cast<int>(d.format_kind);
  if (d.format_kind == dnnl_blocked) {
    const auto& b = d.format_desc.blocking;
    s << 's';
    for (int i = 0; i < d.ndims; ++i)
      s << b.strides[i] << ',';
    s << 'b';
    for (int i = 0; i < b.inner_nblks; ++i)
      s << b.inner_idxs[i] << ':' << b.inner_blks[i] << ',';
  }
  s << 'x' << d.extra.flags;
  return s.str();
}

bool isPlain(const dnnl::memory::desc& md, std::span<const int64_t> dims) { return md == plainDesc(dims); }

std::shared_ptr<void> alignedShared(std::size_t bytes) {
  void* p = std::aligned_alloc(64, alignUp(std::max<std::size_t>(bytes, 1)));
  if (!p) return nullptr;
  return std::shared_ptr<void>(p, [](void* q) { std::free(q); });
}

Expected<std::shared_ptr<const void>> packWeights(WeightCache* cache, const void* source, const std::string& tag,
                                                  const dnnl::memory::desc& userMd,
                                                  const dnnl::memory::desc& packedMd) {
  std::string failure;
  auto make = [&](std::size_t& bytes) -> std::shared_ptr<const void> {
    bytes = packedMd.get_size();
    auto buffer = alignedShared(bytes);
    if (!buffer) {
      failure = "out of memory packing weights";
      return nullptr;
    }
    try {
      dnnl::memory src(userMd, dnnlEngine(), const_cast<void*>(source));
      dnnl::memory dst(packedMd, dnnlEngine(), buffer.get());
      dnnl::reorder(src, dst).execute(dnnlStream(), src, dst);
      dnnlStream().wait();
    } catch (const dnnl::error& e) {
      failure = std::string("oneDNN weight reorder: ") + e.what();
      return nullptr;
    }
    return buffer;
  };
  const std::string key = tag + "|" + describe(userMd) + "->" + describe(packedMd);
  std::shared_ptr<const void> packed;
  if (cache) {
    packed = cache->getOrCreate(source, key, make);
  } else {
    std::size_t bytes = 0;
    packed = make(bytes);
  }
  if (!packed) return makeError(codes::kRuntime, failure.empty() ? "weight packing failed earlier" : failure);
  return packed;
}

int64_t product(std::span<const int64_t> dims, std::size_t from, std::size_t to) {
  int64_t p = 1;
  for (std::size_t i = from; i < to && i < dims.size(); ++i)
    p *= dims[i];
  return p;
}

Expected<int64_t> normalizeAxis(const ir::Node& node, int64_t axis, std::size_t rank) {
  const auto r = static_cast<int64_t>(rank);
  if (axis < -r || axis >= std::max<int64_t>(r, 1))
    return std::unexpected(kernelError(
        node, "axis " + std::to_string(axis) + " out of range for rank " + std::to_string(rank), codes::kInvalid));
  return axis < 0 ? axis + r : axis;
}

} // namespace gs::runtime::cpu::nn
