// Greedy offset assignment (best fit among time-overlapping buffers) and plan checking.
#include "core/compiler/memory/allocator.h"

#include <algorithm>
#include <limits>
#include <numeric>
#include <string>

namespace gs::compiler::memory {

namespace {

bool overlapsInTime(const BufferRequest& a, const BufferRequest& b) { return a.first <= b.last && b.first <= a.last; }

// Places requests in the given order. Each request goes into the smallest gap (between buffers
// already placed that are live at the same time) that holds it; if none does, above the highest one.
ArenaPlan placeInOrder(std::span<const BufferRequest> requests, const std::vector<std::size_t>& order,
                       std::string_view heuristic) {
  ArenaPlan plan;
  plan.heuristic = heuristic;
  plan.offsets.assign(requests.size(), 0);
  std::vector<std::size_t> placed;
  placed.reserve(requests.size());
  std::vector<std::size_t> live; // placed buffers overlapping the current one, sorted by offset
  for (auto idx : order) {
    const auto& req = requests[idx];
    live.clear();
    for (auto p : placed)
      if (overlapsInTime(requests[p], req) && requests[p].bytes > 0) live.push_back(p);
    std::sort(live.begin(), live.end(), [&](std::size_t a, std::size_t b) {
      return plan.offsets[a] != plan.offsets[b] ? plan.offsets[a] < plan.offsets[b] : a < b;
    });
    uint64_t bestOffset = std::numeric_limits<uint64_t>::max();
    uint64_t bestGap = std::numeric_limits<uint64_t>::max();
    uint64_t cursor = 0; // lowest free byte so far
    for (auto p : live) {
      const auto start = plan.offsets[p];
      if (start > cursor) {
        const auto gap = start - cursor;
        if (gap >= req.bytes && gap < bestGap) {
          bestGap = gap;
          bestOffset = cursor;
        }
      }
      cursor = std::max(cursor, start + requests[p].bytes);
    }
    if (bestOffset == std::numeric_limits<uint64_t>::max()) bestOffset = cursor;
    plan.offsets[idx] = req.bytes == 0 ? 0 : bestOffset;
    plan.arenaBytes = std::max(plan.arenaBytes, plan.offsets[idx] + req.bytes);
    placed.push_back(idx);
  }
  plan.lowerBoundBytes = lowerBound(requests);
  return plan;
}

} // namespace

uint64_t lowerBound(std::span<const BufferRequest> requests) {
  // Sweep: +bytes at first, -bytes after last. Ends are processed before starts at the same step.
  std::vector<std::pair<int64_t, int64_t>> events; // (step * 2 + kind, delta); kind 0 = end, 1 = start
  events.reserve(requests.size() * 2);
  for (const auto& r : requests) {
    if (r.bytes == 0) continue;
    events.emplace_back(r.first * 2 + 1, static_cast<int64_t>(r.bytes));
    events.emplace_back((r.last + 1) * 2, -static_cast<int64_t>(r.bytes));
  }
  std::sort(events.begin(), events.end());
  int64_t cur = 0;
  int64_t best = 0;
  for (const auto& [key, delta] : events) {
    cur += delta;
    best = std::max(best, cur);
  }
  return static_cast<uint64_t>(best);
}

ArenaPlan planGreedyBySize(std::span<const BufferRequest> requests) {
  std::vector<std::size_t> order(requests.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    if (requests[a].bytes != requests[b].bytes) return requests[a].bytes > requests[b].bytes;
    return requests[a].first < requests[b].first;
  });
  return placeInOrder(requests, order, "greedy-by-size");
}

ArenaPlan planGreedyByStart(std::span<const BufferRequest> requests) {
  std::vector<std::size_t> order(requests.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    if (requests[a].first != requests[b].first) return requests[a].first < requests[b].first;
    return requests[a].bytes > requests[b].bytes;
  });
  return placeInOrder(requests, order, "greedy-by-start");
}

ArenaPlan planGreedyByBreadth(std::span<const BufferRequest> requests) {
  int64_t steps = 0;
  for (const auto& r : requests)
    steps = std::max(steps, r.last + 1);
  std::vector<uint64_t> breadth(static_cast<std::size_t>(steps), 0);
  std::vector<std::vector<std::size_t>> liveAt(static_cast<std::size_t>(steps));
  for (std::size_t i = 0; i < requests.size(); ++i)
    for (auto s = requests[i].first; s <= requests[i].last; ++s) {
      breadth[static_cast<std::size_t>(s)] += requests[i].bytes;
      liveAt[static_cast<std::size_t>(s)].push_back(i);
    }
  std::vector<std::size_t> stepOrder(static_cast<std::size_t>(steps));
  std::iota(stepOrder.begin(), stepOrder.end(), std::size_t{0});
  std::stable_sort(stepOrder.begin(), stepOrder.end(),
                   [&](std::size_t a, std::size_t b) { return breadth[a] > breadth[b]; });
  std::vector<bool> queued(requests.size(), false);
  std::vector<std::size_t> order;
  order.reserve(requests.size());
  for (auto s : stepOrder) {
    auto live = liveAt[s];
    std::stable_sort(live.begin(), live.end(),
                     [&](std::size_t a, std::size_t b) { return requests[a].bytes > requests[b].bytes; });
    for (auto i : live)
      if (!queued[i]) {
        queued[i] = true;
        order.push_back(i);
      }
  }
  for (std::size_t i = 0; i < requests.size(); ++i)
    if (!queued[i]) order.push_back(i);
  return placeInOrder(requests, order, "greedy-by-breadth");
}

ArenaPlan planArena(std::span<const BufferRequest> requests) {
  auto best = planGreedyBySize(requests);
  for (auto other : {planGreedyByBreadth, planGreedyByStart}) {
    if (best.arenaBytes == best.lowerBoundBytes) break;
    auto candidate = other(requests);
    if (candidate.arenaBytes < best.arenaBytes) best = std::move(candidate);
  }
  return best;
}

Status checkPlan(std::span<const BufferRequest> requests, const ArenaPlan& plan) {
  if (plan.offsets.size() != requests.size())
    return makeError(codes::kInternal, "memory plan has " + std::to_string(plan.offsets.size()) + " offsets for " +
                                           std::to_string(requests.size()) + " buffers");
  for (std::size_t i = 0; i < requests.size(); ++i) {
    if (requests[i].last < requests[i].first)
      return makeError(codes::kInternal, "buffer " + std::to_string(i) + " ends before it starts");
    if (plan.offsets[i] + requests[i].bytes > plan.arenaBytes)
      return makeError(codes::kInternal, "buffer " + std::to_string(i) + " ends past the arena");
  }
  // Sort by offset so that only neighbours in memory need comparing against each other.
  std::vector<std::size_t> order(requests.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return plan.offsets[a] < plan.offsets[b]; });
  for (std::size_t i = 0; i < order.size(); ++i) {
    const auto a = order[i];
    if (requests[a].bytes == 0) continue;
    const auto endA = plan.offsets[a] + requests[a].bytes;
    for (std::size_t j = i + 1; j < order.size() && plan.offsets[order[j]] < endA; ++j) {
      const auto b = order[j];
      if (requests[b].bytes == 0) continue;
      if (overlapsInTime(requests[a], requests[b]))
        return makeError(codes::kInternal, "buffers " + std::to_string(a) + " and " + std::to_string(b) +
                                               " are live together and overlap in the arena");
    }
  }
  if (plan.arenaBytes < lowerBound(requests))
    return makeError(codes::kInternal, "arena is smaller than the lower bound: the plan cannot be valid");
  return ok();
}

} // namespace gs::compiler::memory
