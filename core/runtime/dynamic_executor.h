// Shape-dynamic execution of one graph (om::DynamicModel's graph, and If/Loop/Scan bodies): shapes
// are resolved per run from the actual inputs (node by node, with kernels re-reshaped only when their
// inputs' dims change), memory comes from the pool allocator and each tensor returns to it after its
// last consumer.
#pragma once

#include <memory>
#include <span>
#include <vector>

#include "core/common/status.h"
#include "core/ir/graph.h"
#include "core/runtime/device.h"
#include "core/runtime/node_exec.h"

namespace gs::runtime {

class BodyRunner;

class GraphExec {
public:
  // parent: the enclosing frame for outer-scope values (null for a top-level graph).
  GraphExec(ExecEnv env, const ir::Graph& graph, const Frame* parent);
  ~GraphExec();
  GraphExec(const GraphExec&) = delete;
  GraphExec& operator=(const GraphExec&) = delete;

  // Orders the nodes, plans releases, binds constants; creates kernels now where every input type is
  // known (the rest on first run).
  Status prepare();
  // Runs with graph inputs bound (not copied) to `inputs`. Outputs stay valid until releaseRun().
  Status run(std::span<const TensorRef> inputs, double* nodeMillis);
  // The graph's outputs after run().
  const TensorRef& output(std::size_t i) const;
  std::size_t outputCount() const { return m_graph.outputs.size(); }
  // Returns every block the last run still holds to the pool.
  void releaseRun();
  // Execution order (indices into graph.nodes), for profiles.
  std::span<const ir::NodeId> order() const { return m_order; }
  std::size_t workspaceBytes() const { return m_workspace; }
  // Called after every node of the following runs (null: none); `nodes` names the nodes in order.
  void setObserver(const NodeObserver* observer, std::span<const PlanNode> nodes) {
    m_observer = observer;
    m_observedNodes = nodes;
  }

private:
  Status runNode(std::size_t step, double* nodeMillis);
  void releaseValue(ir::ValueId v);

  ExecEnv m_env;
  const ir::Graph& m_graph;
  Frame m_frame;
  std::unique_ptr<BodyRunner> m_bodies;
  std::vector<TensorRef> m_values;
  std::vector<char> m_owned;                                     // the value's block came from the pool in this run
  std::vector<ir::NodeId> m_order;                               // execution order
  std::vector<std::vector<ir::ValueId>> m_release;               // per step: values whose last use it is
  std::vector<DynamicNode> m_nodes;                              // per step
  std::vector<std::vector<TensorRef>> m_in, m_out;               // per step scratch
  std::vector<std::pair<ir::ValueId, const TensorRef*>> m_outer; // outer-scope values and their slots
  cpu::RunContext m_ctx;
  std::size_t m_step = 0;
  std::size_t m_workspace = 0;
  const NodeObserver* m_observer = nullptr;
  std::span<const PlanNode> m_observedNodes;
  std::vector<ObservedValue> m_observed; // scratch
};

} // namespace gs::runtime
