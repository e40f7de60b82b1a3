// GridSample (opset 16, 4-D): Y[n, c, h, w] samples X[n, c] at the normalised point grid[n, h, w] =
// (x, y) in [-1, 1], with mode bilinear / nearest (round half to even) / bicubic (A = -0.75),
// padding_mode zeros / border / reflection and align_corners, following ONNX Runtime's kernel (out of
// range points are first clamped or reflected, then each tap reads through the padding mode).
#include <algorithm>
#include <array>
#include <cmath>

#include "core/runtime/cpu/kernels/basic/common.h"
#include "core/runtime/cpu/kernels/basic/dispatch.h"
#include "core/runtime/cpu/kernels/basic/kernels.h"
#include "core/runtime/cpu/kernels/basic/parallel.h"

namespace gs::runtime::cpu::basic {
namespace {

enum class Mode { Bilinear, Nearest, Bicubic };
enum class Padding { Zeros, Border, Reflection };

double reflect(double x, double lo, double hi) {
  const double range = hi - lo;
  if (range <= 0) return lo;
  if (x < lo) {
    const double d = lo - x;
    const auto n = static_cast<int64_t>(d / range);
    const double r = d - static_cast<double>(n) * range;
    return n % 2 == 0 ? lo + r : hi - r;
  }
  if (x > hi) {
    const double d = x - hi;
    const auto n = static_cast<int64_t>(d / range);
    const double r = d - static_cast<double>(n) * range;
    return n % 2 == 0 ? hi - r : lo + r;
  }
  return x;
}

void cubicCoeffs(double t, double c[4]) {
  constexpr double A = -0.75;
  t = std::abs(t);
  const double t1 = t + 1, t2 = 1 - t, t3 = 2 - t;
  c[0] = ((A * t1 - 5 * A) * t1 + 8 * A) * t1 - 4 * A;
  c[1] = ((A + 2) * t - (A + 3)) * t * t + 1;
  c[2] = ((A + 2) * t2 - (A + 3)) * t2 * t2 + 1;
  c[3] = ((A * t3 - 5 * A) * t3 + 8 * A) * t3 - 4 * A;
}

class GridSampleKernel final : public BasicKernel {
public:
  GridSampleKernel(const CreateContext& c, Mode mode, Padding padding)
      : BasicKernel(c), m_mode(mode), m_padding(padding), m_alignCorners(c.node.attrs.getInt("align_corners", 0) != 0) {
  }

