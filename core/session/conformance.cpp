// Conformance runner: one case in-process (runCase) and many in forked, time-limited children.
#include "core/session/conformance.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>

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

#include "core/compiler/onnx/importer.h"
#include "core/om/om_file.h"
#include "core/runtime/device.h"
#include "core/runtime/node_exec.h"
#include "core/runtime/session.h"
#include "core/session/compile_onnx.h"

namespace fs = std::filesystem;

namespace gs::session {
namespace {

struct Outcome {
  CaseStatus status;
  std::string reason;
};
Outcome passed() { return {CaseStatus::Passed, {}}; }
Outcome failed(std::string r) { return {CaseStatus::Failed, std::move(r)}; }
Outcome skipped(std::string r) { return {CaseStatus::Skipped, std::move(r)}; }

std::string typesStr(std::span<const ir::DataType> types) {
  std::string s;
  for (auto t : types) {
    s += s.empty() ? "" : ", ";
    s += t == ir::DataType::Undefined ? std::string_view("-") : ir::dtypeName(t);
  }
  return s;
}

std::string opName(const ir::Node& n) { return (n.domain.empty() ? "" : n.domain + ".") + n.opType; }

bool deviceHasOp(const runtime::Device& d, const ir::Node& n) {
  static thread_local std::set<std::pair<std::string, std::string>> ops;
  if (ops.empty())
    for (const auto& o : d.supportedOps())
      ops.emplace(o.domain, o.opType);
  const std::string domain = n.domain == "ai.onnx" ? "" : n.domain;
  return ops.count({domain, n.opType}) != 0;
}

// The first op (or op + input types, when checkTypes) the device cannot run, searching bodies too.
std::optional<std::string> unsupported(const runtime::Device& d, const ir::Graph& g, bool checkTypes) {
  for (const auto& n : g.nodes) {
    if (!deviceHasOp(d, n)) return "op " + opName(n) + " is not supported by device " + std::string(d.name());
    if (checkTypes) {
      const auto types = runtime::graphInputTypes(g, n);
      // Omitted optional inputs are Undefined by design; a present input of unknown type cannot be judged.
      bool known = true;
      for (std::size_t i = 0; i < types.size(); ++i)
        known = known && (n.inputs[i] == ir::kNone || types[i] != ir::DataType::Undefined);
      if (known && !d.supports(n, types))
        return "op " + opName(n) + " with input types [" + typesStr(types) + "] is not supported by device " +
               std::string(d.name());
    }
    for (const auto& [k, a] : n.attrs) {
      if (a.g)
        if (auto r = unsupported(d, *a.g, false)) return r;
      for (const auto& sg : a.graphs)
        if (sg)
          if (auto r = unsupported(d, *sg, false)) return r;
    }
  }
  return std::nullopt;
}

float halfToFloat(uint16_t h) {
  const uint32_t sign = (h & 0x8000u) << 16;
  uint32_t exp = (h >> 10) & 0x1f;
  uint32_t mant = h & 0x3ff;
  uint32_t bits;
  if (exp == 0) {
    if (mant == 0) {
      bits = sign;
    } else { // subnormal
      exp = 127 - 15 + 1;
      while (!(mant & 0x400)) {
        mant <<= 1;
        --exp;
      }
      mant &= 0x3ff;
      bits = sign | (exp << 23) | (mant << 13);
    }
  } else if (exp == 31) {
    bits = sign | 0x7f800000u | (mant << 13);
  } else {
    bits = sign | ((exp + 127 - 15) << 23) | (mant << 13);
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

double readFloat(const std::byte* p, ir::DataType t, std::size_t i) {
  switch (t) {
  case ir::DataType::Float32: {
    float v;
    std::memcpy(&v, p + i * 4, 4);
    return v;
  }
  case ir::DataType::Float64: {
    double v;
    std::memcpy(&v, p + i * 8, 8);
    return v;
  }
  case ir::DataType::Float16: {
    uint16_t h;
    std::memcpy(&h, p + i * 2, 2);
    return halfToFloat(h);
  }
  case ir::DataType::BFloat16: {
    uint16_t h;
    std::memcpy(&h, p + i * 2, 2);
    const uint32_t bits = uint32_t{h} << 16;
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
  }
  default:
    return 0;
  }
}

bool isFloat(ir::DataType t) {
  return t == ir::DataType::Float32 || t == ir::DataType::Float64 || t == ir::DataType::Float16 ||
         t == ir::DataType::BFloat16;
}

std::optional<std::string> compare(const runtime::HostTensor& got, const ir::Tensor& wantIn, double rtol, double atol) {
  ir::Tensor want = wantIn;
  // The backend tests store bfloat16 data as uint16 (numpy has no bfloat16): same bits.
  if (want.dtype == ir::DataType::UInt16 && got.dtype() == ir::DataType::BFloat16) want.dtype = ir::DataType::BFloat16;
  if (got.dtype() != want.dtype)
    return "dtype " + std::string(ir::dtypeName(got.dtype())) + ", expected " + std::string(ir::dtypeName(want.dtype));
  if (got.dims() != want.dims)
    return "shape [" + ir::joinDims(got.dims()) + "], expected [" + ir::joinDims(want.dims) + "]";
  const auto n = static_cast<std::size_t>(got.numel());
  const auto* g = static_cast<const std::byte*>(got.data());
  const auto* w = want.data();
  std::size_t bad = 0, firstBad = 0;
  double worst = 0;
  std::size_t worstAt = 0;
  if (isFloat(got.dtype())) {
    for (std::size_t i = 0; i < n; ++i) {
      const double a = readFloat(g, got.dtype(), i), b = readFloat(w, want.dtype, i);
      if (std::isnan(a) && std::isnan(b)) continue;
      if (std::isinf(a) || std::isinf(b)) {
        if (a == b) continue;
      } else if (std::abs(a - b) <= atol + rtol * std::abs(b)) {
        continue;
      }
      if (!bad) firstBad = i;
      ++bad;
      const double d = std::isnan(a - b) ? INFINITY : std::abs(a - b);
      if (d >= worst) {
        worst = d;
        worstAt = i;
      }
    }
    if (bad)
      return std::to_string(bad) + "/" + std::to_string(n) + " elements differ; worst at " + std::to_string(worstAt) +
             ": got " + std::to_string(readFloat(g, got.dtype(), worstAt)) + ", expected " +
             std::to_string(readFloat(w, want.dtype, worstAt));
    return std::nullopt;
  }
  const std::size_t es = ir::dtypeSize(got.dtype());
  if (es == 0) return "dtype " + std::string(ir::dtypeName(got.dtype())) + " cannot be compared";
  for (std::size_t i = 0; i < n; ++i)
    if (std::memcmp(g + i * es, w + i * es, es) != 0) {
      if (!bad) firstBad = i;
      ++bad;
    }
  if (bad) {
    auto gv = ir::Tensor::fromBytes(got.dtype(), got.dims(), std::string(reinterpret_cast<const char*>(g), n * es))
                  .toVector<double>();
    auto wv = want.toVector<double>();
    return std::to_string(bad) + "/" + std::to_string(n) + " elements differ; first at " + std::to_string(firstBad) +
           ": got " + std::to_string(gv.empty() ? 0 : gv[firstBad]) + ", expected " +
           std::to_string(wv.empty() ? 0 : wv[firstBad]);
  }
  return std::nullopt;
}

std::vector<fs::path> numbered(const fs::path& dir, const std::string& prefix) {
  std::vector<std::pair<int, fs::path>> found;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const auto name = e.path().filename().string();
    if (name.rfind(prefix, 0) != 0 || e.path().extension() != ".pb") continue;
    try {
      found.emplace_back(std::stoi(name.substr(prefix.size())), e.path());
    } catch (...) {}
  }
  std::sort(found.begin(), found.end());
  std::vector<fs::path> out;
  for (auto& [i, p] : found)
    out.push_back(p);
  return out;
}

struct DataSet {
  std::vector<ir::Tensor> inputs;
  std::vector<std::string> inputNames;
  std::vector<ir::Tensor> outputs;
};

Expected<DataSet> readDataSet(const fs::path& dir) {
  DataSet ds;
  for (const auto& p : numbered(dir, "input_")) {
    std::string name;
    GS_ASSIGN_OR_RETURN(auto t, onnx_import::tensorFromProtoFile(p.string(), &name));
    ds.inputs.push_back(std::move(t));
    ds.inputNames.push_back(std::move(name));
  }
  for (const auto& p : numbered(dir, "output_")) {
    GS_ASSIGN_OR_RETURN(auto t, onnx_import::tensorFromProtoFile(p.string()));
    ds.outputs.push_back(std::move(t));
  }
  return ds;
}

Outcome runCaseImpl(const std::string& caseDir, const ConformanceOptions& opt) {
  const runtime::Device* device = runtime::findDevice(opt.device);
  if (!device) return failed("unknown device '" + opt.device + "'");
  const std::string modelPath = (fs::path(caseDir) / "model.onnx").string();
  auto model = onnx_import::importModel(modelPath);
  if (!model) {
    // The importer rejects non-tensor types (sequence, map, optional) with kUnsupported: a type outside
    // the supported set.
    if (model.error().code == codes::kUnsupported) return skipped("import: " + model.error().message);
    return failed("import: " + model.error().str());
  }
  const auto& graph = model->graph;

  std::vector<fs::path> sets;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(caseDir, ec))
    if (e.is_directory() && e.path().filename().string().rfind("test_data_set_", 0) == 0) sets.push_back(e.path());
  std::sort(sets.begin(), sets.end());
  if (sets.empty()) return failed("no test_data_set_* folder");

  std::map<std::string, std::shared_ptr<const om::Model>> compiled; // by --input_shape
  for (const auto& set : sets) {
    auto ds = readDataSet(set);
    if (!ds) {
      if (ds.error().code == codes::kUnsupported) return skipped(ds.error().message);
      return failed("test data: " + ds.error().str());
    }
    if (ds->inputs.size() != graph.inputs.size())
      return failed(std::to_string(ds->inputs.size()) + " input files for " + std::to_string(graph.inputs.size()) +
                    " graph inputs");
    // Bind by name when every file names a graph input, else by position.
    std::vector<std::size_t> slot(ds->inputs.size());
    bool byName = true;
    for (std::size_t i = 0; i < ds->inputs.size() && byName; ++i) {
      const auto id = graph.findValue(ds->inputNames[i]);
      const auto it = std::find(graph.inputs.begin(), graph.inputs.end(), id);
      byName = id != ir::kNone && it != graph.inputs.end();
      if (byName) slot[i] = static_cast<std::size_t>(it - graph.inputs.begin());
    }
    if (!byName)
      for (std::size_t i = 0; i < slot.size(); ++i)
        slot[i] = i;
    std::vector<const ir::Tensor*> ordered(graph.inputs.size());
    for (std::size_t i = 0; i < slot.size(); ++i)
      ordered[slot[i]] = &ds->inputs[i];

    std::string inputShape;
    for (std::size_t i = 0; i < ordered.size(); ++i) {
      const auto& v = graph.values[static_cast<std::size_t>(graph.inputs[i])];
      if (ir::dtypeSize(ordered[i]->dtype) == 0)
        return skipped("input '" + v.name + "' has dtype " + std::string(ir::dtypeName(ordered[i]->dtype)) +
                       ", which is not supported");
      inputShape += (i ? ";" : "");
      inputShape.append(v.name + ":" + ir::joinDims(ordered[i]->dims));
    }
    auto& om = compiled[inputShape];
    if (!om) {
      shape_config::AtcOptions atc;
      (void)shape_config::setOption(atc, "model", modelPath);
      (void)shape_config::setOption(atc, "framework", "5");
      if (!inputShape.empty()) {
        auto st = shape_config::setOption(atc, "input_shape", inputShape);
        if (!st) return failed("input shape: " + st.error().str());
      }
      auto m = compileModel(*model, atc);
      if (!m) {
        if (auto why = unsupported(*device, graph, false)) return skipped(*why);
        return failed("compile: " + m.error().str());
      }
      for (const auto& gear : m->gears)
        if (auto why = unsupported(*device, gear.graph, true)) return skipped(*why);
      // Through the file format, as a model from gearatc would come.
      auto bytes = om::serialize(*m);
      if (!bytes) return failed("om serialize: " + bytes.error().str());
      auto back = om::deserialize(std::make_shared<ir::StringBuffer>(std::move(*bytes)));
      if (!back) return failed("om read: " + back.error().str());
      om = std::make_shared<const om::Model>(std::move(*back));
    }
    auto session = runtime::Session::create(om, runtime::SessionOptions{opt.device, opt.threads});
    if (!session) return failed("load: " + session.error().str());
    std::vector<runtime::HostTensor> inputs;
    for (std::size_t i = 0; i < ordered.size(); ++i) {
      ir::Tensor t = *ordered[i];
      const auto want = graph.values[static_cast<std::size_t>(graph.inputs[i])].dtype;
      if (t.dtype == ir::DataType::UInt16 && want == ir::DataType::BFloat16) t.dtype = want; // see compare()
      inputs.push_back(runtime::HostTensor::fromIr(t));
    }
    auto result = (*session)->run(inputs);
    if (!result) return failed("run: " + result.error().str());
    if (result->outputs.size() < ds->outputs.size())
      return failed(std::to_string(result->outputs.size()) + " outputs, expected " +
                    std::to_string(ds->outputs.size()));
    for (std::size_t i = 0; i < ds->outputs.size(); ++i) {
      if (auto diff = compare(result->outputs[i], ds->outputs[i], opt.rtol, opt.atol)) {
        const auto& name = graph.values[static_cast<std::size_t>(graph.outputs[i])].name;
        return failed(set.filename().string() + ": output " + std::to_string(i) + " '" + name + "': " + *diff);
      }
    }
  }
  return passed();
}

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

const char* caseStatusName(CaseStatus s) {
  switch (s) {
  case CaseStatus::Passed:
    return "passed";
  case CaseStatus::Skipped:
    return "skipped";
  case CaseStatus::Failed:
    break;
  }
  return "failed";
}

std::vector<std::string> findCases(const std::string& dir) {
  std::vector<std::string> out;
  std::function<void(const fs::path&, int)> walk = [&](const fs::path& d, int depth) {
    std::error_code ec;
    if (fs::exists(d / "model.onnx", ec)) {
      out.push_back(d.string());
      return;
    }
    if (depth >= 3) return;
    for (const auto& e : fs::directory_iterator(d, ec))
      if (e.is_directory(ec)) walk(e.path(), depth + 1);
  };
  walk(fs::path(dir), 0);
  std::sort(out.begin(), out.end());
  return out;
}

CaseResult runCase(const std::string& caseDir, const ConformanceOptions& options) {
  const auto t0 = std::chrono::steady_clock::now();
  CaseResult r;
  r.path = caseDir;
  r.name = fs::path(caseDir).filename().string();
  Outcome o = failed("unknown");
  try {
    o = runCaseImpl(caseDir, options);
  } catch (const std::exception& e) {
    o = failed(std::string("exception: ") + e.what());
  }
  r.status = o.status;
  r.reason = std::move(o.reason);
  r.millis = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  return r;
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
