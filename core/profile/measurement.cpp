// The measurement method (see measurement.h): per-run CPU and run-queue accounting from /proc, the
// contention check, stable warm-up, interleaved blocks and the bootstrap interval of the median.
#include "core/profile/measurement.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include <omp.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace gs::profile {
namespace {

using Clock = std::chrono::steady_clock;
double msSince(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

double processCpuMillis() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  const auto mid = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid), v.end());
  const double upper = v[mid];
  if (v.size() % 2) return upper;
  const double lower = *std::max_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid));
  return (lower + upper) / 2;
}

// ---- /proc readers ----

// Per thread of this process: CPU time and time spent runnable but waiting for a CPU (ns), from
// /proc/self/task/<tid>/schedstat ("<cpu ns> <run-queue wait ns> <timeslices>").
struct TaskTimes {
  long tid = 0;
  uint64_t cpuNs = 0, waitNs = 0;
};

// `team` (sorted): read only these threads; empty: every thread of the process.
std::vector<TaskTimes> readTasks(std::span<const long> team = {}) {
  std::vector<TaskTimes> out;
  auto readOne = [&out](const std::filesystem::path& dir, long tid) {
    std::ifstream f(dir / "schedstat");
    TaskTimes t;
    if (!(f >> t.cpuNs >> t.waitNs)) return;
    t.tid = tid;
    out.push_back(t);
  };
  if (!team.empty()) {
    for (long tid : team)
      readOne(std::filesystem::path("/proc/self/task") / std::to_string(tid), tid);
    return out;
  }
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator("/proc/self/task", ec))
    readOne(e.path(), std::strtol(e.path().filename().c_str(), nullptr, 10));
  std::sort(out.begin(), out.end(), [](const TaskTimes& a, const TaskTimes& b) { return a.tid < b.tid; });
  return out;
}

// The threads that run this thread's inferences: the calling thread and its OpenMP team (libgomp
// keeps one pool per calling thread, and oneDNN runs on the same pool), at most `threads` of them
// (0: OpenMP's default). Other threads of the process (the studio's GUI thread, idle job threads)
// are not the measurement's: counting them made the studio's CPU-per-thread figures and its
// "lost the CPU" judgement differ from gearbench's for the same run.
std::vector<long> inferenceTeam(int threads) {
  const int n = threads > 0 ? threads : omp_get_max_threads();
  std::vector<long> ids(static_cast<std::size_t>(std::max(1, n)), 0);
#pragma omp parallel num_threads(std::max(1, n))
  ids[static_cast<std::size_t>(omp_get_thread_num())] = static_cast<long>(syscall(SYS_gettid));
  ids.push_back(static_cast<long>(syscall(SYS_gettid)));
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  ids.erase(std::remove(ids.begin(), ids.end(), 0L), ids.end());
  return ids;
}

struct TaskDelta {
  int threads = 0;   // tasks whose CPU time advanced
  double cpuMs = 0;  // their CPU time
  double waitMs = 0; // their run-queue wait
};

TaskDelta taskDelta(const std::vector<TaskTimes>& before, const std::vector<TaskTimes>& after) {
  TaskDelta d;
  std::size_t j = 0;
  for (const auto& a : after) {
    while (j < before.size() && before[j].tid < a.tid)
      ++j;
    const bool known = j < before.size() && before[j].tid == a.tid;
    const uint64_t cpu0 = known ? before[j].cpuNs : 0, wait0 = known ? before[j].waitNs : 0;
    if (a.cpuNs <= cpu0) continue;
    ++d.threads;
    d.cpuMs += static_cast<double>(a.cpuNs - cpu0) / 1e6;
    d.waitMs += static_cast<double>(a.waitNs >= wait0 ? a.waitNs - wait0 : 0) / 1e6;
  }
  return d;
}

// Threads of this process in state R (running or runnable) now.
int ownRunnable() {
  int n = 0;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator("/proc/self/task", ec)) {
    std::ifstream f(e.path() / "stat");
    std::string line;
    if (!std::getline(f, line)) continue;
    const auto close = line.rfind(')'); // the name may hold spaces and parentheses
    if (close != std::string::npos && close + 2 < line.size() && line[close + 2] == 'R') ++n;
  }
  return n;
}

