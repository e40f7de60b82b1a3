// FMA peak probe and its cache (see peak_probe.h).
#include "core/runtime/cpu/peak_probe.h"

#include <immintrin.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <time.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

namespace gs::runtime::cpu {

namespace {

// Bumped when the probe's method changes, so caches written by an older probe are measured again.
constexpr int kProbeVersion = 2;

// Twelve independent accumulator chains: enough to cover FMA latency (4 cycles) on two pipes, so the
// loop is bound by FMA throughput alone. Each returns the FLOPs it did; `sink` keeps the result alive.
constexpr int kChains = 12;

// Vectors come from memory: GCC 12's _mm512_set1_ps trips -Wuninitialized inside its own header.
[[gnu::target("avx512f")]] double fmaAvx512(int64_t iters, float* sink) {
  float init[kChains][16], mulv[16], addv[16];
  for (int l = 0; l < 16; ++l) {
    for (int k = 0; k < kChains; ++k)
      init[k][l] = static_cast<float>(k) * 0.01f;
    mulv[l] = 0.999999f;
    addv[l] = 1e-7f;
  }
  __m512 acc[kChains];
  for (int k = 0; k < kChains; ++k)
    acc[k] = _mm512_loadu_ps(init[k]);
  const __m512 mul = _mm512_loadu_ps(mulv), add = _mm512_loadu_ps(addv);
  for (int64_t i = 0; i < iters; ++i)
    for (int k = 0; k < kChains; ++k)
      acc[k] = _mm512_fmadd_ps(acc[k], mul, add);
  __m512 s = acc[0];
  for (int k = 1; k < kChains; ++k)
    s = _mm512_add_ps(s, acc[k]);
  float lanes[16];
  _mm512_storeu_ps(lanes, s);
  *sink = lanes[0] + lanes[15];
  return static_cast<double>(iters) * kChains * 16 * 2;
}

[[gnu::target("avx2,fma")]] double fmaAvx2(int64_t iters, float* sink) {
  __m256 acc[kChains];
  for (int k = 0; k < kChains; ++k)
    acc[k] = _mm256_set1_ps(static_cast<float>(k) * 0.01f);
  const __m256 mul = _mm256_set1_ps(0.999999f), add = _mm256_set1_ps(1e-7f);
  for (int64_t i = 0; i < iters; ++i)
    for (int k = 0; k < kChains; ++k)
      acc[k] = _mm256_fmadd_ps(acc[k], mul, add);
  __m256 s = acc[0];
  for (int k = 1; k < kChains; ++k)
    s = _mm256_add_ps(s, acc[k]);
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, s);
  *sink = lanes[0] + lanes[7];
  return static_cast<double>(iters) * kChains * 8 * 2;
}

double mulAddSse(int64_t iters, float* sink) {
  __m128 acc[kChains];
  for (int k = 0; k < kChains; ++k)
    acc[k] = _mm_set1_ps(static_cast<float>(k) * 0.01f);
  const __m128 mul = _mm_set1_ps(0.999999f), add = _mm_set1_ps(1e-7f);
  for (int64_t i = 0; i < iters; ++i)
    for (int k = 0; k < kChains; ++k)
      acc[k] = _mm_add_ps(_mm_mul_ps(acc[k], mul), add);
  __m128 s = acc[0];
  for (int k = 1; k < kChains; ++k)
    s = _mm_add_ps(s, acc[k]);
  *sink = _mm_cvtss_f32(s);
  return static_cast<double>(iters) * kChains * 4 * 2;
}

using Probe = double (*)(int64_t, float*);

std::string cpuModel() {
  std::ifstream f("/proc/cpuinfo");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      if (colon != std::string::npos) return line.substr(line.find_first_not_of(' ', colon + 1));
    }
  return "unknown";
}

void pickProbe(Probe& probe, std::string& isa) {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) {
    probe = fmaAvx512;
    isa = "avx512";
  } else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    probe = fmaAvx2;
    isa = "avx2+fma";
  } else {
    probe = mulAddSse;
    isa = "sse";
  }
}

} // namespace

PeakFlops measurePeak(int trials, double trialMillis) {
  using Clock = std::chrono::steady_clock;
  PeakFlops p;
  Probe probe = nullptr;
  pickProbe(probe, p.isa);
  p.cpu = cpuModel();
  float sink = 0;
  // Calibrate the iteration count for ~trialMillis per trial.
  int64_t iters = 1 << 14;
  for (;;) {
    const auto t0 = Clock::now();
    probe(iters, &sink);
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    if (ms >= trialMillis / 4 || iters > (int64_t{1} << 34)) {
      iters = static_cast<int64_t>(static_cast<double>(iters) * trialMillis / std::max(ms, 1e-3));
      break;
    }
    iters *= 4;
  }
  iters = std::max<int64_t>(iters, 1024);
  // Trials are timed with this thread's CPU clock, not the wall clock: time the thread spends
  // descheduled on a busy machine would otherwise lower the peak.
  auto threadSeconds = [] {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
  };
  double best = 0;
  for (int t = 0; t < std::max(trials, 1); ++t) {
    const double t0 = threadSeconds();
    const double flops = probe(iters, &sink);
    const double s = threadSeconds() - t0;
    if (s > 0) best = std::max(best, flops / s / 1e9);
  }
  volatile float keep = sink; // the chains' result must be observable or the loops could go
  (void)keep;
  p.coreGflops = best;
  return p;
}

std::string defaultPeakCachePath() {
  namespace fs = std::filesystem;
  fs::path base;
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg)
    base = xdg;
  else if (const char* home = std::getenv("HOME"); home && *home)
    base = fs::path(home) / ".cache";
  else
    base = fs::temp_directory_path();
  return (base / "gearstudio" / "peak_flops.json").string();
}

Expected<PeakFlops> cachedPeak(const std::string& cachePath) {
  namespace fs = std::filesystem;
  Probe probe = nullptr;
  std::string isa;
  pickProbe(probe, isa);
  const std::string cpu = cpuModel();
  if (std::ifstream in(cachePath); in) {
    auto j = nlohmann::json::parse(in, nullptr, false);
    if (!j.is_discarded() && j.is_object() && j.value("cpu", "") == cpu && j.value("isa", "") == isa &&
        j.value("probe", 0) == kProbeVersion && j.value("core_gflops", 0.0) > 0) {
      PeakFlops p;
      p.coreGflops = j.value("core_gflops", 0.0);
      p.isa = isa;
      p.cpu = cpu;
      p.fromCache = true;
      return p;
    }
  }
  PeakFlops p = measurePeak();
  if (p.coreGflops <= 0) return makeError(codes::kRuntime, "the FMA peak probe measured no time");
  std::error_code ec;
  fs::create_directories(fs::path(cachePath).parent_path(), ec);
  // Written to a temporary name and renamed, so a concurrent reader never sees half a file.
  const std::string tmp = cachePath + ".tmp" + std::to_string(::getpid());
  if (std::ofstream out(tmp, std::ios::trunc); out) {
    out << nlohmann::json{{"cpu", p.cpu}, {"isa", p.isa}, {"probe", kProbeVersion}, {"core_gflops", p.coreGflops}}.dump(
               2)
        << "\n";
    out.close();
    fs::rename(tmp, cachePath, ec);
    if (ec) fs::remove(tmp, ec);
  }
  return p;
}

} // namespace gs::runtime::cpu
