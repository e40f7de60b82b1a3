// Clip for float32, float64 and the integer types: bounds from the min/max attributes before opset 11, from the
// optional min/max scalar inputs since (read at run time, so they may be computed tensors).
#include <limits>

#include "core/runtime/cpu/kernels/basic/common.h"
#include "core/runtime/cpu/kernels/basic/dispatch.h"
#include "core/runtime/cpu/kernels/basic/kernels.h"
#include "core/runtime/cpu/kernels/basic/parallel.h"

namespace gs::runtime::cpu::basic {
namespace {

class ClipKernel final : public BasicKernel {
public:
  ClipKernel(const CreateContext& c, ir::DataType t)
      : BasicKernel(c), m_type(t), m_attrMin(c.node.attrs.getFloat("min", -std::numeric_limits<float>::infinity())),
        m_attrMax(c.node.attrs.getFloat("max", std::numeric_limits<float>::infinity())) {}

  Status run(std::span<const TensorRef> inputs, std::span<TensorRef> outputs, RunContext& ctx) override {
    if (!hasInput(inputs, 0)) return fail("missing input");
    const TensorRef& x = inputs[0];
    GS_RETURN_IF_ERROR(prepareOutput(outputs, 0, x.dims, ctx));
    Status st = ok();
    visitType<float, int32_t, int64_t, double, int8_t, int16_t, uint8_t, uint16_t, uint32_t, uint64_t>(
        m_type, [&](auto tag) {
          using T = decltype(tag);
          T lo = std::numeric_limits<T>::lowest();
          T hi = std::numeric_limits<T>::max();
          if (m_opset < 11) {
            if constexpr (std::is_floating_point_v<T>) {
              lo = static_cast<T>(m_attrMin);
              hi = static_cast<T>(m_attrMax);
            }
          } else {
            for (std::size_t k = 1; k <= 2; ++k) {
              if (!hasInput(inputs, k)) continue;
              if (inputs[k].dtype != m_type || inputs[k].numel() != 1) {
                st = fail("min/max must be one-element tensors of the input's type");
                return;
              }
              (k == 1 ? lo : hi) = inputs[k].as<const T>()[0];
            }
          }
          const T* in = x.as<const T>();
          T* out = outputs[0].as<T>();
          parallelFor(x.numel(), kGrainCheap, [&](int64_t b, int64_t e) {
            for (int64_t i = b; i < e; ++i) {
              const T v = in[i] < lo ? lo : in[i];
              out[i] = v > hi ? hi : v;
            }
          });
        });
    return st;
  }

private:
  ir::DataType m_type;
  float m_attrMin;
  float m_attrMax;
};

} // namespace

Expected<std::unique_ptr<Kernel>> createClip(const CreateContext& c) {
  if (!supportsClip(c.node, c.inputTypes))
    return unsupported(c, "no kernel for input type " + std::string(ir::dtypeName(inputType(c, 0))));
  return std::make_unique<ClipKernel>(c, inputType(c, 0));
}

bool supportsClip(const ir::Node&, std::span<const ir::DataType> types) {
  return !types.empty() &&
         visitType<float, int32_t, int64_t, double, int8_t, int16_t, uint8_t, uint16_t, uint32_t, uint64_t>(
             types[0], [](auto) {});
}

} // namespace gs::runtime::cpu::basic
