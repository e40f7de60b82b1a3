// Det (opset 11): the determinant of each square matrix in the last two dims ([..., M, M] -> [...]),
// by LU decomposition with partial pivoting in double.
#include <cmath>
#include <utility>

#include "core/runtime/cpu/kernels/basic/common.h"
#include "core/runtime/cpu/kernels/basic/dispatch.h"
#include "core/runtime/cpu/kernels/basic/kernels.h"
#include "core/runtime/cpu/kernels/basic/parallel.h"

namespace gs::runtime::cpu::basic {
namespace {

double determinant(std::vector<double>& a, int64_t m) {
  double det = 1;
  for (int64_t k = 0; k < m; ++k) {
    int64_t pivot = k;
    for (int64_t i = k + 1; i < m; ++i)
      if (std::abs(a[static_cast<std::size_t>(i * m + k)]) > std::abs(a[static_cast<std::size_t>(pivot * m + k)]))
        pivot = i;
    const double p = a[static_cast<std::size_t>(pivot * m + k)];
    if (p == 0) return 0;
    if (pivot != k) {
      for (int64_t j = 0; j < m; ++j)
        std::swap(a[static_cast<std::size_t>(k * m + j)], a[static_cast<std::size_t>(pivot * m + j)]);
      det = -det;
    }
    det *= p;
    for (int64_t i = k + 1; i < m; ++i) {
      const double f = a[static_cast<std::size_t>(i * m + k)] / p;
      for (int64_t j = k + 1; j < m; ++j)
        a[static_cast<std::size_t>(i * m + j)] -= f * a[static_cast<std::size_t>(k * m + j)];
    }
  }
  return det;
}

class DetKernel final : public BasicKernel {
public:
  using BasicKernel::BasicKernel;

  Status run(std::span<const TensorRef> inputs, std::span<TensorRef> outputs, RunContext& ctx) override {
    if (!hasInput(inputs, 0)) return fail("missing input");
    const TensorRef& x = inputs[0];
    const auto r = x.dims.size();
    if (r < 2 || x.dims[r - 1] != x.dims[r - 2]) return fail("expects [..., M, M], got " + dimsString(x.dims));
    const std::vector<int64_t> outDims(x.dims.begin(), x.dims.end() - 2);
    GS_RETURN_IF_ERROR(prepareOutput(outputs, 0, outDims, ctx));
    const int64_t m = x.dims[r - 1], count = productOf(outDims);
    visitType<float, double>(x.dtype, [&](auto tag) {
      using T = decltype(tag);
      const T* in = x.as<const T>();
      T* out = outputs[0].as<T>();
      parallelFor(count, 1, [&](int64_t b0, int64_t b1) {
        std::vector<double> a(static_cast<std::size_t>(m * m));
        for (int64_t b = b0; b < b1; ++b) {
          for (int64_t i = 0; i < m * m; ++i)
            a[static_cast<std::size_t>(i)] = static_cast<double>(in[b * m * m + i]);
          out[b] = static_cast<T>(determinant(a, m));
        }
      });
    });
    return ok();
  }
};

// MeanVarianceNormalization (opset 9/13): (X - mean) / (sqrt(E[X^2] - mean^2) + 1e-9) over `axes`
// (default 0, 2, 3), as the op's function body defines it.
class MvnKernel final : public BasicKernel {
public:
  MvnKernel(const CreateContext& c) : BasicKernel(c), m_axes(c.node.attrs.getInts("axes")) {
    if (!c.node.attrs.find("axes")) m_axes = {0, 2, 3};
  }

  Status run(std::span<const TensorRef> inputs, std::span<TensorRef> outputs, RunContext& ctx) override {
    if (!hasInput(inputs, 0)) return fail("missing input");
    const TensorRef& x = inputs[0];
    const auto rank = static_cast<int64_t>(x.dims.size());
    GS_RETURN_IF_ERROR(checkRank(x.dims.size()));
    std::vector<bool> reduced(x.dims.size(), false);
    for (auto a : m_axes) {
      GS_ASSIGN_OR_RETURN(const int64_t axis, normAxis(a, rank));
      reduced[static_cast<std::size_t>(axis)] = true;
    }
    GS_RETURN_IF_ERROR(prepareOutput(outputs, 0, x.dims, ctx));
    // Group elements by their kept coordinates.
    const int64_t total = x.numel();
    std::vector<int64_t> keyOf(static_cast<std::size_t>(total));
    int64_t groups = 1;
    {
      std::vector<int64_t> keptStride(x.dims.size(), 0);
      for (int64_t d = rank - 1; d >= 0; --d)
        if (!reduced[static_cast<std::size_t>(d)]) {
          keptStride[static_cast<std::size_t>(d)] = groups;
          groups *= x.dims[static_cast<std::size_t>(d)];
        }
      for (int64_t e = 0; e < total; ++e) {
        int64_t rem = e, key = 0;
        for (int64_t d = rank - 1; d >= 0; --d) {
          const int64_t i = rem % x.dims[static_cast<std::size_t>(d)];
          rem /= x.dims[static_cast<std::size_t>(d)];
          key += i * keptStride[static_cast<std::size_t>(d)];
        }
        keyOf[static_cast<std::size_t>(e)] = key;
      }
    }
    std::vector<double> sum(static_cast<std::size_t>(groups), 0.0), sq(static_cast<std::size_t>(groups), 0.0),
        n(static_cast<std::size_t>(groups), 0.0);
    const bool done = visitType<float, double>(x.dtype, [&](auto tag) {
      using T = decltype(tag);
      const T* in = x.as<const T>();
      T* out = outputs[0].as<T>();
      for (int64_t e = 0; e < total; ++e) {
        const auto k = static_cast<std::size_t>(keyOf[static_cast<std::size_t>(e)]);
        const double v = static_cast<double>(in[e]);
        sum[k] += v;
        sq[k] += v * v;
        n[k] += 1;
      }
      for (int64_t e = 0; e < total; ++e) {
        const auto k = static_cast<std::size_t>(keyOf[static_cast<std::size_t>(e)]);
        const double mean = sum[k] / n[k];
        const double var = std::max(sq[k] / n[k] - mean * mean, 0.0);
        out[e] = static_cast<T>((static_cast<double>(in[e]) - mean) / (std::sqrt(var) + 1e-9));
      }
    });
    if (!done) return fail("expects float32 or float64");
    return ok();
  }

private:
  std::vector<int64_t> m_axes;
};

} // namespace

Expected<std::unique_ptr<Kernel>> createLinalg(const CreateContext& c) {
  if (!supportsLinalg(c.node, c.inputTypes))
    return unsupported(c, "no kernel for input type " + std::string(ir::dtypeName(inputType(c, 0))));
  if (c.node.opType == "MeanVarianceNormalization") return std::make_unique<MvnKernel>(c);
  return std::make_unique<DetKernel>(c);
}

bool supportsLinalg(const ir::Node&, std::span<const ir::DataType> types) {
  return !types.empty() && (types[0] == ir::DataType::Float32 || types[0] == ir::DataType::Float64);
}

} // namespace gs::runtime::cpu::basic
