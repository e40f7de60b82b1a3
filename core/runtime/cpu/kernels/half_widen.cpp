// float16 / bfloat16 through the float32 kernels (see half_widen.h).
#include "core/runtime/cpu/kernels/half_widen.h"

#include <set>
#include <string>

#include "core/runtime/cpu/kernels/basic/half_convert.h"
#include "core/runtime/cpu/kernels/registry.h"

namespace gs::runtime::cpu {
namespace {

using basic::isHalfFloat;
using ir::DataType;

constexpr std::size_t kAlign = 64;
constexpr std::size_t kNoSlot = static_cast<std::size_t>(-1);

std::size_t alignUp(std::size_t n) { return (n + kAlign - 1) / kAlign * kAlign; }

// The float32 copy of a 16-bit constant, made once per model (the cache is shared by every gear, so
// the float32 kernels also find their packed weights under the same source pointer).
std::shared_ptr<const ir::Tensor> widenConstant(const ir::Tensor& t, WeightCache* cache) {
  auto make = [&t](std::size_t& bytes) -> std::shared_ptr<const void> {
    std::string data(static_cast<std::size_t>(t.numel()) * sizeof(float), '\0');
    basic::widenToFloat(t.dtype, t.data(), reinterpret_cast<float*>(data.data()), static_cast<std::size_t>(t.numel()));
    bytes = data.size();
    return std::make_shared<const ir::Tensor>(ir::Tensor::fromBytes(DataType::Float32, t.dims, std::move(data)));
  };
  if (!cache) {
    std::size_t unused = 0;
    return std::static_pointer_cast<const ir::Tensor>(make(unused));
  }
  return std::static_pointer_cast<const ir::Tensor>(cache->getOrCreate(t.data(), "widen-f32", make));
}

class WidenedKernel final : public Kernel {
public:
  Status init(const CreateContext& cc) {
    const std::size_t nIn = cc.inputTypes.size();
    m_inTypes.assign(cc.inputTypes.begin(), cc.inputTypes.end());
    m_outTypes.assign(cc.outputTypes.begin(), cc.outputTypes.end());
    m_wideIn = widenHalfTypes(m_inTypes);
    m_wideOut = widenHalfTypes(m_outTypes);
    m_constWide.assign(nIn, nullptr);
    m_constPtrs.assign(nIn, nullptr);
    for (std::size_t i = 0; i < nIn; ++i) {
      const ir::Tensor* c = i < cc.constInputs.size() ? cc.constInputs[i] : nullptr;
      if (c && isHalfFloat(c->dtype) && c->data()) {
        m_constWide[i] = widenConstant(*c, cc.weights);
        m_constPtrs[i] = m_constWide[i].get();
      } else {
        m_constPtrs[i] = c;
      }
    }
    std::string why;
    const KernelEntry* inner = cpuKernelTable().find(cc.node, cc.opset, m_wideIn, &why);
    if (!inner || inner->widensHalf)
      return makeError(codes::kUnsupported, "node '" + cc.node.name + "': " + why + " (for its 16-bit float inputs)");
    CreateContext wide{cc.node, cc.opset, m_wideIn, m_constPtrs, cc.inputShapes, m_wideOut, cc.weights};
    auto k = inner->create(wide);
    if (!k) return std::unexpected(k.error());
    m_inner = std::move(*k);
    m_in.resize(nIn);
    m_out.resize(m_outTypes.size());
    m_temps.resize(m_outTypes.size());
    m_innerCtx.allocateOutput = [this](std::size_t i, std::vector<int64_t> dims) { return allocateInner(i, dims); };
    return {};
  }

  Expected<std::size_t> reshape(const ReshapeContext& rc) override {
    ReshapeContext wide{rc.inputDims, m_wideIn, rc.outputDims};
    auto innerBytes = m_inner->reshape(wide);
    if (!innerBytes) return innerBytes;
    m_innerBytes = *innerBytes;
    std::size_t offset = alignUp(m_innerBytes);
    auto slot = [&offset](const std::vector<int64_t>& dims) {
      std::size_t n = sizeof(float);
      for (auto d : dims)
        n *= static_cast<std::size_t>(d);
      const std::size_t at = offset;
      offset += alignUp(n);
      return at;
    };
    m_inSlot.assign(m_inTypes.size(), kNoSlot);
    for (std::size_t i = 0; i < m_inTypes.size() && i < rc.inputDims.size(); ++i)
      if (isHalfFloat(m_inTypes[i]) && !m_constWide[i]) m_inSlot[i] = slot(rc.inputDims[i]);
    m_outSlot.assign(m_outTypes.size(), kNoSlot);
    for (std::size_t i = 0; i < m_outTypes.size() && i < rc.outputDims.size(); ++i)
      if (isHalfFloat(m_outTypes[i]) && rc.outputDims[i]) m_outSlot[i] = slot(*rc.outputDims[i]);
    return offset;
  }

