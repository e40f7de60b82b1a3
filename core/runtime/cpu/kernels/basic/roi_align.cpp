// RoiAlign (opset 10/16): for each region of interest (x1, y1, x2, y2 in input coordinates, times
// spatial_scale; half_pixel shifts them by -0.5, the opset 16 default) an output_height x output_width
// grid of bins, each the average (mode avg) or the maximum (mode max, of the weighted taps, as ONNX
// Runtime computes it) of sampling_ratio^2 bilinear samples (adaptive: ceil(bin size) when 0).
#include <algorithm>
#include <cmath>

#include "core/runtime/cpu/kernels/basic/common.h"
#include "core/runtime/cpu/kernels/basic/dispatch.h"
#include "core/runtime/cpu/kernels/basic/kernels.h"
#include "core/runtime/cpu/kernels/basic/parallel.h"

namespace gs::runtime::cpu::basic {
namespace {

class RoiAlignKernel final : public BasicKernel {
public:
  RoiAlignKernel(const CreateContext& c)
      : BasicKernel(c), m_max(c.node.attrs.getString("mode", "avg") == "max"),
        m_halfPixel(c.node.attrs.getString("coordinate_transformation_mode",
                                           c.opset >= 16 ? "half_pixel" : "output_half_pixel") == "half_pixel"),
        m_oh(c.node.attrs.getInt("output_height", 1)), m_ow(c.node.attrs.getInt("output_width", 1)),
        m_ratio(c.node.attrs.getInt("sampling_ratio", 0)), m_scale(c.node.attrs.getFloat("spatial_scale", 1.0f)) {}

  Status run(std::span<const TensorRef> inputs, std::span<TensorRef> outputs, RunContext& ctx) override {
    if (!hasInput(inputs, 0) || !hasInput(inputs, 1) || !hasInput(inputs, 2))
      return fail("expects X, rois and batch_indices");
    const TensorRef &x = inputs[0], &rois = inputs[1], &idx = inputs[2];
    if (x.dims.size() != 4) return fail("X must be 4-D, got " + dimsString(x.dims));
    if (rois.dims.size() != 2 || rois.dims[1] != 4)
      return fail("rois must be [num_rois, 4], got " + dimsString(rois.dims));
    if (idx.numel() != rois.dims[0]) return fail("batch_indices must have one entry per roi");
    if (m_oh < 1 || m_ow < 1 || m_ratio < 0) return fail("output sizes must be positive, sampling_ratio >= 0");
    const int64_t n = x.dims[0], c = x.dims[1], h = x.dims[2], w = x.dims[3], num = rois.dims[0];
    const int64_t outDims[4] = {num, c, m_oh, m_ow};
    GS_RETURN_IF_ERROR(prepareOutput(outputs, 0, outDims, ctx));
    std::vector<int64_t> batch;
    GS_RETURN_IF_ERROR(readInts(idx, batch));
    for (auto b : batch)
      if (b < 0 || b >= n) return fail("batch index " + std::to_string(b) + " is out of range");
    visitType<float, double>(x.dtype, [&](auto tag) {
      using T = decltype(tag);
      const T* in = x.as<const T>();
      const T* r = rois.as<const T>();
      T* out = outputs[0].as<T>();
      parallelFor(num * c, 1, [&](int64_t q0, int64_t q1) {
        for (int64_t q = q0; q < q1; ++q) {
          const int64_t roi = q / c, ch = q % c;
          const T* plane = in + (batch[static_cast<std::size_t>(roi)] * c + ch) * h * w;
          const double off = m_halfPixel ? 0.5 : 0.0;
          const double sw = static_cast<double>(r[roi * 4 + 0]) * m_scale - off;
          const double sh = static_cast<double>(r[roi * 4 + 1]) * m_scale - off;
          const double ew = static_cast<double>(r[roi * 4 + 2]) * m_scale - off;
          const double eh = static_cast<double>(r[roi * 4 + 3]) * m_scale - off;
          double rw = ew - sw, rh = eh - sh;
          if (!m_halfPixel) {
            rw = std::max(rw, 1.0);
            rh = std::max(rh, 1.0);
          }
          const double bh = rh / static_cast<double>(m_oh), bw = rw / static_cast<double>(m_ow);
          const int64_t gh = m_ratio > 0 ? m_ratio : static_cast<int64_t>(std::ceil(rh / static_cast<double>(m_oh)));
          const int64_t gw = m_ratio > 0 ? m_ratio : static_cast<int64_t>(std::ceil(rw / static_cast<double>(m_ow)));
          const double count = static_cast<double>(std::max<int64_t>(gh * gw, 1));
          for (int64_t ph = 0; ph < m_oh; ++ph)
            for (int64_t pw = 0; pw < m_ow; ++pw) {
              double acc = 0;
              bool first = true;
              for (int64_t iy = 0; iy < gh; ++iy) {
                double yy =
                    sh + static_cast<double>(ph) * bh + (static_cast<double>(iy) + 0.5) * bh / static_cast<double>(gh);
                for (int64_t ix = 0; ix < gw; ++ix) {
                  double xx = sw + static_cast<double>(pw) * bw +
                              (static_cast<double>(ix) + 0.5) * bw / static_cast<double>(gw);
                  double v = 0;
                  if (!(yy < -1.0 || yy > static_cast<double>(h) || xx < -1.0 || xx > static_cast<double>(w))) {
                    double y = std::max(yy, 0.0), xv = std::max(xx, 0.0);
                    auto yl = static_cast<int64_t>(y), xl = static_cast<int64_t>(xv);
                    int64_t yh = yl + 1, xh = xl + 1;
                    if (yl >= h - 1) {
                      yh = yl = h - 1;
                      y = static_cast<double>(yl);
                    }
                    if (xl >= w - 1) {
                      xh = xl = w - 1;
                      xv = static_cast<double>(xl);
                    }
                    const double ly = y - static_cast<double>(yl), lx = xv - static_cast<double>(xl);
                    const double hy = 1 - ly, hx = 1 - lx;
                    const double t1 = hy * hx * static_cast<double>(plane[yl * w + xl]);
                    const double t2 = hy * lx * static_cast<double>(plane[yl * w + xh]);
                    const double t3 = ly * hx * static_cast<double>(plane[yh * w + xl]);
                    const double t4 = ly * lx * static_cast<double>(plane[yh * w + xh]);
                    v = m_max ? std::max({t1, t2, t3, t4}) : t1 + t2 + t3 + t4;
                  }
                  if (m_max)
                    acc = first ? v : std::max(acc, v);
                  else
                    acc += v;
                  first = false;
                }
              }
              out[(q * m_oh + ph) * m_ow + pw] = static_cast<T>(m_max ? acc : acc / count);
            }
        }
      });
    });
    return ok();
  }

private:
  bool m_max, m_halfPixel;
  int64_t m_oh, m_ow, m_ratio;
  float m_scale;
};

} // namespace

Expected<std::unique_ptr<Kernel>> createRoiAlign(const CreateContext& c) {
  if (!supportsRoiAlign(c.node, c.inputTypes)) return unsupported(c, "expects float32/float64 X and rois");
  return std::make_unique<RoiAlignKernel>(c);
}

bool supportsRoiAlign(const ir::Node&, std::span<const ir::DataType> types) {
  return types.size() >= 3 && (types[0] == ir::DataType::Float32 || types[0] == ir::DataType::Float64) &&
         types[1] == types[0] && (types[2] == ir::DataType::Int64 || types[2] == ir::DataType::Int32);
}

} // namespace gs::runtime::cpu::basic
