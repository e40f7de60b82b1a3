// LSTM / GRU / RNN (see rnn.h). The input projection X.W^T of all time steps is one sgemm per direction;
// each step adds H.R^T (another sgemm) and applies the gate functions (Sigmoid and Tanh on whole gate
// vectors). Sequences shorter than the batch's longest stop updating their state (their Y rows stay
// zero), as ONNX specifies.
#include "core/runtime/cpu/kernels/nn/rnn.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>

#include "core/runtime/cpu/kernels/nn/matmul_primitive.h"
#include "core/runtime/cpu/kernels/nn/mvec.h"
#include "core/runtime/cpu/kernels/nn/nn_common.h"

namespace gs::runtime::cpu::nn {

namespace {

enum class Cell { Rnn, Gru, Lstm };

struct Func {
  enum class Kind {
    Relu,
    Tanh,
    Sigmoid,
    Affine,
    LeakyRelu,
    ThresholdedRelu,
    ScaledTanh,
    HardSigmoid,
    Elu,
    Softsign,
    Softplus
  };
  Kind kind = Kind::Sigmoid;
  float alpha = 0.0f, beta = 0.0f;

  float operator()(float x) const {
    switch (kind) {
    case Kind::Relu:
      return std::max(x, 0.0f);
    case Kind::Tanh:
      return std::tanh(x);
    case Kind::Sigmoid:
      return 1.0f / (1.0f + std::exp(-x));
    case Kind::Affine:
      return alpha * x + beta;
    case Kind::LeakyRelu:
      return x < 0.0f ? alpha * x : x;
    case Kind::ThresholdedRelu:
      return x > alpha ? x : 0.0f;
    case Kind::ScaledTanh:
      return alpha * std::tanh(beta * x);
    case Kind::HardSigmoid:
      return std::min(1.0f, std::max(0.0f, alpha * x + beta));
    case Kind::Elu:
      return x < 0.0f ? alpha * (std::exp(x) - 1.0f) : x;
    case Kind::Softsign:
      return x / (1.0f + std::abs(x));
    case Kind::Softplus:
      return std::log1p(std::exp(x));
    }
    return x;
  }
};

// f over n floats in place: Sigmoid and Tanh (the defaults, nearly every exported model) on glibc's
// vector math (mvec.h) instead of one libm call per element; the other functions element by element.
void applyInPlace(const Func& f, float* p, int64_t n) {
  if (f.kind == Func::Kind::Sigmoid) {
    mvec::sigmoid(p, n);
  } else if (f.kind == Func::Kind::Tanh) {
    mvec::tanh(p, p, n);
  } else {
    for (int64_t i = 0; i < n; ++i)
      p[i] = f(p[i]);
  }
}

// Reads `activations` with their alphas/betas consumed in order (by the functions that take them).
Expected<std::vector<Func>> readFuncs(const ir::Node& node, const std::vector<std::string>& defaults, int dirs) {
  const auto* attr = node.attrs.find("activations");
  std::vector<std::string> names;
  if (attr && !attr->strings.empty())
    names = attr->strings;
  else
    for (int d = 0; d < dirs; ++d)
      names.insert(names.end(), defaults.begin(), defaults.end());
  if (names.size() != defaults.size() * static_cast<std::size_t>(dirs))
    return std::unexpected(
        kernelError(node, "activations must list " + std::to_string(defaults.size()) + " functions per direction",
                    codes::kInvalid));
  const auto alphas = node.attrs.getFloats("activation_alpha");
  const auto betas = node.attrs.getFloats("activation_beta");
  std::size_t ai = 0, bi = 0;
  std::vector<Func> funcs;
  using K = Func::Kind;
  struct Known {
    const char* name;
    K kind;
    int params;
    float a, b;
  };
  static const Known known[] = {{"relu", K::Relu, 0, 0, 0},
                                {"tanh", K::Tanh, 0, 0, 0},
                                {"sigmoid", K::Sigmoid, 0, 0, 0},
                                {"affine", K::Affine, 2, 1.0f, 0.0f},
                                {"leakyrelu", K::LeakyRelu, 1, 0.01f, 0},
                                {"thresholdedrelu", K::ThresholdedRelu, 1, 1.0f, 0},
                                {"scaledtanh", K::ScaledTanh, 2, 1.0f, 1.0f},
                                {"hardsigmoid", K::HardSigmoid, 2, 0.2f, 0.5f},
                                {"elu", K::Elu, 1, 1.0f, 0},
                                {"softsign", K::Softsign, 0, 0, 0},
                                {"softplus", K::Softplus, 0, 0, 0}};
  for (const auto& n : names) {
    std::string lower(n);
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    const Known* k = nullptr;
    for (const auto& kn : known)
      if (lower == kn.name) k = &kn;
    if (!k) return std::unexpected(kernelError(node, "unsupported activation '" + n + "'", codes::kUnsupported));
    Func f{k->kind, k->a, k->b};
    if (k->params >= 1 && ai < alphas.size()) f.alpha = alphas[ai++];
    if (k->params >= 2 && bi < betas.size()) f.beta = betas[bi++];
    funcs.push_back(f);
  }
  return funcs;
}

class RnnKernel final : public Kernel {
public:
  RnnKernel(const CreateContext& ctx, Cell cell) : m_node(ctx.node), m_cell(cell) {
    m_gates = cell == Cell::Lstm ? 4 : cell == Cell::Gru ? 3 : 1;
    m_hidden = ctx.node.attrs.getInt("hidden_size", 0);
    m_layout = ctx.node.attrs.getInt("layout", 0);
    m_lbr = ctx.node.attrs.getInt("linear_before_reset", 0) != 0;
    m_inputForget = ctx.node.attrs.getInt("input_forget", 0) != 0;
    m_clip = ctx.node.attrs.getFloat("clip", 0.0f);
    m_hasClip = ctx.node.attrs.has("clip");
    if (ctx.constInputs.size() > 2 && ctx.constInputs[2]) m_rConst = *ctx.constInputs[2];
    m_cache = ctx.weights;
  }

