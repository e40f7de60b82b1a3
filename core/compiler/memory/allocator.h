// Offset assignment for one activation arena: given buffers with lifetimes (first and last step they
// are live, inclusive) and sizes, place every buffer at an offset so that no two buffers that are
// live at the same step overlap. A pure function over an allocation trace, so it is unit-tested on
// hand-made and random traces without any graph.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "core/common/status.h"

namespace gs::compiler::memory {

// Every buffer starts on a 64-byte boundary (cache line; what SIMD kernels want).
inline constexpr uint64_t kAlignment = 64;

constexpr uint64_t alignUp(uint64_t bytes, uint64_t alignment = kAlignment) {
  return (bytes + alignment - 1) / alignment * alignment;
}

struct BufferRequest {
  int64_t first = 0; // first step the buffer is live (written)
  int64_t last = 0;  // last step the buffer is live (read), inclusive; >= first
  uint64_t bytes = 0;
};

struct ArenaPlan {
  std::vector<uint64_t> offsets; // one per request
  uint64_t arenaBytes = 0;       // end of the highest placed buffer
  uint64_t lowerBoundBytes = 0;  // the largest sum of live bytes at any step: no plan can be smaller
  std::string_view heuristic;    // which placement order won
};

// The largest sum of bytes of buffers live at the same step.
uint64_t lowerBound(std::span<const BufferRequest> requests);

// TFLite/ORT-style "greedy by size": largest buffers first, each into the best-fitting gap among the
// already placed buffers whose lifetimes overlap it.
ArenaPlan planGreedyBySize(std::span<const BufferRequest> requests);

// Same best-fit placement but in order of first use (ties: larger first); wins on some chains.
ArenaPlan planGreedyByStart(std::span<const BufferRequest> requests);

// TFLite's "greedy by breadth": steps in order of decreasing live bytes; at each, the buffers live
// there that are not placed yet, largest first.
ArenaPlan planGreedyByBreadth(std::span<const BufferRequest> requests);

// Runs every heuristic and keeps the smallest arena.
ArenaPlan planArena(std::span<const BufferRequest> requests);

// Checks a plan: one offset per request, every buffer inside the arena, no two buffers with
// overlapping lifetimes overlapping in memory, arena >= lower bound. The error names the clash.
Status checkPlan(std::span<const BufferRequest> requests, const ArenaPlan& plan);

} // namespace gs::compiler::memory
