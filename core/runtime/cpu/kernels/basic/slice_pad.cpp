// Slice (starts/ends/axes/steps as attributes before opset 10, inputs since; negative steps,
// clamping as the spec says) and Pad (constant / reflect / edge / wrap; pads as attribute before
// opset 11, input since, optional axes input; negative pads crop). Any fixed-size element type;
// index inputs are read in run(), so they may be computed tensors.
#include <cstring>

#include "core/runtime/cpu/kernels/basic/common.h"
#include "core/runtime/cpu/kernels/basic/dispatch.h"
#include "core/runtime/cpu/kernels/basic/kernels.h"
#include "core/runtime/cpu/kernels/basic/parallel.h"

namespace gs::runtime::cpu::basic {
namespace {

class SliceKernel final : public BasicKernel {
public:
  SliceKernel(const CreateContext& c)
      : BasicKernel(c), m_attrStarts(c.node.attrs.getInts("starts")), m_attrEnds(c.node.attrs.getInts("ends")),
        m_attrAxes(c.node.attrs.getInts("axes")) {}

  Status run(std::span<const TensorRef> inputs, std::span<TensorRef> outputs, RunContext& ctx) override {
    if (!hasInput(inputs, 0)) return fail("missing input");
    const TensorRef& x = inputs[0];
    const auto rank = static_cast<int64_t>(x.dims.size());
    GS_RETURN_IF_ERROR(checkRank(x.dims.size()));
    if (m_opset >= 10) {
      if (!hasInput(inputs, 2)) return fail("expects starts and ends inputs");
      GS_RETURN_IF_ERROR(readInts(inputs[1], m_starts));
      GS_RETURN_IF_ERROR(readInts(inputs[2], m_ends));
      if (hasInput(inputs, 3))
        GS_RETURN_IF_ERROR(readInts(inputs[3], m_axes));
      else
        m_axes.clear();
      if (hasInput(inputs, 4))
        GS_RETURN_IF_ERROR(readInts(inputs[4], m_steps));
      else
        m_steps.clear();
    } else {
      m_starts = m_attrStarts;
      m_ends = m_attrEnds;
      m_axes = m_attrAxes;
      m_steps.clear();
    }
    const std::size_t n = m_starts.size();
    if (m_ends.size() != n || (!m_axes.empty() && m_axes.size() != n) || (!m_steps.empty() && m_steps.size() != n))
      return fail("starts, ends, axes and steps differ in length");
    DimArray start{}, step{};
    m_outDims = x.dims;
    for (int64_t d = 0; d < rank; ++d)
      step[static_cast<std::size_t>(d)] = 1;
    std::array<bool, kMaxRank> seen{};
    for (std::size_t i = 0; i < n; ++i) {
      GS_ASSIGN_OR_RETURN(const int64_t a, normAxis(m_axes.empty() ? static_cast<int64_t>(i) : m_axes[i], rank));
      const auto ai = static_cast<std::size_t>(a);
      if (seen[ai]) return fail("repeated axis");
      seen[ai] = true;
      const int64_t dim = x.dims[ai];
      const int64_t st = m_steps.empty() ? 1 : m_steps[i];
      if (st == 0) return fail("step must not be 0");
      int64_t s = m_starts[i], e = m_ends[i];
      if (s < 0) s += dim;
      if (e < 0) e += dim;
      int64_t len = 0;
      if (dim == 0) {
        s = 0;
      } else if (st > 0) {
        s = std::clamp<int64_t>(s, 0, dim);
        e = std::clamp<int64_t>(e, 0, dim);
        len = e > s ? (e - s + st - 1) / st : 0;
      } else {
        s = std::clamp<int64_t>(s, 0, dim - 1);
        e = std::clamp<int64_t>(e, -1, dim - 1);
        len = s > e ? (s - e + (-st) - 1) / (-st) : 0;
      }
      start[ai] = s;
      step[ai] = st;
      m_outDims[ai] = len;
    }
    GS_RETURN_IF_ERROR(prepareOutput(outputs, 0, m_outDims, ctx));
    const int64_t total = productOf(m_outDims);
    if (total == 0) return ok();
    // Input strides; base offset of the first element and per-dim jumps.
    DimArray stride{}, jump{};
    int64_t base = 0, s = 1;
    for (int64_t d = rank - 1; d >= 0; --d) {
      const auto di = static_cast<std::size_t>(d);
      stride[di] = s;
      s *= x.dims[di];
      base += start[di] * stride[di];
      jump[di] = step[di] * stride[di];
    }
    const int64_t inner = rank ? m_outDims.back() : 1;
    const int64_t innerJump = rank ? jump[static_cast<std::size_t>(rank - 1)] : 1;
    const int outerRank = static_cast<int>(std::max<int64_t>(rank - 1, 0));
    const auto& od = m_outDims;
    visitBySize(ir::dtypeSize(x.dtype), [&](auto tag) {
      using T = decltype(tag);
      const T* in = x.as<const T>() + base;
      T* out = outputs[0].as<T>();
      parallelFor(total / inner, std::max<int64_t>(1, kGrainCopy / inner), [&](int64_t r0, int64_t r1) {
        for (int64_t r = r0; r < r1; ++r) {
          int64_t off = 0, rem = r;
          for (int d = outerRank - 1; d >= 0; --d) {
            const auto di = static_cast<std::size_t>(d);
            off += (rem % od[di]) * jump[di];
            rem /= od[di];
          }
          const T* src = in + off;
          T* dst = out + r * inner;
          if (innerJump == 1) {
            std::memcpy(dst, src, static_cast<std::size_t>(inner) * sizeof(T));
          } else {
            for (int64_t i = 0; i < inner; ++i)
              dst[i] = src[i * innerJump];
          }
        }
      });
    });
    return ok();
  }

private:
  std::vector<int64_t> m_attrStarts, m_attrEnds, m_attrAxes;
  std::vector<int64_t> m_starts, m_ends, m_axes, m_steps, m_outDims;
};

enum class PadMode { Constant, Reflect, Edge, Wrap };

// Source index of output position o along a dim of n input elements; -1 for the constant value.
inline int64_t padSource(int64_t src, int64_t n, PadMode mode) {
  if (src >= 0 && src < n) return src;
  switch (mode) {
  case PadMode::Constant:
    return -1;
  case PadMode::Edge:
    return src < 0 ? 0 : n - 1;
  case PadMode::Wrap:
    return ((src % n) + n) % n;
  case PadMode::Reflect: {
    if (n == 1) return 0;
    const int64_t period = 2 * (n - 1);
    int64_t m = ((src % period) + period) % period;
    return m >= n ? period - m : m;
  }
  }
  return -1;
}

class PadKernel final : public BasicKernel {
public:
  PadKernel(const CreateContext& c, PadMode mode)
      : BasicKernel(c), m_mode(mode), m_attrPads(c.node.attrs.getInts("pads")),
        m_attrValue(c.node.attrs.getFloat("value", 0.0f)) {}

