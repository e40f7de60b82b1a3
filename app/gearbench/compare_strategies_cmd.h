// gearbench --compare-strategies: builds the gears of a gear configuration three ways (one static
// model per gear, one multi-gear model, one dynamic-shape model), measures each at every gear and
// prints a table per strategy plus a plain-language summary; --json=FILE writes the comparison.
#pragma once

#include <ostream>
#include <span>
#include <string>

namespace gs::gearbench {

// Whether args ask for the strategy comparison (--compare-strategies anywhere).
bool wantsCompareStrategies(std::span<const std::string> args);

// args: argv without the program name. Takes --model=X.onnx, gearatc's shape options (one gear
// option is required), --loop, --warmup, --threads, --device, --json. Exit status: 0 ok, 1 a model
// that cannot be built or run, 2 a usage error.
int runCompareStrategies(std::span<const std::string> args, std::ostream& out, std::ostream& err);

} // namespace gs::gearbench
