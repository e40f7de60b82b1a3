// Parallel loops for the basic kernels. OpenMP, so that they share oneDNN's (GNU OpenMP) thread pool
// instead of competing with a second one; a minimum grain keeps tiny tensors on the calling thread,
// where forking a team would cost more than the work.
#pragma once

#include <omp.h>

#include <algorithm>
#include <cstdint>

namespace gs::runtime::cpu::basic {

// Elements per thread below which forking is not worth it, by cost per element.
inline constexpr int64_t kGrainCopy = 65536;  // plain copies
inline constexpr int64_t kGrainCheap = 32768; // adds, compares, selects
inline constexpr int64_t kGrainMedium = 8192; // divides, gathers with index math
inline constexpr int64_t kGrainHeavy = 2048;  // transcendental functions

// Calls f(begin, end) over disjoint chunks covering [0, n). Serial inside an enclosing parallel region.
template <class F> void parallelFor(int64_t n, int64_t grain, F&& f) {
  if (n <= 0) return;
  int64_t chunks = 1;
  if (!omp_in_parallel())
    chunks = std::min<int64_t>(n / std::max<int64_t>(grain, 1), static_cast<int64_t>(omp_get_max_threads()));
  if (chunks <= 1) {
    f(int64_t{0}, n);
    return;
  }
#pragma omp parallel for num_threads(static_cast <int>(chunks)) schedule(static)
  for (int64_t c = 0; c < chunks; ++c)
    f(n / chunks * c + std::min(c, n % chunks), n / chunks * (c + 1) + std::min(c + 1, n % chunks));
}

// Most chunks parallelForChunks hands out (per-chunk scratch buffers are sized by it).
inline int64_t maxChunks() { return static_cast<int64_t>(omp_get_max_threads()); }

// Like parallelFor, also passing the chunk number (< maxChunks()) for per-chunk scratch space.
template <class F> void parallelForChunks(int64_t n, int64_t grain, F&& f) {
  if (n <= 0) return;
  int64_t chunks = 1;
  if (!omp_in_parallel()) chunks = std::min<int64_t>(n / std::max<int64_t>(grain, 1), maxChunks());
  if (chunks <= 1) {
    f(int64_t{0}, int64_t{0}, n);
    return;
  }
#pragma omp parallel for num_threads(static_cast <int>(chunks)) schedule(static)
  for (int64_t c = 0; c < chunks; ++c)
    f(c, n / chunks * c + std::min(c, n % chunks), n / chunks * (c + 1) + std::min(c + 1, n % chunks));
}

} // namespace gs::runtime::cpu::basic
