// Named spdlog loggers, one per subsystem ("import", "compiler", "runtime", "ui", ...), and ATC's
// --log levels. A front end (CLI or GUI) calls setLogLevel/addSink once; core code asks for its
// subsystem's logger and never configures logging itself.
#pragma once

#include <memory>
#include <string_view>

#include <spdlog/spdlog.h>

#include "core/common/status.h"

namespace gs::log {

// The logger of one subsystem; created on first use with the current level and sinks.
std::shared_ptr<spdlog::logger> get(std::string_view subsystem);

// ATC's --log values: debug | info | warning | error | null. Anything else: E10001.
Status setLevel(std::string_view atcLevel);

// Adds a sink to every existing and future logger (the studio's log panel uses this).
void addSink(std::shared_ptr<spdlog::sinks::sink> sink);

} // namespace gs::log
