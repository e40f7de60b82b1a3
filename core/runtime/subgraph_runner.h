// The SubgraphRunner handed to control-flow kernels (If, Loop, Scan): runs a body graph with the
// dynamic executor, resolving the body's outer-scope values in the frame of the node that runs it.
// Each body gets one GraphExec, made on first use and kept, so a Loop's iterations reuse kernels and
// reshape only when shapes change.
#pragma once

#include <memory>
#include <unordered_map>

#include "core/runtime/cpu/kernel.h"
#include "core/runtime/node_exec.h"

namespace gs::runtime {

class GraphExec;

class BodyRunner final : public cpu::SubgraphRunner {
public:
  BodyRunner(ExecEnv env, const Frame* frame);
  ~BodyRunner() override;
  Expected<std::vector<HostTensor>> run(const ir::Graph& body, std::span<const TensorRef> inputs) override;

private:
  ExecEnv m_env;
  const Frame* m_frame;
  std::unordered_map<const ir::Graph*, std::unique_ptr<GraphExec>> m_execs;
};

} // namespace gs::runtime
