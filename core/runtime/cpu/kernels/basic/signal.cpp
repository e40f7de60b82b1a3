// Signal-processing kernels (opset 17): the window generators HannWindow, HammingWindow and
// BlackmanWindow, DFT (any axis, forward or inverse, one-sided, dft_length zero-padding or cropping),
// STFT (frames of a real or complex signal, optional window, one-sided) and MelWeightMatrix. The
// transforms use fft.h (O(n log n) for every length) in double; outputs are float32 or float64 as
// the node asks. Sizes that come from inputs are read at run time, so outputs may be data-dependent.
#include <cmath>
#include <complex>
#include <numbers>

#include "core/runtime/cpu/kernels/basic/common.h"
#include "core/runtime/cpu/kernels/basic/dispatch.h"
#include "core/runtime/cpu/kernels/basic/fft.h"
#include "core/runtime/cpu/kernels/basic/kernels.h"
#include "core/runtime/cpu/kernels/basic/parallel.h"

namespace gs::runtime::cpu::basic {
namespace {

using Complex = std::complex<double>;

// The output type of the generators: attribute output_datatype (ONNX TensorProto code, default float).
ir::DataType outputDatatype(const ir::Node& n) {
  const auto t = ir::dtypeFromOnnx(static_cast<int32_t>(n.attrs.getInt("output_datatype", 1)));
  return t ? *t : ir::DataType::Undefined;
}

template <class F> void storeAs(ir::DataType t, void* out, int64_t n, F&& value) {
  visitType<float, double>(t, [&](auto tag) {
    using T = decltype(tag);
    T* o = static_cast<T*>(out);
    for (int64_t i = 0; i < n; ++i)
      o[i] = static_cast<T>(value(i));
  });
}

// Reads element i of a float32/float64 tensor.
double realAt(const TensorRef& t, int64_t i) { return elementAsDouble(t.dtype, t.data, i); }

class WindowKernel final : public BasicKernel {
public:
  WindowKernel(const CreateContext& c, ir::DataType out)
      : BasicKernel(c), m_out(out), m_periodic(c.node.attrs.getInt("periodic", 1) != 0) {}

  Status run(std::span<const TensorRef> inputs, std::span<TensorRef> outputs, RunContext& ctx) override {
    if (!hasInput(inputs, 0) || inputs[0].numel() != 1) return fail("size must be a scalar");
    GS_ASSIGN_OR_RETURN(const double sizeValue, readScalar(inputs[0]));
    const auto size = static_cast<int64_t>(sizeValue);
    if (size < 0) return fail("size is negative (" + std::to_string(size) + ")");
    const std::vector<int64_t> dims{size};
    GS_RETURN_IF_ERROR(prepareOutput(outputs, 0, dims, ctx));
    // N: the period; a symmetric window of `size` points is a periodic one of size - 1.
    const double n = static_cast<double>(m_periodic ? size : size - 1);
    const double w = n > 0 ? 2.0 * std::numbers::pi / n : 0.0;
    storeAs(m_out, outputs[0].data, size, [&](int64_t i) {
      const double x = w * static_cast<double>(i);
      if (m_op == "HannWindow") return 0.5 - 0.5 * std::cos(x);
      if (m_op == "HammingWindow") return 25.0 / 46.0 - (21.0 / 46.0) * std::cos(x);
      return 0.42 - 0.5 * std::cos(x) + 0.08 * std::cos(2.0 * x); // Blackman
    });
    return ok();
  }

private:
  ir::DataType m_out;
  bool m_periodic;
};

// Transforms of `count` lines of `length` complex points each (line l starts at base(l), points
// `stride` apart) of x into y (bins of the result `ostride` apart from obase(l)).
class DftKernel final : public BasicKernel {
public:
  DftKernel(const CreateContext& c, ir::DataType t)
      : BasicKernel(c), m_type(t), m_inverse(c.node.attrs.getInt("inverse", 0) != 0),
        m_onesided(c.node.attrs.getInt("onesided", 0) != 0), m_axisAttr(c.node.attrs.getInt("axis", 1)) {}