// Runnable tasks on the machine now (the 4th field of /proc/loadavg, "running/total").
int machineRunnable(double* load1 = nullptr) {
  std::ifstream f("/proc/loadavg");
  double l1 = 0, l5 = 0, l15 = 0;
  std::string rt;
  if (!(f >> l1 >> l5 >> l15 >> rt)) return -1;
  if (load1) *load1 = l1;
  return static_cast<int>(std::strtol(rt.c_str(), nullptr, 10));
}

// Aggregate CPU times from /proc/stat's "cpu" line (user..steal, in clock ticks).
struct CpuTicks {
  uint64_t total = 0, steal = 0;
};
CpuTicks cpuTicks() {
  std::ifstream f("/proc/stat");
  std::string name;
  CpuTicks t;
  if (!(f >> name) || name != "cpu") return t;
  for (int i = 0; i < 8; ++i) {
    uint64_t v = 0;
    if (!(f >> v)) break;
    t.total += v;
    if (i == 7) t.steal = v;
  }
  return t;
}

int onlineCores() {
  const long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? static_cast<int>(n) : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

std::string waitPolicy() {
  const char* p = std::getenv("OMP_WAIT_POLICY");
  return p ? p : "";
}

// Mean number of runnable tasks that are not ours over `samples` readings `gapMs` apart.
double otherRunnable(int samples, int gapMs, double* load1 = nullptr) {
  double sum = 0;
  int n = 0;
  for (int i = 0; i < samples; ++i) {
    if (i) std::this_thread::sleep_for(std::chrono::milliseconds(gapMs));
    const int all = machineRunnable(i == 0 ? load1 : nullptr);
    if (all < 0) continue;
    sum += std::max(0, all - ownRunnable());
    ++n;
  }
  return n ? sum / n : 0;
}

// The contention decision from what was sampled.
void judge(MeasurementInfo& m) {
  m.reasons.clear();
  const int threads = std::max(1, m.threads);
  // Cores our threads leave free; another runnable task beyond them competes with us.
  const double free = std::max(0, m.cores - threads);
  auto fmt1 = [](double v) {
    char b[32];
    std::snprintf(b, sizeof b, "%.1f", v);
    return std::string(b);
  };
  const double other = std::max(m.otherRunnableBefore, m.otherRunnableDuring);
  if (other >= free + 0.5)
    m.reasons.push_back(fmt1(other) + " other runnable task(s) on " + std::to_string(m.cores) + " core(s) while " +
                        std::to_string(threads) + " thread(s) measured");
  if (m.stealPercent >= 2.0) m.reasons.push_back(fmt1(m.stealPercent) + "% CPU steal");
  if (m.runs > 0 && m.preemptedRuns * 10 >= m.runs && m.preemptedRuns > 0)
    m.reasons.push_back(std::to_string(m.preemptedRuns) + " of " + std::to_string(m.runs) +
                        " runs lost the CPU for >= 10% of their time");
  m.contention = !m.reasons.empty();
}

class Throttle {
public:
  Throttle(const Progress& p, double lo, double hi) : m_p(p), m_lo(lo), m_hi(hi) {}
  void operator()(ProgressEvent e, bool force = false) {
    const auto now = Clock::now();
    if (!force && now - m_last < std::chrono::milliseconds(40)) return;
    m_last = now;
    e.fraction = m_lo + (m_hi - m_lo) * std::clamp(e.fraction, 0.0, 1.0);
    m_p(e);
  }

private:
  const Progress& m_p;
  double m_lo, m_hi;
  Clock::time_point m_last{};
};

struct RunCost {
  double wallMs = 0, cpuMs = 0;
  bool preempted = false;
  int threads = 1;
};

// One run with its accounting. /proc is read outside the timed region.
Expected<RunCost> timedRun(MeasureSlot& s, runtime::RunResult& result, bool profile, bool schedstat,
                           std::span<const long> team = {}) {
  runtime::RunOptions ro{s.gear, profile};
  const auto before = schedstat ? readTasks(team) : std::vector<TaskTimes>{};
  const double cpu0 = processCpuMillis();
  const auto t0 = Clock::now();
  GS_RETURN_IF_ERROR(s.session->run(s.inputs, result, ro));
  RunCost c;
  c.wallMs = msSince(t0);
  const double cpu = processCpuMillis() - cpu0;
  if (schedstat) {
    const auto d = taskDelta(before, readTasks(team));
    c.threads = std::max(1, d.threads);
    c.cpuMs = d.threads > 0 ? d.cpuMs / d.threads : cpu;
    // Lost the CPU: the threads that ran waited in the run queue for at least a scheduler time slice
    // in all, and for kPreemptShare of the run per thread. Waking an idle OpenMP worker costs
    // microseconds of queue wait per parallel region; losing the CPU to another task costs a slice.
    c.preempted = d.waitMs >= kPreemptMinMillis && d.waitMs / c.threads >= kPreemptShare * c.wallMs;
  } else {
    c.cpuMs = cpu;
    // Without schedstat: a run whose process got far less CPU than its wall time (one thread assumed).
    c.preempted = cpu < (1 - 2 * kPreemptShare) * c.wallMs;
  }
  return c;
}

bool haveSchedstat() {
  std::ifstream f("/proc/self/schedstat");
  uint64_t a = 0;
  return static_cast<bool>(f >> a);
}

} // namespace

