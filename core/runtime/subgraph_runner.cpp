// Runs control-flow bodies with the dynamic executor.
#include "core/runtime/subgraph_runner.h"

#include <cstring>

#include "core/runtime/dynamic_executor.h"

namespace gs::runtime {

BodyRunner::BodyRunner(ExecEnv env, const Frame* frame) : m_env(env), m_frame(frame) {}
BodyRunner::~BodyRunner() = default;

Expected<std::vector<HostTensor>> BodyRunner::run(const ir::Graph& body, std::span<const TensorRef> inputs) {
  auto& exec = m_execs[&body];
  if (!exec) {
    auto e = std::make_unique<GraphExec>(m_env, body, m_frame);
    auto st = e->prepare();
    if (!st) return std::unexpected(withContext(st.error(), "subgraph '" + body.name + "'"));
    exec = std::move(e);
  }
  auto st = exec->run(inputs, nullptr);
  if (!st) return std::unexpected(withContext(st.error(), "subgraph '" + body.name + "'"));
  std::vector<HostTensor> outs;
  outs.reserve(exec->outputCount());
  for (std::size_t i = 0; i < exec->outputCount(); ++i) {
    const auto& r = exec->output(i);
    HostTensor h(r.dtype, r.dims);
    if (h.byteSize()) std::memcpy(h.data(), r.data, h.byteSize());
    outs.push_back(std::move(h));
  }
  exec->releaseRun();
  return outs;
}

} // namespace gs::runtime
