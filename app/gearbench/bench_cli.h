// gearbench's command logic, kept out of main() so tests and the studio can run it in-process.
#pragma once

#include <ostream>
#include <span>
#include <string>

namespace gs::gearbench {

// args: argv without the program name. Returns the exit status (0 ok, 1 model/run error, 2 usage).
int run(std::span<const std::string> args, std::ostream& out, std::ostream& err);

} // namespace gs::gearbench
