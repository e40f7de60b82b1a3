// Integer helpers of the quantization kernels (see quant_common.h).
#include "core/runtime/cpu/kernels/nn/quant_common.h"

#include <algorithm>

namespace gs::runtime::cpu::nn::quant {

Expected<IntRange> rangeOf(ir::DataType t) {
  switch (t) {
  case ir::DataType::UInt8:
    return IntRange{0, 255};
  case ir::DataType::Int8:
    return IntRange{-128, 127};
  case ir::DataType::UInt16:
    return IntRange{0, 65535};
  case ir::DataType::Int16:
    return IntRange{-32768, 32767};
  case ir::DataType::Int32:
    return IntRange{std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max()};
  default:
    return makeError(codes::kUnsupported, "quantized type " + std::string(ir::dtypeName(t)) +
                                              " is not supported (int8, uint8, int16, uint16 are)");
  }
}

bool isQuantType(ir::DataType t) {
  return t == ir::DataType::UInt8 || t == ir::DataType::Int8 || t == ir::DataType::UInt16 || t == ir::DataType::Int16;
}

int64_t readInt(const void* data, ir::DataType t, int64_t i) {
  switch (t) {
  case ir::DataType::UInt8:
    return static_cast<const uint8_t*>(data)[i];
  case ir::DataType::Int8:
    return static_cast<const int8_t*>(data)[i];
  case ir::DataType::UInt16:
    return static_cast<const uint16_t*>(data)[i];
  case ir::DataType::Int16:
    return static_cast<const int16_t*>(data)[i];
  case ir::DataType::Int32:
    return static_cast<const int32_t*>(data)[i];
  default:
    return 0;
  }
}

void writeInt(void* data, ir::DataType t, int64_t i, int64_t v) {
  switch (t) {
  case ir::DataType::UInt8:
    static_cast<uint8_t*>(data)[i] = static_cast<uint8_t>(v);
    break;
  case ir::DataType::Int8:
    static_cast<int8_t*>(data)[i] = static_cast<int8_t>(v);
    break;
  case ir::DataType::UInt16:
    static_cast<uint16_t*>(data)[i] = static_cast<uint16_t>(v);
    break;
  case ir::DataType::Int16:
    static_cast<int16_t*>(data)[i] = static_cast<int16_t>(v);
    break;
  case ir::DataType::Int32:
    static_cast<int32_t*>(data)[i] = static_cast<int32_t>(v);
    break;
  default:
    break;
  }
}

Expected<ParamLayout> paramLayout(const ir::Node& node, std::span<const int64_t> xDims,
                                  std::span<const int64_t> scaleDims) {
  ParamLayout p;
  int64_t count = 1;
  for (auto d : scaleDims)
    count *= d;
  const int64_t block = node.attrs.getInt("block_size", 0);
  if (block < 0) return std::unexpected(kernelError(node, "block_size must be >= 0", codes::kInvalid));
  if (scaleDims.empty() || (count == 1 && block == 0)) return p; // per tensor
  const auto rank = static_cast<int64_t>(xDims.size());
  GS_ASSIGN_OR_RETURN(const int64_t axis, normalizeAxis(node, node.attrs.getInt("axis", 1), xDims.size()));
  p.perTensor = false;
  p.axisLen = xDims[static_cast<std::size_t>(axis)];
  p.outer = product(xDims, 0, static_cast<std::size_t>(axis));
  p.inner = product(xDims, static_cast<std::size_t>(axis) + 1, xDims.size());
  p.count = count;
  if (block == 0) {
    if (scaleDims.size() != 1 || scaleDims[0] != p.axisLen)
      return std::unexpected(kernelError(node,
                                         "per-axis scale must be 1-D with " + std::to_string(p.axisLen) +
                                             " elements (x dim " + std::to_string(axis) + ")",
                                         codes::kInvalid));
    return p;
  }
  // Blocked (opset 21): the scale has x's rank, with ceil(D / block_size) along the axis.
  if (static_cast<int64_t>(scaleDims.size()) != rank)
    return std::unexpected(kernelError(node, "blocked scale must have the rank of x", codes::kInvalid));
  for (int64_t i = 0; i < rank; ++i) {
    const auto want = i == axis ? (p.axisLen + block - 1) / block : xDims[static_cast<std::size_t>(i)];
    if (scaleDims[static_cast<std::size_t>(i)] != want)
      return std::unexpected(kernelError(
          node, "blocked scale dim " + std::to_string(i) + " must be " + std::to_string(want), codes::kInvalid));
  }
  p.block = block;
  return p;
}

Expected<ConvGeom> convGeom(const ir::Node& node, std::span<const int64_t> x, std::span<const int64_t> w) {
  if ((x.size() != 3 && x.size() != 4) || w.size() != x.size())
    return std::unexpected(kernelError(node, "X and W must both have rank 3 or 4", codes::kUnsupported));
  const std::size_t spatial = x.size() - 2;
  GS_ASSIGN_OR_RETURN(const auto autoPad, readAutoPad(node));
  GS_ASSIGN_OR_RETURN(auto win, readWindow(node, spatial, std::vector<int64_t>(w.begin() + 2, w.end())));
  for (std::size_t i = 0; i < spatial; ++i)
    if (win.kernel[i] != w[i + 2]) return std::unexpected(kernelError(node, "kernel_shape does not match W"));
  resolveAutoPad(win, autoPad, x.subspan(2));
  ConvGeom g;
  g.n = x[0];
  g.c = x[1];
  g.m = w[0];
  g.group = node.attrs.getInt("group", 1);
  if (g.group < 1 || g.c != w[1] * g.group || g.m % g.group != 0)
    return std::unexpected(
        kernelError(node, "channels " + std::to_string(g.c) + " do not match W and group " + std::to_string(g.group),
                    codes::kInvalid));
  const bool twoD = spatial == 2;
  g.h = twoD ? x[2] : 1;
  g.w = x[spatial + 1];
  g.kh = twoD ? w[2] : 1;
  g.kw = w[spatial + 1];
  const std::size_t iw = spatial - 1;
  g.sh = twoD ? win.strides[0] : 1;
  g.sw = win.strides[iw];
  g.dh = twoD ? win.dilations[0] : 1;
  g.dw = win.dilations[iw];
  g.padT = twoD ? win.padL[0] : 0;
  g.padL = win.padL[iw];
  g.oh = twoD ? windowOutput(g.h, g.kh, g.sh, g.dh, win.padL[0], win.padR[0], false) : 1;
  g.ow = windowOutput(g.w, g.kw, g.sw, g.dw, win.padL[iw], win.padR[iw], false);
  if (g.oh <= 0 || g.ow <= 0) return std::unexpected(kernelError(node, "empty output"));
  return g;
}

namespace {
template <class X, class W>
void convLoop(const ConvGeom& g, const X* x, int32_t xZero, const W* w, std::span<const int32_t> wZero, int32_t* acc) {
  const int64_t cg = g.c / g.group, mg = g.m / g.group;
#pragma omp parallel for collapse(2) if (g.n * g.m * g.oh * g.ow * cg * g.kh * g.kw > (1 << 20))
  for (int64_t n = 0; n < g.n; ++n)
    for (int64_t m = 0; m < g.m; ++m) {
      const int64_t grp = m / mg;
      const int32_t wz = wZero[wZero.size() == 1 ? 0 : static_cast<std::size_t>(m)];
      int32_t* out = acc + (n * g.m + m) * g.oh * g.ow;
      for (int64_t oy = 0; oy < g.oh; ++oy)
        for (int64_t ox = 0; ox < g.ow; ++ox) {
          int32_t s = 0;
          for (int64_t c = 0; c < cg; ++c) {
            const X* xc = x + ((n * g.c) + grp * cg + c) * g.h * g.w;
            const W* wc = w + ((m * cg) + c) * g.kh * g.kw;
            for (int64_t ky = 0; ky < g.kh; ++ky) {
              const int64_t iy = oy * g.sh - g.padT + ky * g.dh;
              if (iy < 0 || iy >= g.h) continue;
              for (int64_t kx = 0; kx < g.kw; ++kx) {
                const int64_t ix = ox * g.sw - g.padL + kx * g.dw;
                if (ix < 0 || ix >= g.w) continue; // padding is the zero point: (x - zero) = 0
                s +=
                    (static_cast<int32_t>(xc[iy * g.w + ix]) - xZero) * (static_cast<int32_t>(wc[ky * g.kw + kx]) - wz);
              }
            }
          }
          out[oy * g.ow + ox] = s;
        }
    }
}

template <class A, class B>
void matmulLoop(const MatMulGeom& g, const A* a, std::span<const int32_t> aZero, const B* b,
                std::span<const int32_t> bZero, int32_t* acc) {
#pragma omp parallel for collapse(2) if (g.batches * g.m * g.n * g.k > (1 << 20))
  for (int64_t bt = 0; bt < g.batches; ++bt)
    for (int64_t i = 0; i < g.m; ++i) {
      const A* ar = a + (g.aBatch[static_cast<std::size_t>(bt)] * g.m + i) * g.k;
      const B* bm = b + g.bBatch[static_cast<std::size_t>(bt)] * g.k * g.n;
      int32_t* out = acc + (bt * g.m + i) * g.n;
      const int32_t az = aZero[aZero.size() == 1 ? 0 : static_cast<std::size_t>(i)];
      for (int64_t j = 0; j < g.n; ++j)
        out[j] = 0;
      for (int64_t p = 0; p < g.k; ++p) {
        const int32_t av = static_cast<int32_t>(ar[p]) - az;
        const B* br = bm + p * g.n;
        if (bZero.size() == 1) {
          const int32_t bz = bZero[0];
          for (int64_t j = 0; j < g.n; ++j)
            out[j] += av * (static_cast<int32_t>(br[j]) - bz);
        } else {
          for (int64_t j = 0; j < g.n; ++j)
            out[j] += av * (static_cast<int32_t>(br[j]) - bZero[static_cast<std::size_t>(j)]);
        }
      }
    }
}
} // namespace

void convInt32(const ConvGeom& g, const void* x, ir::DataType xt, int32_t xZero, const void* w, ir::DataType wt,
               std::span<const int32_t> wZero, int32_t* acc) {
  const bool xu = xt == ir::DataType::UInt8, wu = wt == ir::DataType::UInt8;
  if (xu && wu)
    convLoop(g, static_cast<const uint8_t*>(x), xZero, static_cast<const uint8_t*>(w), wZero, acc);
  else if (xu)
    convLoop(g, static_cast<const uint8_t*>(x), xZero, static_cast<const int8_t*>(w), wZero, acc);
  else if (wu)
    convLoop(g, static_cast<const int8_t*>(x), xZero, static_cast<const uint8_t*>(w), wZero, acc);
  else
    convLoop(g, static_cast<const int8_t*>(x), xZero, static_cast<const int8_t*>(w), wZero, acc);
}

Expected<MatMulGeom> matmulGeom(const ir::Node& node, std::span<const int64_t> a, std::span<const int64_t> b) {
  if (a.empty() || b.empty()) return std::unexpected(kernelError(node, "inputs must not be scalars"));
  std::vector<int64_t> pa(a.begin(), a.end()), pb(b.begin(), b.end());
  if (a.size() == 1) pa.insert(pa.begin(), 1);
  if (b.size() == 1) pb.push_back(1);
  MatMulGeom g;
  g.m = pa[pa.size() - 2];
  g.k = pa.back();
  g.n = pb.back();
  if (pb[pb.size() - 2] != g.k)
    return std::unexpected(
        kernelError(node, "inner dims differ: " + std::to_string(g.k) + " and " + std::to_string(pb[pb.size() - 2]),
                    codes::kInvalid));
  const std::size_t ra = pa.size() - 2, rb = pb.size() - 2, r = std::max(ra, rb);
  std::vector<int64_t> batch(r), sa(r), sb(r);
  for (std::size_t i = 0; i < r; ++i) {
    const int64_t da = i + ra >= r ? pa[i + ra - r] : 1;
    const int64_t db = i + rb >= r ? pb[i + rb - r] : 1;
    if (da != db && da != 1 && db != 1)
      return std::unexpected(kernelError(node, "batch dims do not broadcast", codes::kInvalid));
    batch[i] = std::max(da, db);
    sa[i] = da;
    sb[i] = db;
  }
  for (auto d : batch)
    g.batches *= d;
  g.aBatch.resize(static_cast<std::size_t>(g.batches));
  g.bBatch.resize(static_cast<std::size_t>(g.batches));
  for (int64_t bt = 0; bt < g.batches; ++bt) {
    int64_t rem = bt, ia = 0, ib = 0, mulA = 1, mulB = 1;
    for (std::size_t i = r; i-- > 0;) {
      const int64_t idx = rem % batch[i];
      rem /= batch[i];
      ia += (sa[i] == 1 ? 0 : idx) * mulA;
      ib += (sb[i] == 1 ? 0 : idx) * mulB;
      mulA *= sa[i];
      mulB *= sb[i];
    }
    g.aBatch[static_cast<std::size_t>(bt)] = ia;
    g.bBatch[static_cast<std::size_t>(bt)] = ib;
  }
  g.out = batch;
  if (a.size() != 1) g.out.push_back(g.m);
  if (b.size() != 1) g.out.push_back(g.n);
  return g;
}

void matmulInt32(const MatMulGeom& g, const void* a, ir::DataType at, std::span<const int32_t> aZero, const void* b,
                 ir::DataType bt, std::span<const int32_t> bZero, int32_t* acc) {
  const bool au = at == ir::DataType::UInt8, bu = bt == ir::DataType::UInt8;
  if (au && bu)
    matmulLoop(g, static_cast<const uint8_t*>(a), aZero, static_cast<const uint8_t*>(b), bZero, acc);
  else if (au)
    matmulLoop(g, static_cast<const uint8_t*>(a), aZero, static_cast<const int8_t*>(b), bZero, acc);
  else if (bu)
    matmulLoop(g, static_cast<const int8_t*>(a), aZero, static_cast<const uint8_t*>(b), bZero, acc);
  else
    matmulLoop(g, static_cast<const int8_t*>(a), aZero, static_cast<const int8_t*>(b), bZero, acc);
}

std::vector<int32_t> zeroPoints(const TensorRef* t, int64_t fallback) {
  if (!t || !t->present()) return std::vector<int32_t>(static_cast<std::size_t>(std::max<int64_t>(fallback, 1)), 0);
  std::vector<int32_t> z(static_cast<std::size_t>(t->numel()));
  for (std::size_t i = 0; i < z.size(); ++i)
    z[i] = static_cast<int32_t>(readInt(t->data, t->dtype, static_cast<int64_t>(i)));
  return z;
}

std::vector<float> scales(const TensorRef& t) {
  const auto* p = t.as<const float>();
  return std::vector<float>(p, p + t.numel());
}

} // namespace gs::runtime::cpu::nn::quant
