// ConvTranspose on oneDNN deconvolution. ONNX's output_padding has no oneDNN counterpart: it is folded
// into the right padding (padding_r = pads_end - output_padding), which oneDNN accepts as long as the
// geometry stays consistent.
#include "core/runtime/cpu/kernels/nn/conv_transpose.h"

#include <algorithm>

#include "core/ir/layout.h"
#include "core/runtime/cpu/kernels/nn/deconv_nonoverlap.h"
#include "core/runtime/cpu/kernels/nn/window_primitive.h"

namespace gs::runtime::cpu::nn {

namespace {

class ConvTransposeKernel final : public Kernel {
public:
  explicit ConvTransposeKernel(const CreateContext& ctx) : m_node(ctx.node), m_cache(ctx.weights) {
    if (ctx.constInputs.size() > 1 && ctx.constInputs[1]) m_weights = *ctx.constInputs[1];
    m_hasBias = ctx.node.inputs.size() > 2 && ctx.node.inputs[2] != ir::kNone;
    m_channelsLast = ir::isChannelsLast(ctx.node);
  }

  Status init() {
    GS_ASSIGN_OR_RETURN(m_activation, readActivation(m_node));
    GS_ASSIGN_OR_RETURN(m_autoPad, readAutoPad(m_node));
    m_group = m_node.attrs.getInt("group", 1);
    if (m_group < 1) return std::unexpected(kernelError(m_node, "group must be >= 1", codes::kInvalid));
    return ok();
  }

  Expected<std::size_t> reshape(const ReshapeContext& ctx) override {
    // A channels-last ConvTranspose gets NHWC dims; everything below works in NCHW order.
    const auto x = m_channelsLast ? ir::nhwcToNchw(ctx.inputDims[0]) : ctx.inputDims[0];
    const auto& w = ctx.inputDims[1];
    if (x.size() < 3 || x.size() > 5 || w.size() != x.size() || (m_channelsLast && x.size() != 4))
      return std::unexpected(kernelError(m_node, "X and W must both have rank 3, 4 or 5 (4 when channels-last)"));
    const std::size_t spatial = x.size() - 2;
    const int64_t c = x[1], m = w[1] * m_group;
    if (w[0] != c || c % m_group != 0)
      return std::unexpected(kernelError(m_node, "W's first dim must equal the input channels"));
    GS_ASSIGN_OR_RETURN(auto win, readWindow(m_node, spatial, std::vector<int64_t>(w.begin() + 2, w.end())));
    auto outPad = m_node.attrs.getInts("output_padding", std::vector<int64_t>(spatial, 0));
    auto outShape = m_node.attrs.getInts("output_shape");
    if (outShape.size() == spatial + 2) outShape.erase(outShape.begin(), outShape.begin() + 2);
    if (outPad.size() != spatial || (!outShape.empty() && outShape.size() != spatial))
      return std::unexpected(kernelError(m_node, "output_padding/output_shape rank mismatch", codes::kInvalid));

    std::vector<int64_t> y{x[0], m};
    for (std::size_t i = 0; i < spatial; ++i) {
      const int64_t ext = (win.kernel[i] - 1) * win.dilations[i] + 1;
      const int64_t full = win.strides[i] * (x[i + 2] - 1) + outPad[i] + ext;
      int64_t out = 0;
      if (!outShape.empty() || m_autoPad == AutoPad::SameUpper || m_autoPad == AutoPad::SameLower) {
        out = !outShape.empty() ? outShape[i] : x[i + 2] * win.strides[i];
        // A requested size beyond the full transpose leaves a bias-only tail (as ONNX Runtime does):
        // no padding then, and a negative right padding for oneDNN below.
        const int64_t total = std::max<int64_t>(0, full - out);
        // ONNX: SAME_UPPER puts the smaller half first; otherwise the larger half goes first.
        win.padL[i] = m_autoPad == AutoPad::SameUpper ? total / 2 : total - total / 2;
        win.padR[i] = full - out - win.padL[i];
      } else {
        if (m_autoPad == AutoPad::Valid) win.padL[i] = win.padR[i] = 0;
        out = full - win.padL[i] - win.padR[i];
      }
      y.push_back(out);
      win.padR[i] -= outPad[i];
    }
    if (!ctx.outputDims.empty() && ctx.outputDims[0] && *ctx.outputDims[0] != (m_channelsLast ? ir::nchwToNhwc(y) : y))
      return std::unexpected(kernelError(m_node, "output shape from shape inference differs from ConvTranspose's"));
    for (auto d : y)
      if (d <= 0) return std::unexpected(kernelError(m_node, "empty output"));
    m_direct = NonOverlappingDeconv::applies(x, w, y, m_group, win);
    if (m_direct) return m_nonOverlapping.reshape(x, w, m_activation, m_channelsLast);

    // oneDNN weights dims are (g, oc/g, ic/g, k...); ONNX stores them as (g, ic/g, oc/g, k...).
    const int64_t k = product(w, 2, w.size());
    std::vector<int64_t> wd, ws;
    if (m_group > 1) {
      wd = {m_group, m / m_group, c / m_group};
      ws = {(c / m_group) * (m / m_group) * k, k, (m / m_group) * k};
    } else {
      wd = {m, c};
      ws = {k, m * k};
    }
    for (std::size_t i = 2; i < w.size(); ++i) {
      wd.push_back(w[i]);
      ws.push_back(product(w, i + 1, w.size()));
    }

    WindowPrimitive::Spec spec;
    spec.srcDims = x;
    spec.dstDims = y;
    spec.userWeightsMd = dnnl::memory::desc(toDnnl(wd), dnnl::memory::data_type::f32, toDnnl(ws));
    spec.constWeights = m_weights.buffer ? m_weights.data() : nullptr;
    spec.hasBias = m_hasBias;
    spec.biasLen = m;
    spec.activation = m_activation;
    spec.cache = m_cache;
    spec.activationOutside = true;
    // Non-overlapping windows outside NonOverlappingDeconv's cases (1-D/3-D, groups): oneDNN's gemm
    // kernel beat its blocked jit kernel there (44 vs 68 ms under load).
    bool nonOverlapping = true;
    for (std::size_t i = 0; i < spatial; ++i)
      nonOverlapping = nonOverlapping && win.kernel[i] == win.strides[i] && win.dilations[i] == 1;
    spec.preferPlain = nonOverlapping;
    spec.cacheTag = "deconv";
    spec.channelsLast = m_channelsLast;
    const auto strides = toDnnl(win.strides), dil = minusOne(win.dilations);
    const auto padL = toDnnl(win.padL), padR = toDnnl(win.padR);
    auto maker = [&](const dnnl::memory::desc& s, const dnnl::memory::desc& wmd, const dnnl::memory::desc& b,
                     const dnnl::memory::desc& d, const dnnl::primitive_attr& attr) -> dnnl::primitive_desc {
      using df = dnnl::deconvolution_forward;
      const auto pk = dnnl::prop_kind::forward_inference;
      const auto alg = dnnl::algorithm::deconvolution_direct;
      if (spec.hasBias)
        return df::primitive_desc(df::desc(pk, alg, s, wmd, b, d, strides, dil, padL, padR), attr, dnnlEngine());
      return df::primitive_desc(df::desc(pk, alg, s, wmd, d, strides, dil, padL, padR), attr, dnnlEngine());
    };
    return m_prim.build(m_node, spec, maker);
  }

