// Kernels that keep the bytes and change the dims: Reshape, Flatten, Squeeze, Unsqueeze, Identity
// (a copy, or nothing when the executor aliases input and output), Dropout (inference: copy, mask
// all true; training mode: random.h's draws), and Shape / Size (int64 metadata outputs). Any fixed-size element type.
#include <algorithm>
#include <string_view>

#include "core/runtime/cpu/kernels/basic/common.h"
#include "core/runtime/cpu/kernels/basic/dispatch.h"
#include "core/runtime/cpu/kernels/basic/kernels.h"
#include "core/runtime/cpu/kernels/basic/parallel.h"
#include "core/runtime/cpu/kernels/basic/random.h"

namespace gs::runtime::cpu::basic {
namespace {

enum class ReshapeOp { Reshape, Flatten, Squeeze, Unsqueeze, Identity };

class ReshapeKernel final : public BasicKernel {
public:
  ReshapeKernel(const CreateContext& c, ReshapeOp op)
      : BasicKernel(c), m_kind(op), m_allowZero(c.node.attrs.getInt("allowzero", 0) != 0),
        m_axis(c.node.attrs.getInt("axis", 1)), m_attrAxes(c.node.attrs.getInts("axes")) {}

  Status run(std::span<const TensorRef> inputs, std::span<TensorRef> outputs, RunContext& ctx) override {
    if (!hasInput(inputs, 0)) return fail("missing input");
    const TensorRef& x = inputs[0];
    if (outputs.empty()) return fail("missing output");
    if (outputs[0].data) {
      // Dims were fixed by shape inference: only the element count has to agree.
      if (outputs[0].numel() != x.numel())
        return fail("output dims " + dimsString(outputs[0].dims) + " do not hold the input's " +
                    std::to_string(x.numel()) + " elements");
    } else {
      GS_RETURN_IF_ERROR(outputDims(inputs));
      GS_RETURN_IF_ERROR(prepareOutput(outputs, 0, m_dims, ctx));
    }
    copyBytes(outputs[0].data, x.data, x.byteSize());
    return ok();
  }

private:
  Status outputDims(std::span<const TensorRef> inputs) {
    const auto& in = inputs[0].dims;
    const auto rank = static_cast<int64_t>(in.size());
    m_dims.clear();
    switch (m_kind) {
    case ReshapeOp::Identity:
      m_dims = in;
      return ok();
    case ReshapeOp::Flatten: {
      if (m_axis < -rank || m_axis > rank) return fail("axis out of range");
      const auto a = static_cast<std::size_t>(m_axis < 0 ? m_axis + rank : m_axis);
      m_dims = {productOf(in, 0, a), productOf(in, a, in.size())};
      return ok();
    }
    case ReshapeOp::Reshape: {
      if (!hasInput(inputs, 1)) return fail("missing shape input");
      GS_RETURN_IF_ERROR(readInts(inputs[1], m_values));
      int64_t known = 1;
      int inferred = -1;
      for (std::size_t i = 0; i < m_values.size(); ++i) {
        int64_t d = m_values[i];
        if (d == 0 && !m_allowZero) {
          if (i >= in.size()) return fail("shape copies dim " + std::to_string(i) + " the input lacks");
          d = in[i];
        }
        if (d == -1) {
          if (inferred >= 0) return fail("shape has more than one -1");
          inferred = static_cast<int>(i);
        } else if (d < 0) {
          return fail("negative dim in shape");
        } else {
          known *= d;
        }
        m_dims.push_back(d);
      }
      const int64_t total = productOf(in);
      if (inferred >= 0) {
        if (known == 0 || total % known != 0) return fail("cannot infer -1 in shape " + dimsString(m_values));
        m_dims[static_cast<std::size_t>(inferred)] = total / known;
      }
      if (productOf(m_dims) != total) return fail("cannot reshape " + dimsString(in) + " to " + dimsString(m_values));
      return ok();
    }
    case ReshapeOp::Squeeze:
    case ReshapeOp::Unsqueeze: {
      const bool un = m_kind == ReshapeOp::Unsqueeze;
      if (hasInput(inputs, 1))
        GS_RETURN_IF_ERROR(readInts(inputs[1], m_values));
      else
        m_values = m_attrAxes;
      const int64_t outRank = un ? rank + static_cast<int64_t>(m_values.size()) : rank;
      GS_RETURN_IF_ERROR(checkRank(static_cast<std::size_t>(outRank)));
      std::array<bool, kMaxRank> marked{};
      for (auto a : m_values) {
        GS_ASSIGN_OR_RETURN(const int64_t ax, normAxis(a, un ? outRank : rank));
        marked[static_cast<std::size_t>(ax)] = true;
      }
      if (un) {
        std::size_t k = 0;
        for (int64_t d = 0; d < outRank; ++d)
          m_dims.push_back(marked[static_cast<std::size_t>(d)] ? 1 : in[k++]);
        if (k != in.size()) return fail("repeated axes");
      } else {
        for (int64_t d = 0; d < rank; ++d) {
          const auto n = in[static_cast<std::size_t>(d)];
          const bool squeeze = m_values.empty() ? n == 1 : marked[static_cast<std::size_t>(d)];
          if (squeeze && n != 1)
            return fail("cannot squeeze dim " + std::to_string(d) + " of size " + std::to_string(n));
          if (!squeeze) m_dims.push_back(n);
        }
      }
      return ok();
    }
    }
    return ok();
  }

