// Conv on oneDNN: the primitive, packed weights and boundary reorders are made in reshape(); run()
// only sets data handles and executes.
#include "core/runtime/cpu/kernels/nn/conv.h"

#include <algorithm>

#include "core/ir/layout.h"
#include "core/runtime/cpu/kernels/nn/conv_im2col.h"
#include "core/runtime/cpu/kernels/nn/window_primitive.h"

namespace gs::runtime::cpu::nn {

namespace {

class ConvKernel final : public Kernel {
public:
  explicit ConvKernel(const CreateContext& ctx) : m_node(ctx.node) {
    // FusedConv: residual Z is input 3 (core/ir/gs_ops.h); a plain ONNX Conv has none.
    m_fusedAdd = ir::gsop::hasResidual(ctx.node);
    m_channelsLast = ir::isChannelsLast(ctx.node);
    const std::size_t n = ctx.node.inputs.size();
    m_addIndex = m_fusedAdd ? 3 : n;
    m_biasIndex = (n > 2 && ctx.node.inputs[2] != ir::kNone) ? 2 : n;
    if (ctx.constInputs.size() > 1 && ctx.constInputs[1]) m_weights = *ctx.constInputs[1];
    m_cache = ctx.weights;
  }

  Status init() {
    GS_ASSIGN_OR_RETURN(m_activation, readActivation(m_node));
    GS_ASSIGN_OR_RETURN(m_autoPad, readAutoPad(m_node));
    m_group = m_node.attrs.getInt("group", 1);
    if (m_group < 1) return std::unexpected(kernelError(m_node, "group must be >= 1", codes::kInvalid));
    return ok();
  }

  Expected<std::size_t> reshape(const ReshapeContext& ctx) override {
    // A channels-last conv gets NHWC dims; everything below works in NCHW order.
    const auto x = m_channelsLast ? ir::nhwcToNchw(ctx.inputDims[0]) : ctx.inputDims[0];
    const auto& w = ctx.inputDims[1];
    if (x.size() < 3 || x.size() > 5 || w.size() != x.size() || (m_channelsLast && x.size() != 4))
      return std::unexpected(kernelError(m_node, "X and W must both have rank 3, 4 or 5 (4 when channels-last)"));
    const std::size_t spatial = x.size() - 2;
    const int64_t c = x[1], m = w[0];
    if (c != w[1] * m_group || m % m_group != 0)
      return std::unexpected(kernelError(m_node, "channels " + std::to_string(c) + " do not match W and group " +
                                                     std::to_string(m_group)));
    GS_ASSIGN_OR_RETURN(auto win, readWindow(m_node, spatial, std::vector<int64_t>(w.begin() + 2, w.end())));
    for (std::size_t i = 0; i < spatial; ++i)
      if (win.kernel[i] != w[i + 2]) return std::unexpected(kernelError(m_node, "kernel_shape does not match W"));
    resolveAutoPad(win, m_autoPad, std::span(x).subspan(2));
    std::vector<int64_t> y{x[0], m};
    for (std::size_t i = 0; i < spatial; ++i)
      y.push_back(
          windowOutput(x[i + 2], win.kernel[i], win.strides[i], win.dilations[i], win.padL[i], win.padR[i], false));
    const auto yStored = m_channelsLast ? ir::nchwToNhwc(y) : y;
    if (!ctx.outputDims.empty() && ctx.outputDims[0] && *ctx.outputDims[0] != yStored)
      return std::unexpected(kernelError(m_node, "output shape from shape inference differs from the conv's"));
    for (auto d : y)
      if (d <= 0) return std::unexpected(kernelError(m_node, "empty output"));
    if (m_fusedAdd && ctx.inputDims[m_addIndex] != yStored)
      return std::unexpected(kernelError(m_node, "fused addend shape differs from the output shape"));

    m_im2col = Im2colConv1d::applies(x, w, m_group, m_channelsLast, m_fusedAdd);
    if (m_im2col) {
      m_output = y;
      return m_im2colConv.reshape(x, w, y, win, m_activation);
    }

    // oneDNN expresses groups as a leading weights dim; the ONNX bytes are the same plain layout.
    std::vector<int64_t> wd;
    if (m_group > 1)
      wd = {m_group, m / m_group};
    else
      wd = {m};
    wd.insert(wd.end(), w.begin() + 1, w.end());

    WindowPrimitive::Spec spec;
    spec.srcDims = x;
    spec.dstDims = y;
    spec.userWeightsMd = plainDesc(wd);
    spec.constWeights = m_weights.buffer ? m_weights.data() : nullptr;
    spec.hasBias = m_biasIndex < ctx.inputDims.size();
    spec.biasLen = m;
    spec.fusedAdd = m_fusedAdd;
    spec.activation = m_activation;
    spec.cache = m_cache;
    spec.cacheTag = "conv";
    spec.channelsLast = m_channelsLast;
    const bool pureGemm = std::all_of(win.kernel.begin(), win.kernel.end(), [](int64_t k) { return k == 1; }) &&
                          std::all_of(win.strides.begin(), win.strides.end(), [](int64_t v) { return v == 1; }) &&
                          std::all_of(win.padL.begin(), win.padL.end(), [](int64_t v) { return v == 0; }) &&
                          std::all_of(win.padR.begin(), win.padR.end(), [](int64_t v) { return v == 0; });
    spec.preferPlain = pureGemm && product(y, 2, y.size()) <= WindowPrimitive::kPlainGemmMaxSpatial;
    m_output = y;
    const auto strides = toDnnl(win.strides), dil = minusOne(win.dilations);
    const auto padL = toDnnl(win.padL), padR = toDnnl(win.padR);
    auto maker = [&](const dnnl::memory::desc& s, const dnnl::memory::desc& wmd, const dnnl::memory::desc& b,
                     const dnnl::memory::desc& d, const dnnl::primitive_attr& attr) -> dnnl::primitive_desc {
      using cf = dnnl::convolution_forward;
      const auto pk = dnnl::prop_kind::forward_inference;
      const auto alg = dnnl::algorithm::convolution_direct;
      if (spec.hasBias)
        return cf::primitive_desc(cf::desc(pk, alg, s, wmd, b, d, strides, dil, padL, padR), attr, dnnlEngine());
      return cf::primitive_desc(cf::desc(pk, alg, s, wmd, d, strides, dil, padL, padR), attr, dnnlEngine());
    };
    return m_prim.build(m_node, spec, maker);
  }

