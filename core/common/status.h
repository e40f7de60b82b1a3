// Error values for every core API: a code (ATC's "E10001" style, or GearStudio's own "GS..." codes)
// and a message that names the problem. Core code never throws across its APIs.
#pragma once

#include <expected>
#include <string>
#include <utility>

namespace gs {

// GearStudio's own codes, for failures ATC has no code for.
namespace codes {
inline constexpr const char* kIo = "GS0001";          // a file cannot be read or written
inline constexpr const char* kFormat = "GS0002";      // a file is corrupt, truncated or not of the expected kind
inline constexpr const char* kUnsupported = "GS0003"; // an op, dtype or construct GearStudio does not handle
inline constexpr const char* kInvalid = "GS0004";     // an invalid graph, argument or state
inline constexpr const char* kCancelled = "GS0005";   // the user cancelled long work
inline constexpr const char* kInternal = "GS0006";    // a bug: an invariant did not hold
inline constexpr const char* kRuntime = "GS0007";     // a failure while running a model (shape mismatch, ...)
} // namespace codes

struct Error {
  std::string code;    // "E10001" (ATC) or "GS0001" (codes above)
  std::string message; // names the problem: which file, input, option, node

  // "E10001: message" as ATC prints it.
  std::string str() const;
};

template <class T> using Expected = std::expected<T, Error>;
using Status = std::expected<void, Error>;

inline std::unexpected<Error> makeError(std::string code, std::string message) {
  return std::unexpected<Error>(Error{std::move(code), std::move(message)});
}

inline Status ok() { return {}; }

// Prefix the message with context ("while importing node 'conv1': ...").
Error withContext(Error e, const std::string& context);

} // namespace gs

// Propagate an error: GS_RETURN_IF_ERROR(someStatus());
#define GS_RETURN_IF_ERROR(expr)                                                                                       \
  do {                                                                                                                 \
    auto gs_status_ = (expr);                                                                                          \
    if (!gs_status_) return std::unexpected(std::move(gs_status_.error()));                                            \
  } while (0)

#define GS_CONCAT_INNER_(a, b) a##b
#define GS_CONCAT_(a, b) GS_CONCAT_INNER_(a, b)
// Declare-and-unwrap: GS_ASSIGN_OR_RETURN(auto graph, importModel(path));
#define GS_ASSIGN_OR_RETURN(decl, expr) GS_ASSIGN_OR_RETURN_IMPL_(GS_CONCAT_(gs_tmp_, __LINE__), decl, expr)
#define GS_ASSIGN_OR_RETURN_IMPL_(tmp, decl, expr)                                                                     \
  auto tmp = (expr);                                                                                                   \
  if (!tmp) return std::unexpected(std::move(tmp.error()));                                                            \
  decl = std::move(*tmp)