  ReshapeOp m_kind;
  bool m_allowZero;
  int64_t m_axis;
  std::vector<int64_t> m_attrAxes;
  std::vector<int64_t> m_values;
  std::vector<int64_t> m_dims;
};

class DropoutKernel final : public BasicKernel {
public:
  DropoutKernel(const CreateContext& c)
      : BasicKernel(c),
        m_seed(c.node.attrs.find("seed") ? std::optional<int64_t>(c.node.attrs.getInt("seed", 0)) : std::nullopt) {}

  Status run(std::span<const TensorRef> inputs, std::span<TensorRef> outputs, RunContext& ctx) override {
    if (!hasInput(inputs, 0)) return fail("missing input");
    const TensorRef& x = inputs[0];
    if (hasInput(inputs, 2)) {
      GS_ASSIGN_OR_RETURN(const double training, readScalar(inputs[2]));
      double ratio = 0.5;
      if (hasInput(inputs, 1)) {
        GS_ASSIGN_OR_RETURN(ratio, readScalar(inputs[1]));
      }
      if (training != 0 && ratio != 0) return runTraining(x, ratio, outputs, ctx);
    }
    GS_RETURN_IF_ERROR(prepareOutput(outputs, 0, x.dims, ctx));
    copyBytes(outputs[0].data, x.data, x.byteSize());
    if (hasOutput(outputs, 1)) {
      GS_RETURN_IF_ERROR(prepareOutput(outputs, 1, x.dims, ctx));
      TensorRef& m = outputs[1];
      // The mask says every element was kept (bool since opset 10, the data type before).
      const bool filled = visitType<bool, float, double, int32_t, int64_t>(m.dtype, [&](auto tag) {
        using T = decltype(tag);
        std::fill_n(m.as<T>(), m.numel(), T{1});
      });
      if (!filled) return fail("unsupported mask type " + std::string(ir::dtypeName(m.dtype)));
    }
    return ok();
  }

private:
  // Training mode: each element is kept when a uniform draw is >= ratio, and scaled by 1 / (1 - ratio).
  // The draws come from random.h (NumPy's stream when the node has a seed).
  Status runTraining(const TensorRef& x, double ratio, std::span<TensorRef> outputs, RunContext& ctx) {
    if (ratio < 0 || ratio >= 1) return fail("ratio must be in [0, 1) in training mode, got " + std::to_string(ratio));
    GS_RETURN_IF_ERROR(prepareOutput(outputs, 0, x.dims, ctx));
    const bool withMask = hasOutput(outputs, 1);
    if (withMask) {
      GS_RETURN_IF_ERROR(prepareOutput(outputs, 1, x.dims, ctx));
      if (outputs[1].dtype != ir::DataType::Bool) return fail("the mask of a training-mode Dropout is bool");
    }
    Mt19937Uniform random(m_seed);
    const double scale = 1.0 / (1.0 - ratio);
    const bool done = visitType<float, double>(x.dtype, [&](auto tag) {
      using T = decltype(tag);
      const T* in = x.as<const T>();
      T* out = outputs[0].as<T>();
      bool* mask = withMask ? outputs[1].as<bool>() : nullptr;
      for (int64_t i = 0; i < x.numel(); ++i) {
        const bool keep = random.next() >= ratio;
        out[i] = keep ? static_cast<T>(static_cast<double>(in[i]) * scale) : T{0};
        if (mask) mask[i] = keep;
      }
    });
    if (!done) return fail("training mode takes float32 or float64 data");
    return ok();
  }