  Status run(std::span<const TensorRef> inputs, std::span<TensorRef> outputs, RunContext& ctx) override {
    if (!hasInput(inputs, 0) || !hasInput(inputs, 1)) return fail("expects X and grid");
    const TensorRef& x = inputs[0];
    const TensorRef& grid = inputs[1];
    if (x.dims.size() != 4) return fail("X must be 4-D [N, C, H, W], got " + dimsString(x.dims));
    if (grid.dims.size() != 4 || grid.dims[0] != x.dims[0] || grid.dims[3] != 2)
      return fail("grid must be [N, H_out, W_out, 2] for X " + dimsString(x.dims) + ", got " + dimsString(grid.dims));
    const int64_t n = x.dims[0], c = x.dims[1], h = x.dims[2], w = x.dims[3];
    const int64_t ho = grid.dims[1], wo = grid.dims[2];
    const int64_t outDims[4] = {n, c, ho, wo};
    GS_RETURN_IF_ERROR(prepareOutput(outputs, 0, outDims, ctx));
    const double xMin = m_alignCorners ? 0.0 : -0.5, xMax = m_alignCorners ? double(w - 1) : double(w) - 0.5;
    const double yMin = m_alignCorners ? 0.0 : -0.5, yMax = m_alignCorners ? double(h - 1) : double(h) - 0.5;
    visitType<float, double>(x.dtype, [&](auto tag) {
      using T = decltype(tag);
      const T* in = x.as<const T>();
      const T* g = grid.as<const T>();
      T* out = outputs[0].as<T>();
      // One tap: through the padding mode.
      auto pixel = [&](const T* plane, int64_t yi, int64_t xi) -> double {
        if (m_padding == Padding::Zeros) {
          if (xi < 0 || xi >= w || yi < 0 || yi >= h) return 0.0;
        } else if (m_padding == Padding::Border) {
          xi = std::clamp<int64_t>(xi, 0, w - 1);
          yi = std::clamp<int64_t>(yi, 0, h - 1);
        } else {
          xi = static_cast<int64_t>(reflect(static_cast<double>(xi), xMin, xMax));
          yi = static_cast<int64_t>(reflect(static_cast<double>(yi), yMin, yMax));
          xi = std::clamp<int64_t>(xi, 0, w - 1);
          yi = std::clamp<int64_t>(yi, 0, h - 1);
        }
        return static_cast<double>(plane[yi * w + xi]);
      };
      parallelFor(n * ho * wo, 64, [&](int64_t p0, int64_t p1) {
        for (int64_t p = p0; p < p1; ++p) {
          const int64_t b = p / (ho * wo), oyx = p % (ho * wo);
          const double gx = static_cast<double>(g[p * 2]), gy = static_cast<double>(g[p * 2 + 1]);
          double sx = m_alignCorners ? (gx + 1) / 2 * double(w - 1) : ((gx + 1) * double(w) - 1) / 2;
          double sy = m_alignCorners ? (gy + 1) / 2 * double(h - 1) : ((gy + 1) * double(h) - 1) / 2;
          if (m_mode == Mode::Nearest) {
            sx = std::nearbyint(sx);
            sy = std::nearbyint(sy);
          }
          if (sx < xMin || sx > xMax || sy < yMin || sy > yMax) {
            if (m_padding == Padding::Border) {
              sx = std::clamp(sx, 0.0, double(w - 1));
              sy = std::clamp(sy, 0.0, double(h - 1));
            } else if (m_padding == Padding::Reflection) {
              sx = reflect(sx, xMin, xMax);
              sy = reflect(sy, yMin, yMax);
            }
          }
          for (int64_t ch = 0; ch < c; ++ch) {
            const T* plane = in + (b * c + ch) * h * w;
            double v = 0;
            if (m_mode == Mode::Nearest) {
              v = pixel(plane, static_cast<int64_t>(sy), static_cast<int64_t>(sx));
            } else if (m_mode == Mode::Bilinear) {
              const double fx = std::floor(sx), fy = std::floor(sy);
              const auto x1 = static_cast<int64_t>(fx), y1 = static_cast<int64_t>(fy);
              const double dx1 = sx - fx, dx2 = 1 - dx1, dy1 = sy - fy, dy2 = 1 - dy1;
              v = dy2 * (dx2 * pixel(plane, y1, x1) + dx1 * pixel(plane, y1, x1 + 1)) +
                  dy1 * (dx2 * pixel(plane, y1 + 1, x1) + dx1 * pixel(plane, y1 + 1, x1 + 1));
            } else {
              const double fx = std::floor(sx), fy = std::floor(sy);
              const auto x0 = static_cast<int64_t>(fx) - 1, y0 = static_cast<int64_t>(fy) - 1;
              double cx[4], cy[4];
              cubicCoeffs(sx - fx, cx);
              cubicCoeffs(sy - fy, cy);
              for (int64_t i = 0; i < 4; ++i) {
                double row = 0;
                for (int64_t j = 0; j < 4; ++j)
                  row += cx[j] * pixel(plane, y0 + i, x0 + j);
                v += cy[i] * row;
              }
            }
            out[(b * c + ch) * ho * wo + oyx] = static_cast<T>(v);
          }
        }
      });
    });
    return ok();
  }

private:
  Mode m_mode;
  Padding m_padding;
  bool m_alignCorners;
};

} // namespace

Expected<std::unique_ptr<Kernel>> createGridSample(const CreateContext& c) {
  if (!supportsGridSample(c.node, c.inputTypes)) return unsupported(c, "expects float32/float64 X and grid");
  const auto mode = c.node.attrs.getString("mode", "bilinear");
  const auto padding = c.node.attrs.getString("padding_mode", "zeros");
  Mode m{};
  if (mode == "bilinear" || mode == "linear")
    m = Mode::Bilinear;
  else if (mode == "nearest")
    m = Mode::Nearest;
  else if (mode == "bicubic" || mode == "cubic")
    m = Mode::Bicubic;
  else
    return invalid(c, "unknown mode '" + mode + "'");
  Padding p{};
  if (padding == "zeros")
    p = Padding::Zeros;
  else if (padding == "border")
    p = Padding::Border;
  else if (padding == "reflection")
    p = Padding::Reflection;
  else
    return invalid(c, "unknown padding_mode '" + padding + "'");
  return std::make_unique<GridSampleKernel>(c, m, p);
}

bool supportsGridSample(const ir::Node&, std::span<const ir::DataType> types) {
  return types.size() >= 2 && (types[0] == ir::DataType::Float32 || types[0] == ir::DataType::Float64) &&
         types[1] == types[0];
}

} // namespace gs::runtime::cpu::basic