// ---- statistics ----

Interval bootstrapMedianCi(std::span<const double> samples, uint32_t seed, int resamples, double level) {
  if (samples.empty()) return {};
  if (samples.size() == 1) return {samples[0], samples[0]};
  std::mt19937 rng(seed);
  std::uniform_int_distribution<std::size_t> pick(0, samples.size() - 1);
  // Long series: fewer resamples (the interval is narrow anyway), so a million runs stay quick.
  const auto budget = static_cast<int>(20'000'000 / samples.size());
  resamples = std::max(1, std::min(resamples, std::max(200, budget)));
  std::vector<double> medians;
  medians.reserve(static_cast<std::size_t>(resamples));
  std::vector<double> draw(samples.size());
  for (int b = 0; b < resamples; ++b) {
    for (auto& x : draw)
      x = samples[pick(rng)];
    medians.push_back(median(draw));
  }
  std::sort(medians.begin(), medians.end());
  const double alpha = (1 - std::clamp(level, 0.5, 0.999)) / 2;
  auto at = [&](double q) {
    const double pos = q * static_cast<double>(medians.size() - 1);
    const auto i = static_cast<std::size_t>(std::floor(pos));
    const auto j = std::min(i + 1, medians.size() - 1);
    return medians[i] + (medians[j] - medians[i]) * (pos - static_cast<double>(i));
  };
  return {at(alpha), at(1 - alpha)};
}

const char* verdictName(Verdict v) {
  switch (v) {
  case Verdict::Faster:
    return "faster";
  case Verdict::Slower:
    return "slower";
  default:
    return "no measurable difference";
  }
}

Difference compareMedians(double med, Interval ci, double refMed, Interval refCi) {
  Difference d;
  if (refMed <= 0 || med <= 0) return d;
  d.percent = (med / refMed - 1) * 100;
  const bool separate = ci.lo > refCi.hi || ci.hi < refCi.lo;
  if (separate && std::abs(med / refMed - 1) >= kMinEffect)
    d.verdict = med > refMed ? Verdict::Slower : Verdict::Faster;
  return d;
}

std::string differenceText(const Difference& d) {
  if (d.verdict == Verdict::NoDifference) return verdictName(d.verdict);
  char buf[64];
  const double ratio = 1 + d.percent / 100;
  if (d.verdict == Verdict::Slower && ratio >= 2)
    std::snprintf(buf, sizeof buf, "%.1fx slower", ratio);
  else if (d.verdict == Verdict::Faster && ratio > 0 && 1 / ratio >= 2)
    std::snprintf(buf, sizeof buf, "%.1fx faster", 1 / ratio);
  else
    std::snprintf(buf, sizeof buf, "%.0f%% %s", std::abs(d.percent), verdictName(d.verdict));
  return buf;
}

