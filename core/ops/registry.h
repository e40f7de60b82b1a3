// The op registry: for each ONNX op type and each GearStudio op (domain ai.gearstudio, core/ir/gs_ops.h),
// attribute checks, a shape function (concrete and symbolic, with data propagation of small constant
// tensors) and a cost model; GearStudio ops also carry a schema, checked before their shape function. Explicit table,
// no static initialiser magic. The compiler uses it to make every tensor of a gear static; the runtime's dynamic mode
// uses it to resolve shapes per run.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "core/common/status.h"
#include "core/ir/graph.h"

namespace gs::ops {

// One element of a shape-carrying integer tensor: a number (any sign: Reshape targets hold -1), a
// symbol of some dim ("N", from Shape of a symbolic input), or unknown (neither).
struct DataElement {
  std::optional<int64_t> number;
  std::string symbol;
  bool operator==(const DataElement&) const = default;
};
// Symbolic data of a 0-D or 1-D integer tensor, element by element. Shape of [N,3] gives {N, 3}; Gather,
// Concat, Slice, Unsqueeze... carry it on, and Reshape/Expand/ConstantOfShape read dims from it, so
// exported shape arithmetic keeps the input's symbols.
using ShapeData = std::vector<DataElement>;

// What is known about one node input. shape is null and dtype Undefined for an omitted optional input.
struct InputInfo {
  ir::DataType dtype = ir::DataType::Undefined;
  const ir::Shape* shape = nullptr;
  const ir::Tensor* value = nullptr;    // the data, when known (constants, propagated shape data)
  const ShapeData* shapeData = nullptr; // symbolic data of a 0-D/1-D int tensor, when value is not known
};

// What the shape function derives for one output.
struct OutputInfo {
  ir::DataType dtype = ir::DataType::Undefined;
  ir::Shape shape = ir::Shape::unknownRank();
  std::optional<ir::Tensor> value;    // filled for data propagation (Shape, Gather on shapes, Concat, ...)
  std::optional<ShapeData> shapeData; // symbolic shape data, when some element is not a number
};

// Makes fresh symbol names for dims no rule can name ("unk__0", ...), unique per graph.
class SymbolFactory {
public:
  std::string next() {
    std::string s;
    do {
      s = "unk__" + std::to_string(m_next++);
    } while (m_used.count(s) != 0);
    return s;
  }
  // A symbol the graph already uses: next() never returns it (imported models often carry "unk__N").
  void reserve(const std::string& name) { m_used.insert(name); }

private:
  int m_next = 0;
  std::unordered_set<std::string> m_used;
};

struct InferContext {
  const ir::Node& node;
  int64_t opset = 0;
  std::span<const InputInfo> inputs;
  std::vector<OutputInfo>& outputs; // sized to node.outputs.size() before the call
  SymbolFactory* symbols = nullptr;
  // Upper bound on the elements of a value a shape function computes (data propagation).
  int64_t maxPropagatedElements = 1024;
  // Subgraph bodies (If, Loop, Scan) are inferred by inferGraph before their node; the shape function
  // then reads the bodies' output values.
};

// Returns an error (code GS0004, naming the node) when inputs or attributes are inconsistent.
using ShapeFn = Status (*)(InferContext&);

struct Cost {
  double flops = 0; // floating-point operations (a multiply-add counts 2)
  double bytes = 0; // bytes read + written
};
// Inputs/outputs have static shapes when this is called.
using CostFn = Cost (*)(const ir::Node&, std::span<const ir::Shape* const> inputShapes,
                        std::span<const ir::Shape* const> outputShapes);

// The schema of an op the ONNX standard does not define (GearStudio's own): what its nodes may hold.
struct InputSpec {
  std::string_view name;
  bool optional = false;
};
struct AttrSpec {
  std::string_view name;
  ir::Attribute::Kind kind = ir::Attribute::Kind::Int;
  bool required = false;
};
struct OpSchema {
  std::string_view summary;
  std::span<const InputSpec> inputs; // in order; a node may omit trailing optional ones
  std::span<const std::string_view> outputs;
  std::span<const AttrSpec> attributes; // every attribute a node may carry: others are an error
  std::string_view types;               // element types of the float inputs and outputs
};

struct OpInfo {
  std::string_view domain; // "" for ai.onnx
  std::string_view opType;
  int sinceVersion = 1; // first opset this entry covers (of the op's domain)
  ShapeFn infer = nullptr;
  CostFn cost = nullptr;            // null: elementwise-like default (bytes only)
  const OpSchema* schema = nullptr; // GearStudio ops: checked before infer
};

// The entry for (domain, opType) valid at `opset`, or null when the op is unknown. `opset` is the
// default domain's; ai.gearstudio ops are looked up at ir::gsop::kOpsetVersion.
const OpInfo* findOp(std::string_view domain, std::string_view opType, int64_t opset);
// Every registered entry, for listing and tests.
std::span<const OpInfo> allOps();

// Infers one node: looks up the op, checks its schema (GearStudio ops), runs its shape function
// (channels-last nodes see NCHW shapes, their outputs are given back in NHWC).
Status inferNode(InferContext& ctx);
// The same with the entry already found.
Status inferNodeWith(const OpInfo& op, InferContext& ctx);

struct GraphInferOptions {
  bool requireStatic = false; // error (naming the first non-static value) unless all become static
  bool propagateData = true;  // compute small int tensors (shape arithmetic) at compile time
  int64_t maxPropagatedElements = 1024;
  bool allowUnknownOps = false; // leave the outputs of unregistered ops unknown instead of failing
  // false: node outputs' current shapes are replaced instead of merged (re-inference per run, or
  // after the inputs changed, when the old shapes are stale).
  bool keepDeclaredShapes = true;
};

// Infers dtype and shape of every value of g in topological order, from its graph inputs' shapes and
// its constants. When knownValues is given it is resized to g.values.size() and receives, per value,
// the data that propagation computed (small int tensors: Shape -> Gather -> Concat -> Reshape chains);
// the constant-folding pass turns those into constants. Recurses into subgraphs where it can.
Status inferGraph(ir::Graph& g, int64_t opset, const GraphInferOptions& options = {},
                  std::vector<std::optional<ir::Tensor>>* knownValues = nullptr);

// Cost of one node with static shapes (0 when unknown). A cost function may leave bytes at 0: nodeCost
// then counts every input and output once (their static sizes times their dtypes' sizes).
Cost nodeCost(const ir::Graph& g, const ir::Node& n);

// Cost of every node of g (summed), for summaries.
Cost graphCost(const ir::Graph& g);

// Merges an inferred shape into a declared one: known dims win, then named symbols over generated
// ("unk__") ones. Error (naming `where`) when both have known, different dims or different ranks.
Expected<ir::Shape> mergeShapes(const ir::Shape& declared, const ir::Shape& inferred, const std::string& where);

} // namespace gs::ops
