// The rules every om::Model in a .om file obeys. The writer checks them before writing (so it never
// produces a file the reader would reject) and the reader checks them after decoding (so a runtime
// can index values, arena offsets and weights without further checks).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "core/common/status.h"
#include "core/om/model.h"

namespace gs::om {

// Ids in range, dims and element counts sane, constants backed by enough bytes, arena offsets
// inside the gear's arena, subgraph depth limited, strings of sane size, then ir::verify() on
// every graph. Errors are codes::kInvalid and name the gear, graph, value or node at fault.
Status validate(const Model& model);

namespace detail {

// Bytes of a dense tensor of this dtype and dims; nullopt when a dim is negative, the element
// count exceeds format::kMaxElements, or the dtype is not a real element type.
std::optional<uint64_t> denseBytes(ir::DataType dtype, const std::vector<int64_t>& dims);
// Element count; nullopt when a dim is negative or the count exceeds format::kMaxElements.
std::optional<int64_t> checkedElements(const std::vector<int64_t>& dims);
bool isValidDtype(ir::DataType dtype);

} // namespace detail
} // namespace gs::om