  Status run(std::span<const TensorRef> inputs, std::span<TensorRef> outputs, RunContext& ctx) override {
    if (!hasInput(inputs, 0)) return fail("missing input");
    const TensorRef& x = inputs[0];
    const auto rank = static_cast<int64_t>(x.dims.size());
    if (rank < 2 || (x.dims.back() != 1 && x.dims.back() != 2))
      return fail("the input's last dim must be 1 (real) or 2 (complex), got " + dimsString(x.dims));
    int64_t axis = m_axisAttr;
    if (m_opset >= 20) {
      axis = -2;
      if (hasInput(inputs, 2)) {
        GS_ASSIGN_OR_RETURN(const double a, readScalar(inputs[2]));
        axis = static_cast<int64_t>(a);
      }
    }
    // The axis counts the signal dims (all but the last); negative counts from the back of the input.
    if (axis < 0) axis += rank;
    if (axis < 0 || axis >= rank - 1) return fail("axis is out of range for input " + dimsString(x.dims));
    const int64_t inLen = x.dims[static_cast<std::size_t>(axis)];
    int64_t n = inLen;
    if (hasInput(inputs, 1)) {
      GS_ASSIGN_OR_RETURN(const double len, readScalar(inputs[1]));
      n = static_cast<int64_t>(len);
      if (n < 1) return fail("dft_length must be positive");
    }
    if (m_onesided && m_inverse) return fail("onesided inverse DFT is not defined");
    if (m_onesided && x.dims.back() == 2) return fail("a onesided DFT takes a real input");
    const int64_t outLen = m_onesided ? n / 2 + 1 : n;
    std::vector<int64_t> outDims = x.dims;
    outDims[static_cast<std::size_t>(axis)] = outLen;
    outDims.back() = 2;
    GS_RETURN_IF_ERROR(prepareOutput(outputs, 0, outDims, ctx));
    const bool complexIn = x.dims.back() == 2;
    const int64_t outer = productOf(x.dims, 0, static_cast<std::size_t>(axis));
    const int64_t inner = productOf(x.dims, static_cast<std::size_t>(axis) + 1, x.dims.size() - 1);
    const int64_t comps = x.dims.back();
    const FftPlan plan(static_cast<std::size_t>(n));
    const int64_t lines = outer * inner;
    Status st = ok();
    visitType<float, double>(m_type, [&](auto tag) {
      using T = decltype(tag);
      const T* in = x.as<const T>();
      T* out = outputs[0].as<T>();
      parallelFor(lines, 1, [&](int64_t l0, int64_t l1) {
        std::vector<Complex> buf(static_cast<std::size_t>(n));
        for (int64_t l = l0; l < l1; ++l) {
          const int64_t o = l / inner, i = l % inner;
          std::fill(buf.begin(), buf.end(), Complex{});
          for (int64_t k = 0; k < std::min(n, inLen); ++k) {
            const int64_t at = ((o * inLen + k) * inner + i) * comps;
            buf[static_cast<std::size_t>(k)] =
                Complex(static_cast<double>(in[at]), complexIn ? static_cast<double>(in[at + 1]) : 0.0);
          }
          plan.run(buf, m_inverse);
          for (int64_t k = 0; k < outLen; ++k) {
            const int64_t at = ((o * outLen + k) * inner + i) * 2;
            out[at] = static_cast<T>(buf[static_cast<std::size_t>(k)].real());
            out[at + 1] = static_cast<T>(buf[static_cast<std::size_t>(k)].imag());
          }
        }
      });
    });
    return st;
  }

private:
  ir::DataType m_type;
  bool m_inverse, m_onesided;
  int64_t m_axisAttr;
};

class StftKernel final : public BasicKernel {
public:
  StftKernel(const CreateContext& c, ir::DataType t)
      : BasicKernel(c), m_type(t), m_onesided(c.node.attrs.getInt("onesided", 1) != 0) {}

