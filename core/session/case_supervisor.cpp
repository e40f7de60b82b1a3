// The process supervisor of the conformance runner: each case runs in a forked child with a time
// limit and captured output; a signal, an exit without a result or a sanitizer report makes the case
// `crashed` (see conformance.h). What a case does is the case runner's (conformance.cpp).
#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>

#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define GS_LEAK_CHECK 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(leak_sanitizer)
#define GS_LEAK_CHECK 1
#endif
#endif
#ifdef GS_LEAK_CHECK
#include <sanitizer/lsan_interface.h>
#endif

#include "core/session/conformance.h"

namespace fs = std::filesystem;

namespace gs::session {
namespace {

std::string signalName(int sig) {
  const char* s = strsignal(sig);
  return std::string(s ? s : "signal") + " (" + std::to_string(sig) + ")";
}

// How the sanitizers start a report (the last two: a sanitizer that failed itself, e.g. LeakSanitizer
// without ptrace permission, must not pass for a clean run).
constexpr const char* kSanitizerMarkers[] = {"ERROR: AddressSanitizer",  "ERROR: LeakSanitizer",
                                             "runtime error:",           "WARNING: ThreadSanitizer",
                                             "WARNING: MemorySanitizer", "Sanitizer has encountered a fatal error",
                                             "Sanitizer CHECK failed"};

struct Running {
  pid_t pid = -1;
  int fd = -1;    // the result pipe
  int logFd = -1; // the child's stdout + stderr (a memory file), -1 when not captured
  std::size_t index = 0;
  std::chrono::steady_clock::time_point start;
  std::string data;
};

// The child's whole output, or its last part when it is very long (a case logging in a loop).
std::string readLog(int fd) {
  struct stat st {};
  if (fd < 0 || ::fstat(fd, &st) != 0 || st.st_size <= 0) return {};
  constexpr off_t kMax = 4 << 20;
  const off_t from = st.st_size > kMax ? st.st_size - kMax : 0;
  std::string s(static_cast<std::size_t>(st.st_size - from), '\0');
  std::size_t got = 0;
  while (got < s.size()) {
    const auto n = ::pread(fd, s.data() + got, s.size() - got, from + static_cast<off_t>(got));
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  s.resize(got);
  return s;
}

// The part of a crashed child's log worth showing: from its first sanitizer report on (the report's
// header and stack), else the tail (an assertion message, a terminate() text).
std::string logExcerpt(const std::string& log) {
  constexpr std::size_t kKeep = 8000, kTail = 4000;
  std::size_t at = std::string::npos;
  for (const char* marker : kSanitizerMarkers)
    at = std::min(at, log.find(marker));
  if (at != std::string::npos) {
    const auto nl = log.rfind('\n', at);
    return log.substr(nl == std::string::npos ? 0 : nl + 1, kKeep);
  }
  return log.size() > kTail ? log.substr(log.size() - kTail) : log;
}

// Runs LeakSanitizer's check in a sanitizer build (the child leaves with _exit(), which skips the
// check that normally runs at exit); the report goes to the captured stderr. True when it found leaks.
bool childLeakCheck() {
#ifdef GS_LEAK_CHECK
  return __lsan_do_recoverable_leak_check() != 0;
#else
  return false;
#endif
}

// Whether this process runs one thread. Only then is a forked child's leak check sound: memory that
// the parent's other threads hold (stacks, thread-local data: OpenMP workers, a GLib event thread)
// is not reachable in the child and would be reported as leaked.
bool singleThreaded() {
  std::error_code ec;
  std::size_t n = 0;
  for (auto it = fs::directory_iterator("/proc/self/task", ec); !ec && it != fs::directory_iterator(); it.increment(ec))
    ++n;
  return n == 1;
}

void writeAll(int fd, const std::string& s) {
  std::size_t off = 0;
  while (off < s.size()) {
    const auto n = ::write(fd, s.data() + off, s.size() - off);
    if (n <= 0) return;
    off += static_cast<std::size_t>(n);
  }
}

CaseResult finish(Running& r, const std::string& path, bool timedOut, double timeoutSeconds) {
  CaseResult c;
  c.path = path;
  c.name = fs::path(path).filename().string();
  c.millis = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - r.start).count();
  int status = 0;
  if (timedOut) {
    ::kill(r.pid, SIGKILL);
    ::waitpid(r.pid, &status, 0);
    c.status = CaseStatus::Failed;
    c.reason = "timed out after " + std::to_string(static_cast<int>(timeoutSeconds)) + " s";
  } else {
    ::waitpid(r.pid, &status, 0);
    if (!r.data.empty() && (r.data[0] == 'P' || r.data[0] == 'F' || r.data[0] == 'S')) {
      c.status = r.data[0] == 'P' ? CaseStatus::Passed : r.data[0] == 'S' ? CaseStatus::Skipped : CaseStatus::Failed;
      c.reason = r.data.substr(1);
    } else if (WIFSIGNALED(status)) {
      c.status = CaseStatus::Failed;
      c.crashed = true;
      c.reason = "crashed: " + signalName(WTERMSIG(status));
    } else {
      c.status = CaseStatus::Failed;
      c.crashed = true;
      c.reason = "crashed: child exited with code " + std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) +
                 " without a result";
    }
    // A sanitizer report makes the case a crash even when the child went on and gave a result
    // (UBSan without halt_on_error, a leak found after the case passed).
    const std::string log = readLog(r.logFd);
    if (const auto report = sanitizerReport(log); !report.empty()) {
      const std::string caseReason = c.status == CaseStatus::Passed ? "" : c.reason;
      c.status = CaseStatus::Failed;
      c.crashed = true;
      c.reason = "sanitizer: " + report + (caseReason.empty() ? "" : " [" + caseReason + "]");
    }
    if (c.crashed) c.log = logExcerpt(log);
  }
  ::close(r.fd);
  if (r.logFd >= 0) ::close(r.logFd);
  return c;
}

} // namespace

