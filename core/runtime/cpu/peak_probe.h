// The machine's floating-point peak, for rooflines: how close a gear's achieved GFLOP/s is to what one
// core (times the threads used) can do at most. Measured once with an own FMA probe (independent
// fused multiply-add chains in the widest vector unit the CPU has: AVX-512, AVX2+FMA or SSE) and
// cached in a small JSON file keyed by CPU model, so later runs only read it.
#pragma once

#include <string>

#include "core/common/status.h"

namespace gs::runtime::cpu {

struct PeakFlops {
  double coreGflops = 0;  // f32 GFLOP/s of one core (best of the probe's trials)
  std::string isa;        // "avx512", "avx2+fma", "sse"
  std::string cpu;        // model name from /proc/cpuinfo (cache key)
  bool fromCache = false; // read from the cache file rather than measured now
  double machineGflops(int threads) const { return coreGflops * (threads > 0 ? threads : 1); }
};

// Runs the probe on the calling thread: `trials` runs of ~`trialMillis` each, best one kept (on a busy
// machine the best trial is the one that ran undisturbed).
PeakFlops measurePeak(int trials = 15, double trialMillis = 20.0);

// The default cache file: $XDG_CACHE_HOME/gearstudio/peak_flops.json, else ~/.cache/gearstudio/...
std::string defaultPeakCachePath();

// The cached peak for this CPU, measuring and writing the cache when it has none (or it is for
// another CPU or ISA). An unwritable cache is not an error: the measured value is returned.
Expected<PeakFlops> cachedPeak(const std::string& cachePath = defaultPeakCachePath());

} // namespace gs::runtime::cpu
