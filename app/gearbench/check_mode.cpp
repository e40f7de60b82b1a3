// Conformance over ONNX backend cases, and the list of supported ops.
#include "app/gearbench/check_mode.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include <nlohmann/json.hpp>
#include <unistd.h>

#include "core/runtime/device.h"
#include "core/session/conformance.h"

namespace gs::gearbench {
namespace {

double nowSeconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

bool writeJson(const std::string& path, const nlohmann::json& j, std::ostream& err) {
  std::ofstream f(path, std::ios::trunc);
  if (!f) {
    err << codes::kIo << ": cannot write '" << path << "'\n";
    return false;
  }
  // Replace, not throw on, invalid UTF-8: a crashed case's captured output may hold any bytes.
  f << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  return true;
}

// A crashed child's output under its FAILED line, each line indented so it reads as part of it.
std::string indented(const std::string& text) {
  std::string s;
  std::size_t from = 0;
  while (from < text.size()) {
    auto nl = text.find('\n', from);
    if (nl == std::string::npos) nl = text.size();
    s += "    | ";
    s.append(text, from, nl - from);
    s += '\n';
    from = nl + 1;
  }
  return s;
}

// An expected-pass list: one case name a line; blank lines and '#' comments are ignored. Names are
// folder names, so they must be plain (no '/', no control characters).
Expected<std::vector<std::string>> readPassList(const std::string& path) {
  std::ifstream f(path);
  if (!f) return makeError(codes::kIo, "cannot read the expected-pass list '" + path + "'");
  std::vector<std::string> names;
  std::string line;
  int lineNo = 0;
  while (std::getline(f, line)) {
    ++lineNo;
    if (const auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back())))
      line.pop_back();
    std::size_t from = 0;
    while (from < line.size() && std::isspace(static_cast<unsigned char>(line[from])))
      ++from;
    line.erase(0, from);
    if (line.empty()) continue;
    const bool plain = std::all_of(line.begin(), line.end(), [](char c) {
      return c != '/' && !std::isspace(static_cast<unsigned char>(c)) && static_cast<unsigned char>(c) >= 0x20;
    });
    if (!plain)
      return makeError(codes::kInvalid, "'" + path + "' line " + std::to_string(lineNo) +
                                            ": a case name is one word without '/' (the case's folder name)");
    names.push_back(line);
  }
  return names;
}

bool writePassList(const std::string& path, const std::string& dir, const session::ConformanceReport& report,
                   std::ostream& err) {
  std::vector<std::string> names;
  for (const auto& c : report.cases)
    if (c.status == session::CaseStatus::Passed) names.push_back(c.name);
  std::sort(names.begin(), names.end());
  std::ofstream f(path, std::ios::trunc);
  if (!f) {
    err << codes::kIo << ": cannot write '" << path << "'\n";
    return false;
  }
  f << "# Cases of " << std::filesystem::path(dir).filename().string()
    << " that pass on device cpu; every one must keep passing (gearbench --check --expect-pass).\n"
    << "# Regenerate with scripts/update-conformance-lists.sh; do not edit by hand.\n";
  for (const auto& n : names)
    f << n << "\n";
  return static_cast<bool>(f);
}

} // namespace

ProgressBar::ProgressBar(std::string label) : m_label(std::move(label)), m_tty(::isatty(2) != 0) {}

ProgressBar::~ProgressBar() {
  if (m_drawn) std::fprintf(stderr, "\r\033[K");
}

void ProgressBar::update(std::size_t done, std::size_t total) {
  if (!m_tty || total == 0) return;
  const double now = nowSeconds();
  if (done < total && m_lastDraw >= 0 && now - m_lastDraw < 0.1) return;
  m_lastDraw = now;
  const int width = 30;
  const int filled =
      static_cast<int>(static_cast<double>(width) * static_cast<double>(done) / static_cast<double>(total));
  std::string bar(static_cast<std::size_t>(filled), '#');
  bar.resize(width, '.');
  std::fprintf(stderr, "\r%s [%s] %zu/%zu", m_label.c_str(), bar.c_str(), done, total);
  std::fflush(stderr);
  m_drawn = true;
}

