// If: runs then_branch or else_branch (no inputs; they read enclosing values by name).
#include "core/runtime/cpu/kernels/control/control.h"

namespace gs::runtime::cpu::control {
namespace {

class IfKernel final : public Kernel {
public:
  IfKernel(std::shared_ptr<ir::Graph> thenBranch, std::shared_ptr<ir::Graph> elseBranch)
      : m_then(std::move(thenBranch)), m_else(std::move(elseBranch)) {}

  Status run(std::span<const TensorRef> inputs, std::span<TensorRef> outputs, RunContext& ctx) override {
    if (!ctx.subgraphs) return makeError(codes::kInternal, "If: no subgraph runner");
    GS_ASSIGN_OR_RETURN(bool cond, readBool(inputs[0], "If condition"));
    const ir::Graph& body = cond ? *m_then : *m_else;
    GS_ASSIGN_OR_RETURN(auto outs, ctx.subgraphs->run(body, {}));
    if (outs.size() != outputs.size())
      return makeError(codes::kRuntime, "If: branch '" + body.name + "' yields " + std::to_string(outs.size()) +
                                            " outputs, the node has " + std::to_string(outputs.size()));
    for (std::size_t i = 0; i < outs.size(); ++i)
      GS_RETURN_IF_ERROR(emitOutput(ctx, outputs, i, outs[i]));
    return ok();
  }

private:
  std::shared_ptr<ir::Graph> m_then, m_else;
};

} // namespace

Expected<std::unique_ptr<Kernel>> createIf(const CreateContext& ctx) {
  auto t = ctx.node.attrs.getGraph("then_branch");
  auto e = ctx.node.attrs.getGraph("else_branch");
  if (!t || !e) return makeError(codes::kInvalid, "If needs then_branch and else_branch");
  if (ctx.inputTypes.empty()) return makeError(codes::kInvalid, "If needs a condition input");
  return std::unique_ptr<Kernel>(std::make_unique<IfKernel>(std::move(t), std::move(e)));
}

} // namespace gs::runtime::cpu::control
