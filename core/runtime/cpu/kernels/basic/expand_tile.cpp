// Expand (broadcast to a shape given as an int64 input, bidirectionally as the spec says) and Tile
// (repeat along each dim), for any fixed-size element type. Both read their shape-like input in
// run(): output dims from shape inference are checked against it, or allocated when unknown.
#include <cstring>

#include "core/runtime/cpu/kernels/basic/broadcast.h"
#include "core/runtime/cpu/kernels/basic/dispatch.h"
#include "core/runtime/cpu/kernels/basic/kernels.h"
#include "core/runtime/cpu/kernels/basic/parallel.h"

namespace gs::runtime::cpu::basic {
namespace {

class ExpandKernel final : public BasicKernel {
public:
  using BasicKernel::BasicKernel;

  Status run(std::span<const TensorRef> inputs, std::span<TensorRef> outputs, RunContext& ctx) override {
    if (!hasInput(inputs, 1)) return fail("expects input and shape");
    const TensorRef& x = inputs[0];
    GS_RETURN_IF_ERROR(readInts(inputs[1], m_shape));
    if (!broadcastShapes(x.dims, m_shape, m_outDims))
      return fail("cannot expand " + dimsString(x.dims) + " to " + dimsString(m_shape));
    GS_RETURN_IF_ERROR(prepareOutput(outputs, 0, m_outDims, ctx));
    const std::span<const int64_t> ins[] = {x.dims};
    if (!makeBroadcastPlan(ins, m_outDims, m_plan)) return fail("rank exceeds the supported maximum");
    const BroadcastPlan& p = m_plan;
    visitBySize(ir::dtypeSize(x.dtype), [&](auto tag) {
      using T = decltype(tag);
      const T* in = x.as<const T>();
      T* out = outputs[0].as<T>();
      parallelFor(p.total, kGrainCopy, [&](int64_t e0, int64_t e1) {
        forEachSpan(p, e0, e1, [&](int64_t e, const std::array<int64_t, kMaxBroadcastInputs>& off, int64_t n) {
          if (p.innerStride[0])
            std::memcpy(out + e, in + off[0], static_cast<std::size_t>(n) * sizeof(T));
          else
            std::fill_n(out + e, n, in[off[0]]);
        });
      });
    });
    return ok();
  }

private:
  std::vector<int64_t> m_shape, m_outDims;
  BroadcastPlan m_plan;
};

class TileKernel final : public BasicKernel {
public:
  using BasicKernel::BasicKernel;

  Status run(std::span<const TensorRef> inputs, std::span<TensorRef> outputs, RunContext& ctx) override {
    if (!hasInput(inputs, 1)) return fail("expects input and repeats");
    const TensorRef& x = inputs[0];
    GS_RETURN_IF_ERROR(readInts(inputs[1], m_repeats));
    if (m_repeats.size() != x.dims.size()) return fail("repeats must have one value per input dim");
    m_outDims = x.dims;
    for (std::size_t d = 0; d < x.dims.size(); ++d) {
      if (m_repeats[d] < 0) return fail("negative repeat");
      m_outDims[d] *= m_repeats[d];
    }
    GS_RETURN_IF_ERROR(prepareOutput(outputs, 0, m_outDims, ctx));
    const int64_t total = productOf(m_outDims);
    if (total == 0) return ok();
    const auto rank = static_cast<int>(x.dims.size());
    const int64_t inner = rank ? m_outDims.back() : 1;
    const int64_t inInner = rank ? x.dims.back() : 1;
    const auto& od = m_outDims;
    const auto& id = x.dims;
    visitBySize(ir::dtypeSize(x.dtype), [&](auto tag) {
      using T = decltype(tag);
      const T* in = x.as<const T>();
      T* out = outputs[0].as<T>();
      parallelFor(total / inner, std::max<int64_t>(1, kGrainCopy / inner), [&](int64_t r0, int64_t r1) {
        for (int64_t r = r0; r < r1; ++r) {
          int64_t off = 0, rem = r, stride = inInner;
          for (int d = rank - 2; d >= 0; --d) {
            const auto di = static_cast<std::size_t>(d);
            off += ((rem % od[di]) % id[di]) * stride;
            rem /= od[di];
            stride *= id[di];
          }
          T* dst = out + r * inner;
          for (int64_t k = 0; k < inner; k += inInner)
            std::memcpy(dst + k, in + off, static_cast<std::size_t>(inInner) * sizeof(T));
        }
      });
    });
    return ok();
  }

private:
  std::vector<int64_t> m_repeats, m_outDims;
};

} // namespace

Expected<std::unique_ptr<Kernel>> createExpand(const CreateContext& c) {
  if (!supportsExpand(c.node, c.inputTypes))
    return unsupported(c, "no kernel for input type " + std::string(ir::dtypeName(inputType(c, 0))));
  return std::make_unique<ExpandKernel>(c);
}

bool supportsExpand(const ir::Node&, std::span<const ir::DataType> types) {
  return !types.empty() && ir::isFixedSize(types[0]);
}

Expected<std::unique_ptr<Kernel>> createTile(const CreateContext& c) {
  if (!supportsTile(c.node, c.inputTypes))
    return unsupported(c, "no kernel for input type " + std::string(ir::dtypeName(inputType(c, 0))));
  return std::make_unique<TileKernel>(c);
}

bool supportsTile(const ir::Node&, std::span<const ir::DataType> types) {
  return !types.empty() && ir::isFixedSize(types[0]);
}

} // namespace gs::runtime::cpu::basic
