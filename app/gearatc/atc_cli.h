// gearatc's command logic, kept out of main() so that tests and the studio can run it in-process:
// ATC-compatible options, modes 0 (build .om), 1 (to JSON), 3 (pre-check), 6 (model info), plus
// --print-pipeline. Errors print "E<code>: message" on err and give a non-zero status.
#pragma once

#include <ostream>
#include <span>
#include <string>

namespace gs::gearatc {

// args: argv without the program name. Returns the process exit status (0: success).
int run(std::span<const std::string> args, std::ostream& out, std::ostream& err);

// The --help text.
std::string helpText();

} // namespace gs::gearatc
