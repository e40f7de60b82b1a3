// Selection kernels: TopK (largest/smallest, ties to the lower index, values + int64 indices; K
// from the input since opset 10, the attribute before), and the data-dependent NonZero and
// Compress, whose outputs are allocated in run() through RunContext::allocateOutput; plus
// ReverseSequence. TopK sorts in a per-chunk scratch area taken from the workspace.
#include <algorithm>
#include <cstring>

#include "core/runtime/cpu/kernels/basic/common.h"
#include "core/runtime/cpu/kernels/basic/dispatch.h"
#include "core/runtime/cpu/kernels/basic/kernels.h"
#include "core/runtime/cpu/kernels/basic/parallel.h"

namespace gs::runtime::cpu::basic {
namespace {

template <class T> struct Ranked {
  T v;
  int64_t i;
};

constexpr std::size_t kRankedBytes = 16; // sizeof(Ranked<T>) for every T TopK covers

class TopKKernel final : public BasicKernel {
public:
  TopKKernel(const CreateContext& c, ir::DataType t)
      : BasicKernel(c), m_type(t), m_axis(c.node.attrs.getInt("axis", -1)),
        m_largest(c.node.attrs.getInt("largest", 1) != 0), m_attrK(c.node.attrs.getInt("k", -1)) {}

  Expected<std::size_t> reshape(const ReshapeContext& r) override {
    if (r.inputDims.empty() || r.inputDims[0].empty()) return std::size_t{0};
    GS_ASSIGN_OR_RETURN(const int64_t axis, normAxis(m_axis, static_cast<int64_t>(r.inputDims[0].size())));
    const int64_t n = r.inputDims[0][static_cast<std::size_t>(axis)];
    return static_cast<std::size_t>(maxChunks() * n) * kRankedBytes;
  }

  Status run(std::span<const TensorRef> inputs, std::span<TensorRef> outputs, RunContext& ctx) override {
    if (!hasInput(inputs, 0)) return fail("missing input");
    const TensorRef& x = inputs[0];
    const auto rank = static_cast<int64_t>(x.dims.size());
    if (rank == 0) return fail("expects a tensor of rank >= 1");
    GS_ASSIGN_OR_RETURN(const int64_t axis, normAxis(m_axis, rank));
    int64_t k = m_attrK;
    if (hasInput(inputs, 1)) {
      GS_RETURN_IF_ERROR(readInts(inputs[1], m_k));
      if (m_k.size() != 1) return fail("K must hold one value");
      k = m_k[0];
    }
    const auto a = static_cast<std::size_t>(axis);
    const int64_t n = x.dims[a];
    if (k < 0 || k > n)
      return fail("K = " + std::to_string(k) + " is out of range for an axis of " + std::to_string(n));
    m_outDims = x.dims;
    m_outDims[a] = k;
    GS_RETURN_IF_ERROR(prepareOutput(outputs, 0, m_outDims, ctx));
    GS_RETURN_IF_ERROR(prepareOutput(outputs, 1, m_outDims, ctx));
    const int64_t outer = productOf(x.dims, 0, a);
    const int64_t inner = productOf(x.dims, a + 1, x.dims.size());
    const std::size_t need = static_cast<std::size_t>(maxChunks() * n) * kRankedBytes;
    std::byte* scratch = static_cast<std::byte*>(ctx.workspace);
    if (!scratch || ctx.workspaceBytes < need) {
      m_scratch.resize(need); // dims changed since reshape(), or no workspace was planned
      scratch = m_scratch.data();
    }
    int64_t* idxOut = outputs[1].as<int64_t>();
    visitType<float, double, int32_t, int64_t>(m_type, [&](auto tag) {
      using T = decltype(tag);
      static_assert(sizeof(Ranked<T>) == kRankedBytes);
      const T* in = x.as<const T>();
      T* valOut = outputs[0].as<T>();
      const bool largest = m_largest;
      auto better = [largest](const Ranked<T>& p, const Ranked<T>& q) {
        if (p.v != q.v) return largest ? p.v > q.v : p.v < q.v;
        return p.i < q.i;
      };
      parallelForChunks(outer * inner, std::max<int64_t>(1, kGrainMedium / std::max<int64_t>(n, 1)),
                        [&](int64_t chunk, int64_t s0, int64_t s1) {
                          auto* buf = reinterpret_cast<Ranked<T>*>(scratch +
                                                                   static_cast<std::size_t>(chunk * n) * kRankedBytes);
                          for (int64_t s = s0; s < s1; ++s) {
                            const int64_t o = s / inner, i = s % inner;
                            const T* src = in + o * n * inner + i;
                            for (int64_t j = 0; j < n; ++j)
                              buf[j] = {src[j * inner], j};
                            if (k < n)
                              std::partial_sort(buf, buf + k, buf + n, better);
                            else
                              std::sort(buf, buf + n, better);
                            for (int64_t j = 0; j < k; ++j) {
                              valOut[(o * k + j) * inner + i] = buf[j].v;
                              idxOut[(o * k + j) * inner + i] = buf[j].i;
                            }
                          }
                        });
    });
    return ok();
  }

private:
  ir::DataType m_type;
  int64_t m_axis;
  bool m_largest;
  int64_t m_attrK;
  std::vector<int64_t> m_k, m_outDims;
  std::vector<std::byte> m_scratch;
};

// True where an element is non-zero (any numeric type or bool), by element type.
template <class F> bool visitNonZeroType(ir::DataType t, F&& f) {
  return visitType<float, double, int8_t, int16_t, int32_t, int64_t, uint8_t, uint16_t, uint32_t, uint64_t, bool>(
      t, std::forward<F>(f));
}

class NonZeroKernel final : public BasicKernel {
public:
  using BasicKernel::BasicKernel;