  Status run(std::span<const TensorRef> inputs, std::span<TensorRef> outputs, RunContext& ctx) override {
    auto* ws = static_cast<std::byte*>(ctx.workspace);
    for (std::size_t i = 0; i < inputs.size() && i < m_in.size(); ++i) {
      const TensorRef& src = inputs[i];
      TensorRef& dst = m_in[i];
      if (!src.present() || !isHalfFloat(src.dtype)) {
        dst = src;
        continue;
      }
      dst.dtype = DataType::Float32;
      dst.dims = src.dims;
      if (m_constWide[i]) {
        dst.data = const_cast<std::byte*>(m_constWide[i]->data()); // read-only, as every input
      } else {
        if (m_inSlot[i] == kNoSlot) return makeError(codes::kRuntime, "16-bit input without a float32 buffer");
        dst.data = ws + m_inSlot[i];
        basic::widenToFloat(src.dtype, src.data, static_cast<float*>(dst.data), static_cast<std::size_t>(src.numel()));
      }
    }
    for (std::size_t i = 0; i < outputs.size() && i < m_out.size(); ++i) {
      m_temps[i] = HostTensor();
      if (!isHalfFloat(m_outTypes[i])) {
        m_out[i] = outputs[i];
        continue;
      }
      m_out[i].dtype = DataType::Float32;
      m_out[i].dims = outputs[i].dims;
      m_out[i].data = outputs[i].data && m_outSlot[i] != kNoSlot ? ws + m_outSlot[i] : nullptr;
    }
    m_outer = &ctx;
    m_innerCtx.subgraphs = ctx.subgraphs;
    m_innerCtx.workspace = m_innerBytes ? ctx.workspace : nullptr;
    m_innerCtx.workspaceBytes = m_innerBytes;
    const std::span<const TensorRef> in(m_in.data(), std::min(inputs.size(), m_in.size()));
    if (auto st = m_inner->run(in, m_out, m_innerCtx); !st) return st;
    for (std::size_t i = 0; i < outputs.size() && i < m_out.size(); ++i) {
      if (!isHalfFloat(m_outTypes[i]) || !m_out[i].data) continue;
      if (!outputs[i].data) {
        auto ref = ctx.allocateOutput(i, m_out[i].dims);
        if (!ref) return std::unexpected(ref.error());
        outputs[i] = *ref;
      }
      basic::narrowFromFloat(m_outTypes[i], static_cast<const float*>(m_out[i].data), outputs[i].data,
                             static_cast<std::size_t>(m_out[i].numel()));
    }
    return {};
  }

private:
  // The float32 kernel allocates a data-dependent output: a float32 temporary for a 16-bit output
  // (rounded into the real output after the run), else the real output itself.
  Expected<TensorRef> allocateInner(std::size_t i, std::vector<int64_t> dims) {
    if (i >= m_out.size() || !m_outer) return makeError(codes::kRuntime, "output index out of range");
    if (!isHalfFloat(m_outTypes[i])) {
      auto ref = m_outer->allocateOutput(i, std::move(dims));
      if (ref) m_out[i] = *ref;
      return ref;
    }
    m_temps[i] = HostTensor(DataType::Float32, std::move(dims));
    m_out[i] = m_temps[i].ref();
    return m_out[i];
  }

  std::unique_ptr<Kernel> m_inner;
  std::vector<DataType> m_inTypes, m_outTypes, m_wideIn, m_wideOut;
  std::vector<std::shared_ptr<const ir::Tensor>> m_constWide;
  std::vector<const ir::Tensor*> m_constPtrs;
  std::size_t m_innerBytes = 0;
  std::vector<std::size_t> m_inSlot, m_outSlot; // workspace offsets of the float32 copies
  std::vector<TensorRef> m_in, m_out;
  std::vector<HostTensor> m_temps;
  RunContext m_innerCtx;
  RunContext* m_outer = nullptr;
};

Expected<std::unique_ptr<Kernel>> createWidened(const CreateContext& cc) {
  auto k = std::make_unique<WidenedKernel>();
  if (auto st = k->init(cc); !st) return std::unexpected(st.error());
  return std::unique_ptr<Kernel>(std::move(k));
}

std::string_view widenedNote(std::string_view baseNote) {
  static std::set<std::string, std::less<>> notes; // stable storage for the rows' string_views
  std::string note = "computed in float32, rounded to the 16-bit type";
  if (!baseNote.empty()) note = std::string(baseNote) + "; " + note;
  return *notes.insert(std::move(note)).first;
}

} // namespace

std::vector<ir::DataType> widenHalfTypes(std::span<const ir::DataType> types) {
  std::vector<ir::DataType> out(types.begin(), types.end());
  for (auto& t : out)
    if (isHalfFloat(t)) t = DataType::Float32;
  return out;
}

std::vector<KernelEntry> halfWidenedRows(std::span<const KernelEntry> base) {
  constexpr ir::DtypeSet kHalf{DataType::Float16, DataType::BFloat16};
  std::vector<KernelEntry> rows;
  for (const auto& e : base) {
    if (!e.create || e.widensHalf || !e.types.has(DataType::Float32) || e.types.has(DataType::Float16)) continue;
    KernelEntry w = e;
    w.create = createWidened;
    w.types = kHalf;
    w.note = widenedNote(e.note);
    w.widensHalf = true;
    rows.push_back(w);
  }
  return rows;
}

} // namespace gs::runtime::cpu
