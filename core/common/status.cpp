// Error formatting helpers.
#include "core/common/status.h"

#include "core/common/utf8.h"

namespace gs {

std::string Error::str() const {
  // Messages quote user text (options, names from model files): printed text is always UTF-8.
  const auto text = utf8::isValid(message) ? message : utf8::sanitize(message);
  if (code.empty()) return text;
  return utf8::sanitize(code) + ": " + text;
}

Error withContext(Error e, const std::string& context) {
  e.message = context + ": " + e.message;
  return e;
}

} // namespace gs