  Status init() {
    const auto dir = m_node.attrs.getString("direction", "forward");
    if (dir == "forward")
      m_dirs = 1;
    else if (dir == "reverse")
      m_dirs = 1, m_reverseOnly = true;
    else if (dir == "bidirectional")
      m_dirs = 2;
    else
      return std::unexpected(kernelError(m_node, "invalid direction '" + dir + "'", codes::kInvalid));
    if (m_hidden <= 0) return std::unexpected(kernelError(m_node, "hidden_size must be > 0", codes::kInvalid));
    const std::vector<std::string> defaults = m_cell == Cell::Lstm ? std::vector<std::string>{"Sigmoid", "Tanh", "Tanh"}
                                              : m_cell == Cell::Gru ? std::vector<std::string>{"Sigmoid", "Tanh"}
                                                                    : std::vector<std::string>{"Tanh"};
    GS_ASSIGN_OR_RETURN(m_funcs, readFuncs(m_node, defaults, m_dirs));
    m_funcsPerDir = defaults.size();
    return ok();
  }

  Expected<std::size_t> reshape(const ReshapeContext& ctx) override {
    const auto& x = ctx.inputDims[0];
    if (x.size() != 3) return std::unexpected(kernelError(m_node, "X must be 3-D"));
    m_seq = m_layout ? x[1] : x[0];
    m_batch = m_layout ? x[0] : x[1];
    m_input = x[2];
    const int64_t gh = m_gates * m_hidden;
    const auto& w = ctx.inputDims[1];
    const auto& r = ctx.inputDims[2];
    if (w != std::vector<int64_t>{m_dirs, gh, m_input} || r != std::vector<int64_t>{m_dirs, gh, m_hidden})
      return std::unexpected(kernelError(m_node, "W/R shapes do not match hidden_size, direction and X"));
    auto present = [&](std::size_t i) {
      return i < ctx.inputTypes.size() && ctx.inputTypes[i] != ir::DataType::Undefined;
    };
    m_hasB = present(3);
    m_hasLens = present(4);
    m_hasH0 = present(5);
    m_hasC0 = m_cell == Cell::Lstm && present(6);
    m_hasP = m_cell == Cell::Lstm && present(7);
    m_lens.assign(static_cast<std::size_t>(m_batch), m_seq);
    if (m_hasB && ctx.inputDims[3] != std::vector<int64_t>{m_dirs, 2 * gh})
      return std::unexpected(kernelError(m_node, "B must be [num_directions, 2 * gates * hidden_size]"));
    // Workspace: projected inputs, per-step gates, state h and c, GRU's reset-gated product.
    m_xwOff = 0;
    m_gatesOff = m_xwOff + alignUp(static_cast<std::size_t>(m_seq * m_batch * gh) * sizeof(float));
    m_hOff = m_gatesOff + alignUp(static_cast<std::size_t>(m_batch * gh) * sizeof(float));
    m_cOff = m_hOff + alignUp(static_cast<std::size_t>(m_batch * m_hidden) * sizeof(float));
    m_tmpOff = m_cOff + alignUp(static_cast<std::size_t>(m_batch * m_hidden) * sizeof(float));
    m_mmOff = m_tmpOff + alignUp(static_cast<std::size_t>(m_batch * gh) * sizeof(float));
    GS_ASSIGN_OR_RETURN(m_mmBytes, buildRecurrent());
    return m_mmOff + m_mmBytes;
  }

