// Sizes no machine can hold, refused at compile time: an element count or byte size that overflows
// 64 bits, or a tensor or arena larger than a 64-bit process can address (128 TiB on x86-64 and
// AArch64 with 4-level page tables). Without these checks a plan with such sizes compiles and the
// runtime's first allocation fails (or a size wraps and a buffer is too small).
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "core/common/status.h"
#include "core/compiler/shape_config/shape_config.h"
#include "core/ir/graph.h"

namespace gs::compiler {

inline constexpr uint64_t kMaxAddressableBytes = uint64_t{1} << 47;

// dims (all >= 0) times elementBytes, or nullopt when the element count or the byte size
// overflows int64.
std::optional<uint64_t> checkedByteSize(std::span<const int64_t> dims, std::size_t elementBytes);

// The concrete input shapes of one gear, before any pass runs (kInvalid naming the input).
Status checkGearInputSizes(const ir::Graph& graph, const shape_config::GearShapes& shapes, int gear);

// Every value with a static shape in a specialised gear graph, and its arena (kInvalid naming the
// value or the arena).
Status checkGearSizes(const ir::Graph& graph, int gear);
Status checkArenaSize(uint64_t arenaBytes, int gear);

} // namespace gs::compiler