  Status run(std::span<const TensorRef> inputs, std::span<TensorRef> outputs, RunContext& ctx) override {
    const float* bias = m_biasIndex < inputs.size() ? inputs[m_biasIndex].as<const float>() : nullptr;
    if (m_im2col)
      return m_im2colConv.run(m_node, inputs[0].as<const float>(), inputs[1].as<const float>(), bias,
                              outputs[0].as<float>(), ctx.workspace, ctx.workspaceBytes);
    const float* add = m_fusedAdd ? inputs[m_addIndex].as<const float>() : nullptr;
    return m_prim.run(m_node, inputs[0].as<const float>(), inputs[1].as<const float>(), bias, add,
                      outputs[0].as<float>(), ctx.workspace, ctx.workspaceBytes);
  }

private:
  ir::Node m_node;
  ir::Tensor m_weights;
  WeightCache* m_cache = nullptr;
  Activation m_activation;
  AutoPad m_autoPad = AutoPad::NotSet;
  int64_t m_group = 1;
  bool m_fusedAdd = false;
  bool m_channelsLast = false;
  std::size_t m_addIndex = 0, m_biasIndex = 0;
  std::vector<int64_t> m_output;
  WindowPrimitive m_prim;
  bool m_im2col = false; // Im2colConv1d computes this shape
  Im2colConv1d m_im2colConv;
};

} // namespace

Expected<std::unique_ptr<Kernel>> createConv(const CreateContext& ctx) {
  auto k = std::make_unique<ConvKernel>(ctx);
  GS_RETURN_IF_ERROR(k->init());
  return std::unique_ptr<Kernel>(std::move(k));
}

bool supportsConv(const ir::Node& node, std::span<const ir::DataType> inputTypes) {
  return allInputsFloat32(node, inputTypes);
}

} // namespace gs::runtime::cpu::nn