  Status run(std::span<const TensorRef> inputs, std::span<TensorRef> outputs, RunContext& ctx) override {
    auto* ws = static_cast<std::byte*>(ctx.workspace);
    if (!ws) return std::unexpected(kernelError(m_node, "missing workspace", codes::kInternal));
    Buffers buf{reinterpret_cast<float*>(ws + m_xwOff),  reinterpret_cast<float*>(ws + m_gatesOff),
                reinterpret_cast<float*>(ws + m_hOff),   reinterpret_cast<float*>(ws + m_cOff),
                reinterpret_cast<float*>(ws + m_tmpOff), ws + m_mmOff};
    const int64_t H = m_hidden, B = m_batch, T = m_seq, gh = m_gates * H;
    float* y = outputs.size() > 0 && outputs[0].present() ? outputs[0].as<float>() : nullptr;
    float* yh = outputs.size() > 1 && outputs[1].present() ? outputs[1].as<float>() : nullptr;
    float* yc = outputs.size() > 2 && outputs[2].present() ? outputs[2].as<float>() : nullptr;
    if (y) std::memset(y, 0, static_cast<std::size_t>(T * m_dirs * B * H) * sizeof(float));
    m_lens.assign(static_cast<std::size_t>(B), T);
    if (m_hasLens) {
      for (int64_t b = 0; b < B; ++b) {
        const int64_t l = inputs[4].dtype == ir::DataType::Int64 ? inputs[4].as<const int64_t>()[b]
                                                                 : inputs[4].as<const int32_t>()[b];
        if (l < 0 || l > T) return std::unexpected(kernelError(m_node, "sequence_lens out of range"));
        m_lens[static_cast<std::size_t>(b)] = l;
      }
    }
    for (int64_t d = 0; d < m_dirs; ++d) {
      Dir dir;
      dir.index = d;
      dir.reverse = m_reverseOnly || d == 1;
      dir.r = inputs[2].as<const float>() + d * gh * H;
      dir.wb = m_hasB ? inputs[3].as<const float>() + d * 2 * gh : nullptr;
      dir.rb = m_hasB ? dir.wb + gh : nullptr;
      dir.p = m_hasP ? inputs[7].as<const float>() + d * 3 * H : nullptr;
      dir.f = m_funcs.data() + d * static_cast<int64_t>(m_funcsPerDir);
      // All time steps' input projections at once: rows follow X's own (t, b) or (b, t) order.
      const float* w = inputs[1].as<const float>() + d * gh * m_input;
      if (dnnl_sgemm('N', 'T', T * B, gh, m_input, 1.0f, inputs[0].as<const float>(), m_input, w, m_input, 0.0f, buf.xw,
                     gh) != dnnl_success)
        return std::unexpected(kernelError(m_node, "sgemm failed"));
      // Initial states are [dirs, batch, H], or [batch, dirs, H] with layout 1.
      for (int64_t b = 0; b < B; ++b) {
        const int64_t at = (m_layout ? b * m_dirs + d : d * B + b) * H;
        const auto bytes = static_cast<std::size_t>(H) * sizeof(float);
        if (m_hasH0)
          std::memcpy(buf.h + b * H, inputs[5].as<const float>() + at, bytes);
        else
          std::memset(buf.h + b * H, 0, bytes);
        if (m_hasC0)
          std::memcpy(buf.c + b * H, inputs[6].as<const float>() + at, bytes);
        else
          std::memset(buf.c + b * H, 0, bytes);
      }
      for (int64_t s = 0; s < T; ++s)
        GS_RETURN_IF_ERROR(step(s, dir, buf, y));
      for (int64_t b = 0; b < B; ++b) {
        const int64_t at = (m_layout ? b * m_dirs + d : d * B + b) * H;
        if (yh) std::memcpy(yh + at, buf.h + b * H, static_cast<std::size_t>(H) * sizeof(float));
        if (yc) std::memcpy(yc + at, buf.c + b * H, static_cast<std::size_t>(H) * sizeof(float));
      }
    }
    return ok();
  }

private:
  struct Buffers {
    float *xw, *gates, *h, *c, *tmp;
    std::byte* scratch; // the recurrent matmuls' oneDNN scratchpad
  };

