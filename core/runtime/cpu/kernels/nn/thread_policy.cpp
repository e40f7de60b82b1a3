// Thread counts per op and the OpenMP wait policy (see thread_policy.h).
#include "core/runtime/cpu/kernels/nn/thread_policy.h"

#include <algorithm>
#include <cstdlib>

#include <omp.h>

namespace gs::runtime::cpu::nn {

namespace {
bool g_passiveDefaulted = false;

// libgomp reads its environment in its own initialiser, before any C++ static initialiser of this
// library could run; an executable's .preinit_array runs before every shared library's initialisers,
// so the default is set there. (This object is part of a static library: the entry lands in the
// executable that links the runtime.) The user's own choice always wins.
void defaultPassiveWait(int, char**, char**) {
  if (std::getenv("OMP_WAIT_POLICY") || std::getenv("GOMP_SPINCOUNT")) return;
  g_passiveDefaulted = setenv("OMP_WAIT_POLICY", "PASSIVE", 0) == 0;
}
} // namespace

[[gnu::section(".preinit_array"), gnu::used]] static void (*const g_preinit)(int, char**, char**) = defaultPassiveWait;

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

bool passiveWaitDefaulted() { return g_passiveDefaulted; }

} // namespace gs::runtime::cpu::nn
