// Helpers shared by the shape functions: error messages that name the node and attribute, access to
// input shapes and known values, axis normalisation, broadcasting, and building propagated values.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/ops/registry.h"

namespace gs::ops::util {

// "node 'conv1' (Conv): <what>" with codes::kInvalid.
std::unexpected<Error> invalid(const InferContext& ctx, const std::string& what);
// "node 'conv1' (Conv): attribute 'pads': <what>" with codes::kInvalid.
std::unexpected<Error> invalidAttr(const InferContext& ctx, std::string_view attr, const std::string& what);
std::unexpected<Error> unsupported(const InferContext& ctx, const std::string& what);

// True when input i exists and is not an omitted optional input.
bool has(const InferContext& ctx, std::size_t i);
// Shape of input i; null when absent. Unknown-rank shapes are returned as they are.
const ir::Shape* shapeOf(const InferContext& ctx, std::size_t i);
// Rank of input i, or -1 when absent or unknown.
int64_t rankOf(const InferContext& ctx, std::size_t i);
ir::DataType dtypeOf(const InferContext& ctx, std::size_t i);

// The known value of input i as integers (for any integer or bool dtype); nullopt when unknown.
std::optional<std::vector<int64_t>> intsOf(const InferContext& ctx, std::size_t i);
// The known value of input i as doubles (any numeric dtype); nullopt when unknown.
std::optional<std::vector<double>> floatsOf(const InferContext& ctx, std::size_t i);
// A known scalar (or one-element tensor) input as an integer.
std::optional<int64_t> intScalarOf(const InferContext& ctx, std::size_t i);
const ir::Tensor* valueOf(const InferContext& ctx, std::size_t i);

// The elements of a 0-D/1-D integer input: from its known value, or its symbolic shape data.
std::optional<ShapeData> shapeDataOf(const InferContext& ctx, std::size_t i);
// Records output i's elements: as a value when all are numbers (and it is 0-D/1-D), else as shape data.
void setShapeData(InferContext& ctx, std::size_t i, ShapeData data);
DataElement elementOf(const ir::Dim& d);
// A dim from an element: numbers >= 0 are sizes, symbols stay, anything else is a fresh symbol.
ir::Dim dimOf(const InferContext& ctx, const DataElement& e);

// A fresh symbolic dim (or an unknown one when the context has no symbol factory).
ir::Dim freshDim(const InferContext& ctx);
// A shape of the given rank whose dims are all fresh symbols.
ir::Shape freshShape(const InferContext& ctx, std::size_t rank);

void setOutput(InferContext& ctx, std::size_t i, ir::DataType dtype, ir::Shape shape);
// Sets output i's value when it is small enough; its shape must already match tensor's dims.
void setValue(InferContext& ctx, std::size_t i, ir::Tensor value);

// Normalises axis into [0, rank) (or [0, rank] with allowEnd); errors name the attribute.
Expected<int64_t> normalizeAxis(const InferContext& ctx, std::string_view attr, int64_t axis, int64_t rank,
                                bool allowEnd = false);
// Normalises a list of axes; duplicates are an error.
Expected<std::vector<int64_t>> normalizeAxes(const InferContext& ctx, std::string_view attr,
                                             const std::vector<int64_t>& axes, int64_t rank);

// Multidirectional (numpy) broadcasting. Unknown rank in -> unknown rank out. Symbols pass through;
// two different symbols give a fresh one.
Expected<ir::Shape> broadcast(const InferContext& ctx, std::span<const ir::Shape* const> shapes);
// The better-informed of two dims that must be equal (known beats symbolic beats unknown); error when
// both are known and differ.
Expected<ir::Dim> unifyDims(const InferContext& ctx, const ir::Dim& a, const ir::Dim& b, const std::string& what);

// Product of dims [from, to); a fresh symbol when any is unknown (a single dim keeps its symbol).
ir::Dim dimProduct(const InferContext& ctx, const ir::Shape& s, std::size_t from, std::size_t to);

// Tensors for propagated values, written in the given dtype.
ir::Tensor makeTensor(ir::DataType dtype, std::vector<int64_t> dims, const std::vector<int64_t>& values);
ir::Tensor makeTensor(ir::DataType dtype, std::vector<int64_t> dims, const std::vector<double>& values);

// Row-major strides of dims.
std::vector<int64_t> stridesOf(const std::vector<int64_t>& dims);

// ONNX integer division and modulo helpers (floor toward negative infinity where ONNX asks for it).
int64_t floorDiv(int64_t a, int64_t b);
int64_t ceilDiv(int64_t a, int64_t b);

} // namespace gs::ops::util
