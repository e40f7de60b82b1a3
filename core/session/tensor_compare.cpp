// Comparison of a run's output with a reference tensor (see tensor_compare.h).
#include "core/session/tensor_compare.h"

#include <cmath>
#include <cstring>

#include "core/ir/shape.h"

namespace gs::session {
namespace {

float halfToFloat(uint16_t h) {
  const uint32_t sign = (h & 0x8000u) << 16;
  uint32_t exp = (h >> 10) & 0x1f;
  uint32_t mant = h & 0x3ff;
  uint32_t bits;
  if (exp == 0) {
    if (mant == 0) {
      bits = sign;
    } else { // subnormal
      exp = 127 - 15 + 1;
      while (!(mant & 0x400)) {
        mant <<= 1;
        --exp;
      }
      mant &= 0x3ff;
      bits = sign | (exp << 23) | (mant << 13);
    }
  } else if (exp == 31) {
    bits = sign | 0x7f800000u | (mant << 13);
  } else {
    bits = sign | ((exp + 127 - 15) << 23) | (mant << 13);
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

double readFloat(const std::byte* p, ir::DataType t, std::size_t i) {
  switch (t) {
  case ir::DataType::Float32: {
    float v;
    std::memcpy(&v, p + i * 4, 4);
    return v;
  }
  case ir::DataType::Float64: {
    double v;
    std::memcpy(&v, p + i * 8, 8);
    return v;
  }
  case ir::DataType::Float16: {
    uint16_t h;
    std::memcpy(&h, p + i * 2, 2);
    return halfToFloat(h);
  }
  case ir::DataType::BFloat16: {
    uint16_t h;
    std::memcpy(&h, p + i * 2, 2);
    const uint32_t bits = uint32_t{h} << 16;
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
  }
  default:
    return 0;
  }
}

} // namespace

std::optional<std::string> compareTensors(const runtime::HostTensor& got, const ir::Tensor& wantIn, double rtol,
                                          double atol) {
  ir::Tensor want = wantIn;
  // The backend tests store bfloat16 data as uint16 (numpy has no bfloat16): same bits.
  if (want.dtype == ir::DataType::UInt16 && got.dtype() == ir::DataType::BFloat16) want.dtype = ir::DataType::BFloat16;
  if (got.dtype() != want.dtype)
    return "dtype " + std::string(ir::dtypeName(got.dtype())) + ", expected " + std::string(ir::dtypeName(want.dtype));
  if (got.dims() != want.dims)
    return "shape [" + ir::joinDims(got.dims()) + "], expected [" + ir::joinDims(want.dims) + "]";
  const auto n = static_cast<std::size_t>(got.numel());
  const auto* g = static_cast<const std::byte*>(got.data());
  const auto* w = want.data();
  std::size_t bad = 0, firstBad = 0;
  double worst = 0;
  std::size_t worstAt = 0;
  if (ir::isFloat(got.dtype())) {
    for (std::size_t i = 0; i < n; ++i) {
      const double a = readFloat(g, got.dtype(), i), b = readFloat(w, want.dtype, i);
      if (std::isnan(a) && std::isnan(b)) continue;
      if (std::isinf(a) || std::isinf(b)) {
        if (a == b) continue;
      } else if (std::abs(a - b) <= atol + rtol * std::abs(b)) {
        continue;
      }
      if (!bad) firstBad = i;
      ++bad;
      const double d = std::isnan(a - b) ? INFINITY : std::abs(a - b);
      if (d >= worst) {
        worst = d;
        worstAt = i;
      }
    }
    if (bad)
      return std::to_string(bad) + "/" + std::to_string(n) + " elements differ; worst at " + std::to_string(worstAt) +
             ": got " + std::to_string(readFloat(g, got.dtype(), worstAt)) + ", expected " +
             std::to_string(readFloat(w, want.dtype, worstAt));
    return std::nullopt;
  }
  const std::size_t es = ir::dtypeSize(got.dtype());
  if (es == 0) return "dtype " + std::string(ir::dtypeName(got.dtype())) + " cannot be compared";
  for (std::size_t i = 0; i < n; ++i)
    if (std::memcmp(g + i * es, w + i * es, es) != 0) {
      if (!bad) firstBad = i;
      ++bad;
    }
  if (bad) {
    auto gv = ir::Tensor::fromBytes(got.dtype(), got.dims(), std::string(reinterpret_cast<const char*>(g), n * es))
                  .toVector<double>();
    auto wv = want.toVector<double>();
    return std::to_string(bad) + "/" + std::to_string(n) + " elements differ; first at " + std::to_string(firstBad) +
           ": got " + std::to_string(gv.empty() ? 0 : gv[firstBad]) + ", expected " +
           std::to_string(wv.empty() ? 0 : wv[firstBad]);
  }
  return std::nullopt;
}

} // namespace gs::session
