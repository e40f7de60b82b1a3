// Resize / Upsample (see resize.h). Each axis gets a table mapping output coordinates to input taps
// (1 for nearest, 2 for linear, 4 for cubic) with weights; nearest is one gather over all axes, linear
// and cubic are separable passes, one per axis that actually changes, through the workspace.
#include "core/runtime/cpu/kernels/nn/resize.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/runtime/cpu/kernels/nn/nn_common.h"

namespace gs::runtime::cpu::nn {

namespace {

enum class Mode { Nearest, Linear, Cubic };
enum class Transform { HalfPixel, PytorchHalfPixel, AlignCorners, Asymmetric, TfHalfPixelForNn, TfCropAndResize };
enum class Rounding { PreferFloor, PreferCeil, Floor, Ceil, Simple };

struct AxisMap {
  int taps = 1;
  std::vector<int64_t> idx;     // out * taps input indices (clamped)
  std::vector<float> w;         // out * taps weights
  std::vector<uint8_t> outside; // tf_crop_and_resize: coordinate outside the input -> extrapolation
  bool identity = true;
};

std::vector<float> cubicCoeffs(float r, float a) {
  return {((a * (r + 1) - 5 * a) * (r + 1) + 8 * a) * (r + 1) - 4 * a, ((a + 2) * r - (a + 3)) * r * r + 1,
          ((a + 2) * (1 - r) - (a + 3)) * (1 - r) * (1 - r) + 1,
          ((a * ((1 - r) + 1) - 5 * a) * ((1 - r) + 1) + 8 * a) * ((1 - r) + 1) - 4 * a};
}

class ResizeKernel final : public Kernel {
public:
  ResizeKernel(const CreateContext& ctx, bool upsample) : m_node(ctx.node), m_opset(ctx.opset) {
    const auto& a = ctx.node.attrs;
    const auto mode = a.getString("mode", "nearest");
    m_modeName = mode;
    m_mode = mode == "nearest" ? Mode::Nearest : (mode == "cubic" ? Mode::Cubic : Mode::Linear);
    m_validMode = mode == "nearest" || mode == "linear" || mode == "bilinear" || mode == "cubic";
    if (upsample || m_opset < 11) {
      m_transform = Transform::Asymmetric;
      m_rounding = Rounding::Simple;
      m_validMode = m_validMode && m_mode != Mode::Cubic;
    } else {
      const auto t = a.getString("coordinate_transformation_mode", "half_pixel");
      m_transformName = t;
      m_transform = t == "pytorch_half_pixel"     ? Transform::PytorchHalfPixel
                    : t == "align_corners"        ? Transform::AlignCorners
                    : t == "asymmetric"           ? Transform::Asymmetric
                    : t == "tf_half_pixel_for_nn" ? Transform::TfHalfPixelForNn
                    : t == "tf_crop_and_resize"   ? Transform::TfCropAndResize
                                                  : Transform::HalfPixel;
      m_validTransform = t == "half_pixel" || t == "pytorch_half_pixel" || t == "align_corners" || t == "asymmetric" ||
                         t == "tf_half_pixel_for_nn" || t == "tf_crop_and_resize";
      const auto n = a.getString("nearest_mode", "round_prefer_floor");
      m_rounding = n == "round_prefer_ceil" ? Rounding::PreferCeil
                   : n == "floor"           ? Rounding::Floor
                   : n == "ceil"            ? Rounding::Ceil
                                            : Rounding::PreferFloor;
    }
    m_cubicA = a.getFloat("cubic_coeff_a", -0.75f);
    m_excludeOutside = a.getInt("exclude_outside", 0) != 0;
    m_extrapolation = a.getFloat("extrapolation_value", 0.0f);
    // Where scales / sizes / roi come from: an attribute (Upsample-7), constant inputs, or run time.
    if (upsample && m_opset < 9) {
      m_scales = a.getFloats("scales");
      m_haveParams = true;
    } else {
      m_scalesIdx = upsample || m_opset < 11 ? 1 : 2;
      m_roiIdx = upsample || m_opset < 11 ? -1 : 1;
      m_sizesIdx = upsample || m_opset < 11 ? -1 : 3;
      m_haveParams = readConstParams(ctx);
    }
  }

