// How many OpenMP threads a kernel uses.
//
// Every parallel region costs a wake-up and a barrier: on a loaded machine a region of two threads
// waits until both got a CPU, which costs far more than a small op computes (PP-OCR cls at batch 1:
// 2 threads 6-20x slower than 1 while other processes compete). Small ops therefore run on the calling
// thread only: oneDNN primitives for them are created and executed while one thread is the maximum
// (oneDNN sizes its split at creation and, for many kernels, again at execution), so they run without
// a parallel region.
#pragma once

#include <cstdint>

namespace gs::runtime::cpu::nn {

// Work (multiply-adds or element operations) below which an op's parallel region costs more than it
// saves; each further thread needs this much more work.
inline constexpr int64_t kMinWorkPerThread = int64_t{1} << 20;

// Threads for an op with `work` units split into `items` independent chunks (>= 1, <= max threads).
int threadsFor(int64_t work, int64_t items);

// Sets the calling thread's OpenMP thread maximum for a scope (oneDNN primitive creation, serial
// calls into oneDNN's sgemm) and restores it afterwards.
class ScopedMaxThreads {
public:
  explicit ScopedMaxThreads(int threads);
  ~ScopedMaxThreads();
  ScopedMaxThreads(const ScopedMaxThreads&) = delete;
  ScopedMaxThreads& operator=(const ScopedMaxThreads&) = delete;

private:
  int m_saved = 0;
};

} // namespace gs::runtime::cpu::nn
