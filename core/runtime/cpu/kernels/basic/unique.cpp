// Unique (opset 11): the distinct elements of the flattened input, or the distinct slices along
// `axis`, sorted ascending (lexicographically for slices; sorted = 1, the default) or in order of
// first occurrence (sorted = 0). Outputs: Y, and optionally the first-occurrence indices, the inverse
// indices (for each input element or slice, its position in Y) and the counts, all int64.
#include <algorithm>
#include <numeric>

#include "core/runtime/cpu/kernels/basic/common.h"
#include "core/runtime/cpu/kernels/basic/dispatch.h"
#include "core/runtime/cpu/kernels/basic/kernels.h"

namespace gs::runtime::cpu::basic {
namespace {

class UniqueKernel final : public BasicKernel {
public:
  UniqueKernel(const CreateContext& c, ir::DataType t)
      : BasicKernel(c), m_type(t), m_sorted(c.node.attrs.getInt("sorted", 1) != 0),
        m_hasAxis(c.node.attrs.find("axis") != nullptr), m_axis(c.node.attrs.getInt("axis", 0)) {}

  Status run(std::span<const TensorRef> inputs, std::span<TensorRef> outputs, RunContext& ctx) override {
    if (!hasInput(inputs, 0)) return fail("missing input");
    const TensorRef& x = inputs[0];
    int64_t outer = 1, len = x.numel(), inner = 1, axis = 0;
    if (m_hasAxis) {
      GS_ASSIGN_OR_RETURN(axis, normAxis(m_axis, static_cast<int64_t>(x.dims.size())));
      outer = productOf(x.dims, 0, static_cast<std::size_t>(axis));
      len = x.dims[static_cast<std::size_t>(axis)];
      inner = productOf(x.dims, static_cast<std::size_t>(axis) + 1, x.dims.size());
    }
    Status st = ok();
    visitType<float, double, int8_t, int16_t, int32_t, int64_t, uint8_t, uint16_t, uint32_t, uint64_t, bool>(
        m_type, [&](auto tag) {
          using T = decltype(tag);
          const T* in = x.as<const T>();
          // Element k of slice i.
          auto at = [&](int64_t i, int64_t k) { return in[((k / inner) * len + i) * inner + k % inner]; };
          const int64_t sliceLen = outer * inner;
          auto less = [&](int64_t a, int64_t b) {
            for (int64_t k = 0; k < sliceLen; ++k) {
              const T va = at(a, k), vb = at(b, k);
              if (va < vb) return true;
              if (vb < va) return false;
            }
            return false;
          };
          auto equal = [&](int64_t a, int64_t b) { return !less(a, b) && !less(b, a); };
          // Slices in sorted order (stable: equal slices keep their input order).
          std::vector<int64_t> order(static_cast<std::size_t>(len));
          std::iota(order.begin(), order.end(), 0);
          std::stable_sort(order.begin(), order.end(), less);
          // Groups of equal slices: first occurrence (the group's first in a stable sort), members.
          std::vector<int64_t> first, counts, group(static_cast<std::size_t>(len));
          for (std::size_t p = 0; p < order.size(); ++p) {
            if (p == 0 || !equal(order[p - 1], order[p])) {
              first.push_back(order[p]);
              counts.push_back(0);
            }
            group[static_cast<std::size_t>(order[p])] = static_cast<int64_t>(first.size()) - 1;
            ++counts.back();
          }
          // Output position of each group: sorted order, or by first occurrence.
          const auto groups = static_cast<int64_t>(first.size());
          std::vector<int64_t> pos(static_cast<std::size_t>(groups));
          std::iota(pos.begin(), pos.end(), 0);
          if (!m_sorted) {
            std::vector<int64_t> byFirst(pos);
            std::sort(byFirst.begin(), byFirst.end(), [&](int64_t a, int64_t b) {
              return first[static_cast<std::size_t>(a)] < first[static_cast<std::size_t>(b)];
            });
            for (int64_t r = 0; r < groups; ++r)
              pos[static_cast<std::size_t>(byFirst[static_cast<std::size_t>(r)])] = r;
          }
          std::vector<int64_t> yDims{groups};
          if (m_hasAxis) {
            yDims = x.dims;
            yDims[static_cast<std::size_t>(axis)] = groups;
          }
          st = prepareOutput(outputs, 0, yDims, ctx);
          if (!st) return;
          T* y = outputs[0].as<T>();
          for (int64_t g = 0; g < groups; ++g) {
            const int64_t slot = pos[static_cast<std::size_t>(g)];
            for (int64_t k = 0; k < sliceLen; ++k)
              y[((k / inner) * groups + slot) * inner + k % inner] = at(first[static_cast<std::size_t>(g)], k);
          }
          const int64_t gDims[1] = {groups};
          const int64_t lDims[1] = {len};
          if (hasOutput(outputs, 1)) {
            if (st = prepareOutput(outputs, 1, gDims, ctx); !st) return;
            for (int64_t g = 0; g < groups; ++g)
              outputs[1].as<int64_t>()[pos[static_cast<std::size_t>(g)]] = first[static_cast<std::size_t>(g)];
          }
          if (hasOutput(outputs, 2)) {
            if (st = prepareOutput(outputs, 2, lDims, ctx); !st) return;
            for (int64_t i = 0; i < len; ++i)
              outputs[2].as<int64_t>()[i] = pos[static_cast<std::size_t>(group[static_cast<std::size_t>(i)])];
          }
          if (hasOutput(outputs, 3)) {
            if (st = prepareOutput(outputs, 3, gDims, ctx); !st) return;
            for (int64_t g = 0; g < groups; ++g)
              outputs[3].as<int64_t>()[pos[static_cast<std::size_t>(g)]] = counts[static_cast<std::size_t>(g)];
          }
        });
    return st;
  }

private:
  ir::DataType m_type;
  bool m_sorted, m_hasAxis;
  int64_t m_axis;
};

} // namespace

Expected<std::unique_ptr<Kernel>> createUnique(const CreateContext& c) {
  if (!supportsUnique(c.node, c.inputTypes))
    return unsupported(c, "no kernel for input type " + std::string(ir::dtypeName(inputType(c, 0))));
  return std::make_unique<UniqueKernel>(c, inputType(c, 0));
}

bool supportsUnique(const ir::Node&, std::span<const ir::DataType> types) {
  return !types.empty() && (ir::isInteger(types[0]) || types[0] == ir::DataType::Float32 ||
                            types[0] == ir::DataType::Float64 || types[0] == ir::DataType::Bool);
}

} // namespace gs::runtime::cpu::basic