  Status init() {
    if (!m_validMode)
      return std::unexpected(kernelError(m_node, "unsupported mode '" + m_modeName + "'", codes::kUnsupported));
    if (!m_validTransform)
      return std::unexpected(kernelError(m_node, "unsupported coordinate_transformation_mode '" + m_transformName + "'",
                                         codes::kUnsupported));
    return ok();
  }

  Expected<std::size_t> reshape(const ReshapeContext& ctx) override {
    m_in = ctx.inputDims[0];
    m_out.clear();
    if (!ctx.outputDims.empty() && ctx.outputDims[0]) m_out = *ctx.outputDims[0];
    if (m_haveParams) {
      GS_ASSIGN_OR_RETURN(auto dims, outputDims());
      if (!m_out.empty() && m_out != dims)
        return std::unexpected(kernelError(m_node, "output shape from shape inference differs from Resize's"));
      m_out = dims;
      GS_RETURN_IF_ERROR(buildMaps());
    }
    if (m_out.empty()) return std::unexpected(kernelError(m_node, "output shape unknown", codes::kUnsupported));
    // Two ping-pong buffers of the largest intermediate (bounded by max(in, out) per axis).
    int64_t big = 1;
    for (std::size_t i = 0; i < m_in.size(); ++i)
      big *= std::max(m_in[i], m_out[i]);
    return m_mode == Mode::Nearest ? std::size_t{0} : 2 * alignUp(static_cast<std::size_t>(big) * sizeof(float));
  }

  Status run(std::span<const TensorRef> inputs, std::span<TensorRef> outputs, RunContext& ctx) override {
    if (!m_haveParams) {
      GS_RETURN_IF_ERROR(readRuntimeParams(inputs));
      GS_ASSIGN_OR_RETURN(auto dims, outputDims());
      if (dims != m_out) return std::unexpected(kernelError(m_node, "scales/sizes disagree with the output shape"));
      GS_RETURN_IF_ERROR(buildMaps());
    }
    const float* x = inputs[0].as<const float>();
    float* y = outputs[0].as<float>();
    if (product(m_out, 0, m_out.size()) == 0) return ok();
    if (m_mode == Mode::Nearest) {
      gatherNearest(x, y);
      return ok();
    }
    return separable(x, y, static_cast<std::byte*>(ctx.workspace));
  }

private:
  bool readConstParams(const CreateContext& ctx) {
    auto constAt = [&](int i) -> const ir::Tensor* {
      if (i < 0 || static_cast<std::size_t>(i) >= ctx.node.inputs.size() || ctx.node.inputs[i] == ir::kNone)
        return nullptr;
      return static_cast<std::size_t>(i) < ctx.constInputs.size() ? ctx.constInputs[i] : nullptr;
    };
    auto present = [&](int i) {
      return i >= 0 && static_cast<std::size_t>(i) < ctx.node.inputs.size() && ctx.node.inputs[i] != ir::kNone;
    };
    for (int i : {m_scalesIdx, m_roiIdx, m_sizesIdx})
      if (present(i) && !constAt(i)) return false;
    if (auto* t = constAt(m_scalesIdx)) m_scales = t->toVector<float>();
    if (auto* t = constAt(m_sizesIdx)) m_sizes = t->toVector<int64_t>();
    if (auto* t = constAt(m_roiIdx)) m_roi = t->toVector<float>();
    return true;
  }

  Status readRuntimeParams(std::span<const TensorRef> inputs) {
    auto read = [&](int i, auto tag) {
      using T = decltype(tag);
      std::vector<T> v;
      if (i < 0 || static_cast<std::size_t>(i) >= inputs.size() || !inputs[i].present()) return v;
      const auto& t = inputs[i];
      for (int64_t k = 0; k < t.numel(); ++k) {
        if (t.dtype == ir::DataType::Int64)
          v.push_back(static_cast<T>(t.as<const int64_t>()[k]));
        else if (t.dtype == ir::DataType::Float64)
          v.push_back(static_cast<T>(t.as<const double>()[k]));
        else
          v.push_back(static_cast<T>(t.as<const float>()[k]));
      }
      return v;
    };
    m_scales = read(m_scalesIdx, float{});
    m_sizes = read(m_sizesIdx, int64_t{});
    m_roi = read(m_roiIdx, float{});
    return ok();
  }

