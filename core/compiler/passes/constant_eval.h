// Compile-time evaluation of a node whose inputs are all constants: elementwise arithmetic with
// broadcasting, casts, unary math, transposes and reshapes (views over the input's storage). The
// output's dtype and shape come from the op registry's shape function. Not a kernel library: only what
// folding weights and shape arithmetic needs, in double precision.
#pragma once

#include <optional>
#include <span>

#include "core/ir/graph.h"

namespace gs::compiler::eval {

// Output 0 of n, or nullopt when the op is not covered (the node then stays in the graph).
std::optional<ir::Tensor> evaluate(const ir::Node& n, std::span<const ir::Tensor* const> inputs, ir::DataType outDtype,
                                   const std::vector<int64_t>& outDims);

// Builds a tensor of dtype from doubles (float, integer and bool dtypes), nullopt for others.
std::optional<ir::Tensor> tensorFromDoubles(ir::DataType dtype, const std::vector<double>& data,
                                            std::vector<int64_t> dims);

} // namespace gs::compiler::eval