  Status run(std::span<const TensorRef> inputs, std::span<TensorRef> outputs, RunContext& ctx) override {
    if (!hasInput(inputs, 0)) return fail("missing input");
    const TensorRef& x = inputs[0];
    const auto rank = static_cast<int64_t>(x.dims.size());
    GS_RETURN_IF_ERROR(checkRank(x.dims.size()));
    uint64_t value = 0; // the constant's bytes in the element type
    const std::size_t elem = ir::dtypeSize(x.dtype);
    if (m_opset >= 11) {
      if (!hasInput(inputs, 1)) return fail("missing pads input");
      GS_RETURN_IF_ERROR(readInts(inputs[1], m_pads));
      if (hasInput(inputs, 2) && inputs[2].numel() > 0) {
        if (inputs[2].dtype != x.dtype) return fail("constant_value must have the input's type");
        std::memcpy(&value, inputs[2].data, elem);
      }
      if (hasInput(inputs, 3)) GS_RETURN_IF_ERROR(readInts(inputs[3], m_axes));
    } else {
      m_pads = m_attrPads;
      visitType<float, double, int32_t, int64_t, int16_t, int8_t, uint8_t, uint16_t, uint32_t, uint64_t, bool>(
          x.dtype, [&](auto tag) {
            const auto v = static_cast<decltype(tag)>(m_attrValue);
            std::memcpy(&value, &v, sizeof(v));
          });
    }
    // Per-dim begin/end pads, expanded from the optional axes list.
    DimArray begin{}, end{};
    const bool withAxes = m_opset >= 11 && hasInput(inputs, 3);
    const auto count = withAxes ? m_axes.size() : static_cast<std::size_t>(rank);
    if (m_pads.size() != 2 * count) return fail("pads has " + std::to_string(m_pads.size()) + " values");
    for (std::size_t i = 0; i < count; ++i) {
      int64_t a = static_cast<int64_t>(i);
      if (withAxes) {
        GS_ASSIGN_OR_RETURN(a, normAxis(m_axes[i], rank));
      }
      begin[static_cast<std::size_t>(a)] = m_pads[i];
      end[static_cast<std::size_t>(a)] = m_pads[i + count];
    }
    m_outDims = x.dims;
    for (std::size_t d = 0; d < x.dims.size(); ++d) {
      m_outDims[d] += begin[d] + end[d];
      if (m_outDims[d] < 0) return fail("pads crop more than dim " + std::to_string(d) + " holds");
      if (m_mode != PadMode::Constant && x.dims[d] == 0 && m_outDims[d] > 0)
        return fail("cannot pad an empty dim in this mode");
    }
    GS_RETURN_IF_ERROR(prepareOutput(outputs, 0, m_outDims, ctx));
    const int64_t total = productOf(m_outDims);
    if (total == 0) return ok();
    visitBySize(elem, [&](auto tag) { pad<decltype(tag)>(x, outputs[0], begin, value); });
    return ok();
  }

private:
  template <class T> void pad(const TensorRef& x, TensorRef& y, const DimArray& begin, uint64_t valueBits) const {
    T value;
    std::memcpy(&value, &valueBits, sizeof(T));
    const auto rank = static_cast<int>(x.dims.size());
    const T* in = x.as<const T>();
    T* out = y.as<T>();
    const auto& od = m_outDims;
    const auto& id = x.dims;
    const int64_t inner = rank ? od.back() : 1;
    const int64_t inInner = rank ? id.back() : 1;
    const int64_t b = rank ? begin[static_cast<std::size_t>(rank - 1)] : 0;
    // The part of an output row that maps straight onto the input row.
    const int64_t lo = std::clamp<int64_t>(b, 0, inner);
    const int64_t hi = std::clamp<int64_t>(b + inInner, lo, inner);
    parallelFor(productOf(od) / inner, std::max<int64_t>(1, kGrainCopy / inner), [&](int64_t r0, int64_t r1) {
      for (int64_t r = r0; r < r1; ++r) {
        T* dst = out + r * inner;
        // Map the outer output index to an input row, or to the constant.
        int64_t off = 0, rem = r, stride = inInner;
        bool constRow = false;
        for (int d = rank - 2; d >= 0; --d) {
          const auto di = static_cast<std::size_t>(d);
          const int64_t o = rem % od[di];
          rem /= od[di];
          const int64_t src = padSource(o - begin[di], id[di], m_mode);
          if (src < 0) {
            constRow = true;
            break;
          }
          off += src * stride;
          stride *= id[di];
        }
        if (constRow) {
          std::fill_n(dst, inner, value);
          continue;
        }
        const T* srcRow = in + off;
        auto fillEdge = [&](int64_t from, int64_t to) {
          for (int64_t i = from; i < to; ++i) {
            const int64_t src = padSource(i - b, inInner, m_mode);
            dst[i] = src < 0 ? value : srcRow[src];
          }
        };
        fillEdge(0, lo);
        if (hi > lo) std::memcpy(dst + lo, srcRow + (lo - b), static_cast<std::size_t>(hi - lo) * sizeof(T));
        fillEdge(hi, inner);
      }
    });
  }