std::string contentionWarning(const MeasurementInfo& m) {
  if (!m.contention) return {};
  std::string s = "Other work competed for the CPU while measuring (";
  for (std::size_t i = 0; i < m.reasons.size(); ++i)
    s += (i ? "; " : "") + m.reasons[i];
  s += "): latencies may be inflated and differences are judged only by their confidence intervals.";
  return s;
}

void mergeInfo(MeasurementInfo& into, const MeasurementInfo& from) {
  into.runs += from.runs;
  into.preemptedRuns += from.preemptedRuns;
  into.cores = std::max(into.cores, from.cores);
  into.threads = std::max(into.threads, from.threads);
  into.otherRunnableBefore = std::max(into.otherRunnableBefore, from.otherRunnableBefore);
  into.otherRunnableDuring = std::max(into.otherRunnableDuring, from.otherRunnableDuring);
  into.loadAverage = std::max(into.loadAverage, from.loadAverage);
  into.stealPercent = std::max(into.stealPercent, from.stealPercent);
  if (into.ompWaitPolicy.empty()) into.ompWaitPolicy = from.ompWaitPolicy;
  into.cpuPerWall = from.cpuPerWall > 0 ? from.cpuPerWall : into.cpuPerWall;
  judge(into);
  into.contention = into.contention || from.contention;
  for (const auto& r : from.reasons)
    if (std::find(into.reasons.begin(), into.reasons.end(), r) == into.reasons.end()) into.reasons.push_back(r);
}

MeasurementInfo sampleMachine(int samples) {
  MeasurementInfo m;
  m.cores = onlineCores();
  m.threads = 1;
  m.ompWaitPolicy = waitPolicy();
  m.otherRunnableBefore = otherRunnable(std::max(1, samples), 5, &m.loadAverage);
  judge(m);
  return m;
}

// ---- measuring ----

Status warmUp(MeasureSlot& slot, const MeasureOptions& options, SlotResult& r, const Progress& progress) {
  const bool sched = haveSchedstat();
  const auto team = sched ? inferenceTeam(slot.session->options().threads) : std::vector<long>{};
  GS_ASSIGN_OR_RETURN(auto first, timedRun(slot, r.last, false, sched, team));
  r.firstMillis = first.wallMs;
  r.warmupRuns = 0;
  r.warmupStable = false;
  if (options.warmup <= 0) return {};
  const auto start = Clock::now();
  // Windows of `w` runs; stable when a window's median is within 5% of the previous one's. Bounded:
  // at most 4x the requested runs (and 20 more) and maxWarmupMillis of wall time.
  const int w = std::max(3, std::min(options.warmup, 10));
  const int maxRuns = options.warmup * 4 + 20;
  std::vector<double> window;
  double previous = -1;
  while (true) {
    if (progress.cancelled()) return makeError(codes::kCancelled, "cancelled during warm-up");
    GS_ASSIGN_OR_RETURN(auto c, timedRun(slot, r.last, false, false));
    ++r.warmupRuns;
    window.push_back(c.wallMs);
    if (static_cast<int>(window.size()) == w) {
      const double m = median(window);
      window.clear();
      if (previous > 0 && std::abs(m - previous) <= 0.05 * previous) r.warmupStable = true;
      previous = m;
    }
    if (r.warmupRuns >= options.warmup && r.warmupStable) break;
    if (r.warmupRuns >= maxRuns || (r.warmupRuns >= options.warmup && msSince(start) > options.maxWarmupMillis)) break;
  }
  return {};
}

