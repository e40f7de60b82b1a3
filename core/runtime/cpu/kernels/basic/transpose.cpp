// Transpose (perm attribute, default reversed dims), DepthToSpace (DCR and CRD) and SpaceToDepth:
// all three are one permutation copy over a reshaped view, run by the shared transpose plan.
#include <numeric>

#include "core/runtime/cpu/kernels/basic/common.h"
#include "core/runtime/cpu/kernels/basic/dispatch.h"
#include "core/runtime/cpu/kernels/basic/kernels.h"
#include "core/runtime/cpu/kernels/basic/transpose_plan.h"

namespace gs::runtime::cpu::basic {
namespace {

enum class PermOp { Transpose, DepthToSpaceDcr, DepthToSpaceCrd, SpaceToDepth };

class TransposeKernel final : public BasicKernel {
public:
  TransposeKernel(const CreateContext& c, PermOp op)
      : BasicKernel(c), m_kind(op), m_perm(c.node.attrs.getInts("perm")), m_block(c.node.attrs.getInt("blocksize", 1)) {
  }

  Expected<std::size_t> reshape(const ReshapeContext& r) override {
    if (r.inputDims.empty()) return fail("missing input");
    GS_RETURN_IF_ERROR(plan(r.inputDims[0]));
    return std::size_t{0};
  }

  Status run(std::span<const TensorRef> inputs, std::span<TensorRef> outputs, RunContext& ctx) override {
    if (!hasInput(inputs, 0)) return fail("missing input");
    const TensorRef& x = inputs[0];
    if (!m_planned || x.dims != m_inDims) GS_RETURN_IF_ERROR(plan(x.dims));
    GS_RETURN_IF_ERROR(prepareOutput(outputs, 0, m_outDims, ctx));
    if (outputs[0].data == x.data && x.numel() > 1) return fail("input and output must not alias");
    runTranspose(m_plan, x.data, outputs[0].data, ir::dtypeSize(x.dtype));
    return ok();
  }

private:
  Status plan(const std::vector<int64_t>& in) {
    GS_RETURN_IF_ERROR(checkRank(in.size() + 2));
    std::vector<int64_t> view, perm;
    if (m_kind == PermOp::Transpose) {
      view = in;
      perm = m_perm;
      if (perm.empty()) {
        perm.resize(in.size());
        std::iota(perm.rbegin(), perm.rend(), int64_t{0});
      }
      for (auto& p : perm)
        if (p < 0) p += static_cast<int64_t>(in.size());
    } else {
      if (in.size() != 4) return fail("expects a 4-D NCHW input");
      const int64_t n = in[0], c = in[1], h = in[2], w = in[3], b = m_block;
      if (b <= 0) return fail("blocksize must be positive");
      if (m_kind == PermOp::SpaceToDepth) {
        if (h % b || w % b) return fail("H and W must be multiples of blocksize");
        view = {n, c, h / b, b, w / b, b};
        perm = {0, 3, 5, 1, 2, 4};
      } else {
        if (c % (b * b)) return fail("C must be a multiple of blocksize^2");
        if (m_kind == PermOp::DepthToSpaceDcr) {
          view = {n, b, b, c / (b * b), h, w};
          perm = {0, 3, 4, 1, 5, 2};
        } else {
          view = {n, c / (b * b), b, b, h, w};
          perm = {0, 1, 4, 2, 5, 3};
        }
      }
    }
    if (!makeTransposePlan(view, perm, m_plan))
      return fail("perm " + dimsString(perm) + " does not fit input dims " + dimsString(in));
    m_outDims.clear();
    if (m_kind == PermOp::Transpose) {
      for (auto p : perm)
        m_outDims.push_back(view[static_cast<std::size_t>(p)]);
    } else if (m_kind == PermOp::SpaceToDepth) {
      m_outDims = {in[0], in[1] * m_block * m_block, in[2] / m_block, in[3] / m_block};
    } else {
      m_outDims = {in[0], in[1] / (m_block * m_block), in[2] * m_block, in[3] * m_block};
    }
    m_inDims = in;
    m_planned = true;
    return ok();
  }

  PermOp m_kind;
  std::vector<int64_t> m_perm;
  int64_t m_block;
  bool m_planned = false;
  TransposePlan m_plan;
  std::vector<int64_t> m_inDims, m_outDims;
};

} // namespace

Expected<std::unique_ptr<Kernel>> createTranspose(const CreateContext& c) {
  if (!supportsTranspose(c.node, c.inputTypes))
    return unsupported(c, "no kernel for input type " + std::string(ir::dtypeName(inputType(c, 0))));
  const auto& op = c.node.opType;
  PermOp k = PermOp::Transpose;
  if (op == "SpaceToDepth") k = PermOp::SpaceToDepth;
  if (op == "DepthToSpace") {
    const auto mode = c.node.attrs.getString("mode", "DCR");
    if (mode != "DCR" && mode != "CRD") return invalid(c, "unknown mode '" + mode + "'");
    k = mode == "DCR" ? PermOp::DepthToSpaceDcr : PermOp::DepthToSpaceCrd;
  }
  return std::make_unique<TransposeKernel>(c, k);
}

bool supportsTranspose(const ir::Node&, std::span<const ir::DataType> types) {
  return !types.empty() && ir::isFixedSize(types[0]);
}

} // namespace gs::runtime::cpu::basic