  Status run(std::span<const TensorRef> inputs, std::span<TensorRef> outputs, RunContext& ctx) override {
    if (!hasInput(inputs, 0) || !hasInput(inputs, 1)) return fail("expects signal and frame_step");
    const TensorRef& x = inputs[0];
    if (x.dims.size() != 3 || (x.dims[2] != 1 && x.dims[2] != 2))
      return fail("signal must be [batch, length, 1 or 2], got " + dimsString(x.dims));
    GS_ASSIGN_OR_RETURN(const double stepValue, readScalar(inputs[1]));
    const auto step = static_cast<int64_t>(stepValue);
    if (step < 1) return fail("frame_step must be positive");
    int64_t frameLen = -1;
    if (hasInput(inputs, 2)) {
      if (inputs[2].dims.size() != 1) return fail("window must be 1-D");
      frameLen = inputs[2].dims[0];
    }
    if (hasInput(inputs, 3)) {
      GS_ASSIGN_OR_RETURN(const double fl, readScalar(inputs[3]));
      if (frameLen >= 0 && static_cast<int64_t>(fl) != frameLen)
        return fail("frame_length differs from the window's length");
      frameLen = static_cast<int64_t>(fl);
    }
    if (frameLen < 1) return fail("give a window or a frame_length");
    const int64_t batch = x.dims[0], len = x.dims[1], comps = x.dims[2];
    if (frameLen > len) return fail("frame_length exceeds the signal's length");
    if (m_onesided && comps == 2) return fail("a onesided STFT takes a real signal");
    const int64_t frames = (len - frameLen) / step + 1;
    const int64_t bins = m_onesided ? frameLen / 2 + 1 : frameLen;
    const std::vector<int64_t> outDims{batch, frames, bins, 2};
    GS_RETURN_IF_ERROR(prepareOutput(outputs, 0, outDims, ctx));
    std::vector<double> window(static_cast<std::size_t>(frameLen), 1.0);
    if (hasInput(inputs, 2))
      for (int64_t k = 0; k < frameLen; ++k)
        window[static_cast<std::size_t>(k)] = realAt(inputs[2], k);
    const FftPlan plan(static_cast<std::size_t>(frameLen));
    visitType<float, double>(m_type, [&](auto tag) {
      using T = decltype(tag);
      const T* in = x.as<const T>();
      T* out = outputs[0].as<T>();
      parallelFor(batch * frames, 1, [&](int64_t f0, int64_t f1) {
        std::vector<Complex> buf(static_cast<std::size_t>(frameLen));
        for (int64_t f = f0; f < f1; ++f) {
          const int64_t b = f / frames, start = (f % frames) * step;
          for (int64_t k = 0; k < frameLen; ++k) {
            const int64_t at = (b * len + start + k) * comps;
            const double w = window[static_cast<std::size_t>(k)];
            buf[static_cast<std::size_t>(k)] =
                Complex(w * static_cast<double>(in[at]), comps == 2 ? w * static_cast<double>(in[at + 1]) : 0.0);
          }
          plan.run(buf, false);
          T* o = out + f * bins * 2;
          for (int64_t k = 0; k < bins; ++k) {
            o[2 * k] = static_cast<T>(buf[static_cast<std::size_t>(k)].real());
            o[2 * k + 1] = static_cast<T>(buf[static_cast<std::size_t>(k)].imag());
          }
        }
      });
    });
    return ok();
  }

private:
  ir::DataType m_type;
  bool m_onesided;
};

// Triangular filters equally spaced on the mel scale (mel = 2595 log10(1 + hz / 700)), as ONNX's
// reference computes them: num_mel_bins + 2 edges, mapped to spectrogram bins by
// floor((dft_length + 1) * hz / sample_rate).
class MelWeightMatrixKernel final : public BasicKernel {
public:
  MelWeightMatrixKernel(const CreateContext& c, ir::DataType out) : BasicKernel(c), m_out(out) {}

