// Error formatting helpers.
#include "core/common/status.h"

namespace gs {

std::string Error::str() const {
  if (code.empty()) return message;
  return code + ": " + message;
}

Error withContext(Error e, const std::string& context) {
  e.message = context + ": " + e.message;
  return e;
}

} // namespace gs