  Status run(std::span<const TensorRef> inputs, std::span<TensorRef> outputs, RunContext& ctx) override {
    if (!hasInput(inputs, 0)) return fail("missing input");
    const TensorRef& x = inputs[0];
    GS_RETURN_IF_ERROR(checkRank(x.dims.size()));
    // A scalar counts as a one-element vector (as ONNX Runtime does).
    const std::vector<int64_t>& dims = x.dims;
    const int64_t rank = std::max<int64_t>(static_cast<int64_t>(dims.size()), 1);
    const int64_t total = x.numel();
    Status st = ok();
    visitNonZeroType(x.dtype, [&](auto tag) {
      using T = decltype(tag);
      const T* in = x.as<const T>();
      int64_t count = 0;
      for (int64_t e = 0; e < total; ++e)
        count += in[e] != T{0};
      const int64_t outDims[2] = {rank, count};
      st = prepareOutput(outputs, 0, outDims, ctx);
      if (!st) return;
      int64_t* out = outputs[0].as<int64_t>();
      DimArray coord{};
      int64_t col = 0;
      for (int64_t e = 0; e < total; ++e) {
        if (in[e] != T{0}) {
          for (int64_t d = 0; d < rank; ++d)
            out[d * count + col] = coord[static_cast<std::size_t>(d)];
          ++col;
        }
        for (int64_t d = static_cast<int64_t>(dims.size()) - 1; d >= 0; --d) {
          const auto di = static_cast<std::size_t>(d);
          if (++coord[di] < dims[di]) break;
          coord[di] = 0;
        }
      }
    });
    return st;
  }
};

class CompressKernel final : public BasicKernel {
public:
  CompressKernel(const CreateContext& c)
      : BasicKernel(c),
        m_axis(c.node.attrs.find("axis") ? std::optional<int64_t>(c.node.attrs.getInt("axis", 0)) : std::nullopt) {}

  Status run(std::span<const TensorRef> inputs, std::span<TensorRef> outputs, RunContext& ctx) override {
    if (!hasInput(inputs, 1)) return fail("expects input and condition");
    const TensorRef& x = inputs[0];
    const TensorRef& cond = inputs[1];
    if (cond.dtype != ir::DataType::Bool || cond.dims.size() != 1) return fail("condition must be a 1-D bool tensor");
    const bool* c = cond.as<const bool>();
    int64_t outer = 1, n = x.numel(), inner = 1;
    std::size_t a = 0;
    if (m_axis) {
      GS_ASSIGN_OR_RETURN(const int64_t axis, normAxis(*m_axis, static_cast<int64_t>(x.dims.size())));
      a = static_cast<std::size_t>(axis);
      outer = productOf(x.dims, 0, a);
      n = x.dims[a];
      inner = productOf(x.dims, a + 1, x.dims.size());
    }
    // Entries of the condition beyond the axis are ignored; missing ones count as false.
    const int64_t m = std::min<int64_t>(n, cond.numel());
    int64_t kept = 0;
    for (int64_t j = 0; j < m; ++j)
      kept += c[j] ? 1 : 0;
    if (m_axis) {
      m_outDims = x.dims;
      m_outDims[a] = kept;
    } else {
      m_outDims.assign(1, kept);
    }
    GS_RETURN_IF_ERROR(prepareOutput(outputs, 0, m_outDims, ctx));
    const std::size_t rowBytes = static_cast<std::size_t>(inner) * ir::dtypeSize(x.dtype);
    const auto* in = static_cast<const std::byte*>(x.data);
    auto* out = static_cast<std::byte*>(outputs[0].data);
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t j = 0; j < m; ++j)
        if (c[j]) {
          std::memcpy(out, in + static_cast<std::size_t>(o * n + j) * rowBytes, rowBytes);
          out += rowBytes;
        }
    return ok();
  }

private:
  std::optional<int64_t> m_axis;
  std::vector<int64_t> m_outDims;
};

class ReverseSequenceKernel final : public BasicKernel {
public:
  ReverseSequenceKernel(const CreateContext& c)
      : BasicKernel(c), m_batchAxis(c.node.attrs.getInt("batch_axis", 1)),
        m_timeAxis(c.node.attrs.getInt("time_axis", 0)) {}