  Expected<std::vector<int64_t>> outputDims() const {
    const std::size_t r = m_in.size();
    std::vector<int64_t> out(r);
    if (!m_scales.empty()) {
      if (m_scales.size() != r) return std::unexpected(kernelError(m_node, "scales must have one value per axis"));
      for (std::size_t i = 0; i < r; ++i) {
        if (!(m_scales[i] > 0.0f)) return std::unexpected(kernelError(m_node, "scales must be positive"));
        out[i] = static_cast<int64_t>(std::floor(static_cast<float>(m_in[i]) * m_scales[i]));
      }
    } else if (!m_sizes.empty()) {
      if (m_sizes.size() != r) return std::unexpected(kernelError(m_node, "sizes must have one value per axis"));
      out = m_sizes;
    } else {
      return std::unexpected(kernelError(m_node, "needs scales or sizes"));
    }
    return out;
  }

  // Input coordinate of output coordinate o along axis a. With scales, the resized length in the
  // formulas is in * scale, not the floored output dim (ONNX's reference, onnx/onnx#2462): it differs
  // for align_corners, pytorch_half_pixel and tf_crop_and_resize when in * scale is not whole.
  float sourceCoord(std::size_t a, int64_t o, float scale) const {
    const auto in = static_cast<float>(m_in[a]), x = static_cast<float>(o);
    const float out = m_scales.empty() ? static_cast<float>(m_out[a]) : in * scale;
    switch (m_transform) {
    case Transform::HalfPixel:
      return (x + 0.5f) / scale - 0.5f;
    case Transform::PytorchHalfPixel:
      return out > 1 ? (x + 0.5f) / scale - 0.5f : 0.0f;
    case Transform::AlignCorners:
      return out == 1 ? 0.0f : x * (in - 1) / (out - 1);
    case Transform::Asymmetric:
      return x / scale;
    case Transform::TfHalfPixelForNn:
      return (x + 0.5f) / scale;
    case Transform::TfCropAndResize: {
      const std::size_t r = m_in.size();
      const float start = m_roi.size() == 2 * r ? m_roi[a] : 0.0f, end = m_roi.size() == 2 * r ? m_roi[a + r] : 1.0f;
      return out > 1 ? start * (in - 1) + x * (end - start) * (in - 1) / (out - 1) : 0.5f * (start + end) * (in - 1);
    }
    }
    return x / scale;
  }

  int64_t roundNearest(float x, float scale) const {
    switch (m_rounding) {
    case Rounding::PreferFloor:
      return x == std::floor(x) + 0.5f ? static_cast<int64_t>(std::floor(x)) : static_cast<int64_t>(std::round(x));
    case Rounding::PreferCeil:
      return static_cast<int64_t>(std::floor(x + 0.5f));
    case Rounding::Floor:
      return static_cast<int64_t>(std::floor(x));
    case Rounding::Ceil:
      return static_cast<int64_t>(std::ceil(x));
    case Rounding::Simple: // Upsample and Resize-10, as ONNX Runtime: ceil when downsampling
      return scale < 1.0f ? static_cast<int64_t>(std::ceil(x)) : static_cast<int64_t>(x);
    }
    return static_cast<int64_t>(x);
  }

