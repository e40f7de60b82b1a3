// Control-flow support for inferGraph: the dtypes and shapes a node's subgraph body receives as inputs.
#pragma once

#include <string_view>
#include <vector>

#include "core/ops/registry.h"

namespace gs::ops {

struct BodyInput {
  ir::DataType dtype = ir::DataType::Undefined;
  ir::Shape shape = ir::Shape::unknownRank();
};

// Types of the inputs of the body in attribute `attr` of ctx.node (If branches: none; Loop: iteration
// number, condition, loop-carried values; Scan: states and one slice of each scan input).
Expected<std::vector<BodyInput>> bodyInputTypes(const InferContext& ctx, std::string_view attr);

} // namespace gs::ops
