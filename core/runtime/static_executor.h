// Static ("sink") execution of one gear: everything is decided at prepare time. Every value's
// TensorRef points into the shared arena at its planned offset (or at its constant, or at a private
// buffer for the rare static value the planner left out), kernels are created and reshaped once, and
// run() only copies inputs in, calls kernels in order and copies outputs out: no shape inference, no
// allocation. Values with data-dependent shapes (NonZero ...) form dynamic islands: their producers
// allocate from the pool per run and their consumers resolve shapes per run.
#pragma once

#include <memory>
#include <span>
#include <vector>

#include "core/om/model.h"
#include "core/runtime/device.h"
#include "core/runtime/node_exec.h"

namespace gs::runtime {

class BodyRunner;

class StaticPlan final : public Plan {
public:
  // arena: the model's shared arena, sized for every gear before any plan is made; it must not move.
  static Expected<std::unique_ptr<StaticPlan>> create(ExecEnv env, const om::GearPlan& gear, const Arena& arena);
  ~StaticPlan() override;

  Status run(std::span<const HostTensor> inputs, std::vector<HostTensor>& outputs, double* nodeMillis) override;
  std::span<const PlanNode> nodes() const override { return m_nodes; }
  std::size_t workspaceBytes() const override { return m_workspace; }
  bool setObserver(const NodeObserver* observer) override {
    m_observer = observer;
    return true;
  }
  // Number of nodes that resolve shapes at run time (dynamic islands).
  std::size_t islandCount() const;

private:
  struct Step {
    const ir::Node* node = nullptr;
    std::unique_ptr<cpu::Kernel> kernel; // static steps
    DynamicNode dyn;                     // island steps
    bool island = false;                 // an input's shape is only known at run time
    bool allocates = false;              // an output's shape is only known at run time
    std::vector<TensorRef> in, out;
  };

  StaticPlan(ExecEnv env, const om::GearPlan& gear);
  Status prepare(const Arena& arena);
  Status runStep(std::size_t s);
  Status runIsland(Step& step);
  void releaseRunAllocations();
  void notify(std::size_t s);

  ExecEnv m_env;
  const om::GearPlan& m_gear;
  const ir::Graph& m_graph;
  std::vector<TensorRef> m_refs;     // per ValueId
  std::vector<char> m_dynamic;       // per ValueId: shape known only at run time
  std::vector<HostTensor> m_private; // static values outside the arena
  std::vector<Step> m_steps;
  std::vector<PlanNode> m_nodes;
  std::vector<std::pair<std::byte*, std::size_t>> m_runAllocs; // pool blocks of this run
  Frame m_frame;
  std::unique_ptr<BodyRunner> m_bodies;
  cpu::RunContext m_ctx;
  std::size_t m_current = 0;
  std::size_t m_workspace = 0;
  const NodeObserver* m_observer = nullptr;
  std::vector<ObservedValue> m_observed; // scratch for notify()
};

} // namespace gs::runtime