  // With constant R, h.R^T of every step runs on oneDNN matmul primitives whose weights are packed
  // once: dnnl_sgemm would repack R (gates*H x H, 1 MiB for an LSTM of 256) on every step. Returns
  // their scratchpad bytes; without constant R the steps use sgemm.
  Expected<std::size_t> buildRecurrent() {
    m_rec.clear();
    m_recH.clear();
    if (!m_rConst.buffer) return std::size_t{0};
    const int64_t H = m_hidden, B = m_batch, gh = m_gates * H;
    const bool gruResetFirst = m_cell == Cell::Gru && !m_lbr;
    const int64_t n = gruResetFirst ? 2 * H : gh;
    using dt = dnnl::memory::data_type;
    std::size_t scratch = 0;
    auto make = [&](const float* r, int64_t cols, const char* tag) -> Expected<std::unique_ptr<MatmulPrimitive>> {
      MatmulPrimitive::Spec spec;
      spec.src = dnnl::memory::desc({B, H}, dt::f32, dnnl::memory::dims{H, 1});
      spec.weights = dnnl::memory::desc({H, cols}, dt::f32, dnnl::memory::dims{1, H}); // R rows, transposed
      spec.dst = dnnl::memory::desc({B, cols}, dt::f32, dnnl::memory::dims{gh, 1});
      spec.constWeights = r;
      spec.cache = m_cache;
      spec.cacheTag = tag;
      auto prim = std::make_unique<MatmulPrimitive>();
      GS_ASSIGN_OR_RETURN(auto bytes, prim->build(m_node, spec));
      scratch = std::max(scratch, bytes);
      return prim;
    };
    for (int64_t d = 0; d < m_dirs; ++d) {
      const float* r = reinterpret_cast<const float*>(m_rConst.data()) + d * gh * H;
      GS_ASSIGN_OR_RETURN(auto rec, make(r, n, "rnn-r"));
      m_rec.push_back(std::move(rec));
      if (gruResetFirst) {
        GS_ASSIGN_OR_RETURN(auto recH, make(r + 2 * H * H, H, "rnn-rh"));
        m_recH.push_back(std::move(recH));
      }
    }
    return scratch;
  }
  struct Dir {
    int64_t index = 0;
    bool reverse = false;
    const float *r = nullptr, *wb = nullptr, *rb = nullptr, *p = nullptr;
    const Func* f = nullptr;
  };

  int64_t row(int64_t t, int64_t b) const { return m_layout ? b * m_seq + t : t * m_batch + b; }
  int64_t yIndex(int64_t t, int64_t d, int64_t b) const {
    return (m_layout ? ((b * m_seq + t) * m_dirs + d) : ((t * m_dirs + d) * m_batch + b)) * m_hidden;
  }
  float clip(float v) const { return m_hasClip ? std::min(std::max(v, -m_clip), m_clip) : v; }
  // The time index batch row b processes at step s, or -1 when its sequence has ended.
  int64_t timeOf(int64_t s, int64_t b, bool reverse) const {
    const int64_t len = m_lens[static_cast<std::size_t>(b)];
    if (s >= len) return -1;
    return reverse ? len - 1 - s : s;
  }

