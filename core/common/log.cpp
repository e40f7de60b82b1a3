// Subsystem loggers. Loggers log to stderr so that stdout stays clean for machine-readable output.
#include "core/common/log.h"

#include <mutex>
#include <string>
#include <vector>

#include <spdlog/sinks/stdout_color_sinks.h>

namespace gs::log {
namespace {

struct State {
  std::mutex mutex;
  spdlog::level::level_enum level = spdlog::level::warn;
  std::vector<std::shared_ptr<spdlog::sinks::sink>> sinks{std::make_shared<spdlog::sinks::stderr_color_sink_mt>()};
};

State& state() {
  static State s;
  return s;
}

} // namespace

std::shared_ptr<spdlog::logger> get(std::string_view subsystem) {
  auto& s = state();
  std::lock_guard lock(s.mutex);
  const std::string name = "gs." + std::string(subsystem);
  if (auto existing = spdlog::get(name)) return existing;
  auto logger = std::make_shared<spdlog::logger>(name, s.sinks.begin(), s.sinks.end());
  logger->set_level(s.level);
  logger->set_pattern("[%H:%M:%S.%e] [%n] [%l] %v");
  spdlog::register_logger(logger);
  return logger;
}

Status setLevel(std::string_view atcLevel) {
  spdlog::level::level_enum level;
  if (atcLevel == "debug")
    level = spdlog::level::debug;
  else if (atcLevel == "info")
    level = spdlog::level::info;
  else if (atcLevel == "warning")
    level = spdlog::level::warn;
  else if (atcLevel == "error")
    level = spdlog::level::err;
  else if (atcLevel == "null")
    level = spdlog::level::off;
  else
    return makeError("E10001", "Value [" + std::string(atcLevel) +
                                   "] for parameter [--log] is invalid; expected debug, info, warning, error or null");
  auto& s = state();
  std::lock_guard lock(s.mutex);
  s.level = level;
  spdlog::apply_all([level](const std::shared_ptr<spdlog::logger>& l) {
    if (l->name().rfind("gs.", 0) == 0) l->set_level(level);
  });
  return ok();
}

void addSink(std::shared_ptr<spdlog::sinks::sink> sink) {
  auto& s = state();
  std::lock_guard lock(s.mutex);
  s.sinks.push_back(sink);
  spdlog::apply_all([&sink](const std::shared_ptr<spdlog::logger>& l) {
    if (l->name().rfind("gs.", 0) == 0) l->sinks().push_back(sink);
  });
}

} // namespace gs::log