  Status run(std::span<const TensorRef> inputs, std::span<TensorRef> outputs, RunContext& ctx) override {
    if (!hasInput(inputs, 1)) return fail("expects input and sequence_lens");
    const TensorRef& x = inputs[0];
    if (x.dims.size() < 2) return fail("expects a tensor of rank >= 2");
    if (!((m_batchAxis == 0 && m_timeAxis == 1) || (m_batchAxis == 1 && m_timeAxis == 0)))
      return fail("batch_axis and time_axis must be 0 and 1");
    GS_RETURN_IF_ERROR(readInts(inputs[1], m_lens));
    const int64_t steps = x.dims[static_cast<std::size_t>(m_timeAxis)];
    const int64_t batch = x.dims[static_cast<std::size_t>(m_batchAxis)];
    if (static_cast<int64_t>(m_lens.size()) != batch) return fail("sequence_lens must have one value per batch");
    for (auto l : m_lens)
      if (l < 0 || l > steps) return fail("sequence length " + std::to_string(l) + " is out of range");
    GS_RETURN_IF_ERROR(prepareOutput(outputs, 0, x.dims, ctx));
    const int64_t inner = productOf(x.dims, 2, x.dims.size());
    const std::size_t rowBytes = static_cast<std::size_t>(inner) * ir::dtypeSize(x.dtype);
    const int64_t strideT = (m_timeAxis == 0 ? batch : 1) * inner;
    const int64_t strideB = (m_batchAxis == 0 ? steps : 1) * inner;
    const std::size_t elem = ir::dtypeSize(x.dtype);
    const auto* in = static_cast<const std::byte*>(x.data);
    auto* out = static_cast<std::byte*>(outputs[0].data);
    parallelFor(batch * steps, std::max<int64_t>(1, kGrainCopy / std::max<int64_t>(inner, 1)),
                [&](int64_t r0, int64_t r1) {
                  for (int64_t r = r0; r < r1; ++r) {
                    const int64_t b = r / steps, t = r % steps;
                    const int64_t len = m_lens[static_cast<std::size_t>(b)];
                    const int64_t src = t < len ? len - 1 - t : t;
                    std::memcpy(out + static_cast<std::size_t>(t * strideT + b * strideB) * elem,
                                in + static_cast<std::size_t>(src * strideT + b * strideB) * elem, rowBytes);
                  }
                });
    return ok();
  }

private:
  int64_t m_batchAxis;
  int64_t m_timeAxis;
  std::vector<int64_t> m_lens;
};

bool topkType(ir::DataType t) {
  return t == ir::DataType::Float32 || t == ir::DataType::Float64 || t == ir::DataType::Int32 ||
         t == ir::DataType::Int64;
}

} // namespace

Expected<std::unique_ptr<Kernel>> createTopK(const CreateContext& c) {
  if (!supportsTopK(c.node, c.inputTypes))
    return unsupported(c, "no kernel for input type " + std::string(ir::dtypeName(inputType(c, 0))));
  return std::make_unique<TopKKernel>(c, inputType(c, 0));
}

bool supportsTopK(const ir::Node&, std::span<const ir::DataType> types) { return !types.empty() && topkType(types[0]); }

Expected<std::unique_ptr<Kernel>> createNonZero(const CreateContext& c) {
  if (!supportsNonZero(c.node, c.inputTypes))
    return unsupported(c, "no kernel for input type " + std::string(ir::dtypeName(inputType(c, 0))));
  return std::make_unique<NonZeroKernel>(c);
}

bool supportsNonZero(const ir::Node&, std::span<const ir::DataType> types) {
  return !types.empty() && visitNonZeroType(types[0], [](auto) {});
}

Expected<std::unique_ptr<Kernel>> createCompress(const CreateContext& c) {
  if (!supportsCompress(c.node, c.inputTypes)) return unsupported(c, "expects fixed-size data and a bool condition");
  return std::make_unique<CompressKernel>(c);
}

bool supportsCompress(const ir::Node&, std::span<const ir::DataType> types) {
  return types.size() >= 2 && ir::isFixedSize(types[0]) && types[1] == ir::DataType::Bool;
}

Expected<std::unique_ptr<Kernel>> createReverseSequence(const CreateContext& c) {
  if (!supportsReverseSequence(c.node, c.inputTypes))
    return unsupported(c, "no kernel for input type " + std::string(ir::dtypeName(inputType(c, 0))));
  return std::make_unique<ReverseSequenceKernel>(c);
}

bool supportsReverseSequence(const ir::Node&, std::span<const ir::DataType> types) {
  return !types.empty() && ir::isFixedSize(types[0]);
}

} // namespace gs::runtime::cpu::basic
