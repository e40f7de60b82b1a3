// What the real `atc` asks of a command beyond what GearStudio needs to run it: the --framework
// check shared by gearatc and gearbench, the options real ATC still needs (--soc_version), and the
// exported shell script that claims no more than it holds.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/common/status.h"
#include "core/compiler/shape_config/atc_options.h"

namespace gs::shape_config {

// --framework, when given, names what GearStudio imports: 5 (ONNX); 0, 1 and 3 are GS0003 naming
// the framework and what is supported.
Status checkFramework(const AtcOptions& opts);

// What the real `atc` needs beyond what GearStudio needs to run this command, one line per missing
// option with the reason ("--soc_version: the target Ascend chip ..."). Today: --soc_version for
// modes 0 and 3 (GearStudio builds for its own CPU and records the SoC only as a label). Empty when
// the command is complete for ATC as well.
std::vector<std::string> realAtcNeeds(const AtcOptions& opts);

// The command as a POSIX shell script for the real `atc`, claiming no more than it holds: a header
// comment names the model, says whether GearStudio accepted the options (problem: the first error
// when it did not) and what ATC still needs. Without --soc_version the script reads SOC_VERSION from
// the environment and stops with a message when it is not set.
std::string atcScript(const AtcOptions& opts, std::string_view modelName, const Error* problem = nullptr);

} // namespace gs::shape_config