  PadMode m_mode;
  std::vector<int64_t> m_attrPads;
  float m_attrValue;
  std::vector<int64_t> m_pads, m_axes, m_outDims;
};

} // namespace

Expected<std::unique_ptr<Kernel>> createSlice(const CreateContext& c) {
  if (!supportsSlice(c.node, c.inputTypes))
    return unsupported(c, "no kernel for input type " + std::string(ir::dtypeName(inputType(c, 0))));
  return std::make_unique<SliceKernel>(c);
}

bool supportsSlice(const ir::Node&, std::span<const ir::DataType> types) {
  return !types.empty() && ir::isFixedSize(types[0]);
}

Expected<std::unique_ptr<Kernel>> createPad(const CreateContext& c) {
  if (!supportsPad(c.node, c.inputTypes))
    return unsupported(c, "no kernel for input type " + std::string(ir::dtypeName(inputType(c, 0))));
  const auto mode = c.node.attrs.getString("mode", "constant");
  PadMode m;
  if (mode == "constant")
    m = PadMode::Constant;
  else if (mode == "reflect")
    m = PadMode::Reflect;
  else if (mode == "edge")
    m = PadMode::Edge;
  else if (mode == "wrap")
    m = PadMode::Wrap;
  else
    return invalid(c, "unknown mode '" + mode + "'");
  return std::make_unique<PadKernel>(c, m);
}

bool supportsPad(const ir::Node&, std::span<const ir::DataType> types) {
  return !types.empty() && ir::isFixedSize(types[0]);
}

} // namespace gs::runtime::cpu::basic