std::string sanitizerReport(const std::string& log) {
  std::size_t at = std::string::npos;
  for (const char* marker : kSanitizerMarkers)
    at = std::min(at, log.find(marker));
  if (at == std::string::npos) return {};
  const auto nl = log.rfind('\n', at);
  const std::size_t begin = nl == std::string::npos ? 0 : nl + 1;
  std::string line = log.substr(begin, log.find('\n', at) - begin);
  // "==1234==ERROR: AddressSanitizer: ..." -> "AddressSanitizer: ..."
  if (line.rfind("==", 0) == 0)
    if (const auto e = line.find("ERROR: "); e != std::string::npos) line.erase(0, e + 7);
  return line;
}

ConformanceReport runConformance(std::span<const std::string> caseDirs, const ConformanceOptions& options) {
  ConformanceReport report;
  report.cases.resize(caseDirs.size());
  std::vector<Running> running;
  std::size_t next = 0, done = 0;
  const int jobs = std::max(1, options.jobs);
  const auto limit = std::chrono::duration<double>(options.timeoutSeconds);
  const bool leakCheck = singleThreaded();

  auto record = [&](CaseResult c, std::size_t index) {
    ++done;
    if (options.onCase) options.onCase(c, done, caseDirs.size());
    report.cases[index] = std::move(c);
  };

  while (next < caseDirs.size() || !running.empty()) {
    while (next < caseDirs.size() && static_cast<int>(running.size()) < jobs) {
      int fds[2];
      // The child's output goes to a memory file (no pipe to drain, no size limit while it runs).
      const int logFd = options.quietChildren ? ::memfd_create("gs-conformance-case", MFD_CLOEXEC) : -1;
      if (::pipe(fds) != 0) {
        if (logFd >= 0) ::close(logFd);
        CaseResult c{fs::path(caseDirs[next]).filename().string(), caseDirs[next], CaseStatus::Failed, "pipe() failed",
                     0};
        record(std::move(c), next++);
        continue;
      }
      const pid_t pid = ::fork();
      if (pid == 0) {
        ::close(fds[0]);
        if (options.quietChildren) {
          const int sink = logFd >= 0 ? logFd : ::open("/dev/null", O_WRONLY);
          if (sink >= 0) {
            ::dup2(sink, 1);
            ::dup2(sink, 2);
          }
        }
        auto r = options.runOne ? options.runOne(caseDirs[next]) : runCase(caseDirs[next], options);
        if (leakCheck && childLeakCheck() && r.status != CaseStatus::Failed) {
          r.status = CaseStatus::Failed;
          r.reason = "memory leaked (LeakSanitizer)";
        }
        std::fflush(nullptr); // buffered stdout reaches the log before _exit
        const char tag = r.status == CaseStatus::Passed ? 'P' : r.status == CaseStatus::Skipped ? 'S' : 'F';
        writeAll(fds[1], std::string(1, tag) + r.reason);
        ::close(fds[1]);
        ::_exit(0);
      }
      ::close(fds[1]);
      if (pid < 0) {
        ::close(fds[0]);
        if (logFd >= 0) ::close(logFd);
        CaseResult c{fs::path(caseDirs[next]).filename().string(), caseDirs[next], CaseStatus::Failed, "fork() failed",
                     0};
        record(std::move(c), next++);
        continue;
      }
      running.push_back(Running{pid, fds[0], logFd, next++, std::chrono::steady_clock::now(), {}});
    }
    if (running.empty()) continue;

    // Wait for output, EOF or the nearest deadline.
    const auto now = std::chrono::steady_clock::now();
    double waitMs = 1e9;
    for (const auto& r : running)
      waitMs = std::min(waitMs, std::chrono::duration<double, std::milli>(r.start + limit - now).count());
    std::vector<pollfd> pfds;
    for (const auto& r : running)
      pfds.push_back(pollfd{r.fd, POLLIN, 0});
    ::poll(pfds.data(), pfds.size(), static_cast<int>(std::clamp(waitMs, 0.0, 1000.0)) + 1);

    for (std::size_t i = 0; i < running.size();) {
      auto& r = running[i];
      bool finished = false, timedOut = false;
      if (pfds[i].revents & (POLLIN | POLLHUP | POLLERR)) {
        char buf[4096];
        const auto n = ::read(r.fd, buf, sizeof buf);
        if (n > 0)
          r.data.append(buf, static_cast<std::size_t>(n));
        else
          finished = true;
      }
      if (!finished && std::chrono::steady_clock::now() - r.start > limit) finished = timedOut = true;
      if (finished) {
        record(finish(r, caseDirs[r.index], timedOut, options.timeoutSeconds), r.index);
        running.erase(running.begin() + static_cast<std::ptrdiff_t>(i));
        pfds.erase(pfds.begin() + static_cast<std::ptrdiff_t>(i));
      } else {
        ++i;
      }
    }
  }
  for (const auto& c : report.cases) {
    if (c.status == CaseStatus::Passed) ++report.passed;
    if (c.status == CaseStatus::Failed) ++report.failed;
    if (c.status == CaseStatus::Skipped) ++report.skipped;
    if (c.crashed) ++report.crashed;
  }
  return report;
}

} // namespace gs::session
