// The compiler's view of a runtime device (compiler::Target): its name and which ops it has kernels
// for, asked of the device's own table. The compiler never includes the runtime; this glue joins them.
#pragma once

#include <string_view>

#include "core/common/status.h"
#include "core/compiler/passes/pass.h"
#include "core/runtime/device.h"

namespace gs::session {

compiler::Target compileTarget(const runtime::Device& device);
// The device called `name` (runtime::findDevice); codes::kInvalid listing the devices when none is.
Expected<compiler::Target> compileTarget(std::string_view name);

} // namespace gs::session