  Status buildMaps() {
    const std::size_t r = m_in.size();
    if (m_out.size() != r) return std::unexpected(kernelError(m_node, "output rank differs from input rank"));
    if (m_transform == Transform::TfCropAndResize && m_roi.size() != 2 * r)
      return std::unexpected(kernelError(m_node, "tf_crop_and_resize needs roi with 2 values per axis"));
    m_maps.assign(r, AxisMap{});
    for (std::size_t a = 0; a < r; ++a) {
      auto& m = m_maps[a];
      const int64_t in = m_in[a], out = m_out[a];
      const float scale = !m_scales.empty() ? m_scales[a] : static_cast<float>(out) / static_cast<float>(in);
      m.taps = m_mode == Mode::Nearest ? 1 : m_mode == Mode::Linear ? 2 : 4;
      m.idx.resize(static_cast<std::size_t>(out * m.taps));
      m.w.resize(m.idx.size());
      m.outside.assign(static_cast<std::size_t>(out), 0);
      m.identity = in == out;
      auto clampIdx = [&](int64_t i) { return std::min(std::max<int64_t>(i, 0), in - 1); };
      for (int64_t o = 0; o < out; ++o) {
        const float x = sourceCoord(a, o, scale);
        int64_t* idx = m.idx.data() + o * m.taps;
        float* w = m.w.data() + o * m.taps;
        if (m_transform == Transform::TfCropAndResize && (x < 0.0f || x > static_cast<float>(in - 1))) {
          m.outside[static_cast<std::size_t>(o)] = 1;
          m.identity = false;
        }
        if (m_mode == Mode::Nearest) {
          idx[0] = clampIdx(roundNearest(x, scale));
          w[0] = 1.0f;
        } else if (m_mode == Mode::Linear) {
          const float xc = std::min(std::max(x, 0.0f), static_cast<float>(in - 1));
          const auto i0 = static_cast<int64_t>(std::floor(xc));
          const float f = xc - static_cast<float>(i0);
          idx[0] = clampIdx(i0);
          idx[1] = clampIdx(i0 + 1);
          w[0] = 1.0f - f;
          w[1] = f;
        } else {
          const auto i0 = static_cast<int64_t>(std::floor(x));
          const auto c = cubicCoeffs(x - static_cast<float>(i0), m_cubicA);
          float sum = 0.0f;
          for (int t = 0; t < 4; ++t) {
            const int64_t i = i0 - 1 + t;
            w[t] = m_excludeOutside && (i < 0 || i >= in) ? 0.0f : c[static_cast<std::size_t>(t)];
            idx[t] = clampIdx(i);
            sum += w[t];
          }
          if (m_excludeOutside && sum != 0.0f)
            for (int t = 0; t < 4; ++t)
              w[t] /= sum;
        }
        for (int t = 0; t < m.taps; ++t)
          if (m.identity && !(idx[t] == o ? w[t] == 1.0f : w[t] == 0.0f)) m.identity = false;
      }
    }
    // Element offsets of the nearest taps per axis (-1: extrapolate).
    std::vector<int64_t> inStrides(r, 1);
    for (std::size_t i = r; i-- > 1;)
      inStrides[i - 1] = inStrides[i] * m_in[i];
    m_offsets.assign(r, {});
    for (std::size_t a = 0; a < r && m_mode == Mode::Nearest; ++a) {
      m_offsets[a].resize(static_cast<std::size_t>(m_out[a]));
      for (std::size_t o = 0; o < m_offsets[a].size(); ++o)
        m_offsets[a][o] = m_maps[a].outside[o] ? -1 : m_maps[a].idx[o] * inStrides[a];
    }
    // The last axis unchanged (channels-last images: rows are whole channel vectors) copies rows.
    m_lastIdentity = m_mode == Mode::Nearest && m_out[r - 1] == m_in[r - 1];
    for (std::size_t o = 0; m_lastIdentity && o < m_offsets[r - 1].size(); ++o)
      m_lastIdentity = m_offsets[r - 1][o] == static_cast<int64_t>(o);
    return ok();
  }

  // Nearest: y[o...] = x[idx0[o0], idx1[o1], ...] with offsets precomputed per axis (buildMaps).
  void gatherNearest(const float* x, float* y) const {
    const std::size_t r = m_in.size();
    const int64_t last = m_out[r - 1];
    const int64_t rows = product(m_out, 0, r - 1);
    const auto& lastOff = m_offsets[r - 1];
    const float extra = m_extrapolation;
#pragma omp parallel for if (rows * last > 32768)
    for (int64_t row = 0; row < rows; ++row) {
      int64_t rem = row, base = 0;
      bool outside = false;
      for (std::size_t a = r - 1; a-- > 0;) {
        const int64_t off = m_offsets[a][static_cast<std::size_t>(rem % m_out[a])];
        rem /= m_out[a];
        outside = outside || off < 0;
        base += off;
      }
      float* yr = y + row * last;
      if (outside) {
        std::fill(yr, yr + last, extra);
        continue;
      }
      const float* xr = x + base;
      if (m_lastIdentity) {
        std::memcpy(yr, xr, static_cast<std::size_t>(last) * sizeof(float));
        continue;
      }
      for (int64_t o = 0; o < last; ++o)
        yr[o] = lastOff[static_cast<std::size_t>(o)] < 0 ? extra : xr[lastOff[static_cast<std::size_t>(o)]];
    }
  }