  Status step(int64_t s, const Dir& dir, const Buffers& buf, float* y) {
    const int64_t H = m_hidden, B = m_batch, gh = m_gates * H;
    const bool gruResetFirst = m_cell == Cell::Gru && !m_lbr;
    // Recurrent projection for the whole batch (rows of finished sequences are ignored).
    if (!m_rec.empty()) {
      GS_RETURN_IF_ERROR(m_rec[static_cast<std::size_t>(dir.index)]->run(m_node, buf.h, nullptr, nullptr, buf.gates,
                                                                         buf.scratch, m_mmBytes));
    } else if (dnnl_sgemm('N', 'T', B, gruResetFirst ? 2 * H : gh, H, 1.0f, buf.h, H, dir.r, H, 0.0f, buf.gates, gh) !=
               dnnl_success) {
      return std::unexpected(kernelError(m_node, "sgemm failed"));
    }
    if (gruResetFirst) {
      // r must be known before (r . h).Rh^T: gates z and r first, then the product, then one more sgemm.
      for (int64_t b = 0; b < B; ++b) {
        const int64_t t = timeOf(s, b, dir.reverse);
        float* tb = buf.tmp + b * H;
        if (t < 0) {
          std::fill(tb, tb + H, 0.0f);
          continue;
        }
        const float* xr = buf.xw + row(t, b) * gh;
        float* g = buf.gates + b * gh;
        for (int64_t i = 0; i < 2 * H; ++i)
          g[i] = clip(g[i] + xr[i] + (dir.wb ? dir.wb[i] + dir.rb[i] : 0.0f));
        applyInPlace(dir.f[0], g, 2 * H);
        for (int64_t i = 0; i < H; ++i)
          tb[i] = g[H + i] * buf.h[b * H + i];
      }
      if (!m_recH.empty()) {
        GS_RETURN_IF_ERROR(m_recH[static_cast<std::size_t>(dir.index)]->run(m_node, buf.tmp, nullptr, nullptr,
                                                                            buf.gates + 2 * H, buf.scratch, m_mmBytes));
      } else if (dnnl_sgemm('N', 'T', B, H, H, 1.0f, buf.tmp, H, dir.r + 2 * H * H, H, 0.0f, buf.gates + 2 * H, gh) !=
                 dnnl_success) {
        return std::unexpected(kernelError(m_node, "sgemm failed"));
      }
    }
    for (int64_t b = 0; b < B; ++b) {
      const int64_t t = timeOf(s, b, dir.reverse);
      if (t < 0) continue;
      const float* xr = buf.xw + row(t, b) * gh;
      float* g = buf.gates + b * gh;
      float* h = buf.h + b * H;
      float* c = buf.c + b * H;
      const float *wb = dir.wb, *rb = dir.rb;
      if (m_cell == Cell::Rnn) {
        for (int64_t i = 0; i < H; ++i)
          h[i] = dir.f[0](clip(g[i] + xr[i] + (wb ? wb[i] + rb[i] : 0.0f)));
      } else if (m_cell == Cell::Lstm && !dir.p) {
        // Gate order i, o, f, c. Without peepholes every gate's input is known up front: activate
        // the gates as arrays (i, o, f with f0, c with f1), then c and h.
        for (int64_t i = 0; i < gh; ++i)
          g[i] = clip(g[i] + xr[i] + (wb ? wb[i] + rb[i] : 0.0f));
        applyInPlace(dir.f[0], g, 3 * H);
        applyInPlace(dir.f[1], g + 3 * H, H);
        float* th = buf.tmp + b * gh;
        for (int64_t i = 0; i < H; ++i) {
          const float it = g[i], ft = m_inputForget ? 1.0f - it : g[2 * H + i];
          c[i] = ft * c[i] + it * g[3 * H + i];
          th[i] = c[i];
        }
        applyInPlace(dir.f[2], th, H);
        for (int64_t i = 0; i < H; ++i)
          h[i] = g[H + i] * th[i];
      } else if (m_cell == Cell::Lstm) {
        // Gate order i, o, f, c; peepholes P = [Pi, Po, Pf].
        const float* p = dir.p;
        for (int64_t i = 0; i < gh; ++i)
          g[i] += xr[i] + (wb ? wb[i] + rb[i] : 0.0f);
        for (int64_t i = 0; i < H; ++i) {
          const float it = dir.f[0](clip(g[i] + (p ? p[i] * c[i] : 0.0f)));
          const float ft = m_inputForget ? 1.0f - it : dir.f[0](clip(g[2 * H + i] + (p ? p[2 * H + i] * c[i] : 0.0f)));
          const float ct = dir.f[1](clip(g[3 * H + i]));
          c[i] = ft * c[i] + it * ct;
          const float ot = dir.f[0](clip(g[H + i] + (p ? p[H + i] * c[i] : 0.0f)));
          h[i] = ot * dir.f[2](c[i]);
        }
      } else if (!m_lbr) {
        // g holds activated z, r and (r . h).Rh^T; h~ goes to tmp's second half (the first holds r . h).
        float* hh = buf.tmp + B * H + b * H;
        for (int64_t i = 0; i < H; ++i)
          hh[i] = clip(xr[2 * H + i] + g[2 * H + i] + (wb ? wb[2 * H + i] + rb[2 * H + i] : 0.0f));
        applyInPlace(dir.f[1], hh, H);
        for (int64_t i = 0; i < H; ++i)
          h[i] = (1.0f - g[i]) * hh[i] + g[i] * h[i];
      } else {
        // linear_before_reset: h~ = g(x.Wh + Wbh + r . (h.Rh^T + Rbh)). z and r as one array, then h~.
        for (int64_t i = 0; i < 2 * H; ++i)
          g[i] = clip(g[i] + xr[i] + (wb ? wb[i] + rb[i] : 0.0f));
        applyInPlace(dir.f[0], g, 2 * H);
        float* hh = buf.tmp + b * gh;
        for (int64_t i = 0; i < H; ++i)
          hh[i] = clip(xr[2 * H + i] + (wb ? wb[2 * H + i] : 0.0f) +
                       g[H + i] * (g[2 * H + i] + (rb ? rb[2 * H + i] : 0.0f)));
        applyInPlace(dir.f[1], hh, H);
        for (int64_t i = 0; i < H; ++i)
          h[i] = (1.0f - g[i]) * hh[i] + g[i] * h[i];
      }
      if (y) std::memcpy(y + yIndex(t, dir.index, b), h, static_cast<std::size_t>(H) * sizeof(float));
    }
    return ok();
  }

