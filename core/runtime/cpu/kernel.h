// The CPU kernel interface, split as XNNPACK does: create (attributes, constant inputs: weights are
// packed here, once, through the WeightCache shared by all gears) -> reshape (input/output shapes are
// known: precompute strides and workspace size) -> run (no shape work, no allocation on the hot path).
// Static gears call reshape once at prepare time; dynamic mode calls it again when shapes change.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/common/status.h"
#include "core/ir/graph.h"
#include "core/runtime/tensor.h"

namespace gs::runtime::cpu {

// Packed weights (blocked layouts, folded scales ...) shared by every gear of a model.
class WeightCache {
public:
  // The packed form of `source` under `key` ("conv:oihw16o" ...), made once by make().
  std::shared_ptr<const void> getOrCreate(const void* source, const std::string& key,
                                          const std::function<std::shared_ptr<const void>(std::size_t& bytes)>& make);
  std::size_t bytes() const;

private:
  mutable std::mutex m_mutex;
  std::unordered_map<std::string, std::shared_ptr<const void>> m_entries;
  std::size_t m_bytes = 0;
};

struct CreateContext {
  const ir::Node& node;
  int64_t opset = 0;
  std::span<const ir::DataType> inputTypes;       // Undefined for omitted optional inputs
  std::span<const ir::Tensor* const> constInputs; // data of constant inputs (weights), else null
  std::span<const ir::Shape* const> inputShapes;  // static for gears; may be symbolic in dynamic mode
  std::span<const ir::DataType> outputTypes;
  WeightCache* weights = nullptr;
};

struct ReshapeContext {
  std::span<const std::vector<int64_t>> inputDims; // empty vector also for omitted inputs: check types
  std::span<const ir::DataType> inputTypes;
  // Output dims from shape inference; nullopt for data-dependent outputs (NonZero, Loop scan outputs,
  // TopK with a runtime k ...): those the kernel allocates in run() through RunContext::allocateOutput.
  std::span<const std::optional<std::vector<int64_t>>> outputDims;
};

// Runs an If/Loop/Scan body (an attribute graph of the running node). Values the body reads from
// enclosing scopes are resolved by the runner. Outputs are owned by the returned tensors.
class SubgraphRunner {
public:
  virtual ~SubgraphRunner() = default;
  virtual Expected<std::vector<HostTensor>> run(const ir::Graph& body, std::span<const TensorRef> inputs) = 0;
};

struct RunContext {
  // Allocates output `index` with `dims` (for outputs whose reshape dims were nullopt); the returned
  // ref is also written into the outputs span passed to run().
  std::function<Expected<TensorRef>(std::size_t index, std::vector<int64_t> dims)> allocateOutput;
  SubgraphRunner* subgraphs = nullptr;
  void* workspace = nullptr;
  std::size_t workspaceBytes = 0;
};

class Kernel {
public:
  virtual ~Kernel() = default;
  // Returns the workspace bytes run() needs (0 by default).
  virtual Expected<std::size_t> reshape(const ReshapeContext&) { return std::size_t{0}; }
  // outputs[i].data is preallocated wherever ReshapeContext::outputDims[i] was known.
  virtual Status run(std::span<const TensorRef> inputs, std::span<TensorRef> outputs, RunContext& ctx) = 0;
};

using KernelFactory = Expected<std::unique_ptr<Kernel>> (*)(const CreateContext&);
// Conditions beyond input 0's element type (the other inputs' types, attributes); null: none.
using CheckFn = bool (*)(const ir::Node&, std::span<const ir::DataType> inputTypes);

// One row of a device's kernel table (core/runtime/cpu/kernels/registry.h).
struct KernelEntry {
  std::string_view domain; // "" for ai.onnx; "ai.gearstudio" for GearStudio's ops
  std::string_view opType;
  KernelFactory create = nullptr;
  CheckFn check = nullptr;
  ir::DtypeSet types;    // element types of input 0 (ONNX's "T"): what supports() and --list-ops read
  std::string_view note; // the other inputs' types, for --list-ops ("indices int32,int64")
  int sinceVersion = 1;  // the opsets of the op's domain this kernel implements: [since, until]
  int untilVersion = 0;  // 0: every later opset
  // A row made by halfWidenedRows() (kernels/half_widen.h): it takes float16/bfloat16 inputs and runs
  // the float32 kernel of the op on them, widened; its check sees the widened input types.
  bool widensHalf = false;
  bool coversOpset(int64_t opset) const {
    return opset >= sinceVersion && (untilVersion == 0 || opset <= untilVersion);
  }
};

} // namespace gs::runtime::cpu