  // Linear / cubic: one 1-D pass per changing axis; the last pass writes y.
  Status separable(const float* x, float* y, std::byte* ws) {
    const std::size_t r = m_in.size();
    std::vector<std::size_t> axes;
    for (std::size_t a = 0; a < r; ++a)
      if (!m_maps[a].identity) axes.push_back(a);
    if (axes.empty()) {
      std::memcpy(y, x, static_cast<std::size_t>(product(m_in, 0, r)) * sizeof(float));
      return ok();
    }
    if (!ws) return std::unexpected(kernelError(m_node, "missing workspace", codes::kInternal));
    int64_t big = 1;
    for (std::size_t i = 0; i < r; ++i)
      big *= std::max(m_in[i], m_out[i]);
    float* bufs[2] = {reinterpret_cast<float*>(ws),
                      reinterpret_cast<float*>(ws + alignUp(static_cast<std::size_t>(big) * sizeof(float)))};
    std::vector<int64_t> cur = m_in;
    const float* src = x;
    for (std::size_t k = 0; k < axes.size(); ++k) {
      const std::size_t a = axes[k];
      float* dst = k + 1 == axes.size() ? y : bufs[k % 2];
      pass(src, dst, cur, a);
      cur[a] = m_out[a];
      src = dst;
    }
    return ok();
  }

  void pass(const float* src, float* dst, const std::vector<int64_t>& dims, std::size_t a) const {
    const auto& m = m_maps[a];
    const int64_t outer = product(dims, 0, a), in = dims[a], inner = product(dims, a + 1, dims.size());
    const int64_t out = m_out[a];
    const int taps = m.taps;
    const float extra = m_extrapolation;
#pragma omp parallel for collapse(2) if (outer * out * inner > 32768)
    for (int64_t p = 0; p < outer; ++p)
      for (int64_t o = 0; o < out; ++o) {
        float* d = dst + (p * out + o) * inner;
        if (m.outside[static_cast<std::size_t>(o)]) {
          std::fill(d, d + inner, extra);
          continue;
        }
        const int64_t* idx = m.idx.data() + o * taps;
        const float* w = m.w.data() + o * taps;
        const float* s0 = src + (p * in + idx[0]) * inner;
#pragma omp simd
        for (int64_t i = 0; i < inner; ++i)
          d[i] = w[0] * s0[i];
        for (int t = 1; t < taps; ++t) {
          const float* st = src + (p * in + idx[t]) * inner;
          const float wt = w[t];
#pragma omp simd
          for (int64_t i = 0; i < inner; ++i)
            d[i] += wt * st[i];
        }
      }
  }

  ir::Node m_node;
  int64_t m_opset = 13;
  Mode m_mode = Mode::Nearest;
  bool m_lastIdentity = false; // nearest with the last axis unchanged: gatherNearest copies rows
  std::string m_modeName, m_transformName;
  bool m_validMode = true, m_validTransform = true;
  Transform m_transform = Transform::HalfPixel;
  Rounding m_rounding = Rounding::PreferFloor;
  float m_cubicA = -0.75f, m_extrapolation = 0.0f;
  bool m_excludeOutside = false, m_haveParams = false;
  int m_scalesIdx = -1, m_roiIdx = -1, m_sizesIdx = -1;
  std::vector<float> m_scales, m_roi;
  std::vector<int64_t> m_sizes;
  std::vector<int64_t> m_in, m_out;
  std::vector<AxisMap> m_maps;
  std::vector<std::vector<int64_t>> m_offsets;
};

Expected<std::unique_ptr<Kernel>> make(const CreateContext& ctx, bool upsample) {
  auto k = std::make_unique<ResizeKernel>(ctx, upsample);
  GS_RETURN_IF_ERROR(k->init());
  return std::unique_ptr<Kernel>(std::move(k));
}

} // namespace

Expected<std::unique_ptr<Kernel>> createResize(const CreateContext& ctx) { return make(ctx, false); }
Expected<std::unique_ptr<Kernel>> createUpsample(const CreateContext& ctx) { return make(ctx, true); }

bool supportsResize(const ir::Node&, std::span<const ir::DataType> inputTypes) {
  // X is float32; roi/scales are float, sizes int64.
  if (inputTypes.empty() || inputTypes[0] != ir::DataType::Float32) return false;
  for (std::size_t i = 1; i < inputTypes.size(); ++i) {
    const auto t = inputTypes[i];
    if (t != ir::DataType::Undefined && t != ir::DataType::Float32 && t != ir::DataType::Int64 &&
        t != ir::DataType::Float64)
      return false;
  }
  return true;
}

} // namespace gs::runtime::cpu::nn