  Status run(std::span<const TensorRef> inputs, std::span<TensorRef> outputs, RunContext& ctx) override {
    const float* bias = m_hasBias ? inputs[2].as<const float>() : nullptr;
    if (m_direct)
      return m_nonOverlapping.run(m_node, inputs[0].as<const float>(), inputs[1].as<const float>(), bias,
                                  outputs[0].as<float>(), ctx.workspace, ctx.workspaceBytes);
    return m_prim.run(m_node, inputs[0].as<const float>(), inputs[1].as<const float>(), bias, nullptr,
                      outputs[0].as<float>(), ctx.workspace, ctx.workspaceBytes);
  }

private:
  ir::Node m_node;
  WeightCache* m_cache = nullptr;
  ir::Tensor m_weights;
  Activation m_activation;
  AutoPad m_autoPad = AutoPad::NotSet;
  int64_t m_group = 1;
  bool m_hasBias = false;
  bool m_channelsLast = false;
  bool m_direct = false; // NonOverlappingDeconv computes this shape
  NonOverlappingDeconv m_nonOverlapping;
  WindowPrimitive m_prim;
};

} // namespace

Expected<std::unique_ptr<Kernel>> createConvTranspose(const CreateContext& ctx) {
  auto k = std::make_unique<ConvTransposeKernel>(ctx);
  GS_RETURN_IF_ERROR(k->init());
  return std::unique_ptr<Kernel>(std::move(k));
}

bool supportsConvTranspose(const ir::Node& node, std::span<const ir::DataType> inputTypes) {
  return allInputsFloat32(node, inputTypes);
}

} // namespace gs::runtime::cpu::nn