  std::optional<int64_t> m_seed;
};

class ShapeOfKernel final : public BasicKernel {
public:
  ShapeOfKernel(const CreateContext& c)
      : BasicKernel(c), m_size(c.node.opType == "Size"), m_start(c.node.attrs.getInt("start", 0)),
        m_end(c.node.attrs.find("end") ? std::optional<int64_t>(c.node.attrs.getInt("end", 0)) : std::nullopt) {}

  Status run(std::span<const TensorRef> inputs, std::span<TensorRef> outputs, RunContext& ctx) override {
    if (!hasInput(inputs, 0)) return fail("missing input");
    const auto& dims = inputs[0].dims;
    if (m_size) {
      GS_RETURN_IF_ERROR(prepareOutput(outputs, 0, {}, ctx));
      outputs[0].as<int64_t>()[0] = productOf(dims);
      return ok();
    }
    const auto rank = static_cast<int64_t>(dims.size());
    auto clampIndex = [&](int64_t v) { return std::clamp(v < 0 ? v + rank : v, int64_t{0}, rank); };
    const int64_t s = clampIndex(m_start);
    const int64_t e = std::max(s, m_end ? clampIndex(*m_end) : rank);
    const int64_t n = e - s;
    GS_RETURN_IF_ERROR(prepareOutput(outputs, 0, std::span<const int64_t>(&n, 1), ctx));
    std::copy(dims.begin() + s, dims.begin() + e, outputs[0].as<int64_t>());
    return ok();
  }

private:
  bool m_size;
  int64_t m_start;
  std::optional<int64_t> m_end;
};

} // namespace

Expected<std::unique_ptr<Kernel>> createReshapeLike(const CreateContext& c) {
  const auto& op = c.node.opType;
  const ReshapeOp k = op == "Reshape"     ? ReshapeOp::Reshape
                      : op == "Flatten"   ? ReshapeOp::Flatten
                      : op == "Squeeze"   ? ReshapeOp::Squeeze
                      : op == "Unsqueeze" ? ReshapeOp::Unsqueeze
                                          : ReshapeOp::Identity;
  if (!supportsReshapeLike(c.node, c.inputTypes))
    return unsupported(c, "no kernel for input type " + std::string(ir::dtypeName(inputType(c, 0))));
  return std::make_unique<ReshapeKernel>(c, k);
}

bool supportsReshapeLike(const ir::Node&, std::span<const ir::DataType> types) {
  return !types.empty() && ir::isFixedSize(types[0]);
}

Expected<std::unique_ptr<Kernel>> createDropout(const CreateContext& c) {
  if (!supportsDropout(c.node, c.inputTypes))
    return unsupported(c, "no kernel for input type " + std::string(ir::dtypeName(inputType(c, 0))));
  return std::make_unique<DropoutKernel>(c);
}

bool supportsDropout(const ir::Node&, std::span<const ir::DataType> types) {
  return !types.empty() && ir::isFixedSize(types[0]);
}

Expected<std::unique_ptr<Kernel>> createShapeOf(const CreateContext& c) { return std::make_unique<ShapeOfKernel>(c); }

bool supportsShapeOf(const ir::Node&, std::span<const ir::DataType> types) {
  return !types.empty() && types[0] != ir::DataType::Undefined;
}

} // namespace gs::runtime::cpu::basic