  Status run(std::span<const TensorRef> inputs, std::span<TensorRef> outputs, RunContext& ctx) override {
    for (std::size_t i = 0; i < 5; ++i)
      if (!hasInput(inputs, i) || inputs[i].numel() != 1)
        return fail("expects five scalars: num_mel_bins, dft_length, sample_rate, lower and upper edge hertz");
    double v[5];
    for (std::size_t i = 0; i < 5; ++i) {
      GS_ASSIGN_OR_RETURN(v[i], readScalar(inputs[i]));
    }
    const auto mels = static_cast<int64_t>(v[0]);
    const auto dftLen = static_cast<int64_t>(v[1]);
    const auto rate = static_cast<int64_t>(v[2]);
    const double lo = v[3], hi = v[4];
    if (mels < 1 || dftLen < 1 || rate < 1) return fail("num_mel_bins, dft_length and sample_rate must be positive");
    if (!(lo >= 0 && hi > lo)) return fail("the edges must satisfy 0 <= lower_edge_hertz < upper_edge_hertz");
    const int64_t specBins = dftLen / 2 + 1;
    const std::vector<int64_t> dims{specBins, mels};
    GS_RETURN_IF_ERROR(prepareOutput(outputs, 0, dims, ctx));
    const double loMel = 2595.0 * std::log10(1.0 + lo / 700.0);
    const double hiMel = 2595.0 * std::log10(1.0 + hi / 700.0);
    const double melStep = (hiMel - loMel) / static_cast<double>(mels + 2);
    std::vector<int64_t> edge(static_cast<std::size_t>(mels + 2));
    for (int64_t i = 0; i < mels + 2; ++i) {
      const double hz = 700.0 * (std::pow(10.0, (static_cast<double>(i) * melStep + loMel) / 2595.0) - 1.0);
      edge[static_cast<std::size_t>(i)] =
          static_cast<int64_t>(std::floor(static_cast<double>(dftLen + 1) * hz / static_cast<double>(rate)));
    }
    std::vector<double> w(static_cast<std::size_t>(specBins * mels), 0.0);
    auto at = [&](int64_t bin, int64_t m) -> double* {
      return bin >= 0 && bin < specBins ? &w[static_cast<std::size_t>(bin * mels + m)] : nullptr;
    };
    for (int64_t m = 0; m < mels; ++m) {
      const int64_t left = edge[static_cast<std::size_t>(m)], center = edge[static_cast<std::size_t>(m + 1)],
                    right = edge[static_cast<std::size_t>(m + 2)];
      if (center == left) {
        if (auto* p = at(center, m)) *p = 1.0;
      } else {
        for (int64_t j = left; j <= center; ++j)
          if (auto* p = at(j, m)) *p = static_cast<double>(j - left) / static_cast<double>(center - left);
      }
      if (right > center)
        for (int64_t j = center; j < right; ++j)
          if (auto* p = at(j, m)) *p = static_cast<double>(right - j) / static_cast<double>(right - center);
    }
    storeAs(m_out, outputs[0].data, specBins * mels, [&](int64_t i) { return w[static_cast<std::size_t>(i)]; });
    return ok();
  }

private:
  ir::DataType m_out;
};

bool isFloatOut(ir::DataType t) { return t == ir::DataType::Float32 || t == ir::DataType::Float64; }

} // namespace

Expected<std::unique_ptr<Kernel>> createSignal(const CreateContext& c) {
  if (!supportsSignal(c.node, c.inputTypes))
    return unsupported(c, "no kernel for these input types or output_datatype");
  const auto& op = c.node.opType;
  if (op == "DFT") return std::make_unique<DftKernel>(c, inputType(c, 0));
  if (op == "STFT") return std::make_unique<StftKernel>(c, inputType(c, 0));
  if (op == "MelWeightMatrix") return std::make_unique<MelWeightMatrixKernel>(c, outputDatatype(c.node));
  return std::make_unique<WindowKernel>(c, outputDatatype(c.node));
}

bool supportsSignal(const ir::Node& node, std::span<const ir::DataType> types) {
  if (types.empty()) return false;
  const auto& op = node.opType;
  if (op == "DFT" || op == "STFT") {
    if (!isFloatOut(types[0])) return false;
    // STFT's window has the signal's type.
    return op != "STFT" || types.size() < 3 || types[2] == ir::DataType::Undefined || types[2] == types[0];
  }
  return isFloatOut(outputDatatype(node)) && ir::isInteger(types[0]);
}

} // namespace gs::runtime::cpu::basic