  ir::Node m_node;
  Cell m_cell;
  int64_t m_gates = 1, m_hidden = 0, m_layout = 0, m_dirs = 1;
  bool m_reverseOnly = false, m_lbr = false, m_inputForget = false, m_hasClip = false;
  float m_clip = 0.0f;
  std::vector<Func> m_funcs;
  std::size_t m_funcsPerDir = 1;
  int64_t m_seq = 0, m_batch = 0, m_input = 0;
  bool m_hasB = false, m_hasLens = false, m_hasH0 = false, m_hasC0 = false, m_hasP = false;
  std::size_t m_xwOff = 0, m_gatesOff = 0, m_hOff = 0, m_cOff = 0, m_tmpOff = 0, m_mmOff = 0, m_mmBytes = 0;
  ir::Tensor m_rConst; // R when it is a constant (buffer null otherwise)
  WeightCache* m_cache = nullptr;
  std::vector<std::unique_ptr<MatmulPrimitive>> m_rec, m_recH; // per direction (m_recH: GRU's Rh, reset first)
  std::vector<int64_t> m_lens;
};

Expected<std::unique_ptr<Kernel>> make(const CreateContext& ctx, Cell cell) {
  auto k = std::make_unique<RnnKernel>(ctx, cell);
  GS_RETURN_IF_ERROR(k->init());
  return std::unique_ptr<Kernel>(std::move(k));
}

} // namespace

Expected<std::unique_ptr<Kernel>> createLstm(const CreateContext& ctx) { return make(ctx, Cell::Lstm); }
Expected<std::unique_ptr<Kernel>> createGru(const CreateContext& ctx) { return make(ctx, Cell::Gru); }
Expected<std::unique_ptr<Kernel>> createRnn(const CreateContext& ctx) { return make(ctx, Cell::Rnn); }

bool supportsRnn(const ir::Node&, std::span<const ir::DataType> inputTypes) {
  // sequence_lens (input 4) is int32; every other present input is float32.
  for (std::size_t i = 0; i < inputTypes.size(); ++i) {
    const auto t = inputTypes[i];
    if (t == ir::DataType::Undefined) continue;
    if (i == 4 ? (t != ir::DataType::Int32 && t != ir::DataType::Int64) : t != ir::DataType::Float32) return false;
  }
  return !inputTypes.empty() && inputTypes[0] == ir::DataType::Float32;
}

} // namespace gs::runtime::cpu::nn
