// compiler::Target from a runtime::Device.
#include "core/session/compile_target.h"

#include <string>

namespace gs::session {

compiler::Target compileTarget(const runtime::Device& device) {
  compiler::Target t;
  t.device = std::string(device.name());
  const runtime::Device* d = &device; // devices live for the whole program (runtime::devices())
  t.hasOp = [d](std::string_view domain, std::string_view opType, int64_t opset) {
    return d->hasOp(domain, opType, opset);
  };
  return t;
}

Expected<compiler::Target> compileTarget(std::string_view name) {
  if (const auto* d = runtime::findDevice(name)) return compileTarget(*d);
  std::string names;
  for (const auto* d : runtime::devices()) {
    names += names.empty() ? "" : ", ";
    names += d->name();
  }
  return makeError(codes::kInvalid, "unknown target device '" + std::string(name) + "' (available: " + names + ")");
}

} // namespace gs::session