int runCheck(const BenchOptions& o, std::ostream& out, std::ostream& err) {
  const auto cases = session::findCases(o.checkDir);
  if (cases.empty()) {
    err << codes::kInvalid << ": no case folders (model.onnx + test_data_set_*) under '" << o.checkDir << "'\n";
    return 2;
  }
  std::vector<std::string> expected;
  if (!o.expectPassPath.empty()) {
    auto list = readPassList(o.expectPassPath);
    if (!list) {
      err << list.error().str() << "\n";
      return 2;
    }
    expected = std::move(*list);
  }
  session::ConformanceOptions opt;
  opt.device = o.device;
  opt.jobs = o.jobs;
  opt.timeoutSeconds = o.timeoutSeconds;
  opt.threads = o.threads > 0 ? o.threads : 1;
  ProgressBar bar("check");
  opt.onCase = [&](const session::CaseResult& c, std::size_t done, std::size_t total) {
    if (c.status == session::CaseStatus::Failed) {
      if (::isatty(2)) std::fprintf(stderr, "\r\033[K"); // the bar is redrawn below the line
      out << "FAILED " << c.name << ": " << c.reason << "\n";
      if (!c.log.empty()) out << indented(c.log);
      out << std::flush;
    }
    bar.update(done, total);
  };
  const auto report = session::runConformance(cases, opt);
  if (report.crashed)
    out << report.crashed << " of the failures crashed (a signal, an exit without a result or a sanitizer "
        << "report); their output is printed under each\n";
  out << report.passed << " passed, " << report.failed << " failed, " << report.skipped << " skipped\n";
  if (!o.jsonPath.empty()) {
    auto arr = nlohmann::json::array();
    for (const auto& c : report.cases)
      arr.push_back({{"name", c.name},
                     {"path", c.path},
                     {"status", session::caseStatusName(c.status)},
                     {"reason", c.reason},
                     {"ms", c.millis},
                     {"crashed", c.crashed},
                     {"log", c.log}});
    nlohmann::json j{{"tool", "gearbench"},       {"mode", "check"},           {"dir", o.checkDir},
                     {"device", o.device},        {"passed", report.passed},   {"failed", report.failed},
                     {"skipped", report.skipped}, {"crashed", report.crashed}, {"cases", std::move(arr)}};
    if (!writeJson(o.jsonPath, j, err)) return 1;
  }
  if (!o.writePassPath.empty() && !writePassList(o.writePassPath, o.checkDir, report, err)) return 1;
  bool regressed = false;
  if (!o.expectPassPath.empty()) {
    std::map<std::string, const session::CaseResult*> byName;
    for (const auto& c : report.cases)
      byName[c.name] = &c;
    const std::set<std::string> listed(expected.begin(), expected.end());
    std::size_t missing = 0;
    for (const auto& name : listed) {
      const auto it = byName.find(name);
      if (it == byName.end()) {
        out << "REGRESSED " << name << ": listed in " << o.expectPassPath << " but not found under " << o.checkDir
            << "\n";
        ++missing;
      } else if (it->second->status != session::CaseStatus::Passed) {
        out << "REGRESSED " << name << ": " << session::caseStatusName(it->second->status) << ": " << it->second->reason
            << "\n";
        ++missing;
      }
    }
    std::size_t fresh = 0;
    for (const auto& c : report.cases)
      if (c.status == session::CaseStatus::Passed && !listed.contains(c.name)) {
        out << "NEW PASS " << c.name << " (not yet in " << o.expectPassPath << ")\n";
        ++fresh;
      }
    out << listed.size() - missing << " of " << listed.size() << " expected cases passed";
    if (fresh) out << "; " << fresh << " more passed (regenerate the list: scripts/update-conformance-lists.sh)";
    out << "\n";
    if (missing) {
      err << missing << " case(s) of " << o.expectPassPath << " did not pass (REGRESSED above)\n";
      regressed = true;
    }
  }
  if (o.minPassPercent) {
    const auto attempted = report.passed + report.failed;
    const double pct = attempted ? 100.0 * static_cast<double>(report.passed) / static_cast<double>(attempted) : 0.0;
    if (pct < *o.minPassPercent) {
      err << "pass rate " << pct << "% of the cases not skipped is below --min-pass=" << *o.minPassPercent << "\n";
      return 1;
    }
  }
  return regressed ? 1 : 0;
}

int runListOps(const BenchOptions& o, std::ostream& out, std::ostream& err) {
  const auto* device = runtime::findDevice(o.device);
  if (!device) {
    err << codes::kInvalid << ": unknown device '" << o.device << "'\n";
    return 2;
  }
  // One line per row of the device's op table: the same rows supports() reads.
  const auto ops = device->supportedOps();
  auto arr = nlohmann::json::array();
  for (const auto& op : ops) {
    const std::string name = (op.domain.empty() ? "" : op.domain + ".") + op.opType;
    std::string opsets = "opset ";
    opsets += std::to_string(op.sinceVersion);
    if (op.untilVersion) {
      opsets += '-';
      opsets += std::to_string(op.untilVersion);
    } else {
      opsets += '+';
    }
    const std::string types = op.types.str() + (op.note.empty() ? "" : "; " + op.note);
    char line[512];
    std::snprintf(line, sizeof line, "%-36s %-10s %s\n", name.c_str(), opsets.c_str(), types.c_str());
    out << line;
    auto dtypes = nlohmann::json::array();
    for (int t = 0; t <= 16; ++t)
      if (op.types.has(static_cast<ir::DataType>(t)) && t != 0)
        dtypes.push_back(ir::dtypeName(static_cast<ir::DataType>(t)));
    arr.push_back({{"domain", op.domain},
                   {"op_type", op.opType},
                   {"since_version", op.sinceVersion},
                   {"until_version", op.untilVersion},
                   {"dtypes", std::move(dtypes)},
                   {"note", op.note}});
  }
  out << ops.size() << " ops on device " << device->name() << "\n";
  if (!o.jsonPath.empty()) {
    nlohmann::json j{{"tool", "gearbench"},
                     {"mode", "list-ops"},
                     {"device", std::string(device->name())},
                     {"count", ops.size()},
                     {"ops", std::move(arr)}};
    if (!writeJson(o.jsonPath, j, err)) return 1;
  }
  return 0;
}

} // namespace gs::gearbench