Expected<Measurement> measureInterleaved(std::span<MeasureSlot> slots, std::vector<SlotResult> results,
                                         const MeasureOptions& options, const Progress& progress, double lo,
                                         double hi) {
  if (options.loops < 1) return makeError(codes::kInvalid, "measure: loops must be at least 1");
  Measurement m;
  results.resize(slots.size());
  m.results = std::move(results);
  auto& info = m.info;
  info.cores = onlineCores();
  info.ompWaitPolicy = waitPolicy();
  info.otherRunnableBefore = otherRunnable(6, 5, &info.loadAverage);
  const bool sched = haveSchedstat();
  int teamThreads = 0;
  for (const auto& slot : slots) {
    const int t = slot.session->options().threads;
    teamThreads = t <= 0 || teamThreads < 0 ? -1 : std::max(teamThreads, t);
  }
  const auto team = sched ? inferenceTeam(std::max(teamThreads, 0)) : std::vector<long>{};
  const int loops = options.loops;
  const int block = options.blockSize > 0 ? options.blockSize : std::clamp(loops / 10, 1, 20);
  const std::size_t k = slots.size();
  for (std::size_t i = 0; i < k; ++i) {
    m.results[i].wallMillis.reserve(static_cast<std::size_t>(loops));
    m.results[i].cpuMillis.reserve(static_cast<std::size_t>(loops));
    m.results[i].preempted.reserve(static_cast<std::size_t>(loops));
  }
  // A slot measured after others ran has cold caches again: one untimed run each before the rounds.
  for (std::size_t i = 0; i < k; ++i) {
    if (progress.cancelled()) {
      m.cancelled = true;
      return m;
    }
    GS_RETURN_IF_ERROR(slots[i].session->run(slots[i].inputs, m.results[i].last, runtime::RunOptions{slots[i].gear}));
  }
  Throttle report(progress, lo, hi);
  const auto ticks0 = cpuTicks();
  double otherSum = 0;
  int otherSamples = 0;
  double cpuShare = 0;
  const double total = static_cast<double>(loops) * static_cast<double>(std::max<std::size_t>(k, 1));
  int done = 0;
  for (int round = 0; done < loops * static_cast<int>(k); ++round) {
    for (std::size_t step = 0; step < k; ++step) {
      const std::size_t i = (static_cast<std::size_t>(round) + step) % k;
      auto& r = m.results[i];
      const int want = std::min(block, loops - static_cast<int>(r.wallMillis.size()));
      for (int b = 0; b < want; ++b) {
        if (progress.cancelled()) {
          m.cancelled = true;
          return m;
        }
        GS_ASSIGN_OR_RETURN(auto c, timedRun(slots[i], r.last, options.profileOps, sched, team));
        r.wallMillis.push_back(c.wallMs);
        r.cpuMillis.push_back(c.cpuMs);
        r.preempted.push_back(c.preempted ? 1 : 0);
        r.sequence.push_back(done);
        r.preemptedRuns += c.preempted ? 1 : 0;
        info.threads = std::max(info.threads, c.threads);
        if (c.wallMs > 0) cpuShare += std::min(1.0, c.cpuMs / c.wallMs);
        if (options.profileOps) r.ops.add(r.last.opTimes);
        ++done;
        ProgressEvent e;
        e.fraction = done / total;
        e.what = slots[i].name + ": run " + std::to_string(r.wallMillis.size()) + "/" + std::to_string(loops);
        e.stage = "measure";
        e.gear = slots[i].progressGear;
        e.gearCount = static_cast<int>(k);
        e.run = static_cast<int>(r.wallMillis.size());
        e.runs = loops;
        report(e);
      }
    }
    // Between rounds: who else wants the CPU.
    const int all = machineRunnable();
    if (all >= 0) {
      otherSum += std::max(0, all - ownRunnable());
      ++otherSamples;
    }
  }
  const auto ticks1 = cpuTicks();
  info.otherRunnableDuring = otherSamples ? otherSum / otherSamples : 0;
  if (ticks1.total > ticks0.total)
    info.stealPercent =
        100.0 * static_cast<double>(ticks1.steal - ticks0.steal) / static_cast<double>(ticks1.total - ticks0.total);
  for (std::size_t i = 0; i < k; ++i) {
    auto& r = m.results[i];
    r.latency = runtime::latencyStats(r.wallMillis);
    r.medianCi = bootstrapMedianCi(r.wallMillis, options.seed);
    r.cpuMedianMillis = median(r.cpuMillis);
    info.runs += static_cast<int>(r.wallMillis.size());
    info.preemptedRuns += r.preemptedRuns;
  }
  info.cpuPerWall = info.runs ? cpuShare / info.runs : 0;
  judge(info);
  ProgressEvent end;
  end.fraction = 1.0;
  end.what = "measured";
  end.stage = "measure";
  report(end, true);
  return m;
}

} // namespace gs::profile
