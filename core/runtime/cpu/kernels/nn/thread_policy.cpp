// Thread counts per op and the OpenMP wait policy (see thread_policy.h).
#include "core/runtime/cpu/kernels/nn/thread_policy.h"

#include <algorithm>

#include <omp.h>

namespace gs::runtime::cpu::nn {

int threadsFor(int64_t work, int64_t items) {
  const int64_t byWork = std::max<int64_t>(1, work / kMinWorkPerThread);
  return static_cast<int>(std::max<int64_t>(1, std::min({byWork, items, int64_t{omp_get_max_threads()}})));
}

ScopedMaxThreads::ScopedMaxThreads(int threads) : m_saved(omp_get_max_threads()) {
  if (threads != m_saved) omp_set_num_threads(std::max(1, threads));
}

ScopedMaxThreads::~ScopedMaxThreads() {
  if (omp_get_max_threads() != m_saved) omp_set_num_threads(m_saved);
}

} // namespace gs::runtime::cpu::nn
