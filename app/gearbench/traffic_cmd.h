// gearbench's traffic modes (core/traffic): trace replay with a dispatch mode, the strategy
// comparison on a trace, the gear optimizer, the padding safety check and the trace generator.
#pragma once

#include <ostream>
#include <span>
#include <string>

namespace gs::gearbench {

// True when args hold one of --trace, --trace-npy, --trace-images, --dispatch, --plan-gears,
// --check-padding or --gen-trace.
bool wantsTraffic(std::span<const std::string> args);
int runTraffic(std::span<const std::string> args, std::ostream& out, std::ostream& err);
std::string trafficHelpText();

} // namespace gs::gearbench
