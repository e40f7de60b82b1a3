// The ONNX backend-test conformance runner: for each case folder (model.onnx + test_data_set_*/
// input_*.pb, output_*.pb) it imports the model, takes static shapes from the input files, compiles,
// round-trips through the .om format, runs on a device and compares (rtol/atol, NaN == NaN, dtype
// and shape must match). A case is skipped ONLY when an op or dtype is outside the device's
// supported set (the reason names it); everything else that goes wrong is a failure with a reason.
// runConformance() runs each case in a forked child with a time limit, so a crash or a hang in one
// case is reported as that case's failure and never stops the run. A crash (a signal, an exit without
// a result) or a sanitizer report printed by the child (AddressSanitizer, UBSan, LeakSanitizer: in a
// sanitizer build the child runs a leak check before it exits, when the calling process is
// single-threaded as gearbench is) marks the case `crashed` and keeps the tail of the child's output,
// so such findings are never counted as an ordinary failure or a pass.
#pragma once

#include <functional>
#include <span>
#include <string>
#include <vector>

namespace gs::session {

enum class CaseStatus { Passed, Failed, Skipped };
const char* caseStatusName(CaseStatus s); // "passed" / "failed" / "skipped"

struct CaseResult {
  std::string name; // folder name ("test_abs")
  std::string path;
  CaseStatus status = CaseStatus::Failed;
  std::string reason;   // empty when passed
  double millis = 0;    // wall time of the case
  bool crashed = false; // a signal, an exit without a result or a sanitizer report (status is Failed)
  std::string log;      // the tail of the child's stdout + stderr, kept for crashed cases only
};

struct ConformanceOptions {
  std::string device = "cpu";
  double rtol = 1e-3;
  double atol = 1e-5;
  double timeoutSeconds = 20; // per case
  int jobs = 1;               // cases run at the same time (children)
  int threads = 1;            // OpenMP threads per case
  bool quietChildren = true;  // capture the children's stdout/stderr (tail kept for crashed cases)
                              // instead of letting them write to the terminal
  // Called in the parent after each case (progress bars, streaming output).
  std::function<void(const CaseResult&, std::size_t done, std::size_t total)> onCase;
  // Runs one case inside the child; empty means runCase(caseDir, options). Callers may wrap runCase
  // (extra checks in the child) or replace it in tests of the runner itself.
  std::function<CaseResult(const std::string& caseDir)> runOne;
};

struct ConformanceReport {
  std::vector<CaseResult> cases; // in the order of the given folders
  std::size_t passed = 0, failed = 0, skipped = 0;
  std::size_t crashed = 0; // failures that are crashes or sanitizer reports (counted in `failed` too)
};

// The first line of `log` that is a sanitizer report (AddressSanitizer, LeakSanitizer, UBSan's
// "runtime error:", ThreadSanitizer, MemorySanitizer, or a sanitizer's own fatal error), or empty.
std::string sanitizerReport(const std::string& log);

// Case folders (holding model.onnx) at or below `dir`, sorted by path; a case's own subfolders are
// not searched. Up to three levels deep.
std::vector<std::string> findCases(const std::string& dir);

// Runs one case in this process.
CaseResult runCase(const std::string& caseDir, const ConformanceOptions& options);

// Runs every case in a forked child (up to options.jobs at a time) with options.timeoutSeconds each.
ConformanceReport runConformance(std::span<const std::string> caseDirs, const ConformanceOptions& options);

} // namespace gs::session
